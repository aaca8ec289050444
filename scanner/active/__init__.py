"""Shared machinery of the active (injection) checks: probes, payload safety, comparison, timing.

The checks themselves live in ``scanner/checks/`` (one module each); this package holds what they
share, so each check module reads as its method and its payloads:

- :mod:`~scanner.active.probe`: :class:`PointProbe`, one check at one insertion point (shared
  baselines, guarded sends, findings);
- :mod:`~scanner.active.safety`: the guard every payload passes before it is sent;
- :mod:`~scanner.active.points`: which insertion points an endpoint offers (and which are skipped);
- :mod:`~scanner.active.compare` and :mod:`~scanner.active.boolean`: normalised page comparison and
  the true/false twin differential;
- :mod:`~scanner.active.timing`: delays of 0, d and 2d and their straight-line fit;
- :mod:`~scanner.active.signatures`: DBMS, XPath and XML parser error texts;
- :mod:`~scanner.active.xmldoc` and :mod:`~scanner.active.htmlctx`: XXE documents, XSS contexts;
- :mod:`~scanner.active.levels` and :mod:`~scanner.active.canary`: scan-level presets, fresh canaries.

Errors: :class:`UnsafePayload` (a :class:`~scanner.errors.ScannerError`) when a check builds a payload
the guard refuses; it is a bug in the check, so the scan reports the check as crashed.
"""

from scanner.active.boolean import Differential, Twin, differential
from scanner.active.compare import Page, page, reflection_forms, searchable, similarity
from scanner.active.levels import LEVEL_1, LEVEL_2, LEVEL_3, LEVELS, ActiveProfile, profile_for
from scanner.active.points import (
    NEVER_FUZZED,
    carries_xml,
    describe,
    file_points,
    insertion_points,
    looks_like_xml,
)
from scanner.active.probe import Attempt, PointProbe
from scanner.active.safety import ALLOWED_FILES, UnsafePayload, unsafe_reason
from scanner.active.signatures import SQL_SIGNATURES, XPATH_SIGNATURES, XXE_ERROR_SIGNATURES, Signature
from scanner.active.timing import HEAVY_FIT, SLEEP_FIT, Fit, FitPolicy, fit

__all__ = [
    "ALLOWED_FILES",
    "HEAVY_FIT",
    "LEVELS",
    "LEVEL_1",
    "LEVEL_2",
    "LEVEL_3",
    "NEVER_FUZZED",
    "SLEEP_FIT",
    "SQL_SIGNATURES",
    "XPATH_SIGNATURES",
    "XXE_ERROR_SIGNATURES",
    "ActiveProfile",
    "Attempt",
    "Differential",
    "Fit",
    "FitPolicy",
    "Page",
    "PointProbe",
    "Signature",
    "Twin",
    "UnsafePayload",
    "carries_xml",
    "describe",
    "differential",
    "file_points",
    "fit",
    "insertion_points",
    "looks_like_xml",
    "page",
    "profile_for",
    "reflection_forms",
    "searchable",
    "similarity",
    "unsafe_reason",
]
