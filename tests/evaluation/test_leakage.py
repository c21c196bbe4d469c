"""Leakage guards, proven: a marked test row reaches no fit and no synthetic set; splits are disjoint;
groups stay on one side; duplicates across train and test are counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from gainkit import make_table
from sklearn.base import BaseEstimator, ClassifierMixin

from synthaug.config import DatasetConfig, build_config
from synthaug.data import load_dataset
from synthaug.evaluation import classifiers as zoo
from synthaug.evaluation.splits import duplicates_across, make_split
from synthaug.generators import GENERATORS, BaseGenerator, GeneratorSpec

MARK = 1e9
SEEN: dict[str, list[Any]] = {"generator": [], "classifier": []}


class SpyGenerator(BaseGenerator):
    """Records the raw training frame it is fitted on; samples copies of those rows."""

    generative = False

    def _fit(self, X: Any, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        SEEN["generator"].append(X.copy())
        self.X_, self.y_ = X.reset_index(drop=True), np.asarray(y)

    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[Any, np.ndarray]:
        pick = np.random.default_rng(seed).integers(0, len(self.y_), sum(class_counts.values()))
        return self.X_.iloc[pick].reset_index(drop=True), self.y_[pick]


class SpyClassifier(ClassifierMixin, BaseEstimator):
    """Records the preprocessed matrix it is fitted on; predicts the majority class."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> SpyClassifier:
        SEEN["classifier"].append(np.asarray(X, dtype=float).copy())
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full(len(X), self.majority_)


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the spies under real registry names for one test (restored afterwards); the run uses one
    worker so the cells run in this process, where the spies are registered and observed."""
    for v in SEEN.values():
        v.clear()
    monkeypatch.setitem(GENERATORS, "spy", GeneratorSpec(f"{__name__}:SpyGenerator", ("tabular",), False, "spy"))
    monkeypatch.setitem(zoo.CLASSIFIERS, "spy", zoo.ClassifierSpec(f"{__name__}:SpyClassifier", {}, "discriminative",
                                                                   seeded=False))


@pytest.mark.parametrize("where", ["test", "train"])
def test_planted_row_reaches_no_fit_and_no_synthetic_set(tmp_path: Path, spies: None, where: str) -> None:
    """Plant a marked row in the test set: no generator fit, classifier fit or synthetic set sees it.
    The `train` case is the control showing the instruments would catch it."""
    from synthaug.experiment import run_experiment

    data = make_table(120, seed=3, n_features=3)
    frame = data.frame().assign(marker=0.0)
    csv = tmp_path / "planted.csv"
    frame.to_csv(csv, index=False)
    doc = {"name": "leak", "seed": 11, "dataset": {"source": str(csv), "target": "label"},
           "generators": {"spy": {}}, "classifiers": ["spy", "logistic_regression"],
           "protocol": {"repeats": 2, "fractions": [0.5], "tstr": True},
           "validation": {"fidelity": False, "privacy": False, "data_docs": False},
           "runtime": {"cache": False, "workers": 1, "cache_dir": str(tmp_path / "cache")},
           "output": {"dir": str(tmp_path / "runs")}}
    cfg = build_config(doc)
    loaded = load_dataset(cfg.dataset)
    split = make_split(loaded, cfg.seed, 0, 0.5, 2, cfg.protocol.test_size)  # one test set for both repeats
    planted = int(split.test[0] if where == "test" else split.train[0])
    frame.loc[planted, "marker"] = MARK
    frame.to_csv(csv, index=False)
    run = run_experiment(cfg)

    marker_col = [c for c, k in load_dataset(cfg.dataset).columns.items() if k == "numeric"].index("marker")
    gen_saw = any((X["marker"] == MARK).any() or planted in X.index for X in SEEN["generator"])
    clf_saw = any(np.ptp(X[:, marker_col]) > 0 for X in SEEN["classifier"])
    synth = pd.concat([pd.read_parquet(p) for p in (run / "synthetic").glob("*.parquet")])
    assert len(SEEN["generator"]) == 2 and len(SEEN["classifier"]) >= 6  # baseline, augmented, TSTR × repeats
    if where == "test":
        assert not gen_saw and not clf_saw and not (synth["marker"] == MARK).any()
    else:
        assert gen_saw and clf_saw


def test_disjoint_design_training_sets_never_overlap_each_other_or_test() -> None:
    data = make_table(500, seed=1)
    splits = [make_split(data, 0, r, 0.2, 5, 0.25) for r in range(5)]
    assert {s.ci_method for s in splits} == {"paired_t_disjoint"}
    assert len({tuple(s.test) for s in splits}) == 1
    trains = [set(s.train) for s in splits]
    for i, a in enumerate(trains):
        assert not a & set(splits[i].test)
        assert all(not a & b for b in trains[i + 1:])


def test_group_column_keeps_each_group_on_one_side(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame({"x": rng.normal(size=n), "patient": rng.integers(0, 40, n),
                       "label": rng.choice(["a", "b"], n)})
    df.to_csv(tmp_path / "g.csv", index=False)
    data = load_dataset(DatasetConfig(source=str(tmp_path / "g.csv"), target="label", group="patient"))
    for fraction, repeats in [(0.3, 2), (1.0, 3)]:
        for r in range(repeats):
            s = make_split(data, 0, r, fraction, repeats, 0.25)
            assert not set(data.groups[s.train]) & set(data.groups[s.test])
            assert len(s.test) > 0 and len(s.train) > 0


def test_duplicates_across_train_and_test_are_counted() -> None:
    data = make_table(100, seed=4)
    train, test = data.take(np.arange(0, 60)), data.take(np.arange(60, 100))
    assert duplicates_across(train, test) == 0
    X = data.X.copy()
    X.iloc[70] = X.iloc[5].to_numpy()
    X.iloc[80] = X.iloc[6].to_numpy()
    y = data.y.copy()
    y[70], y[80] = y[5], "pos" if y[6] == "neg" else "neg"  # same features, other label: not a duplicate
    dup = type(data)(**{**data.__dict__, "X": X, "y": y})
    assert duplicates_across(dup.take(np.arange(0, 60)), dup.take(np.arange(60, 100))) == 1


@pytest.mark.parametrize("where", ["test", "train"])
def test_planted_row_reaches_no_fit_of_auto_selection(tmp_path: Path, spies: None, where: str) -> None:
    """The same planted row with `auto` on: no inner-fold or refit generator fit and no classifier fit of
    the selection sees a test row (the `train` case shows the spies would see it)."""
    from synthaug.experiment import run_experiment

    frame = make_table(120, seed=4, n_features=3).frame().assign(marker=0.0)
    csv = tmp_path / "planted.csv"
    doc = {"name": "leak-auto", "seed": 12, "dataset": {"source": str(csv), "target": "label"},
           "generators": {"spy": {}}, "classifiers": ["spy", "logistic_regression"],
           "protocol": {"repeats": 2, "fractions": [0.5], "tstr": False},
           "validation": {"fidelity": False, "privacy": False, "data_docs": False},
           "recipes": {"generators": ["spy"], "ratios": [1.0], "strategies": ["match"],
                       "labels": ["generator", "teacher"], "filters": ["none"],
                       "teacher": [{"classifier": "logistic_regression"}]},
           "runtime": {"cache": False, "workers": 1}, "output": {"dir": str(tmp_path / "runs")}}
    frame.to_csv(csv, index=False)
    cfg = build_config(doc)
    split = make_split(load_dataset(cfg.dataset), cfg.seed, 0, 0.5, 2, cfg.protocol.test_size)
    planted = int(split.test[0] if where == "test" else split.train[0])
    frame.loc[planted, "marker"] = MARK
    frame.to_csv(csv, index=False)
    run_experiment(cfg)

    marker_col = [c for c, k in load_dataset(cfg.dataset).columns.items() if k == "numeric"].index("marker")
    gen_saw = any((X["marker"] == MARK).any() for X in SEEN["generator"])
    clf_saw = any(np.ptp(X[:, marker_col]) > 0 for X in SEEN["classifier"])
    assert len(SEEN["generator"]) >= 2 + 2 * 3  # the grid's fits plus one per inner fold and repeat
    assert (not gen_saw and not clf_saw) if where == "test" else (gen_saw and clf_saw)
