"""Real Redis topologies started by the test session: a 6-node Redis Cluster and a Sentinel group.

Every process binds 127.0.0.1 on free ports, works in its own temporary directory, keeps nothing on
disk (``--save '' --appendonly no``) and is killed when the context exits, whatever happened.
Timeouts are short (node timeout 1 s, sentinel down-after 1 s) so failover tests stay bounded.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.support.servers import free_port
from tests.support.services import unavailable

NODE_TIMEOUT_MS = 1000
DOWN_AFTER_MS = 1000


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} binary not found (apt-get install redis-server redis-tools)")
    return path or name


class Node:
    """One redis-server process (cluster node, plain primary/replica or sentinel)."""

    def __init__(self, root: Path, args: list[str], *, sentinel_conf: str | None = None) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(dir=root))
        cmd = [_binary("redis-server")]
        if sentinel_conf is not None:
            conf = self.dir / "sentinel.conf"
            conf.write_text(f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n{sentinel_conf}")
            cmd += [str(conf), "--sentinel"]
        else:
            cmd += ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)]
            cmd += ["--save", "", "--appendonly", "no", "--protected-mode", "no", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=2, decode_responses=True)

    def wait_ready(self, timeout: float = 10.0) -> None:
        client = self.client()
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline or self.proc.poll() is not None:
                        raise RuntimeError(f"redis-server on port {self.port} did not start") from None
                    time.sleep(0.02)
        finally:
            client.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class Cluster:
    """3 primaries + 3 replicas."""

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = nodes
        self.url = "redis+cluster://" + ",".join(f"127.0.0.1:{n.port}" for n in nodes[:3])

    def primaries(self) -> list[Node]:
        """The live nodes currently serving as primaries."""
        found = []
        for node in self.nodes:
            if node.proc.poll() is not None:
                continue
            client = node.client()
            try:
                if client.info("replication").get("role") == "master":
                    found.append(node)
            except redis.RedisError:
                continue
            finally:
                client.close()
        return found

    def primary_owning(self, key: str) -> Node:
        """The node that currently serves ``key``'s slot as primary."""
        for node in self.nodes:
            if node.proc.poll() is not None:
                continue
            client = node.client()
            try:
                slot = int(client.execute_command("CLUSTER", "KEYSLOT", key))
                for start, end, primary, *_ in client.execute_command("CLUSTER", "SLOTS"):
                    if start <= slot <= end:
                        port = int(primary[1])
                        return next(n for n in self.nodes if n.port == port)
            except redis.RedisError:
                continue
            finally:
                client.close()
        raise RuntimeError("no live node answers CLUSTER SLOTS")

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            live = [n for n in self.nodes if n.proc.poll() is None]
            states = []
            for node in live:
                client = node.client()
                try:
                    states.append("cluster_state:ok" in client.execute_command("CLUSTER", "INFO"))
                except redis.RedisError:
                    states.append(False)
                finally:
                    client.close()
            if states and all(states):
                return
            time.sleep(0.1)
        raise RuntimeError("the test cluster did not reach cluster_state:ok")


@contextmanager
def redis_cluster() -> Iterator[Cluster]:
    """A fresh 6-node cluster (3 primaries, 3 replicas) on loopback; every process killed on exit."""
    _binary("redis-cli")
    root = Path(tempfile.mkdtemp(prefix="sentinel-cluster-"))
    nodes: list[Node] = []
    try:
        for _ in range(6):
            args = ["--cluster-enabled", "yes", "--cluster-node-timeout", str(NODE_TIMEOUT_MS)]
            args += ["--cluster-port", str(free_port()), "--cluster-config-file", "nodes.conf"]
            nodes.append(Node(root, args))
        for node in nodes:
            node.wait_ready()
        create = [_binary("redis-cli"), "--cluster", "create"]
        create += [f"127.0.0.1:{n.port}" for n in nodes] + ["--cluster-replicas", "1", "--cluster-yes"]
        subprocess.run(create, check=True, capture_output=True, timeout=60)
        cluster = Cluster(nodes)
        cluster.wait_healthy()
        yield cluster
    finally:
        for node in nodes:
            node.kill()
        shutil.rmtree(root, ignore_errors=True)


class SentinelGroup:
    """A primary, one replica and three sentinels monitoring them as service ``SERVICE``."""

    SERVICE = "sentinel-test"

    def __init__(self, primary: Node, replica: Node, sentinels: list[Node]) -> None:
        self.primary = primary
        self.replica = replica
        self.sentinels = sentinels
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in sentinels)
        self.url = f"redis+sentinel://{hosts}/{self.SERVICE}/0"

    def current_primary_port(self) -> int:
        for node in self.sentinels:
            client = node.client()
            try:
                _, port = client.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.SERVICE)
                return int(port)
            except (redis.RedisError, TypeError, ValueError):
                continue
            finally:
                client.close()
        raise RuntimeError("no sentinel names a primary")


@contextmanager
def redis_sentinel_group() -> Iterator[SentinelGroup]:
    """Primary + replica + 3 sentinels (quorum 2) on loopback; every process killed on exit."""
    root = Path(tempfile.mkdtemp(prefix="sentinel-sentinels-"))
    nodes: list[Node] = []
    try:
        primary = Node(root, [])
        nodes.append(primary)
        primary.wait_ready()
        replica = Node(root, ["--replicaof", "127.0.0.1", str(primary.port)])
        nodes.append(replica)
        replica.wait_ready()
        conf = (
            f"sentinel monitor {SentinelGroup.SERVICE} 127.0.0.1 {primary.port} 2\n"
            f"sentinel down-after-milliseconds {SentinelGroup.SERVICE} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {SentinelGroup.SERVICE} 5000\n"
            f"sentinel parallel-syncs {SentinelGroup.SERVICE} 1\n"
        )
        sentinels = [Node(root, [], sentinel_conf=conf) for _ in range(3)]
        nodes.extend(sentinels)
        for node in sentinels:
            node.wait_ready()
        group = SentinelGroup(primary, replica, sentinels)
        _wait_replica_online(replica)
        yield group
    finally:
        for node in nodes:
            node.kill()
        shutil.rmtree(root, ignore_errors=True)


def _wait_replica_online(replica: Node, timeout: float = 20.0) -> None:
    client = replica.client()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if client.info("replication").get("master_link_status") == "up":
                return
            time.sleep(0.05)
    finally:
        client.close()
    raise RuntimeError("the test replica never synchronised with its primary")


def wait_replicated(primary_port: int, timeout: float = 10.0) -> None:
    """Wait until every replica of the primary on ``primary_port`` has its whole replication stream.

    The test's own stand-in for ``WAIT``: a fresh connection's WAIT would have no writes to wait for.
    """
    client = redis.Redis(port=primary_port, socket_timeout=2, decode_responses=True)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            info = client.info("replication")
            target = int(info["master_repl_offset"])
            replicas = [v for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)]
            if replicas and all(int(r["offset"]) >= target for r in replicas):
                return
            time.sleep(0.05)
    finally:
        client.close()
    raise RuntimeError(f"the replicas of 127.0.0.1:{primary_port} did not catch up")
