"""One behavioural contract for every limiter store, re-run per backend by subclassing.

Each test drives a real :class:`AuthLimiter` over the store under test with a hand-moved clock, so
the in-process store and the Redis Lua scripts are held to the same arithmetic.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from sentinel.ratelimit import (
    ACCOUNT_DEFAULT,
    DEFAULT_AUTH_POLICY,
    IP_DEFAULT,
    PAIR_DEFAULT,
    AuthLimiter,
    LimiterStore,
    MemoryLimiterStore,
    RedisLimiterStore,
)
from tests.ratelimit.conftest import KEY, Clock, hammer, most_in_window

ALICE = "alice"
HOME = "198.51.100.10"  # where alice usually logs in from
ATTACKER = "203.0.113.66"


def attacker_ips(count: int) -> list[str]:
    return [f"10.{i // 250}.{i % 250}.1" for i in range(count)]


class TestMemoryLimiterStore:
    """The contract, run against :class:`MemoryLimiterStore`; subclasses swap the store."""

    @pytest.fixture
    async def store(self) -> AsyncIterator[LimiterStore]:
        yield MemoryLimiterStore()

    @pytest.fixture
    def limiter(self, store: LimiterStore, clock: Clock) -> AuthLimiter:
        return AuthLimiter(store=store, key=KEY, clock=clock)

    async def fail(self, limiter: AuthLimiter, *, account: str = ALICE, ip: str = ATTACKER) -> bool:
        decision = await limiter.check(account=account, client_ip=ip)
        if decision.allowed:
            await limiter.record_failure(decision)
        return decision.allowed

    async def test_pair_allows_its_free_budget_then_locks(self, limiter: AuthLimiter) -> None:
        results = [await self.fail(limiter) for _ in range(PAIR_DEFAULT.free + 3)]
        assert results == [True] * PAIR_DEFAULT.free + [False] * 3
        refused = await limiter.check(account=ALICE, client_ip=ATTACKER)
        assert refused.blocked_by == {"pair"}
        assert refused.retry_after == PAIR_DEFAULT.first_lockout

    async def test_backoff_doubles_then_expires(self, limiter: AuthLimiter, clock: Clock) -> None:
        for _ in range(PAIR_DEFAULT.free - 1):
            assert await self.fail(limiter)
        lockouts = []
        for _ in range(8):
            decision = await limiter.check(account=ALICE, client_ip=ATTACKER)
            assert decision.allowed
            lockouts.append(await limiter.record_failure(decision))
            clock.advance(lockouts[-1] - 0.001)
            early = await limiter.check(account=ALICE, client_ip=ATTACKER)
            assert not early.allowed and early.retry_after == pytest.approx(0.001)
            clock.advance(0.001)
        assert lockouts == [1, 2, 4, 8, 16, 32, 64, 128]

    async def test_lockout_is_capped_and_never_permanent(self, limiter: AuthLimiter, clock: Clock) -> None:
        failures = await hammer(limiter, clock, account=ALICE, ips=[ATTACKER], duration=6 * 3600)
        refused = await limiter.check(account=ALICE, client_ip=ATTACKER)
        assert refused.retry_after <= PAIR_DEFAULT.max_lockout
        # Idle long enough for every failure to be forgiven: the whole budget is back.
        clock.advance(refused.retry_after + PAIR_DEFAULT.max_level * PAIR_DEFAULT.forgive_every)
        assert [await self.fail(limiter) for _ in range(PAIR_DEFAULT.free)] == [True] * PAIR_DEFAULT.free
        assert len(failures) > PAIR_DEFAULT.free  # the backoff let him retry, slowly

    async def test_success_resets_the_pair(self, limiter: AuthLimiter) -> None:
        for _ in range(PAIR_DEFAULT.free - 1):
            assert await self.fail(limiter, ip=HOME)
        decision = await limiter.check(account=ALICE, client_ip=HOME)
        assert decision.lockout_if_failed > 0  # this one would have locked the pair...
        await limiter.record_success(decision)  # ...but it succeeded
        lockouts = []
        for _ in range(PAIR_DEFAULT.free):
            again = await limiter.check(account=ALICE, client_ip=HOME)
            assert again.allowed
            lockouts.append(await limiter.record_failure(again))
        assert lockouts == [0] * (PAIR_DEFAULT.free - 1) + [PAIR_DEFAULT.first_lockout]

    async def test_success_makes_a_known_source(self, limiter: AuthLimiter) -> None:
        first = await limiter.check(account=ALICE, client_ip=HOME)
        assert not first.known_source
        await limiter.record_success(first)
        second = await limiter.check(account=ALICE, client_ip="198.51.100.10:443")
        assert second.known_source
        other = await limiter.check(account="bob", client_ip=HOME)
        assert not other.known_source  # known for alice only

    async def test_one_attacker_ip_never_locks_alice_out(self, limiter: AuthLimiter, clock: Clock) -> None:
        """Lockout abuse from one IP: his pair backs off; the account limit never starts."""
        failures: list[float] = []
        for hotel in range(18):  # three hours, alice logging in from a new place every 10 min
            failures += await hammer(limiter, clock, account=ALICE, ips=[ATTACKER], duration=600)
            visit = await limiter.check(account=ALICE, client_ip=f"192.0.2.{hotel + 1}")
            assert visit.allowed and not visit.known_source
            await limiter.record_success(visit)
        assert most_in_window(failures, 3600) <= PAIR_DEFAULT.worst_case_failures(3600)

    async def test_a_thousand_ips_cannot_lock_alice_out_of_home(
        self, limiter: AuthLimiter, clock: Clock
    ) -> None:
        """Lockout abuse from 1000 IPs: bounded guesses; alice still gets in from home at once,
        and from a new place within one account lockout (at most 60 s)."""
        usual = await limiter.check(account=ALICE, client_ip=HOME)
        await limiter.record_success(usual)
        failures = await hammer(limiter, clock, account=ALICE, ips=attacker_ips(1000), duration=3600)
        in_an_hour = most_in_window(failures, 3600)
        assert ACCOUNT_DEFAULT.free < in_an_hour <= ACCOUNT_DEFAULT.worst_case_failures(3600)
        home = await limiter.check(account=ALICE, client_ip=HOME)
        assert home.allowed and home.known_source
        await limiter.record_success(home)
        travelling = await limiter.check(account=ALICE, client_ip="192.0.2.77")
        assert not travelling.allowed
        assert travelling.blocked_by == {"account"}
        assert travelling.retry_after <= ACCOUNT_DEFAULT.max_lockout
        clock.advance(travelling.retry_after)
        assert (await limiter.check(account=ALICE, client_ip="192.0.2.77")).allowed

    async def test_hard_ceiling_holds_for_every_source(self, limiter: AuthLimiter, clock: Clock) -> None:
        """ASVS V2.2.1: at most 100 failures an hour on one account, known sources included."""
        known = [f"198.51.100.{i}" for i in range(1, 11)]
        for ip in known:
            await limiter.record_success(await limiter.check(account=ALICE, client_ip=ip))
        strangers = iter(attacker_ips(5000))
        failures: list[float] = []
        ceiling_hit = False
        end = clock.now + 2 * 3600
        while clock.now < end:
            waits = []
            for ip in [*known, next(strangers)]:
                decision = await limiter.check(account=ALICE, client_ip=ip)
                if decision.allowed:
                    failures.append(clock.now)
                    await limiter.record_failure(decision)
                else:
                    waits.append(decision.retry_after)
                    ceiling_hit |= "account-ceiling" in decision.blocked_by
            if len(waits) == len(known) + 1:
                clock.advance(min(waits))
        assert ceiling_hit
        assert most_in_window(failures, 3600) <= DEFAULT_AUTH_POLICY.account_ceiling_per_hour

    async def test_spraying_is_limited_per_ip(self, limiter: AuthLimiter) -> None:
        allowed = [await self.fail(limiter, account=f"user{i}") for i in range(IP_DEFAULT.free + 5)]
        assert allowed == [True] * IP_DEFAULT.free + [False] * 5
        refused = await limiter.check(account="someone-else", client_ip=ATTACKER)
        assert refused.blocked_by == {"ip"}

    async def test_own_login_does_not_launder_a_spray(self, limiter: AuthLimiter) -> None:
        """Attack: spray, log in to your own account to reset the IP counter, spray on. A success
        only refunds its own charge, so the spray still stops at the IP budget."""
        for i in range(IP_DEFAULT.free - 1):
            assert await self.fail(limiter, account=f"user{i}")
        own = await limiter.check(account="mallory", client_ip=ATTACKER)
        assert own.lockout_if_failed > 0  # the IP budget's last slot
        await limiter.record_success(own)
        assert await self.fail(limiter, account="victim-1")  # the refunded slot, at once
        refused = await limiter.check(account="victim-2", client_ip=ATTACKER)
        assert not refused.allowed and refused.blocked_by == {"ip"}

    async def test_ipv6_addresses_of_one_64_are_one_client(self, limiter: AuthLimiter) -> None:
        rotating = [f"2001:db8:1:2:{i:x}::{i + 1:x}" for i in range(PAIR_DEFAULT.free + 2)]
        allowed = [await self.fail(limiter, ip=ip) for ip in rotating]
        assert allowed == [True] * PAIR_DEFAULT.free + [False, False]
        assert await self.fail(limiter, ip="2001:db8:1:3::1")  # the next /64 is someone else

    async def test_ipv4_mapped_ipv6_is_the_ipv4_client(self, limiter: AuthLimiter) -> None:
        for _ in range(PAIR_DEFAULT.free):
            assert await self.fail(limiter, ip="::ffff:203.0.113.66")
        assert not await self.fail(limiter, ip="203.0.113.66")
        assert await self.fail(limiter, ip="::ffff:203.0.113.67")  # not one bucket for all IPv4

    async def test_account_spellings_share_one_budget(self, limiter: AuthLimiter) -> None:
        spellings = ["alice", "Alice", " ALICE ", "\uff21\uff2c\uff29\uff23\uff25", "alice\u3000"]
        assert [await self.fail(limiter, account=name) for name in spellings] == [True] * 5
        assert not await self.fail(limiter, account="aLiCe")

    # -- one account, one budget (issue #12): the budget follows the user ID the lookup resolved --
    async def resolved(self, limiter: AuthLimiter, account: str, ip: str, user_id: str | None) -> bool:
        decision = await limiter.check(account=account, client_ip=ip, user_id=user_id)
        if decision.allowed:
            await limiter.record_failure(decision)
        return decision.allowed

    async def test_every_spelling_of_a_resolved_account_shares_its_pair(self, limiter: AuthLimiter) -> None:
        # Spellings the fold does not merge ("alisse", "a1ice") but a database collation might.
        spellings = ["alice", "\u00e0lice", "alisse", "a1ice", "\u00c0L\u00cfC\u00c9"]
        assert [await self.resolved(limiter, name, ATTACKER, "user-1") for name in spellings] == [True] * 5
        assert not await self.resolved(limiter, "yet-another-spelling", ATTACKER, "user-1")
        assert await self.resolved(limiter, "alice", ATTACKER, "user-2")  # another account: its own pair

    async def test_every_spelling_of_a_resolved_account_shares_its_account_budget(
        self, limiter: AuthLimiter
    ) -> None:
        ips = attacker_ips(ACCOUNT_DEFAULT.free + 1)
        spellings = [f"spelling-{i}" for i in range(len(ips))]
        results = [
            await self.resolved(limiter, n, ip, "user-1") for n, ip in zip(spellings, ips, strict=True)
        ]
        assert results == [True] * ACCOUNT_DEFAULT.free + [False]
        refused = await limiter.check(account="spelling-new", client_ip=HOME, user_id="user-1")
        assert not refused.allowed and "account" in refused.blocked_by

    async def test_unknown_spellings_share_one_spelling_budget(self, limiter: AuthLimiter) -> None:
        spellings = ["alice", "\u00e0lice", "\u00e1lice", "al\u00efc\u00e9", "ali\u200bce"]
        assert [await self.resolved(limiter, name, ATTACKER, None) for name in spellings] == [True] * 5
        assert not await self.resolved(limiter, "\u00c0L\u00cfC\u00c9", ATTACKER, None)

    @pytest.mark.parametrize(("first", "then"), [("user-1", None), (None, "user-1"), (None, None)])
    async def test_a_locked_name_is_locked_whether_or_not_it_exists(
        self, limiter: AuthLimiter, first: str | None, then: str | None
    ) -> None:
        """The spelling budget is charged for resolved names too, so a lockout started through one
        spelling answers the same for a folded spelling whether the name exists or not: the limiter
        is no oracle for "has an account"."""
        for ip in attacker_ips(ACCOUNT_DEFAULT.free):
            assert await self.resolved(limiter, "alice", ip, first)
        refused = await limiter.check(account="\u00c0lice", client_ip=HOME, user_id=then)
        assert not refused.allowed and "account" in refused.blocked_by

    async def test_a_known_source_is_known_for_every_spelling(self, limiter: AuthLimiter) -> None:
        decision = await limiter.check(account="alice", client_ip=HOME, user_id="user-1")
        await limiter.record_success(decision)
        again = await limiter.check(account="\u00c0LICE", client_ip=HOME, user_id="user-1")
        assert again.allowed and again.known_source
        await limiter.record_success(again)  # refunds the account and the spelling charge alike
        for ip in attacker_ips(ACCOUNT_DEFAULT.free - 1):
            assert await self.resolved(limiter, "alice", ip, "user-1")
        assert await self.resolved(limiter, "alice", ATTACKER, "user-1")  # the refunds left room

    async def test_parallel_checks_grant_exactly_the_budget(self, limiter: AuthLimiter) -> None:
        same_pair = await asyncio.gather(
            *(limiter.check(account=ALICE, client_ip=ATTACKER) for _ in range(60))
        )
        assert sum(d.allowed for d in same_pair) == PAIR_DEFAULT.free
        many_ips = await asyncio.gather(
            *(limiter.check(account="bob", client_ip=ip) for ip in attacker_ips(60))
        )
        assert sum(d.allowed for d in many_ips) == ACCOUNT_DEFAULT.free

    async def test_unknown_clients_share_one_budget(self, limiter: AuthLimiter) -> None:
        scopes: list[dict[str, object]] = [
            {"type": "http", "headers": [], "client": None} for _ in range(PAIR_DEFAULT.free + 1)
        ]
        allowed = []
        for scope in scopes:
            decision = await limiter.check(account=ALICE, scope=scope)
            allowed.append(decision.allowed)
        assert allowed == [True] * PAIR_DEFAULT.free + [False]
        garbage = await limiter.check(account=ALICE, client_ip="not an address")
        assert not garbage.allowed  # an unparsable address is the same unknown client

    async def test_throttle_is_a_plain_rate(self, store: LimiterStore) -> None:
        now = 1_700_000_000_000
        results = [(await store.throttle("t1", 3, 1000, now)).allowed for _ in range(4)]
        assert results == [True, True, True, False]
        refused = await store.throttle("t1", 3, 1000, now)
        assert refused.wait == 1000
        assert (await store.throttle("t1", 3, 1000, now + 1000)).allowed
        assert not (await store.throttle("t1", 3, 1000, now + 1000)).allowed
        assert (await store.throttle("t2", 3, 1000, now)).allowed  # other keys are independent


class TestRedisLimiterStore(TestMemoryLimiterStore):
    """The same contract on Redis (the Lua scripts), with the test's clock instead of Redis TIME."""

    pytestmark = pytest.mark.redis

    @pytest.fixture
    async def store(self, redis_url: str, redis_prefix: str) -> AsyncIterator[LimiterStore]:
        store = RedisLimiterStore(redis_url, prefix=redis_prefix, server_time=False)
        yield store
        keys = [k async for k in store.redis.scan_iter(match=f"{redis_prefix}*")]
        if keys:
            await store.redis.delete(*keys)
        await store.aclose()
