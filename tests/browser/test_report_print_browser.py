"""The HTML report printed to PDF in chromium: nothing wider than an A4 page, every section there.

The report is the Report page's (``fairdash_app.report.session_report``) for a German credit
session with sex x age groups (some small), mitigated models, what-if thresholds and a slice
search. The PDF's pages are rendered to PNG in ``test-artifacts/report-pdf/`` (with
``pdftoppm`` when poppler-utils is installed) to be looked at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fairdash
from fairdash import datasets
from fairdash.metrics import data_stage, group_metrics
from fairdash.report import audit_report_html, executive_summary, models_section
from fairdash.slices import find_slices
from fairdash.tradeoff import MethodConfig, run_methods, split_data
from fairdash_app.report import session_report
from fairdash_app.workflows import evaluation_for

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report-pdf"
# A4 is 210 mm wide; the stylesheet's @page margins are 15 mm each side: 180 mm at 96 px/inch.
PRINT_WIDTH_PX = round(180 / 25.4 * 96)
EXPECTED_SECTIONS = (
    "Executive summary",
    "Contents",
    "Problem definition",
    "Summary disparities",
    "Selection rate by group",
    "Metrics by group",
    "Data stage: group sizes and label balance before any model",
    "Models tried and the recommendation",
    "Performance vs disparity",
    "Error rates by group",
    "The recommended model beside the unmitigated one",
    "Calibration by group",
    "What-if thresholds (not the model as trained)",
    "Subgroups the model fails",
)


LONG = "Native_Hawaiian_or_Other_Pacific_Islander_recorded_" + "x" * 40
HOSTILE = "<script>alert(1)</script>"


def _german_report() -> str:
    data = datasets.load("german")
    problem = fairdash.define_problem(data, target="risk", sensitive_features=["sex", "age"])
    methods = [MethodConfig("unmitigated"), MethodConfig("reweighing"),
               MethodConfig("grid_search", {"grid_size": 5}),
               MethodConfig("barycenter", {"alphas": [0.25, 0.5, 1.0]})]
    models = run_methods(data, problem, methods=methods, random_state=0)
    split = split_data(data, problem, test_size=0.3, calibration_size=0.2, random_state=0)
    evaluation = evaluation_for(data, problem, split.test_index, data_name="german")
    model = models[0]
    labels = evaluation.sensitive_test.astype(str).agg(" × ".join, axis=1).unique()
    thresholds = {label: 0.45 + 0.02 * i for i, label in enumerate(sorted(labels))}
    features = data.loc[split.test_index, ["purpose", "housing", "job", "saving_accounts"]]
    slices = find_slices(features, evaluation.y_test, model.y_pred, max_order=2)
    html, why_not = session_report(model, models, evaluation, thresholds=thresholds,
                                   slices=slices, max_performance_loss=0.02)
    assert why_not is None
    return html


def _messy_report() -> str:
    """Long unbroken names and values, hostile text, a group of one, a '1' that is bad."""
    rng = np.random.default_rng(7)
    n = 900
    race = rng.choice(["African-American", "Caucasian", LONG, HOSTILE], size=n)
    race[0] = "Group_of_one_" + "z" * 30
    column = "defendant_race_as_recorded_by_the_court_clerk_at_booking_time"
    data = pd.DataFrame({column: race, "sex": rng.choice(["Female", "Male"], size=n),
                         "two_year_recid": rng.integers(0, 2, size=n)})
    data["decile_score"] = rng.random(n)
    problem = fairdash.define_problem(data, target="two_year_recid", positive_label=0,
                                      sensitive_features=[column, "sex"])
    y = problem.encode_target(data)
    pred = (data["decile_score"] < 0.55).astype(int).to_numpy()
    metrics = group_metrics(y, pred, problem.sensitive(data), y_score=1 - data["decile_score"])
    table = pd.DataFrame({
        "name": ["unmitigated", "grid_search_candidate_" + "9" * 40],
        "method": ["unmitigated", "grid_search"],
        "params": ["{}", '{"constraints": "demographic_parity", "lambda_vector": [1, 2, 3]}'],
        "accuracy": [0.66, 0.655], "demographic_parity_difference": [0.3, 0.1],
        "is_unmitigated": [True, False], "on_front": [True, True],
    })
    from fairdash.tradeoff import recommend_model

    chosen = recommend_model(table)
    summary = executive_summary(
        metrics, model="unmitigated", favourable="two_year_recid = 0", favourable_guessed=True,
        models_table=table, recommendation=chosen,
        excluded_inputs={"id": "an identifier", "c_case_number_" + "q" * 50: "free text"},
    )
    return audit_report_html(
        metrics, problem=problem, model="unmitigated", source=f"{HOSTILE}.csv",
        data_stage=data_stage(y, problem.sensitive(data)), summary=summary,
        extra_sections=[("Models tried and the recommendation", models_section(
            table, performance="accuracy", disparity="demographic_parity_difference",
            recommendation=chosen))],
    )


@pytest.fixture(scope="module", params=["german", "messy"])
def report_file(request, tmp_path_factory) -> Path:
    html = _german_report() if request.param == "german" else _messy_report()
    path = tmp_path_factory.mktemp("report") / f"{request.param}-report.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture
def printed(browser, report_file):
    context = browser.new_context(viewport={"width": PRINT_WIDTH_PX, "height": 1100})
    page = context.new_page()
    page.goto(report_file.as_uri())
    charts = page.locator(".plotly-graph-div").count()
    page.wait_for_function(
        f"document.querySelectorAll('.plotly-graph-div .main-svg').length >= {charts}",
        timeout=60_000,
    )
    page.emulate_media(media="print")
    yield page, charts
    context.close()


def test_no_element_is_wider_than_the_printed_page(printed):
    page, charts = printed
    assert charts >= 1
    too_wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getClientRects().length)
            .map(e => [(e.closest('section') || {id: 'top'}).id + ' ' + e.tagName,
                       Math.round(e.getBoundingClientRect().right)])
            .filter(([, right]) => right > limit + 1)""",
        PRINT_WIDTH_PX,
    )
    assert too_wide == [], too_wide[:10]
    # Nothing scrolls sideways either (a scroll box would cut the table on paper).
    assert page.evaluate("document.documentElement.scrollWidth") <= PRINT_WIDTH_PX


def test_pdf_has_every_section_on_a4_pages(printed, report_file, tmp_path):
    page, _ = printed
    german = report_file.name.startswith("german")
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # A4 in points (595 x 842), on every page.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1
                         for w, h in boxes)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian's poppler-utils) is missing: the PDF's text is unchecked")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = text.split("\f")
    positions = []
    expected = EXPECTED_SECTIONS if german else (
        "Executive summary", "Contents", "Summary disparities", "Metrics by group",
        "Models tried and the recommendation")
    # A section's heading is a line of its own; the contents list numbers its titles.
    lines = [{line.strip() for line in p.splitlines()} for p in pages]
    for title in expected:
        found = [i for i, page_lines in enumerate(lines) if title in page_lines]
        assert found, f"no heading {title!r} in the PDF"
        positions.append(found[0])
    assert positions == sorted(positions)  # in the report's order
    assert positions[0] == 0  # the summary on the first page
    assert len(set(positions)) >= len(positions) - 3  # most sections start a page
    # Each major section starts a page: more pages than sections that break.
    assert len([p for p in pages if p.strip()]) >= (10 if german else 4)
    assert "\\u00d7" not in text and "{\"" not in text
    if not german:
        assert "<script>alert(1)</script>" in text  # shown as written, never run
    name = report_file.stem
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / f"{name}.pdf")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / name)],
                       check=True)
