from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthaug.generators import class_counts_for, label_counts, make_generator, sdv_models
from synthaug.generators.oversamplers import SMOTEGenerator


@pytest.fixture
def mixed() -> tuple[pd.DataFrame, np.ndarray, dict[str, str]]:
    """A small mixed table with a rare class, NaNs in both kinds of column."""
    rng = np.random.default_rng(0)
    n = 120
    X = pd.DataFrame({"num": rng.normal(size=n), "cat": rng.choice(["a", "b", "c"], n).astype(object)})
    X.loc[::17, "num"] = np.nan
    X.loc[::13, "cat"] = np.nan
    y = np.array(["common"] * 100 + ["rare"] * 20)
    return X, y, {"num": "numeric", "cat": "categorical"}


def test_class_counts_match_and_balance():
    # Run
    match = class_counts_for("match", 100, {"a": 75, "b": 25})
    balance = class_counts_for("balance", 100, {"a": 75, "b": 25})
    overshoot = class_counts_for("balance", 10, {"a": 75, "b": 25})
    # Assert
    assert match == {"a": 75, "b": 25}
    assert balance == {"a": 25, "b": 75} and sum(balance.values()) == 100
    assert overshoot == {"a": 0, "b": 10}


@pytest.mark.parametrize("name, params", [("gaussian_copula", {}), ("ctgan", {"epochs": 2}),
                                          ("tvae", {"epochs": 2}), ("smote", {}), ("random_oversampling", {})])
def test_generator_seeding_counts_and_roundtrip(tmp_path, mixed, name, params):
    # Setup
    X, y, cols = mixed
    want = {"common": 30, "rare": 30}
    gen = make_generator(name, params, seed=3).fit(X, y, cols)
    # Run
    a_X, a_y = gen.sample(60, want, random_state=11)
    b_X, _ = gen.sample(60, want, random_state=11)
    c_X, _ = gen.sample(60, want, random_state=12)
    gen.save(tmp_path / "g")
    d_X, _ = type(gen).load(tmp_path / "g").sample(60, want, random_state=11)
    # Assert
    assert list(a_X.columns) == ["num", "cat"]
    assert label_counts(a_y) == want
    pd.testing.assert_frame_equal(a_X, b_X)
    pd.testing.assert_frame_equal(a_X, d_X)
    assert not a_X.equals(c_X), "a different sampling seed must give different rows"
    assert set(a_X["cat"].dropna()) <= {"a", "b", "c"}


def test_sdv_fit_is_seeded(mixed):
    # Setup
    X, y, cols = mixed
    # Run
    s1, _ = make_generator("ctgan", {"epochs": 2}, seed=5).fit(X, y, cols).sample(40, random_state=1)
    s2, _ = make_generator("ctgan", {"epochs": 2}, seed=5).fit(X, y, cols).sample(40, random_state=1)
    s3, _ = make_generator("ctgan", {"epochs": 2}, seed=6).fit(X, y, cols).sample(40, random_state=1)
    # Assert
    pd.testing.assert_frame_equal(s1, s2)
    assert not s1.equals(s3)


def test_smote_single_row_class_is_a_shortfall_not_a_crash():
    # Setup
    X = pd.DataFrame({"a": np.arange(12.0), "b": np.arange(12.0) ** 2})
    y = np.array(["x"] * 11 + ["lonely"])
    gen = SMOTEGenerator(random_state=0).fit(X, y, {"a": "numeric", "b": "numeric"})
    # Run
    _, ys = gen.sample(10, {"x": 5, "lonely": 5})
    # Assert
    assert label_counts(ys) == {"x": 5}


def test_smote_interpolates_within_training_range(mixed):
    # Setup
    X, y, cols = mixed
    gen = make_generator("smote", {}, 0).fit(X, y, cols)
    # Run
    Xs, _ = gen.sample(200, {"common": 100, "rare": 100})
    # Assert
    assert Xs["num"].min() >= X["num"].min() and Xs["num"].max() <= X["num"].max()
    assert Xs["cat"].isna().any(), "missing categories are kept as missing, not a sentinel string"
    assert not (Xs["cat"] == "__synthaug_missing__").any()


def test_a_draw_is_sized_for_the_rarest_class_and_bounded_in_cells():
    # Setup: a narrow table (sizes as before the bound) and a wide one with a 7% class
    narrow = {0: 158, 1: 268}
    wide = {0: 14175, 1: 10125, 2: 8100, 3: 5265, 4: 2835}
    # Run
    small = sdv_models.draw_size(narrow, narrow, 31, 0)
    big = sdv_models.draw_size(wide, wide, 41, 0)
    grown = sdv_models.draw_size({4: 100}, wide, 41, 3)
    # Assert: the narrow draw is the rarest-class sizing (268 / 0.37 * 1.2); the wide one stops at the cells
    assert small == int(268 / (158 / 426) * 1.2)
    assert big == sdv_models._DRAW_CELLS // 41 < 200_000
    assert grown == int(100 / (2835 / 40500) * 1.2 * 1.5 ** 3)


def test_bounded_draws_still_fill_every_class(mixed, monkeypatch):
    # Setup: draws of at most 30 rows, for 150 rows of which 40 of the rarer class
    X, y, kinds = mixed
    monkeypatch.setattr(sdv_models, "_DRAW_CELLS", 90)
    gen = make_generator("gaussian_copula", {}, 0).fit(X, y, kinds)
    # Run
    Xs, ys = gen.sample(150, class_counts={"common": 110, "rare": 40}, random_state=3)
    # Assert
    assert label_counts(ys) == {"common": 110, "rare": 40}
    assert len(Xs) == 150 and list(Xs.columns) == ["num", "cat"]
