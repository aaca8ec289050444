"""Policies: the presets' arithmetic, the invariants, and the worst-case bound, checked by attack.

The bound ``Limit.worst_case_failures`` is a proof in ``docs/ratelimit.md``; here hypothesis plays
the attacker (any schedule that respects the lockouts) against the real arithmetic and checks that
no hour ever holds more failures than the bound says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel.errors import ConfigurationError
from sentinel.ratelimit import (
    ACCOUNT_DEFAULT,
    ASVS_MAX_FAILURES_PER_HOUR,
    DEFAULT_AUTH_POLICY,
    IP_DEFAULT,
    PAIR_DEFAULT,
    STRICT_AUTH_POLICY,
    AuthPolicy,
    Limit,
)
from sentinel.ratelimit.algorithm import Counter, attempt, charge
from tests.ratelimit.conftest import most_in_window

HOUR_MS = 3_600_000
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ratelimit.md"


@st.composite
def limits(draw: st.DrawFn) -> Limit:
    forgive = draw(st.integers(1, 3600))
    first = draw(st.floats(0.01, 600))
    cap = draw(st.floats(max(forgive, first), 86_400))
    return Limit(free=draw(st.integers(1, 40)), forgive_every=forgive, first_lockout=first, max_lockout=cap)


# An attacker's opening moves: after each lockout ends, wait this many ms (often not at all).
openings = st.lists(st.one_of(st.just(0), st.integers(1, 2 * HOUR_MS)), max_size=40)


@given(limit=limits(), opening=openings, pause=st.integers(0, 2 * HOUR_MS))
@settings(max_examples=300, deadline=None)
def test_no_hour_ever_beats_the_worst_case_bound(limit: Limit, opening: list[int], pause: int) -> None:
    """Any opening, a pause, then greedy for two hours: no hour beats the bound."""
    compiled = limit.compiled()
    counter, now, failures = Counter(), 0, []
    for wait in opening:
        now = max(now, counter.until) + wait
        charge(counter, compiled, now)
        failures.append(now)
    now += pause
    end = now + 2 * HOUR_MS
    while now < end:
        now = max(now, counter.until)
        charge(counter, compiled, now)
        failures.append(now)
    assert most_in_window(failures, HOUR_MS) <= limit.worst_case_failures(3600)


@pytest.mark.parametrize("limit", [PAIR_DEFAULT, ACCOUNT_DEFAULT, IP_DEFAULT], ids=["pair", "account", "ip"])
def test_the_bound_is_nearly_reached_by_a_greedy_attacker(limit: Limit) -> None:
    """The bound is not slack: attacking at every lockout's end comes within a few failures."""
    compiled = limit.compiled()
    counter, now, failures = Counter(), 0, []
    while now < 4 * HOUR_MS:
        now = max(now, counter.until)
        charge(counter, compiled, now)
        failures.append(now)
    greedy = most_in_window(failures, HOUR_MS)
    assert limit.worst_case_failures(3600) - 5 <= greedy <= limit.worst_case_failures(3600)


@st.composite
def mixed_attacks(draw: st.DrawFn) -> list[tuple[int, int]]:
    """(source, wait ms) steps: sources 0-9 are known to the account, -1 is a fresh stranger."""
    source = st.one_of(st.just(-1), st.integers(0, 9))
    wait = st.one_of(st.just(0), st.integers(0, 120_000))
    return draw(st.lists(st.tuples(source, wait), min_size=50, max_size=600))


@given(steps=mixed_attacks())
@settings(max_examples=100, deadline=None)
def test_account_ceiling_holds_against_any_mix_of_sources(steps: list[tuple[int, int]]) -> None:
    """ASVS V2.2.1: whatever mix of known and unknown sources fails, no hour holds more than 100."""
    policy = DEFAULT_AUTH_POLICY.compiled()
    account = Counter()
    known = [Counter(known_until=10**15) for _ in range(10)]
    known_ips = [Counter() for _ in range(10)]
    now, failures = 0, []
    for source, wait in steps:
        now += wait
        pair, ip = (known[source], known_ips[source]) if source >= 0 else (Counter(), Counter())
        if attempt(pair, account, ip, policy, now).allowed:
            failures.append(now)
    assert most_in_window(failures, HOUR_MS) <= ASVS_MAX_FAILURES_PER_HOUR


def test_presets_satisfy_every_invariant() -> None:
    for policy in (DEFAULT_AUTH_POLICY, STRICT_AUTH_POLICY):
        assert policy.problems() == []
        assert policy.pair.max_level < policy.account.free
        assert policy.ceiling_level - policy.account.max_level >= policy.pair.max_level
        assert policy.account.worst_case_failures() <= policy.account_ceiling_per_hour <= 100


def test_default_arithmetic() -> None:
    """The figures docs/ratelimit.md builds its lockout-abuse argument on."""
    assert (PAIR_DEFAULT.max_level, PAIR_DEFAULT.worst_case_failures()) == (15, 20)
    assert (ACCOUNT_DEFAULT.max_level, ACCOUNT_DEFAULT.worst_case_failures()) == (26, 85)
    assert (IP_DEFAULT.max_level, IP_DEFAULT.worst_case_failures()) == (56, 155)
    assert DEFAULT_AUTH_POLICY.ceiling_level == 41


def test_docs_table_matches_the_code() -> None:
    text = DOCS.read_text()
    for name, policy in (
        ("DEFAULT_AUTH_POLICY", DEFAULT_AUTH_POLICY),
        ("STRICT_AUTH_POLICY", STRICT_AUTH_POLICY),
    ):
        for scope in ("pair", "account", "ip"):
            limit: Limit = getattr(policy, scope)
            row = (
                rf"\| `{name}` \| {scope} \| {limit.free} \| {limit.forgive_every:g} s \| "
                rf"{limit.first_lockout:g} s \| {limit.max_lockout:g} s \| {limit.max_level} \| "
                rf"{limit.worst_case_failures()} \|"
            )
            assert re.search(row, text), f"docs/ratelimit.md lacks the row for {name}.{scope}"


def test_invariant_violations_are_all_reported() -> None:
    with pytest.raises(ConfigurationError) as caught:
        AuthPolicy(
            pair=Limit(free=0, forgive_every=10, first_lockout=5, max_lockout=1),
            account=Limit(free=5, forgive_every=60, first_lockout=1, max_lockout=2 * 86_400),
            ip=IP_DEFAULT,
        )
    assert len(caught.value.problems) == 4  # free, first > max, max < forgive, max > 1 day


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"account_ceiling_per_hour": 101}, "ASVS"),
        ({"known_source_ttl": -1}, "known_source_ttl"),
        ({"pair": Limit(free=30, forgive_every=600, first_lockout=1, max_lockout=900)}, "one source alone"),
        ({"pair": Limit(free=5, forgive_every=30, first_lockout=1, max_lockout=900)}, "tight one"),
        (
            {"account": Limit(free=20, forgive_every=30, first_lockout=1, max_lockout=60)},
            "hard ceiling leaves",
        ),
    ],
)
def test_each_invariant(changes: dict[str, object], message: str) -> None:
    fields = {"pair": PAIR_DEFAULT, "account": ACCOUNT_DEFAULT, "ip": IP_DEFAULT, **changes}
    with pytest.raises(ConfigurationError, match=message):
        AuthPolicy(**fields)  # type: ignore[arg-type]
