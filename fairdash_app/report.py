"""The HTML report of the session: the Report page's download and the browser test's input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import fairdash
from fairdash import html_text, small_group_note
from fairdash.metrics import calibration_by_group, compare_models, parity_conflict_note
from fairdash.plots import model_comparison_chart, model_figures, reliability_chart
from fairdash.report import (
    audit_report_html,
    basis_html,
    calibration_section,
    comparison_section,
    executive_summary,
    models_section,
    slice_sections,
    whatif_section,
)
from fairdash.thresholds import ThresholdCurves
from fairdash.tradeoff import (
    describe_front,
    recommend_model,
    tradeoff_table,
)
from fairdash_app.workflows import data_stage_for

__all__ = ["DISPARITY", "PERFORMANCE", "session_report"]

#: The trade-off the report recommends on (the Compare page's defaults).
PERFORMANCE, DISPARITY = "accuracy", "demographic_parity_difference"


def _guessed(problem: Any, data: Any) -> bool | None:
    """Whether the favourable outcome was guessed: None when it is FairDash's guess but was
    given (the user may have kept the guess or confirmed it; the report cannot tell)."""
    if problem.positive_label_guessed:
        return True
    guess, _ = fairdash.guess_positive_label(data[problem.target])
    return None if guess == problem.positive_label else False


def session_report(
    model: Any,
    models: Sequence[Any],
    evaluation: Any,
    *,
    thresholds: dict[str, float] | None = None,
    slices: Any = None,
    max_performance_loss: float = 0.01,
    min_group_size: int = 30,
    leakage_warnings: Sequence[str] = (),
    failures: Sequence[Any] = (),
) -> tuple[str, str | None]:
    """The report of a classification session, and why there is no recommendation, if not.

    Parameters
    ----------
    model : ModelResult
        The current model: the headline numbers are its own, as trained.
    models : sequence of ModelResult
        Every model, measured on ``evaluation``'s test rows.
    evaluation : Evaluation
    thresholds : dict of str to float, optional
        What-if thresholds of ``model`` by group label: a section of their own.
    slices : pandas.DataFrame, optional
        The Discover page's last search for ``model``.
    max_performance_loss : float, default=0.01
        The recommendation's budget (:func:`fairdash.tradeoff.recommend_model`).
    min_group_size : int, default=30
        The small-group policy: smaller groups are left out of every summary
        number and named.
    leakage_warnings : sequence of str
        Warnings that inputs may be recorded after the outcome.
    failures : sequence of MethodFailure
        The methods of the run that could not run (``TradeoffResults.failures``),
        listed with their reasons in what was tried.

    Returns
    -------
    html : str
    no_recommendation : str or None
        Why no model is recommended (e.g. no unmitigated model to compare with).
    """
    problem, data = evaluation.problem, evaluation.data
    favourable = problem.favourable_outcome
    y_test, sensitive = evaluation.y_test, evaluation.sensitive_test
    # Methods and parameters in words, and paired bootstrap intervals (seeded: reproducible).
    table = (
        tradeoff_table(models, y_true=y_test, sensitive_features=sensitive,
                       performance=PERFORMANCE, disparity=DISPARITY,
                       min_group_size=min_group_size).drop(columns="fit_seconds")
        if models else None
    )
    figures = model_figures(model.metrics, model_name=model.name, models_table=table)
    recommendation, why_not = None, None
    # One model (e.g. audited predictions) leaves nothing to choose between.
    if table is not None and len(table) > 1:
        try:
            recommendation = recommend_model(table, performance=PERFORMANCE, disparity=DISPARITY,
                                             max_performance_loss=max_performance_loss)
        except fairdash.InputError as err:
            why_not = str(err)
    summary = executive_summary(
        model.metrics, model=model.name, favourable=favourable,
        favourable_guessed=_guessed(problem, data), min_group_size=min_group_size,
        models_table=table, recommendation=recommendation,
        excluded_inputs=problem.excluded_features, leakage_warnings=leakage_warnings,
        thresholds_set=bool(thresholds),
        failures=[(failure.name, failure.message) for failure in failures],
    )
    rows = len(y_test)
    every_model = basis_html(f"each of the {len(models)} models listed", rows=rows)
    left_out = small_group_note(model.metrics, min_group_size=min_group_size)
    if left_out:
        # The models' disparities, front and recommendation follow the same policy.
        every_model += (
            f"<p>{html_text(left_out)} The models' disparities, the front and the "
            "recommendation leave them out too, as on the Compare page.</p>"
        )
    extra: list[tuple[str, Any]] = []
    if table is not None:
        extra.append(("Models tried and the recommendation", every_model + models_section(
            table, performance=PERFORMANCE, disparity=DISPARITY, recommendation=recommendation,
            failures=[(failure.name, failure.message) for failure in failures])))
    if "tradeoff" in figures:
        words = describe_front(table, performance=PERFORMANCE, disparity=DISPARITY)
        extra.append(("Performance vs disparity",
                      [every_model, f"<p>{html_text(words)}</p>", figures["tradeoff"]]))
    if "error_rates" in figures:
        extra.append(("Error rates by group", [
            basis_html(f"the model {model.name}, as trained", rows=rows), figures["error_rates"]
        ]))
    if recommendation is not None and not recommendation.is_baseline:
        by_name = {m.name: m for m in models}
        first, second = by_name[recommendation.baseline], by_name[recommendation.name]
        comparison = compare_models(y_test, first.y_pred, second.y_pred, sensitive,
                                    first_name=first.name, second_name=second.name)
        extra.append(("The recommended model beside the unmitigated one", [
            basis_html(f"the models {first.name} and {second.name}, as trained", rows=rows),
            comparison_section(comparison, favourable=favourable),
            model_comparison_chart(comparison),
        ]))
    if model.y_score is not None:
        basis = basis_html(f"the model {model.name}'s scores", rows=rows)
        try:
            calibration = calibration_by_group(y_test, model.y_score, sensitive,
                                               min_group_size=min_group_size)
        except fairdash.InputError as err:  # e.g. scores that are not probabilities
            extra.append(("Calibration by group", f"{basis}<p>Not shown: {html_text(err)}</p>"))
        else:
            extra.append(("Calibration by group", [
                basis,
                calibration_section(calibration, note=parity_conflict_note(model.metrics)),
                reliability_chart(calibration, columns=2),  # three panels a row overlap on A4
            ]))
    if thresholds and model.y_score is not None:
        curves = ThresholdCurves(y_test, model.y_score, sensitive)
        chosen = np.array([thresholds.get(label, np.inf) for label in curves.labels()])
        whatif = curves.metrics(chosen, min_group_size=min_group_size)
        extra.append(("What-if thresholds (not the model as trained)", whatif_section(
            whatif, model=model.name, thresholds=thresholds, favourable=favourable)))
    if slices is not None:
        extra += slice_sections(slices, model=model.name)
    html = audit_report_html(
        model.metrics, problem=problem, model=model.name, inputs=problem.feature_columns,
        source=evaluation.data_name, n_rows=len(data), n_columns=data.shape[1],
        data_stage=data_stage_for(data, problem), notes=problem.notes,
        min_group_size=min_group_size, summary=summary, extra_sections=extra,
    )
    return html, why_not
