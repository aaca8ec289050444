"""Named, typed limits for XML documents, in the manner of argon2-cffi's profiles.

Pick a preset by name instead of scattering numbers: ``STRICT_LIMITS`` for small API payloads (an
order, a SOAP call), ``DEFAULT_LIMITS`` for general use, ``LARGE_LIMITS`` for trusted batch imports.
Derive your own with ``dataclasses.replace(DEFAULT_LIMITS, max_bytes=...)``; every value is checked
at construction and all problems are reported together.

Why each bound exists: ``max_bytes`` caps memory and parse time; ``max_depth`` stops nesting that
breaks recursive consumers (serialisers, ``copy.deepcopy``, hand-written tree walkers);
``max_elements`` caps the size of the tree an app will build (an ElementTree element costs a few
hundred bytes); ``max_attributes`` (on any one element; namespace declarations are not counted)
stops attribute floods. Entity bombs need no limit here: they need a DTD, and DTDs are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sentinel.errors import ConfigurationError

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True, kw_only=True)
class XMLLimits:
    """Upper bounds for one XML document. All must be positive integers."""

    max_bytes: int
    max_depth: int
    max_elements: int
    max_attributes: int

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be a positive int, got {value!r}"
            for name, value in (
                ("max_bytes", self.max_bytes),
                ("max_depth", self.max_depth),
                ("max_elements", self.max_elements),
                ("max_attributes", self.max_attributes),
            )
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0
        ]
        if problems:
            raise ConfigurationError(problems)


#: Small API payloads: one order, one SOAP call, one SAML response.
STRICT_LIMITS = XMLLimits(max_bytes=1 * MiB, max_depth=32, max_elements=10_000, max_attributes=32)

#: General use; the default everywhere in :mod:`sentinel.xml`.
DEFAULT_LIMITS = XMLLimits(max_bytes=10 * MiB, max_depth=64, max_elements=200_000, max_attributes=64)

#: Trusted batch imports. An ElementTree of 5 million elements needs gigabytes: parse such documents
#: with :func:`sentinel.xml.iterparse` and clear elements as you go.
LARGE_LIMITS = XMLLimits(max_bytes=100 * MiB, max_depth=256, max_elements=5_000_000, max_attributes=256)

__all__ = ["DEFAULT_LIMITS", "LARGE_LIMITS", "STRICT_LIMITS", "XMLLimits"]
