"""``python -m sentinel_bandit [--errors-file FILE] BANDIT-ARGS...``: bandit, sure of its plugins.

bandit loads plugins through stevedore, which logs and skips one that fails to import, and it logs
and skips a plugin that raises on a file. Both would let a scan pass in silence. This runner first
checks that every Sentinel plugin is registered and loaded (exit 3 with the fix if not), then runs
bandit's own command line unchanged, recording "internal error" log lines in ``--errors-file`` (JSON
list) for the caller (``sentinel gate``) to turn into an incomplete result.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from sentinel_bandit.rules import RULES

EXIT_NOT_LOADED = 3


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().splitlines()[0])


def missing_plugins() -> list[str]:
    """IDs of Sentinel rules bandit has not loaded (imports bandit, which loads all plugins)."""
    from bandit.core import extension_loader  # type: ignore[import-untyped]

    loaded = extension_loader.MANAGER.plugins_by_id
    return [rule.id for rule in RULES if rule.id not in loaded]


def main(argv: list[str]) -> int:
    errors_file: Path | None = None
    if argv[:1] == ["--errors-file"] and len(argv) >= 2:
        errors_file, argv = Path(argv[1]), argv[2:]
    missing = missing_plugins()
    if missing:
        print(
            f"sentinel_bandit: bandit did not load {', '.join(missing)}: reinstall sentinel-asgi in this "
            "environment (pip install -e . or pip install sentinel-asgi) so its bandit.plugins entry points "
            "are registered",
            file=sys.stderr,
        )
        return EXIT_NOT_LOADED
    from bandit.cli import main as bandit_cli  # type: ignore[import-untyped]

    capture = _Errors()
    logging.getLogger("bandit.core.tester").addHandler(capture)
    sys.argv = ["bandit", *argv]
    code: int = 0
    try:
        bandit_cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    finally:
        if errors_file is not None:
            errors_file.write_text(json.dumps(capture.messages), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
