"""Sentinel's companion scanner: session-security checks against a running web app, and a CI gate.

Run it as ``sentinel scan BASE_URL`` (see ``docs/scanner.md``) or from Python::

    result = await scanner.run_scan(scanner.ScanConfig(base_url="http://127.0.0.1:8000"))
    print(scanner.render(result, "sarif"))

It is imported by the CLI, never by apps. Scan only what you are authorised to test.
"""

from scanner.baseline import BaselineEntry, apply_baseline, load_baseline
from scanner.config import (
    DEFAULT_LIMITS,
    LOOPBACK_LIMITS,
    Limits,
    LoginConfig,
    ScanConfig,
    SessionCheckSettings,
)
from scanner.errors import (
    BudgetExhausted,
    CheckSkipped,
    IncompleteScan,
    LoginFailed,
    OutOfScope,
    RequestFailed,
    ScanConfigError,
    ScannerError,
    TargetUnreachable,
)
from scanner.findings import Confidence, Evidence, Finding, Rule, Severity, Suppression
from scanner.gate import exit_code, gating_findings, parse_fail_on
from scanner.report import FORMATS, formatter, render
from scanner.result import CheckResult, ScanResult, ScanStats
from scanner.runner import run_scan

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "LOOPBACK_LIMITS",
    "BaselineEntry",
    "BudgetExhausted",
    "CheckResult",
    "CheckSkipped",
    "Confidence",
    "Evidence",
    "Finding",
    "IncompleteScan",
    "Limits",
    "LoginConfig",
    "LoginFailed",
    "OutOfScope",
    "RequestFailed",
    "Rule",
    "ScanConfig",
    "ScanConfigError",
    "ScanResult",
    "ScanStats",
    "ScannerError",
    "SessionCheckSettings",
    "Severity",
    "Suppression",
    "TargetUnreachable",
    "apply_baseline",
    "exit_code",
    "formatter",
    "gating_findings",
    "load_baseline",
    "parse_fail_on",
    "render",
    "run_scan",
]
