"""``sentinel scan BASE_URL``: scan a running web app's session security and gate CI on the result.

Exit codes: 0 nothing confirmed at or above ``--fail-on`` (default high); 1 findings at or above it,
or an expired baseline entry; 2 a usage or configuration error, or an incomplete scan (unreachable
target, failed login, spent budget). See ``docs/scanner.md``.

The scanner needs the ``scan`` extra (httpx, rich): ``pip install '.[scan]'`` in a checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sentinel.extras import install_hint

if TYPE_CHECKING:
    from scanner.config import ScanConfig
    from scanner.result import ScanResult

EXTRA_HINT = f"the scanner needs the 'scan' extra: {install_hint('scan')}"


def _ids(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(",") if part.strip())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Scan a web app's session security and injection flaws. Scan only what you are authorised to test."
    )
    parser.add_argument("base_url", nargs="?", metavar="BASE_URL", help="e.g. http://127.0.0.1:8000/")
    login = parser.add_argument_group("login")
    login.add_argument("--login-url", metavar="PATH", help="the login page or endpoint, e.g. /login")
    login.add_argument(
        "--login-format",
        choices=["form", "json", "get"],
        default="form",
        help="form: an HTML login form; json: POST a JSON object; get: a login link with the credentials "
        "in its query",
    )
    login.add_argument("--username", metavar="U")
    login.add_argument("--password", metavar="P", help="visible in the process list: prefer --password-env")
    login.add_argument(
        "--password-env", metavar="NAME", help="read the password from this environment variable"
    )
    login.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="send this header on every request (repeatable), e.g. 'Authorization: Bearer ...' for a "
        "token you already have; the value is redacted from reports",
    )
    login.add_argument("--username-field", default="username")
    login.add_argument("--password-field", default="password")
    login.add_argument("--logout-url", metavar="PATH")
    login.add_argument(
        "--auth-check-url", metavar="PATH", help="a page only a logged-in user sees (found if unset)"
    )
    out = parser.add_argument_group("report and gate")
    out.add_argument("--format", choices=["console", "json", "sarif", "junit", "html"], default="console")
    out.add_argument("--output", metavar="FILE", type=Path, help="write the report here instead of stdout")
    out.add_argument("--fail-on", default="high", metavar="LEVEL", help="info|low|medium|high|critical|never")
    out.add_argument("--baseline", metavar="FILE", type=Path, help="accepted findings (see docs/scanner.md)")
    pace = parser.add_argument_group("politeness")
    pace.add_argument("--max-rps", type=float, default=10.0, help="requests per second (default 10)")
    pace.add_argument("--concurrency", type=int, default=4)
    pace.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    pace.add_argument("--max-requests", type=int, default=3000, help="request budget")
    scope = parser.add_argument_group("discovery and checks")
    scope.add_argument(
        "--checks", type=_ids, default=frozenset(), metavar="IDS", help="run only these (names or rule IDs)"
    )
    scope.add_argument("--exclude-checks", type=_ids, default=frozenset(), metavar="IDS")
    scope.add_argument("--list-checks", action="store_true", help="list the checks and exit")
    scope.add_argument("--depth", type=int, default=3, help="crawl depth")
    scope.add_argument("--max-pages", type=int, default=150)
    scope.add_argument(
        "--openapi", metavar="URL|FILE", help="an OpenAPI 3 document (default: /openapi.json if served)"
    )
    scope.add_argument("--endpoints", metavar="FILE", type=Path, help="a file of endpoints, one per line")
    scope.add_argument(
        "--allow-origin", action="append", default=[], metavar="ORIGIN", help="widen the scope"
    )
    scope.add_argument(
        "--level",
        type=int,
        choices=[1, 2, 3],
        default=1,
        help="injection checks: 1 fast (CI default), 2 more contexts and time-based, 3 thorough",
    )
    scope.add_argument(
        "--inject-header",
        action="append",
        default=[],
        metavar="NAME[:VALUE]",
        help="also inject into this request header (repeatable); VALUE is its benign baseline value",
    )
    scope.add_argument("--samples", type=int, default=80, help="session IDs to collect")
    scope.add_argument("--brute-force-attempts", type=int, default=30)


def _password(args: argparse.Namespace) -> str | None:
    from sentinel.cli import CLIError

    if args.password is not None and args.password_env:
        raise CLIError("give --password or --password-env, not both")
    if args.password_env:
        value = os.environ.get(args.password_env)
        if value is None:
            raise CLIError(f"--password-env {args.password_env}: that environment variable is not set")
        return value
    if args.password is not None:
        print(
            "sentinel scan: warning: --password is visible in the process list; prefer --password-env",
            file=sys.stderr,
        )
    password: str | None = args.password
    return password


def build_config(args: argparse.Namespace) -> ScanConfig:
    from scanner.config import Limits, LoginConfig, ScanConfig, SessionCheckSettings
    from sentinel.cli import CLIError
    from sentinel.keys import Secret

    if not args.base_url:
        raise CLIError("BASE_URL is required, e.g. sentinel scan http://127.0.0.1:8000/")
    password = _password(args)
    login = None
    if args.login_url:
        login = LoginConfig(
            url=args.login_url,
            format=args.login_format,
            username=args.username,
            password=Secret(password) if password is not None else None,
            username_field=args.username_field,
            password_field=args.password_field,
            logout_url=args.logout_url,
            auth_check_url=args.auth_check_url,
        )
    elif args.username or password or args.logout_url:
        raise CLIError("--username/--password/--logout-url need --login-url")
    return ScanConfig(
        base_url=args.base_url,
        login=login,
        limits=Limits(
            max_rps=args.max_rps,
            concurrency=args.concurrency,
            timeout=args.timeout,
            max_requests=args.max_requests,
        ),
        session=SessionCheckSettings(samples=args.samples, brute_force_attempts=args.brute_force_attempts),
        crawl_depth=args.depth,
        max_pages=args.max_pages,
        openapi=args.openapi,
        endpoints_file=args.endpoints,
        checks=args.checks,
        exclude_checks=args.exclude_checks,
        extra_origins=tuple(args.allow_origin),
        level=args.level,
        inject_headers=tuple(_header(text) for text in args.inject_header),
        headers=tuple(_required_header(text) for text in args.header),
    )


def _required_header(text: str) -> tuple[str, str]:
    from sentinel.cli import CLIError

    name, colon, value = text.partition(":")
    if not colon or not value.strip():
        raise CLIError(f"--header {name.strip()!r}: give it as NAME:VALUE, e.g. --header 'X-Api-Key: ...'")
    return name.strip(), value.strip()


def _header(text: str) -> tuple[str, str]:
    name, _, value = text.partition(":")
    return name.strip(), value.strip()


def _list_checks() -> int:
    from scanner.checks import registry

    for spec in registry():
        for rule in spec.rules:
            print(f"{rule.id}  {spec.name:28} {rule.cwe_id:9} {rule.severity.label:8} {rule.summary}")
    return 0


def run(args: argparse.Namespace) -> int:
    from sentinel.cli import CLIError

    try:
        import httpx  # noqa: F401
        import rich  # noqa: F401
    except ImportError as exc:
        raise CLIError(EXTRA_HINT) from exc
    from scanner import apply_baseline, exit_code, load_baseline, parse_fail_on

    if args.list_checks:
        return _list_checks()
    try:
        fail_on = parse_fail_on(args.fail_on)
    except ValueError as exc:
        raise CLIError(f"--fail-on: {exc}") from None
    config = build_config(args)
    baseline = load_baseline(args.baseline) if args.baseline else None
    result = _scan_with_progress(config)
    if baseline is not None:
        result = apply_baseline(result, baseline)
    _emit(result, args)
    code = exit_code(result, fail_on)
    print(f"sentinel scan: {_summary(result)}; exit {code} (--fail-on {args.fail_on})", file=sys.stderr)
    return code


def _scan_with_progress(config: ScanConfig) -> ScanResult:
    """Run the scan with a progress display on stderr: live on a TTY, one line per phase otherwise."""
    from scanner import run_scan
    from scanner.progress import RichLive, for_stream

    display = for_stream(sys.stderr)
    if isinstance(display, RichLive):
        with display:
            return asyncio.run(run_scan(config, progress=display))
    return asyncio.run(run_scan(config, progress=display))


def _emit(result: ScanResult, args: argparse.Namespace) -> None:
    from scanner import render
    from scanner.report.console import console_renderables

    if args.output is not None:
        args.output.write_text(render(result, args.format), encoding="utf-8")
        print(f"sentinel scan: wrote {args.format} report to {args.output}", file=sys.stderr)
    elif args.format == "console" and sys.stdout.isatty():
        from rich.console import Console

        Console().print(console_renderables(result))
    else:
        sys.stdout.write(render(result, args.format))


def _summary(result: ScanResult) -> str:
    active = result.active_findings()
    confirmed = sum(1 for f in active if f.confidence.label == "confirmed")
    state = "complete" if result.complete else "INCOMPLETE: " + "; ".join(result.incomplete)
    return f"{len(active)} finding(s), {confirmed} confirmed; scan {state}"


__all__ = ["EXTRA_HINT", "add_arguments", "build_config", "run"]
