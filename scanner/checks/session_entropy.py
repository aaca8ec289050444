"""SNT107 low-entropy-session-id: session IDs carry fewer than 64 bits of entropy (OWASP's floor).

**What it detects.** On the same sample as the predictability check, the scanner computes, per
character position, the *capacity* (log2 of the alphabet size, for positions that vary at all) and an
*estimate* (Miller-Madow corrected Shannon entropy of the characters seen there). The alphabet is the
smallest standard one that fits (digits, hex, base36, alphanumeric, base64url, base64), so a
digits-only ID is not credited six bits a character.

The policy is OWASP's Session Management Cheat Sheet: at least 64 bits of entropy.

- capacity under 64 bits: *confirmed*, high severity (capacity is an upper bound);
- capacity enough but the estimate under 90% of 64 bits: *tentative* (visible bias);
- 64 to 128 bits (a uuid4 has 122): no finding; the check passes with a note that 128 bits is a
  comfortable margin. A uuid4 from a CSPRNG is not CWE-330.

``SessionCheckSettings.min_entropy_bits`` raises the floor for teams whose
policy asks for more.

With 2**k possible IDs and N live sessions, a guess succeeds with probability N/2**k: at 32 bits and
10,000 sessions, one guess in 430,000 hits; an attacker sending 1,000 guesses a second wins in
minutes.

**CWE:** CWE-330 (Use of Insufficiently Random Values).

**Example evidence.** ``64 IDs of 14 characters (digits alphabet): 5 positions vary; capacity 17
bits, estimated entropy 12 bits``.

**How to fix.** Use at least 64 bits from a CSPRNG, better 128 (``secrets.token_urlsafe(32)`` gives 256).
"""

from __future__ import annotations

from scanner.analysis.entropy import estimate
from scanner.checks._registry import CheckKind, check
from scanner.context import ScanContext
from scanner.findings import Confidence, Finding, Rule, Severity
from scanner.sampling import session_samples

RULE = Rule(
    id="SNT107",
    name="low-entropy-session-id",
    cwe=330,
    severity=Severity.HIGH,
    summary="Session IDs carry fewer than 64 bits of entropy (estimated from a sample).",
)
OWASP_FLOOR_BITS = 64.0
#: Above the floor, below this: a note in the check's summary, never a finding.
COMFORT_BITS = 128.0
STATISTICAL_MARGIN = 0.9


@check(name="low-entropy-session-id", kind=CheckKind.SESSION, rules=[RULE], order=41)
async def run(ctx: ScanContext) -> list[Finding]:
    sample = await session_samples(ctx)
    result = estimate(list(sample.values))
    threshold = ctx.config.session.min_entropy_bits
    description = f"{result.describe()}; from {sample.source}"
    if result.capacity_bits < threshold:
        confidence = Confidence.CONFIRMED
        bits = result.capacity_bits
    elif result.estimated_bits < STATISTICAL_MARGIN * threshold:
        confidence = Confidence.TENTATIVE
        bits = result.estimated_bits
    else:
        margin = (
            f"; above OWASP's {threshold:.0f}-bit floor, below the {COMFORT_BITS:.0f} bits "
            "that leave a comfortable margin (not a finding)"
            if result.capacity_bits < COMFORT_BITS
            else ""
        )
        ctx.details["low-entropy-session-id"] = description + margin
        return []
    severity = Severity.HIGH if bits < OWASP_FLOOR_BITS else Severity.MEDIUM
    return [
        ctx.finding(
            RULE,
            confidence=confidence,
            severity=severity,
            method=sample.example.method,
            url=sample.example.url,
            parameter=sample.cookie_name,
            message=f"session IDs carry at most about {bits:.0f} bits of entropy (threshold {threshold:.0f})",
            evidence=(ctx.evidence(description, sample.example, body=False),),
        )
    ]
