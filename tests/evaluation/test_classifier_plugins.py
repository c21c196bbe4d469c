"""Classifiers named by import path: wrapped like the built-ins, scored in a real run, rejected early when wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthaug.config import build_config
from synthaug.errors import ConfigError
from synthaug.evaluation.classifiers import classifier_family, classifier_spec, make_classifier, supports_class_weight
from synthaug.evaluation.metrics import score

EXTRA_TREES = "sklearn.ensemble.ExtraTreesClassifier"
COLUMNS = {"a": "numeric", "b": "categorical"}


class MajorityOnly:
    """A plain class with fit/predict and nothing of scikit-learn's estimator API (no scores either)."""

    def __init__(self, tie: str = "first") -> None:
        self.tie = tie

    def fit(self, X: Any, y: Any) -> None:  # returns None on purpose: some libraries do
        values, counts = np.unique(np.asarray(y), return_counts=True)
        self.label_ = values[np.argmax(counts)]

    def predict(self, X: Any) -> np.ndarray:
        return np.full(len(X), self.label_)


class CountsFits(MajorityOnly):
    fits = 0

    def fit(self, X: Any, y: Any) -> None:
        type(self).fits += 1
        super().fit(X, y)


class NoFit:
    def predict(self, X: Any) -> np.ndarray:
        return np.zeros(len(X))


def _table(n: int = 80, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    label = np.array(["p", "q"])[(np.arange(n) % 3 == 0).astype(int)]
    return pd.DataFrame({"a": rng.normal(size=n) + (label == "q") * 1.5, "b": rng.choice(["x", "y"], n),
                         "a2": rng.normal(size=n), "label": label})


def _doc(tmp_path: Path, classifiers: dict[str, Any]) -> dict[str, Any]:
    csv = tmp_path / "tiny.csv"
    _table().to_csv(csv, index=False)
    return {"name": "plugins", "seed": 3, "dataset": {"source": str(csv), "target": "label"},
            "generators": {"smote": {}}, "classifiers": classifiers,
            "protocol": {"repeats": 1, "fractions": [1.0], "ratios": [1.0], "strategies": ["match"]},
            "validation": {"fidelity": False, "data_docs": False},
            "runtime": {"task_runner": "threads", "workers": 1, "cache": False, "cache_dir": str(tmp_path / "c")},
            "output": {"dir": str(tmp_path / "runs")}}


def test_import_path_classifier_is_scored_in_a_real_run(tmp_path: Path) -> None:
    from synthaug.experiment import run_experiment

    cfg = build_config(_doc(tmp_path, {"logistic_regression": {}, EXTRA_TREES: {"n_estimators": 20}}))
    run_dir = run_experiment(cfg)
    results = pd.read_parquet(run_dir / "results.parquet")
    trees = results[(results["classifier"] == EXTRA_TREES) & (results["metric"] == "macro_f1")]
    assert set(trees["mode"]) == {"baseline", "augmented", "tstr"}
    assert np.isfinite(trees["value"]).all() and (trees["error"] == "").all()
    assert set(trees["family"]) == {"discriminative"}
    assert set(results["classifier"]) == {"logistic_regression", EXTRA_TREES}


def test_import_path_classifier_is_wrapped_like_the_builtins() -> None:
    pipe = make_classifier(EXTRA_TREES, {"n_estimators": 5}, seed=7, kind="tabular", columns=COLUMNS)
    assert list(pipe.named_steps) == ["prep", "model"]
    model = pipe.named_steps["model"]
    assert model.random_state == 7 and model.n_estimators == 5  # the cell's seed, the config's params
    assert supports_class_weight(EXTRA_TREES) and classifier_family(EXTRA_TREES) == "discriminative"
    assert classifier_spec("sklearn.ensemble:ExtraTreesClassifier").seeded  # module:Class form too
    assert classifier_family("sklearn.naive_bayes.BernoulliNB") == "generative"
    knn = "sklearn.neighbors.KNeighborsClassifier"
    assert not classifier_spec(knn).seeded and not supports_class_weight(knn)  # no such parameters
    df = _table()
    pipe.fit(df[["a", "b", "a2"]], df["label"])
    assert set(pipe.predict(df[["a", "b", "a2"]])) <= {"p", "q"}


def test_class_without_scikit_learn_api_scores_labels_and_nan_rankings() -> None:
    df = _table()
    pipe = make_classifier(f"{__name__}:MajorityOnly", {}, seed=0, kind="tabular", columns=COLUMNS)
    pipe.fit(df[["a", "b"]], df["label"])
    out = score(pipe, df[["a", "b"]], df["label"].to_numpy(), minority="q")
    assert out["accuracy"] == pytest.approx((df["label"] == "p").mean())
    assert np.isnan(out["roc_auc"]) and np.isnan(out["pr_auc"])  # no scores: not faked from labels
    assert classifier_family(f"{__name__}.MajorityOnly") == "discriminative"


@pytest.mark.parametrize("name, params, fragments", [
    ("sklearn.ensemble.NoSuchForest", {}, ["'sklearn.ensemble.NoSuchForest'", "cannot be imported"]),
    ("no_such_package.Model", {}, ["'no_such_package.Model'", "cannot be imported"]),
    (f"{__name__}.NoFit", {}, [f"'{__name__}.NoFit'", "no fit"]),
    ("sklearn.linear_model.LinearRegression", {}, ["'sklearn.linear_model.LinearRegression'", "not a classifier"]),
    ("sklearn.pipeline.make_pipeline", {}, ["'sklearn.pipeline.make_pipeline'", "not a class"]),
    ("xgboostish", {}, ["unknown classifier", "'xgboostish'"]),
    (EXTRA_TREES, {"n_estimators": 0}, [f"'{EXTRA_TREES}'", "'n_estimators'", "0"]),
    (EXTRA_TREES, {"n_trees": 5}, [f"'{EXTRA_TREES}'", "n_trees"]),
])
def test_bad_classifier_fails_in_preflight_naming_field_and_value(tmp_path: Path, name: str, params: dict,
                                                                  fragments: list[str]) -> None:
    from synthaug.runner import prepare

    cfg = build_config(_doc(tmp_path, {"logistic_regression": {}, name: params}))
    with pytest.raises(ConfigError) as err:
        prepare(cfg)
    message = str(err.value)
    assert "'classifiers'" in message
    for fragment in fragments:
        assert fragment in message, message
    assert not (tmp_path / "runs").exists()  # nothing started


def test_preflight_runs_no_plugin_code_beyond_construction(tmp_path: Path) -> None:
    """Value checks fit scikit-learn's own classes on an empty table; a plugin's fit runs in the cells only."""
    from synthaug.runner import prepare

    CountsFits.fits = 0
    prepare(build_config(_doc(tmp_path, {f"{__name__}.CountsFits": {"tie": "last"}})))
    assert CountsFits.fits == 0
