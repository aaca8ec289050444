"""The static half of ``sentinel gate``: bandit with Sentinel's plugins, as findings the gate can judge.

:class:`BanditRun` runs bandit in a child process; its JSON report becomes a :class:`StaticResult` of
:class:`StaticFinding` values (rule, severity, confidence, file and lines, the flagged code, and a
line-insensitive fingerprint for baselines); :func:`static_sarif_run` and :func:`static_junit_suite`
report it. The plugins themselves live in the top-level :mod:`sentinel_bandit` package.
"""

from scanner.static.bandit_run import DEFAULT_BANDIT_TIMEOUT, BanditRun, StaticSettings, parse_report
from scanner.static.baseline import apply_static_baseline
from scanner.static.findings import StaticConfidence, StaticFinding, StaticResult, static_fingerprint
from scanner.static.junit import static_junit_suite
from scanner.static.rules import RuleInfo
from scanner.static.sarif import static_sarif_run

__all__ = [
    "DEFAULT_BANDIT_TIMEOUT",
    "BanditRun",
    "RuleInfo",
    "StaticConfidence",
    "StaticFinding",
    "StaticResult",
    "StaticSettings",
    "apply_static_baseline",
    "parse_report",
    "static_fingerprint",
    "static_junit_suite",
    "static_sarif_run",
]
