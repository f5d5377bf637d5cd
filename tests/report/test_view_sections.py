"""The side-by-side and calibration sections show the numbers they are given, in words."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd

from fairdash.report import calibration_section, comparison_section

RATES = ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy")


def _comparison() -> SimpleNamespace:
    """Two models' decisions on the same rows, summarised per group with pandas."""
    rng = np.random.default_rng(1)
    n = 400
    frame = pd.DataFrame({"g": rng.choice(["a <b>", "c"], size=n), "y": rng.integers(0, 2, n),
                          "p1": rng.integers(0, 2, n), "p2": rng.integers(0, 2, n)})

    def columns(d: pd.DataFrame) -> dict:
        out = {"count": len(d)}
        pos, neg = d[d["y"] == 1], d[d["y"] == 0]
        for name, first, second in [
            ("selection_rate", d["p1"].mean(), d["p2"].mean()),
            ("true_positive_rate", pos["p1"].mean(), pos["p2"].mean()),
            ("false_positive_rate", neg["p1"].mean(), neg["p2"].mean()),
            ("accuracy", (d["p1"] == d["y"]).mean(), (d["p2"] == d["y"]).mean()),
        ]:
            out |= {f"{name}_first": first, f"{name}_second": second,
                    f"{name}_change": second - first, f"{name}_change_lower": second - first - 0.05,
                    f"{name}_change_upper": second - first + 0.05}
        out |= {"gained": int(((d["p1"] == 0) & (d["p2"] == 1)).sum()),
                "lost": int(((d["p1"] == 1) & (d["p2"] == 0)).sum())}
        return out

    by_group = pd.DataFrame({g: columns(d) for g, d in frame.groupby("g")}).T
    by_group.index.name = "g"
    return SimpleNamespace(by_group=by_group, overall=pd.Series(columns(frame)),
                           first_name="unmitigated", second_name="grid <search>",
                           confidence_level=0.95, n_boot=200)


def test_comparison_section_shows_changes_intervals_and_flips():
    comparison = _comparison()
    section = comparison_section(comparison, favourable="approved = yes")
    assert "<b>" not in section and "grid &lt;search&gt;" in section
    assert "selection rate: grid &lt;search&gt; − unmitigated" in section
    for label in ("a &lt;b&gt;", "c", "overall"):
        values = comparison.overall if label == "overall" else comparison.by_group.loc[
            html.unescape(label)]
        row = re.search(rf"<td>{re.escape(label)}</td>(.*?)</tr>", section).group(1)
        cells = re.findall(r'class="num">([^<]+)', row)
        assert cells[0] == f"{int(values['count']):,}"
        for i, rate in enumerate(RATES, start=1):
            assert cells[i] == f"{values[f'{rate}_change'] * 100:+.1f}"
        assert cells[-2:] == [f"{int(values['gained']):,}", f"{int(values['lost']):,}"]
    assert "95% paired bootstrap interval (200 resamples)" in section
    assert "become approved = yes" in section and "no longer approved = yes" in section


def test_calibration_section_lists_each_group_and_the_note():
    summary = pd.DataFrame(
        {"count": [120, 80], "mean_score": [0.41, 0.52], "observed_rate": [0.45, 0.40],
         "calibration_in_the_large": [0.04, -0.12], "expected_calibration_error": [0.031, 0.118],
         "small_group": [False, False]},
        index=pd.MultiIndex.from_tuples([("F", "x_y"), ("M", "z")], names=["sex", "race"]),
    )
    section = calibration_section(SimpleNamespace(summary=summary), note="Base rates <differ>.")
    assert "Base rates &lt;differ&gt;." in section
    assert "calibration in the large" in section and "expected calibration error" in section
    for label, row in zip(["F × x_<wbr>y", "M × z"], summary.itertuples(), strict=True):
        found = re.search(rf"<td>{re.escape(label)}</td>(.*?)</tr>", section).group(1)
        assert re.findall(r'class="num">([^<]+)', found) == [
            f"{row.count}", f"{row.mean_score:.3f}", f"{row.observed_rate:.3f}",
            f"{row.calibration_in_the_large:.3f}", f"{row.expected_calibration_error:.3f}"]
    assert "small_group" not in section
