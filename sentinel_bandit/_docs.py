"""Publish each static rule's docstring as ``docs/checks/static-<name>.md``:
``python -m sentinel_bandit._docs``.

The plugin module's docstring *is* the documentation (bandit's convention, and what the SARIF
carries as the rule's help); this adds a title and the rule table, and a test fails when a page and
its docstring drift apart. ``static-`` keeps the names apart from the scanner's pages
(``sql-injection.md`` is the dynamic check).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sentinel_bandit._registry import documentation
from sentinel_bandit.rules import RULES, PluginRule

DOCS = Path(__file__).resolve().parents[1] / "docs" / "checks"


def render_page(rule: PluginRule) -> str:
    _, _, body = documentation(rule).partition("\n")
    source = f"sentinel_bandit.{rule.module}"
    cwe = f"[CWE-{rule.cwe}](https://cwe.mitre.org/data/definitions/{rule.cwe}.html)"
    return (
        f"# static: {rule.name}\n\n"
        f"<!-- generated from {source}'s docstring by `python -m sentinel_bandit._docs`; "
        "edit it there -->\n\n"
        f"Kind: static rule (a bandit plugin run by `sentinel gate`). Run only this rule with "
        f"`bandit -r src -t {rule.id}`; silence one line with `# nosec {rule.id}`.\n\n"
        "| Rule | Name | CWE | Severity | Summary |\n|---|---|---|---|---|\n"
        f"| {rule.id} | {rule.name} | {cwe} | {rule.severity.lower()} | {rule.summary} |\n\n{body.strip()}\n"
    )


def pages() -> dict[Path, str]:
    return {DOCS / f"static-{rule.name}.md": render_page(rule) for rule in RULES}


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    for path, text in pages().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
