"""One worker process of the exactness test: M concurrent checks against the shared Redis.

Run as ``python -m tests.ratelimit._attempt_worker URL PREFIX MODE WORKER M START_AT``; prints how many
of its checks were allowed. Every worker waits for the same wall-clock ``START_AT`` so the
processes really do race each other.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import time

from sentinel import RedisTimeouts
from sentinel.ratelimit import DEFAULT_AUTH_POLICY, AuthLimiter, AuthPolicy, RedisLimiterStore
from tests.ratelimit.conftest import KEY


def target(mode: str, worker: int, index: int) -> tuple[str, str, str | None]:
    """(account, client IP, resolved user ID) of one attempt: the same pair, one account from many
    IPs, one account under many spellings from many IPs, or one IP against many accounts."""
    if mode == "pair":
        return "alice", "203.0.113.66", None
    if mode == "account":
        return "alice", f"10.{worker}.{index}.1", None
    if mode == "user":
        return f"spelling-{worker}-{index}", f"10.{worker}.{index}.1", "user-1"
    return f"user-{worker}-{index}", "203.0.113.66", None


async def main(url: str, prefix: str, mode: str, worker: int, count: int, start_at: float) -> int:
    # The cluster test raises the deadline (SENTINEL_TEST_DEADLINE): a timed-out check would fall back
    # to the in-process store, and the count would then measure the fallback, not the Redis path.
    deadline = float(os.environ.get("SENTINEL_TEST_DEADLINE", "0"))
    timeouts = (
        RedisTimeouts(connect=deadline, socket=deadline, pool_wait=deadline, operation=deadline)
        if deadline
        else None
    )
    store = RedisLimiterStore(url, prefix=prefix, timeouts=timeouts)
    policy = DEFAULT_AUTH_POLICY
    if os.environ.get("SENTINEL_TEST_LONG_LOCKOUT"):
        # Same budgets, first lockouts of 60 s: on a starved machine a worker scheduled more than the
        # default 1 s later would meet an expired lockout and (rightly) be let through once more.
        longer = {
            name: dataclasses.replace(limit, first_lockout=60.0, max_lockout=max(60.0, limit.max_lockout))
            for name in ("pair", "account", "ip")
            for limit in [getattr(policy, name)]
        }
        policy = AuthPolicy(**longer)
    limiter = AuthLimiter(store=store, key=KEY, policy=policy)
    try:
        await store.health()
        if await store.ping() is not None:  # connected (and, on a cluster, the slot map learnt)
            raise SystemExit("Redis did not answer PING")
        if time.time() > start_at:  # a late worker would race a lockout that has already expired
            raise SystemExit("worker ready after START_AT: raise the start margin")
        await asyncio.sleep(max(0.0, start_at - time.time()))
        targets = [target(mode, worker, i) for i in range(count)]
        decisions = await asyncio.gather(
            *(limiter.check(account=a, client_ip=ip, user_id=u) for a, ip, u in targets)
        )
        if any(d.backend != "redis" for d in decisions):
            raise SystemExit("a check did not reach Redis")
        return sum(d.allowed for d in decisions)
    finally:
        await limiter.aclose()


if __name__ == "__main__":
    url, prefix, mode, worker, count, start_at = sys.argv[1:7]
    print(asyncio.run(main(url, prefix, mode, int(worker), int(count), float(start_at))))
