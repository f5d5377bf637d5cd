"""Mitigation: estimators and transforms that reduce unfairness.

Pre-processing (:class:`Reweighing`, :class:`DecorrelatedEstimator`),
in-processing (:class:`ParallelGridSearch`, :class:`SeededExponentiatedGradient`,
:class:`LinearFERM` for linear models) and post-processing
(:class:`GroupThresholdOptimizer`, :class:`BarycenterMap`,
:class:`WassersteinBarycenter`), all scikit-learn compatible and taking the
sensitive features as ``sensitive_features=`` (one column or several, whose
combinations are the groups).
"""

from fairdash.mitigation._barycenter import BarycenterMap
from fairdash.mitigation._correlation_remover import DecorrelatedEstimator
from fairdash.mitigation._exponentiated_gradient import SeededExponentiatedGradient
from fairdash.mitigation._grid_search import ParallelGridSearch
from fairdash.mitigation._grid_workers import warm_workers
from fairdash.mitigation._linear_ferm import LinearFERM, LinearFERMTransformer
from fairdash.mitigation._reductions import CONSTRAINTS
from fairdash.mitigation._reweighing import Reweighing, reweighing_weights
from fairdash.mitigation._threshold import GroupThresholdOptimizer
from fairdash.mitigation._wasserstein_barycenter import WassersteinBarycenter

__all__ = [
    "CONSTRAINTS",
    "BarycenterMap",
    "DecorrelatedEstimator",
    "GroupThresholdOptimizer",
    "LinearFERM",
    "LinearFERMTransformer",
    "ParallelGridSearch",
    "Reweighing",
    "SeededExponentiatedGradient",
    "WassersteinBarycenter",
    "reweighing_weights",
    "warm_workers",
]
