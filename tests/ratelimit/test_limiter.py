"""The AuthLimiter API: how outcomes are recorded, what is logged, and the fallback."""

from __future__ import annotations

import logging
from ipaddress import IPv6Address

import pytest

from sentinel.errors import ConfigurationError
from sentinel.ratelimit import (
    PAIR_DEFAULT,
    AttemptStateError,
    AuthLimiter,
    Decision,
    MemoryLimiterStore,
    RateLimited,
    RedisLimiterStore,
    TrustedProxies,
)
from tests.ratelimit.conftest import KEY, Clock
from tests.support.redis_server import PrivateRedis
from tests.support.servers import free_port


@pytest.fixture
def limiter(clock: Clock) -> AuthLimiter:
    return AuthLimiter(key=KEY, clock=clock)


async def test_an_outcome_is_recorded_once_and_only_for_allowed_attempts(limiter: AuthLimiter) -> None:
    decision = await limiter.check(account="alice", client_ip="192.0.2.1")
    await limiter.record_failure(decision)
    with pytest.raises(AttemptStateError, match="already recorded"):
        await limiter.record_success(decision)  # would refund a failure: refused
    other = AuthLimiter(key=KEY)
    with pytest.raises(AttemptStateError, match="different AuthLimiter"):
        await other.record_success(await limiter.check(account="alice", client_ip="192.0.2.1"))
    for _ in range(PAIR_DEFAULT.free):
        await limiter.check(account="bob", client_ip="192.0.2.1")
    refused = await limiter.check(account="bob", client_ip="192.0.2.1")
    with pytest.raises(AttemptStateError, match="refused"):
        await limiter.record_success(refused)


async def test_enforce_raises_with_the_problem(limiter: AuthLimiter) -> None:
    for _ in range(PAIR_DEFAULT.free):
        await limiter.enforce(account="alice", client_ip="192.0.2.1")
    with pytest.raises(RateLimited) as caught:
        await limiter.enforce(account="alice", client_ip="192.0.2.1")
    assert caught.value.retry_after == 1
    assert caught.value.problem().status == 429
    assert caught.value.decision.blocked_by == {"pair"}


async def test_record_failure_says_how_long_to_wait(limiter: AuthLimiter) -> None:
    waits = []
    for _ in range(PAIR_DEFAULT.free):
        decision = await limiter.check(account="alice", client_ip="192.0.2.1")
        waits.append(await limiter.record_failure(decision))
    assert waits == [0] * (PAIR_DEFAULT.free - 1) + [PAIR_DEFAULT.first_lockout]


def test_decision_helpers() -> None:
    allowed = Decision(allowed=True, retry_after=0)
    assert allowed.retry_after_seconds == 0
    allowed.raise_for_refusal()
    with pytest.raises(ValueError, match="allowed"):
        allowed.problem()
    refused = Decision(allowed=False, retry_after=0.2)
    assert refused.retry_after_seconds == 1  # Retry-After is whole seconds, never 0
    assert Decision(allowed=False, retry_after=1.001).retry_after_seconds == 2
    response = refused.response()
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"


async def test_events_carry_a_hashed_account_and_no_name(
    limiter: AuthLimiter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sentinel.security")
    for _ in range(PAIR_DEFAULT.free + 1):
        decision = await limiter.check(account="alice@example.com", client_ip="192.0.2.1")
        if decision.allowed:
            await limiter.record_failure(decision)
    events = {r.getMessage(): r for r in caplog.records}
    assert set(events) == {"ratelimit.lockout locked", "ratelimit.refused refused"}
    refused = events["ratelimit.refused refused"].sentinel  # type: ignore[attr-defined]
    assert refused["blocked_by"] == ["pair"] and refused["retry_after_s"] == 1
    assert len(refused["account"]) == 16
    assert events["ratelimit.refused refused"].levelno == logging.WARNING
    assert all("alice" not in repr(r.__dict__) for r in caplog.records)


async def test_client_can_be_given_as_address_object_or_scope(limiter: AuthLimiter) -> None:
    assert limiter.client_bucket(client_ip=IPv6Address("2001:db8::1")) == "2001:db8::/64"
    assert limiter.client_bucket(scope={"client": ("2001:db8::1", 1), "headers": []}) == "2001:db8::/64"
    assert limiter.client_bucket(client_ip=12345) == "unknown"
    with pytest.raises(TypeError):
        limiter.client_bucket()
    with pytest.raises(TypeError):
        limiter.client_bucket(client_ip="192.0.2.1", scope={})


async def test_a_dead_shared_store_falls_back_and_still_limits(clock: Clock) -> None:
    store = RedisLimiterStore(f"redis://127.0.0.1:{free_port()}/0")
    limiter = AuthLimiter(store=store, key=KEY, clock=clock)
    try:
        results = []
        for _ in range(PAIR_DEFAULT.free + 2):
            decision = await limiter.check(account="alice", client_ip="192.0.2.1")
            results.append((decision.allowed, decision.backend))
            if decision.allowed:
                await limiter.record_failure(decision)
        assert (
            results == [(True, "memory (fallback)")] * PAIR_DEFAULT.free + [(False, "memory (fallback)")] * 2
        )
        success = await limiter.check(account="bob", client_ip="192.0.2.2")
        await limiter.record_success(success)  # recorded on the store that charged it
        assert (await limiter.check(account="bob", client_ip="192.0.2.2")).known_source
        health = await limiter.health()
        assert health["degraded"] is True and health["store"]["breaker"] == "open"
        assert health["fallback"]["backend"] == "memory"
    finally:
        await limiter.aclose()


@pytest.mark.redis
async def test_a_lost_refund_never_fails_the_login(
    own_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = AuthLimiter(store=RedisLimiterStore(own_redis.url), key=KEY)
    try:
        decision = await limiter.check(account="alice", client_ip="192.0.2.1")
        assert decision.backend == "redis"
        own_redis.kill()
        await limiter.record_success(decision)  # no exception: the login goes on
    finally:
        await limiter.aclose()
    assert any(r.getMessage().startswith("ratelimit.refund_lost") for r in caplog.records)


def test_configuration_is_validated_in_one_go() -> None:
    with pytest.raises(ConfigurationError) as caught:
        AuthLimiter(
            store=RedisLimiterStore("redis://127.0.0.1:1/0"),
            policy="strict",  # type: ignore[arg-type]
            proxies=["10.0.0.0/8"],  # type: ignore[arg-type]
            ipv4_prefix=40,
            ipv6_prefix=16,
        )
    assert len(caught.value.problems) == 5


def test_fallback_must_be_in_process() -> None:
    with pytest.raises(ValueError, match="in-process"):
        AuthLimiter(
            store=MemoryLimiterStore(),
            fallback=RedisLimiterStore("redis://127.0.0.1:1/0"),  # type: ignore[arg-type]
        )


def test_proxies_are_used_for_scopes(clock: Clock) -> None:
    limiter = AuthLimiter(key=KEY, clock=clock, proxies=TrustedProxies(["10.0.0.0/8"]))
    scope = {"client": ("10.0.0.2", 1), "headers": [(b"x-forwarded-for", b"203.0.113.9")]}
    assert limiter.client_bucket(scope=scope) == "203.0.113.9/32"
