"""The public surface: ``__all__`` is honest, and the error tree is what its docstring says."""

from __future__ import annotations

import inspect
import io
import types

import sentinel.migrate as migrate
from sentinel.errors import SentinelError
from sentinel.migrate import errors
from sentinel.migrate.progress import PlainProgress, RichProgress, duration, make_progress


def test_all_is_complete_and_sorted() -> None:
    public = {
        name
        for name in dir(migrate)
        if not name.startswith("_") and not isinstance(getattr(migrate, name), types.ModuleType)
    }
    assert set(migrate.__all__) == public - {"annotations"}
    assert list(migrate.__all__) == sorted(migrate.__all__, key=lambda n: (not n.isupper(), n))


def test_every_error_is_exported_and_documented() -> None:
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.MigrationError)
    ]
    assert len(classes) >= 9
    for cls in classes:
        assert cls.__name__ in migrate.__all__
        assert cls.__name__ in (errors.__doc__ or "")
        assert issubclass(cls, SentinelError)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise() -> None:
    terminal = Terminal()
    bar = make_progress(terminal)
    assert isinstance(bar, RichProgress)
    bar.start(10)
    bar.update(4, 4)
    bar.stop()
    assert "rows/s" in terminal.getvalue() and "4/10" in terminal.getvalue()

    log = io.StringIO()
    lines = make_progress(log)
    assert isinstance(lines, PlainProgress)
    lines.interval = 0
    lines.start(10)
    lines.update(5, 5)
    lines.stop()
    assert (
        log.getvalue().count("\n") == 2 and "5/10 rows (50.0%)" in log.getvalue() and "ETA" in log.getvalue()
    )


def test_durations_read_well() -> None:
    assert duration(7) == "0:00:07"
    assert duration(86400 + 3723) == "1d 1:02:03"
