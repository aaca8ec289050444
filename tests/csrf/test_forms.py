"""The form-token finders against hostile input (hypothesis) and real encodings."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
from hypothesis import given
from hypothesis import strategies as st

from sentinel.csrf.forms import token_from_form, token_from_multipart, token_from_urlencoded

TOKEN = "T" * 30 + "-_" + "9" * 32
field_names = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)


@given(st.binary(max_size=2000))
def test_finders_never_raise_on_random_bytes(body: bytes) -> None:
    token_from_urlencoded(body, "csrf_token")
    token_from_multipart(body, b"boundary", "csrf_token")
    token_from_form(body, "multipart/form-data; boundary=boundary", "csrf_token")
    token_from_form(body, "application/x-www-form-urlencoded", "csrf_token")


@given(st.lists(st.tuples(field_names, st.text(max_size=50)), max_size=8))
def test_urlencoded_token_is_found_among_any_fields(fields: list[tuple[str, str]]) -> None:
    others = [(name, value) for name, value in fields if name != "csrf_token"]
    body = urlencode([*others, ("csrf_token", TOKEN)]).encode()
    assert token_from_urlencoded(body, "csrf_token") == TOKEN


@given(st.lists(st.tuples(st.from_regex(r"[a-z]{1,10}", fullmatch=True), st.text(max_size=50)), max_size=6))
def test_multipart_token_is_found_as_httpx_encodes_it(fields: list[tuple[str, str]]) -> None:
    data = {name: value for name, value in fields if name != "csrf"}
    data["csrf"] = TOKEN
    request = httpx.Request("POST", "https://x/", data=data, files={"upload": ("f.txt", b"--x\r\n\r\n")})
    body = request.read()
    assert token_from_form(body, request.headers["content-type"], "csrf") == TOKEN


def test_a_file_part_named_like_the_field_is_not_a_token() -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"; filename="t.txt"\r\n\r\n'
        + TOKEN.encode()
        + b"\r\n--b--\r\n"
    )
    assert token_from_multipart(body, b"b", "csrf_token") is None


def test_non_ascii_or_oversized_values_are_not_tokens() -> None:
    assert token_from_urlencoded(b"csrf_token=%C3%A9", "csrf_token") is None
    assert token_from_urlencoded(b"csrf_token=" + b"a" * 300, "csrf_token") is None
    assert token_from_urlencoded(b"csrf_token=", "csrf_token") is None
    assert token_from_form(b"csrf_token=x", "text/plain", "csrf_token") is None
    assert token_from_form(b"", "multipart/form-data", "csrf_token") is None  # no boundary
