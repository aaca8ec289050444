"""Static analysis benchmark: ``python -m bench static``.

Four tools on the same code, in one run: bandit (built-in tests only), bandit + Sentinel's plugins,
ruff ``--select S`` and semgrep with its Python rules. The code: DSVW and vulpy (``bad/`` and
``good/``), read from checkouts named by environment variables and never copied into this
repository, and our own gate fixtures (``tests/gate/fixtures``). Each tool is scored against a
ground truth read by hand (:file:`bench/static_truth.toml`; for our fixtures, the lines marked
``# SNT9xx``): a flawed line some finding points at is a true positive, a flawed line none points
at is a miss, and every other line a finding points at is one false positive.

Environment:

- ``SENTINEL_BENCH_DSVW``: a DSVW checkout (the directory holding ``dsvw.py``);
- ``SENTINEL_BENCH_VULPY``: a vulpy checkout (holding ``bad/`` and ``good/``);
- ``SENTINEL_BENCH_SEMGREP``: the semgrep executable (default: ``semgrep`` on PATH), installed in
  its own virtualenv (its dependencies clash with ours);
- ``SENTINEL_BENCH_SEMGREP_RULES``: a semgrep-rules checkout's ``python`` directory.

A missing checkout or tool is skipped with a note. The files are copied to a temporary directory
first (semgrep ignores ``tests/`` paths by default), and each tool runs once over all of them, so
times include one process start each. Peak memory is the largest resident set of the tool's
processes (``wait4``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sentinel_bandit.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
TRUTH_FILE = Path(__file__).with_name("static_truth.toml")
FIXTURES = ROOT / "tests" / "gate" / "fixtures"
TIMEOUT = 1800
OWN_CODE = ("sentinel", "scanner", "sentinel_bandit")
RUNS = 3
#: bandit tests a Sentinel rule decides better by data flow: B608 (SQL built from strings: SNT911),
#: the XML call and import blacklists (every parse is SNT906's, request data raises it to high).
SUPERSEDED = ("B608", *(f"B3{n}" for n in range(13, 21)), *(f"B4{n:02d}" for n in range(5, 11)))

Location = tuple[str, int]  # (path relative to the scan root, line)


@dataclass(frozen=True)
class Flaw:
    target: str
    file: str
    line: int
    cwe: int
    what: str

    @property
    def location(self) -> Location:
        return (f"{self.target}/{self.file}", self.line)


@dataclass(frozen=True)
class Finding:
    path: str
    start: int
    end: int
    rule: str
    severity: str  # upper case: LOW/MEDIUM/HIGH, or the tool's own word

    def covers(self, line: int) -> bool:
        end = self.end if self.end - self.start <= 5 else self.start
        return self.start <= line <= end


@dataclass(frozen=True)
class Run:
    tool: str
    findings: list[Finding]
    seconds: float
    peak_mib: float
    note: str = ""


def _targets() -> tuple[dict[str, Path], list[str]]:
    """Scan directories by target name, and notes for those skipped."""
    targets: dict[str, Path] = {}
    notes: list[str] = []
    dsvw = os.environ.get("SENTINEL_BENCH_DSVW")
    if dsvw and (Path(dsvw) / "dsvw.py").is_file():
        targets["dsvw"] = Path(dsvw)
    else:
        notes.append("DSVW skipped: set SENTINEL_BENCH_DSVW to a checkout holding dsvw.py")
    vulpy = os.environ.get("SENTINEL_BENCH_VULPY")
    if vulpy and (Path(vulpy) / "bad").is_dir():
        targets["vulpy-bad"] = Path(vulpy) / "bad"
        targets["vulpy-good"] = Path(vulpy) / "good"
    else:
        notes.append("vulpy skipped: set SENTINEL_BENCH_VULPY to a checkout holding bad/ and good/")
    targets["fixtures-bad"] = FIXTURES / "bad"
    targets["fixtures-good"] = FIXTURES / "good"
    return targets, notes


def _fixture_truth() -> list[Flaw]:
    flaws = []
    for path in sorted((FIXTURES / "bad").glob("*.py")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            marker = text.rpartition("# ")[2]
            if marker.startswith("SNT9") and len(marker.split()[0]) == 6:
                rule = next(r for r in RULES if r.id == marker.split()[0])
                flaws.append(Flaw("fixtures-bad", path.name, number, rule.cwe, rule.name))
    return flaws


def ground_truth(targets: dict[str, Path]) -> list[Flaw]:
    data = tomllib.loads(TRUTH_FILE.read_text(encoding="utf-8"))
    flaws = [Flaw(target, **entry) for target, entries in data.items() for entry in entries]
    return [f for f in flaws if f.target in targets] + _fixture_truth()


def _copy(targets: dict[str, Path], into: Path) -> None:
    for name, source in targets.items():
        for path in source.glob("*.py"):
            destination = into / name / path.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def _repeat(cmd: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Median wall seconds and largest peak RSS (MiB) of ``runs`` runs."""
    measured = [_measure(cmd, cwd) for _ in range(runs)]
    return sorted(m[0] for m in measured)[runs // 2], max(m[1] for m in measured)


def _measure(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run ``cmd``; (wall seconds, peak RSS MiB, exit status). Output goes to files the tools write."""
    start = time.perf_counter()
    process = subprocess.Popen(
        cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = start + TIMEOUT
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            raise TimeoutError(f"{cmd[0]} ran longer than {TIMEOUT} s")
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, process.returncode


def _bandit(scan: Path, out: Path, *, plugins: bool, superseded: bool = False) -> Run:
    cmd = [sys.executable, "-m", "bandit", "-r", ".", "-f", "json", "-o", str(out), "-q", "--exit-zero"]
    if not plugins:
        cmd += ["-s", ",".join(r.id for r in RULES)]
    elif superseded:
        cmd += ["-s", ",".join(SUPERSEDED)]
    seconds, peak = _repeat(cmd, scan, RUNS)
    findings = [
        Finding(
            path=r["filename"].removeprefix("./"),
            start=r["line_number"],
            end=max(r.get("line_range") or [r["line_number"]]),
            rule=r["test_id"],
            severity=r["issue_severity"],
        )
        for r in json.loads(out.read_text())["results"]
    ]
    name = "bandit + Sentinel plugins" if plugins else "bandit, built-in tests"
    if superseded:
        name += ", superseded bandit tests skipped"
    return Run(name, findings, seconds, peak)


def _ruff(scan: Path, out: Path) -> Run | str:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        return "ruff skipped: not installed"
    cmd = [ruff, "check", "--isolated", "--no-cache", "--select", "S", "--output-format", "json"]
    cmd += ["--exit-zero", "--output-file", str(out), "."]
    seconds, peak = _repeat(cmd, scan, RUNS)
    findings = [
        Finding(
            path=str(Path(r["filename"]).relative_to(scan)),
            start=r["location"]["row"],
            end=r["end_location"]["row"],
            rule=r["code"],
            severity="",
        )
        for r in json.loads(out.read_text())
    ]
    return Run("ruff --select S", findings, seconds, peak)


def _semgrep(scan: Path, out: Path) -> Run | str:
    semgrep = shutil.which(os.environ.get("SENTINEL_BENCH_SEMGREP", "semgrep"))
    rules = os.environ.get("SENTINEL_BENCH_SEMGREP_RULES")
    if semgrep is None or not rules or not Path(rules).is_dir():
        return (
            "semgrep skipped: set SENTINEL_BENCH_SEMGREP (the executable, in its own virtualenv) and "
            "SENTINEL_BENCH_SEMGREP_RULES (a semgrep-rules checkout's python/ directory)"
        )
    cmd = [semgrep, "scan", "--config", rules, "--metrics=off", "--disable-version-check", "--json"]
    cmd += ["--output", str(out), "--quiet", "."]
    seconds, peak, _ = _measure(cmd, scan)
    findings = [
        Finding(
            path=r["path"].removeprefix("./"),
            start=r["start"]["line"],
            end=r["end"]["line"],
            rule=r["check_id"].rpartition(".")[2],
            severity=r["extra"].get("severity", ""),
        )
        for r in json.loads(out.read_text())["results"]
    ]
    return Run("semgrep, Python rules", findings, seconds, peak)


@dataclass(frozen=True)
class Score:
    found: list[Flaw]
    missed: list[Flaw]
    false_positives: list[Location]


def score(run: Run, truth: list[Flaw]) -> Score:
    found = [f for f in truth if any(x.path == f.location[0] and x.covers(f.line) for x in run.findings)]
    flawed: dict[str, list[int]] = {}
    for flaw in truth:
        flawed.setdefault(flaw.location[0], []).append(flaw.line)
    spots = {(x.path, x.start) for x in run.findings}
    right = {(x.path, x.start) for x in run.findings if any(x.covers(n) for n in flawed.get(x.path, []))}
    return Score(found, [f for f in truth if f not in found], sorted(spots - right))


def _per_target(runs: list[Run], truth: list[Flaw], targets: list[str]) -> list[str]:
    lines = ["| tool | " + " | ".join(targets) + " |", "|---|" + "---|" * len(targets)]
    for run in runs:
        cells = []
        for target in targets:
            subset = [f for f in truth if f.target == target]
            part = Run(run.tool, [x for x in run.findings if x.path.startswith(target + "/")], 0, 0)
            result = score(part, subset)
            cells.append(f"{len(result.found)}/{len(subset)} TP, {len(result.false_positives)} FP")
        lines.append(f"| {run.tool} | " + " | ".join(cells) + " |")
    return lines


def _gating_sql(run: Run, truth: list[Flaw]) -> tuple[int, int]:
    """SQL injections (CWE-89) with a HIGH-severity finding on their line: what fails --fail-on high."""
    sql = [f for f in truth if f.cwe == 89]
    gated = [
        f
        for f in sql
        if any(x.path == f.location[0] and x.covers(f.line) and x.severity == "HIGH" for x in run.findings)
    ]
    return len(gated), len(sql)


def _own_code_ratio() -> tuple[float, float]:
    """bandit on our own code without and with the plugins (median of 3 each)."""

    def median(action: Callable[[], float]) -> float:
        return sorted(action() for _ in range(RUNS))[RUNS // 2]

    def once(*extra: str) -> float:
        cmd = [sys.executable, "-m", "bandit", "-r", *OWN_CODE, "-f", "json", "-o", os.devnull]
        cmd += ["-q", "--exit-zero", "-c", "pyproject.toml", *extra]
        return _measure(cmd, ROOT)[0]

    skip = ",".join(r.id for r in RULES)
    return median(lambda: once("-s", skip)), median(once)


def run() -> str:
    targets, notes = _targets()
    truth = ground_truth(targets)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="sentinel-bench-static-") as tmp:
        scan, outputs = Path(tmp) / "scan", Path(tmp) / "out"
        outputs.mkdir()
        _copy(targets, scan)
        runs.append(_bandit(scan, outputs / "bandit.json", plugins=False))
        runs.append(_bandit(scan, outputs / "sentinel.json", plugins=True))
        runs.append(_bandit(scan, outputs / "lean.json", plugins=True, superseded=True))
        for tool in (_ruff(scan, outputs / "ruff.json"), _semgrep(scan, outputs / "semgrep.json")):
            if isinstance(tool, str):
                notes.append(tool)
            else:
                runs.append(tool)
    without, with_plugins = _own_code_ratio()
    rows = []
    for tool_run in runs:
        result = score(tool_run, truth)
        gated, sql = _gating_sql(tool_run, truth)
        rows.append(
            f"| {tool_run.tool} | {len(result.found)} | {len(result.false_positives)} | {len(result.missed)} "
            f"| {gated}/{sql} | {tool_run.seconds:.2f} | {tool_run.peak_mib:.0f} |"
        )
    sentinel = next(r for r in runs if r.tool.startswith("bandit + Sentinel"))
    missed = score(sentinel, truth).missed
    names = ", ".join(targets)
    out = [
        "## Static analysis (`sentinel_bandit` against bandit, ruff and semgrep)",
        "",
        f"Code scanned: {names}. Ground truth: {len(truth)} flawed lines read by hand, listed in",
        "`bench/static_truth.toml` (our fixtures: the lines marked `# SNT9xx`). A flawed line some finding",
        "points at is a true positive; any other line a finding points at is a false positive. *SQL",
        "gated*: SQL injections with a high-severity finding, i.e. that fail `sentinel gate` at the default",
        "`--fail-on high`. Each tool runs over all the code at once; time is wall clock (median of",
        f"{RUNS} runs; semgrep: one run), memory the peak resident set. *Superseded bandit tests skipped*:",
        f"bandit + Sentinel with `-s {','.join(SUPERSEDED)}` (SQL string building and the XML",
        "blacklists, which SNT911 and SNT906 decide by data flow). The machine was shared with other",
        "jobs while measuring.",
        "",
        "| tool | true positives | false positives | missed | SQL gated | seconds | peak MiB |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Per code base (true positives / flaws, false positives):",
        "",
        *_per_target(runs, truth, list(targets)),
        "",
        f"bandit on our own code ({', '.join(f'`{p}/`' for p in OWN_CODE)}, median of {RUNS}):",
        f"built-in tests {without:.2f} s,",
        f"with the Sentinel plugins {with_plugins:.2f} s: **{with_plugins / without:.2f}x**.",
        "",
        "Missed by bandit + Sentinel: "
        + ("; ".join(f"{f.location[0]}:{f.line} (CWE-{f.cwe}, {f.what})" for f in missed) or "none")
        + ".",
    ]
    if notes:
        out += ["", *(f"- {note}" for note in notes)]
    out += [
        "",
        "<details><summary>Ground truth (file:line, CWE, flaw)</summary>",
        "",
        *(f"- `{f.location[0]}:{f.line}` CWE-{f.cwe}: {f.what}" for f in truth),
        "",
        "</details>",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    print(run())
