"""``AuthLimiter``: the login rate limiter, keyed per account, per client IP, and per pair.

Login code looks the user up, then calls it around the password check::

    user = await lookup(username)             # the same query for every attempt
    user_id = None if user is None else user.id
    decision = await limiter.check(account=username, user_id=user_id, scope=request.scope)
    if not decision.allowed:
        return decision.response()            # 429 problem+json with Retry-After
    if await verify(user, password):          # a dummy verify when user is None
        await limiter.record_success(decision)
        ...
    else:
        await limiter.record_failure(decision)

The budgets belong to the account the lookup resolved (``user_id``), not to the typed spelling: a
database whose collation ignores case and accents resolves ``àlice`` and ``ÀLÏCÉ`` to alice, and
each spelling must not bring a fresh budget. Each attempt is also charged to the spelling's own
budget (see :mod:`sentinel.ratelimit.keying`), which is all a name that resolves to no one has, so
made-up names are limited too and the limiter answers the same whether the account exists or not.

``check`` charges the attempt before the password is verified (atomically with the check), so a
burst of parallel requests cannot all slip under the limit; ``record_success`` refunds that charge,
resets the (account, client) pair and remembers the client's IP bucket as a known source of the
account. An attempt whose outcome is never recorded stays counted as a failure.

When the shared store fails, ``check`` answers from a bounded in-process store instead (never
unlimited, never slow): see :mod:`sentinel.ratelimit.fallback`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address
from typing import Any

from sentinel.errors import ConfigurationError, StoreError
from sentinel.events import security_event
from sentinel.keys import Secret
from sentinel.ratelimit.addresses import (
    DEFAULT_IPV4_PREFIX,
    DEFAULT_IPV6_PREFIX,
    parse_ip,
    prefix_problems,
)
from sentinel.ratelimit.algorithm import Verdict
from sentinel.ratelimit.decision import LIMIT_NAMES, Decision, Ticket
from sentinel.ratelimit.errors import AttemptStateError
from sentinel.ratelimit.fallback import Backends
from sentinel.ratelimit.keying import Keyer
from sentinel.ratelimit.memory import MemoryLimiterStore
from sentinel.ratelimit.policy import DEFAULT_AUTH_POLICY, AuthPolicy
from sentinel.ratelimit.proxies import NO_PROXIES, TrustedProxies
from sentinel.ratelimit.store import AttemptKeys, LimiterStore
from sentinel.types import Scope


def _blocked_names(mask: int) -> frozenset[str]:
    return frozenset(name for bit, name in enumerate(LIMIT_NAMES) if mask & (1 << bit))


class AuthLimiter:
    """Limits authentication attempts per account, per client IP bucket, and per pair.

    ``store`` defaults to a bounded :class:`MemoryLimiterStore` (one process). With a shared store
    (:class:`RedisLimiterStore`), pass ``key=``, the same secret on every process (32+ bytes, e.g.
    from ``sentinel.keys_from_env()``): keys are HMACs, and they must agree between processes.
    ``proxies`` says whose forwarding headers to believe (nobody's by default).
    """

    def __init__(
        self,
        *,
        store: LimiterStore | None = None,
        policy: AuthPolicy = DEFAULT_AUTH_POLICY,
        key: Secret | str | bytes | None = None,
        proxies: TrustedProxies = NO_PROXIES,
        fallback: MemoryLimiterStore | None = None,
        ipv4_prefix: int = DEFAULT_IPV4_PREFIX,
        ipv6_prefix: int = DEFAULT_IPV6_PREFIX,
        clock: Callable[[], float] = time.time,
    ) -> None:
        store = store if store is not None else MemoryLimiterStore()
        problems = prefix_problems(ipv4_prefix, ipv6_prefix)
        if not isinstance(policy, AuthPolicy):
            problems.append("policy must be an AuthPolicy (e.g. DEFAULT_AUTH_POLICY)")
        if not isinstance(proxies, TrustedProxies):
            problems.append("proxies must be a TrustedProxies")
        if key is None and store.shared:
            problems.append(
                f"a shared {store.name} store needs key=: the same 32+ byte secret on every process "
                "(keys are HMACs and must agree), e.g. key=sentinel.keys_from_env()[0]"
            )
        if problems:
            raise ConfigurationError(problems)
        self.policy = policy
        self.proxies = proxies
        self._compiled = policy.compiled()
        self._keyer = Keyer(key, ipv4_prefix=ipv4_prefix, ipv6_prefix=ipv6_prefix)
        self._backends = Backends(store, fallback, what="auth")
        self._clock = clock

    @property
    def store(self) -> LimiterStore:
        return self._backends.primary

    @property
    def fallback(self) -> LimiterStore:
        return self._backends.fallback

    def client_bucket(self, *, scope: Scope | None = None, client_ip: object = None) -> str:
        """The IP bucket a request is counted in (from ``scope``, or an address the app resolved)."""
        if (scope is None) == (client_ip is None):
            raise TypeError("give exactly one of client_ip= or scope=")
        if scope is not None:
            return self._keyer.bucket(self.proxies.client_address(scope))
        if isinstance(client_ip, IPv4Address | IPv6Address):
            return self._keyer.bucket(client_ip)
        return self._keyer.bucket(parse_ip(client_ip) if isinstance(client_ip, str) else None)

    def _now(self) -> int:
        return int(self._clock() * 1000)

    async def check(
        self,
        *,
        account: str,
        client_ip: str | IPv4Address | IPv6Address | None = None,
        scope: Scope | None = None,
        user_id: str | None = None,
    ) -> Decision:
        """Check, and if allowed charge, one attempt on ``account`` from a client.

        Give the client as ``scope=`` (resolved through :attr:`proxies`) or as ``client_ip=``. An
        address that does not parse is counted in the shared ``unknown`` bucket, never skipped.
        ``user_id`` is the ID of the account the login's user lookup resolved ``account`` to (``None``
        when it resolved to no one, or when the app does no lookup): the pair and account budgets
        are then that account's, whatever the spelling. The spelling's own budget is charged too.
        """
        bucket = self.client_bucket(scope=scope, client_ip=client_ip)
        # Known or not, four counters in one code path: the limiter's work says nothing either.
        account_key = self._keyer.nobody(account) if user_id is None else self._keyer.user(user_id)
        ip_key = self._keyer.ip(bucket)
        keys = AttemptKeys(
            pair=self._keyer.pair(account_key, ip_key),
            account=account_key,
            ip=ip_key,
            spelling=self._keyer.account(account),
        )
        now = self._now()
        verdict, store = await self._backends.run(lambda s: s.attempt(keys, self._compiled, now))
        backend = self._backends.label(store)
        if not verdict.allowed:
            return self._refused(verdict, backend, account, scope)
        ticket = Ticket(
            owner=self, store=store, keys=keys, charge=verdict.charge, log_id=self._keyer.log_id(account)
        )
        return Decision(
            allowed=True,
            retry_after=0.0,
            known_source=verdict.known,
            backend=backend,
            lockout_if_failed=self._lockout_if_failed(verdict),
            ticket=ticket,
        )

    async def enforce(
        self,
        *,
        account: str,
        client_ip: str | IPv4Address | IPv6Address | None = None,
        scope: Scope | None = None,
        user_id: str | None = None,
    ) -> Decision:
        """:meth:`check`, raising :class:`~sentinel.ratelimit.RateLimited` on refusal."""
        decision = await self.check(account=account, client_ip=client_ip, scope=scope, user_id=user_id)
        decision.raise_for_refusal()
        return decision

    @staticmethod
    def _lockout_if_failed(verdict: Verdict) -> float:
        c = verdict.charge
        ends = [c.pair_new, c.ip_new] + ([] if verdict.known else [c.account_new, c.spelling_new])
        return max(0, max(ends) - verdict.now) / 1000

    def _refused(self, verdict: Verdict, backend: str, account: str, scope: Scope | None) -> Decision:
        decision = Decision(
            allowed=False,
            retry_after=verdict.wait / 1000,
            blocked_by=_blocked_names(verdict.blocked),
            known_source=verdict.known,
            backend=backend,
        )
        security_event(
            "ratelimit.refused",
            outcome="refused",
            scope=scope,
            account=self._keyer.log_id(account),
            blocked_by=sorted(decision.blocked_by),
            retry_after_s=decision.retry_after_seconds,
        )
        return decision

    def _spend(self, decision: Decision) -> Ticket:
        ticket = decision.ticket
        if not decision.allowed or ticket is None:
            raise AttemptStateError("this attempt was refused: answer 429, do not verify the password")
        if ticket.owner is not self:
            raise AttemptStateError("this decision came from a different AuthLimiter")
        if ticket.spent:
            raise AttemptStateError("this attempt's outcome was already recorded")
        ticket.spent = True
        return ticket

    async def record_failure(self, decision: Decision, *, scope: Scope | None = None) -> float:
        """The password was wrong. The charge stands; returns seconds until this client may retry."""
        ticket = self._spend(decision)
        if decision.lockout_if_failed > 0:
            security_event(
                "ratelimit.lockout",
                outcome="locked",
                scope=scope,
                account=ticket.log_id,
                lockout_s=decision.lockout_if_failed,
            )
        return decision.lockout_if_failed

    async def record_success(self, decision: Decision) -> None:
        """The password was right: refund this attempt, reset the pair, remember the source.

        Never raises for a store failure (the login must not fail because bookkeeping did): the
        charge then simply stays counted, which only errs on the strict side.
        """
        ticket = self._spend(decision)
        try:
            await ticket.store.succeed(ticket.keys, ticket.charge, self._compiled, self._now())
        except StoreError as exc:
            security_event(
                "ratelimit.refund_lost",
                outcome="attempt stays counted",
                level=logging.WARNING,
                account=ticket.log_id,
                store=ticket.store.name,
                error=type(exc).__name__,
            )

    async def health(self) -> dict[str, Any]:
        """Store state, breaker state and whether the limiter runs on its fallback."""
        report: dict[str, Any] = {"store": await self.store.health(), "degraded": self._backends.degraded}
        if self.fallback is not self.store:
            report["fallback"] = await self.fallback.health()
        return report

    async def aclose(self) -> None:
        await self.store.aclose()
        if self.fallback is not self.store:
            await self.fallback.aclose()


__all__ = ["AuthLimiter"]
