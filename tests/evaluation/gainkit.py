"""Helpers for protocol-level tests (imported as `from gainkit import ...`): small seeded tables and
one gain study on the real protocol pieces (splits, scoring, statistics) without the runner, so the
statistical tests stay fast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from synthaug.cellspec import Cell, cell_spec
from synthaug.config import build_config
from synthaug.data.dataset import Dataset
from synthaug.evaluation.splits import make_split
from synthaug.evaluation.statistics import summarise
from synthaug.records import SetHead
from synthaug.scoring import evaluate_classifiers

Augmenter = Callable[[Dataset, np.random.Generator], Dataset]


def make_table(n: int, seed: int, n_features: int = 6, separation: float = 1.0) -> Dataset:
    """Two Gaussian classes (60/40) whose means differ by `separation` along every feature."""
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.4, "pos", "neg")
    X = rng.normal(size=(n, n_features)) + separation * (y == "pos")[:, None] / np.sqrt(n_features)
    cols = [f"x{i}" for i in range(n_features)]
    return Dataset(name="gauss", kind="tabular", X=pd.DataFrame(X, columns=cols), y=y, target="label",
                   columns={c: "numeric" for c in cols})


def like(train: Dataset, X: np.ndarray | pd.DataFrame, y: np.ndarray) -> Dataset:
    X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X, columns=list(train.X.columns))
    return Dataset(name="extra", kind="tabular", X=X.reset_index(drop=True), y=np.asarray(y), target=train.target,
                   columns=train.columns)


def gain_study(data: Dataset, augmenter: Augmenter, classifiers: list[str], *, seed: int, repeats: int,
               fraction: float, metric: str = "accuracy", test_size: float = 0.3) -> pd.DataFrame:
    """Summary rows (one per classifier) of the protocol: split, baseline vs augmented, paired statistics."""
    cfg = build_config({"seed": seed, "dataset": {"source": "iris"}, "classifiers": classifiers,
                        "protocol": {"repeats": repeats, "fractions": [fraction], "primary_metric": metric}})
    rows: list[Any] = []
    for r in range(repeats):
        split = make_split(data, seed, r, fraction, repeats, test_size)
        train, test = data.take(split.train), data.take(split.test)
        extra = augmenter(train, np.random.default_rng([seed, r]))
        spec = cell_spec(cfg, Cell(r, fraction))
        base = (r, fraction, split.ci_method, len(train), len(test))
        rows += evaluate_classifiers(spec, train, None, test, SetHead(*base), "baseline")
        rows += evaluate_classifiers(spec, train, extra, test, SetHead(*base, 1.0, "match", "test", "test", len(extra)),
                                     "augmented")
    summary = summarise(pd.DataFrame([r.as_row() for r in rows]))
    return summary[summary["metric"] == metric].set_index("classifier")
