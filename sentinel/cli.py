"""The ``sentinel`` command line: one console script, one subcommand per job.

Subcommands are imported only when chosen, so ``sentinel --version`` stays instant and a missing
optional extra affects only the subcommand that needs it. Errors are one line that names the fix,
with exit code 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol

from sentinel._version import __version__
from sentinel.errors import SentinelError

#: name -> (module, one-line help). Each module has ``add_arguments(parser)`` and ``run(args) -> int``.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("sentinel.commands.demo", "scan a vulnerable and the hardened example side by side (loopback)"),
    "scan": ("sentinel.commands.scan", "scan a web app for session and injection flaws (authorised targets)"),
    "gate": ("sentinel.commands.gate", "CI gate: bandit + Sentinel plugins and the scanner, one exit code"),
    "keygen": ("sentinel.commands.keygen", "print a new random signing key and a rotation recipe"),
    "migrate-passwords": (
        "sentinel.commands.migrate_passwords",
        "wrap legacy password hashes in argon2id, in place (dry run unless --execute)",
    ),
}

EXIT_USAGE = 2


class CommandModule(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


class CLIError(SentinelError):
    """A usage or configuration problem the user can fix; printed as one line, exit code 2."""


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(prog="sentinel", description="OWASP-focused security toolkit for ASGI.")
    parser.add_argument("--version", action="version", version=f"sentinel {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers = {name: sub.add_parser(name, help=help_) for name, (_, help_) in SUBCOMMANDS.items()}
    return parser, subparsers


def _load(name: str) -> CommandModule:
    module: CommandModule = importlib.import_module(SUBCOMMANDS[name][0])
    return module


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, subparsers = _parser()
    chosen = next((a for a in argv if a in SUBCOMMANDS), None)
    if chosen is not None:
        _load(chosen).add_arguments(subparsers[chosen])
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _load(args.command).run(args)
    except (SentinelError, OSError) as exc:
        if args.debug:
            raise
        print(f"sentinel {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


__all__ = ["EXIT_USAGE", "SUBCOMMANDS", "CLIError", "main"]
