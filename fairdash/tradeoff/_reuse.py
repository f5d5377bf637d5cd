"""What one run of the methods fits and later runs, or other methods, can reuse.

- :class:`SharedPreprocessing`: a Pipeline's fitted preprocessing step, frozen,
  so every method of a run fits only its own estimator on top of it (the
  step ignores ``y`` and sample weights, so refitting it would give the same).
- :class:`RunCache`: the shared preprocessing, the unmitigated model and every
  method's results of earlier runs on one data set and problem, reused by
  :func:`~fairdash.tradeoff.run_methods` for the same split, estimator and
  settings; bounded and expiring.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import joblib
import numpy as np
import pandas as pd
from sklearn.frozen import FrozenEstimator

from fairdash._expiring import ExpiringCache
from fairdash.tradeoff._results import ModelResult

__all__ = ["FittedParts", "MethodOutcome", "RunCache", "SharedPreprocessing", "run_key"]


class SharedPreprocessing(FrozenEstimator):
    """A fitted preprocessing step that ``fit`` leaves as it is, shared by a run's models.

    Like :class:`sklearn.frozen.FrozenEstimator` (``clone`` returns it
    unchanged, ``fit`` does nothing); besides, it keeps the output of the
    inputs it was asked to :meth:`remember` (the training features every
    method transforms) until :meth:`forget`.

    Parameters
    ----------
    estimator : transformer
        A fitted transformer.
    """

    def __init__(self, estimator) -> None:
        super().__init__(estimator)
        self._remembered: list[tuple[object, object]] = []

    def remember(self, X, output=None) -> None:
        """Keep the output of ``X`` (the very object) until :meth:`forget`.

        ``output``: that output when the caller has it (from fitting the step).
        """
        if not any(kept is X for kept, _ in self._remembered):
            output = self.estimator.transform(X) if output is None else output
            self._remembered.append((X, output))

    def forget(self) -> None:
        """Drop the kept outputs (the models keep the step, not the data)."""
        self._remembered = []

    def transform(self, X, *args, **kwargs):
        """The fitted step's ``transform`` (kept output for a remembered input)."""
        for kept, output in getattr(self, "_remembered", ()):
            if kept is X and not args and not kwargs:
                return output
        return self.estimator.transform(X, *args, **kwargs)

    def __getstate__(self):
        state = super().__getstate__()
        state["_remembered"] = []  # a pickled model carries no data
        return state


@dataclass
class FittedParts:
    """What a run fits once for every method: the shared preprocessing and the base model.

    Attributes
    ----------
    shared_steps : sklearn.pipeline.Pipeline or None
        The estimator's fitted preprocessing, each step a :class:`SharedPreprocessing`
        (None: not fitted yet, or the estimator's preprocessing cannot be shared).
    base : tuple of (estimator, float) or None
        The unmitigated model fitted on the training rows and its fit seconds.
    """

    shared_steps: object | None = None
    base: tuple[object, float] | None = None
    checked: bool = field(default=False, repr=False)  # whether sharing was decided


def _index_digest(index: pd.Index | None) -> str:
    if index is None:
        return "-"
    hashed = pd.util.hash_pandas_object(pd.Series(index), index=False).to_numpy()
    return hashlib.sha1(hashed.tobytes()).hexdigest()


def run_key(data: pd.DataFrame, problem, split, estimator, random_state: int) -> str:
    """What identifies the fitted parts of a run: data shape, problem, rows, estimator, seed.

    The data's values are not hashed (that costs seconds at millions of rows):
    a :class:`RunCache` belongs to one data set, which its owner ensures.
    """
    if isinstance(estimator, str):
        fingerprint = f"registry:{estimator}"
    else:
        fingerprint = joblib.hash(estimator)
    parts = [
        len(data),
        [str(c) for c in data.columns],
        problem.to_dict(),
        [_index_digest(getattr(split, name)) for name in (
            "train_index", "calibration_index", "test_index", "train_sample",
            "calibration_sample",
        )],
        fingerprint,
        int(random_state),
    ]
    return hashlib.sha1(json.dumps(parts, default=repr).encode()).hexdigest()


@dataclass
class MethodOutcome:
    """A method's models in one run and the notes it gave."""

    results: list[ModelResult]
    notes: list[str]

    @property
    def nbytes(self) -> int:
        """Bytes of the test predictions and scores the results hold."""
        return sum(
            np.asarray(r.y_pred).nbytes + (0 if r.y_score is None else np.asarray(r.y_score).nbytes)
            for r in self.results
        )


class RunCache:
    """Fitted models of earlier :func:`~fairdash.tradeoff.run_methods` runs, to reuse.

    For one data set and problem definition (the caller keeps one cache per
    data set: the data's values are not checked). A run with the same split,
    estimator and seed reuses the fitted preprocessing and the unmitigated model
    (so post-processors need no refit); a method with the same settings as in
    such a run (and the same ``min_group_size``) reuses its models and numbers.

    Parameters
    ----------
    max_methods : int, default=16
        The most method results kept (least recently used dropped first).
    max_bytes : int, default=512 MiB
        The most bytes of test predictions and scores kept; the least recently
        used results beyond it are dropped (the latest are always kept).
    max_runs : int, default=4
        The most splits (fitted preprocessing and unmitigated model) kept.
    ttl_seconds : float or None, default=3600
        Entries older than this are fitted again.
    clock : callable, default=time.monotonic
    """

    def __init__(
        self,
        *,
        max_methods: int = 16,
        max_bytes: int = 512 * 2**20,
        max_runs: int = 4,
        ttl_seconds: float | None = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._parts = ExpiringCache(max_entries=max_runs, ttl_seconds=ttl_seconds, clock=clock)
        self._methods = ExpiringCache(
            max_entries=max_methods, ttl_seconds=ttl_seconds, clock=clock
        )
        self.max_bytes = max_bytes

    def parts(self, key: str) -> FittedParts:
        """The fitted parts of the run ``key`` (new, empty ones the first time)."""
        if key not in self._parts:
            self._parts[key] = FittedParts()
        return self._parts[key]

    @staticmethod
    def _method_key(key: str, config, min_group_size: int) -> str:
        return json.dumps([key, config.to_dict(), int(min_group_size)], default=repr)

    def method(self, key: str, config, min_group_size: int) -> MethodOutcome | None:
        """An earlier outcome of ``config`` in the run ``key``, or None."""
        return self._methods.get(self._method_key(key, config, min_group_size))

    def keep(self, key: str, config, min_group_size: int, outcome: MethodOutcome) -> None:
        """Keep a method's outcome for later runs."""
        self._methods[self._method_key(key, config, min_group_size)] = outcome
        while len(self._methods) > 1 and self.nbytes > self.max_bytes:
            del self._methods[next(iter(self._methods))]  # the least recently used

    @property
    def nbytes(self) -> int:
        """Bytes of the test predictions and scores of the results kept."""
        # Reading every entry, oldest first, leaves their order as it was.
        return sum(self._methods[k].nbytes for k in list(self._methods))

    def clear(self) -> None:
        """Forget everything."""
        self._parts.clear()
        self._methods.clear()

    def __len__(self) -> int:
        return len(self._methods)
