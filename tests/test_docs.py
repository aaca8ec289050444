"""Docs are code: every Python block in README.md and docs/ runs, every ``sentinel`` flag exists.

Blocks are found generically (any fenced block whose language is ``python`` in README.md,
docs/*.md and docs/*/*.md), so a page or block added later is covered without touching this file.
A block runs as written unless an HTML comment right before its fence says otherwise (the
convention is written up in docs/index.md, "Examples that run")::

    <!-- docs-test: prelude=routes,users then=readme_login -->

- ``prelude=A,B``: run ``tests/docs_support.py``'s ``PRELUDES[A]``, ``[B]`` first, in the same
  namespace (what the page leaves to the reader: routes, a user table, a request).
- ``then=NAME``: run ``EPILOGUES[NAME]`` afterwards, to exercise what the block built.
- ``continues``: run in the namespace the previous block of the same page left.
- ``body``: the block is a function body (it ``return``s): run it as one.
- ``script``: run prelude + block as ``__main__`` in a fresh interpreter (spawned worker processes,
  process-wide patches).
- ``imports-only reason="..."``: the block needs something a test cannot have (a running app on a
  fixed port); only its imports run and the rest is compiled.
- ``skip reason="..."``: not run at all; the reason is required.

Top-level ``await`` is allowed, as in an ``async def`` handler or ``python -m asyncio``.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import re
import shlex
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sentinel import cli
from sentinel.events import LOGGER_NAME
from tests.docs_support import EPILOGUES, PRELUDES
from tests.support.servers import ROOT, TEST_KEY

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "docs").glob("*/*.md")])
FENCE = re.compile(r"^```([\w+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
MARKER = re.compile(r"<!--\s*docs-test:(.*?)-->\s*$", re.S)
OPTIONS = {"prelude", "then", "continues", "body", "script", "imports-only", "skip", "reason"}


@dataclass
class Block:
    page: Path
    line: int
    language: str
    source: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def parse_marker(text: str, where: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for token in shlex.split(text):
        name, _, value = token.partition("=")
        if name not in OPTIONS:
            raise AssertionError(f"{where}: unknown docs-test option {name!r} (known: {sorted(OPTIONS)})")
        options[name] = value
    return options


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip()
        block = Block(page, line, match.group(1).lower(), match.group(2))
        marker = MARKER.search(before[-400:])
        if marker and before.endswith("-->"):
            block.options = parse_marker(marker.group(1), block.where)
        found.append(block)
    return found


PYTHON_PAGES = [p for p in PAGES if any(b.language == "python" for b in blocks(p))]


def run_source(source: str, namespace: dict[str, Any], filename: str) -> None:
    code = compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)  # noqa: S307 - our own documentation, that is the point
    if inspect.iscoroutine(result):
        asyncio.run(result)


def as_body(source: str) -> str:
    """A block that ``return``s is a handler's body: run it as one."""
    return "async def __docs_block__():\n" + textwrap.indent(source, "    ") + "\nawait __docs_block__()\n"


def imports_of(source: str) -> str:
    tree = ast.parse(source)
    return "\n".join(ast.unparse(node) for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom))


def prelude_source(block: Block) -> str:
    names = [n for n in block.options.get("prelude", "").split(",") if n]
    missing = [n for n in names if n not in PRELUDES]
    assert not missing, f"{block.where}: no prelude {missing} in tests/docs_support.py"
    return "\n".join(PRELUDES[n] for n in names)


def run_block(block: Block, namespace: dict[str, Any]) -> None:
    opts = block.options
    if "skip" in opts or "imports-only" in opts:
        assert opts.get("reason"), f'{block.where}: skip and imports-only need reason="..."'
    if "skip" in opts:
        return
    source = as_body(block.source) if "body" in opts else block.source
    if "imports-only" in opts:
        compile(source, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        run_source(imports_of(block.source), namespace, block.where)
        return
    if "script" in opts:
        script = prelude_source(block) + "\n" + source
        proc = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
        )
        assert proc.returncode == 0, f"{block.where} failed as a script:\n{proc.stdout}\n{proc.stderr}"
        return
    run_source(prelude_source(block), namespace, f"{block.where} (prelude)")
    run_source(source, namespace, block.where)
    if opts.get("then"):
        assert opts["then"] in EPILOGUES, f"{block.where}: no epilogue {opts['then']!r}"
        run_source(EPILOGUES[opts["then"]], namespace, f"{block.where} (then={opts['then']})")


