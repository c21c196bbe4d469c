"""One `Dataset` type for tables and images, so the protocol, runner and report never branch on storage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Dataset:
    """Features `X` and labels `y` of one classification problem.

    Tabular: `X` is a DataFrame of feature columns (target removed) and `columns` maps each to its
    kind. Images: `X` is a float32 array N×C×H×W scaled to [0, 1]; `meta["pixel_scale"]` says how to
    map back. `y` is always a 1-D numpy array of class labels (strings or ints, never floats).
    """

    name: str
    kind: Literal["tabular", "images"]
    X: Any
    y: np.ndarray
    target: str = "target"
    columns: dict[str, str] = field(default_factory=dict)
    groups: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.y)

    @property
    def classes(self) -> np.ndarray:
        return np.unique(self.y)

    def class_counts(self) -> dict[Any, int]:
        values, counts = np.unique(self.y, return_counts=True)
        return {_plain(v): int(c) for v, c in zip(values, counts)}

    def take(self, idx: np.ndarray) -> Dataset:
        """Rows at positions `idx`; tables keep their original index so row identity survives splits."""
        idx = np.asarray(idx)
        X = self.X.iloc[idx] if isinstance(self.X, pd.DataFrame) else self.X[idx]
        groups = None if self.groups is None else self.groups[idx]
        return replace(self, X=X, y=self.y[idx], groups=groups)

    def frame(self) -> pd.DataFrame:
        """Features plus the target as one table (the form SDV and Great Expectations want)."""
        if not isinstance(self.X, pd.DataFrame):
            raise TypeError("frame() is for tabular datasets")
        df = self.X.copy()
        df[self.target] = self.y
        return df

    def fingerprint(self) -> str:
        """Content hash of features and labels: the model cache keys on it, so equal data means equal key."""
        h = hashlib.sha256()
        if isinstance(self.X, pd.DataFrame):
            h.update(pd.util.hash_pandas_object(self.X, index=False).values.tobytes())
            h.update(",".join(map(str, self.X.columns)).encode())
        else:
            h.update(np.ascontiguousarray(self.X).tobytes())
            h.update(str(self.X.shape).encode())
        h.update(pd.util.hash_array(np.asarray(self.y, dtype=object)).tobytes())
        return h.hexdigest()[:16]


def _plain(v: Any) -> Any:
    """numpy scalars to Python ones so class counts serialise to JSON/YAML cleanly."""
    return v.item() if isinstance(v, np.generic) else v
