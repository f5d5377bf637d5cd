"""The messy file through the whole app, in the real browser (issue 9's "How to test it").

Upload a generated criminal-justice-like CSV (repeated headers, ids, names, dates,
free text, two columns recorded after the outcome, an Asian x Female cell of 1-3
people, a target whose 1 is the bad outcome); see the read note and the input
screen; define the problem; train; run every classification method on Mitigate;
visit every page; come back to Data & model and find everything there; then audit
a predictions file and check Explore's numbers against ``python -m fairdash audit``.

Screenshots of every page go to ``$FAIRDASH_SCREENS/messy`` (default
``test-artifacts/messy``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from fairdash.tradeoff import CATALOGUE, METHODS
from tests._messy import MESSY, make_messy_csv, make_messy_frame
from tests.browser.helpers import (
    ROOT,
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

pytestmark = pytest.mark.browser

N_ROWS = 1500
TARGET = MESSY["target"]
SENSITIVE = "Sensitive features (their combinations form the groups)"
# (The accessible name keeps the label's markdown escapes: two\_year\_recid.)
FAVOURABLE = re.compile(r"^Which value of '.*' is the good outcome for the person")
UPLOAD_NAME = "compas-like.csv"
PREDICTIONS_NAME = "my_model_predictions.csv"
CARDS = {
    "Demographic parity difference": "demographic_parity_difference",
    "Equalized odds difference": "equalized_odds_difference",
    "Equal opportunity difference": "equal_opportunity_difference",
    "Four-fifths rule (disparate impact ratio)": "disparate_impact_ratio",
}


def _upload(page, name: str, content: bytes) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    wait_idle(page)


def _slider_to_start(page, label: str) -> None:
    slider = page.get_by_role("slider", name=label)
    slider.focus()
    slider.press("Home")
    wait_idle(page)


def _open_expander(page, label: str) -> None:
    summary = page.locator("summary").filter(has_text=label)
    expander = page.locator('[data-testid="stExpander"]').filter(has=summary)
    if expander.locator("details").get_attribute("open") is None:
        expander.locator("summary").click()
        wait_idle(page)


def _predictions_csv() -> bytes:
    """An analyst's own model on the messy file: outcome, predicted label (in the
    outcome's values), score of the favourable outcome (0), the groups, and names."""
    messy = make_messy_frame(n_rows=N_ROWS, random_state=0)
    rng = np.random.default_rng(0)
    y = messy[TARGET].to_numpy()
    score = np.clip(0.5 + np.where(y == 0, 0.2, -0.2) + rng.normal(0, 0.25, len(y)), 0, 1)
    return pd.DataFrame({
        "person": messy["name"], "race": messy["race"], "sex": messy["sex"], TARGET: y,
        "predicted": np.where(score >= 0.5, 0, 1), "p_no_recid": score.round(4),
    }).to_csv(index=False).encode()


