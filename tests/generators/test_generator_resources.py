"""Generator fits stay small: no loky workers from ctgan's transformer, SMOTE's neighbour search in
bounded chunks; the same numbers either way."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import psutil

from synthaug.generators import make_generator, sdv_models


def _table(n: int = 600) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.exponential(size=n), "c": rng.choice(["u", "v", "w"], n)})
    return X, (X["a"] + rng.normal(scale=0.5, size=n) > 0).astype(int).to_numpy()


def _loky_children() -> list[str]:
    out = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "loky" in " ".join(child.cmdline()):
                out.append(child.cmdline()[-1])
    return out


def _fit_sample(X: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    gen = make_generator("tvae", {"epochs": 1}, 3).fit(X, y)
    return gen.sample(50, {0: 25, 1: 25}, random_state=2)[0]


def test_fit_on_500_plus_rows_starts_no_worker_processes_and_matches_the_parallel_path(monkeypatch) -> None:
    # Setup: 600 rows, past ctgan's 500-row threshold for its joblib-parallel transform
    from joblib.externals.loky import get_reusable_executor

    X, y = _table()
    # Run: the adapter as shipped, then the same fit with joblib left to ctgan (loky processes)
    ours = _fit_sample(X, y)
    spawned = _loky_children()
    monkeypatch.setattr(sdv_models, "_in_process", contextlib.nullcontext)
    parallel = _fit_sample(X, y)
    get_reusable_executor().shutdown(wait=True)  # the parallel path's loky workers would idle 300 s
    # Assert
    assert spawned == []
    pd.testing.assert_frame_equal(ours, parallel)


def test_smote_neighbour_search_in_small_chunks_gives_the_same_rows(monkeypatch) -> None:
    # Setup: a table with a category (SMOTENC) and a 1 MB chunk bound, so the neighbour search is cut up
    from synthaug.generators import oversamplers

    X, y = _table(3000)

    def sample() -> pd.DataFrame:
        return make_generator("smote", {}, 0).fit(X, y).sample(400, {0: 200, 1: 200}, random_state=4)[0]

    # Run
    monkeypatch.setattr(oversamplers, "_bounded_neighbour_search", _tiny_chunks)
    chunked = sample()
    monkeypatch.setattr(oversamplers, "_bounded_neighbour_search", contextlib.nullcontext)
    whole = sample()
    # Assert
    pd.testing.assert_frame_equal(chunked, whole)


def _tiny_chunks():
    from sklearn import config_context

    return config_context(working_memory=1)
