"""Key errors say what is wrong and how to fix it, where the app is built (issue #14)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import sentinel
from sentinel.errors import ConfigurationError
from sentinel.keys import coerce_keys, keys_from_env
from sentinel.settings import SentinelSettings

GOOD = "k" * 40


def test_missing_key_names_the_variable_and_keygen() -> None:
    with pytest.raises(ConfigurationError) as info:
        SentinelSettings.from_env({})
    assert info.value.problems == [
        "SENTINEL_SECRET_KEYS (or SENTINEL_SECRET_KEYS_FILE) is not set: make one with "
        "`sentinel keygen`, then export SENTINEL_SECRET_KEYS=<the key>"
    ]


def test_short_key_says_short_and_not_unset() -> None:
    with pytest.raises(ConfigurationError) as info:
        SentinelSettings.from_env({"SENTINEL_SECRET_KEYS": "hunter2"})
    (problem,) = info.value.problems
    assert "SENTINEL_SECRET_KEYS[0] is 7 bytes, too short" in problem
    assert "sentinel keygen" in problem
    assert "not set" not in problem
    assert "hunter2" not in str(info.value)  # the key itself is never echoed


def test_one_short_key_in_a_rotation_list_is_named_by_position() -> None:
    with pytest.raises(ConfigurationError) as info:
        SentinelSettings.from_env({"SENTINEL_SECRET_KEYS": f"{GOOD},old"})
    assert [p.split(" is ")[0] for p in info.value.problems] == ["SENTINEL_SECRET_KEYS[1]"]


def test_blank_variable_counts_as_missing() -> None:
    with pytest.raises(ConfigurationError, match="is not set: make one with `sentinel keygen`"):
        keys_from_env(environ={"SENTINEL_SECRET_KEYS": " , \n"})


def test_optional_keys_return_none() -> None:
    assert keys_from_env("SENTINEL_PASSWORD_PEPPER", {}, required=False) is None


def test_coerce_keys_names_none_instead_of_type_error() -> None:
    with pytest.raises(ConfigurationError, match="secret_keys is None"):
        coerce_keys(None, what="secret_keys")


def test_sessions_doc_pattern_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/sessions.md builds ``keys = sentinel.keys_from_env()`` at import. Unset, that used to
    return None, and Starlette (which builds middleware lazily) then raised ``TypeError: 'NoneType'
    object is not iterable`` at the first request. Now the import line itself fails, with the fix."""
    monkeypatch.delenv("SENTINEL_SECRET_KEYS", raising=False)
    monkeypatch.delenv("SENTINEL_SECRET_KEYS_FILE", raising=False)
    with pytest.raises(ConfigurationError, match="sentinel keygen"):
        sentinel.keys_from_env()


def test_none_keys_reaching_the_middleware_name_the_setting() -> None:
    """Even a None passed on by hand gets our message, not a TypeError, at the first request."""

    async def home(request: object) -> PlainTextResponse:
        return PlainTextResponse("hi")

    app = Starlette(
        routes=[Route("/", home)], middleware=[Middleware(sentinel.SessionMiddleware, secret_keys=None)]
    )
    from starlette.testclient import TestClient

    with pytest.raises(ConfigurationError, match="secret_keys is None"):
        TestClient(app).get("/")
