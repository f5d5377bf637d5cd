"""Reports of an audit that open anywhere: a self-contained HTML page.

:func:`audit_report_html` builds the report the dashboard exports and
``python -m fairdash audit --html`` writes: problem definition, data summary,
summary disparities with plain-language readings, group metrics with
intervals, interactive charts (plotly.js embedded once, so it works offline)
and any extra sections. Every user-supplied string is escaped.
"""

from fairdash.report._html import audit_report_html, dataframe_html, report_versions
from fairdash.report._slices import slice_sections

__all__ = ["audit_report_html", "dataframe_html", "report_versions", "slice_sections"]
