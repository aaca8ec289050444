"""Run every benchmark and write ``docs/benchmarks.md``.

``python -m bench`` (or ``make bench``) runs each ``bench/bench_*.py`` module's ``run()`` in turn.
Each returns a Markdown section whose figures are ratios against peers measured in the same run.
``python -m bench sessions`` runs only the modules whose name contains ``sessions``; a partial run
rewrites only its own sections of the page, keeping the others.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "benchmarks.md"
_SECTION = re.compile(r"<!-- bench:(?P<name>\w+) -->\n(?P<body>.*?)<!-- /bench:(?P=name) -->\n", re.S)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    python = platform.python_version()
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {python}, {platform.system()}"


def main(argv: list[str]) -> int:
    wanted = argv[0] if argv else ""
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py") if wanted in p.stem)
    old = {m["name"]: m["body"] for m in _SECTION.finditer(PAGE.read_text())} if PAGE.exists() else {}
    sections = dict(old)
    for name in modules:
        print(f"== {name}", flush=True)
        body = importlib.import_module(f"bench.{name}").run()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        sections[name] = f"{body.rstrip()}\n\n_Measured {stamp} on {machine()}._\n\n"
        print(body, flush=True)
    header = (
        "# Benchmarks\n\n"
        "Produced by `make bench` (`python -m bench`); each section below is rewritten by its own module in\n"
        "`bench/`. Figures are ratios against peers measured in the same run, on the machine named under\n"
        "each section. Reproduce one section with `python -m bench <name>`.\n\n"
    )
    body = "".join(f"<!-- bench:{n} -->\n{sections[n]}<!-- /bench:{n} -->\n" for n in sorted(sections))
    PAGE.write_text(header + body)
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
