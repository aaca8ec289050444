"""Session IDs and cookie signing."""

from __future__ import annotations

import base64
import hashlib

from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import Signer

from sentinel.keys import Secret
from sentinel.sessions.ids import CookieSigner, new_session_id, session_hash, store_key
from sentinel.sessions.url_guard import find_session_params, strip_session_params

KEY = Secret("k" * 48)


def test_ids_are_256_bit_and_unique() -> None:
    ids = {new_session_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    for session_id in list(ids)[:100]:
        assert len(base64.urlsafe_b64decode(session_id + "=")) == 32


def test_store_key_and_log_hash_differ_from_the_id_and_each_other() -> None:
    session_id = new_session_id()
    assert session_id not in store_key(session_id)
    assert session_id not in session_hash(session_id)
    assert store_key(session_id) != session_hash(session_id)
    assert not store_key(session_id).startswith(session_hash(session_id))


def test_cookies_stay_verifiable_by_itsdangerous() -> None:
    signer = CookieSigner([KEY])
    cookie = signer.sign(session_id := new_session_id())
    reference = Signer(
        KEY.reveal(), salt=b"sentinel.session.cookie", key_derivation="hmac", digest_method=hashlib.sha256
    )
    assert reference.unsign(cookie).decode() == session_id


def test_verified_cache_is_bounded_and_never_holds_failures() -> None:
    signer = CookieSigner([KEY], cache_size=4)
    cookies = [signer.sign(new_session_id()) for _ in range(10)]
    assert all(signer.unsign(c) for c in cookies)
    assert len(signer._verified) == 4
    forged = cookies[0][:-1] + ("A" if cookies[0][-1] != "A" else "B")
    assert signer.unsign(forged) is None
    assert forged not in signer._verified


def test_a_cookie_from_another_key_is_refused_even_after_the_right_one_was_cached() -> None:
    ours, theirs = CookieSigner([KEY]), CookieSigner([Secret("t" * 48)])
    session_id = new_session_id()
    assert ours.unsign(ours.sign(session_id)) == session_id
    assert ours.unsign(theirs.sign(session_id)) is None


@given(st.text(max_size=200))
def test_unsign_never_raises_on_arbitrary_text(value: str) -> None:
    assert CookieSigner([KEY]).unsign(value) is None


@given(st.binary(max_size=300), st.text(max_size=100))
def test_url_guard_never_raises_and_strips_exactly(query: bytes, path: str) -> None:
    names = frozenset({"sid", "jsessionid"})
    scope = {"query_string": query, "path": path, "raw_path": path.encode("utf-8", "replace")}
    found = find_session_params(scope, names)
    clean = strip_session_params(scope, names)
    assert clean == (find_session_params(scope, names) == [])  # True means nothing is left to find
    if not found:
        assert scope["query_string"] == query  # benign queries pass byte for byte
    kept = scope["query_string"].split(b"&") if scope["query_string"] else []
    assert all(part in query.split(b"&") for part in kept)  # only whole parameters are dropped


def test_strip_never_rejoins_semicolon_pieces_into_new_parameters() -> None:
    names = frozenset({"sid"})
    scope = {"query_string": b"q=a;role=admin&sid=1", "path": "/", "raw_path": b"/"}
    assert strip_session_params(scope, names)
    assert scope["query_string"] == b"q=a;role=admin"
    hidden = {"query_string": b"q=a;sid=1", "path": "/", "raw_path": b"/"}
    assert not strip_session_params(hidden, names)  # inside a value: the caller must refuse


def test_non_canonical_base64_spellings_of_a_valid_signature_are_refused() -> None:
    signer = CookieSigner([KEY])
    cookie = signer.sign(new_session_id())
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(cookie[-1])
    # The last of 43 characters carries 4 signature bits; its 2 low bits are padding.
    siblings = [alphabet[(last & ~0b11) | low] for low in range(4) if (last & ~0b11) | low != last]
    for char in siblings:
        assert signer.unsign(cookie[:-1] + char) is None
    assert signer.unsign(cookie) is not None
