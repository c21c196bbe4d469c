"""Scores on held-out real rows. Threshold-free scores come from `decision_function` where a model has it
(scikit-learn 1.9 deprecates SVC(probability=True), which is also 5× slower).

The metric names and their order are `synthaug.records.METRICS`, defined once for config, scoring and
the tables. A model without `decision_function`/`predict_proba` (a plugin classifier may have only
`predict`) gets NaN ROC AUC and PR AUC rather than scores made up from hard labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import softmax
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

from synthaug.records import METRICS

NAN = float("nan")


def continuous_scores(model: Any, X: Any) -> np.ndarray | None:
    """Scores per class (n×k) or for the positive class (n,); None when the model has neither."""
    for attr in ("decision_function", "predict_proba"):
        if hasattr(model, attr):
            try:
                s = np.asarray(getattr(model, attr)(X), dtype=float)
            except (AttributeError, NotImplementedError):
                continue
            if attr == "predict_proba" and s.ndim == 2 and s.shape[1] == 2:
                s = s[:, 1]
            return s
    return None


def score(model: Any, X: Any, y: np.ndarray, minority: Any) -> dict[str, float]:
    """Every metric of `METRICS`, in that order, for one fitted model; `minority` is the rarest class in
    the *training* rows."""
    y = np.asarray(y)
    pred = model.predict(X)
    out = {
        "accuracy": skm.accuracy_score(y, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
        "macro_f1": skm.f1_score(y, pred, average="macro", zero_division=0),
        "minority_recall": skm.recall_score(y, pred, labels=[minority], average="macro", zero_division=0),
    }
    out.update(_ranking_scores(model, X, y, minority))
    return {m: float(out[m]) for m in METRICS}


def _ranking_scores(model: Any, X: Any, y: np.ndarray, minority: Any) -> dict[str, float]:
    """ROC AUC (macro over the classes present, for more than two) and PR AUC of the minority class."""
    classes = getattr(model, "classes_", None)
    s = continuous_scores(model, X) if classes is not None else None
    nan = {"roc_auc": NAN, "pr_auc": NAN}
    if s is None or len(np.unique(y)) < 2:
        return nan
    classes = np.asarray(classes)
    if len(classes) == 2:
        pos = classes[1]
        y_pos = (y == pos).astype(int)
        minority_scores = s if minority == pos else -s
        return {"roc_auc": skm.roc_auc_score(y_pos, s),
                "pr_auc": skm.average_precision_score((y == minority).astype(int), minority_scores)}
    if s.ndim != 2 or s.shape[1] != len(classes):
        return nan
    probs = softmax(s, axis=1) if not np.allclose(s.sum(axis=1), 1.0) else s
    present = np.isin(classes, np.unique(y))
    Y = label_binarize(y, classes=classes)
    try:
        roc = skm.roc_auc_score(Y[:, present], probs[:, present], average="macro")
    except ValueError:
        roc = NAN
    k = int(np.flatnonzero(classes == minority)[0]) if minority in classes else None
    pr = skm.average_precision_score(Y[:, k], probs[:, k]) if k is not None and Y[:, k].any() else NAN
    return {"roc_auc": roc, "pr_auc": pr}
