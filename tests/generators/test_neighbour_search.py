"""The scalable neighbour searches give exactly imbalanced-learn's samples, and bound SMOTEN's memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTEN, SMOTENC
from sklearn import config_context

from synthaug.generators import neighbour_search
from synthaug.generators.neighbour_search import ChunkedSMOTEN, DenseNeighbours


def _categorical_table(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "colour": rng.choice(["red", "green", "blue"], n),
        "size": rng.choice(["s", "m", "l", "xl"], n, p=[0.4, 0.3, 0.2, 0.1]),
        "flag": rng.choice(["yes", "no"], n),
        "grade": rng.choice(list("abcdefg"), n),
    })
    # the label leans on colour and grade, so the VDM terms differ between features and categories
    lean = (X["colour"] == "red") * 0.3 + X["grade"].isin(["a", "b"]) * 0.3
    y = np.where(rng.random(n) < 0.1 + lean, "rare", "common")
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chunked_smoten_draws_imblearns_samples(seed: int) -> None:
    # Setup: blocks of 7 rows, so a class is searched in many blocks (and ties abound: 168 row kinds)
    X, y = _categorical_table(300, seed)
    strategy = {"rare": 250, "common": 260}

    # Run
    with config_context(working_memory=7 * 8 * 300 / 2**20):
        ours = ChunkedSMOTEN(sampling_strategy=strategy, k_neighbors=4, random_state=seed).fit_resample(X, y)
    theirs = SMOTEN(sampling_strategy=strategy, k_neighbors=4, random_state=seed).fit_resample(X, y)

    # Assert
    assert len(ours[0]) == len(theirs[0]) == 510
    pd.testing.assert_frame_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])


def test_chunked_smoten_never_holds_a_class_square(monkeypatch: pytest.MonkeyPatch) -> None:
    # Setup: record the largest distance block; a 2,000-row class would be 4M distances unchunked
    X, y = _categorical_table(3000, 5)
    seen: list[int] = []
    real = neighbour_search.np.argpartition

    def spy(a: np.ndarray, *args: object, **kwargs: object) -> np.ndarray:
        seen.append(a.size)
        return real(a, *args, **kwargs)

    monkeypatch.setattr(neighbour_search.np, "argpartition", spy)

    # Run
    with config_context(working_memory=1):
        _, y_res = ChunkedSMOTEN(sampling_strategy={"common": 2500}, random_state=0).fit_resample(X, y)

    # Assert
    assert (y_res == "common").sum() == 2500 and seen
    assert max(seen) <= (1 << 20) // 8 < int((y == "common").sum()) ** 2


def test_dense_neighbours_give_smotenc_the_same_samples() -> None:
    # Setup: numeric and categorical columns, so SMOTENC searches a sparse one-hot matrix
    X, y = _categorical_table(400, 3)
    rng = np.random.default_rng(3)
    X["height"] = rng.normal(170, 10, len(X))
    X["weight"] = rng.normal(70, 15, len(X))
    cats = ["colour", "size", "flag", "grade"]
    strategy = {"rare": 300, "common": 300}

    # Run
    ours = SMOTENC(categorical_features=cats, sampling_strategy=strategy,
                   k_neighbors=DenseNeighbours(n_neighbors=6), random_state=1).fit_resample(X, y)
    theirs = SMOTENC(categorical_features=cats, sampling_strategy=strategy, k_neighbors=5,
                     random_state=1).fit_resample(X, y)

    # Assert
    pd.testing.assert_frame_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])
