"""One `Dataset` type for tables and images, so the protocol, runner and report never branch on storage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from synthaug.data.labels import LabelCodec
from synthaug.data.schema import TableSchema


@dataclass(frozen=True)
class Dataset:
    """Features `X` and labels `y` of one classification problem.

    Tabular: `X` is a DataFrame of feature columns (target removed) and `columns` maps each to its
    kind. Images: `X` is a float32 array N×C×H×W scaled to [0, 1]; `meta["pixel_scale"]` says how to
    map back. `y` is always a 1-D numpy array of class labels (strings or ints, never floats); tables
    hold int64 codes and `labels` maps them back to the user's values and dtype, `schema` does the
    same for feature columns (see `output_frame`).
    """

    name: str
    kind: Literal["tabular", "images"]
    X: Any
    y: np.ndarray
    target: str = "target"
    columns: dict[str, str] = field(default_factory=dict)
    groups: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    labels: LabelCodec | None = None
    schema: TableSchema | None = None

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

    def output_frame(self) -> pd.DataFrame:
        """The table as the user gave it: original label values and column dtypes (exports, saved sets)."""
        df = self.schema.restore(self.X) if self.schema is not None else self.X.copy()
        labels = self.decode_labels(self.y)
        if isinstance(labels, pd.Series):
            labels.index = df.index  # kept rows have gaps in their index: align by position, not label
        df[self.target] = labels
        return df

    def decode_labels(self, y: np.ndarray) -> Any:
        return self.labels.decode(y, self.target) if self.labels is not None else np.asarray(y)

    def label_name(self, code: Any) -> str:
        return self.labels.name(code) if self.labels is not None else str(code)

    def named_counts(self, counts: dict[Any, int] | None = None) -> dict[str, int]:
        """Class counts keyed by the user's label text (reports, manifest, sets.parquet)."""
        counts = self.class_counts() if counts is None else counts
        return {self.label_name(k): int(v) for k, v in counts.items()}

    def with_rows(self, X: Any, y: np.ndarray, name: str | None = None) -> Dataset:
        """Other rows of the same problem (a synthetic set): columns, labels and schema carried over."""
        return replace(self, X=X, y=np.asarray(y), groups=None, name=name or self.name)

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
