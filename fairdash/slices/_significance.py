"""Vectorised tests of a slice against its complement, and the Benjamini-Hochberg q-values."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, stdtr

__all__ = ["benjamini_hochberg", "two_proportion_z_test", "welch_t_test"]


def two_proportion_z_test(
    p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray, *, pooled: np.ndarray | float
) -> np.ndarray:
    r"""Two-sided p-value of the pooled two-proportion z-test.

    .. math::

        z = \frac{\hat p_1 - \hat p_2}{\sqrt{\bar p (1 - \bar p)(1/n_1 + 1/n_2)}}, \qquad
        p = 2\,\Phi(-|z|)

    Parameters
    ----------
    p1, n1 : numpy.ndarray
        Proportion and sample size (or effective sample size) of the first sample.
    p2, n2 : numpy.ndarray
        The same for the second sample.
    pooled : numpy.ndarray or float
        The pooled proportion :math:`\bar p` (both samples together).

    Returns
    -------
    numpy.ndarray
        p-values; 1 where the pooled variance is 0 (both proportions 0, or both 1).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        z = (p1 - p2) / np.sqrt(variance)
    return np.where(variance > 0, 2 * ndtr(-np.abs(z)), 1.0)


def welch_t_test(
    mean1: np.ndarray,
    var1: np.ndarray,
    n1: np.ndarray,
    mean2: np.ndarray,
    var2: np.ndarray,
    n2: np.ndarray,
) -> np.ndarray:
    r"""Two-sided p-value of Welch's unequal-variance t-test.

    :math:`t = (m_1 - m_2) / \sqrt{s_1^2/n_1 + s_2^2/n_2}` with the
    Welch-Satterthwaite degrees of freedom (as ``scipy.stats.ttest_ind`` with
    ``equal_var=False``).

    Parameters
    ----------
    mean1, var1, n1 : numpy.ndarray
        Mean, sample variance (``ddof=1``) and size (at least 2) of the first sample.
    mean2, var2, n2 : numpy.ndarray
        The same for the second sample.

    Returns
    -------
    numpy.ndarray
        p-values; where both variances are 0, 1 for equal means and 0 otherwise.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = var1 / n1, var2 / n2
        se2 = a + b
        t = (mean1 - mean2) / np.sqrt(se2)
        df = se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
        p = 2 * stdtr(df, -np.abs(t))
    return np.where(se2 > 0, p, np.where(mean1 == mean2, 1.0, 0.0))


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    r"""Benjamini-Hochberg adjusted p-values (q-values) of a family of tests.

    :math:`q_{(i)} = \min_{j \ge i} \min(1, m\,p_{(j)} / j)` over the p-values
    sorted ascending; rejecting every test with :math:`q \le \alpha` controls
    the false discovery rate at :math:`\alpha` (Benjamini & Hochberg, 1995).

    Parameters
    ----------
    p_values : numpy.ndarray
        The p-values of all tests (no NaN).

    Returns
    -------
    numpy.ndarray
        q-values, in the order of ``p_values``.
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(ranked, 1.0)
    return q
