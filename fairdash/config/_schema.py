"""A saved session configuration: its typed form and the checks that build it.

Every limit equals what the app lets a user choose (the method catalogue's
parameter limits, the sliders of the split settings), so a configuration file
can restore any session the app can make and nothing it cannot: no grid of a
billion candidates, no worker-process count, no label text the app never sets.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fairdash._errors import InputError
from fairdash.config._fields import (
    MAX_NAME_LENGTH,
    _choice,
    _fail,
    _names,
    _number,
    _object,
    _text,
)
from fairdash.config._json import read_json
from fairdash.tradeoff._catalogue import (
    CATALOGUE,
    METHODS,
    REGRESSION_METHODS,
    SPLIT_SETTINGS,
    MethodConfig,
    ParameterSpec,
)

__all__ = [
    "CONFIG_VERSION",
    "MAX_MIN_COUNT",
    "MAX_NAME_LENGTH",
    "MAX_SENSITIVE_FEATURES",
    "MAX_THRESHOLDS",
    "DataSource",
    "MergeRare",
    "ProblemSpec",
    "RunSettings",
    "SessionConfig",
    "load_config",
]

#: The configuration format version the app writes.
CONFIG_VERSION = 1
#: Most sensitive features (their combinations form the groups).
MAX_SENSITIVE_FEATURES = 10
#: Most model input columns.
MAX_FEATURE_COLUMNS = 10_000
#: Most What-if thresholds (one per group).
MAX_THRESHOLDS = 10_000
#: Quantile bins per binned sensitive feature, as on the Data & model page.
MIN_BINS, MAX_BINS = 2, 10
#: Largest minimum group size (the rare-category threshold), as on the Data & model page.
MAX_MIN_COUNT = 100_000

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _parameter(spec: ParameterSpec, value: object, path: str) -> Any:
    if not spec.exposed:
        # Files saved by the app list every parameter; the hidden ones at their defaults.
        if type(value) is not type(spec.default) or value != spec.default:
            raise InputError(
                f"Configuration field '{path}' is not a setting the app lets you choose; "
                f"leave it out (or at its default, {spec.default!r})."
            )
        return value
    if spec.kind == "choice":
        return _choice(value, path, spec.choices)
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise _fail(path, "true or false", value)
        return value
    if spec.kind in ("int", "float"):
        return _number(
            value, path, integer=spec.kind == "int", low=spec.minimum, high=spec.maximum
        )
    if not isinstance(value, list) or not spec.min_items <= len(value) <= spec.max_items:
        raise _fail(path, f"a list of {spec.min_items} to {spec.max_items} numbers", value)
    return [
        None
        if item is None and spec.allow_none
        else _number(item, f"{path}[{i}]", integer=False, low=spec.minimum, high=spec.maximum)
        for i, item in enumerate(value)
    ]


def _method(value: object, path: str, *, task: str) -> MethodConfig:
    value = _object(value, path, required=["method"], optional=["params", "label"])
    method = _choice(value["method"], f"{path}.method", METHODS)
    if task == "regression" and method not in REGRESSION_METHODS:
        raise InputError(
            f"Configuration field '{path}.method' is {method!r}, which works for binary "
            f"classification only; this problem is a regression."
        )
    if value.get("label") is not None:
        raise _fail(f"{path}.label", "null (the app names the models itself)", value["label"])
    spec = CATALOGUE[method]
    params = value.get("params") or {}
    names = [p.name for p in spec.parameters]
    _object(params, f"{path}.params", required=[], optional=names)
    checked = {
        name: _parameter(spec.parameter(name), item, f"{path}.params.{name}")
        for name, item in params.items()
    }
    return MethodConfig(method, checked)


def _split_setting(settings: Mapping, name: str) -> float | int:
    spec = SPLIT_SETTINGS[name]
    return _number(
        settings[name],
        f"settings.{name}",
        integer=spec.kind == "int",
        low=spec.minimum,
        high=spec.maximum,
    )


@dataclass(frozen=True)
class DataSource:
    """Which data the session used: a bundled data set, or an upload with its SHA-256."""

    name: str
    sha256: str | None
    bundled: bool


@dataclass(frozen=True)
class ProblemSpec:
    """The problem definition (the arguments of :func:`fairdash.define_problem`)."""

    target: str
    task: str
    positive_label: str | int | float | bool | None
    sensitive_features: tuple[str, ...]
    feature_columns: tuple[str, ...]
    bins: dict[str, int | tuple[float, ...]] = field(default_factory=dict)
    excluded_features: dict[str, str] = field(default_factory=dict)

    def define(self, data):
        """The :class:`fairdash.Problem` on ``data`` (raises InputError if it does not fit)."""
        from fairdash._problem import define_problem

        return define_problem(
            data,
            target=self.target,
            sensitive_features=list(self.sensitive_features),
            positive_label=self.positive_label,
            feature_columns=list(self.feature_columns),
            task=self.task,
            bins={k: (v if isinstance(v, int) else list(v)) for k, v in self.bins.items()},
            excluded_features=self.excluded_features,
        )


@dataclass(frozen=True)
class RunSettings:
    """What made the models: training one estimator, running mitigation methods, or
    auditing a model's existing predictions (no estimator, no split: None)."""

    workflow: str
    estimator: str | None
    test_size: float | None
    random_state: int | None
    calibration_size: float | None = None
    methods: tuple[MethodConfig, ...] = ()
    prediction: str | None = None
    score: str | None = None


