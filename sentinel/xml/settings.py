"""Settings of the XML guard: safe defaults, validated once, weakening choices warned about loudly."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

from sentinel.errors import ConfigurationError, SentinelUnsafeWarning
from sentinel.xml.limits import DEFAULT_LIMITS, XMLLimits

logger = logging.getLogger("sentinel.xml")


def _media_types(values: Iterable[str], name: str, problems: list[str]) -> frozenset[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        problems.append(f"{name} must be a collection of media types such as {{'text/html'}}")
        return frozenset()
    if not all(isinstance(v, str) for v in values):
        problems.append(f"{name} must contain only strings")
        return frozenset()
    found = frozenset(v.strip().lower() for v in values)
    problems.extend(
        f"{name}: {v!r} is not a type/subtype media type" for v in sorted(found) if v.count("/") != 1
    )
    return found


@dataclass(frozen=True, kw_only=True)
class XMLGuardSettings:
    """How :class:`~sentinel.xml.XMLGuardMiddleware` behaves.

    - ``limits``: size and structure limits (413 beyond ``max_bytes``, 400 beyond the others).
    - ``sniff``: also inspect bodies that start like XML (``<?`` or ``<!`` after a BOM and
      whitespace) whatever their Content-Type. Turning it off lets an XML body sent as
      ``text/plain`` reach a lenient parser unchecked, so it warns.
    - ``sniff_exempt_types``: media types never sniffed (say ``{"text/html"}`` for an endpoint that
      accepts HTML documents starting with ``<!DOCTYPE html>``). XML types are always inspected.
    - ``inspect_form_fields``: also inspect urlencoded form fields that start like XML; the whole
      form must then fit in ``max_bytes``.
    - ``check_structure``: count depth, elements and attributes in the guard. Turning it off saves
      the per-element callbacks (see docs/xml.md for the cost) and leaves those limits to the app's
      parse through :mod:`sentinel.xml`, so it warns.
    - ``extra_xml_types``: more media types to treat as XML.
    """

    limits: XMLLimits = DEFAULT_LIMITS
    sniff: bool = True
    sniff_exempt_types: frozenset[str] = field(default_factory=frozenset)
    inspect_form_fields: bool = False
    check_structure: bool = True
    extra_xml_types: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.limits, XMLLimits):
            problems.append("limits must be an XMLLimits (for example sentinel.xml.DEFAULT_LIMITS)")
        for name in ("sniff", "inspect_form_fields", "check_structure"):
            if not isinstance(getattr(self, name), bool):
                problems.append(f"{name} must be True or False")
        # Normalised in place: the dataclass is frozen, so this is the one place values are set.
        for name in ("sniff_exempt_types", "extra_xml_types"):
            object.__setattr__(self, name, _media_types(getattr(self, name), name, problems))
        if problems:
            raise ConfigurationError(problems)
        for warning in self._unsafe():
            logger.warning("UNSAFE XML guard setting: %s", warning)
            warnings.warn(warning, SentinelUnsafeWarning, stacklevel=4)

    def _unsafe(self) -> list[str]:
        found = []
        if not self.sniff:
            found.append("sniff=False: XML sent with a non-XML Content-Type reaches the app unchecked")
        if not self.check_structure:
            found.append(
                "check_structure=False: depth, element and attribute limits are left to the app's parser"
            )
        return found


__all__ = ["XMLGuardSettings"]
