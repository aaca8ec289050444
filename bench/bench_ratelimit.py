"""Login limiter checks per second: Sentinel's AuthLimiter against the ``limits`` package.

``limits`` is what slowapi runs on. Both are driven through their asyncio APIs (``limits.aio`` with
redis-py underneath, like ours), one awaited call after another, from one process. One Sentinel
check decides three limits at once (account, client IP, pair) in one atomic step, four when the
login's lookup resolved the account (its user ID's budget plus the typed spelling's): for ``limits`` the
same decision takes three ``hit`` calls (three round trips on Redis, and not atomic together), so
both the one-key and the three-key figures are shown. Keys rotate so nearly every check is allowed
(the costlier path); the in-process store also holds every counter the run creates.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sentinel.ratelimit import AuthLimiter, MemoryLimiterStore, RedisLimiterStore

KEY = "bench-only-key-" + "x" * 40
REDIS_URL = os.environ.get("SENTINEL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
MEMORY_CHECKS = 4000
REDIS_CHECKS = 1500
ROUNDS = 3
PEER_LIMIT = "100/minute"

Check = Callable[[int], Awaitable[object]]


def target(i: int) -> tuple[str, str]:
    """(account, client IP) of check ``i``: 5000 accounts, a new IP every check."""
    return f"user{i % 5000}", f"10.{(i // 250) % 250}.{i % 250}.{1 + (i // 62500) % 250}"


async def rate(check: Check, count: int) -> float:
    """Median over rounds of checks per second."""
    results = []
    offset = 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for i in range(offset, offset + count):
            await check(i)
        results.append(count / (time.perf_counter() - started))
        offset += count
    return statistics.median(results)


def sentinel_check(limiter: AuthLimiter, *, resolved: bool = False) -> Check:
    """``resolved``: the login's lookup found the account, so its user ID keys the budgets and the
    spelling budget is a fourth counter (what ``Authenticator`` does for existing users)."""

    async def check(i: int) -> object:
        account, ip = target(i)
        user_id = f"id-{account}" if resolved else None
        return await limiter.check(account=account, client_ip=ip, user_id=user_id)

    return check


def peer_check(strategy: Any, scopes: int) -> Check:
    from limits import parse

    item = parse(PEER_LIMIT)

    async def check(i: int) -> object:
        account, ip = target(i)
        keys = [(account, ip), (account,), (ip,)][:scopes]
        return [await strategy.hit(item, "auth", *key) for key in keys]

    return check


async def redis_up() -> bool:
    store = RedisLimiterStore(REDIS_URL, prefix="sentinel-bench:")
    try:
        await store.throttle("ping", 1, 1000, 0)
        return True
    except Exception:
        return False
    finally:
        await store.aclose()


async def clear(prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
    for start in range(0, len(keys), 500):
        await client.delete(*keys[start : start + 500])
    await client.aclose()


async def backend_rows(backend: str) -> list[tuple[str, float]]:
    from limits.aio import storage, strategies

    prefix = f"sentinel-bench-{uuid.uuid4().hex[:8]}"
    if backend == "memory":

        def make_ours(tag: str) -> AuthLimiter:
            return AuthLimiter(store=MemoryLimiterStore(max_entries=1_000_000), key=KEY)

        count = MEMORY_CHECKS

        def make_storage(tag: str) -> Any:
            return storage.MemoryStorage()
    else:

        def make_ours(tag: str) -> AuthLimiter:
            return AuthLimiter(store=RedisLimiterStore(REDIS_URL, prefix=f"{prefix}:{tag}:"), key=KEY)

        count = REDIS_CHECKS

        def make_storage(tag: str) -> Any:
            return storage.RedisStorage(
                "async+" + REDIS_URL, implementation="redispy", key_prefix=f"{prefix}-{tag}"
            )

    rows = []
    for label, resolved in (("3 limits", False), ("user_id=, 4 limits", True)):
        ours = make_ours(label.split()[0])
        name = f"Sentinel AuthLimiter.check ({label}, 1 step)"
        rows.append((name, await rate(sentinel_check(ours, resolved=resolved), count)))
        await ours.aclose()
    for label, strategy_class in (
        ("fixed window", strategies.FixedWindowRateLimiter),
        ("moving window", strategies.MovingWindowRateLimiter),
    ):
        for scopes in (1, 3):
            peer_storage = make_storage(f"{label.split()[0]}{scopes}")
            strategy = strategy_class(peer_storage)
            name = f"limits {label}, {scopes} key{'s' if scopes > 1 else ''}"
            rows.append((name, await rate(peer_check(strategy, scopes), count)))
    if backend == "redis":
        await clear(prefix)
    return rows


async def measure() -> str:
    import limits

    backends = ["memory"] + (["redis"] if await redis_up() else [])
    lines = [
        "## Rate limiting: login limiter checks per second",
        "",
        f"One awaited check after another, {MEMORY_CHECKS} (memory) / {REDIS_CHECKS} (Redis) checks x "
        f"{ROUNDS} rounds, median of rounds. Peer: `limits` {limits.__version__} (asyncio API, "
        f"`{PEER_LIMIT}` per key). Ratio = checks per second relative to Sentinel on the same backend "
        "(above 1 means faster than Sentinel).",
        "",
        "| backend | limiter | checks/s | ratio |",
        "|---|---|---:|---:|",
    ]
    for backend in backends:
        rows = await backend_rows(backend)
        ours = rows[0][1]
        for name, per_second in rows:
            lines.append(f"| {backend} | {name} | {per_second:,.0f} | {per_second / ours:.2f}x |")
    if "redis" not in backends:
        lines.append(f"\nRedis rows skipped: no Redis at {REDIS_URL}.")
    lines += [
        "",
        "Reading it: a login needs the three-limit decision, so the like-for-like comparison is "
        "Sentinel against the 3-key `limits` rows; on Redis that is one round trip against three. "
        "Sentinel also charges the attempt atomically with the check, so parallel requests cannot "
        "over-run a budget; three separate `hit` calls cannot give that across keys.",
    ]
    return "\n".join(lines)


def run() -> str:
    return asyncio.run(measure())


if __name__ == "__main__":
    print(run())
