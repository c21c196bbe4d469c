"""Tiny mixed-type tables for the validation tests: real rows drawn from one known process."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from synthaug.data.dataset import Dataset

KINDS = {"age": "numeric", "income": "numeric", "hours": "numeric", "color": "categorical",
         "city": "categorical"}


def draw_people(n: int, seed: int) -> Dataset:
    """`n` rows from a fixed joint distribution; `city` has ~10% missing values, the rest none."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n).astype(float)
    income = np.round(20_000 + 800 * (age - 18) + rng.normal(0, 8_000, n), 0)
    hours = np.clip(np.round(rng.normal(40, 8, n)), 5, 80)
    color = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]).astype(object)
    city = rng.choice(["Oslo", "Lima", "Pune", "Kobe"], n).astype(object)
    city[rng.random(n) < 0.1] = np.nan
    score = (income - 50_000) / 15_000 + (color == "red") * 0.8 + rng.normal(0, 0.5, n)
    y = np.where(score > 0, "yes", "no").astype(object)
    X = pd.DataFrame({"age": age, "income": income, "hours": hours, "color": color, "city": city})
    return Dataset(name="people", kind="tabular", X=X, y=y, target="label", columns=dict(KINDS))


def with_rows(template: Dataset, X: pd.DataFrame, y: np.ndarray) -> Dataset:
    """A synthetic Dataset with the template's schema (what a generator hands back)."""
    return replace(template, X=X.reset_index(drop=True), y=np.asarray(y, dtype=object))


def jittered_copy(train: Dataset) -> Dataset:
    """Valid synthetic rows: training rows with age moved by half a year inside the training range.

    Every row differs from its source (ages are whole numbers) and stays within every bound.
    """
    X = train.X.copy().reset_index(drop=True)
    top = X["age"].max()
    X["age"] = np.where(X["age"] < top, X["age"] + 0.5, X["age"] - 0.5)
    return with_rows(train, X, train.y)
