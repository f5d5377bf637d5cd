"""What the pages do with the core: train or mitigate and store the models in the session;
save and restore the session's configuration."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

import fairdash
from fairdash import datasets, io
from fairdash.config import CONFIG_VERSION, load_config
from fairdash.metrics import data_stage, group_metrics, regression_group_metrics
from fairdash.models import estimator_spec
from fairdash.tradeoff import (
    MethodConfig,
    ModelResult,
    run_methods,
    run_postprocessing_on_scores,
    split_data,
)
from fairdash_app.state import (
    AUDIT,
    NO_SCORE,
    Evaluation,
    data_identity,
    derived,
    min_group_size,
    run_cache,
    set_models,
    show_definition,
    use_data,
    widget_key,
)

__all__ = [
    "CONFIG_VERSION",
    "MERGE_ATTR",
    "audit_and_store",
    "bundled_data",
    "data_digest",
    "data_stage_for",
    "evaluation_for",
    "merged_data",
    "mitigate_and_store",
    "model_data",
    "postprocess_audit_and_store",
    "problem_for",
    "read_upload",
    "restore_config",
    "session_config",
    "train_and_store",
]


def data_digest(content: bytes) -> str:
    """The sha256 of an uploaded file (identifies it in saved configurations)."""
    return hashlib.sha256(content).hexdigest()


def bundled_data(name: str) -> pd.DataFrame:
    """A bundled data set in compact column types: the session's own frame when the
    session already uses it (one copy per session, never a cache shared across sessions)."""
    state = st.session_state
    if state.get("data") is not None and (state.get("data_name"), state.get("data_digest")) == (
        name, None
    ):
        return state["data"]
    return fairdash.compact_frame(datasets.load(name))


def read_upload(content, *, name: str, sheet: str | None = None) -> pd.DataFrame:
    """Read an uploaded file (or a server file's path) into compact column types."""
    return fairdash.compact_frame(io.read_table(content, name=name, sheet=sheet))


def problem_for(data: pd.DataFrame, **definition) -> fairdash.Problem:
    """:func:`fairdash.define_problem` on the session's data, computed once per data
    fingerprint and definition (a rerun that changes neither reuses it)."""
    # Data & model may show a copy with rare categories merged: part of the key.
    key = json.dumps([definition, repr(data.attrs.get("fairdash_merged"))], sort_keys=True,
                     default=repr)
    return derived("problem", key, lambda: fairdash.define_problem(data, **definition))


def evaluation_for(data, problem, test_index, *, data_name=None, data_digest=None) -> Evaluation:
    """The test rows, labels and sensitive columns (groups from all usable rows)."""
    frame = problem.usable_data(data)
    return Evaluation(
        test_index=test_index,
        y_test=problem.encode_target(frame.loc[test_index]),
        sensitive_test=problem.sensitive(frame).loc[test_index],
        problem=problem,
        data=data,
        data_name=data_name,
        data_digest=data_digest,
    )


#: Where the data models learn from records how rare categories were merged (saved configs).
MERGE_ATTR = "fairdash_merge_rare"


def merged_data(data: pd.DataFrame, columns: list, min_count: int) -> pd.DataFrame:
    """``data`` with the rare categories of ``columns`` merged into "Other"
    (:func:`fairdash.merge_rare_categories`), recording the setting in its attrs."""
    merged = fairdash.merge_rare_categories(data, columns=columns, min_count=min_count)[0]
    merged.attrs[MERGE_ATTR] = {"columns": list(columns), "min_count": int(min_count)}
    return merged


def model_data(data: pd.DataFrame | None = None):
    """The data models learn from: the session's data (or ``data``) with the rare
    categories merged into "Other" as chosen on Data & model (none by default)."""
    state = st.session_state
    data = state["data"] if data is None else data
    columns = [c for c in state.get(widget_key("data", "merge_rare")) or [] if c in data]
    size = min_group_size()
    if data is None or not columns or size == 0:
        return data
    return merged_data(data, columns, size)


def data_stage_for(data: pd.DataFrame, problem, *, source: str | None = None) -> pd.DataFrame:
    """Group sizes and label balance of the usable rows (classification), or group sizes
    and shares (regression); computed once per data fingerprint and problem.

    ``source`` is the :func:`~fairdash_app.state.data_identity` of ``data`` when it is
    not the session's current data."""
    key = json.dumps([problem.to_dict(), repr(data.attrs.get("fairdash_merged"))],
                     sort_keys=True, default=repr)
    return derived("data_stage", key, lambda: _data_stage(data, problem), source=source)


def _data_stage(data: pd.DataFrame, problem) -> pd.DataFrame:
    frame = problem.usable_data(data)
    sensitive = problem.sensitive(frame)
    if problem.task == "classification":
        return data_stage(problem.encode_target(frame), sensitive)
    sizes = sensitive.value_counts(sort=False).rename("count").to_frame()
    sizes["share"] = sizes["count"] / sizes["count"].sum()
    return sizes


def _source() -> dict:
    state = st.session_state
    return {"data_name": state["data_name"], "data_digest": state["data_digest"]}


def train_and_store(data, problem, *, estimator: str, test_size: float, seed: int,
                    source: dict | None = None):
    """Train one model (the Data & model page) and make it the session's only model.

    ``source``: the data's name and digest (by default the session's data).
    """
    run = fairdash.train_model(
        data, problem, estimator=estimator, test_size=test_size, random_state=seed,
        max_fit_rows=fairdash.MAX_FIT_ROWS,
    )
    if problem.task == "classification":
        metrics = group_metrics(
            run.y_test, run.y_pred, run.sensitive_test, y_score=run.y_score,
            min_group_size=min_group_size(),
        )
    else:
        metrics = regression_group_metrics(
            run.y_test, run.y_pred, run.sensitive_test, min_group_size=min_group_size()
        )
    label = estimator_spec(estimator, task=problem.task).label
    model = ModelResult(
        name=f"{label} (unmitigated)",
        method="unmitigated",
        params={"estimator": estimator},
        y_pred=run.y_pred,
        y_score=run.y_score,
        metrics=metrics,
        fit_seconds=run.fit_seconds,
        is_unmitigated=True,
        model=run.model,
    )
    evaluation = Evaluation(
        test_index=run.test_index,
        y_test=run.y_test,
        sensitive_test=run.sensitive_test,
        problem=problem,
        data=data,
        **(source or _source()),
    )
    set_models([model], evaluation)
    state = st.session_state
    state["problem"] = problem
    state["run"] = run
    state["metrics"] = metrics
    state["settings"] = {
        "workflow": "train",
        "estimator": estimator,
        "test_size": test_size,
        "random_state": seed,
    }
    return run, metrics


def audit_and_store(data, *, target: str, prediction: str, score: str | None,
                    sensitive_features: list, positive_label, bins: dict,
                    source: dict | None = None):
    """Evaluate a model's existing predictions (no training) and make them the session's
    only model; the same numbers as ``python -m fairdash audit`` on the same file."""
    evaluated = fairdash.evaluate_predictions(
        data, target=target, prediction=prediction, score=score,
        sensitive_features=sensitive_features, positive_label=positive_label, bins=bins,
        min_group_size=min_group_size(),
    )
    evaluation = Evaluation(
        test_index=evaluated.test_index,
        y_test=evaluated.y_test,
        sensitive_test=evaluated.sensitive_test,
        problem=evaluated.problem,
        data=data,
        **(source or _source()),
    )
    set_models([evaluated.model_result()], evaluation)
    state = st.session_state
    state["problem"] = evaluated.problem
    state["metrics"] = evaluated.metrics
    state["settings"] = {
        "workflow": "audit",
        "prediction": prediction,
        "score": score,
    }
    return evaluated


def postprocess_audit_and_store(data, problem, configs, *, prediction: str, score: str,
                                calibration_size: float, seed: int, progress=None,
                                source: dict | None = None):
    """Post-process an audited model's scores (threshold optimizer, barycenter) and make
    the models the session's: every model, the audited one included, measured on the rows
    the post-processors were not fitted on (:func:`fairdash.tradeoff.run_postprocessing_on_scores`).

    ``source``: the data's name and digest (by default the session's data).
    """
    configs = [c if isinstance(c, MethodConfig) else MethodConfig.from_dict(c) for c in configs]
    evaluated = fairdash.evaluate_predictions(
        data, target=problem.target, prediction=prediction, score=score,
        sensitive_features=list(problem.sensitive_features),
        positive_label=problem.positive_label, bins=dict(problem.bins),
        min_group_size=min_group_size(),
    )
    made = run_postprocessing_on_scores(
        y_true=evaluated.y_test, y_pred=evaluated.y_pred, y_score=evaluated.y_score,
        sensitive_features=evaluated.sensitive_test, methods=configs,
        calibration_size=calibration_size, random_state=seed, progress=progress,
        params={"prediction": prediction, "score": score},
    )
    rows = made.test_rows
    evaluation = Evaluation(
        test_index=evaluated.test_index[rows],
        y_test=evaluated.y_test[rows],
        sensitive_test=evaluated.sensitive_test.iloc[rows],
        problem=evaluated.problem,
        data=data,
        **(source or _source()),
    )
    set_models(made.results, evaluation)
    state = st.session_state
    state["problem"] = evaluated.problem
    state["metrics"] = evaluated.metrics  # Data & model shows the audit of every row
    state["settings"] = {
        "workflow": "audit", "prediction": prediction, "score": score,
        "methods": [c.to_dict() for c in configs], "calibration_size": calibration_size,
        "random_state": seed,
    }
    return made


def _trained_base(data, problem, split, *, estimator: str, seed: int, source: dict):
    """The model trained on Data & model and its fit seconds, when it was fitted on exactly
    the rows of ``split`` with the same estimator and seed; else (None, 0.0).

    Data & model fits on every row but the test rows, so only a split without
    calibration rows (post-processors calibrating on the training rows) is the same.
    """
    state = st.session_state
    run, evaluation = state.get("run"), state.get("evaluation")
    if run is None or evaluation is None or len(split.calibration_index):
        return None, 0.0
    same = (
        run.estimator == estimator
        and run.random_state == seed
        and run.problem.to_dict() == problem.to_dict()
        and data_identity(evaluation.data_name, evaluation.data_digest)
        == data_identity(source["data_name"], source["data_digest"])
        and evaluation.data.attrs.get("fairdash_merged") == data.attrs.get("fairdash_merged")
        and run.test_index.equals(split.test_index)
        and run.train_index.equals(split.train_index)
        and (run.fit_index is None) == (split.train_sample is None)
        and (run.fit_index is None or run.fit_index.equals(split.train_sample))
    )
    return (run.model, run.fit_seconds) if same else (None, 0.0)


def mitigate_and_store(data, problem, configs, *, estimator: str, test_size: float,
                       calibration_size: float, seed: int, progress=None,
                       source: dict | None = None) -> list:
    """Run mitigation methods on one split and make their models the session's models.

    ``source``: the data's name and digest (by default the session's data). What was
    fitted before is reused: the model trained on Data & model when it was fitted on
    the same rows, and, from the session's :func:`~fairdash_app.state.run_cache`, the
    preprocessing and unmitigated model of an earlier run on the same split, and the
    models of every method already run with the same settings.
    """
    configs = [c if isinstance(c, MethodConfig) else MethodConfig.from_dict(c) for c in configs]
    source = source or _source()
    identity = data_identity(source["data_name"], source["data_digest"])
    # Once per data, definition and split settings (seconds at millions of rows).
    settings = [test_size, calibration_size, seed, fairdash.MAX_FIT_ROWS]
    key = json.dumps([settings, problem.to_dict(), repr(data.attrs.get("fairdash_merged"))],
                     sort_keys=True, default=repr)
    split = derived("split", key, lambda: split_data(
        data, problem, test_size=test_size, calibration_size=calibration_size, random_state=seed,
        max_fit_rows=fairdash.MAX_FIT_ROWS,
    ), source=identity)
    base, base_seconds = _trained_base(data, problem, split, estimator=estimator, seed=seed,
                                       source=source)
    cache = run_cache(problem, data, source=identity)
    results = run_methods(
        data, problem, methods=configs, estimator=estimator, random_state=seed,
        progress=progress, split=split, base=base, base_fit_seconds=base_seconds, cache=cache,
    )
    set_models(results, evaluation_for(data, problem, split.test_index, **source))
    state = st.session_state
    state["problem"] = problem
    state["settings"] = {
        "workflow": "mitigate",
        "estimator": estimator,
        "test_size": test_size,
        "calibration_size": calibration_size,
        "random_state": seed,
        "methods": [c.to_dict() for c in configs],
    }
    return results


def session_config() -> dict:
    """The session's configuration as JSON-friendly data (to download): what the models
    were computed for."""
    state = st.session_state
    evaluation = state["evaluation"]
    name, digest = ((evaluation.data_name, evaluation.data_digest) if evaluation is not None
                    else (state["data_name"], state["data_digest"]))
    problem = evaluation.problem if evaluation is not None else state["problem"]
    return {
        "fairdash_config": CONFIG_VERSION,
        "fairdash_version": fairdash.__version__,
        "data": {"name": name, "sha256": digest,
                 "bundled": digest is None and name in datasets.names()},
        "problem": problem.to_dict() if problem is not None else None,
        "settings": state["settings"],
        "current_model": state["current_model"],
        "thresholds": state["thresholds"],
        # How the models' data had its rare categories merged (None: not merged).
        "merge_rare": None if evaluation is None else evaluation.data.attrs.get(MERGE_ATTR),
    }


def restore_config(raw: bytes, progress=None) -> str:
    """Restore problem, models and settings from a downloaded configuration.

    All or nothing: the configuration is checked (``fairdash.config.load_config``)
    and the models are made before the session's data or models change. Returns
    a short description of what was restored; raises InputError when the file
    is not a valid FairDash configuration or does not fit the data.
    """
    config = load_config(raw)
    state = st.session_state
    source = config.data
    if source.bundled:
        data, name, digest = bundled_data(source.name), source.name, None
    else:
        upload = state["upload"]
        if upload is None or upload.digest != source.sha256:
            raise fairdash.InputError(
                f"The configuration was made with the uploaded file '{source.name}'. "
                "Upload that same file on the Data & model page first, then load the "
                "configuration again."
            )
        data, name, digest = upload.data, upload.name, upload.digest
    merge = config.merge_rare
    source_data = data
    if merge is not None:  # the models learnt from the data with rare categories merged
        try:
            data = merged_data(data, list(merge.columns), merge.min_count)
        except fairdash.InputError as err:
            raise fairdash.InputError(
                f"The configuration's 'merge_rare' does not fit the data: {err}",
                column=err.column,
            ) from None
    problem = config.problem.define(data)
    settings = config.settings
    made_for = {"data_name": name, "data_digest": digest}
    if settings.workflow == "audit" and settings.methods:  # and post-processing of its scores
        postprocess_audit_and_store(
            data, problem, list(settings.methods), prediction=settings.prediction,
            score=settings.score, calibration_size=settings.calibration_size,
            seed=settings.random_state, progress=progress, source=made_for,
        )
    elif settings.workflow == "audit":
        audit_and_store(
            data, target=problem.target, prediction=settings.prediction, score=settings.score,
            sensitive_features=list(problem.sensitive_features),
            positive_label=problem.positive_label, bins=dict(problem.bins), source=made_for,
        )
    elif settings.workflow == "mitigate":
        mitigate_and_store(
            data, problem, list(settings.methods), estimator=settings.estimator,
            test_size=settings.test_size, calibration_size=settings.calibration_size,
            seed=settings.random_state, progress=progress, source=made_for,
        )
    else:
        train_and_store(
            data, problem, estimator=settings.estimator, test_size=settings.test_size,
            seed=settings.random_state, source=made_for,
        )
    # Swapped only now that the models are made: a failed restore leaves the session as it was.
    use_data(source_data, name, digest)
    show_definition(problem, data_name=name, bundled=digest is None)
    state[widget_key("data", "merge_rare")] = [] if merge is None else list(merge.columns)
    if merge is not None:
        state[widget_key("data", "min_group_size")] = merge.min_count
    state["merged"] = data.attrs.get("fairdash_merged") or {}
    if settings.workflow == "audit":
        state[widget_key("data", "workflow")] = AUDIT
        state[widget_key("data", "prediction")] = settings.prediction
        state[widget_key("data", "score")] = settings.score or NO_SCORE
    names = [m.name for m in state["models"]]
    if config.current_model in names:
        state["current_model"] = config.current_model
    state["thresholds"] = config.thresholds
    return f"Restored {len(names)} model(s) on {name}."
