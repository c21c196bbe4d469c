"""SMOTE's neighbour searches, made to hold on large classes without changing the neighbours found.

imbalanced-learn finds every row's neighbours within its class, n² distances per class. Two of its
paths do that in a way that does not scale:
- SMOTENC searches a sparse one-hot matrix: sparse products, 10–50× slower than the dense kernel
  (a 419k-row class was still searching after 35 minutes). `DenseNeighbours` densifies it first.
- SMOTEN builds each class's whole VDM distance matrix (15 GiB at 44k rows, an out-of-memory kill).
  `ChunkedSMOTEN` computes it a block of rows at a time.
Both compute the same distances as imbalanced-learn, so the same neighbours and samples come out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from imblearn.over_sampling import SMOTEN
from scipy import sparse
from scipy.spatial import distance_matrix
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OrdinalEncoder

#: a sparse matrix is densified for the search while its dense copy stays below this
DENSE_LIMIT_BYTES = 1 << 30


def _dense(X: Any) -> Any:
    if sparse.issparse(X) and X.shape[0] * X.shape[1] * 8 <= DENSE_LIMIT_BYTES:
        return X.toarray()
    return X


class DenseNeighbours(NearestNeighbors):
    """`NearestNeighbors` that searches a densified copy of a sparse input, where it fits in memory:
    scikit-learn's dense kernel finds the same neighbours as its sparse path."""

    def fit(self, X: Any, y: Any = None) -> DenseNeighbours:
        return super().fit(_dense(X), y)

    def kneighbors(self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True) -> Any:
        return super().kneighbors(None if X is None else _dense(X), n_neighbors, return_distance)


def vdm_tables(vdm: Any) -> list[np.ndarray]:
    """Per feature, the VDM term between every pair of categories: the distance between two rows is
    the sum of one lookup per feature, computed exactly as `ValueDifferenceMetric.pairwise` does."""
    return [distance_matrix(p, p, p=vdm.k) ** vdm.r for p in vdm.proba_per_class_]


def vdm_neighbours(X: np.ndarray, tables: list[np.ndarray], n_neighbors: int) -> np.ndarray:
    """Each row's `n_neighbors` nearest rows of `X` (itself included), a block of rows at a time; the
    order within a row is scikit-learn's brute-force order, so ties resolve as in imbalanced-learn."""
    from sklearn import get_config

    n = len(X)
    # the distances held at once: scikit-learn's `working_memory`, which the generator bounds for
    # every neighbour search (`oversamplers._bounded_neighbour_search`)
    step = max(1, int(get_config()["working_memory"] * 2**20) // (8 * max(n, 1)))
    out = np.empty((n, n_neighbors), dtype=np.intp)
    for start in range(0, n, step):
        block = X[start:start + step]
        dist = np.zeros((len(block), n))
        for f, table in enumerate(tables):
            dist += table[block[:, f]][:, X[:, f]]
        rows = np.arange(len(block))[:, None]
        ind = np.argpartition(dist, n_neighbors - 1, axis=1)[:, :n_neighbors]
        out[start:start + len(block)] = ind[rows, np.argsort(dist[rows, ind])]
    return out


class ChunkedSMOTEN(SMOTEN):
    """SMOTEN without the per-class n × n distance matrix (dense input only, as the generator passes)."""

    def _fit_resample(self, X: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from imblearn.metrics.pairwise import ValueDifferenceMetric

        self._validate_estimator()
        self.categorical_encoder_ = OrdinalEncoder(dtype=np.int32)
        X_encoded = self.categorical_encoder_.fit_transform(X)
        vdm = ValueDifferenceMetric(n_categories=[len(c) for c in self.categorical_encoder_.categories_])
        tables = vdm_tables(vdm.fit(X_encoded, y))
        X_resampled, y_resampled = [X.copy()], [y.copy()]
        for label, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            X_class = X_encoded[np.flatnonzero(y == label)]
            nn = vdm_neighbours(X_class, tables, self.nn_k_.n_neighbors)
            X_new, y_new = self._make_samples(X_class, label, y.dtype, nn, n_samples)
            X_resampled.append(self.categorical_encoder_.inverse_transform(X_new))
            y_resampled.append(y_new)
        return np.vstack(X_resampled), np.hstack(y_resampled)