@dataclass(frozen=True)
class MergeRare:
    """Rare categories merged into "Other" before the models were made
    (:func:`fairdash.merge_rare_categories`): which columns, below how many rows."""

    columns: tuple[str, ...]
    min_count: int


@dataclass(frozen=True)
class SessionConfig:
    """A validated session configuration, as :func:`load_config` returns it."""

    data: DataSource
    problem: ProblemSpec
    settings: RunSettings
    current_model: str | None = None
    thresholds: dict[str, float] | None = None
    fairdash_version: str | None = None
    merge_rare: MergeRare | None = None


def _merge_rare(value: object) -> MergeRare | None:
    if value is None:
        return None
    value = _object(value, "merge_rare", required=["columns", "min_count"])
    return MergeRare(
        columns=_names(value["columns"], "merge_rare.columns", minimum=1,
                       maximum=MAX_FEATURE_COLUMNS),
        min_count=_number(value["min_count"], "merge_rare.min_count", integer=True, low=1,
                          high=MAX_MIN_COUNT),
    )


def _data(value: object) -> DataSource:
    from fairdash import datasets

    value = _object(value, "data", required=["name", "bundled"], optional=["sha256"])
    name = _text(value["name"], "data.name")
    bundled = value["bundled"]
    if not isinstance(bundled, bool):
        raise _fail("data.bundled", "true or false", bundled)
    if bundled and name not in datasets.names():
        raise _fail("data.name", "a bundled data set: " + ", ".join(datasets.names()), name)
    digest = value.get("sha256")
    if digest is not None and not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
        raise _fail("data.sha256", "null or 64 lower-case hexadecimal digits", digest)
    return DataSource(name=name, sha256=digest, bundled=bundled)


def _bins(value: object, sensitive: Sequence[str]) -> dict[str, int | tuple[float, ...]]:
    value = _object(value, "problem.bins", required=[], optional=list(sensitive))
    bins: dict[str, int | tuple[float, ...]] = {}
    for name, spec in value.items():
        path = f"problem.bins.{name}"
        if isinstance(spec, list):
            # Explicit edges (from the library or the command line): at most MAX_BINS bins.
            if not MIN_BINS + 1 <= len(spec) <= MAX_BINS + 1:
                raise _fail(path, f"a list of {MIN_BINS + 1} to {MAX_BINS + 1} bin edges", spec)
            edges = tuple(
                float(_number(e, f"{path}[{i}]", integer=False, low=-math.inf, high=math.inf))
                for i, e in enumerate(spec)
            )
            if any(b <= a for a, b in itertools.pairwise(edges)):
                raise _fail(path, "increasing bin edges", spec)
            bins[name] = edges
        else:
            bins[name] = _number(spec, path, integer=True, low=MIN_BINS, high=MAX_BINS)
    return bins


