"""CTGAN and TVAE share one fit of ctgan's data transformer per training table; numbers unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthaug.generators import make_generator
from synthaug.generators.transformer_share import _MEMO, sharing


@pytest.fixture
def table() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.gamma(2.0, size=60), "c": rng.choice(["u", "v"], 60)})
    return X, (X["a"] > 0).astype(int).to_numpy()


def _sample(slot: str, X: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    gen = make_generator(slot, {"epochs": 2}, 11).fit(X, y, column_kinds={"a": "numeric", "b": "numeric",
                                                                              "c": "categorical"})
    return gen.sample(30, {0: 15, 1: 15}, random_state=5)[0]


def test_shared_transformer_gives_the_same_samples_and_is_fitted_once(table, tmp_path: Path, monkeypatch) -> None:
    # Setup: the samples each model draws with its own transformer fit
    X, y = table
    plain = {slot: _sample(slot, X, y) for slot in ("ctgan", "tvae")}
    from ctgan.data_transformer import DataTransformer

    _MEMO.clear()
    fits = []
    fit_continuous = DataTransformer._fit_continuous
    monkeypatch.setattr(DataTransformer, "_fit_continuous", lambda self, d: fits.append(1) or fit_continuous(self, d))
    # Run: CTGAN fits the transformer, TVAE on the same rows reuses it; then TVAE in a "new process" (memo empty)
    with sharing(tmp_path):
        shared = {slot: _sample(slot, X, y) for slot in ("ctgan", "tvae")}
        _MEMO.clear()
        from_disk = _sample("tvae", X, y)
    # Assert
    for slot in plain:
        pd.testing.assert_frame_equal(plain[slot], shared[slot])
    pd.testing.assert_frame_equal(plain["tvae"], from_disk)
    assert len(fits) == 2  # two numeric columns, fitted once for the three models
    assert len(list(tmp_path.glob("*.pkl"))) == 1


def test_other_rows_or_no_sharing_fit_their_own(table, tmp_path: Path) -> None:
    # Setup
    X, y = table
    _MEMO.clear()
    # Run
    with sharing(tmp_path):
        _sample("tvae", X, y)
        _sample("tvae", X.iloc[:50], y[:50])
    _sample("ctgan", X, y)  # outside `sharing`: no lookup, no file
    # Assert
    assert len(list(tmp_path.glob("*.pkl"))) == 2


def test_a_torn_file_is_refitted_not_trusted(table, tmp_path: Path) -> None:
    # Setup: the one entry on disk is cut short
    X, y = table
    _MEMO.clear()
    with sharing(tmp_path):
        expected = _sample("tvae", X, y)
    entry = next(tmp_path.glob("*.pkl"))
    entry.write_bytes(entry.read_bytes()[:40])
    _MEMO.clear()
    # Run
    with sharing(tmp_path):
        again = _sample("tvae", X, y)
    # Assert
    pd.testing.assert_frame_equal(expected, again)
    assert entry.stat().st_size > 40
