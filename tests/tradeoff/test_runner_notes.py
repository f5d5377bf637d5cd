"""run_methods on sex x race: upstream warnings and grid advice come back as notes; EG progress."""

import logging
import warnings

import pytest

import fairdash
from fairdash import datasets
from fairdash.models import make_model
from fairdash.tradeoff import MethodConfig, run_methods
from fairdash.tradeoff._captured_warnings import capture_warnings


@pytest.fixture
def fairlearn_logs_warnings():
    """The app's logging: fairlearn's warnings are emitted (other test modules silence them)."""
    logger = logging.getLogger("fairlearn")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def adult():
    data = datasets.load("adult").sample(2500, random_state=4).reset_index(drop=True)
    problem = fairdash.define_problem(
        data, target="income", sensitive_features=["sex", "race"], positive_label=">50K"
    )
    return data, problem


def test_sex_by_race_notes_and_progress(adult, fairlearn_logs_warnings):
    data, problem = adult
    # A solver stopped early, so that scikit-learn warns on every fit.
    estimator = make_model("logistic_regression", data[list(problem.feature_columns)])
    estimator.set_params(estimator__max_iter=3)
    progress = []
    results = run_methods(
        data,
        problem,
        methods=[
            "unmitigated",
            MethodConfig("grid_search", {"grid_size": 3, "n_jobs": 1}),
            MethodConfig("exponentiated_gradient", {"max_iter": 4}),
        ],
        estimator=estimator,
        progress=lambda done, total, message: progress.append((done, total, message)),
    )
    notes = results.notes
    grid = [n for n in notes if n.startswith("grid_search: ")]
    # FairDash's advice for 10 groups, naming the methods to use instead.
    advice = [n for n in grid if "wrong tool" in n]
    assert len(advice) == 1
    assert "exponentiated gradient" in advice[0] and "threshold optimizer" in advice[0]
    # fairlearn's logged warnings, once each, with the method.
    assert any("fairlearn warned: The grid has 9 dimensions" in n for n in grid)
    assert any("fairlearn warned: Generating a grid with 3 grid points" in n for n in grid)
    # scikit-learn's Python warnings, counted, with the method that raised them.
    for method, fits in (("grid_search", 3), ("exponentiated_gradient", None)):
        converge = [n for n in notes if n.startswith(f"{method}: scikit-learn warned "
                                                      "(ConvergenceWarning)")]
        assert len(converge) == 1, notes
        if fits is not None:
            assert converge[0].endswith(f"({fits} times)")
    # The unmitigated model warned too, once.
    assert any(n.startswith("unmitigated: scikit-learn warned") for n in notes)
    # Developer warnings (pandas' deprecations inside fairlearn) are not the user's business.
    assert not any("Deprecat" in n or "Pandas4Warning" in n for n in notes)
    # Exponentiated gradient's iterations came as progress within its model's step: the
    # models finished (1 + 3) plus the share of its 4 iterations used, short of the next step.
    iterations = [(d, m) for d, _, m in progress if "exponentiated_gradient: iteration" in m]
    assert [m for _, m in iterations] == [
        f"exponentiated_gradient: iteration {i} (at most 4)" for i in range(1, 5)
    ]
    assert [d for d, _ in iterations] == [4.25, 4.5, 4.75, 4.99]
    assert progress[-1] == (5, 5, "exponentiated_gradient: 4 iterations")


def test_grid_search_on_two_groups_has_no_advice(adult, fairlearn_logs_warnings):
    data, _ = adult
    problem = fairdash.define_problem(
        data, target="income", sensitive_features=["sex"], positive_label=">50K"
    )
    results = run_methods(
        data, problem, methods=[MethodConfig("grid_search", {"grid_size": 5, "n_jobs": 1})]
    )
    assert results.notes == []


def test_capture_keeps_developer_warnings_out_of_notes_and_issues_them_again():
    with warnings.catch_warnings(record=True) as outside:
        warnings.simplefilter("always")
        with capture_warnings("m") as notes:
            warnings.warn("check your data", UserWarning, stacklevel=1)
            warnings.warn("check your data", UserWarning, stacklevel=1)
            warnings.warn("old API", DeprecationWarning, stacklevel=1)
            logging.getLogger("fairlearn.x").error("from fairlearn")
            assert notes == []
    assert notes == [
        "m: fairlearn warned: from fairlearn",
        "m: a warning (UserWarning): check your data (2 times)",
    ]
    assert [str(w.message) for w in outside] == ["old API"]
