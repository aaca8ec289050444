"""SNT106 predictable-session-id: session IDs follow a pattern an attacker can replay.

**What it detects.** The scanner collects fresh session IDs (80 by default, ``--samples``) from a
request that mints them, then runs **deterministic tests first**, each naming a construction:
duplicates; IDs that, read as numbers and sorted, step evenly or sit under 2**24 apart (counters);
IDs that equal MD5/SHA-1/SHA-256 of a small integer or of a recent Unix time (the test reproduces the
ID, so a hit is proof); the current time embedded at a fixed offset (decimal or hex, s or ms);
version-1 UUIDs (time plus MAC address); a prefix shared by most of the ID. Only then, and only when
the sample holds 20,000 bits, it runs the **FIPS 140-2** tests (monobit, poker, runs, long run) on the
bits that vary (on two independent 20,000-bit blocks when the sample holds 40,000 bits: both must
fail, since the FIPS intervals reject about one truly random block in a few thousand). Statistics
alone are not trusted: a hashed counter passes them all, which is why the deterministic tests come
first.

Severity is *high/confirmed* for a reproduced construction (duplicates, counter, hashed counter),
*medium/firm* for embedded time, UUIDv1 or a shared prefix, *medium/tentative* for a FIPS failure.

**CWE:** CWE-330 (Use of Insufficiently Random Values).

**Example evidence.** ``80 IDs from GET /: sorted as numbers, neighbouring IDs are a median 1 apart;
80 of 80 IDs embed the current time (decimal seconds, at character 0)``.

**How to fix.** Generate IDs from the OS CSPRNG with at least 128 bits (``secrets.token_urlsafe(32)``),
never from time, counters, ``random`` or a hash of guessable data.
"""

from __future__ import annotations

from scanner.analysis.entropy import to_bits
from scanner.analysis.fips import SAMPLE_BITS, fips_140_2
from scanner.analysis.predictability import deterministic_weaknesses
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.findings import Confidence, Finding, Rule, Severity
from scanner.sampling import session_samples

RULE = Rule(
    id="SNT106",
    name="predictable-session-id",
    cwe=330,
    severity=Severity.HIGH,
    summary="Session IDs follow a predictable construction (counter, time, hash of guessable data).",
)


@check(name="predictable-session-id", kind=CheckKind.SESSION, rules=[RULE], order=40)
async def run(ctx: ScanContext) -> list[Finding]:
    sample = await session_samples(ctx)
    values = list(sample.values)
    weaknesses = deterministic_weaknesses(values)
    where = f"{len(values)} IDs from {sample.source}"
    example = sample.example
    if weaknesses:
        proven = any(w.proof for w in weaknesses)
        detail = "; ".join(w.detail for w in weaknesses)
        return [
            ctx.finding(
                RULE,
                confidence=Confidence.CONFIRMED if proven else Confidence.FIRM,
                severity=Severity.HIGH if proven else Severity.MEDIUM,
                method=example.method,
                url=example.url,
                parameter=sample.cookie_name,
                message=f"predictable session IDs ({', '.join(w.kind for w in weaknesses)})",
                evidence=(ctx.evidence(f"{where}: {detail}", example, body=False),),
            )
        ]
    bits = to_bits(values)
    if bits is None:
        ctx.details["predictable-session-id"] = (
            "no deterministic pattern; FIPS 140-2 not run (alphabet has no bit mapping)"
        )
        return []
    if len(bits) < SAMPLE_BITS:
        ctx.details["predictable-session-id"] = (
            f"no deterministic pattern; FIPS 140-2 not run (need {SAMPLE_BITS} bits, "
            f"the sample has {len(bits)}: "
            "raise --samples)"
        )
        return []
    # The FIPS intervals reject about one random block in a few thousand; requiring a second,
    # independent block to fail too (when the sample holds one) keeps a clean app clean.
    blocks = [
        bits[i : i + SAMPLE_BITS]
        for i in range(0, min(len(bits), 2 * SAMPLE_BITS) - SAMPLE_BITS + 1, SAMPLE_BITS)
    ]
    results = [fips_140_2(block) for block in blocks]
    result = next((r for r in results if r.passed), results[0])
    if result.passed:
        ctx.details["predictable-session-id"] = (
            f"no deterministic pattern; FIPS 140-2 passed ({result.detail})"
        )
        return []
    failed = ", ".join(result.failed_tests())
    return [
        ctx.finding(
            RULE,
            confidence=Confidence.TENTATIVE,
            severity=Severity.MEDIUM,
            method=example.method,
            url=example.url,
            parameter=sample.cookie_name,
            message=f"session ID bits fail FIPS 140-2 ({failed})",
            evidence=(
                ctx.evidence(f"{where}: FIPS 140-2 {failed} failed; {result.detail}", example, body=False),
            ),
        )
    ]
