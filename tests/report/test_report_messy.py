"""The report of a messy file trained through the app: every caveat the analyst needs."""

from __future__ import annotations

import html

import pytest

import fairdash_app.report
from tests._messy import MESSY, make_messy_frame
from tests.pages.test_session_state import app, visit

TARGET = MESSY["target"]
SENSITIVE = list(MESSY["sensitive"])
INPUTS = f"w:data.inputs.{TARGET}|{'|'.join(sorted(SENSITIVE))}"


@pytest.fixture(scope="module")
def report():
    messy = make_messy_frame(n_rows=1200, random_state=0)
    at = app()
    visit(at, "data_model")
    at.radio(key="w:data.source").set_value("Upload a file").run()
    at.file_uploader(key="a:data.upload").set_value(
        ("compas-like.csv", messy.to_csv(index=False).encode(), "text/csv")).run()
    at.selectbox(key="w:data.target").set_value(TARGET).run()
    at.multiselect(key="w:data.sensitive").set_value(SENSITIVE).run()
    # The analyst adds the outcome-time columns back: the model leans on them.
    chosen = at.multiselect(key=INPUTS).value
    at.multiselect(key=INPUTS).set_value([*chosen, "end"]).run()
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    made = []
    original = fairdash_app.report.audit_report_html
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fairdash_app.report, "audit_report_html",
                      lambda *a, **k: made.append(original(*a, **k)) or made[-1])
        visit(at, "report")
    assert not at.exception, at.exception
    return at, made[-1]


def test_summary_carries_the_messy_file_s_caveats(report):
    at, text = report
    summary = text[text.index("<h2>Executive summary</h2>"):text.index("<nav>")]
    problem = at.session_state["run"].problem
    # The page's default is FairDash's guess; whether the user confirmed it, the report cannot
    # tell, so it asks to check it.
    assert html.escape(f"The favourable outcome is {TARGET} = 0: the selection rates") in summary
    assert "check that it is the outcome that is good for the person" in summary
    for column, reason in problem.excluded_features.items():
        assert html.escape(f"{column} ({reason}") in summary
    assert "is_recid" in problem.excluded_features
    leakage = at.session_state["leakage"]
    assert leakage.suspicious and html.escape(leakage.message) in summary
    # The intersectional cell of 1-3 people is named as left out, with its size.
    sizes = at.session_state["models"][0].metrics.group_sizes
    tiny = int(sizes.loc[MESSY["tiny_cell"]])
    assert 0 < tiny < 30
    assert html.escape(f"{' × '.join(MESSY['tiny_cell'])} ({tiny} rows)") in summary
    assert html.escape(f"predicted {TARGET} = 0 most often") in summary
