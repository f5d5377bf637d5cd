"""The report's "subgroups the model fails" sections, from a slice search."""

from __future__ import annotations

from typing import Any

import pandas as pd

from fairdash._markup import html_text
from fairdash.report._tables import basis_html, dataframe_html

__all__ = ["slice_sections"]

_SHOWN = ("slice", "order", "size", "value", "complement", "gap", "ci_low", "ci_high", "q_value",
          "significant")


def slice_sections(
    table: pd.DataFrame, *, top: int = 30, model: str | None = None
) -> list[tuple[str, Any]]:
    """Sections for :func:`audit_report_html`'s ``extra_sections``: the search in words,
    the ``top`` most harmful slices as a table, and a chart of the worst with intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        As :func:`fairdash.slices.find_slices` returns it.
    top : int, default=30
        Slices listed in the table.
    model : str, optional
        The model searched, named in a line saying whose numbers these are.

    Returns
    -------
    list of (str, object)
        Titles with an HTML fragment (every value escaped) and a plotly figure.
    """
    from fairdash.plots import slice_chart
    from fairdash.slices import slice_summary

    metric = str(table.attrs.get("metric", "")).replace("_", " ")
    words = (
        f"<p>Metric: {html_text(metric)}. {html_text(slice_summary(table))} Each slice is "
        "compared with all other rows; q-values are Benjamini-Hochberg's over every slice "
        "tested.</p>"
    )
    shown = table.head(top)[list(_SHOWN)]
    basis = ""
    if model is not None:
        rows = table.attrs.get("n_rows")
        basis = basis_html(f"the model {model}, as trained", rows=rows)
    return [
        ("Subgroups the model fails", basis + words + dataframe_html(shown, index=False)),
        ("Subgroups the model fails: the worst, with intervals", [basis, slice_chart(table)]),
    ]
