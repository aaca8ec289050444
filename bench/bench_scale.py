"""One Redis node vs a 3-primary Redis Cluster: session read+write and limiter checks per second,
with 1, 2 and 4 client processes (``python -m bench scale``).

Both topologies are started here on loopback (redis-server 7, no persistence), so they are measured
in the same run on the same machine. Each client process runs ``CONCURRENCY`` coroutines for
``SECONDS``; a session op is one ``load`` + one ``update`` of a session of its own; a limiter op is
one ``AuthLimiter.check`` (allowed, a fresh account each time, so no lockout cuts it short).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import time
import uuid

from sentinel import RedisTimeouts
from sentinel.ratelimit import AuthLimiter, RedisLimiterStore
from sentinel.sessions import RedisStore
from tests.support.redis_cluster import Node, redis_cluster

SECONDS = 3.0
CONCURRENCY = 16
PROCESSES = (1, 2, 4)
#: Generous deadlines: the benchmark counts throughput, not the fallback path.
TIMEOUTS = RedisTimeouts(connect=2.0, socket=2.0, pool_wait=2.0, operation=5.0)


async def _sessions(url: str, start_at: float) -> int:
    store = RedisStore(url, prefix=f"bench:{uuid.uuid4().hex}:", timeouts=TIMEOUTS)
    keys = [uuid.uuid4().hex for _ in range(CONCURRENCY)]
    for key in keys:
        await store.create(key, "x" * 200, ttl=60, user_id="bench-user")
    await asyncio.sleep(max(0.0, start_at - time.time()))
    end = time.monotonic() + SECONDS

    async def loop(key: str) -> int:
        n = 0
        while time.monotonic() < end:
            value = await store.load(key)
            await store.update(key, value or "x", ttl=60, user_id="bench-user")
            n += 1
        return n

    done = sum(await asyncio.gather(*(loop(k) for k in keys)))
    await store.aclose()
    return done


async def _limiter(url: str, start_at: float) -> int:
    store = RedisLimiterStore(url, prefix=f"bench:{uuid.uuid4().hex}:", timeouts=TIMEOUTS)
    limiter = AuthLimiter(store=store, key="k" * 48)
    await store.ping()
    await asyncio.sleep(max(0.0, start_at - time.time()))
    end = time.monotonic() + SECONDS

    async def loop(worker: int) -> int:
        n = 0
        while time.monotonic() < end:
            decision = await limiter.check(account=f"user-{worker}-{n}", client_ip=f"10.0.{worker}.{n % 250}")
            if decision.backend != "redis":
                raise SystemExit("a check fell back to the in-process store: the figure would be wrong")
            n += 1
        return n

    done = sum(await asyncio.gather(*(loop(w) for w in range(CONCURRENCY))))
    await limiter.aclose()
    return done


def _worker(kind: str, url: str, start_at: float, out: mp.Queue[int]) -> None:
    work = _sessions if kind == "sessions" else _limiter
    out.put(asyncio.run(work(url, start_at)))


def _rate(kind: str, url: str, processes: int) -> float:
    ctx = mp.get_context("spawn")
    out: mp.Queue[int] = ctx.Queue()
    start_at = time.time() + 4.0
    procs = [ctx.Process(target=_worker, args=(kind, url, start_at, out)) for _ in range(processes)]
    for p in procs:
        p.start()
    total = sum(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    return total / SECONDS


def run() -> str:
    import tempfile
    from pathlib import Path

    root = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    single = Node(root, [])
    try:
        single.wait_ready()
        single_url = f"redis://127.0.0.1:{single.port}/0"
        with redis_cluster() as cluster:
            rows = []
            for kind, label in (("sessions", "session load+update"), ("limiter", "limiter check")):
                for n in PROCESSES:
                    one = _rate(kind, single_url, n)
                    many = _rate(kind, cluster.url, n)
                    rows.append(f"| {label} | {n} | {one:,.0f} | {many:,.0f} | {many / one:.2f} |")
    finally:
        single.kill()
    lines = [
        "## Scale: one Redis node vs a 3-primary Redis Cluster",
        "",
        f"Operations per second over {SECONDS:g} s, {CONCURRENCY} concurrent coroutines per client process;",
        "both topologies on this machine's loopback, started by the benchmark (`python -m bench scale`).",
        "The machine is shared and has 2 cores: the cluster's 6 servers, the client processes and other",
        "work compete for them, so the cluster cannot show its horizontal gain here; what the figures do",
        "show is the per-operation price of the cluster paths (session writes in 2 steps, limiter checks",
        "in 4 single-key scripts instead of 1).",
        "",
        "| operation | client processes | one node (ops/s) | cluster (ops/s) | cluster / one node |",
        "|---|---|---|---|---|",
        *rows,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
