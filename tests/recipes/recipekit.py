"""Tiny tabular problems for the recipe tests (built in memory: milliseconds, no files)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthaug.data.dataset import Dataset


def blobs(n: int = 120, gap: float = 3.0, seed: int = 0, with_id: bool = False) -> Dataset:
    """Two well separated Gaussian classes in two numeric features (+ a categorical one).

    `with_id` adds a numeric `rid` column holding each row's position, so a copy of a row is
    recognisable wherever it travels (synthetic sets, fits)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = pd.DataFrame({"a": rng.normal(size=n) + gap * y, "b": rng.normal(size=n) - gap * y,
                      "c": np.where(rng.random(n) < 0.5, "u", "v").astype(object)})
    columns = {"a": "numeric", "b": "numeric", "c": "categorical"}
    if with_id:
        X["rid"] = np.arange(n, dtype=float)
        columns["rid"] = "numeric"
    return Dataset("blobs", "tabular", X, y.astype(np.int64), columns=columns)


class PlainModel:
    """A model outside scikit-learn's estimator API whose own `fit` takes weights: the zoo wraps it
    (`ForeignClassifier`), and the wrapper passes no weights on."""

    def fit(self, X: object, y: np.ndarray, sample_weight: np.ndarray | None = None) -> PlainModel:
        self.classes_ = np.unique(y)
        return self

    def predict(self, X: object) -> np.ndarray:
        return np.full(len(X), self.classes_[0])  # type: ignore[arg-type]
