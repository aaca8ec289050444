"""Serve the app under test from an import string on a free loopback port, for as long as the gate runs.

The app runs in its own process (``python -m uvicorn``), not in a thread of the gate: its imports,
globals, logging and warnings stay out of the gate, a crash or a hang in it cannot take the gate
down, and stopping it is a signal, then a kill. On POSIX the gate binds the socket itself
(127.0.0.1, port 0) and hands it to uvicorn with ``--fd``, so no other process can take the port
between choosing and binding it; elsewhere it picks a free port and passes ``--port``.

Readiness: the server is ready when it answers any HTTP request to ``/`` (even 404). Until then the
gate retries every 100 ms; if the process exits first or ``startup_timeout`` passes, it raises
:class:`AppFailed` with the end of the app's output. The app's output goes to a temporary file (a
chatty app cannot block on a full pipe), shown only when something went wrong.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

from scanner.errors import IncompleteScan

LOOPBACK = "127.0.0.1"
_POLL = 0.1
_STOP_TIMEOUT = 10.0
_TAIL_LINES = 20


class AppFailed(IncompleteScan):
    """The app did not start (import error, crash, no answer in time) or died during the scan."""


class AppServer:
    """``with AppServer("examples.app:app", app_dir=root) as url: ...``; always stopped on exit."""

    def __init__(
        self,
        app: str,
        *,
        app_dir: Path,
        env: dict[str, str] | None = None,
        startup_timeout: float = 30.0,
    ) -> None:
        self.app = app
        self.app_dir = app_dir
        self.env = {**os.environ, **(env or {})}
        self.startup_timeout = startup_timeout
        self.url = ""
        self._sock: socket.socket | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="sentinel-gate-app-", suffix=".log", delete=False)  # noqa: SIM115 - closed in __exit__

    def _command(self) -> tuple[list[str], tuple[int, ...]]:
        cmd = [sys.executable, "-m", "uvicorn", self.app, "--app-dir", str(self.app_dir)]
        cmd += ["--log-level", "warning", "--no-access-log"]
        if os.name == "posix":
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._sock.bind((LOOPBACK, 0))
            self._sock.set_inheritable(True)
            port = int(self._sock.getsockname()[1])
            self.url = f"http://{LOOPBACK}:{port}/"
            return [*cmd, "--fd", str(self._sock.fileno())], (self._sock.fileno(),)
        with socket.socket() as probe:
            probe.bind((LOOPBACK, 0))
            port = int(probe.getsockname()[1])
        self.url = f"http://{LOOPBACK}:{port}/"
        return [*cmd, "--host", LOOPBACK, "--port", str(port)], ()

    def __enter__(self) -> str:
        cmd, fds = self._command()
        try:
            self._proc = subprocess.Popen(  # noqa: S603 - our interpreter, uvicorn, the configured app
                cmd,
                cwd=self.app_dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                pass_fds=fds,
            )
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self.url

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            while True:
                self.check_alive()
                try:
                    client.get(self.url)
                    return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise AppFailed(
                        f"the app {self.app} did not answer within {self.startup_timeout:.0f} s{self.tail()}"
                    )
                time.sleep(_POLL)

    def check_alive(self) -> None:
        """Raise :class:`AppFailed` if the app's process has exited."""
        if self._proc is not None and self._proc.poll() is not None:
            raise AppFailed(f"the app {self.app} exited with {self._proc.returncode}{self.tail()}")

    def tail(self) -> str:
        self._log.flush()
        lines = Path(self._log.name).read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return (":\n" + "\n".join(lines[-_TAIL_LINES:])) if lines else ""

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.send_signal(signal.SIGINT if os.name == "posix" else signal.SIGTERM)
                try:
                    self._proc.wait(timeout=_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait(timeout=_STOP_TIMEOUT)
        finally:
            if self._sock is not None:
                self._sock.close()
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)


__all__ = ["LOOPBACK", "AppFailed", "AppServer"]
