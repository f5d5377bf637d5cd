"""screen_features: what a careful analyst leaves out of a model's inputs, and why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import association

import fairdash
from fairdash import InputError
from fairdash._screening import LEAKAGE_AUC, _cramers_v
from fairdash.datasets import load
from tests._messy import MESSY, make_messy_frame

SENSITIVE = list(MESSY["sensitive"])


@pytest.fixture(scope="module")
def screen(messy_frame):
    return fairdash.screen_features(
        messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE
    )


def test_one_row_per_candidate_in_data_order(screen, messy_frame):
    expected = [c for c in messy_frame.columns if c not in (MESSY["target"], *SENSITIVE)]
    assert list(screen.index) == expected and screen.index.name == "column"
    assert set(screen["verdict"]) <= {"use", "exclude", "warn"}
    assert screen["reason"].str.len().gt(10).all()
    assert screen.attrs["score"] == "roc_auc"


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("identifiers", "identifier"),
        ("dates", "date"),
        ("free_text", "free_text"),
        ("after_outcome", "leakage"),
        ("constant", "constant"),
        ("mostly_missing", "mostly_missing"),
    ],
)
def test_messy_columns_are_excluded_for_the_right_reason(screen, kind, check):
    for name in MESSY[kind]:
        assert screen.loc[name, "verdict"] == "exclude", (name, screen.loc[name, "reason"])
        assert screen.loc[name, "check"] == check, (name, screen.loc[name, "reason"])


def test_repeated_headers_are_duplicates_and_plain_columns_are_used(screen):
    for copy, original in MESSY["repeated"].items():
        assert screen.loc[copy, "check"] == "duplicate"
        assert f"'{original}'" in screen.loc[copy, "reason"]
    for name in MESSY["plain"]:
        assert screen.loc[name, "verdict"] == "use", (name, screen.loc[name, "reason"])


def test_leakage_reason_gives_the_heldout_score(screen):
    for name in MESSY["after_outcome"]:
        score = screen.loc[name, "heldout_score"]
        assert score >= LEAKAGE_AUC
        assert f"ROC AUC {score:.3f}" in screen.loc[name, "reason"]


def test_race_proxy_is_warned(screen):
    (name,) = MESSY["race_proxy"]
    assert screen.loc[name, "verdict"] == "warn" and screen.loc[name, "check"] == "proxy"
    assert screen.loc[name, "proxy_of"] == "race"
    assert "proxy of the sensitive feature 'race'" in screen.loc[name, "reason"]


def test_heldout_score_matches_a_planted_predictor():
    # x agrees with y with probability 0.9, independently per row: AUC = 0.9 in expectation.
    rng = np.random.default_rng(0)
    n = 20_000
    y = rng.integers(0, 2, n)
    x = np.where(rng.random(n) < 0.9, y, 1 - y)
    g = rng.choice(["a", "b"], n)
    noise = rng.normal(size=n)
    data = pd.DataFrame({"x": x, "noise": noise, "g": g, "y": y})
    screen = fairdash.screen_features(data, target="y", sensitive_features=["g"])
    assert screen.loc["x", "heldout_score"] == pytest.approx(0.9, abs=0.015)
    assert screen.loc["x", "verdict"] == "warn" and screen.loc["x", "check"] == "predictor"
    assert screen.loc["noise", "heldout_score"] == pytest.approx(0.5, abs=0.03)
    assert screen.loc["noise", "verdict"] == "use"


def test_cramers_v_against_scipy():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 4, 50_000)
    b = np.where(rng.random(50_000) < 0.6, a % 3, rng.integers(0, 3, 50_000))
    table = np.bincount(a * 3 + b, minlength=12).reshape(4, 3)
    # The bias correction is negligible at this size.
    assert _cramers_v(a, b) == pytest.approx(association(table, method="cramer"), abs=2e-3)
    assert _cramers_v(a, a) == pytest.approx(1.0)
    assert _cramers_v(a, rng.integers(0, 3, 50_000)) < 0.02


def test_bundled_data_keep_every_column():
    adult = fairdash.screen_features(
        load("adult"), target="income", sensitive_features=["sex", "race"]
    )
    assert (adult["verdict"] != "exclude").all(), adult.loc[adult.verdict == "exclude", "reason"]
    # relationship ("Husband", "Wife") is a known proxy of sex.
    assert adult.loc["relationship", "check"] == "proxy"
    assert adult.loc["relationship", "proxy_of"] == "sex"
    german = fairdash.screen_features(load("german"), target="risk", sensitive_features=["sex"])
    assert (german["verdict"] == "use").all(), german["reason"]


def test_regression_target_uses_r2():
    rng = np.random.default_rng(2)
    n = 3000
    x = rng.normal(size=n)
    y = 2 * x + rng.normal(size=n)
    data = pd.DataFrame({
        "x": x, "copy": y + rng.normal(scale=0.01, size=n), "g": rng.choice(["a", "b"], n),
        "y": y,
    })
    screen = fairdash.screen_features(data, target="y", sensitive_features=["g"])
    assert screen.attrs["score"] == "r2"
    assert screen.loc["copy", "check"] == "leakage" and "R² 0.9" in screen.loc["copy", "reason"]
    assert screen.loc["x", "check"] == "predictor"  # R² about 0.8


def test_datetime_columns_and_numeric_ids():
    n = 500
    rng = np.random.default_rng(3)
    data = pd.DataFrame({
        "when": pd.date_range("2020-01-01", periods=n, freq="h"),
        "row_number": np.arange(n),
        "customer_id": rng.permutation(n) * 7,
        "amount": rng.integers(0, 10**6, n),  # nearly unique, but not an id
        "g": rng.choice(["a", "b"], n),
        "y": rng.integers(0, 2, n),
    })
    screen = fairdash.screen_features(data, target="y", sensitive_features=["g"])
    assert screen.loc["when", "check"] == "date"
    assert screen.loc["row_number", "check"] == "identifier"  # a counter
    assert screen.loc["customer_id", "check"] == "identifier"  # named like an id
    assert screen.loc["amount", "verdict"] == "use"


def test_bad_input_names_the_column(messy_frame):
    with pytest.raises(InputError, match="not_there") as err:
        fairdash.screen_features(messy_frame, target="not_there", sensitive_features=["race"])
    assert err.value.column == "not_there"
    with pytest.raises(InputError, match="race"):
        fairdash.screen_features(messy_frame, target="race", sensitive_features=["race"])


def test_seed_decides_the_split_and_nothing_else(messy_frame):
    a = fairdash.screen_features(messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE)
    b = fairdash.screen_features(messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE)
    pd.testing.assert_frame_equal(a, b)
    other = fairdash.screen_features(
        make_messy_frame(n_rows=3000, random_state=5), target=MESSY["target"],
        sensitive_features=SENSITIVE, random_state=7,
    )
    assert (other["verdict"] == a["verdict"]).all()


def test_screened_inputs_train_an_honest_model(messy_frame, screen):
    inputs = list(screen.index[screen["verdict"] != "exclude"])
    problem = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE, feature_columns=inputs
    )
    assert problem.feature_columns == tuple(inputs)
    run = fairdash.train_model(messy_frame, problem)
    check = fairdash.leakage_check(run, messy_frame)
    assert not check.suspicious and check.message is None and check.importance.empty
    assert 0.6 < check.scores["roc_auc"] < 0.9


def test_every_column_as_today_gets_the_leakage_warning(messy_frame):
    problem = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE
    )
    run = fairdash.train_model(messy_frame, problem)
    check = fairdash.leakage_check(run, messy_frame)
    assert check.suspicious and check.scores["roc_auc"] >= 0.97
    top = list(check.importance.index[:2])
    assert "end" in top
    assert "'end'" in check.message and "suspiciously good" in check.message
    # Independent reference: scikit-learn's roc_auc_score on the run's test predictions.
    from sklearn.metrics import roc_auc_score

    assert check.scores["roc_auc"] == pytest.approx(roc_auc_score(run.y_test, run.y_score))


def test_leakage_check_reuses_overall_metrics_already_computed(messy_frame):
    from fairdash.metrics import group_metrics

    problem = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE
    )
    run = fairdash.train_model(messy_frame, problem)
    metrics = group_metrics(run.y_test, run.y_pred, run.sensitive_test, y_score=run.y_score)
    given = fairdash.leakage_check(run, messy_frame, overall=metrics.overall)
    computed = fairdash.leakage_check(run, messy_frame)
    assert given.scores == computed.scores and given.message == computed.message
    pd.testing.assert_series_equal(given.importance, computed.importance)


def test_merge_rare_categories(messy_frame):
    merged, values = fairdash.merge_rare_categories(messy_frame, columns=["race"], min_count=50)
    counts = messy_frame["race"].value_counts()
    rare = sorted(v for v, n in counts.items() if n < 50)
    assert "Asian" in rare and sorted(values["race"]) == rare
    assert merged.attrs["fairdash_merged"] == values
    expected = messy_frame["race"].where(~messy_frame["race"].isin(rare), "Other")
    assert (merged["race"] == expected).all()
    assert merged["race"].value_counts()["Other"] == counts[[*rare, "Other"]].sum()
    # The input is left as it was; other columns are untouched.
    assert "Asian" in set(messy_frame["race"])
    pd.testing.assert_frame_equal(merged.drop(columns="race"), messy_frame.drop(columns="race"))
    # The merged column makes larger groups.
    problem = fairdash.define_problem(merged, target=MESSY["target"], sensitive_features=SENSITIVE)
    sizes = problem.sensitive(merged).value_counts()
    assert sizes.min() > messy_frame.groupby(SENSITIVE).size().min()


def test_merge_rare_categories_keeps_missing_and_refuses_numbers():
    data = pd.DataFrame({"c": pd.Series(["a"] * 5 + ["b", None], dtype="category"),
                         "n": range(7)})
    merged, values = fairdash.merge_rare_categories(data, columns=["c"], min_count=2)
    assert values == {"c": ["b"]}
    assert merged["c"].isna().sum() == 1 and list(merged["c"].dropna()) == ["a"] * 5 + ["Other"]
    nothing, none = fairdash.merge_rare_categories(data, columns=["c"], min_count=1)
    assert none == {} and nothing["c"].equals(data["c"])
    with pytest.raises(InputError, match="'n' is not text") as err:
        fairdash.merge_rare_categories(data, columns=["n"])
    assert err.value.column == "n"
    with pytest.raises(InputError, match="min_count"):
        fairdash.merge_rare_categories(data, columns=["c"], min_count=-1)


def test_define_problem_records_excluded_inputs(messy_frame, screen):
    excluded = screen.loc[screen["verdict"] == "exclude", "reason"].to_dict()
    problem = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE,
        excluded_features=excluded,
    )
    expected = [c for c in messy_frame.columns
                if c not in (MESSY["target"], *SENSITIVE) and c not in excluded]
    assert list(problem.feature_columns) == expected
    assert dict(problem.excluded_features) == excluded
    assert problem.to_dict()["excluded_features"] == excluded
    # Without exclusions, every other column as before.
    plain = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE
    )
    assert len(plain.feature_columns) == messy_frame.shape[1] - 3 and not plain.excluded_features
    with pytest.raises(InputError, match="both a model input and excluded") as err:
        fairdash.define_problem(
            messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE,
            feature_columns=["age", "id"], excluded_features={"id": "identifier"},
        )
    assert err.value.column == "id"
    with pytest.raises(InputError, match="nope"):
        fairdash.define_problem(
            messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE,
            excluded_features={"nope": "?"},
        )


def test_report_lists_the_problems_exclusions(messy_frame, screen):
    from fairdash.report import audit_report_html

    excluded = screen.loc[screen["verdict"] == "exclude", "reason"].to_dict()
    problem = fairdash.define_problem(
        messy_frame, target=MESSY["target"], sensitive_features=SENSITIVE,
        excluded_features=excluded,
    )
    run = fairdash.train_model(messy_frame, problem)
    metrics = fairdash.metrics.group_metrics(run.y_test, run.y_pred, run.sensitive_test)
    report = audit_report_html(metrics, problem=problem, inputs=problem.feature_columns)
    assert f"Left out of the inputs ({len(excluded)})" in report
    assert "is_recid: On its own it predicts" in report
    assert "Favourable outcome</th><td>two_year_recid = 0 (guessed)" in report


@pytest.mark.parametrize(
    ("name", "target", "sensitive"),
    [("adult", "income", ["sex", "race"]), ("german", "risk", ["sex"])],
)
def test_bundled_models_are_not_suspicious(name, target, sensitive):
    data = load(name)
    problem = fairdash.define_problem(data, target=target, sensitive_features=sensitive)
    run = fairdash.train_model(data, problem)
    check = fairdash.leakage_check(run, data)
    assert not check.suspicious and check.message is None
    assert 0.6 < check.scores["roc_auc"] < 0.95


def test_leakage_check_importance_on_request_and_for_regression():
    rng = np.random.default_rng(4)
    n = 1500
    x = rng.normal(size=n)
    y = 3 * x + rng.normal(size=n)
    data = pd.DataFrame({"x": x, "noise": rng.normal(size=n), "g": rng.choice(["a", "b"], n),
                         "y": y, "after": y + rng.normal(scale=0.01, size=n)})
    honest = fairdash.define_problem(data, target="y", sensitive_features=["g"],
                                     feature_columns=["x", "noise"])
    check = fairdash.leakage_check(
        fairdash.train_model(data, honest, estimator="ridge"), data, always=True
    )
    assert not check.suspicious and list(check.importance.index) == ["x", "noise"]
    assert check.scores["r2"] == pytest.approx(0.9, abs=0.03)  # 9 / (9 + 1)
    leaky = fairdash.define_problem(data, target="y", sensitive_features=["g"])
    check = fairdash.leakage_check(fairdash.train_model(data, leaky, estimator="ridge"), data)
    assert check.suspicious and check.importance.index[0] == "after"
    assert "test R² 1.000" in check.message and "'after'" in check.message


def test_repeated_headers_read_by_io_are_screened_as_duplicates():
    from fairdash import io
    from tests._messy import make_messy_csv

    data = io.read_table(make_messy_csv(n_rows=600), name="compas-like.csv")
    assert data.attrs["fairdash_io"]["renamed"] == MESSY["repeated"]
    screen = fairdash.screen_features(data, target=MESSY["target"], sensitive_features=SENSITIVE)
    for copy in MESSY["repeated"]:
        assert screen.loc[copy, "check"] == "duplicate"


def test_a_measurement_with_distinct_values_is_not_an_identifier():
    rng = np.random.default_rng(1)
    n = 300
    frame = pd.DataFrame(
        {
            "team": rng.choice(["a", "b", "c"], n),
            "income": (np.arange(n) * 7919) % 1000,  # 300 distinct values spread over 0-999
            "row": rng.permutation(n) + 1000,  # a shuffled, consecutive counter
            "case": np.cumsum(rng.integers(1, 9, n)),  # increasing with gaps
            "approved": rng.choice(["yes", "no"], n),
        }
    )
    screen = fairdash.screen_features(frame, target="approved", sensitive_features=["team"])
    assert screen.loc["income", "verdict"] == "use"
    assert screen.loc["row", "check"] == "identifier"
    assert screen.loc["case", "check"] == "identifier"
