"""AppTest: Mitigate reuses what was fitted before: a method run again with the same settings,
the unmitigated model for post-processors, the model trained on Data & model; large data is
fitted on a sample, said on the page."""

import functools
import logging
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from streamlit.testing.v1 import AppTest

import fairdash
from fairdash import datasets
from tests.conftest import shown_text

logging.getLogger("fairlearn").setLevel(logging.ERROR)
ROOT = Path(__file__).resolve().parents[2]
METHODS = "w:mitigate.methods.classification"
RUN = "a:mitigate.run"


@pytest.fixture
def fits(monkeypatch):
    """How many logistic regressions are fitted (the page runs in this process)."""
    counts = {"logistic": 0}
    original = LogisticRegression.fit

    @functools.wraps(original)  # keeps the signature: sample_weight stays visible
    def fit(self, *args, **kwargs):
        counts["logistic"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", fit)
    return counts


def mitigate_page(data, problem) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "mitigate.py"), default_timeout=300)
    for key, value in {"data": data, "data_name": "adult (3,000-row sample)",
                       "data_digest": None, "problem": problem}.items():
        at.session_state[key] = value
    at.run()
    return at


def infos(at) -> str:
    return " ".join(shown_text(i.value) for i in at.info) + " ".join(
        shown_text(c.value) for c in at.caption)


def discard(run_caches):
    """Run discard_results (the Data & model page's button) on a session holding ``run_caches``."""

    def script():
        from fairdash_app.state import discard_results, init_state

        init_state()
        discard_results()

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["run_caches"] = run_caches
    at.run()
    assert not at.exception
    return at.session_state["run_caches"]


def test_running_the_same_settings_again_reuses_the_models(fits):
    data = datasets.load("adult").sample(3000, random_state=7).reset_index(drop=True)
    problem = fairdash.define_problem(
        data, target="income", sensitive_features=["sex"], positive_label=">50K"
    )
    at = mitigate_page(data, problem)
    at.multiselect(key=METHODS).set_value(["reweighing", "barycenter"]).run()
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    first = list(at.session_state["models"])
    assert fits["logistic"] == 2  # unmitigated and reweighing
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    second = at.session_state["models"]
    assert fits["logistic"] == 2  # nothing fitted again
    assert [m.name for m in second] == [m.name for m in first]
    for a, b in zip(first, second, strict=True):
        assert b.model is a.model
        np.testing.assert_array_equal(a.y_pred, b.y_pred)
        assert a.metrics.by_group.equals(b.metrics.by_group)
    assert "reused from an earlier run" in infos(at)
    # Another sweep: the unmitigated model is reused, the barycenter recomputed.
    at.slider(key="w:mitigate.param.barycenter.alphas").set_value(3).run()
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert fits["logistic"] == 2
    third = at.session_state["models"]
    assert third[0].model is first[0].model and third[1].model is first[1].model
    assert [m.name for m in third if m.method == "barycenter"] == [
        "barycenter alpha=0", "barycenter alpha=0.5", "barycenter alpha=1"]
    reused = [shown_text(i.value).split("**")[1] for i in at.info
              if "reused from an earlier run" in shown_text(i.value)]
    assert reused == ["Unmitigated model", "Reweighing (pre-processing)"]
    # Discard results forgets the fitted models too: the next run fits again.
    emptied = discard(at.session_state["run_caches"])
    assert len(emptied) == 0
    at.session_state["run_caches"] = emptied
    at.button(key=RUN).click().run()
    assert fits["logistic"] == 4
    np.testing.assert_array_equal(at.session_state["models"][0].y_pred, first[0].y_pred)


def test_the_model_trained_on_data_and_model_is_reused_and_large_data_is_sampled(
    fits, monkeypatch
):
    monkeypatch.setattr(fairdash, "MAX_FIT_ROWS", 5000)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/data_model.py").run()
    at.multiselect(key="w:data.sensitive").set_value(["sex"]).run()
    at.button(key="a:data.train").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    trained = at.session_state["run"]
    assert len(trained.fit_index) == 5000 and len(trained.train_index) > 30_000
    assert fits["logistic"] == 1
    at.switch_page("pages/mitigate.py").run()
    at.multiselect(key=METHODS).set_value(["barycenter"]).run()
    at.slider(key="w:mitigate.calibration").set_value(0.0).run()
    assert "model trained on Data & model is reused" in infos(at)
    assert "Large data: models are fitted on a stratified sample (by target and group) of 5,000" \
        in infos(at)
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert fits["logistic"] == 1  # the barycenter started from the trained model
    models = at.session_state["models"]
    assert models[0].model is trained.model
    np.testing.assert_array_equal(models[0].y_pred, trained.y_pred)
    shown = infos(at)
    assert "stratified sample (by target and group) of 5,000 of the" in shown
    assert f"Every one of the {len(trained.test_index):,} test rows is evaluated" in shown
    # With calibration rows the split differs from Data & model's: a model is fitted.
    at.slider(key="w:mitigate.calibration").set_value(0.2).run()
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert fits["logistic"] == 2
    assert "post-processing calibrated on a stratified sample of 5,000 of the" in infos(at)
