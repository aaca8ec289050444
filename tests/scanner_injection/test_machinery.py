"""The shared machinery of the active checks: canaries, page comparison, the time fit, XXE documents,
HTML contexts."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from scanner.active.canary import ALPHABET, distinct_numbers, token, tokens
from scanner.active.compare import page, reflection_forms, similarity
from scanner.active.htmlctx import parses_as_element
from scanner.active.safety import unsafe_reason
from scanner.active.timing import HEAVY_FIT, SLEEP_FIT, fit, schedule, separated
from scanner.active.xmldoc import FALLBACK_DOCUMENT, probe_document
from scanner.http.exchange import Exchange


def exchange(body: str, status: int = 200, content_type: str = "text/html") -> Exchange:
    return Exchange(
        probe="test",
        crafted=False,
        method="GET",
        url="http://127.0.0.1/",
        request_headers=(),
        request_body=b"",
        status=status,
        response_headers=(("content-type", content_type),),
        body=body.encode(),
        elapsed=0.0,
    )


# --- canaries ------------------------------------------------------------------------------------


def test_canaries_spell_no_word_and_never_repeat() -> None:
    seen = tokens(200)
    assert len(set(seen)) == 200
    assert all(set(t) <= set(ALPHABET) and not set(t) & set("aeiouyl0123456789") for t in seen)
    assert len(token(11)) == 11
    for _ in range(200):
        n, m = distinct_numbers(100, 999)
        assert n != m and min(n, m) >= 100 and max(n, m) <= 999


# --- comparison ----------------------------------------------------------------------------------


@pytest.mark.parametrize("form", sorted(reflection_forms("apple' AND 'k'<b>")))
def test_every_reflection_form_is_masked(form: str) -> None:
    payload = "apple' AND 'k'<b>"
    with_echo = page(exchange(f"<p>You searched for {form}. 0 results</p>"), [payload])
    other_echo = page(exchange("<p>You searched for zzz. 0 results</p>"), ["zzz"])
    assert similarity(with_echo, other_echo) == 1.0


def test_an_upper_cased_echo_is_masked_too() -> None:
    a = page(exchange("<p>APPLE' AND 'K' LIKE 'K</p>"), ["apple' and 'k' like 'k"])
    b = page(exchange("<p>APPLE' AND 'K' LIKE 'Q</p>"), ["apple' and 'k' like 'q"])
    assert similarity(a, b) == 1.0


def test_nonces_and_ids_do_not_count() -> None:
    a = page(exchange('<input name="csrf" value="Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"><p>3 results</p>'))
    b = page(exchange('<input name="csrf" value="c29tZXRoaW5nIGVsc2UgZW50aXJlbHk"><p>3 results</p>'))
    assert similarity(a, b) == 1.0


def test_similarity_orders_pages() -> None:
    rows = "".join(f"<li>item {i}</li>" for i in range(20))
    full = page(exchange(f"<ul>{rows}</ul>"))
    fewer = page(exchange(f"<ul>{rows[: len(rows) // 2]}</ul>"))
    assert similarity(full, full) == 1.0
    assert 0.3 < similarity(full, fewer) < 0.9
    assert similarity(full, page(exchange(f"<ul>{rows}</ul>", status=404))) == 0.0


# --- the time fit --------------------------------------------------------------------------------


def _series(
    response: object, delays: tuple[float, ...] = (0.0, 1.0, 2.0), repeats: int = 3
) -> list[tuple[float, float]]:
    rng = random.Random(7)
    return [(d, response(d, rng)) for d in schedule(delays, repeats)]  # type: ignore[operator]


def test_a_real_sleep_fits() -> None:
    samples = _series(lambda d, rng: 0.02 + d + rng.uniform(0, 0.05))
    result = fit(samples)
    assert result.believable(SLEEP_FIT)
    assert 0.95 < result.slope < 1.05 and result.r2 > 0.99


def test_an_always_slow_endpoint_does_not_fit() -> None:
    result = fit(_series(lambda d, rng: 0.3 + rng.uniform(0, 0.4)))
    assert not result.believable(SLEEP_FIT) and not result.believable(HEAVY_FIT)


def test_a_single_slow_outlier_does_not_fit() -> None:
    samples = [(0.0, 0.02), (1.0, 0.03), (2.0, 0.02), (0.0, 0.03), (2.0, 3.5), (1.0, 0.02)]
    assert not fit(samples).believable(SLEEP_FIT)
    assert not separated(samples)


def test_schedule_interleaves_and_repeats() -> None:
    order = schedule((0.0, 1.0, 2.0), 3)
    assert sorted(order) == [0.0] * 3 + [1.0] * 3 + [2.0] * 3
    assert order[:3] != order[3:6]


# --- XXE documents -------------------------------------------------------------------------------


def test_the_probe_keeps_the_targets_document() -> None:
    example = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE note SYSTEM "note.dtd">\n'
        "<note><to>alice</to></note>"
    )
    document, added = probe_document(example, '<!ENTITY e "kq">', "&e;zz")
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE note [<!ENTITY e "kq">]>')
    assert document.endswith("<note><to>&e;zzalice</to></note>")
    assert "note.dtd" not in document
    assert added == '<!DOCTYPE note [<!ENTITY e "kq">]>&e;zz'
    parsed = etree.fromstring(document.encode(), etree.XMLParser(resolve_entities=True, no_network=True))
    assert "".join(parsed.itertext()) == "kqzzalice"


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ("<root/>", "<!DOCTYPE root [X]><root>T</root>"),
        ('<a x="1"/>', '<!DOCTYPE a [X]><a x="1">T</a>'),
        ("<a><b/></a>", "<!DOCTYPE a [X]><a>T<b/></a>"),
        (
            "<!-- c --><order><item>apple</item></order>",
            "<!DOCTYPE order [X]><!-- c --><order><item>Tapple</item></order>",
        ),
        ("not xml", f"<!DOCTYPE data [X]>{FALLBACK_DOCUMENT.replace('test', 'Ttest')}"),
        ("", f"<!DOCTYPE data [X]>{FALLBACK_DOCUMENT.replace('test', 'Ttest')}"),
    ],
)
def test_probe_documents(example: str, expected: str) -> None:
    assert probe_document(example, "X", "T")[0] == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_example_gives_a_guarded_probe(example: str) -> None:
    declaration = '<!ENTITY kq SYSTEM "file:///proc/sys/kernel/ostype">'
    document, added = probe_document(example, declaration, "zz&kq;xx")
    assert declaration in document and "zz&kq;xx" in document
    assert added.startswith("<!DOCTYPE ") and added.endswith("]>zz&kq;xx")
    assert unsafe_reason(added) is None


# --- HTML contexts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html_text", "parsed"),
    [
        ('<p>x<qzk data-v="1"></p>', True),
        ('<input value="x"><qzk data-v=1>">', True),
        ("<p>x&lt;qzk data-v=1&gt;</p>", False),
        ("<textarea>x<qzk data-v=1></textarea>", False),
        ("<textarea>x</textarea><qzk data-v=1></textarea>", True),
        ("<title>x<qzk data-v=1></title>", False),
        ("<!-- x<qzk data-v=1> -->", False),
        ('<script>var s = "<qzk data-v=1>";</script>', False),
        ('<input value="&quot;&gt;<qzk data-v=1>">', False),
        ("<p><qzk></p>", False),
    ],
)
def test_element_contexts(html_text: str, parsed: bool) -> None:
    assert parses_as_element(html_text, "qzk", "data-v") is parsed


# --- hostile input never breaks the machinery ----------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.text(max_size=40))
def test_hostile_pages_and_payloads_never_raise(body: str, payload: str) -> None:
    parses_as_element(body, "qzk", "data-v")
    page(exchange(body), [payload])
    unsafe_reason(payload)
    assert similarity(page(exchange(body)), page(exchange(body))) == 1.0
