"""AppTest: the Mitigate page on sex x race shows grid advice, EG progress and fairlearn's notes."""

import logging
from pathlib import Path

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

import fairdash
from fairdash import datasets
from tests.conftest import shown_text

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "mitigate.py")


@pytest.fixture
def fairlearn_logs_warnings():
    """The app's logging: fairlearn's warnings are emitted (other test modules silence them)."""
    logger = logging.getLogger("fairlearn")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


class _Bars(list):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[float] = []


@pytest.fixture
def bar_texts(monkeypatch):
    """Every text the page puts on a progress bar (AppTest keeps only the last one); the
    bar's values are in ``texts.values``."""
    texts = _Bars()
    original = DeltaGenerator.progress

    def progress(self, value, text=None, **kwargs):
        texts.append(text)
        texts.values.append(value)
        return original(self, value, text=text, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    return texts


def test_sex_by_race_grid_advice_progress_and_notes(fairlearn_logs_warnings, bar_texts):
    data = datasets.load("adult").sample(2000, random_state=1).reset_index(drop=True)
    problem = fairdash.define_problem(
        data, target="income", positive_label=">50K", sensitive_features=["sex", "race"]
    )
    at = AppTest.from_file(PAGE, default_timeout=300)
    for key, value in {"data": data, "data_name": "adult sample", "data_digest": None,
                       "problem": problem}.items():
        at.session_state[key] = value
    at.run()
    at.multiselect(key="w:mitigate.methods.classification").set_value(
        ["grid_search", "exponentiated_gradient"]).run()
    assert not at.exception, at.exception
    # The grid size starts from the core's default for 10 groups (9 dimensions).
    size = at.slider(key="w:mitigate.param.grid_search.grid_size")
    assert size.value == 16
    assert any(w.value.startswith("Grid search is the wrong tool") for w in at.warning)
    # A size the user chose stays while the dimensions do; equalized odds doubles them,
    # and the size starts again from the core's default.
    size.set_value(40).run()
    assert at.slider(key="w:mitigate.param.grid_search.grid_size").value == 40
    at.selectbox(key="w:mitigate.param.grid_search.constraints").set_value(
        "equalized_odds").run()
    assert at.slider(key="w:mitigate.param.grid_search.grid_size").value == 16
    assert any("18 dimensions" in w.value for w in at.warning)
    at.selectbox(key="w:mitigate.param.grid_search.constraints").set_value(
        "demographic_parity").run()
    at.slider(key="w:mitigate.param.grid_search.grid_size").set_value(3).run()
    at.number_input(key="w:mitigate.param.exponentiated_gradient.max_iter").set_value(6).run()
    at.button(key="a:mitigate.run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(at.session_state["models"]) == 1 + 3 + 1
    # Exponentiated gradient's iterations were on the progress bar while it ran.
    texts = [shown_text(t) for t in bar_texts if t]  # as shown: the pages escape markdown
    iterations = [t for t in texts if "exponentiated_gradient: iteration" in t]
    assert iterations and iterations[0].endswith("exponentiated_gradient: iteration 1 (at most 6)")
    assert len(iterations) <= 6
    # ... and the bar's fill moved with them, within exponentiated gradient's step (4 of 5).
    fills = [v for t, v in zip(bar_texts, bar_texts.values, strict=True)
             if t and "exponentiated_gradient: iteration" in shown_text(t)]
    assert fills == sorted(fills) and len(set(fills)) == len(fills)
    assert 4 / 5 < fills[0] and fills[-1] < 1
    # The notes are on the page, under the method's label: fairlearn's own words and ours.
    notes = [shown_text(i.value) for i in at.info]
    grid = [n for n in notes if n.startswith("**Grid search (in-processing)**: ")]
    assert any("fairlearn warned: The grid has 9 dimensions" in n for n in grid), notes
    assert any("fairlearn warned: Generating a grid with 3 grid points" in n for n in grid)
    assert any("Grid search is the wrong tool" in n for n in grid)