@pytest.fixture
def docs_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What a reader following the docs has: a key, and a clean working directory."""
    monkeypatch.setenv("SENTINEL_SECRET_KEYS", TEST_KEY)
    monkeypatch.chdir(tmp_path)
    logger = logging.getLogger(LOGGER_NAME)
    handlers, level = list(logger.handlers), logger.level
    yield
    for handler in logger.handlers[:]:
        if handler not in handlers:
            logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.usefixtures("docs_env")
@pytest.mark.parametrize("page", PYTHON_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(page: Path) -> None:
    namespace: dict[str, Any] = {}
    for block in blocks(page):
        if block.language != "python":
            continue
        if "continues" not in block.options:
            namespace = {"__name__": "__docs__"}
        try:
            run_block(block, namespace)
        except Exception as exc:
            raise AssertionError(f"{block.where}: {type(exc).__name__}: {exc}") from exc


# --- shell commands -------------------------------------------------------------------------------

INLINE = re.compile(r"`((?:\.venv/bin/)?sentinel [^`]+)`")


def commands(page: Path) -> list[tuple[str, str]]:
    """``(where, command)`` for each ``sentinel ...`` command in ``page``: inline or in a shell block."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in INLINE.finditer(text):
        found.append(
            (f"{page.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}", match.group(1))
        )
    for block in blocks(page):
        if block.language not in ("", "sh", "shell", "bash", "console", "yaml"):
            continue
        joined = block.source.replace("\\\n", " ")
        for offset, raw in enumerate(joined.splitlines()):
            line = raw.strip().removeprefix("- ").removeprefix("run: ").strip()
            if block.language == "console" or line.startswith("$ "):
                if not line.startswith("$ "):
                    continue  # output, not a command
                line = line[2:]
            if re.match(r"(\.venv/bin/)?sentinel \S", line):
                found.append((f"{block.where}+{offset + 1}", line))
    return found


def split_command(command: str) -> list[str]:
    command = command.split("  #", 1)[0].split(" # ", 1)[0]
    return shlex.split(command.replace("\n", " "))


def known_options(subcommand: str) -> set[str]:
    parser, subparsers = cli._parser()
    cli._load(subcommand).add_arguments(subparsers[subcommand])
    options = set(parser._option_string_actions)
    options |= set(subparsers[subcommand]._option_string_actions)
    return options


ALL_COMMANDS = [(where, cmd) for page in PAGES for where, cmd in commands(page)]


def test_the_docs_show_sentinel_commands() -> None:
    assert len([c for c in ALL_COMMANDS if " --" in c[1]]) >= 10


@pytest.mark.parametrize(("where", "command"), ALL_COMMANDS, ids=[w for w, _ in ALL_COMMANDS])
def test_every_documented_flag_exists(where: str, command: str) -> None:
    words = split_command(command)
    if len(words) < 2 or words[1].endswith(":"):
        return  # a heading or output line such as "sentinel migrate-passwords: DRY RUN"
    subcommand = words[1]
    if subcommand.startswith("-"):
        options = known_options("demo") & {"--version", "--debug", "-h", "--help"}
        flags = [w for w in words[1:] if w.startswith("-")]
    else:
        assert subcommand in cli.SUBCOMMANDS, f"{where}: `sentinel {subcommand}` is not a subcommand"
        options = known_options(subcommand)
        flags = [w for w in words[2:] if w.startswith("-") and w != "-"]
    unknown = [f for f in flags if f.split("=", 1)[0] not in options]
    assert not unknown, f"{where}: `{command}` uses {unknown}, which `sentinel {subcommand} --help` lacks"


def test_help_of_every_subcommand_parses() -> None:
    for name in cli.SUBCOMMANDS:
        with pytest.raises(SystemExit) as info:
            cli.main([name, "--help"])
        assert info.value.code == 0


def test_install_instructions_work_before_a_release() -> None:
    """``sentinel-asgi`` is not on PyPI yet: the docs install from a checkout or a Git URL."""
    bad = [
        f"{page.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
        for page in PAGES
        for text in [page.read_text(encoding="utf-8")]
        for m in re.finditer(r"pip install [^\n`]*", text)
        if "sentinel-asgi" in m.group(0) and " @ git+" not in m.group(0)
    ]
    assert not bad, f"pip install from PyPI before a release: {bad}"


def test_marker_options_are_all_known() -> None:
    for page in PAGES:
        for block in blocks(page):
            assert set(block.options) <= OPTIONS, block.where
