"""Models in words, and the hypervolume's reference point from the models shown."""

import json

import numpy as np
import pandas as pd
import pytest

from fairdash import InputError
from fairdash.tradeoff import (
    describe_hypervolume,
    describe_paired_difference,
    describe_params,
    hypervolume,
    hypervolume_reference,
    method_name,
)


@pytest.mark.parametrize(
    ("method", "params", "expected"),
    [
        ("unmitigated", {}, "no mitigation"),
        ("correlation_remover", {"alpha": 0.5},
         "removes 50% of the features' linear correlation with the groups"),
        ("grid_search",
         {"constraints": "equalized_odds", "grid_size": 10, "candidate": 3, "best": True,
          "lambda": {"+ all Female": 0.0, "- all Female": 0.67, "+ all Male": -0.2,
                     "- all Male": 0.05}},
         "equalized odds constraint, candidate 4 of 10, fairlearn's pick, "
         "multipliers - all Female +0.67, + all Male -0.20 and 1 more"),
        ("grid_search", {"constraints": "demographic_parity", "candidate": 0, "lambda": {}},
         "demographic parity constraint, candidate 1, no constraint weight (the unconstrained "
         "model)"),
        ("exponentiated_gradient", {"constraints": "demographic_parity", "eps": 0.01,
                                    "max_iter": 50},
         "demographic parity constraint, allowed violation 0.01, at most 50 iterations"),
        ("threshold_optimizer", {"constraints": "true_positive_rate_parity", "tol": 0.05,
                                 "objective": "balanced_accuracy_score"},
         "per-group thresholds meeting equal true positive rates within 0.05, best balanced "
         "accuracy"),
        ("barycenter", {"alpha": 0.25, "threshold": 0.5},
         "scores moved 75% of the way to the groups' common distribution, threshold 0.5"),
        ("what-if thresholds", {"base": "lr", "cost_ratio": 2.0, "Female": 0.4, "Male": 0.55},
         "thresholds Female 0.4, Male 0.55 on lr's scores, a false positive costing 2 false "
         "negatives"),
        ("fair_pca", {"n_components": 10, "match": "covariance"},
         "10 principal components along which the group means and covariances are equal"),
        ("covariance_constrained", {"factor": 0.2, "covariance_threshold": 0.013},
         "covariance of the decision with the groups at most 20% of the unconstrained model's"),
        ("steering", {},
         "training rows steered to a fair distribution and weighted to equal base rates"),
        ("someone_elses", {"n_estimators": 100, "weights": [1, 2]},
         "n estimators 100; weights: 1, 2"),
    ],
)
def test_parameters_in_words(method, params, expected):
    text = describe_params(method, params)
    assert text == expected
    assert "{" not in text and '"' not in text  # never JSON
    json.dumps(params)  # the inputs are what ModelResult.params holds


def test_method_names():
    assert method_name("barycenter") == "Wasserstein barycenter"
    assert method_name("my_method") == "My method"


def test_reference_point_lies_beyond_the_worst_model_so_every_model_counts():
    error = np.array([0.16, 0.18, 0.25, np.nan])
    disparity = np.array([0.30, 0.12, 0.05, 0.01])
    reference = hypervolume_reference(error, disparity)
    assert reference == pytest.approx((0.25 + 0.1 * 0.09, 0.30 + 0.1 * 0.25))
    # Every model on the front adds area: removing any one lowers the hypervolume.
    full = hypervolume(error, disparity, reference=reference)
    for i in range(3):
        keep = np.arange(4) != i
        assert hypervolume(error[keep], disparity[keep], reference=reference) < full
    # The old fixed point (0.5, 0.5) gave 0 for models all beyond it.
    far_error, far_disparity = [0.55, 0.6], [0.7, 0.52]
    assert hypervolume(far_error, far_disparity, reference=(0.5, 0.5)) == 0.0
    far_reference = hypervolume_reference(far_error, far_disparity)
    assert hypervolume(far_error, far_disparity, reference=far_reference) > 0
    # One model: the margin falls back to 0.01 of each axis.
    assert hypervolume_reference([0.2], [0.1]) == pytest.approx((0.201, 0.101))
    with pytest.raises(InputError, match="No model has both"):
        hypervolume_reference([np.nan], [0.1])


def test_hypervolume_sentence_says_what_it_measures():
    text = describe_hypervolume(0.0312, (0.25, 0.3), performance="accuracy",
                                disparity="demographic_parity_difference")
    assert text.startswith("Hypervolume 0.0312: the area of the (1 - accuracy, demographic "
                           "parity difference) plane")
    assert "(1 - accuracy 0.250, demographic parity difference 0.300)" in text


def test_paired_difference_sentences_say_whether_the_difference_is_clear():
    paired = pd.DataFrame(
        {"difference": [-0.0094, 0.004], "lower": [-0.0128, -0.02], "upper": [-0.006, 0.03],
         "share_above_zero": [0.0, 0.6]},
        index=["accuracy", "demographic_parity_difference"],
    )
    assert describe_paired_difference(paired) == [
        "accuracy: -0.0094 (95% paired interval -0.0128 to -0.0060): a real difference on "
        "these test rows.",
        "demographic parity difference: +0.0040 (95% paired interval -0.0200 to +0.0300): "
        "within what resampling the same rows gives; not a clear difference.",
    ]
