"""Run bandit (with Sentinel's plugins) in a child process and read its JSON report.

A child process, not bandit's internals in ours: bandit's command line and JSON report are its
documented interface; its manager classes are not. The child is ``python -m sentinel_bandit``, which
refuses to run (exit 3) unless every Sentinel plugin loaded, and records plugin crashes that bandit
itself would only log. It starts in :meth:`BanditRun.__enter__` and is collected by
:meth:`BanditRun.result`, so the gate runs the dynamic half while bandit works on the other core.

Anything that makes the run unreliable becomes an *error* in the result (the gate then exits 2):
bandit missing, a plugin missing, a file bandit could not parse, a plugin crash, a timeout, no Python
file scanned at all (a path typo, or ``[tool.bandit] exclude_dirs`` matching everything: bandit
excludes by *substring*, so ``tests`` also excludes ``tests/gate/fixtures``).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from scanner.errors import ScanConfigError
from scanner.result import utc_now
from scanner.static.findings import StaticConfidence, StaticFinding, StaticResult, number_occurrences
from scanner.static.rules import RuleInfo, bandit_rule, sentinel_rules, severity
from sentinel._version import __version__

EXTRA_HINT = "the static half needs bandit: pip install 'sentinel-asgi[gate]'"
#: Seconds bandit may take before the run is abandoned as incomplete.
DEFAULT_BANDIT_TIMEOUT = 600.0
_TAIL = 2000


@dataclass(frozen=True, kw_only=True)
class StaticSettings:
    """What to scan. Relative ``paths`` are relative to ``root`` (where bandit runs)."""

    root: Path
    paths: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    #: A pyproject.toml (or bandit YAML/INI) whose bandit settings to honour; passed as ``-c``.
    bandit_config: Path | None = None
    timeout: float = DEFAULT_BANDIT_TIMEOUT

    def command(self, report: Path, errors: Path) -> list[str]:
        cmd = [sys.executable, "-m", "sentinel_bandit", "--errors-file", str(errors), "-r", *self.paths]
        cmd += ["-f", "json", "-o", str(report), "-q", "--exit-zero"]
        if self.bandit_config is not None:
            cmd += ["-c", str(self.bandit_config)]
        if self.exclude:
            cmd += ["-x", ",".join(self.exclude)]
        return cmd


def bandit_version() -> str:
    if importlib.util.find_spec("bandit") is None:
        raise ScanConfigError([EXTRA_HINT])
    return importlib.metadata.version("bandit")


class BanditRun:
    """``with BanditRun(settings) as run: ...; result = run.result()``. Always reaps the child."""

    def __init__(self, settings: StaticSettings) -> None:
        self.settings = settings
        self.version = bandit_version()
        self._tmp = tempfile.TemporaryDirectory(prefix="sentinel-bandit-")
        self._dir = Path(self._tmp.name)
        self._proc: subprocess.Popen[bytes] | None = None
        self._started = utc_now()
        self._deadline = 0.0

    def __enter__(self) -> BanditRun:
        report, errors, log = self._dir / "report.json", self._dir / "errors.json", self._dir / "stderr"
        with log.open("wb") as stderr:
            self._proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
                self.settings.command(report, errors),
                cwd=self.settings.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self._started = utc_now()
        self._deadline = time.monotonic() + self.settings.timeout
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=10)
        self._tmp.cleanup()

    def result(self) -> StaticResult:
        """Wait for bandit (up to the timeout) and read its report."""
        if self._proc is None:
            raise RuntimeError("BanditRun.result() outside its with block")
        try:
            code = self._proc.wait(timeout=max(0.0, self._deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
            return self._empty([f"bandit did not finish within {self.settings.timeout:.0f} s"])
        stderr = (self._dir / "stderr").read_text(encoding="utf-8", errors="replace").strip()
        if code != 0:
            return self._empty([f"bandit exited with {code}: {stderr[-_TAIL:] or 'no message'}"])
        try:
            report = json.loads((self._dir / "report.json").read_text(encoding="utf-8"))
            crashes = json.loads((self._dir / "errors.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            return self._empty([f"bandit wrote no readable report ({exc}): {stderr[-_TAIL:]}"])
        return parse_report(
            report,
            root=self.settings.root,
            paths=self.settings.paths,
            bandit_version=self.version,
            started=self._started,
            crashes=tuple(str(c) for c in crashes),
        )

    def _empty(self, errors: list[str]) -> StaticResult:
        return StaticResult(
            started=self._started,
            finished=utc_now(),
            bandit_version=self.version,
            plugins_version=__version__,
            paths=self.settings.paths,
            files=0,
            lines=0,
            findings=(),
            rules=tuple(sentinel_rules().values()),
            errors=tuple(errors),
        )


class _Sources:
    """Source lines by file, read once, for the code each finding points at."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str]] = {}

    def relative(self, filename: str) -> str:
        path = (self.root / filename).resolve()
        try:
            return path.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def code(self, filename: str, first: int, last: int) -> str:
        if filename not in self._lines:
            try:
                text = (self.root / filename).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._lines[filename] = text.splitlines()
        return "\n".join(self._lines[filename][max(first, 1) - 1 : max(last, first)]).strip()


