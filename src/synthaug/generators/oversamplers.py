"""Classical baselines in the generator slot: SMOTE (SMOTENC/SMOTEN for categories) and random oversampling.

They read every generative result beside the classical answer. Quality gates do not apply to them
(random oversampling copies rows by design), hence `generative = False`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synthaug.generators import register_generator
from synthaug.generators.base import BaseGenerator, read_array, write_array

_MISSING = "__synthaug_missing__"


class _Oversampler(BaseGenerator):
    """Stores the training rows at `fit`; `sample` runs imbalanced-learn with the requested counts."""

    generative: ClassVar[bool] = False
    kinds: ClassVar[tuple[str, ...]] = ("tabular", "images")

    def _fit(self, X: Any, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        self.X_ = X.reset_index(drop=True).copy() if isinstance(X, pd.DataFrame) else np.asarray(X)
        self.y_ = y

    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[Any, np.ndarray]:
        usable = {c: k for c, k in class_counts.items() if k > 0 and self._can_sample(c)}
        if not usable:
            return self._empty()
        strategy = {c: self.class_counts_[c] + usable.get(c, 0) for c in self.classes_.tolist()}
        X_enc, decode = self._encode()
        with _bounded_neighbour_search():
            X_res, y_res = self._resampler(strategy, seed).fit_resample(X_enc, self.y_)
        n_real = len(self.y_)
        X_new = X_res.iloc[n_real:] if isinstance(X_res, pd.DataFrame) else X_res[n_real:]
        return decode(X_new), np.asarray(y_res)[n_real:]

    def _can_sample(self, label: Any) -> bool:
        return self.class_counts_.get(label, 0) >= 1

    def _encode(self) -> tuple[Any, Any]:
        if not isinstance(self.X_, pd.DataFrame):
            shape = self.X_.shape[1:]
            return self.X_.reshape(len(self.X_), -1), lambda a: np.asarray(a, dtype=self.X_.dtype).reshape(-1, *shape)
        X = self.X_.copy()
        cats = self._categorical()
        for c in X.columns:
            if c in cats:
                X[c] = X[c].fillna(_MISSING).astype(str)
            elif X[c].isna().any():
                X[c] = X[c].fillna(X[c].median())

        def decode(df: pd.DataFrame) -> pd.DataFrame:
            df = df.reset_index(drop=True).copy()
            for c in cats:
                df[c] = df[c].astype(object).where(df[c] != _MISSING, np.nan)
            return df

        return X, decode

    def _categorical(self) -> list[str]:
        if not isinstance(self.X_, pd.DataFrame):
            return []
        kinds = self.column_kinds_
        return [c for c in self.X_.columns
                if kinds.get(c) in ("categorical", "boolean") or not pd.api.types.is_numeric_dtype(self.X_[c])]

    def _empty(self) -> tuple[Any, np.ndarray]:
        X = self.X_.iloc[:0].copy() if isinstance(self.X_, pd.DataFrame) else self.X_[:0]
        return X, self.y_[:0]

    def _resampler(self, strategy: dict[Any, int], seed: int) -> Any:
        raise NotImplementedError

    def _save_state(self, path: Path) -> dict[str, Any]:
        write_array(path, "y", self.y_)
        if isinstance(self.X_, pd.DataFrame):
            self.X_.to_parquet(path / "X.parquet")
        else:
            np.save(path / "X.npy", self.X_, allow_pickle=False)
        return {}

    def _load_state(self, path: Path, state: dict[str, Any]) -> None:
        self.X_ = pd.read_parquet(path / "X.parquet") if (path / "X.parquet").exists() else np.load(path / "X.npy")
        self.y_ = read_array(path, "y")


def _bounded_neighbour_search(megabytes: int = 128) -> Any:
    """SMOTE's neighbour search takes distance chunks as large as scikit-learn's `working_memory`
    (1 GiB by default): on a 24k-row table one cell's process peaked at 2.4 GiB. Smaller chunks give
    the same neighbours (the chunking only splits the work)."""
    from sklearn import config_context

    return config_context(working_memory=megabytes)


@register_generator("smote", description="SMOTE / SMOTENC / SMOTEN interpolation baseline (k_neighbors)")
class SMOTEGenerator(_Oversampler):
    """SMOTE on numeric tables or flattened pixels; SMOTENC/SMOTEN when categories are present.

    `k_neighbors` is lowered to fit the smallest class; a class with a single row cannot be
    interpolated and is left short (reported as a shortfall by the caller).
    """

    defaults: ClassVar[dict[str, Any]] = {"k_neighbors": 5}

    def _can_sample(self, label: Any) -> bool:
        return self.class_counts_.get(label, 0) >= 2

    def _resampler(self, strategy: dict[Any, int], seed: int) -> Any:
        from imblearn.over_sampling import SMOTE, SMOTENC

        from synthaug.generators.neighbour_search import ChunkedSMOTEN, DenseNeighbours

        k_wanted = int(self.p("k_neighbors"))
        smallest = min(self.class_counts_[c] for c, total in strategy.items() if total > self.class_counts_[c])
        k = max(1, min(k_wanted, smallest - 1))
        # classes with no extra rows requested keep their count; SMOTE skips them
        cats = self._categorical()
        if cats and len(cats) == (self.X_.shape[1] if hasattr(self.X_, "shape") else 0):
            return ChunkedSMOTEN(sampling_strategy=strategy, k_neighbors=k, random_state=seed)
        if cats:
            return SMOTENC(categorical_features=cats, sampling_strategy=strategy,
                           k_neighbors=DenseNeighbours(n_neighbors=k + 1), random_state=seed)
        return SMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=seed)


@register_generator("random_oversampling", description="copies of training rows with replacement (null baseline)")
class RandomOversamplingGenerator(_Oversampler):
    """Copies of training rows drawn with replacement: the null augmentation every method must beat."""

    def _resampler(self, strategy: dict[Any, int], seed: int) -> Any:
        from imblearn.over_sampling import RandomOverSampler

        return RandomOverSampler(sampling_strategy=strategy, random_state=seed)
