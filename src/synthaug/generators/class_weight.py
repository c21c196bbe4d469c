"""`class_weight="balanced"` as a baseline in the generator slot.

Why a slot and not a flag: the design reads every generative result beside the classical answer to
class imbalance, and the cheapest classical answer adds no rows at all: it reweights the loss. As a
slot it shares the grid, the pairing with the real-only baseline and the statistics. It samples no
rows (the runner records it once, as ratio 0 and strategy "balance", whatever the grid says) and the
scorer refits each classifier that accepts `class_weight` with `class_weight="balanced"`.
Classifiers without the parameter (LDA, QDA, naive Bayes, MLP) are reported as n/a, never scored
as if they had been reweighted.

It lives with the generators (the scorer imports `is_class_weight` and `NOT_SUPPORTED` from here),
so the generator package depends on nothing in `evaluation`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synthaug.generators import register_generator
from synthaug.generators.base import BaseGenerator

TYPE_NAME = "class_weight"
NOT_SUPPORTED = "n/a: classifier has no class_weight parameter"


@register_generator(TYPE_NAME, description='class_weight="balanced" refit of classifiers that support it '
                                           "(adds no rows; baseline)")
class ClassWeightBaseline(BaseGenerator):
    """Adds no rows; its presence tells the scorer to reweight classes instead."""

    kinds: ClassVar[tuple[str, ...]] = ("tabular", "images")
    generative: ClassVar[bool] = False
    adds_rows: ClassVar[bool] = False

    def _fit(self, X: Any, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        """Only the training shape, so the empty sample has the right columns and dtypes."""
        self.columns_ = list(X.columns) if isinstance(X, pd.DataFrame) else None
        self.shape_ = tuple(np.asarray(X).shape[1:]) if self.columns_ is None else None
        self.dtype_ = None if self.columns_ is None else {c: str(t) for c, t in X.dtypes.items()}

    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[Any, np.ndarray]:
        """Zero rows of the training shape, whatever is asked: reweighting is the whole method."""
        y = np.array([], dtype=self.label_dtype_)
        if self.columns_ is None:
            return np.zeros((0, *self.shape_), dtype=np.float32), y
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in (self.dtype_ or {}).items()}), y

    def _save_state(self, path: Path) -> dict[str, Any]:
        return {"columns": self.columns_, "dtypes": self.dtype_,
                "shape": list(self.shape_) if self.shape_ is not None else None}

    def _load_state(self, path: Path, state: dict[str, Any]) -> None:
        self.columns_, self.dtype_ = state["columns"], state["dtypes"]
        self.shape_ = tuple(state["shape"]) if state["shape"] is not None else None


def is_class_weight(generator_type: str | None) -> bool:
    return generator_type == TYPE_NAME
