"""``sentinel gate``: one CI step that runs bandit (with Sentinel's plugins) and the scanner, writes one
SARIF and one JUnit file, and decides with one exit code. See ``docs/ci.md``.

:func:`build_config` merges ``[tool.sentinel]`` with flags; :func:`run_gate` runs both halves
(serving an ASGI app on loopback with :class:`AppServer` when asked); :func:`gate_exit_code` decides;
:mod:`scanner.ci.report` writes the reports.
"""

from scanner.ci.config import GateConfig, build_config, read_table
from scanner.ci.report import merged_sarif, render_console, render_junit, render_sarif
from scanner.ci.run import GateResult, run_gate
from scanner.ci.serve import AppFailed, AppServer
from scanner.ci.verdict import gate_exit_code, gating

__all__ = [
    "AppFailed",
    "AppServer",
    "GateConfig",
    "GateResult",
    "build_config",
    "gate_exit_code",
    "gating",
    "merged_sarif",
    "read_table",
    "render_console",
    "render_junit",
    "render_sarif",
    "run_gate",
]