def _cli_audit(path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "fairdash", "audit", str(path), "--target", TARGET,
         "--prediction", "predicted", "--score", "p_no_recid", "--sensitive", "race", "sex",
         "--positive-label", "0", "--json", "-"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _cards(page) -> dict[str, str]:
    """Explore's headline cards: title -> value as shown."""
    shown = {}
    for card in page.locator('[data-testid="stMetric"]').all():
        title = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        shown[title] = card.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return shown


def assert_shown(text: str, value: float) -> None:
    """A number as the table shows it equals ``value`` to the digits shown."""
    digits = len(text.partition(".")[2])
    assert abs(float(text) - value) <= 0.5 * 10.0**-digits + 1e-12, (text, value)


def test_messy_file_through_every_page_and_an_audit(page, tmp_path):
    from playwright.sync_api import expect

    screens = screens_dir("messy")
    shot = iter(range(1, 100))

    def capture(name: str) -> None:
        screenshot(page, screens / f"{next(shot):02d}-{name}.png")

    # 1. Upload: the repeated headers are read, renamed and said in a note.
    open_page(page, "Data & model")
    page.get_by_text("Upload a file").click()
    wait_idle(page)
    _upload(page, UPLOAD_NAME, make_messy_csv(n_rows=N_ROWS, random_state=0))
    expect(page.get_by_text(f"{UPLOAD_NAME}: {N_ROWS:,} rows, 21 columns")).to_be_visible()
    note = page.locator('[data-testid="stAlertContentInfo"]').filter(
        has_text="repeats the column names").first
    expect(note).to_be_visible()
    note_text = note.inner_text().replace("\u2060", "")
    assert "'decile_score', 'priors_count'" in note_text
    assert "renamed 'decile_score.1', 'priors_count.1'" in note_text

    # 2. The problem: the target's 1 is the bad outcome; the guess says 0, shown as a guess.
    expect(page.get_by_role("combobox", name="Target (what the model predicts)")
           ).to_have_value(TARGET)
    expect(page.get_by_role("combobox", name=FAVOURABLE)).to_have_value("0")
    for feature in MESSY["sensitive"]:
        add_option(page, SENSITIVE, feature)
    chips = (page.locator('[data-testid="stMultiSelect"]').filter(has_text=SENSITIVE)
             .locator(".react-aria-ComboBox [data-tag]"))
    expect(chips).to_have_count(2)

    # 3. The screen: ids, names, dates, free text and the after-outcome columns left out,
    #    each with its reason, shown in the table beside its verdict.
    text = main_text(page)
    caption = re.search(r"The screen excluded (\d+) and warned about (\d+) of (\d+) columns", text)
    assert caption, text
    table = page.locator('[data-testid="stTable"]').filter(has_text="verdict")
    screen = {row[0]: row[1:] for row in table_rows(table)[1:]}
    excluded = [*MESSY["identifiers"], *MESSY["dates"], *MESSY["free_text"],
                *MESSY["after_outcome"]]
    for column in excluded:
        assert screen[column][0] == "exclude" and screen[column][2] == "no", screen[column]
    for column in MESSY["identifiers"]:
        assert "dentif" in screen[column][1], screen[column]  # identifier, identifies rows
    for column in MESSY["after_outcome"]:
        assert "predicts 'two_year_recid' almost perfectly" in screen[column][1]
        assert re.search(r"ROC AUC 0\.9\d+", screen[column][1]), screen[column]
    assert "Free text" in screen["c_charge_desc"][1]
    assert "Dates or times used raw" in screen["dob"][1]
    inputs = (page.locator('[data-testid="stMultiSelect"]').filter(has_text="Model inputs")
              .locator(".react-aria-ComboBox [data-tag]"))
    chosen_inputs = {t.strip() for t in inputs.all_inner_texts()}
    assert chosen_inputs and not chosen_inputs & set(excluded), chosen_inputs
    assert set(MESSY["plain"]) <= chosen_inputs
    capture("data-defined")

    # 4. Train: an honest model (no leakage warning), the tiny cell named beside the numbers.
    page.get_by_role("button", name="Train model").click()
    wait_idle(page)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    expect(page.get_by_text(re.compile(r"Results: Logistic regression on [\d,]+ test rows"))
           ).to_be_visible()
    text = main_text(page)
    assert "suspiciously" not in text.lower()
    assert "Asian × Female" in text  # left out of the headline numbers, named
    assert page.locator('[data-testid="stMetricValue"]').count() >= 4
    no_traceback(page, "Data & model")
    capture("data-trained")

    # 5. Mitigate: every method the catalogue offers for classification, small settings.
    open_page(page, "Mitigate")
    label = "Methods (the unmitigated model is always included)"
    for method in METHODS:
        chips = (page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
                 .locator(".react-aria-ComboBox [data-tag]"))
        shown = {t.strip() for t in chips.all_inner_texts()}
        if method != "unmitigated" and CATALOGUE[method].label not in shown:
            add_option(page, label, CATALOGUE[method].label)
    expect(chips).to_have_count(len(METHODS) - 1)
    _slider_to_start(page, "Grid size (candidates)")
    _slider_to_start(page, "Alpha values in the sweep (0 fully fair … 1 unchanged)")
    _open_expander(page, CATALOGUE["covariance_constrained"].label)
    _slider_to_start(page, "Covariance bounds in the sweep (1 unconstrained … 0 none)")
    # (Fair PCA's default 10 components are more than this problem leaves: it says so.)
    _open_expander(page, CATALOGUE["fair_pca"].label)
    _slider_to_start(page, "Components")
    _open_expander(page, CATALOGUE["threshold_optimizer"].label)
    page.get_by_text("Sweep tolerances (one model each)").click()
    wait_idle(page)
    _open_expander(page, CATALOGUE["exponentiated_gradient"].label)
    iterations = page.get_by_role("spinbutton", name="Max iterations")
    iterations.fill("5")
    iterations.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Run mitigations").click()
    wait_idle(page, timeout=170_000)
    done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="models trained")
    expect(done).to_be_visible()
    n_models = int(re.search(r"(\d+) models trained", done.inner_text()).group(1))
    # unmitigated, 5 pre-processing, 3 grid candidates, 1 exponentiated gradient,
    # 2 covariance bounds, 1 threshold optimizer, 2 barycenter alphas
    assert n_models == 15
    expect(page.get_by_text("could not run")).to_have_count(0)
    expect(page.get_by_text(f"Finished models ({n_models})")).to_be_visible()
    text = main_text(page)
    assert "treated as one pooled group" in text  # tiny groups pooled, said under the method
    no_traceback(page, "Mitigate")
    capture("mitigate")

    # 6. Every page shows real content and no traceback.
    open_page(page, "Compare")
    expect(page.get_by_role("heading", name="Compare models")).to_be_visible()
    chart = page.locator(".st-key-a-compare-tradeoff .js-plotly-plot")
    expect(chart.locator(".main-svg").first).to_be_visible()
    assert chart.locator(".scatterlayer .trace .points path").count() >= n_models
    expect(page.get_by_text(re.compile(r"on the Pareto front"))).to_be_visible()
    no_traceback(page, "Compare")
    capture("compare")

    open_page(page, "Explore")
    expect(page.get_by_role("heading", name="Disparity summary")).to_be_visible()
    assert set(CARDS) <= set(_cards(page))
    assert "Asian × Female" in main_text(page)
    expect(page.locator(".st-key-a-explore-selection_rate .main-svg").first).to_be_visible()
    no_traceback(page, "Explore")
    capture("explore")

    open_page(page, "What-if")
    expect(page.get_by_role("heading", name="What-if thresholds")).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible()
    no_traceback(page, "What-if")
    capture("whatif")

    open_page(page, "Discover")
    expect(page.get_by_text(re.compile(r"[\d,]+ slices tested"))).to_be_visible()
    expect(page.locator(".st-key-a-discover-chart .main-svg").first).to_be_visible()
    no_traceback(page, "Discover")
    capture("discover")

    open_page(page, "Report")
    expect(page.get_by_role("heading", name="Downloads")).to_be_visible()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="HTML report").click()
    report = tmp_path / "report.html"
    info.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    for column in ("case_number", "is_recid", "c_charge_desc"):
        assert column in html, column  # the inputs left out, with their reasons
    assert "Asian × Female" in html or "Asian &times; Female" in html
    no_traceback(page, "Report")
    capture("report")

    # 7. Back on Data & model: the upload, the definition and the models are all there.
    open_page(page, "Data & model")
    text = main_text(page)
    assert f"Using {UPLOAD_NAME}, uploaded earlier" in text or (
        page.locator('[data-testid="stFileChipName"]').filter(has_text=UPLOAD_NAME).count()
    ), text
    expect(page.get_by_text(f"{UPLOAD_NAME}: {N_ROWS:,} rows, 21 columns")).to_be_visible()
    expect(page.get_by_role("combobox", name="Target (what the model predicts)")
           ).to_have_value(TARGET)
    expect(page.get_by_role("combobox", name=FAVOURABLE)).to_have_value("0")
    chips = (page.locator('[data-testid="stMultiSelect"]').filter(has_text=SENSITIVE)
             .locator(".react-aria-ComboBox [data-tag]"))
    assert sorted(t.strip() for t in chips.all_inner_texts()) == sorted(MESSY["sensitive"])
    assert "Stale" not in text and "stale" not in text
    assert f"{n_models} models from the mitigation run are in use" in text, text
    capture("data-after-visits")
    open_page(page, "Mitigate")
    expect(page.get_by_text(f"Finished models ({n_models})")).to_be_visible()
    open_page(page, "Compare")
    assert chart.locator(".scatterlayer .trace .points path").count() >= n_models

    # 8. Audit an existing model's predictions; Explore equals the command line's audit.
    content = _predictions_csv()
    path = tmp_path / PREDICTIONS_NAME
    path.write_bytes(content)
    expected = _cli_audit(path)
    open_page(page, "Data & model")
    _upload(page, PREDICTIONS_NAME, content)
    expect(page.get_by_text(f"{PREDICTIONS_NAME}: {N_ROWS:,} rows, 6 columns")).to_be_visible()
    page.get_by_text("Audit existing predictions").click()
    wait_idle(page)
    choose(page, "True outcome", TARGET)
    expect(page.get_by_role("combobox", name=FAVOURABLE)).to_have_value("0")
    choose(page, "The model's predicted label", "predicted")
    choose(page, "The model's score (optional)", "p_no_recid")
    chips = (page.locator('[data-testid="stMultiSelect"]').filter(has_text=SENSITIVE)
             .locator(".react-aria-ComboBox [data-tag]"))
    for feature in MESSY["sensitive"]:
        if chips.filter(has_text=feature).count() == 0:
            add_option(page, SENSITIVE, feature)
    page.get_by_role("button", name="Audit these predictions").click()
    wait_idle(page)
    expect(page.get_by_text(f"Audited {N_ROWS:,} rows")).to_be_visible()
    assert "computed for" not in main_text(page)  # the replaced models' question is gone
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    capture("audit")

    open_page(page, "Explore")
    expect(page.get_by_text(f"Current model: Your model · {N_ROWS:,} audited rows")).to_be_visible()
    cards = _cards(page)
    for title, name in CARDS.items():
        assert cards[title] == f"{expected['disparities'][name]:.3f}", (title, cards, expected)
    text = main_text(page)
    for group in expected["left_out_of_summaries"]:  # named beside the headline numbers
        assert group in text, (group, text)
    # The group table: every group's count and selection rate as the command line's.
    rows = table_rows(dataframe_with(page, "selection_rate"))
    header, body = rows[0], rows[1:]
    shown = {f"{r[header.index('race')]} × {r[header.index('sex')]}": r for r in body}
    assert set(shown) == {g["label"] for g in expected["groups"]}
    for group in expected["groups"]:
        row = shown[group["label"]]
        assert int(row[header.index("count")].replace(",", "")) == group["count"]
        assert_shown(row[header.index("selection_rate")],
                     group["metrics"]["selection_rate"])
    no_traceback(page, "Explore (audit)")
    capture("explore-audit")

    open_page(page, "Discover")
    summary = page.get_by_text(re.compile(r"[\d,]+ slices tested"))
    expect(summary).to_be_visible()
    assert "predicted" not in page.locator('[data-testid="stMultiSelect"]').filter(
        has_text="Columns to search").inner_text()
    no_traceback(page, "Discover (audit)")
    capture("discover-audit")
