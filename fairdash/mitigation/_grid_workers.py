"""Worker processes of the parallel grid search: warming them, fitting chunks, progress."""

from __future__ import annotations

import copy
import os
import threading
import time
from collections.abc import Callable

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs

__all__ = ["fit_chunk", "run_chunks", "warm_quietly", "warm_workers"]

# How often (seconds) the caller's thread looks for finished candidates.
_POLL_SECONDS = 0.1


def _ready() -> int:
    return os.getpid()


def warm_workers(n_jobs: int | None = -1) -> int:
    """Start joblib's worker processes and import this module in them, ahead of a search.

    joblib keeps its process pool alive between calls (for a few idle minutes),
    so a grid search started soon after with the same ``n_jobs`` skips the
    seconds it takes to start the workers and import scikit-learn and fairlearn.

    Parameters
    ----------
    n_jobs : int, default=-1
        As for :class:`ParallelGridSearch`.

    Returns
    -------
    int
        The number of worker processes (1: no workers are used).
    """
    n_workers = effective_n_jobs(n_jobs)
    if n_workers > 1:
        Parallel(n_jobs=n_workers, prefer="processes")(delayed(_ready)() for _ in range(n_workers))
    return n_workers


def warm_quietly(n_jobs: int) -> None:
    try:
        warm_workers(n_jobs)
    except Exception:
        pass  # the search itself reports a failing pool


def fit_chunk(
    estimator,
    X_fit,
    X_predict,
    signed_weights: np.ndarray,
    weight_name: str,
    progress_path: str | None,
) -> list[tuple[object, np.ndarray, float] | None]:
    """Fit one candidate per column of signed weights, as fairlearn's GridSearch does.

    Returns, per candidate, the fitted estimator, its predictions on
    ``X_predict`` and the fit seconds; None where the relabelled target has a
    single class (the caller fits fairlearn's constant DummyClassifier then).
    """
    results: list[tuple[object, np.ndarray, float] | None] = []
    for column in range(signed_weights.shape[1]):
        weights = signed_weights[:, column]
        y_reduction = 1 * (weights > 0)
        if len(np.unique(y_reduction)) == 1:
            results.append(None)
        else:
            candidate = copy.deepcopy(estimator)
            start = time.time()
            candidate.fit(X_fit, y_reduction, **{weight_name: np.abs(weights)})
            seconds = time.time() - start
            results.append((candidate, candidate.predict(X_predict), seconds))
        if progress_path is not None:
            # One byte per finished candidate; the caller polls the file's size.
            with open(progress_path, "ab") as handle:
                handle.write(b".")
    return results


def run_chunks(
    tasks: list,
    *,
    n_jobs: int,
    progress: Callable[[int, int], None] | None,
    total: int,
    progress_path: str | None,
) -> list:
    """Run the chunk tasks in worker processes, reporting progress from the caller's thread."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["results"] = Parallel(n_jobs=n_jobs, prefer="processes")(tasks)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    # The pool runs in a helper thread so the caller's thread stays free to call
    # the progress callback (UI frameworks need their own thread for that).
    worker = threading.Thread(target=run, name="fairdash-grid-search", daemon=True)
    worker.start()
    reported = -1
    while worker.is_alive():
        worker.join(_POLL_SECONDS)
        if progress is not None and progress_path is not None:
            done = min(os.path.getsize(progress_path), total)
            if done != reported and done < total:
                progress(done, total)
                reported = done
    if "error" in outcome:
        raise outcome["error"]
    return outcome["results"]