def _problem(value: object) -> ProblemSpec:
    value = _object(
        value,
        "problem",
        required=["target", "task", "sensitive_features", "feature_columns"],
        optional=["positive_label", "bins", "excluded_features"],
    )
    task = _choice(value["task"], "problem.task", ("classification", "regression"))
    label = value.get("positive_label")
    if isinstance(label, str):
        label = _text(label, "problem.positive_label")
    elif not (label is None or isinstance(label, bool | int | float)) or (
        isinstance(label, float) and not math.isfinite(label)
    ):
        raise _fail("problem.positive_label", "a text, finite number, boolean or null", label)
    sensitive = _names(
        value["sensitive_features"],
        "problem.sensitive_features",
        minimum=1,
        maximum=MAX_SENSITIVE_FEATURES,
    )
    return ProblemSpec(
        target=_text(value["target"], "problem.target"),
        task=task,
        positive_label=label,
        sensitive_features=sensitive,
        feature_columns=_names(
            value["feature_columns"],
            "problem.feature_columns",
            minimum=0,
            maximum=MAX_FEATURE_COLUMNS,
        ),
        bins=_bins(value.get("bins") or {}, sensitive),
        excluded_features=_excluded(value.get("excluded_features") or {}),
    )


def _excluded(value: object) -> dict[str, str]:
    """Columns left out of the model inputs, each with its reason (a sentence)."""
    path = "problem.excluded_features"
    if not isinstance(value, dict) or len(value) > MAX_FEATURE_COLUMNS:
        raise _fail(path, f"an object of at most {MAX_FEATURE_COLUMNS:,} columns", value)
    return {
        _text(name, f"{path} (a column name)"): _text(reason, f"{path}.{name}")
        for name, reason in value.items()
    }


def _methods(entries: object, *, task: str) -> tuple[MethodConfig, ...]:
    if not isinstance(entries, list) or not 1 <= len(entries) <= len(METHODS):
        raise _fail("settings.methods", f"a list of 1 to {len(METHODS)} methods", entries)
    methods = tuple(
        _method(entry, f"settings.methods[{i}]", task=task) for i, entry in enumerate(entries)
    )
    repeated = [m.method for m in methods if [c.method for c in methods].count(m.method) > 1]
    if repeated:
        raise InputError(
            f"Configuration field 'settings.methods' lists {repeated[0]!r} more than once."
        )
    return methods


def _audit_settings(value: Mapping, *, task: str) -> RunSettings:
    """Audited predictions, and optionally the post-processors run on their scores."""
    from fairdash.tradeoff._scores import SCORE_METHODS

    post = ["methods", "calibration_size", "random_state"]
    _object(value, "settings", required=["workflow", "prediction"], optional=["score", *post])
    if task != "classification":
        raise _fail("problem.task", "classification (audited predictions)", task)
    score = _text(value.get("score"), "settings.score", nullable=True)
    methods, calibration_size, seed = (), None, None
    if any(name in value for name in post):
        _object(value, "settings", required=["workflow", "prediction", "score", *post])
        methods = _methods(value["methods"], task=task)
        other = [m.method for m in methods if m.method not in SCORE_METHODS]
        if other or score is None:
            raise _fail("settings.methods", "post-processing of the audited scores ("
                        + ", ".join(SCORE_METHODS) + ") with a score column", value["methods"])
        calibration_size = float(_number(value["calibration_size"], "settings.calibration_size",
                                         integer=False, low=0.2, high=0.8))
        seed = int(_split_setting(value, "random_state"))
    return RunSettings(
        workflow="audit", estimator=None, test_size=None, random_state=seed,
        calibration_size=calibration_size, methods=methods,
        prediction=_text(value["prediction"], "settings.prediction"), score=score,
    )


