"""The DuckDB and Spark engines agree with the in-memory engine on the same rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from fairdash import InputError, sensitive_frame
from fairdash.engines import aggregate_log, log_group_metrics, resolve_files
from fairdash.metrics import group_metrics

SENSITIVE = ["sex", "race", "age"]


def reference(frame: pd.DataFrame, *, weighted: bool, bins=None):
    sensitive = sensitive_frame(frame, SENSITIVE, bins=bins)
    return group_metrics(
        frame["income"],
        np.where(frame["pred"] == 1, ">50K", "<=50K"),
        sensitive,
        y_score=frame["score"],
        sample_weight=frame["weight"] if weighted else None,
        pos_label=">50K",
    )


def assert_same(metrics, expected, *, auc_tolerance: float) -> None:
    assert metrics.by_group.index.equals(expected.by_group.index)
    np.testing.assert_array_equal(metrics.group_sizes.to_numpy(), expected.group_sizes.to_numpy())
    rates = metrics.by_group.drop(columns="roc_auc")
    pd.testing.assert_frame_equal(
        rates, expected.by_group.drop(columns="roc_auc"), check_exact=False, rtol=0, atol=1e-12
    )
    pd.testing.assert_frame_equal(
        metrics.intervals, expected.intervals, check_exact=False, rtol=0, atol=1e-12
    )
    pd.testing.assert_series_equal(
        metrics.overall.drop("roc_auc"), expected.overall.drop("roc_auc"), atol=1e-12, rtol=0
    )
    for method in ("between_groups", "to_overall"):
        got, want = metrics.disparities(method), expected.disparities(method)
        assert got.keys() == want.keys()
        for key, value in want.items():
            assert got[key] == pytest.approx(value, abs=1e-12), key
    diff = (metrics.by_group["roc_auc"] - expected.by_group["roc_auc"]).abs()
    bound = metrics.roc_auc_error_bound
    assert (diff.dropna() <= bound.dropna() + 1e-15).all()
    assert diff.max() <= auc_tolerance


@pytest.mark.parametrize("weighted", [False, True])
def test_duckdb_equals_numpy(log_folder, log_frame, weighted):
    metrics = log_group_metrics(
        log_folder,
        target="income",
        prediction="pred",
        sensitive_features=SENSITIVE,
        pos_label=">50K",
        score="score",
        sample_weight="weight" if weighted else None,
        threads=1,
    )
    expected = reference(log_frame, weighted=weighted)
    assert_same(metrics, expected, auc_tolerance=1e-4)


def test_duckdb_counts_are_exact(log_folder, log_frame):
    metrics = log_group_metrics(
        log_folder, target="income", prediction="pred", sensitive_features=SENSITIVE,
        pos_label=">50K", threads=1,
    )
    expected = reference(log_frame, weighted=False)
    np.testing.assert_array_equal(metrics.confusion.to_numpy(), expected.confusion.to_numpy())
    np.testing.assert_array_equal(metrics.group_sizes.to_numpy(), expected.group_sizes.to_numpy())


def test_binned_auc_is_within_its_bound_of_sklearn(log_folder, log_frame):
    metrics = log_group_metrics(
        log_folder, target="income", prediction="pred", sensitive_features=["sex"],
        pos_label=">50K", score="score", threads=1,
    )
    for sex, rows in log_frame.groupby("sex"):
        exact = roc_auc_score(rows["income"] == ">50K", rows["score"])
        got = metrics.by_group.loc[sex, "roc_auc"]
        assert abs(got - exact) <= metrics.roc_auc_error_bound.loc[sex] + 1e-15
        assert abs(got - exact) < 1e-4


@pytest.mark.parametrize("bins", [{"age": 3}, {"age": [30, 50]}])
def test_duckdb_bins_like_sensitive_frame(log_folder, log_frame, bins):
    metrics = log_group_metrics(
        log_folder, target="income", prediction="pred", sensitive_features=SENSITIVE,
        pos_label=">50K", score="score", bins=bins, threads=1,
    )
    assert_same(metrics, reference(log_frame, weighted=False, bins=bins), auc_tolerance=1e-4)


def test_glob_and_single_file(log_folder, log_frame, tmp_path):
    by_glob = log_group_metrics(
        f"{log_folder}/part-*.parquet", target="income", prediction="pred",
        sensitive_features=["sex"], pos_label=">50K", threads=1,
    )
    path = tmp_path / "log.csv"
    log_frame.to_csv(path, index=False)
    by_csv = log_group_metrics(
        path, target="income", prediction="pred", sensitive_features=["sex"],
        pos_label=">50K", threads=1,
    )
    pd.testing.assert_frame_equal(by_glob.by_group, by_csv.by_group)
    assert int(by_glob.group_sizes.sum()) == len(log_frame)


@pytest.mark.parametrize("name", ["log[1].parquet", "log*.parquet", "log?.parquet"])
def test_a_file_named_like_a_glob_is_read_as_named(tmp_path, log_frame, name):
    # A decoy the name would match as a pattern: reading it would silently audit other rows.
    folder = tmp_path / "logs [2026]"
    folder.mkdir()
    log_frame.iloc[:500].to_parquet(folder / "log1.parquet", index=False)
    log_frame.to_parquet(folder / name, index=False)
    assert resolve_files(folder / name) == ([str(folder / name)], "parquet")
    metrics = log_group_metrics(
        folder / name, target="income", prediction="pred", sensitive_features=["sex"],
        pos_label=">50K", threads=1,
    )
    assert int(metrics.group_sizes.sum()) == len(log_frame)
    expected = group_metrics(log_frame["income"], np.where(log_frame["pred"] == 1, ">50K", "<=50K"),
                             sensitive_frame(log_frame, ["sex"]), pos_label=">50K")
    np.testing.assert_array_equal(metrics.confusion.to_numpy(), expected.confusion.to_numpy())
    # The folder (a "[2026]" in its name) is read as named too: both files.
    files, _ = resolve_files(folder)
    assert sorted(files) == sorted(str(p) for p in folder.iterdir())


def test_a_pattern_is_still_a_pattern(tmp_path, log_frame):
    for i, part in enumerate(np.array_split(np.arange(len(log_frame)), 2)):
        log_frame.iloc[part].to_parquet(tmp_path / f"part{i}.parquet", index=False)
    files, _ = resolve_files(tmp_path / "part[01].parquet")
    assert files == [str(tmp_path / "part0.parquet"), str(tmp_path / "part1.parquet")]
    with pytest.raises(InputError, match="matches no file"):
        resolve_files(tmp_path / "part[7].parquet")


def test_aggregate_is_small(log_folder):
    table = aggregate_log(
        log_folder, target="income", prediction="pred", sensitive_features=SENSITIVE,
        score="score", threads=1,
    )
    assert table.n_rows == 20_000
    assert len(table.cells) <= 2 * 4 * 4 * 2 * 2  # sex x race x age bins x y x p
    assert table.binned["age"][0] == 18.0
    assert any("'age'" in note for note in table.notes)


def test_errors_name_the_problem(log_folder, tmp_path):
    with pytest.raises(InputError, match="matches no file"):
        log_group_metrics(f"{tmp_path}/nothing-*.parquet", target="income", prediction="pred",
                          sensitive_features=["sex"])
    with pytest.raises(InputError, match="'gender' is not in") as info:
        log_group_metrics(log_folder, target="income", prediction="pred",
                          sensitive_features=["gender"])
    assert info.value.column == "gender"
    with pytest.raises(InputError, match="score column 'sex' is not numeric"):
        log_group_metrics(log_folder, target="income", prediction="pred",
                          sensitive_features=["race"], score="sex")
    with pytest.raises(InputError, match="favourable label 'yes' does not occur"):
        log_group_metrics(log_folder, target="income", prediction="pred",
                          sensitive_features=["sex"], pos_label="yes")
    with pytest.raises(InputError, match="no file or folder"):
        log_group_metrics(tmp_path / "missing", target="income", prediction="pred",
                          sensitive_features=["sex"])


def test_unreadable_and_inconsistent_parts(tmp_path, log_frame):
    good = log_frame.iloc[:100]
    good.to_parquet(tmp_path / "part-0.parquet", index=False)
    (tmp_path / "part-1.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"Could not (read|aggregate)"):
        log_group_metrics(tmp_path, target="income", prediction="pred",
                          sensitive_features=["sex"], pos_label=">50K")
    other = tmp_path / "typed"
    other.mkdir()
    good.to_parquet(other / "part-0.parquet", index=False)
    bad = good.assign(pred=good["pred"].map({0: "no", 1: "maybe"}))
    bad.to_parquet(other / "part-1.parquet", index=False)
    with pytest.raises(InputError, match="pred"):
        log_group_metrics(other, target="income", prediction="pred",
                          sensitive_features=["sex"], pos_label=">50K")


def test_missing_values_are_refused(tmp_path, log_frame):
    frame = log_frame.iloc[:200].copy()
    frame.loc[frame.index[:3], "pred"] = np.nan
    frame.to_parquet(tmp_path / "log.parquet", index=False)
    with pytest.raises(InputError, match="3 missing value"):
        log_group_metrics(tmp_path / "log.parquet", target="income", prediction="pred",
                          sensitive_features=["sex"], pos_label=">50K")


@pytest.mark.parametrize("weighted", [False, True])
def test_spark_equals_numpy(spark, log_folder, log_frame, weighted):
    metrics = log_group_metrics(
        log_folder,
        target="income",
        prediction="pred",
        sensitive_features=SENSITIVE,
        pos_label=">50K",
        score="score",
        sample_weight="weight" if weighted else None,
        engine="spark",
        spark=spark,
    )
    assert_same(metrics, reference(log_frame, weighted=weighted), auc_tolerance=1e-4)


def test_spark_dataframe_and_duckdb_agree_exactly_on_counts(spark, log_folder, log_frame):
    frame = spark.read.parquet(log_folder)
    by_spark = log_group_metrics(frame, target="income", prediction="pred",
                                 sensitive_features=SENSITIVE, pos_label=">50K",
                                 engine="spark", spark=spark)
    by_duckdb = log_group_metrics(log_folder, target="income", prediction="pred",
                                  sensitive_features=SENSITIVE, pos_label=">50K", threads=1)
    np.testing.assert_array_equal(by_spark.confusion.to_numpy(), by_duckdb.confusion.to_numpy())


def test_spark_table_name_and_unknown_table(spark, log_folder, log_frame):
    spark.read.parquet(log_folder).createOrReplaceTempView("decisions")
    by_table = log_group_metrics("decisions", target="income", prediction="pred",
                                 sensitive_features=["sex"], pos_label=">50K",
                                 engine="spark", spark=spark)
    assert int(by_table.group_sizes.sum()) == len(log_frame)
    with pytest.raises(InputError, match="Spark could not read 'no_such_table'"):
        log_group_metrics("no_such_table", target="income", prediction="pred",
                          sensitive_features=["sex"], engine="spark", spark=spark)


def test_spark_reads_a_glob_like_name_as_named(spark, tmp_path, log_frame):
    folder = tmp_path / "logs [2026]"
    folder.mkdir()
    log_frame.iloc[:500].to_parquet(folder / "log1.parquet", index=False)  # the glob's match
    log_frame.to_parquet(folder / "log[1]{a,b}.parquet", index=False)
    metrics = log_group_metrics(str(folder / "log[1]{a,b}.parquet"), target="income",
                                prediction="pred", sensitive_features=["sex"],
                                pos_label=">50K", engine="spark", spark=spark)
    assert int(metrics.group_sizes.sum()) == len(log_frame)


def test_score_range_from_parquet_footers_equals_a_pass(log_folder, log_frame):
    # Text sensitive features only: rows and score range come from the footers; with the
    # numeric 'age' a pass over the rows computes them. Both give the scores' own range.
    args = dict(target="income", prediction="pred", score="score", threads=1)
    footers = aggregate_log(log_folder, sensitive_features=["sex"], **args)
    scanned = aggregate_log(log_folder, sensitive_features=["sex", "age"], **args)
    expected = (float(log_frame["score"].min()), float(log_frame["score"].max()))
    assert footers.score_range == scanned.score_range == expected
    assert footers.n_rows == scanned.n_rows == len(log_frame)

    def by_sex(table):
        return table.histogram.groupby(["sex", "y", "b"], dropna=False)["n"].sum().sort_index()

    pd.testing.assert_series_equal(by_sex(footers), by_sex(scanned))


def test_a_nan_score_is_a_missing_score(tmp_path, log_frame):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = log_frame.iloc[:1000].copy()
    frame.loc[frame.index[3], "score"] = np.nan
    # pyarrow keeps NaN (not null) and writes no NaN count in the footer.
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.set_column(table.schema.get_field_index("score"), "score",
                             pa.array(frame["score"].to_numpy(), from_pandas=False))
    pq.write_table(table, tmp_path / "nan.parquet")
    with pytest.raises(InputError, match="'score' has 1 missing value"):
        aggregate_log(tmp_path / "nan.parquet", target="income", prediction="pred",
                      sensitive_features=["sex"], score="score", threads=1)
