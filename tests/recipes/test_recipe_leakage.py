"""Leakage guards of honest selection, proven with spies: every generator, teacher, detector and
classifier scored on an inner fold saw that fold's inner-training rows only, and no outer test row
reaches selection or the final refit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from recipekit import blobs

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.evaluation.splits import make_split
from synthaug.generators import GENERATORS, BaseGenerator, GeneratorSpec
from synthaug.recipes import Recipe, RecipeSpace, fit_recipe, select_recipe
from synthaug.recipes import select as select_mod
from synthaug.recipes import sets as sets_mod

SEEN: dict[str, list[Any]] = {"generator": [], "teacher": [], "detector": [], "scored": []}
FAST = ValidationConfig(fidelity=False, privacy=False, data_docs=False, distribution_checks=False)


class SpyGenerator(BaseGenerator):
    """Random oversampling that records the rows (`rid`) it is fitted on; its rows keep their `rid`."""

    generative = False

    def _fit(self, X: pd.DataFrame, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        SEEN["generator"].append(frozenset(X["rid"].astype(int)))
        self.X_, self.y_ = X.reset_index(drop=True), np.asarray(y)

    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
        rng = np.random.default_rng(seed)
        pick = np.concatenate([rng.choice(np.flatnonzero(self.y_ == c), k) for c, k in class_counts.items() if k])
        return self.X_.iloc[pick].reset_index(drop=True), self.y_[pick]


def rids(d: Dataset | None) -> frozenset[int]:
    return frozenset() if d is None or len(d) == 0 else frozenset(d.X["rid"].astype(int))


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spy generator under a registry name, and recorders around the teacher, detector and scorer."""
    for v in SEEN.values():
        v.clear()
    monkeypatch.setitem(GENERATORS, "spy", GeneratorSpec(f"{__name__}:SpyGenerator", ("tabular",), False, "spy"))
    fit_teacher, fidelity_scores, score = select_mod.fit_teacher, sets_mod.fidelity_scores, select_mod._score

    def teacher_spy(real: Dataset, *a: Any) -> Any:
        SEEN["teacher"].append(rids(real))
        return fit_teacher(real, *a)

    def detector_spy(real: Dataset, synthetic: Dataset, *a: Any) -> Any:
        SEEN["detector"].append((rids(real), rids(synthetic)))
        return fidelity_scores(real, synthetic, *a)

    def score_spy(clf: str, params: Any, seed: int, tset: Any, val: Dataset, *a: Any) -> Any:
        SEEN["scored"].append((rids(tset.real), rids(tset.synthetic), rids(val)))
        return score(clf, params, seed, tset, val, *a)

    monkeypatch.setattr(select_mod, "fit_teacher", teacher_spy)
    monkeypatch.setattr(sets_mod, "fidelity_scores", detector_spy)
    monkeypatch.setattr(select_mod, "_score", score_spy)


@pytest.mark.parametrize("repeats", [1, 2])
def test_no_inner_validation_or_outer_test_row_reaches_a_fit(spies: None, repeats: int) -> None:
    # Setup: an outer split; recipes that use every fitted component (generator, teacher, detector)
    data = blobs(120, seed=0, with_id=True)
    split = make_split(data, 0, 0, 0.75, 1, 0.25)
    train, test_rows = data.take(split.train), frozenset(split.test.tolist())
    recipes = [Recipe("spy", 1.0), Recipe("spy", 2.0, labels="teacher", filter="consistency", threshold=0.6),
               Recipe("spy", 1.0, filter="fidelity", threshold=0.8, weight=0.5)]
    # Run
    sel = select_recipe(train, {"logistic_regression": {}, "decision_tree": {}}, {"spy": {}}, seed=3,
                        space=RecipeSpace(inner_folds=3, inner_repeats=repeats), recipes=recipes, validation=FAST)
    # Assert: each scored fit used rows (real and synthetic) disjoint from the rows it was scored on
    all_train = frozenset(split.train.tolist())
    folds = 3 * repeats
    assert len(SEEN["scored"]) == folds * 4 * 2
    for real, synth, val in SEEN["scored"]:
        assert real | val == all_train and not real & val
        assert synth <= real
    inner_train = {real for real, _, _ in SEEN["scored"]}
    assert len(inner_train) == folds
    assert len(SEEN["generator"]) == folds and set(SEEN["generator"]) == inner_train  # one fit per fold
    assert len(SEEN["teacher"]) == folds and set(SEEN["teacher"]) == inner_train
    assert SEEN["detector"] and all(real in inner_train and synth <= real for real, synth in SEEN["detector"])
    seen = set().union(*SEEN["generator"], *SEEN["teacher"], *(v for s in SEEN["scored"] for v in s))
    assert not seen & test_rows
    assert {s.n_recipes for s in sel.values()} == {4} and {s.folds for s in sel.values()} == {folds}


def test_the_final_refit_uses_all_training_rows_and_no_test_row(spies: None) -> None:
    # Setup
    data = blobs(120, seed=1, with_id=True)
    split = make_split(data, 0, 0, 0.75, 1, 0.25)
    train = data.take(split.train)
    recipe = Recipe("spy", 2.0, labels="teacher", filter="consistency", threshold=0.6)
    # Run
    tset = fit_recipe(recipe, train, {"spy": {}}, fit_seed=11, seed=12, validation=FAST)
    # Assert
    assert SEEN["generator"] == [frozenset(split.train.tolist())] == SEEN["teacher"]
    assert rids(tset.synthetic) <= frozenset(split.train.tolist())
    assert tset.requested == 2 * len(train) and tset.recipe == recipe
