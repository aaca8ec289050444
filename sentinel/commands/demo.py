"""``sentinel demo``: serve the hardened example app (``examples/app.py``) on loopback.

The bind address comes from ``--host``/``--port`` or ``SENTINEL_HOST``/``SENTINEL_PORT`` and
defaults to 127.0.0.1, never all interfaces.
"""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=os.environ.get("SENTINEL_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SENTINEL_PORT", "8000")))


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from sentinel.cli import CLIError

    try:
        import examples.app  # noqa: F401 - fail early with a clear message
    except ImportError as exc:
        raise CLIError("run it from the project root (examples/ must be importable)") from exc
    print(f"Hardened example app on http://{args.host}:{args.port}/  (log in as alice)")
    uvicorn.run("examples.app:app", host=args.host, port=args.port, log_level="info")
    return 0
