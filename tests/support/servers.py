"""Serve an ASGI app with uvicorn on 127.0.0.1 in a subprocess, for tests over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
TEST_KEY = "test-only-signing-key-0123456789-abcdefghijklmnop"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    app: str, *, env: Mapping[str, str] | None = None, ready_path: str = "/", timeout: float = 20.0
) -> Iterator[str]:
    """Run ``uvicorn APP`` on a free loopback port; yield its base URL; stop it afterwards."""
    port = free_port()
    full_env = {**os.environ, "SENTINEL_SECRET_KEYS": TEST_KEY, "PYTHONPATH": str(ROOT), **(env or {})}
    cmd = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--log-level", "warning", "--no-access-log"]
    # The server's output goes to a file, not a pipe: nobody reads a pipe while the test runs, and a
    # server that logs (500 security events in a hostile test) would block on a full pipe buffer.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                out = log.read().decode(errors="replace")
                raise RuntimeError(f"{app} exited with {proc.returncode}:\n{out}")
            try:
                httpx.get(base + ready_path, timeout=0.5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{app} did not start within {timeout}s") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
