"""The Discover page in the real browser (issue 11's "Proof"): a file with a planted
3-way slice where the outcome is a coin toss, trained on; the search finds that slice
first, says how many slices it tested and how many survive the false-discovery
control, and one click makes the slice's columns the groups every page shows.
Then the same on an audited predictions file (no trained model)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from fairdash.slices import find_slices
from tests.browser.helpers import (
    add_option,
    choose,
    dataframe_with,
    main_text,
    no_traceback,
    open_page,
    screens_dir,
    screenshot,
    table_rows,
    wait_idle,
)
from tests.slices.conftest import PLANTED, messy_features

pytestmark = pytest.mark.browser

SENSITIVE = "Sensitive features (their combinations form the groups)"
COLUMNS = "Columns to search"
PLANTED_SLICE = " & ".join(f"{column} = {value}" for column, value in PLANTED)
SUMMARY = re.compile(
    r"([\d,]+) slices tested \(1 to (\d) conditions, at least (\d+) rows in the metric's "
    r"denominator\); ([\d,]+) significant at a false discovery rate of ([\d.]+), ([\d,]+) of "
    r"them harmful"
)


def planted_file(n: int = 6000, seed: int = 3):
    """Eight messy columns and a signal; inside the planted slice the outcome is a coin
    toss, so any model fails there."""
    rng = np.random.default_rng(seed)
    data = messy_features(n, rng)
    signal = rng.normal(size=n)
    inside = np.ones(n, dtype=bool)
    for column, value in PLANTED:
        inside &= (data[column].astype(str) == value).to_numpy()
    good = np.where(inside, rng.random(n) < 0.5, signal + rng.normal(0, 0.3, n) > 0)
    return data.assign(signal=signal.round(3), outcome=np.where(good, "good", "bad"))


def _upload(page, name: str, content: bytes) -> None:
    open_page(page, "Data & model")
    page.get_by_text("Upload a file").click()
    wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    wait_idle(page)


def _chips(page, label: str) -> list[str]:
    chips = (page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
             .locator(".react-aria-ComboBox [data-tag]"))
    return [t.strip() for t in chips.all_inner_texts()]


def _search(page, *, metric: str, min_size: int):
    """Set the metric, three conditions and the minimum size; returns the summary's
    numbers and the table's rows (header first)."""
    choose(page, "Metric", metric)
    slider = page.get_by_role("slider", name="Most conditions per slice")
    slider.focus()
    slider.press("End")
    wait_idle(page)
    size = page.get_by_role("spinbutton", name="Minimum size")
    size.fill(str(min_size))
    size.press("Enter")
    wait_idle(page)
    summary = SUMMARY.search(main_text(page))
    assert summary, main_text(page)
    return summary, table_rows(dataframe_with(page, "slice"))


