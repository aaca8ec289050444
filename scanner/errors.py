"""The scanner's exception tree.

Every error the scanner raises derives from :class:`ScannerError` (itself a
:class:`~sentinel.errors.SentinelError`), which is never raised directly::

    ScannerError
    ├── ScanConfigError        bad scan settings or a bad input file; every problem listed at once
    ├── OutOfScope             a request or redirect would leave the target's origin; never sent
    ├── RequestFailed          one request got no answer (timeout, refused connection)
    ├── IncompleteScan         the scan could not finish; the CLI exits 2, whatever was found
    │   ├── TargetUnreachable  the base URL did not answer (connection refused, timeout, DNS)
    │   ├── LoginFailed        the configured login did not take, or could not be performed
    │   │   └── LoginUnverified  accepted, but no page tells a logged-in session from an anonymous one
    │   └── BudgetExhausted    the request budget ran out before every check had run
    │       └── ShareSpent     one check spent its share of the budget; the others still run
    └── CheckSkipped           a check cannot run here (e.g. no login configured); reported, not fatal

The CLI maps :class:`ScanConfigError` and :class:`IncompleteScan` to exit code 2. ``httpx`` errors are
mapped at the HTTP engine's boundary, so checks never catch transport exceptions themselves.
"""

from __future__ import annotations

from sentinel.errors import SentinelError


class ScannerError(SentinelError):
    """Base of every scanner error; never raised directly."""


class ScanConfigError(ScannerError, ValueError):
    """Scan settings or an input file are invalid; ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class OutOfScope(ScannerError):
    """A URL outside the scan's scope; the request was not sent."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"out of scope, not requested: {url}")


class RequestFailed(ScannerError):
    """One request got no HTTP answer; ``url`` is where it was going."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"no answer from {url}: {reason}")


class IncompleteScan(ScannerError):
    """The scan could not finish, so its silence proves nothing."""


class TargetUnreachable(IncompleteScan):
    """The target did not answer at all."""


class LoginFailed(IncompleteScan):
    """The configured login could not be performed or did not take."""


class LoginUnverified(LoginFailed):
    """The login was accepted (no refusal seen) but no page tells the session from an anonymous one."""


class BudgetExhausted(IncompleteScan):
    """The request budget is spent."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        super().__init__(f"request budget of {budget} exhausted (raise it with --max-requests)")


class ShareSpent(BudgetExhausted):
    """One check spent its share of the request budget (see :mod:`scanner.plan`); others still run."""

    def __init__(self, share: int) -> None:
        self.share = share
        IncompleteScan.__init__(self, f"its share of {share} requests is spent")


class CheckSkipped(ScannerError):
    """A check cannot run against this target or configuration; ``reason`` is shown in reports."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


__all__ = [
    "BudgetExhausted",
    "CheckSkipped",
    "IncompleteScan",
    "LoginFailed",
    "LoginUnverified",
    "OutOfScope",
    "RequestFailed",
    "ScanConfigError",
    "ScannerError",
    "ShareSpent",
    "TargetUnreachable",
]
