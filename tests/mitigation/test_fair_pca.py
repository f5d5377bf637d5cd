"""Fair PCA (Kleindessner et al. 2023): equal projected group means, PCA as the special case."""

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import null_space
from sklearn.decomposition import PCA

from fairdash import InputError
from fairdash.mitigation import FairPCA


def _grouped_data(n_groups: int, n=3000, d=12, seed=0):
    """Correlated features whose means (and spreads) differ by group."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, n_groups, n)
    mixing = rng.normal(size=(d, d))
    X = rng.normal(size=(n, d)) @ mixing + rng.normal(scale=2.0, size=(n_groups, d))[group]
    X[group == 0] *= 1.5  # group 0 also spreads more
    return X, group


def _group_means(values, group):
    return np.array([values[group == g].mean(axis=0) for g in np.unique(group)])


@pytest.mark.parametrize("match", ["mean", "covariance"])
@pytest.mark.parametrize("n_groups", [2, 5])
def test_projected_group_means_are_equal_on_the_training_data(n_groups, match):
    X, group = _grouped_data(n_groups)
    fair = FairPCA(3, match=match, n_covariance_directions=5).fit(X, sensitive_features=group)
    means = _group_means(fair.transform(X), group)
    np.testing.assert_allclose(means, 0.0, atol=1e-10)  # all equal to the overall mean, 0
    # ... which ordinary PCA does not do on these data.
    pca_means = _group_means(PCA(3).fit_transform(X), group)
    assert np.ptp(pca_means, axis=0).max() > 0.5
    assert fair.removed_directions_.shape == (n_groups - 1, X.shape[1])
    np.testing.assert_allclose(fair.components_ @ fair.components_.T, np.eye(3), atol=1e-12)


def test_without_group_differences_it_is_pca_up_to_sign():
    X, group = _grouped_data(3)
    for g in range(3):  # the same mean in every group
        X[group == g] -= X[group == g].mean(axis=0)
    X += 5.0
    fair = FairPCA(4).fit(X, sensitive_features=group)
    pca = PCA(4).fit(X)
    assert fair.removed_directions_.shape[0] == 0
    signs = np.sign(np.sum(fair.components_ * pca.components_, axis=1))
    np.testing.assert_allclose(fair.components_ * signs[:, None], pca.components_, atol=1e-10)
    np.testing.assert_allclose(fair.transform(X) * signs, pca.transform(X), atol=1e-9)
    np.testing.assert_allclose(fair.explained_variance_, pca.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(
        fair.explained_variance_ratio_, pca.explained_variance_ratio_, rtol=1e-10
    )


@pytest.mark.parametrize("match", ["mean", "covariance"])
def test_explained_variance_against_pca(match):
    X, group = _grouped_data(2)
    fair = FairPCA(4, match=match, n_covariance_directions=6).fit(X, sensitive_features=group)
    pca = PCA(4).fit(X)
    # Independent computations: the variance of the projected data and sklearn's PCA.
    np.testing.assert_allclose(
        fair.explained_variance_, fair.transform(X).var(axis=0, ddof=1), rtol=1e-10
    )
    np.testing.assert_allclose(fair.pca_explained_variance_, pca.explained_variance_, rtol=1e-10)
    # Restricting PCA to a subspace can only lose variance, component by component
    # (Cauchy interlacing), and here the group differences carry some.
    assert np.all(fair.explained_variance_ <= pca.explained_variance_ * (1 + 1e-12))
    assert fair.explained_variance_.sum() < 0.99 * pca.explained_variance_.sum()


def test_covariance_matching_brings_group_covariances_closer():
    X, group = _grouped_data(2, seed=3)

    def covariance_gap(values):
        return np.linalg.norm(
            np.cov(values[group == 0], rowvar=False) - np.cov(values[group == 1], rowvar=False)
        )

    mean_only = FairPCA(3).fit(X, sensitive_features=group)
    matched = FairPCA(3, match="covariance", n_covariance_directions=3).fit(
        X, sensitive_features=group
    )
    assert covariance_gap(matched.transform(X)) < 0.5 * covariance_gap(mean_only.transform(X))
    # With every direction kept, the covariance variant is the mean variant.
    everything = FairPCA(3, match="covariance", n_covariance_directions=100)
    everything.fit(X, sensitive_features=group)
    np.testing.assert_allclose(
        np.abs(everything.transform(X)), np.abs(mean_only.transform(X)), atol=1e-8
    )


def test_transform_needs_no_sensitive_features_and_keeps_names():
    X, group = _grouped_data(2, n=400, d=5)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(5)])
    sensitive = pd.DataFrame({"sex": np.where(group == 0, "F", "M"), "race": "A"})
    fair = FairPCA(2).fit(frame, sensitive_features=sensitive)
    assert fair.transform(frame.iloc[:7]).shape == (7, 2)
    assert list(fair.get_feature_names_out()) == ["fairpca0", "fairpca1"]
    assert fair.groups_ == [("F", "A"), ("M", "A")]


def test_bad_input_is_an_input_error():
    X, group = _grouped_data(5, n=500, d=5)
    with pytest.raises(InputError, match="Only 1 direction") as error:
        FairPCA(2).fit(X, sensitive_features=group)  # 4 mean differences in 5 dimensions
    assert "n_components=2 is too many: choose at most 1" in str(error.value)  # what to do
    with pytest.raises(InputError, match="n_components must be an integer between 1 and"):
        FairPCA(0).fit(X, sensitive_features=group)
    with pytest.raises(InputError, match="match must be one of"):
        FairPCA(1, match="median").fit(X, sensitive_features=group)
    with pytest.raises(InputError, match="sensitive_features is missing"):
        FairPCA(1).fit(X, sensitive_features=None)


def test_covariance_variant_matches_the_papers_two_group_algorithm():
    """Kleindessner et al.'s algorithm, step by step: null space, covariance gap, PCA."""
    X, group = _grouped_data(2, d=8, seed=5)
    k, kept = 2, 4
    fair = FairPCA(k, match="covariance", n_covariance_directions=kept)
    fair.fit(X, sensitive_features=group)
    centred = X - X.mean(axis=0)
    z = group - group.mean()
    R = null_space((z @ centred)[None, :])
    gap = R.T @ (np.cov(centred[group == 0].T) - np.cov(centred[group == 1].T)) @ R
    values, vectors = np.linalg.eigh(gap)
    V = vectors[:, np.argsort(np.abs(values))[:kept]]  # smallest |eigenvalue|
    reduced = centred @ R @ V
    _, eigenvectors = np.linalg.eigh(reduced.T @ reduced)
    W = R @ V @ eigenvectors[:, -k:]
    np.testing.assert_allclose(fair.components_.T @ fair.components_, W @ W.T, atol=1e-8)
