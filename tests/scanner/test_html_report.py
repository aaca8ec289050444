"""The HTML report says which app each section is, how to fix each finding, and why each check
that did not pass did not (issue #14's demo report)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.report.htmlfmt import render_html_document
from tests.scanner.test_reports import sample_result

ROOT = Path(__file__).resolve().parents[2]


def test_sections_are_labelled_vulnerable_and_hardened() -> None:
    html = render_html_document(
        [sample_result(), sample_result()],
        labels=["Vulnerable: examples/bad.py", "Hardened: examples/app.py"],
    )
    headings = re.findall(r"<h2>(.*?)</h2><p class='meta'>scanned at ([^<]+)</p>", html)
    assert headings == [
        ("<span class='label vulnerable'>Vulnerable</span> examples/bad.py", "http://127.0.0.1:8000/"),
        ("<span class='label hardened'>Hardened</span> examples/app.py", "http://127.0.0.1:8000/"),
    ]


def test_one_label_per_result() -> None:
    with pytest.raises(ValueError, match="one label per result"):
        render_html_document([sample_result()], labels=[])


def test_each_finding_has_its_fix_and_a_working_link_to_its_docs_page() -> None:
    html = render_html_document([sample_result()], docs_base="docs/checks/")
    fixes = re.findall(r"<p class='fix'><strong>Fix:</strong> (.*?) \(more: <a href='([^']+)'>", html)
    # table row and details for each of the four findings
    assert len(fixes) == 8
    for text, href in fixes:
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z(<])", text)
        assert 1 <= len(sentences) <= 2, text
        assert (ROOT / href).is_file(), href  # relative to the project root, where the demo writes
    assert "docs/checks/session-fixation.md" in {href for _, href in fixes}
    assert any("<code>sentinel.login(request, user_id)</code>" in text for text, _ in fixes)


def test_without_a_docs_base_the_page_is_named_not_linked() -> None:
    html = render_html_document([sample_result()])
    assert "(more: docs/checks/session-fixation.md)" in html and "<a href" not in html


def test_failed_and_skipped_checks_say_why() -> None:
    html = render_html_document([sample_result()])
    rows = dict(re.findall(r"<tr><td>([\w-]+)</td><td>[^<]*</td><td class='[\w-]+'>([^<]*)</td></tr>", html))
    assert rows["session-fixation"] == "failed: found SNT103 session-fixation"
    assert rows["cookie-flags"] == "failed: found SNT108 cookie-httponly; SNT109 cookie-secure"
    assert rows["session-valid-after-logout"] == "skipped: no login configured"


def test_the_demo_report_is_ignored_by_git() -> None:
    assert "sentinel-demo-report.html" in (ROOT / ".gitignore").read_text().splitlines()
