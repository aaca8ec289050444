"""``sentinel gate [PATH ...]``: one CI step for static and dynamic security checks, one exit code.

The static half runs bandit with Sentinel's own plugins over the source paths. The dynamic half
runs the scanner against ``--url``, or against an ASGI app that the gate serves itself on a free
loopback port (``--app module:attr``) for as long as it runs. Both share one baseline; the result is
one merged SARIF (``--sarif``), one JUnit file (``--junit``), a console summary, and one exit code:
0 nothing at or above ``--fail-on``; 1 findings (or an expired baseline entry); 2 a usage or
configuration error, or an incomplete run. Settings come from ``[tool.sentinel]`` in
pyproject.toml; flags override them. See ``docs/ci.md``.

It needs bandit, httpx, rich and uvicorn: ``pip install '.[gate]'`` in a checkout.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentinel.extras import install_hint

if TYPE_CHECKING:
    from scanner.ci.config import GateConfig
    from scanner.ci.run import GateResult

EXTRA_HINT = f"the gate needs the 'gate' extra: {install_hint('gate')}"


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run bandit with Sentinel's plugins and the scanner; write one SARIF; decide with one exit code."
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="source paths for bandit ([tool.sentinel] paths)"
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="pyproject.toml to read (default ./pyproject.toml)"
    )
    target = parser.add_argument_group("dynamic half (authorised targets only)")
    where = target.add_mutually_exclusive_group()
    where.add_argument("--url", help="scan this running app")
    where.add_argument("--app", metavar="MODULE:ATTR", help="serve this ASGI app on loopback and scan it")
    target.add_argument(
        "--app-dir", type=Path, metavar="DIR", help="where --app is imported from (project root)"
    )
    target.add_argument(
        "--startup-timeout", type=float, metavar="S", help="seconds for the app to answer (30)"
    )
    target.add_argument("--login-url", metavar="PATH")
    target.add_argument("--login-format", choices=["form", "json", "get"])
    target.add_argument("--username", metavar="U")
    target.add_argument("--password-env", metavar="NAME", help="environment variable holding the password")
    target.add_argument("--logout-url", metavar="PATH")
    target.add_argument("--auth-check-url", metavar="PATH")
    target.add_argument(
        "--checks", type=_ids, metavar="IDS", help="run only these checks (names or rule IDs)"
    )
    target.add_argument("--exclude-checks", type=_ids, metavar="IDS")
    target.add_argument("--max-rps", type=float, metavar="N")
    target.add_argument("--max-requests", type=int, metavar="N")
    static = parser.add_argument_group("static half")
    static.add_argument("--exclude", type=_ids, metavar="PATHS", help="comma-separated paths bandit skips")
    static.add_argument(
        "--bandit-config", type=Path, metavar="FILE", help="bandit settings (default: [tool.bandit])"
    )
    static.add_argument("--bandit-timeout", type=float, metavar="S", help="seconds bandit may take (600)")
    gate = parser.add_argument_group("gate and reports")
    gate.add_argument("--fail-on", metavar="LEVEL", help="info|low|medium|high|critical|never (high)")
    gate.add_argument(
        "--static-confidence",
        metavar="LEVEL",
        help="low|medium|high: least bandit confidence that gates (medium)",
    )
    gate.add_argument("--baseline", type=Path, metavar="FILE", help="accepted and existing findings")
    gate.add_argument(
        "--new-only", action="store_true", default=None, help="existing baseline entries do not gate"
    )
    gate.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help="record current findings as existing; exit 0"
    )
    gate.add_argument("--sarif", type=Path, metavar="FILE", help="write the merged SARIF 2.1.0 here")
    gate.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")
    only = gate.add_mutually_exclusive_group()
    only.add_argument("--static-only", action="store_true")
    only.add_argument("--dynamic-only", action="store_true")


def _absolute(path: Path | None) -> str | None:
    return None if path is None else str(Path.cwd() / path)


def _flags(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    def source(path: str) -> str:
        full = (Path.cwd() / path).resolve()
        return full.relative_to(root).as_posix() if full.is_relative_to(root) else str(full)

    login = {
        "url": args.login_url,
        "format": args.login_format,
        "username": args.username,
        "password-env": args.password_env,
        "logout-url": args.logout_url,
        "auth-check-url": args.auth_check_url,
    }
    return {
        "paths": [source(p) for p in args.paths] or None,
        "exclude": args.exclude,
        "bandit-config": _absolute(args.bandit_config),
        "bandit-timeout": args.bandit_timeout,
        "url": args.url,
        "app": args.app,
        "app-dir": _absolute(args.app_dir),
        "startup-timeout": args.startup_timeout,
        "login": login,
        "checks": args.checks,
        "exclude-checks": args.exclude_checks,
        "max-rps": args.max_rps,
        "max-requests": args.max_requests,
        "fail-on": args.fail_on,
        "static-confidence": args.static_confidence,
        "baseline": _absolute(args.baseline),
        "new-only": args.new_only,
        "sarif": _absolute(args.sarif),
        "junit": _absolute(args.junit),
    }


def build(args: argparse.Namespace) -> GateConfig:
    """The gate's settings: ``[tool.sentinel]`` of ``--config`` (or ./pyproject.toml), then flags."""
    from scanner.ci.config import build_config, has_bandit_table, read_table
    from sentinel.cli import CLIError

    pyproject = args.config or (Path("pyproject.toml") if Path("pyproject.toml").is_file() else None)
    if args.config is not None and not args.config.is_file():
        raise CLIError(f"--config {args.config}: no such file")
    root = (pyproject.resolve().parent if pyproject else Path.cwd()).resolve()
    table = read_table(pyproject) if pyproject else {}
    bandit_config = pyproject.resolve() if pyproject and has_bandit_table(pyproject) else None
    write = Path.cwd() / args.write_baseline if args.write_baseline else None
    config = build_config(
        table,
        _flags(args, root),
        root=root,
        bandit_config=bandit_config,
        static_only=args.static_only,
        dynamic_only=args.dynamic_only,
        write_baseline=write,
    )
    return replace(config, new_only=False) if write is not None else config


def _emit(result: GateResult, *, verdict: bool) -> None:
    from scanner.ci.report import console_summary, render_console, render_junit, render_sarif

    config = result.config
    for path, text, what in (
        (config.sarif, render_sarif, "SARIF"),
        (config.junit, render_junit, "JUnit"),
    ):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text(result), encoding="utf-8")
            print(f"sentinel gate: wrote {what} to {path}", file=sys.stderr)
    if sys.stdout.isatty():
        from rich.console import Console

        Console().print(console_summary(result, verdict=verdict))
    else:
        sys.stdout.write(render_console(result, verdict=verdict))


def run(args: argparse.Namespace) -> int:
    from sentinel.cli import CLIError

    try:
        import httpx  # noqa: F401
        import rich  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise CLIError(EXTRA_HINT) from exc
    from scanner.ci.record import write_baseline
    from scanner.ci.run import run_gate
    from scanner.ci.verdict import gate_exit_code

    config = build(args)
    result = run_gate(config)
    _emit(result, verdict=config.write_baseline is None)
    if config.write_baseline is not None:
        if not result.complete:
            print("sentinel gate: the run was incomplete; no baseline written", file=sys.stderr)
            return 2
        count = write_baseline(result, config.write_baseline)
        print(
            f"sentinel gate: recorded {count} existing finding(s) in {config.write_baseline}", file=sys.stderr
        )
        return 0
    return gate_exit_code(result)


__all__ = ["EXTRA_HINT", "add_arguments", "build", "run"]
