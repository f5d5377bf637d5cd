"""Linear classifiers with bounded decision-boundary covariance (Zafar et al., 2017)."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.linalg import null_space
from scipy.optimize import linprog, minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from fairdash._errors import InputError
from fairdash._validation import binary_classes, check_target
from fairdash.groups import encode_groups

__all__ = ["CovarianceConstrainedClassifier", "boundary_covariances"]

_MODES = ("accuracy", "fairness")
_LOSSES = ("logistic", "hinge")


def boundary_covariances(decision, sensitive_features) -> np.ndarray:
    """Covariance of each group's indicator with the signed distance to the boundary.

    ``Cov(z_k, d) = (1/N) sum_i (z_ik - mean(z_k)) d_i`` for the one-hot
    column ``z_k`` of every (intersectional) group, as in Zafar et al. (2017).

    Parameters
    ----------
    decision : array-like of shape (n_samples,)
        Decision function values (``theta^T x``) of the rows.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
        Sensitive feature(s) of each row.

    Returns
    -------
    numpy.ndarray of shape (n_groups,)
        One covariance per group, in the sorted order of the groups' values.
    """
    decision = np.asarray(decision, dtype=np.float64)
    groups = encode_groups(sensitive_features, n_rows=len(decision), keep_empty=False)
    return _centred_indicators(groups.codes, groups.n_groups).T @ decision / len(decision)


def _centred_indicators(codes: np.ndarray, n_groups: int) -> np.ndarray:
    indicators = np.zeros((len(codes), n_groups))
    indicators[np.arange(len(codes)), codes] = 1.0
    return indicators - indicators.mean(axis=0)


def _logistic_loss(theta, design, signs, alpha):
    """Mean logistic loss (plus an L2 penalty off the intercept) and its gradient."""
    margins = signs * (design @ theta)
    loss = np.logaddexp(0.0, -margins).mean()
    gradient = design.T @ (-signs * expit(-margins)) / len(signs)
    if alpha:
        loss += 0.5 * alpha * theta[1:] @ theta[1:]
        gradient[1:] += alpha * theta[1:]
    return loss, gradient


class CovarianceConstrainedClassifier(ClassifierMixin, BaseEstimator):
    """Linear classifier whose boundary distance has bounded covariance with the groups.

    The disparate-impact constraints of Zafar, Valera, Gomez-Rodriguez and
    Gummadi (2017). For a linear model ``theta^T x`` the covariance between a
    group indicator ``z`` and the signed distance to the boundary,
    ``Cov(z, theta^T x) = (1/N) sum_i (z_i - mean(z)) theta^T x_i``, is linear
    in ``theta``; it is a convex proxy of the difference in selection rates.
    Two formulations:

    * ``mode="accuracy"``: minimise the objective (mean loss plus penalty)
      subject to ``|Cov| <= c`` for the one-hot column of every
      (intersectional) group (``c`` is ``covariance_threshold``; ``None``
      fits the unconstrained classifier).
      With the logistic loss this is solved by SLSQP with analytic gradients;
      ``c = 0`` restricts ``theta`` to the orthogonal complement of the
      covariance vectors, solved there without constraints (L-BFGS).
    * ``mode="fairness"``: minimise the largest ``|Cov|`` subject to the
      objective staying within ``(1 + gamma)`` times the unconstrained one
      (SLSQP, starting from the unconstrained solution).
      ``covariance_threshold`` is not used.

    ``loss="hinge"`` is the linear-SVM variant: the mean hinge loss
    ``max(0, 1 - y theta^T x)`` with an L1 penalty (the 1-norm SVM), so that
    both modes are linear programs, solved exactly with HiGHS.

    The penalty matters: the covariance is in units of the decision function,
    and without a penalty a solver can meet ``|Cov| <= c`` by sending the
    decision values of rows the loss hardly sees (a category of only
    negatives, rows beyond the hinge margin) far from the boundary, leaving
    the predictions, and the disparity, as they were. On one-hot encoded Adult
    data that is what happens with ``alpha=0``. ``alpha=0`` is the authors'
    code, right for their low-dimensional synthetic data.

    Features are standardised internally for the solver's conditioning (the
    penalty is on the standardised weights); the function class and the
    covariances do not depend on it. Only binary targets are supported.

    Parameters
    ----------
    covariance_threshold : float or None, default=0.0
        ``c`` of ``mode="accuracy"``, in units of the decision function.
    mode : {"accuracy", "fairness"}, default="accuracy"
    gamma : float, default=0.0
        Allowed relative increase of the loss in ``mode="fairness"``.
    loss : {"logistic", "hinge"}, default="logistic"
    alpha : float, default=1e-2
        Penalty on the standardised weights (not the intercept):
        ``alpha / 2 ||w||^2`` with the logistic loss, ``alpha ||w||_1`` with
        the hinge loss.
    max_iter : int, default=1000
        Iterations of the solver.
    tol : float, default=1e-10
        Tolerance of the solver.

    Attributes
    ----------
    classes_ : numpy.ndarray of shape (2,)
    coef_ : numpy.ndarray of shape (1, n_features)
    intercept_ : numpy.ndarray of shape (1,)
    groups_ : list of tuple
        The groups, in the order of ``covariances_``.
    covariances_ : numpy.ndarray of shape (n_groups,)
        Covariance of each group's indicator with the training decision function.
    loss_ : float
        Training objective of the solution: mean loss plus penalty.
    unconstrained_loss_ : float or None
        Training objective of the unconstrained classifier (``mode="fairness"``).
    n_iter_ : int
        Iterations of the (last) solver run.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str

    References
    ----------
    M. B. Zafar, I. Valera, M. Gomez-Rodriguez and K. P. Gummadi, "Fairness
    constraints: mechanisms for fair classification", AISTATS 2017
    (arXiv:1507.05259).
    """

    def __init__(
        self,
        *,
        covariance_threshold: float | None = 0.0,
        mode: str = "accuracy",
        gamma: float = 0.0,
        loss: str = "logistic",
        alpha: float = 1e-2,
        max_iter: int = 1000,
        tol: float = 1e-10,
    ) -> None:
        self.covariance_threshold = covariance_threshold
        self.mode = mode
        self.gamma = gamma
        self.loss = loss
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol

    def _check_params(self) -> None:
        if self.mode not in _MODES:
            raise InputError(f"mode must be one of {_MODES}, got {self.mode!r}.")
        if self.loss not in _LOSSES:
            raise InputError(f"loss must be one of {_LOSSES}, got {self.loss!r}.")
        c = self.covariance_threshold
        if self.mode == "accuracy" and c is not None and not (np.isfinite(c) and c >= 0):
            raise InputError(f"covariance_threshold must be >= 0 or None, got {c!r}.")
        if not (np.isfinite(self.gamma) and self.gamma >= 0):
            raise InputError(f"gamma must be >= 0, got {self.gamma!r}.")
        if not (np.isfinite(self.alpha) and self.alpha >= 0):
            raise InputError(f"alpha must be >= 0, got {self.alpha!r}.")

    def fit(self, X, y, *, sensitive_features) -> CovarianceConstrainedClassifier:
        """Fit the constrained linear classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.
        y : array-like of shape (n_samples,)
            Binary labels; the greater one is the positive class.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_features)
            Sensitive feature(s) of each row; every combination is a group.

        Returns
        -------
        self
        """
        self._check_params()
        X = validate_data(self, X, dtype=np.float64)
        labels = check_target(y, n_rows=X.shape[0])
        self.classes_ = binary_classes(labels, estimator="CovarianceConstrainedClassifier")
        groups = encode_groups(sensitive_features, n_rows=X.shape[0], keep_empty=False)
        self.groups_ = groups.keys
        signs = np.where(labels == self.classes_[1], 1.0, -1.0)

        centre = X.mean(axis=0)
        scale = X.std(axis=0)
        scale[scale == 0] = 1.0
        design = np.hstack([np.ones((X.shape[0], 1)), (X - centre) / scale])
        # Covariance of each group's indicator with design @ theta, as rows (the
        # intercept's entry is zero).
        covariance_rows = _centred_indicators(groups.codes, groups.n_groups).T @ design
        covariance_rows /= X.shape[0]

        solve = self._solve_logistic if self.loss == "logistic" else self._solve_hinge
        theta = solve(design, signs, covariance_rows)

        self.coef_ = (theta[1:] / scale)[None, :]
        self.intercept_ = np.array([theta[0] - theta[1:] @ (centre / scale)])
        self.covariances_ = covariance_rows @ theta
        self.loss_ = self._objective(theta, design, signs)
        return self

    def _objective(self, theta, design, signs) -> float:
        """Mean training loss plus the penalty, in the standardised parameters."""
        margins = signs * (design @ theta)
        if self.loss == "logistic":
            penalty = 0.5 * self.alpha * theta[1:] @ theta[1:]
            return float(np.logaddexp(0.0, -margins).mean() + penalty)
        return float(np.maximum(0.0, 1.0 - margins).mean() + self.alpha * np.abs(theta[1:]).sum())

    # Logistic loss: SLSQP / L-BFGS with analytic gradients.

    def _minimize_unconstrained(self, design, signs, basis=None) -> np.ndarray:
        """Minimise the objective over ``theta = basis @ phi`` (all of theta if basis is None)."""
        if basis is None:
            basis = np.eye(design.shape[1])

        def objective(phi):
            value, gradient = _logistic_loss(basis @ phi, design, signs, self.alpha)
            return value, basis.T @ gradient

        result = minimize(
            objective,
            np.zeros(basis.shape[1]),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": self.tol},
        )
        self._record(result)
        return basis @ result.x

    def _record(self, result) -> None:
        self.n_iter_ = int(result.nit)
        if not result.success:
            warnings.warn(
                f"The solver did not converge ({result.message}); increase max_iter or "
                "set alpha > 0.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _solve_logistic(self, design, signs, covariance_rows) -> np.ndarray:
        self.unconstrained_loss_ = None
        c = self.covariance_threshold
        if self.mode == "accuracy" and c is None:
            return self._minimize_unconstrained(design, signs)
        if self.mode == "accuracy" and c == 0:
            # The feasible set is the orthogonal complement of the covariance rows.
            basis = null_space(covariance_rows, rcond=1e-12)
            return self._minimize_unconstrained(design, signs, basis)
        if self.mode == "accuracy":
            constraints = [
                {"type": "ineq", "fun": lambda t: c - covariance_rows @ t,
                 "jac": lambda t: -covariance_rows},
                {"type": "ineq", "fun": lambda t: c + covariance_rows @ t,
                 "jac": lambda t: covariance_rows},
            ]
            result = minimize(
                _logistic_loss,
                np.zeros(design.shape[1]),  # feasible: every covariance is 0
                args=(design, signs, self.alpha),
                jac=True,
                method="SLSQP",
                constraints=constraints,
                options={"maxiter": self.max_iter, "ftol": self.tol},
            )
            self._record(result)
            return result.x
        return self._maximise_fairness_logistic(design, signs, covariance_rows)

    def _maximise_fairness_logistic(self, design, signs, covariance_rows) -> np.ndarray:
        """Minimise t subject to |Cov_k| <= t and loss <= (1 + gamma) unconstrained loss."""
        theta0 = self._minimize_unconstrained(design, signs)
        self.unconstrained_loss_ = self._objective(theta0, design, signs)
        budget = (1.0 + self.gamma) * self.unconstrained_loss_
        n_params = design.shape[1]
        unit = np.zeros(n_params + 1)
        unit[-1] = 1.0
        ones = np.ones((len(covariance_rows), 1))

        # The budget bounds the penalised objective: with alpha > 0 the weights cannot
        # grow freely to shrink the covariance through rows far from the boundary.
        def loss_slack(v):
            return budget - _logistic_loss(v[:-1], design, signs, self.alpha)[0]

        def loss_slack_jac(v):
            return np.append(-_logistic_loss(v[:-1], design, signs, self.alpha)[1], 0.0)

        constraints = [
            {"type": "ineq", "fun": loss_slack, "jac": loss_slack_jac},
            {"type": "ineq", "fun": lambda v: v[-1] - covariance_rows @ v[:-1],
             "jac": lambda v: np.hstack([-covariance_rows, ones])},
            {"type": "ineq", "fun": lambda v: v[-1] + covariance_rows @ v[:-1],
             "jac": lambda v: np.hstack([covariance_rows, ones])},
        ]
        start = np.append(theta0, np.abs(covariance_rows @ theta0).max(initial=0.0))
        result = minimize(
            lambda v: v[-1],
            start,
            jac=lambda v: unit,
            method="SLSQP",
            constraints=constraints,
            options={"maxiter": self.max_iter, "ftol": self.tol},
        )
        self._record(result)
        return result.x[:-1]

    # Hinge loss: linear programs (HiGHS).

    def _solve_hinge(self, design, signs, covariance_rows) -> np.ndarray:
        """Linear programs in the variables (theta, xi, u, t).

        ``xi_i >= 1 - y_i theta^T x_i`` and ``xi >= 0`` (the hinge losses);
        ``u_j >= |theta_j|`` off the intercept when ``alpha > 0`` (the L1
        penalty ``alpha sum_j u_j``); ``t >= |Cov_k|`` in ``mode="fairness"``.
        """
        n_rows, n_params = design.shape
        n_groups = len(covariance_rows)
        n_penalised = n_params - 1 if self.alpha else 0

        def program(with_t: bool):
            """Constraint blocks shared by every program, and the variable bounds."""
            n_vars = n_params + n_rows + n_penalised + int(with_t)

            def block(theta_part, xi_part=None, u_part=None, t_part=None):
                parts = [sp.csr_matrix(theta_part)]
                rows = parts[0].shape[0]
                for part, width in (
                    (xi_part, n_rows),
                    (u_part, n_penalised),
                    (t_part, int(with_t)),
                ):
                    parts.append(sp.csr_matrix((rows, width)) if part is None else part)
                return sp.hstack(parts, format="csr")

            blocks = [block(-signs[:, None] * design, xi_part=-sp.eye(n_rows))]
            bounds = [-np.ones(n_rows)]
            if n_penalised:
                selector = sp.hstack([sp.csr_matrix((n_penalised, 1)), sp.eye(n_penalised)])
                blocks += [
                    block(selector, u_part=-sp.eye(n_penalised)),
                    block(-selector, u_part=-sp.eye(n_penalised)),
                ]
                bounds += [np.zeros(2 * n_penalised)]
            variable_bounds = (
                [(None, None)] * n_params + [(0, None)] * (n_rows + n_penalised)
                + [(0, None)] * int(with_t)
            )
            cost = np.zeros(n_vars)
            cost[n_params : n_params + n_rows] = 1.0 / n_rows
            cost[n_params + n_rows : n_params + n_rows + n_penalised] = self.alpha
            return block, blocks, bounds, variable_bounds, cost

        self.unconstrained_loss_ = None
        c = self.covariance_threshold
        block, blocks, bounds, variable_bounds, cost = program(with_t=False)
        if self.mode == "accuracy":
            if c is not None:
                blocks += [block(covariance_rows), block(-covariance_rows)]
                bounds += [np.full(2 * n_groups, float(c))]
            solution = self._linprog(cost, blocks, bounds, variable_bounds)
            return solution[:n_params]

        unconstrained = self._linprog(cost, blocks, bounds, variable_bounds)
        self.unconstrained_loss_ = self._objective(unconstrained[:n_params], design, signs)
        budget_row = cost[None, :]  # the objective's coefficients: hinge mean + penalty
        block, blocks, bounds, variable_bounds, cost = program(with_t=True)
        minus_t = -np.ones((n_groups, 1))
        blocks += [
            sp.hstack([sp.csr_matrix(budget_row), sp.csr_matrix((1, 1))], format="csr"),
            block(covariance_rows, t_part=sp.csr_matrix(minus_t)),
            block(-covariance_rows, t_part=sp.csr_matrix(minus_t)),
        ]
        bounds += [[(1.0 + self.gamma) * self.unconstrained_loss_], np.zeros(2 * n_groups)]
        cost = np.zeros_like(cost)
        cost[-1] = 1.0
        return self._linprog(cost, blocks, bounds, variable_bounds)[:n_params]

    def _linprog(self, cost, blocks, bounds, variable_bounds) -> np.ndarray:
        A_ub = sp.vstack(blocks, format="csr")
        result = linprog(
            cost,
            A_ub=A_ub,
            b_ub=np.concatenate(bounds),
            bounds=variable_bounds,
            method="highs",
            options={"maxiter": max(self.max_iter, 10 * A_ub.shape[0])},
        )
        if result.status != 0:
            raise InputError(f"The hinge-loss linear program failed: {result.message}")
        self.n_iter_ = int(getattr(result, "nit", 0))
        return result.x

    # Prediction.

    def decision_function(self, X) -> np.ndarray:
        """Signed distance ``theta^T x`` to the boundary (positive: ``classes_[1]``)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict(self, X) -> np.ndarray:
        """Class of each row: ``classes_[1]`` where the decision function is positive."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

    @available_if(lambda self: self.loss == "logistic")
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of the logistic model (logistic loss only)."""
        positive = expit(self.decision_function(X))
        return np.column_stack([1.0 - positive, positive])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.target_tags.required = True
        return tags
