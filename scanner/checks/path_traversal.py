"""SNT209 path-traversal: input names a file the app reads and shows (local file inclusion).

**What it detects.** A parameter used as (part of) a file path, ``open(os.path.join(BASE, name))`` or
``BASE + "/" + name``, so ``../`` sequences or an absolute path read any file the app's user can:
configuration, keys, source. The scanner asks only for a file whose content is known and harmless:
``/proc/sys/kernel/ostype`` (``Linux``) or, on Windows, ``win.ini`` (``[fonts]``).

1. *Attack*: the value replaced by the file's path, spelled as eight ``../`` steps (level 1: they
   reach the root from any base directory, and from the working directory of a bare ``open(name)``);
   at level 2 also as an absolute path, after the original value (``docs/../../..``), percent-encoded
   a second time (for apps that decode again), with the ``....//`` filter bypass, as a ``file://`` URL,
   and the Windows file with backslashes. The file's content must appear, and not in the baseline.
2. *Control*: the same spelling naming a sibling that cannot exist
   (``/proc/sys/kernel/sentinel-nonexistent-<canary>``) must not show it.
3. *Confirmation*: the same spelling with a ``./`` step added must show it again.

**Payloads.** Paths to ``/proc/sys/kernel/ostype``, ``windows/win.ini`` and nonexistent names, nothing
else: the safety guard refuses any other file, however it is spelled. ``/etc/passwd`` is not read
(it names the target's accounts, which would land in the report).

**False-positive guards.** The content must be new (a page about Linux shows the word in its
baseline); a page that prints the word for any path fails the control; the confirmation repeats it.

**CWE:** CWE-22 (Improper Limitation of a Pathname to a Restricted Directory).

**Example evidence.** ``GET /download?file=../../../../../../../../proc/sys/kernel/ostype`` answered
``Linux``; ``file=../../../../../../../../proc/sys/kernel/sentinel-nonexistent-kqzd`` answered 404.

**How to fix.** Map names to files through a whitelist (an ID to a path), or resolve the path and
check it stays inside the base directory (``Path(base, name).resolve().is_relative_to(base)``);
Starlette's ``StaticFiles`` does this for you.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from scanner.active.canary import token
from scanner.active.probe import Attempt, PointProbe
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Finding, Rule, Severity

NAME = "path-traversal"
RULE = Rule(
    id="SNT209",
    name=NAME,
    cwe=22,
    severity=Severity.HIGH,
    summary="Input names a file the app reads: a known harmless file's content comes back.",
)
DEPTH = 8


@dataclass(frozen=True, kw_only=True)
class Target:
    """A harmless file: its directory and name (split, so a sibling can stand in as the control)."""

    directory: str
    name: str
    signature: re.Pattern[str]
    windows: bool = False


LINUX = Target(directory="proc/sys/kernel", name="ostype", signature=re.compile(r"(?<!\w)Linux(?!\w)"))
WINDOWS = Target(
    directory="windows",
    name="win.ini",
    signature=re.compile(r"\[fonts\]|\[extensions\]|for 16-bit app support", re.I),
    windows=True,
)


@dataclass(frozen=True, kw_only=True)
class Spelling:
    """``spell(value, path)`` writes an absolute path (``dir/name``, no leading slash) one way."""

    name: str
    spell: Callable[[str, str], str]
    extra: bool = False
    target: Target = LINUX


def _up(sep: str = "/") -> str:
    return f"..{sep}" * DEPTH


SPELLINGS = (
    Spelling(name="../ sequences", spell=lambda v, p: f"{_up()}{p}"),
    Spelling(name="absolute path", spell=lambda v, p: f"/{p}", extra=True),
    Spelling(name="../ after the value", spell=lambda v, p: f"{v}/{_up()}{p}", extra=True),
    Spelling(name="percent-encoded twice", spell=lambda v, p: quote(f"{_up()}{p}", safe=""), extra=True),
    Spelling(name="....// filter bypass", spell=lambda v, p: f"{'....//' * DEPTH}{p}", extra=True),
    Spelling(name="file:// URL", spell=lambda v, p: f"file:///{p}", extra=True),
    Spelling(
        name="Windows, ..\\ sequences",
        spell=lambda v, p: _up("\\") + p.replace("/", "\\"),
        extra=True,
        target=WINDOWS,
    ),
)


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=65)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if point.parameter.location in ("xml", "header"):
        return []
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        base = await probe.baseline()
        if base is None:
            return []
        for spelling in SPELLINGS:
            if spelling.extra and not probe.profile.extra_contexts:
                continue
            if spelling.target.signature.search(base.text):
                continue
            found = await _try(probe, spelling)
            if found is not None:
                return [found]
        return []


async def _send(probe: PointProbe, spelling: Spelling, directory: str, name: str) -> Attempt | None:
    payload = spelling.spell(probe.value, f"{directory}/{name}")
    added = payload[len(probe.value) :] if payload.startswith(f"{probe.value}/") and probe.value else payload
    return await probe.send(payload, added=added)


async def _try(probe: PointProbe, spelling: Spelling) -> Finding | None:
    target = spelling.target
    attack = await _send(probe, spelling, target.directory, target.name)
    if attack is None or not (match := target.signature.search(attack.text)):
        return None
    control = await _send(probe, spelling, target.directory, f"sentinel-nonexistent-{token()}")
    if control is None or target.signature.search(control.text):
        probe.near_miss(f"a file's content ({spelling.name}) also came back for a file that does not exist")
        return None
    again = await _send(probe, spelling, f"{target.directory}/.", target.name)
    if again is None or not target.signature.search(again.text):
        probe.near_miss(f"a file's content ({spelling.name}) did not come back a second time")
        return None
    shown = f"{target.directory}/{target.name}"
    return probe.finding(
        RULE,
        confidence=Confidence.CONFIRMED,
        message=(
            f"path traversal in {probe.where} ({spelling.name}): the content of /{shown} "
            f"({match[0]!r}) came back, and not for a file that does not exist"
        ),
        evidence=(
            probe.evidence(f"/{shown} requested; its content {match[0]!r} came back", attack),
            probe.evidence("control: a file that cannot exist; no such content", control),
            probe.evidence("again, spelled with ./", again),
        ),
    )


__all__ = ["RULE", "SPELLINGS", "run"]
