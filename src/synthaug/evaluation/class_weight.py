"""`class_weight="balanced"` as a baseline in the generator slot.

Why a slot and not a flag: the design reads every generative result beside the classical answer to
class imbalance, and the cheapest classical answer adds no rows at all: it reweights the loss. As a
slot it shares the grid, the pairing with the real-only baseline and the statistics. It samples no
rows (the runner records it once, as ratio 0 and strategy "balance", whatever the grid says) and the
scorer refits each classifier that accepts `class_weight` with `class_weight="balanced"`.
Classifiers without the parameter (LDA, QDA, naive Bayes, MLP) are reported as n/a, never scored
as if they had been reweighted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synthaug.generators.base import BaseGenerator, label_counts

TYPE_NAME = "class_weight"
NOT_SUPPORTED = "n/a: classifier has no class_weight parameter"


class ClassWeightBaseline(BaseGenerator):
    """Adds no rows; its presence tells the scorer to reweight classes instead."""

    name = TYPE_NAME
    kinds: ClassVar[tuple[str, ...]] = ("tabular", "images")
    generative: ClassVar[bool] = False
    adds_rows: ClassVar[bool] = False

    def fit(self, X: Any, y: np.ndarray, columns: dict[str, str] | None = None) -> ClassWeightBaseline:
        self.classes_ = np.unique(np.asarray(y))
        self.class_counts_ = label_counts(y)
        self.columns_ = list(X.columns) if isinstance(X, pd.DataFrame) else None
        self.shape_ = tuple(np.asarray(X).shape[1:]) if self.columns_ is None else None
        self.dtype_ = None if self.columns_ is None else {c: str(t) for c, t in X.dtypes.items()}
        self.label_dtype_ = np.asarray(y).dtype
        return self

    def sample(self, n: int, class_counts: dict[Any, int] | None = None,
               random_state: int | None = None) -> tuple[Any, np.ndarray]:
        """Zero rows of the training shape, whatever `n` is: reweighting is the whole method."""
        self.check_fitted()
        y = np.array([], dtype=self.label_dtype_)
        if self.columns_ is None:
            return np.zeros((0, *self.shape_), dtype=np.float32), y
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in (self.dtype_ or {}).items()}), y

    def save(self, path: Path) -> None:
        self.check_fitted()
        self._write_params(path, {"columns": self.columns_, "dtypes": self.dtype_,
                                  "shape": list(self.shape_) if self.shape_ is not None else None,
                                  "classes": self.classes_.tolist(), "label_dtype": str(self.label_dtype_),
                                  "class_counts": {str(k): v for k, v in self.class_counts_.items()}})

    @classmethod
    def load(cls, path: Path) -> ClassWeightBaseline:
        doc = json.loads((path / "params.json").read_text())
        gen = cls(**doc["params"])
        gen.label_dtype_ = np.dtype(doc["label_dtype"])
        gen.classes_ = np.asarray(doc["classes"], dtype=gen.label_dtype_)
        gen.class_counts_ = {c: doc["class_counts"][str(c)] for c in gen.classes_.tolist()}
        gen.columns_, gen.dtype_ = doc["columns"], doc["dtypes"]
        gen.shape_ = tuple(doc["shape"]) if doc["shape"] is not None else None
        return gen


def is_class_weight(generator_type: str | None) -> bool:
    return generator_type == TYPE_NAME


def register() -> None:
    """Put the slot type in the generator registry (idempotent; run on `synthaug.evaluation` import)."""
    from synthaug.generators import GENERATORS, GeneratorSpec
    from synthaug.generators import register as _register

    if TYPE_NAME not in GENERATORS:
        _register(TYPE_NAME, GeneratorSpec(f"{__name__}:ClassWeightBaseline", ("tabular", "images"), False,
                                           'class_weight="balanced" refit of classifiers that support it '
                                           "(adds no rows; baseline)"))
