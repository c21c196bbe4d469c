"""A third-party generator: subclass `BaseGenerator`, write `_fit` and `_sample`, declare an entry point.

Everything else (class labels and counts, the default seed and class mix, save/load of labels and
parameters, the registry entry) comes from the template. No synthaug module is edited.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synthaug.generators import BaseGenerator


class TinyGenerator(BaseGenerator):
    """Gaussian noise around each class mean, per column (`scale` × the class's standard deviation)."""

    defaults: ClassVar[dict[str, Any]] = {"scale": 0.5}

    def _fit(self, X: pd.DataFrame, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        frame = X.astype(float)
        self.columns_ = list(X.columns)
        self.means_ = {c: frame[y == c].mean().to_numpy() for c in self.classes_.tolist()}
        self.stds_ = {c: frame[y == c].std(ddof=0).fillna(0.0).to_numpy() for c in self.classes_.tolist()}

    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
        rng = np.random.default_rng(seed)
        scale = float(self.p("scale"))
        parts = [self.means_[c] + scale * self.stds_[c] * rng.standard_normal((k, len(self.columns_)))
                 for c, k in class_counts.items()]
        labels = [c for c, k in class_counts.items() for _ in range(k)]
        X = pd.DataFrame(np.vstack(parts), columns=self.columns_)
        return X, np.array(labels, dtype=self.label_dtype_)
