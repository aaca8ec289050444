"""SNT904 fast-password-hash: a fast hash applied to a password (CWE-916).

**What it detects.** A ``hashlib`` hash (``md5``, ``sha1``, ``sha224``/``256``/``384``/``512``,
``sha3_*``, ``blake2b``/``blake2s``, or ``hashlib.new(name, data)``) whose data is built from a
password: a variable, attribute or literal key whose name has the word ``password``, ``passwd``,
``passphrase``, ``pwd``, ``pw`` or ``pass`` (``password``, ``new_pwd``, ``form["password"]``,
``user.passwd.encode()``, ``salt + password``). Also ``h.update(password)`` on a hashlib object made
in the same function. Names that say the value is already a hash or not a secret (words ``hash``,
``hashed``, ``digest``, ``field``, ``name``, ``policy``, ``length``, ``min``, ``max``, ``hint``,
``reset``) do not count. Arguments of other calls are not followed: in
``sha256(bcrypt.hashpw(pw, salt))`` the data is bcrypt's output.

Pre-hashing for a slow hash is not reported: a hash whose result is an argument of a slow one in the
same expression (``bcrypt.hashpw(sha256(pw).digest(), salt)``), or a hash inside a function named
``prehash``/``pre_hash`` (bcrypt's 72-byte limit is the usual reason, as in Django's
``BCryptSHA256PasswordHasher``).

``usedforsecurity=False`` does not silence it: hashing a password is a security use by definition
(and that flag is what silences bandit's B324).

**Why it matters.** General-purpose hashes are built to be fast: a GPU tries billions of md5 or
sha256 guesses per second, salted or not, so leaked hashes give up most real passwords.

**Example evidence.** ``hashlib.sha256(salt + password.encode()).hexdigest()``.

**How to fix.** Hash passwords with argon2id: ``sentinel.PasswordHasher().hash(password)``. Code that
*verifies* legacy hashes during a migration is the one legitimate case: mark it ``# nosec SNT904``.

Severity high, confidence medium.
"""

from __future__ import annotations

import ast
from typing import Any

from sentinel_bandit._ast import (
    argument,
    call_qualname,
    callee_name,
    data_identifiers,
    enclosing_function,
    parents,
    tokens,
    walk_scope,
)
from sentinel_bandit._plugin import Context, issue, plugin
from sentinel_bandit.rules import FAST_PASSWORD_HASH

FAST_HASHES = frozenset(
    {"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384", "sha3_512"}
    | {"blake2b", "blake2s", "sha512_224", "sha512_256"}
)
PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "pwd", "pw", "pass", "passw"})
NOT_A_PASSWORD = frozenset(
    {"hash", "hashed", "digest", "field", "name", "label", "policy", "length", "len", "min", "max"}
    | {"hint", "reset", "prompt", "widget", "input", "column", "env", "file", "url", "strength"}
)


def password_like(identifier: str) -> bool:
    words = set(tokens(identifier))
    return bool(words & PASSWORD_WORDS) and not words & NOT_A_PASSWORD


SLOW_HASHES = frozenset({"hashpw", "kdf", "hash", "hash_secret", "hash_secret_raw", "pbkdf2_hmac", "scrypt"})


def prehash(call: ast.Call) -> bool:
    """The hash feeds a slow hash: an argument of ``bcrypt.hashpw(...)`` etc., or in ``prehash()``."""
    func = enclosing_function(call)
    if func is not None and ("prehash" in tokens(func.name) or "pre_hash" in func.name.lower()):
        return True
    return any(
        isinstance(parent, ast.Call) and callee_name(parent) in SLOW_HASHES for parent in parents(call)
    )


def _hash_constructor(call: ast.Call, aliases: dict[str, str]) -> tuple[str, ast.expr | None] | None:
    """``(algorithm, data)`` for a hashlib constructor call, else None."""
    name = call_qualname(call, aliases)
    if name == "hashlib.new":
        algorithm = argument(call, 0, "name")
        label = algorithm.value if isinstance(algorithm, ast.Constant) else "hashlib.new"
        return str(label), argument(call, 1, "data") or argument(call, 1, "string")
    module, _, function = name.rpartition(".")
    if module == "hashlib" and function in FAST_HASHES:
        return function, argument(call, 0, "data") or argument(call, 0, "string")
    return None


def _hash_objects(call: ast.Call, aliases: dict[str, str]) -> dict[str, str]:
    """Local names bound to a hashlib object in the function around ``call``."""
    func = enclosing_function(call)
    found: dict[str, str] = {}
    for node in walk_scope(func) if func is not None else []:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            made = _hash_constructor(node.value, aliases)
            if made is not None:
                found.update({t.id: made[0] for t in node.targets if isinstance(t, ast.Name)})
    return found


def _hashed(call: ast.Call, aliases: dict[str, str]) -> tuple[str, ast.expr | None] | None:
    made = _hash_constructor(call, aliases)
    if made is not None:
        return made
    if isinstance(call.func, ast.Attribute) and call.func.attr == "update" and call.args:
        receiver = call.func.value
        if isinstance(receiver, ast.Call):
            inner = _hash_constructor(receiver, aliases)
            return None if inner is None else (inner[0], call.args[0])
        if isinstance(receiver, ast.Name):
            algorithm = _hash_objects(call, aliases).get(receiver.id)
            return None if algorithm is None else (algorithm, call.args[0])
    return None


@plugin(FAST_PASSWORD_HASH, "Call")
def sentinel_fast_password_hash(context: Context) -> Any:
    call = context.node
    if not isinstance(call, ast.Call):
        return None
    hashed = _hashed(call, context.import_aliases)
    if hashed is None or prehash(call):
        return None
    algorithm, data = hashed
    if data is None:
        return None
    names = [n for n in data_identifiers(data) if password_like(n)]
    if not names:
        return None
    return issue(
        FAST_PASSWORD_HASH,
        call,
        f"fast hash {algorithm} applied to a password ({names[0]}); use argon2id (sentinel.PasswordHasher)",
        confidence="MEDIUM",
    )
