"""Mitigation: estimators and transforms that reduce unfairness.

Pre-processing (:class:`Reweighing`, :class:`DecorrelatedEstimator`,
:class:`FairPCA`, :class:`OptimalSteering`), in-processing
(:class:`ParallelGridSearch`, :class:`SeededExponentiatedGradient`, and for
linear models :class:`LinearFERM` and :class:`CovarianceConstrainedClassifier`)
and post-processing (:class:`GroupThresholdOptimizer`, :class:`BarycenterMap`,
:class:`WassersteinBarycenter`), all scikit-learn compatible and taking the
sensitive features as ``sensitive_features=`` (one column or several, whose
combinations are the groups).
"""

from fairdash.mitigation._barycenter import BarycenterMap
from fairdash.mitigation._correlation_remover import DecorrelatedEstimator
from fairdash.mitigation._covariance import (
    CovarianceConstrainedClassifier,
    boundary_covariances,
)
from fairdash.mitigation._exponentiated_gradient import SeededExponentiatedGradient
from fairdash.mitigation._fair_pca import FairPCA
from fairdash.mitigation._grid_search import ParallelGridSearch
from fairdash.mitigation._grid_workers import warm_workers
from fairdash.mitigation._linear_ferm import LinearFERM, LinearFERMTransformer
from fairdash.mitigation._reductions import CONSTRAINTS
from fairdash.mitigation._reweighing import Reweighing, reweighing_weights
from fairdash.mitigation._steering import OptimalSteering, gaussian_kl
from fairdash.mitigation._threshold import GroupThresholdOptimizer
from fairdash.mitigation._wasserstein_barycenter import WassersteinBarycenter

__all__ = [
    "CONSTRAINTS",
    "BarycenterMap",
    "CovarianceConstrainedClassifier",
    "DecorrelatedEstimator",
    "FairPCA",
    "GroupThresholdOptimizer",
    "LinearFERM",
    "LinearFERMTransformer",
    "OptimalSteering",
    "ParallelGridSearch",
    "Reweighing",
    "SeededExponentiatedGradient",
    "WassersteinBarycenter",
    "boundary_covariances",
    "gaussian_kl",
    "reweighing_weights",
    "warm_workers",
]
