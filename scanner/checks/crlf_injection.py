"""SNT210 crlf-injection: input reaches a response header with its line breaks (response splitting).

**What it detects.** A parameter copied into a response header (a ``Location``, a ``Set-Cookie``, a
custom header) without stripping CR and LF, so a link can add headers of its choosing to the answer:
set or fix a session cookie, switch off a security header, or split the response and inject a page.
Most Python servers refuse such headers (uvicorn, Werkzeug); apps on ``http.server``, raw sockets or a
proxy that rebuilds headers do not.

1. *Attack*: the value followed by CR LF and a canary header, ``X-Sentinel-<canary>:<canary>``;
   at level 2 also a bare LF and the CR LF percent-encoded once more (for apps that decode again). The
   answer must carry that header, with that value.
2. *Control*: the same text with a space for the line break: no such header.
3. *Confirmation*: a fresh header name and value.

**Payloads.** One ``X-Sentinel-`` header line, nothing else: the safety guard refuses any other
injected header (no ``Set-Cookie``, no ``Location``) and any injected body.

**False-positive guards.** The header name is random: no server sends it on its own; a body that
echoes the text does not count (only response headers are read).

**CWE:** CWE-113 (Improper Neutralization of CRLF Sequences in HTTP Headers).

**Example evidence.** ``GET /lang?set=en%0d%0aX-Sentinel-kqzd:%20bvtr`` answered with a header
``X-Sentinel-kqzd: bvtr``.

**How to fix.** Never put raw input in a header; validate it against what it must be (a language
code, a relative path) and reject CR, LF and other control characters. Use a server or framework
that refuses them (Starlette on uvicorn does).
"""

from __future__ import annotations

from scanner.active.canary import tokens
from scanner.active.probe import Attempt, PointProbe
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.discovery.endpoints import InsertionPoint
from scanner.findings import Confidence, Finding, Rule, Severity

NAME = "crlf-injection"
RULE = Rule(
    id="SNT210",
    name=NAME,
    cwe=113,
    severity=Severity.MEDIUM,
    summary="Input reaches a response header with its line breaks: an injected header comes back.",
)
#: (name, line break); the extra ones run from level 2.
BREAKS = (("CR LF", "\r\n", False), ("LF", "\n", True), ("CR LF percent-encoded again", "%0d%0a", True))


@check(name=NAME, kind=CheckKind.ACTIVE, rules=[RULE], order=68)
async def run(ctx: ScanContext, point: InsertionPoint) -> list[Finding]:
    if point.parameter.location in ("xml", "header"):
        return []  # a header value cannot carry a line break at all; XML bodies are not headers
    async with PointProbe.open(ctx, point, check=NAME) as probe:
        if await probe.baseline() is None:
            return []
        for name, brk, extra in BREAKS:
            if extra and not probe.profile.extra_contexts:
                continue
            first = await _injected(probe, brk)
            if first is None:
                continue
            control = await _injected(probe, " ", expect=False)
            if control is not None:
                probe.near_miss(f"an injected header ({name}) also came back without a line break")
                continue
            again = await _injected(probe, brk)
            if again is None:
                probe.near_miss(f"an injected header ({name}) did not come back a second time")
                continue
            return [
                probe.finding(
                    RULE,
                    confidence=Confidence.CONFIRMED,
                    message=(
                        f"CRLF injection in {probe.where} ({name}): the injected header "
                        f"{first[1]} came back in the response headers, and again with a fresh one"
                    ),
                    evidence=(
                        probe.evidence(f"injected header {first[1]} in the response", first[0]),
                        probe.evidence(f"again: {again[1]}", again[0]),
                    ),
                )
            ]
        return []


async def _injected(probe: PointProbe, brk: str, *, expect: bool = True) -> tuple[Attempt, str] | None:
    """Send the canary header after ``brk``; the attempt if the header came back (or, for the control,
    came back at all)."""
    name, value = tokens(2)
    header = f"X-Sentinel-{name}"
    # No space after the colon: a server that decodes "+" as "+" (not a space) must not spoil the value.
    attempt = await probe.send(f"{probe.value}{brk}{header}:{value}")
    if attempt is None:
        return None
    got = attempt.exchange.header(header)
    if got is None or (expect and got.strip() != value):
        return None
    return attempt, f"{header}: {value}"


__all__ = ["BREAKS", "RULE", "run"]
