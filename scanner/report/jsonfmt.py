"""JSON report: the full result, keys sorted, two-space indent, newline-terminated."""

from __future__ import annotations

import json

from scanner.report.model import result_dict
from scanner.result import ScanResult


def render_json(result: ScanResult) -> str:
    return json.dumps(result_dict(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


__all__ = ["render_json"]
