"""SNT905 weak-argon2-parameters: argon2 costs below OWASP's minimum (CWE-916).

**What it detects.**

- ``argon2.PasswordHasher(time_cost=, memory_cost=, ...)`` (keywords or positions; argon2-cffi's
  defaults fill what is not given) and ``argon2.low_level.hash_secret[_raw](...)`` whose literal
  ``time_cost``/``memory_cost`` meet no row of OWASP's argon2id table (memory in KiB):
  ``46 MiB t>=1 | 19 MiB t>=2 | 12 MiB t>=3 | 9 MiB t>=4 | 7 MiB t>=5``.
- ``sentinel.passwords.Argon2Profile(...)`` below the same floor, unless its literal ``name`` says
  it is for tests (contains ``test`` or ``insecure``, like Sentinel's ``INSECURE_TEST_ONLY``).
- A call given argon2-cffi's ``profiles.CHEAPEST`` or Sentinel's ``INSECURE_TEST_ONLY``
  (``PasswordHasher.from_parameters(CHEAPEST)``, ``PasswordHasher(profile=INSECURE_TEST_ONLY)``).
- ``sentinel`` ``PasswordHasher(..., allow_weak=True)``: the explicit opt-out (severity medium).

Values that are not literals are not judged.

**Why it matters.** argon2's strength is its memory and time cost; at a few KiB and one pass it is
as cheap to attack as a fast hash.

**Example evidence.** ``PasswordHasher(time_cost=1, memory_cost=8192)``.

**How to fix.** Keep the defaults (RFC 9106 low-memory: t=3, 64 MiB, p=4) or use
``sentinel.passwords.OWASP``; time one verification on your production hardware (aim for
tens of milliseconds, well under a second).

Severity high, confidence high.
"""

from __future__ import annotations

import ast
from typing import Any

from sentinel_bandit._ast import argument, call_qualname, keyword, literal, qualname
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit.rules import WEAK_ARGON2

#: (memory KiB, minimum passes): OWASP Password Storage Cheat Sheet, argon2id. The same table as
#: ``sentinel.passwords.profiles.OWASP_MINIMUMS`` (a test keeps them equal; importing it here would
#: load all of ``sentinel`` into every bandit run).
OWASP_MINIMUMS: tuple[tuple[int, int], ...] = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))
#: argon2-cffi's PasswordHasher defaults (RFC 9106 low memory).
ARGON2_DEFAULT_TIME_COST = 3
ARGON2_DEFAULT_MEMORY_COST = 65536
_HASH_SECRET = frozenset({"argon2.low_level.hash_secret", "argon2.low_level.hash_secret_raw"})
_CHEAP_PRESETS = ("argon2.profiles.CHEAPEST", "INSECURE_TEST_ONLY")


def meets_floor(time_cost: int, memory_cost: int) -> bool:
    return any(memory_cost >= m and time_cost >= t for m, t in OWASP_MINIMUMS)


def _cost(call: ast.Call, position: int, name: str, default: int | None) -> int | None:
    node = argument(call, position, name)
    if node is None:
        return default
    value = literal(node)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _costs(call: ast.Call, name: str) -> tuple[int | None, int | None] | None:
    if name in ("argon2.PasswordHasher", "argon2._password_hasher.PasswordHasher"):
        return (
            _cost(call, 0, "time_cost", ARGON2_DEFAULT_TIME_COST),
            _cost(call, 1, "memory_cost", ARGON2_DEFAULT_MEMORY_COST),
        )
    if name in _HASH_SECRET:
        return _cost(call, 2, "time_cost", None), _cost(call, 3, "memory_cost", None)
    if name.split(".")[-1] == "Argon2Profile" and not _declared_for_tests(call):
        return _cost(call, -1, "time_cost", None), _cost(call, -1, "memory_cost", None)
    return None


def _declared_for_tests(call: ast.Call) -> bool:
    label = literal(keyword(call, "name"))
    return isinstance(label, str) and ("test" in label.lower() or "insecure" in label.lower())


def _cheap_preset(call: ast.Call, aliases: dict[str, str]) -> str | None:
    for node in (*call.args, *(k.value for k in call.keywords)):
        name = qualname(node, aliases) or ""
        if name == _CHEAP_PRESETS[0] or name.split(".")[-1] == _CHEAP_PRESETS[1]:
            return name.split(".")[-1]
    return None


@plugin(WEAK_ARGON2, "Call")
def sentinel_weak_argon2_parameters(context: Context) -> Any:
    call = context.node
    if not isinstance(call, ast.Call):
        return None
    aliases = context.import_aliases
    name = call_qualname(call, aliases)
    preset = _cheap_preset(call, aliases)
    if preset is not None:
        return issue(WEAK_ARGON2, call, f"argon2 test-only preset {preset} used", confidence="HIGH")
    costs = _costs(call, name)
    if costs is not None:
        time_cost, memory_cost = costs
        if time_cost is not None and memory_cost is not None and not meets_floor(time_cost, memory_cost):
            return issue(
                WEAK_ARGON2,
                call,
                f"argon2 with time_cost={time_cost}, memory_cost={memory_cost} KiB is below OWASP's minimum "
                "(19 MiB with t>=2, or an equivalent row)",
                confidence="HIGH",
            )
        return None
    if (
        name.startswith("sentinel")
        and name.endswith("PasswordHasher")
        and literal(keyword(call, "allow_weak")) is True
    ):
        return issue(
            WEAK_ARGON2,
            call,
            "PasswordHasher(allow_weak=True) accepts argon2 profiles below OWASP's minimum",
            confidence="HIGH",
            severity="MEDIUM",
        )
    return None
