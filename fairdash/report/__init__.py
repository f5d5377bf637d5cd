"""Reports of an audit that open anywhere: a self-contained HTML page.

:func:`audit_report_html` builds the report the dashboard exports and
``python -m fairdash audit --html`` writes: an executive summary
(:func:`executive_summary`), problem definition, data summary, summary
disparities with plain-language readings, group metrics with intervals,
interactive charts (plotly.js embedded once, so it works offline) and any
extra sections (:func:`models_section`, :func:`whatif_section`,
:func:`slice_sections`). Every user-supplied string is escaped. It prints to
A4 from a browser: a page per major section, tables never cut, charts sized
for the page.
"""

from fairdash.report._html import audit_report_html, dataframe_html, report_versions
from fairdash.report._sections import (
    calibration_section,
    comparison_section,
    models_section,
    whatif_section,
)
from fairdash.report._slices import slice_sections
from fairdash.report._summary import ExecutiveSummary, RateGap, executive_summary, rate_gap
from fairdash.report._tables import basis_html

__all__ = [
    "ExecutiveSummary",
    "RateGap",
    "audit_report_html",
    "basis_html",
    "calibration_section",
    "comparison_section",
    "dataframe_html",
    "executive_summary",
    "models_section",
    "rate_gap",
    "report_versions",
    "slice_sections",
    "whatif_section",
]
