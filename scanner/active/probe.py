"""One active check at one insertion point: the shared baseline, guarded payloads, findings.

Every request an active check sends goes through :meth:`PointProbe.send`, which

- refuses anything the safety guard (:mod:`scanner.active.safety`) rejects, before it is sent;
- sends without cookies, so every request, baseline and payload alike, is the same anonymous first
  visit (a cookie set by one payload's answer cannot change the next answer); or, after a verified
  login, from a fresh copy of the user's session with a fresh anti-CSRF token
  (:mod:`scanner.active.session`);
- counts a request that gets no answer (a timeout, a reset) as "no signal" and notes it, instead of
  ending the whole check;
- keeps honest coverage: a point whose every answer was a refusal before the app ran anything
  (:data:`REFUSED_STATUSES`: 401, 403 from a CSRF guard, 405, 415, 429) is "not tested (refused:
  403 x12)", not tested; a check with no tested point is reported as skipped, never as passed.

Baselines are shared by every check at the same endpoint (one or two requests per endpoint, not per
check), and so are the answers to a few payloads several checks send identically (a lone quote).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from scanner.active.compare import searchable
from scanner.active.levels import ActiveProfile, profile_for
from scanner.active.points import PointKey, describe, finding_parameter, point_key
from scanner.active.safety import UnsafePayload, unsafe_reason
from scanner.active.session import active_session, fresh_csrf
from scanner.discovery.endpoints import Endpoint, InsertionPoint
from scanner.errors import RequestFailed
from scanner.findings import Confidence, Evidence, Finding, Rule
from scanner.http.exchange import Exchange, RequestSpec
from scanner.http.probe import ProbeClient

if TYPE_CHECKING:
    from scanner.context import ScanContext

#: Answers larger than this are not kept in the shared cache (they are still used by their sender).
SHARED_BODY_LIMIT = 256 * 1024
SHARED_ENTRIES_LIMIT = 4096
_MEMO = "active"
_SHOWN_NEAR_MISSES = 3
#: Answers that mean the request was turned away before the app ran it: authentication, a CSRF or
#: origin guard, a method or content type the route does not take, a rate limit.
REFUSED_STATUSES = frozenset({401, 403, 405, 415, 429})


@dataclass(kw_only=True)
class Coverage:
    """How many points one check tested, and how many were refused (and with what answers)."""

    tested: int = 0
    refused_points: int = 0
    refused: dict[int, int] = field(default_factory=dict)

    def describe_refused(self) -> str:
        """``403 x12, 405 x2``: the refusing statuses and how many answers each."""
        return ", ".join(f"{status} x{count}" for status, count in sorted(self.refused.items()))

    def summary(self, level: int | None = None) -> str:
        at = f" at level {level}" if level is not None else ""
        text = f"{self.tested} insertion point(s) tested{at}"
        if self.refused_points:
            text += f"; {self.refused_points} not tested (refused: {self.describe_refused()})"
        return text


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """A payload and the answer it got."""

    payload: str
    exchange: Exchange

    @cached_property
    def text(self) -> str:
        """The body with HTML entities and JSON escapes undone (for canaries and signatures)."""
        return searchable(self.exchange.text)


@dataclass(kw_only=True)
class _Memo:
    baselines: dict[Endpoint, list[Exchange]] = field(default_factory=dict)
    shared: dict[tuple[PointKey, str], Exchange] = field(default_factory=dict)
    coverage: dict[str, Coverage] = field(default_factory=dict)
    near_misses: dict[str, list[str]] = field(default_factory=dict)


def _header_safe(value: str) -> bool:
    return value == value.strip() and all(" " <= ch != "\x7f" for ch in value)


def _memo(ctx: ScanContext) -> _Memo:
    memo = ctx.memo.get(_MEMO)
    if not isinstance(memo, _Memo):
        memo = ctx.memo[_MEMO] = _Memo()
    return memo


class PointProbe:
    """Open one with :meth:`open` per (check, insertion point)."""

    def __init__(self, ctx: ScanContext, point: InsertionPoint, client: ProbeClient, *, check: str) -> None:
        self.ctx = ctx
        self.point = point
        self.client = client
        self.check = check
        self.profile: ActiveProfile = profile_for(ctx)
        self._memo = _memo(ctx)
        self._key = point_key(point)
        self._statuses: list[int] = []

    @classmethod
    @asynccontextmanager
    async def open(cls, ctx: ScanContext, point: InsertionPoint, *, check: str) -> AsyncIterator[PointProbe]:
        async with ctx.engine.probe(f"active:{check}", crafted=True) as client:
            probe = cls(ctx, point, client, check=check)
            try:
                yield probe
            finally:
                probe._record()

    @property
    def value(self) -> str:
        """The parameter's benign value (payloads usually extend it)."""
        return self.point.parameter.value

    @property
    def where(self) -> str:
        return describe(self.point)

    async def baselines(self, count: int = 1) -> list[Attempt]:
        """At least ``count`` answers to the unmodified request (fewer only if the target stopped
        answering), shared by every check at this endpoint."""
        endpoint = self.point.endpoint
        known = self._memo.baselines.setdefault(endpoint, [])
        while len(known) < count:
            exchange = await self._send_spec(endpoint.request())
            if exchange is None:
                break
            known.append(exchange)
        self._statuses += [e.status for e in known[:count]]
        return [Attempt(payload=self.value, exchange=e) for e in known[:count]]

    async def baseline(self) -> Attempt | None:
        found = await self.baselines(1)
        return found[0] if found else None

    async def send(self, payload: str, *, added: str | None = None, shared: bool = False) -> Attempt | None:
        """Send the request with this point's value set to ``payload``; ``None`` if no answer.

        ``added`` is what the check added (judged by the safety guard); by default the payload minus
        the benign value it starts with. ``shared`` answers are reused by other checks that send the
        very same payload here (only for payloads without a fresh canary)."""
        if added is None:
            added = payload[len(self.value) :] if self.value and payload.startswith(self.value) else payload
        reason = unsafe_reason(added)
        if reason is not None:
            raise UnsafePayload(f"{self.check}: {reason}")
        if self.point.parameter.location == "header" and not _header_safe(payload):
            return None  # no HTTP client sends it: control characters, or edge whitespace
        cache_key = (self._key, payload)
        if shared and (cached := self._memo.shared.get(cache_key)) is not None:
            self._statuses.append(cached.status)
            return Attempt(payload=payload, exchange=cached)
        exchange = await self._send_spec(self.point.inject(payload))
        if exchange is None:
            return None
        self._statuses.append(exchange.status)
        memo = self._memo.shared
        if shared and len(exchange.body) <= SHARED_BODY_LIMIT and len(memo) < SHARED_ENTRIES_LIMIT:
            memo[cache_key] = exchange
        return Attempt(payload=payload, exchange=exchange)

    async def _send_spec(self, spec: RequestSpec) -> Exchange | None:
        try:
            session = active_session(self.ctx)
            if session is not None:  # the user's session, fresh for every request
                session.load(self.client)
                spec = await fresh_csrf(self.client, self.point.endpoint, spec)
                return await self.client.send(spec)
            return await self.client.send(spec, use_cookies=False)
        except RequestFailed:
            self.ctx.engine.note(
                f"active check {self.check}: some requests got no answer (timeout or reset) "
                "and counted as no signal"
            )
            return None

    def evidence(self, note: str, attempt: Attempt | None) -> Evidence:
        return self.ctx.evidence(note, attempt.exchange if attempt is not None else None)

    def finding(
        self, rule: Rule, *, confidence: Confidence, message: str, evidence: tuple[Evidence, ...]
    ) -> Finding:
        known = self._memo.baselines.get(self.point.endpoint) or []
        url = known[0].url if known else self.point.endpoint.request().full_url()
        return self.ctx.finding(
            rule,
            confidence=confidence,
            method=self.point.endpoint.method,
            url=url,
            parameter=finding_parameter(self.point),
            message=message,
            evidence=evidence,
        )

    def near_miss(self, why: str) -> None:
        """A signal that did not survive confirmation: not reported, but said in the check's summary."""
        endpoint = self.point.endpoint
        where = f"{endpoint.method} {endpoint.url} {self.where}: {why}"
        self._memo.near_misses.setdefault(self.check, []).append(where)

    def _is_login_form(self) -> bool:
        login = self.ctx.config.login
        if login is None or self.point.endpoint.method != "POST":
            return False
        return (
            urlsplit(self.point.endpoint.url).path
            == urlsplit(urljoin(self.ctx.config.base_url, login.url)).path
        )

    def _record(self) -> None:
        memo = self._memo
        coverage = memo.coverage.setdefault(self.check, Coverage())
        if not self._statuses:
            return  # nothing was sent: the point does not concern this check
        refusals = REFUSED_STATUSES
        if self._is_login_form():  # a login form's 401 is its answer to wrong credentials: processed
            refusals = REFUSED_STATUSES - {401}
        if all(status in refusals for status in self._statuses):
            coverage.refused_points += 1
            for status in self._statuses:
                coverage.refused[status] = coverage.refused.get(status, 0) + 1
        else:
            coverage.tested += 1
        summary = coverage.summary(self.profile.level) + "; nothing confirmed"
        misses = memo.near_misses.get(self.check, [])
        if misses:
            shown = "; ".join(misses[:_SHOWN_NEAR_MISSES])
            more = f" (+{len(misses) - _SHOWN_NEAR_MISSES} more)" if len(misses) > _SHOWN_NEAR_MISSES else ""
            summary += f"; {len(misses)} unconfirmed signal(s), not reported: {shown}{more}"
        self.ctx.details[self.check] = self.ctx.redactor.text(summary)


def coverage(ctx: ScanContext, check: str) -> Coverage | None:
    """What ``check`` tested so far in this scan; ``None`` if it never opened a probe."""
    return _memo(ctx).coverage.get(check)


def untested(ctx: ScanContext, check: str) -> str | None:
    """Why ``check`` cannot be called passed, when it tested no point at all; ``None`` if it tested some."""
    found = coverage(ctx, check) or Coverage()
    if found.tested:
        return None
    if found.refused_points:
        return (
            f"not tested: every insertion point ({found.refused_points}) was refused before reaching "
            f"the app (refused: {found.describe_refused()})"
        )
    return ctx.details.get(check) or "not tested: no insertion point to test"


__all__ = [
    "REFUSED_STATUSES",
    "SHARED_BODY_LIMIT",
    "Attempt",
    "Coverage",
    "PointProbe",
    "coverage",
    "untested",
]
