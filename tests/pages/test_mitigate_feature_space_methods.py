"""AppTest: the covariance sweep, fair PCA and steering on the Mitigate page, to Compare."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

import fairdash
from fairdash import datasets
from tests.conftest import shown_text

ROOT = Path(__file__).resolve().parents[2]


def test_mitigate_runs_the_three_methods_and_reports_steering():
    data = datasets.load("adult").sample(4000, random_state=3).reset_index(drop=True)
    problem = fairdash.define_problem(
        data, target="income", positive_label=">50K", sensitive_features=["sex"]
    )
    at = AppTest.from_file(str(ROOT / "pages" / "mitigate.py"), default_timeout=300)
    for key, value in {
        "data": data, "data_name": "adult (4,000-row sample)", "data_digest": None,
        "problem": problem,
    }.items():
        at.session_state[key] = value
    at.run()
    at.multiselect(key="w:mitigate.methods.classification").set_value(
        ["fair_pca", "steering", "covariance_constrained"]).run()
    at.slider(key="w:mitigate.param.covariance_constrained.factors").set_value(3).run()
    at.slider(key="w:mitigate.param.fair_pca.n_components").set_value(6).run()
    at.button(key="a:mitigate.run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]  # no method failed
    models = at.session_state["models"]
    assert [m.method for m in models].count("covariance_constrained") == 3
    assert {m.name for m in models} >= {
        "fair_pca", "steering", "covariance_constrained c=0×", "covariance_constrained c=1×"
    }
    notes = " ".join(shown_text(i.value) for i in at.info)
    assert "KL divergence moved" in notes and "fair components keep" in notes
    # The models land on Compare's plane (a fresh page run with the session's models).
    compare = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=300)
    for key in ("data", "data_name", "data_digest", "problem", "models", "evaluation",
                "current_model", "settings"):
        compare.session_state[key] = at.session_state[key]
    compare.run()
    assert not compare.exception, compare.exception
    figures = [json.loads(c.proto.spec) for c in compare.get("plotly_chart")]
    assert any("covariance_constrained c=0×" in json.dumps(f, ensure_ascii=False) for f in figures)
