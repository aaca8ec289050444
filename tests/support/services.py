"""Reach the real backing services, or skip with a clear reason (fail instead under ``CI=true``)."""

from __future__ import annotations

import os
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

REDIS_URL = os.environ.get("SENTINEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_URL = os.environ.get(
    "SENTINEL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get("SENTINEL_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI, where a missing service must never pass silently."""
    if IN_CI:
        pytest.fail(f"CI=true and a required service is unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_ping(url: str) -> str | None:
    """``None`` if Redis at ``url`` answers PING within a second, else why not."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"Redis at {url} is unreachable ({exc})"
    finally:
        client.close()
    return None