def _finding(raw: dict[str, Any], sources: _Sources, infos: dict[str, RuleInfo]) -> StaticFinding:
    test_id = str(raw.get("test_id", ""))
    cwe = int((raw.get("issue_cwe") or {}).get("id") or 0)
    level = str(raw.get("issue_severity", "UNDEFINED"))
    info = infos.setdefault(
        test_id,
        bandit_rule(test_id, str(raw.get("test_name", "")), cwe, level, str(raw.get("more_info", ""))),
    )
    line = int(raw.get("line_number") or 1)
    lines = [int(n) for n in raw.get("line_range") or [line]]
    filename = str(raw.get("filename", ""))
    try:
        confidence = StaticConfidence.parse(str(raw.get("issue_confidence", "LOW")))
    except ValueError:
        confidence = StaticConfidence.LOW
    return StaticFinding(
        rule=info.rule,
        severity=severity(level),
        confidence=confidence,
        path=sources.relative(filename),
        line=line,
        end_line=max(lines),
        code=sources.code(filename, min(lines), max(lines)),
        message=str(raw.get("issue_text", "")),
    )


def parse_report(
    report: dict[str, Any],
    *,
    root: Path,
    paths: tuple[str, ...],
    bandit_version: str,
    started: dt.datetime,
    crashes: tuple[str, ...] = (),
) -> StaticResult:
    """A :class:`StaticResult` from bandit's JSON report (``bandit -f json``)."""
    sources = _Sources(root)
    infos: dict[str, RuleInfo] = dict(sentinel_rules())
    findings = [_finding(raw, sources, infos) for raw in report.get("results", [])]
    metrics = report.get("metrics", {})
    totals = metrics.get("_totals", {})
    files = sum(1 for name in metrics if name != "_totals")
    errors = [
        f"bandit could not scan {e.get('filename')}: {e.get('reason')}" for e in report.get("errors", [])
    ]
    errors += [f"a bandit plugin crashed: {c}" for c in crashes]
    if files == 0:
        errors.append(
            f"bandit scanned no Python file under {', '.join(paths)} (check the paths, and [tool.bandit] "
            "exclude_dirs: bandit excludes by substring)"
        )
    rules = sorted(infos.values(), key=lambda i: i.rule.id)
    return StaticResult(
        started=started,
        finished=utc_now(),
        bandit_version=bandit_version,
        plugins_version=__version__,
        paths=paths,
        files=files,
        lines=int(totals.get("loc", 0)),
        findings=tuple(number_occurrences(findings)),
        rules=tuple(rules),
        errors=tuple(errors),
        nosec=int(totals.get("nosec", 0)) + int(totals.get("skipped_tests", 0)),
    )


__all__ = [
    "DEFAULT_BANDIT_TIMEOUT",
    "EXTRA_HINT",
    "BanditRun",
    "StaticSettings",
    "bandit_version",
    "parse_report",
]