def _settings(value: object, *, task: str) -> RunSettings:
    from fairdash.models import estimator_names

    if not isinstance(value, dict) or "workflow" not in value:
        raise InputError("Configuration field 'settings.workflow' is missing.")
    workflow = _choice(value["workflow"], "settings.workflow", ("train", "mitigate", "audit"))
    if workflow == "audit":
        return _audit_settings(value, task=task)
    common = ["workflow", "estimator", "test_size", "random_state"]
    extra = ["calibration_size", "methods"] if workflow == "mitigate" else []
    _object(value, "settings", required=[*common, *extra])
    estimator = _choice(value["estimator"], "settings.estimator", estimator_names(task))
    calibration_size, methods = None, ()
    if workflow == "mitigate":
        calibration_size = _split_setting(value, "calibration_size")
        methods = _methods(value["methods"], task=task)
    return RunSettings(
        workflow=workflow,
        estimator=estimator,
        test_size=float(_split_setting(value, "test_size")),
        random_state=int(_split_setting(value, "random_state")),
        calibration_size=None if calibration_size is None else float(calibration_size),
        methods=methods,
    )


def _thresholds(value: object) -> dict[str, float] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > MAX_THRESHOLDS:
        raise _fail("thresholds", f"null or an object of at most {MAX_THRESHOLDS:,} groups", value)
    return {
        _text(label, "thresholds (a group label)"): float(
            _number(t, f"thresholds.{label}", integer=False, low=0.0, high=1.0)
        )
        for label, t in value.items()
    }


def load_config(raw: bytes | str) -> SessionConfig:
    """Parse and check a saved session configuration, before anything runs.

    Parameters
    ----------
    raw : bytes or str
        The JSON the Report page downloads (``fairdash_config`` version 1).

    Returns
    -------
    SessionConfig

    Raises
    ------
    fairdash.InputError
        Naming the field, for anything the app could not have written: text
        over 1 MB or nested over 20 levels, unknown keys, settings the app does
        not expose (e.g. ``n_jobs``) away from their defaults, values of the
        wrong type (``"0.3"`` for a share, ``0.5`` or ``2**64`` for a seed) or
        outside the app's limits (grid size 3-60, 1-41 alphas, 2-10 bins, at
        most one of each method, test share 0.1-0.5, seeds 0 to 2**31 - 1,
        rare categories merged below 1 to 100,000 rows), and missing fields.
        ``merge_rare`` (optional, null for none) records the rare categories
        merged into "Other" before training: ``{"columns": [...],
        "min_count": 30}``; whether the columns fit the data is checked when
        the configuration is applied to it.

    Examples
    --------
    >>> config = load_config('''{"fairdash_config": 1,
    ...   "data": {"name": "adult", "bundled": true},
    ...   "problem": {"target": "income", "task": "classification",
    ...               "positive_label": ">50K", "sensitive_features": ["sex"],
    ...               "feature_columns": ["age"]},
    ...   "settings": {"workflow": "train", "estimator": "logistic_regression",
    ...                "test_size": 0.3, "random_state": 0}}''')
    >>> config.problem.sensitive_features, config.settings.test_size
    (('sex',), 0.3)
    >>> load_config('{"fairdash_config": 1, "data": {"name": "adult", "bundled": true}}')
    Traceback (most recent call last):
    ...
    fairdash._errors.InputError: Configuration field 'problem' is missing.
    """
    value = read_json(raw)
    if not isinstance(value, dict) or value.get("fairdash_config") != CONFIG_VERSION:
        raise InputError(
            "This is not a FairDash configuration file (no 'fairdash_config' version "
            f"{CONFIG_VERSION})."
        )
    for name in ("data", "problem", "settings"):
        if value.get(name) is None:
            raise InputError(f"Configuration field '{name}' is missing.")
    _object(
        value,
        "",
        required=["fairdash_config", "data", "problem", "settings"],
        optional=["fairdash_version", "current_model", "thresholds", "merge_rare"],
    )
    problem = _problem(value["problem"])
    return SessionConfig(
        data=_data(value["data"]),
        problem=problem,
        settings=_settings(value["settings"], task=problem.task),
        current_model=_text(value.get("current_model"), "current_model", nullable=True),
        thresholds=_thresholds(value.get("thresholds")),
        fairdash_version=_text(value.get("fairdash_version"), "fairdash_version", nullable=True),
        merge_rare=_merge_rare(value.get("merge_rare")),
    )
