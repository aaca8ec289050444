"""Publish each check's docstring as ``docs/checks/<name>.md``: ``python -m scanner.checks._docs``.

The module docstring *is* the documentation (as in bandit's plugins); this only adds a title and the
rule table, and a test fails when a page and its docstring drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scanner.checks._registry import CheckSpec, registry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "checks"


def render_page(spec: CheckSpec) -> str:
    rows = "\n".join(
        f"| {r.id} | {r.name} | [{r.cwe_id}](https://cwe.mitre.org/data/definitions/{r.cwe}.html) "
        f"| {r.severity.label} | {r.summary} |"
        for r in spec.rules
    )
    _, _, body = spec.doc.partition("\n")
    return (
        f"# {spec.name}\n\n"
        f"<!-- generated from {spec.module}'s docstring by `python -m scanner.checks._docs`; "
        "edit it there -->\n\n"
        f"Kind: {spec.kind.value} check. Run only this check with "
        f"`sentinel scan URL --checks {spec.name}`.\n\n"
        "| Rule | Name | CWE | Default severity | Summary |\n|---|---|---|---|---|\n"
        f"{rows}\n\n{body.strip()}\n"
    )


def pages() -> dict[Path, str]:
    return {DOCS / f"{spec.name}.md": render_page(spec) for spec in registry()}


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    for path, text in pages().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
