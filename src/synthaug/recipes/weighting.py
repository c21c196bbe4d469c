"""Synthetic rows down-weighted in the classifier's loss, and the scorer that passes the weights on.

Why weights: a synthetic row is evidence of lower quality than a real one; `sample_weight` < 1 lets
the classifier use the synthetic rows without letting them outvote the real ones. A classifier whose
estimator cannot take `sample_weight` (LDA, QDA, MLP) is n/a for weights below 1 — never silently
trained unweighted under a weighted recipe's name.

Outer scoring goes through `synthaug.scoring.fit_and_score(..., sample_weight=w)`; `fit_weighted`
here serves the inner folds, which score one metric of hundreds of fits (`metric_value`).
"""

from __future__ import annotations

import logging
import warnings
from functools import cache
from typing import Any

import numpy as np
from sklearn import metrics as skm

from synthaug.data.dataset import Dataset
from synthaug.errors import ConfigError
from synthaug.evaluation.classifiers import classifier_spec, import_class, make_classifier, make_estimator
from synthaug.evaluation.metrics import score
from synthaug.records import METRICS
from synthaug.scoring import no_weight_reason, takes_sample_weight

log = logging.getLogger("synthaug")


@cache
def accepts_sample_weight(name: str) -> bool:
    """Whether the classifier's estimator `fit` has a `sample_weight` parameter (LR, SVM, trees do).

    Asked of the estimator the zoo builds, not the configured class: a plugin outside scikit-learn's
    API is wrapped (`ForeignClassifier`) and the wrapper passes no weights on."""
    try:
        return takes_sample_weight(make_estimator(name, {}, 0))
    except ConfigError:  # a plugin that needs params to be built: `fit_weighted` asks the built model
        return takes_sample_weight(import_class(classifier_spec(name).path))


def sample_weights(n_real: int, n_synthetic: int, weight: float) -> np.ndarray:
    """1 for each real row, `weight` for each synthetic row, in the order `scoring.combine` stacks them."""
    return np.r_[np.ones(n_real), np.full(n_synthetic, float(weight))]


def fit_weighted(name: str, params: dict[str, Any], seed: int, X: Any, y: np.ndarray, kind: str,
                 columns: dict[str, str], sample_weight: np.ndarray | None = None) -> tuple[Any, str]:
    """(fitted Pipeline, "") or (None, reason). All-ones weights are dropped (an unweighted fit,
    bit-identical to the baseline's), so weight 1 stays open to classifiers that take no weights."""
    if len(y) == 0 or len(np.unique(y)) < 2:
        why = "empty training set" if len(y) == 0 else f"training set has one class only ({len(y)} rows)"
        return None, f"n/a: {why}"
    weighted = sample_weight is not None and not np.all(np.asarray(sample_weight) == 1.0)
    model = make_classifier(name, params, seed, kind, columns)
    if weighted and not takes_sample_weight(model.steps[-1][1]):
        return None, no_weight_reason(name)
    fit_params = {f"{model.steps[-1][0]}__sample_weight": np.asarray(sample_weight)} if weighted else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y, **fit_params)
    except (ValueError, np.linalg.LinAlgError) as exc:
        return None, _failure(name, exc)
    return model, ""


def metric_value(model: Any, test: Dataset, metric: str, minority: Any) -> float:
    """One metric on `test`; the label metrics skip the ranking scores (selection scores hundreds of fits)."""
    y = np.asarray(test.y)
    if metric in ("roc_auc", "pr_auc"):
        return score(model, test.X, y, minority)[metric]
    pred = model.predict(test.X)
    if metric == "accuracy":
        return float(skm.accuracy_score(y, pred))
    if metric == "balanced_accuracy":
        return float(skm.balanced_accuracy_score(y, pred))
    if metric == "minority_recall":
        return float(skm.recall_score(y, pred, labels=[minority], average="macro", zero_division=0))
    return float(skm.f1_score(y, pred, average="macro", zero_division=0))


def _failure(name: str, exc: Exception) -> str:
    log.warning("classifier %s failed: %s", name, exc)
    return f"{type(exc).__name__}: {exc}"[:200]


def nan_scores() -> dict[str, float]:
    return {m: float("nan") for m in METRICS}
