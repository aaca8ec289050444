"""``sentinel keygen``: print a new signing key, and how to rotate to it.

The key goes alone to stdout, so ``export SENTINEL_SECRET_KEYS="$(sentinel keygen)"`` works; the
rotation recipe goes to stderr, where a human reads it and a shell substitution does not capture it.

Keys come from :func:`secrets.token_urlsafe` (the OS CSPRNG): 48 bytes by default, above the 32 that
:data:`sentinel.keys.MIN_KEY_BYTES` requires, in base64url, which has no comma, so a key never splits
a ``SENTINEL_SECRET_KEYS`` list.
"""

from __future__ import annotations

import argparse
import secrets
import sys

from sentinel.keys import MIN_KEY_BYTES

DEFAULT_BYTES = 48
MAX_BYTES = 1024


def new_key(nbytes: int = DEFAULT_BYTES) -> str:
    """A fresh random key of ``nbytes`` random bytes, base64url-encoded (no padding, no comma)."""
    if not MIN_KEY_BYTES <= nbytes <= MAX_BYTES:
        from sentinel.cli import CLIError

        raise CLIError(f"--bytes {nbytes}: choose {MIN_KEY_BYTES} to {MAX_BYTES} (default {DEFAULT_BYTES})")
    return secrets.token_urlsafe(nbytes)


def rotation_recipe(name: str) -> str:
    """How to put a new key in service without logging anyone out."""
    return f"""\
New key printed on stdout ({name}, newest first, comma-separated):

  first deployment:  {name}="<new>"
  rotation:          {name}="<new>,<old>"   new sessions and tokens are signed with <new>;
                     ones signed with <old> still verify, so nobody is logged out
  after the longest session lifetime has passed, drop <old>:  {name}="<new>"

Or keep the list in a file readable only by the app: {name}_FILE=/run/secrets/sentinel_keys.
Never commit a key to version control, and never reuse one between environments."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Print a new random signing key for SENTINEL_SECRET_KEYS (and a rotation recipe)."
    parser.add_argument(
        "--bytes",
        type=int,
        default=DEFAULT_BYTES,
        metavar="N",
        help=f"random bytes in the key ({MIN_KEY_BYTES} to {MAX_BYTES}, default {DEFAULT_BYTES})",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print only the key (no rotation recipe on stderr)"
    )
    parser.add_argument(
        "--name", default="SENTINEL_SECRET_KEYS", metavar="VAR", help="the variable named in the recipe"
    )


def run(args: argparse.Namespace) -> int:
    key = new_key(args.bytes)
    print(key, flush=True)
    if not args.quiet:
        print(rotation_recipe(args.name), file=sys.stderr)
    return 0


__all__ = ["DEFAULT_BYTES", "add_arguments", "new_key", "rotation_recipe", "run"]
