"""Metrics by hand on a fixed scorer; classifier hyperparameters from config; class_weight support."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax
from sklearn import metrics as skm

from synthaug.errors import ConfigError
from synthaug.evaluation.classifiers import make_classifier, supports_class_weight
from synthaug.evaluation.metrics import score
from synthaug.records import METRICS


class FixedScores:
    """A fitted binary model with given predictions and decision values (metrics are what is tested)."""

    classes_ = np.array(["a", "b"])

    def __init__(self, pred: list[str], s: list[float]) -> None:
        self._pred, self._s = np.array(pred), np.array(s)

    def predict(self, X: object) -> np.ndarray:
        return self._pred

    def decision_function(self, X: object) -> np.ndarray:
        return self._s  # positive values favour classes_[1] == "b"


def test_minority_recall_and_pr_auc_by_hand() -> None:
    y = np.array(["a", "a", "a", "b", "b", "a"])
    m = FixedScores(["a", "b", "a", "b", "a", "a"], [-2.0, 0.5, -1.0, 1.0, -0.5, 0.2])
    out = score(m, None, y, minority="b")
    # minority b: 2 rows, one predicted b → recall 0.5
    assert out["minority_recall"] == pytest.approx(0.5)
    # b ranked by score: 1.0 (b), 0.5 (a), 0.2 (a), -0.5 (b): AP = (1/1 + 2/4)/2 = 0.75
    assert out["pr_auc"] == pytest.approx(0.75)
    # ROC AUC: pairs (b, a) with b above a: b=1.0 beats 4 a's, b=-0.5 beats -2.0 and -1.0 → 6/8
    assert out["roc_auc"] == pytest.approx(0.75)
    assert out["accuracy"] == pytest.approx(4 / 6)
    assert out["balanced_accuracy"] == pytest.approx((3 / 4 + 1 / 2) / 2)


def test_pr_auc_of_a_minority_that_is_the_negative_class_uses_flipped_scores() -> None:
    y = np.array(["a", "b", "b", "b"])
    m = FixedScores(["a", "b", "b", "b"], [-3.0, 1.0, 2.0, 3.0])
    out = score(m, None, y, minority="a")
    assert out["pr_auc"] == pytest.approx(1.0)  # "a" has the lowest score: ranked first after flipping
    assert out["minority_recall"] == pytest.approx(1.0)
    assert out["pr_auc"] == pytest.approx(skm.average_precision_score([1, 0, 0, 0], [3.0, -1.0, -2.0, -3.0]))


class FixedLogits:
    """A fitted three-class model whose decision values are logits (rows do not sum to one)."""

    classes_ = np.array([0, 1, 2])

    def __init__(self, logits: np.ndarray) -> None:
        self._s = logits

    def predict(self, X: object) -> np.ndarray:
        return self.classes_[np.argmax(self._s, axis=1)]

    def decision_function(self, X: object) -> np.ndarray:
        return self._s


def test_multiclass_ranking_scores_use_softmaxed_logits_and_metric_order() -> None:
    rng = np.random.default_rng(4)
    y = np.repeat([0, 1, 2], 10)
    logits = rng.normal(size=(30, 3)) * 3 + np.eye(3)[y]
    out = score(FixedLogits(logits), None, y, minority=2)
    probs = softmax(logits, axis=1)
    assert out["roc_auc"] == pytest.approx(skm.roc_auc_score(np.eye(3)[y], probs, average="macro"), abs=1e-12)
    assert out["pr_auc"] == pytest.approx(skm.average_precision_score(y == 2, probs[:, 2]), abs=1e-12)
    assert tuple(out) == METRICS  # the names and their order are defined once, in records


def test_hyperparameters_from_config_override_defaults() -> None:
    clf = make_classifier("decision_tree", {"max_depth": 3}, seed=5, kind="tabular", columns={"x": "numeric"})
    model = clf.named_steps["model"]
    assert model.max_depth == 3 and model.random_state == 5
    lr = make_classifier("logistic_regression", {}, seed=0, kind="tabular", columns={"x": "numeric"})
    assert lr.named_steps["model"].max_iter == 1000  # default kept where config is silent
    with pytest.raises(ConfigError, match="does not accept"):
        make_classifier("naive_bayes", {"no_such_param": 1}, seed=0, kind="tabular", columns={"x": "numeric"})


def test_class_weight_support_matches_the_models() -> None:
    assert {n for n in ("logistic_regression", "svm", "decision_tree", "random_forest", "hist_gradient_boosting")
            if supports_class_weight(n)} == {"logistic_regression", "svm", "decision_tree", "random_forest",
                                             "hist_gradient_boosting"}
    assert not any(supports_class_weight(n) for n in ("lda", "qda", "naive_bayes", "mlp"))