def test_discover_finds_the_planted_slice_and_makes_it_the_groups(page, tmp_path):
    from playwright.sync_api import expect

    screens = screens_dir("discover")
    data = planted_file()
    _upload(page, "planted.csv", data.to_csv(index=False).encode())
    choose(page, re.compile(r"^Which value of '.*' is the good outcome"), "good")
    add_option(page, SENSITIVE, "sex")
    page.get_by_role("button", name="Train model").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Results: .* on 1,800 test rows"))).to_be_visible()

    open_page(page, "Discover")
    searched = ["sex", "race", "age", "region", "band", "flag", "charge", "degree", "signal"]
    assert _chips(page, COLUMNS) == searched  # the model inputs and the sensitive feature
    page.get_by_role("button", name="Remove signal").click()  # search the eight columns
    wait_idle(page)
    assert _chips(page, COLUMNS) == searched[:-1]
    summary, rows = _search(page, metric="accuracy", min_size=20)
    tested, order, least, significant, fdr, harmful = summary.groups()
    assert (order, least, fdr) == ("3", "20", "0.05")
    header, top = rows[0], rows[1]
    assert top[header.index("slice")] == PLANTED_SLICE
    assert top[header.index("order")] == "3"
    assert 0 < int(harmful) <= int(significant) < int(tested.replace(",", ""))
    no_traceback(page, "Discover")

    # The page's numbers are the core's on the model's test rows (from the page's own
    # table: the test rows are the ones the page searched).
    value = float(top[header.index("value")])
    assert value < 0.5 < float(top[header.index("complement")])  # a coin toss inside
    expect(page.locator(".st-key-a-discover-chart .main-svg").first).to_be_visible()
    ticks = page.locator(".st-key-a-discover-chart .ytick text").all_text_contents()
    assert PLANTED_SLICE in [t.replace("\u2060", "") for t in ticks]
    screenshot(page, screens / "01-discover.png")

    # Another metric: the words and the table follow.
    summary, rows = _search(page, metric="error rate", min_size=20)
    assert rows[1][rows[0].index("slice")] == PLANTED_SLICE
    assert float(rows[1][rows[0].index("value")]) == pytest.approx(1 - value, abs=1e-4)

    # One click: the slice's columns become the sensitive features; after training,
    # Explore shows their groups.
    expect(page.get_by_role("combobox", name="Slice")).to_have_value(PLANTED_SLICE)
    page.get_by_role("button", name="Use its columns as the sensitive features").click()
    wait_idle(page)
    expect(page.get_by_role("button", name="Train model")).to_be_visible()
    assert _chips(page, SENSITIVE) == [column for column, _ in PLANTED]
    page.get_by_role("button", name="Train model").click()
    wait_idle(page)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    open_page(page, "Explore")
    assert "Stale" not in main_text(page)
    rows = table_rows(dataframe_with(page, "selection_rate"))
    header = rows[0]
    assert header[:3] == [column for column, _ in PLANTED]
    groups = {tuple(r[:3]) for r in rows[1:]}
    assert tuple(value for _, value in PLANTED) in groups
    no_traceback(page, "Explore")
    screenshot(page, screens / "02-explore-slice-groups.png")


def test_discover_on_an_audited_predictions_file(page, tmp_path):
    """No trained model: the predictions file's own columns are searched (never the
    prediction or score columns), and the numbers are the core's on every row."""
    from playwright.sync_api import expect

    rng = np.random.default_rng(5)
    data = messy_features(4000, rng)
    truth = rng.random(len(data)) < 0.4
    inside = np.ones(len(data), dtype=bool)
    for column, value in PLANTED:
        inside &= (data[column].astype(str) == value).to_numpy()
    right = rng.random(len(data)) < np.where(inside, 0.5, 0.9)
    predicted = np.where(right, truth, ~truth)
    file = data.assign(
        outcome=np.where(truth, "good", "bad"), predicted=np.where(predicted, "good", "bad"),
        score=np.clip(np.where(predicted, 0.7, 0.3) + rng.normal(0, 0.1, len(data)), 0, 1),
    )
    _upload(page, "audited.csv", file.to_csv(index=False).encode())
    page.get_by_text("Audit existing predictions").click()
    wait_idle(page)
    choose(page, "True outcome", "outcome")
    choose(page, re.compile(r"^Which value of '.*' is the good outcome"), "good")
    choose(page, "The model's predicted label", "predicted")
    choose(page, "The model's score (optional)", "score")
    add_option(page, SENSITIVE, "sex")
    page.get_by_role("button", name="Audit these predictions").click()
    wait_idle(page)
    expect(page.get_by_text("Audited 4,000 rows")).to_be_visible()

    open_page(page, "Discover")
    searched = ["sex", "race", "age", "region", "band", "flag", "charge", "degree"]
    assert _chips(page, COLUMNS) == searched
    page.get_by_role("combobox", name=COLUMNS).click()
    offered = page.get_by_role("listbox").get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert not {"predicted", "score", "outcome"} & {o.strip() for o in offered}
    summary, rows = _search(page, metric="error rate", min_size=30)
    expected = find_slices(file[searched], truth.astype(int), predicted.astype(int),
                           metric="error_rate", min_size=30)
    assert int(summary.group(1).replace(",", "")) == expected.attrs["n_tested"]
    assert int(summary.group(4).replace(",", "")) == expected.attrs["n_significant"]
    header = rows[0]
    shown = [r[header.index("slice")] for r in rows[1:]]
    assert shown[0] == PLANTED_SLICE == expected["slice"].iloc[0]
    assert shown == list(expected["slice"].head(len(shown)))
    no_traceback(page, "Discover (audit)")
    screenshot(page, screens_dir("discover") / "03-discover-audit.png")
