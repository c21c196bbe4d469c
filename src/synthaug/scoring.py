"""Fit each configured classifier on one training set and score it on held-out real rows."""

from __future__ import annotations

import inspect
import logging
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

from synthaug.cellspec import CellSpec
from synthaug.data.dataset import Dataset
from synthaug.evaluation.classifiers import classifier_family, make_classifier, supports_class_weight
from synthaug.evaluation.metrics import score
from synthaug.evaluation.splits import derive_seed
from synthaug.generators.class_weight import NOT_SUPPORTED, is_class_weight
from synthaug.records import METRICS, ScoreRow, SetHead

log = logging.getLogger("synthaug")


def combine(real: Dataset, synthetic: Dataset | None) -> tuple[Any, np.ndarray]:
    """Real rows plus synthetic rows as one training set (synthetic labels cast to the real label type)."""
    if synthetic is None or len(synthetic) == 0:
        return real.X, real.y
    y_syn = np.asarray(synthetic.y).astype(real.y.dtype) if real.y.dtype.kind in "iub" else synthetic.y
    if isinstance(real.X, pd.DataFrame):
        X = pd.concat([real.X.reset_index(drop=True), synthetic.X[real.X.columns].reset_index(drop=True)],
                      ignore_index=True)
        for c in real.X.columns:
            if real.X[c].dtype == object:
                X[c] = X[c].astype(object)
    else:
        X = np.concatenate([real.X, np.asarray(synthetic.X, dtype=real.X.dtype)])
    return X, np.concatenate([real.y, y_syn])


def fit_and_score(name: str, params: dict[str, Any], seed: int, X: Any, y: np.ndarray, test: Dataset,
                  kind: str, columns: dict[str, str], minority: Any, balanced: bool = False,
                  sample_weight: np.ndarray | None = None) -> tuple[dict[str, float], float, str]:
    """(scores, seconds, error). A set a classifier cannot learn from (one class) scores NaN with the reason.

    `balanced` refits with `class_weight="balanced"`; a classifier without that parameter is n/a
    (NaN with the reason), so a reweighting baseline is never silently scored as plain training.
    `sample_weight` (a recipe's synthetic weight) reaches the Pipeline's last step; all-ones weights
    are an unweighted fit, and an estimator whose `fit` takes no weights is n/a for weights below 1.
    """
    start = time.perf_counter()
    if len(y) == 0:
        return _nan_scores(), 0.0, "n/a: empty training set (no synthetic rows kept)"
    if len(np.unique(y)) < 2:
        return _nan_scores(), 0.0, f"n/a: training set has one class only ({len(y)} rows)"
    if balanced:
        if not supports_class_weight(name):
            return _nan_scores(), 0.0, NOT_SUPPORTED
        params = {**params, "class_weight": "balanced"}
    model = make_classifier(name, params, seed, kind, columns)
    weighted = sample_weight is not None and not np.all(np.asarray(sample_weight) == 1.0)
    if weighted and not takes_sample_weight(model.steps[-1][1]):
        return _nan_scores(), 0.0, no_weight_reason(name)
    fit_params = {f"{model.steps[-1][0]}__sample_weight": np.asarray(sample_weight)} if weighted else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model.fit(X, y, **fit_params)
            scores = score(model, test.X, test.y, minority)
        except Exception as exc:  # noqa: BLE001 - a classifier (a plugin too) that cannot fit this set is n/a, with the reason
            log.warning("classifier %s failed: %s", name, exc)
            return _nan_scores(), time.perf_counter() - start, f"{type(exc).__name__}: {exc}"[:200]
    return scores, time.perf_counter() - start, ""


def evaluate_classifiers(spec: CellSpec, train: Dataset, synthetic: Dataset | None, test: Dataset, head: SetHead,
                         mode: str, minority: Any = None) -> list[ScoreRow]:
    """Rows of results.parquet for every classifier on one training set.

    The classifier seed depends on repeat, fraction and classifier only, so baseline and augmented
    fits share it and the paired gain measures the data, not the seed. The `class_weight` slot adds
    no rows: its "augmented" fit is the reweighted refit, and it has no TSTR (nothing to train on).
    `minority` is the rarest class of the *real* training rows (TSTR passes it: its own training set
    is the synthetic one, possibly empty or rebalanced).
    """
    balanced = is_class_weight(head.generator_type) and mode == "augmented"
    if is_class_weight(head.generator_type) and mode == "tstr":
        return []
    X, y = combine(train, synthetic)
    if minority is None:
        minority = minority_class(train)
    rows = []
    for name, params in spec.classifiers.items():
        seed = derive_seed(spec.seed, "clf", spec.cell.repeat, spec.cell.fraction, name)
        scores, secs, err = fit_and_score(name, params, seed, X, y, test, spec.dataset.kind, train.columns, minority,
                                          balanced)
        family = classifier_family(name)
        rows += [ScoreRow(head, name, family, mode, metric, value, round(secs, 4), err)
                 for metric, value in scores.items()]
    return rows


def no_weight_reason(name: str) -> str:
    return f"n/a: {name} takes no sample_weight"


def takes_sample_weight(estimator: Any) -> bool:
    """Whether an estimator's `fit` has a `sample_weight` parameter (asked of the built estimator: a
    wrapped plugin passes no weights on)."""
    try:
        return "sample_weight" in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):  # a builtin without a signature: assume not, never guess weights
        return False


def minority_class(train: Dataset) -> Any:
    """The rarest training class (ties: the smallest label), the class minority metrics score."""
    counts = train.class_counts()
    return min(counts, key=lambda c: (counts[c], str(c))) if counts else None


def _nan_scores() -> dict[str, float]:
    return {m: float("nan") for m in METRICS}
