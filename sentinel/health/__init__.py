"""Health: the operator's view of an instance, served only to the operator (``docs/operations.md``)."""

from sentinel.health.access import FORWARDING_HEADERS, OperatorAccess, Verdict, is_loopback
from sentinel.health.middleware import HealthMiddleware
from sentinel.health.report import Check, HasHealth, HealthReporter, name_checks
from sentinel.health.settings import HealthSettings

__all__ = [
    "FORWARDING_HEADERS",
    "Check",
    "HasHealth",
    "HealthMiddleware",
    "HealthReporter",
    "HealthSettings",
    "OperatorAccess",
    "Verdict",
    "is_loopback",
    "name_checks",
]
