"""The cluster and Sentinel URL forms of SENTINEL_REDIS_URL: accepted, refused with a named fix, parsed."""

from __future__ import annotations

import pytest

from sentinel.errors import ConfigurationError
from sentinel.redis_client import parse_multi_host, redis_url_problems, validate_redis_url


@pytest.mark.parametrize(
    "url",
    [
        "redis+cluster://10.0.0.1:7000,10.0.0.2:7001",
        "rediss+cluster://user:pw@10.0.0.1:7000/0",
        "redis+sentinel://s1:26379,s2:26379,s3/mymaster/2",
        "redis+sentinel://:pw@s1/mymaster",
    ],
)
def test_good_multi_host_urls_pass(url: str) -> None:
    assert redis_url_problems(url) == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("redis+cluster://", "names no host"),
        ("redis+cluster://a:7000,b:x", "not a number"),
        ("redis+cluster://a:7000/3", "only database 0"),
        ("redis+sentinel://s1:26379", "names no service"),
        ("redis+sentinel://s1:26379/mymaster/abc", "is not a number"),
        ("redis+cluster://a:70000", "not a number from 1 to 65535"),
    ],
)
def test_bad_multi_host_urls_name_the_setting_and_the_fix(url: str, says: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        validate_redis_url(url)
    text = str(info.value)
    assert says in text and "SENTINEL_REDIS_URL=" in text


def test_password_is_not_echoed() -> None:
    with pytest.raises(ConfigurationError) as info:
        validate_redis_url("redis+sentinel://app:hunter2hunter2@s1:26379")
    assert "hunter2" not in str(info.value)


def test_parse_takes_the_url_apart() -> None:
    spec = parse_multi_host("rediss+sentinel://app:p%40ss@s1:26380,[::1]/mymaster/4")
    assert spec.kind == "sentinel" and spec.tls
    assert spec.nodes == (("s1", 26380), ("::1", 26379))
    assert (spec.username, spec.password, spec.service, spec.db) == ("app", "p@ss", "mymaster", 4)
    cluster = parse_multi_host("redis+cluster://a:7000,b")
    assert cluster.kind == "cluster" and cluster.nodes == (("a", 7000), ("b", 6379)) and cluster.db == 0


def test_tls_sentinel_urls_speak_tls_to_the_sentinels_too() -> None:
    """Red-team finding: with TLS only on the master connection, a man in the middle of a sentinel
    names a master of his own (with a certificate for that name) and receives the Redis password."""
    from redis.asyncio.connection import SSLConnection

    from sentinel.redis_client import RedisTimeouts, make_client

    client = make_client("rediss+sentinel://:pw@127.0.0.1:26379/mymaster/0", timeouts=RedisTimeouts())
    sentinels = client.connection_pool.sentinel_manager.sentinels
    assert sentinels and all(issubclass(s.connection_pool.connection_class, SSLConnection) for s in sentinels)
    plain = make_client("redis+sentinel://127.0.0.1:26379/mymaster/0", timeouts=RedisTimeouts())
    assert not issubclass(
        plain.connection_pool.sentinel_manager.sentinels[0].connection_pool.connection_class, SSLConnection
    )


def test_redacted_urls_hide_a_password_given_in_the_query() -> None:
    from sentinel.redis_client import redact_url

    assert redact_url("redis://cache:6379/0?password=s3cret&db=1") == "redis://cache:6379/0?password=***&db=1"
    assert "s3cret" not in redact_url("redis://u:s3cret@cache:6379/0?username=u")
