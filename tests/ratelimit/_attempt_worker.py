"""One worker process of the exactness test: M concurrent checks against the shared Redis.

Run as ``python -m tests.ratelimit._attempt_worker URL PREFIX MODE WORKER M START_AT``; prints how many
of its checks were allowed. Every worker waits for the same wall-clock ``START_AT`` so the
processes really do race each other.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time

from sentinel import RedisTimeouts
from sentinel.ratelimit import DEFAULT_AUTH_POLICY, AuthLimiter, Limit, RedisLimiterStore
from tests.ratelimit.conftest import KEY

HOUR = 3600.0


def _slow(limit: Limit) -> Limit:
    """The same budget, but nothing forgiven and no lockout ending within the test: on a loaded
    machine a worker may start seconds after the others, and a 1 s lockout ending then would grant
    one legitimate extra attempt that is not the race this test looks for."""
    return dataclasses.replace(limit, forgive_every=HOUR, first_lockout=HOUR, max_lockout=HOUR)


POLICY = dataclasses.replace(
    DEFAULT_AUTH_POLICY,
    pair=_slow(DEFAULT_AUTH_POLICY.pair),
    account=_slow(DEFAULT_AUTH_POLICY.account),
    ip=_slow(DEFAULT_AUTH_POLICY.ip),
)


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
    # Generous deadlines: this test is about the scripts' atomicity, not Redis's latency, and a loaded
    # 2-core machine can take longer than the production deadlines (the fallback would then count).
    # The same holds on the cluster (tests/scale), which runs this worker too.
    timeouts = RedisTimeouts(connect=5, socket=5, pool_wait=5, operation=10)
    store = RedisLimiterStore(url, prefix=prefix, timeouts=timeouts)
    limiter = AuthLimiter(store=store, key=KEY, policy=POLICY)
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
