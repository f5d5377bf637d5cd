"""Estimator registry, preprocessing and positive-class scores."""

from fairdash.models._registry import (
    EstimatorSpec,
    estimator_names,
    estimator_spec,
    make_model,
    make_preprocessor,
)
from fairdash.models._scores import positive_scores

__all__ = [
    "EstimatorSpec",
    "estimator_names",
    "estimator_spec",
    "make_model",
    "make_preprocessor",
    "positive_scores",
]
