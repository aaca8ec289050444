"""How many new sessions one client may create: a per-client rate on *new* records.

A session record costs the server memory (or Redis) for up to the idle timeout. Anonymous page views
no longer create one (CSRF tokens bind to a signed pre-session cookie, ``docs/csrf.md``), but writes
to an anonymous session and logins still do, and any client can send those as fast as it likes. So
every request that would *add* a record is charged to its client's budget first: the client is the
TCP peer, or the address our trusted proxies vouch for (:class:`~sentinel.ratelimit.TrustedProxies`,
reused as is), counted per IPv4 address or per IPv6 /64, because one IPv6 customer picks freely among
2**64 addresses. Beyond the budget the request gets ``429`` problem+json with Retry-After and no
record is written; other clients are not affected.

Only creation is charged: reading, updating, rotating (a login from an existing session replaces its
record) and deleting never are. The counters are the rate limiter's GCRA (``throttle``) on the same
kind of store as the sessions: in-process for :class:`~sentinel.sessions.MemoryStore`, Redis for
:class:`~sentinel.sessions.RedisStore`, so every process shares one budget per client. If Redis fails,
counting falls back to the in-process store (still limited, per process), as the login limiter does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sentinel.errors import ConfigurationError, SentinelError
from sentinel.events import security_event
from sentinel.keys import Secret
from sentinel.problem import Problem
from sentinel.ratelimit import NO_PROXIES, MemoryLimiterStore, Rate, TrustedProxies
from sentinel.ratelimit.addresses import DEFAULT_IPV4_PREFIX, DEFAULT_IPV6_PREFIX, prefix_problems
from sentinel.ratelimit.fallback import Backends
from sentinel.ratelimit.keying import Keyer
from sentinel.ratelimit.store import LimiterStore
from sentinel.types import Scope

#: New sessions per client: a burst of 30, refilling at 30 a minute. A person creates one session
#: per login; an office behind one NAT address logging in at 9:00 fits in the burst plus refill.
#: One client then adds at most ~900 records per 30-minute idle window, so it would take over a
#: hundred addresses (or /64s) to fill a default MemoryStore's anonymous share.
DEFAULT_NEW_SESSION_RATE = Rate(limit=30, period=60.0)
_NAME = "new-session"


class TooManyNewSessions(SentinelError):
    """This client created too many sessions recently; ``retry_after`` seconds until the next one."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many new sessions from this client; retry after {retry_after} s")
        self.retry_after = retry_after


def too_many_new_sessions(retry_after: int) -> Problem:
    """The 429 a client gets when its new-session budget is spent."""
    return Problem(
        status=429,
        slug="session-rate-limited",
        title="Too many new sessions",
        detail="This client started too many sessions recently; retry after the indicated delay.",
        retry_after=retry_after,
    )


class NewSessionBudget:
    """Charges each new session record to its client; raises :class:`TooManyNewSessions` beyond ``rate``.

    ``store`` is a rate-limit store (:class:`~sentinel.ratelimit.MemoryLimiterStore` by default, or
    :class:`~sentinel.ratelimit.RedisLimiterStore` to share budgets between processes, which needs
    ``key=``). Keys are HMACs of the client's network, so a store dump names no address.
    """

    def __init__(
        self,
        *,
        rate: Rate = DEFAULT_NEW_SESSION_RATE,
        store: LimiterStore | None = None,
        key: Secret | str | bytes | None = None,
        proxies: TrustedProxies = NO_PROXIES,
        ipv4_prefix: int = DEFAULT_IPV4_PREFIX,
        ipv6_prefix: int = DEFAULT_IPV6_PREFIX,
        clock: Callable[[], float] = time.time,
    ) -> None:
        store = store if store is not None else MemoryLimiterStore()
        problems = rate.problems() + prefix_problems(ipv4_prefix, ipv6_prefix)
        if key is None and store.shared:
            problems.append(f"a shared {store.name} budget store needs key=, one secret on every process")
        if problems:
            raise ConfigurationError(problems)
        self.rate = rate
        self.proxies = proxies
        self._burst, self._interval = rate.compiled()
        self._keyer = Keyer(key, ipv4_prefix=ipv4_prefix, ipv6_prefix=ipv6_prefix)
        self._backends = Backends(store, None, what=_NAME)
        self._clock = clock

    def __repr__(self) -> str:
        return f"NewSessionBudget(rate={self.rate!r}, store={self._backends.primary.name!r})"

    async def charge(self, scope: Scope | None) -> None:
        """Count one new session for the request's client, or raise :class:`TooManyNewSessions`.

        Without a scope (a job outside any request) there is no client to charge, and nothing is."""
        if scope is None:
            return
        key = self._keyer.throttle(self._keyer.bucket(self.proxies.client_address(scope)), _NAME)
        now = int(self._clock() * 1000)

        async def hit(store: LimiterStore) -> tuple[bool, int]:
            verdict = await store.throttle(key, self._burst, self._interval, now)
            return verdict.allowed, verdict.wait

        (allowed, wait), _ = await self._backends.run(hit)
        if allowed:
            return
        retry_after = max(1, -(-wait // 1000))
        security_event(
            "session.create_refused",
            outcome="refused",
            level=logging.INFO,  # one line per refusal: a flood must not become a log flood too
            scope=scope,
            retry_after=retry_after,
        )
        raise TooManyNewSessions(retry_after)

    async def aclose(self) -> None:
        await self._backends.primary.aclose()


__all__ = [
    "DEFAULT_NEW_SESSION_RATE",
    "NewSessionBudget",
    "TooManyNewSessions",
    "too_many_new_sessions",
]
