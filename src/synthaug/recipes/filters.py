"""Recipe filters: a stage after validation that drops synthetic rows unlikely to help a classifier.

Validation drops rows that break row-level expectations (impossible values); these filters drop
*possible* rows that teach the wrong thing, so they are a stage of their own and counted apart:
- `consistency`: rows whose label a real-trained classifier (the teacher) gives probability below
  the threshold — a confidently contradicted or ambiguous label (with teacher labels: rows near the
  teacher's boundary);
- `fidelity`: rows a real-vs-synthetic detector finds most artificial, in the spirit of
  discriminator rejection sampling (Azadi et al., ICLR 2019). The threshold is the detector's
  out-of-fold probability that the row is synthetic, with the two classes weighted equally (so 0.5
  means "indistinguishable"): rows above it are dropped.

Each score is computed once per row, so selection can score a large pool and threshold subsets of
it; `consistency_filter` / `fidelity_filter` are the one-set forms.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from synthaug.data.dataset import Dataset
from synthaug.evaluation.classifiers import make_classifier, supports_class_weight
from synthaug.recipe_space import ModelSpec
from synthaug.recipes.teacher import Teacher, label_confidence

LABEL_COLUMN = "__synthaug_label__"


def consistency_scores(synthetic: Dataset, teacher: Teacher) -> np.ndarray:
    """Teacher probability of each synthetic row's own label (higher = more consistent)."""
    if len(synthetic) == 0:
        return np.zeros(0)
    return label_confidence(teacher.proba(synthetic.X), teacher.classes, synthetic.y)


def fidelity_scores(real: Dataset, synthetic: Dataset, spec: ModelSpec, folds: int, seed: int) -> np.ndarray:
    """Out-of-fold P(synthetic) per synthetic row from a detector of real vs synthetic (features + label).

    Cross-fitted: each synthetic row is scored by a detector that did not train on it, so a row is
    not judged artificial merely because the detector memorised it. Only `real` (training rows)
    and `synthetic` are read.
    """
    if len(synthetic) == 0:
        return np.zeros(0)
    X, is_syn, columns = _detector_data(real, synthetic)
    k = int(min(folds, np.bincount(is_syn).min()))
    if k < 2:
        return np.full(len(synthetic), 0.5)  # too few rows to cross-fit: keep every row
    out = np.zeros(len(X))
    split = StratifiedKFold(k, shuffle=True, random_state=seed).split(X, is_syn)
    for fit_idx, score_idx in split:
        model = _detector(spec, seed, columns)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X.iloc[fit_idx], is_syn[fit_idx])
            out[score_idx] = model.predict_proba(X.iloc[score_idx])[:, 1]
    return out[len(real):]


def _detector_data(real: Dataset, synthetic: Dataset) -> tuple[pd.DataFrame, np.ndarray, dict[str, str]]:
    cols = list(real.X.columns)
    frames = [d.X[cols].reset_index(drop=True).assign(**{LABEL_COLUMN: np.asarray(d.y).astype(str)})
              for d in (real, synthetic)]
    X = pd.concat(frames, ignore_index=True)
    for c in cols:
        if real.X[c].dtype == object:
            X[c] = X[c].astype(object)
    is_syn = np.r_[np.zeros(len(real), dtype=int), np.ones(len(synthetic), dtype=int)]
    return X, is_syn, {**real.columns, LABEL_COLUMN: "categorical"}


def _detector(spec: ModelSpec, seed: int, columns: dict[str, str]) -> object:
    """Classes weighted equally where the detector allows it, so its probabilities read 0.5 = can't tell."""
    params = dict(spec.params)
    if supports_class_weight(spec.classifier):
        params.setdefault("class_weight", "balanced")
    return make_classifier(spec.classifier, params, seed, "tabular", columns)


def keep_consistent(scores: np.ndarray, threshold: float) -> np.ndarray:
    return scores >= threshold


def keep_faithful(scores: np.ndarray, threshold: float) -> np.ndarray:
    return scores <= threshold


def consistency_filter(synthetic: Dataset, teacher: Teacher, threshold: float) -> tuple[Dataset, int]:
    """(kept rows, number dropped): rows whose label the teacher gives probability < `threshold` go."""
    keep = keep_consistent(consistency_scores(synthetic, teacher), threshold)
    return synthetic.take(np.flatnonzero(keep)), int((~keep).sum())


def fidelity_filter(real: Dataset, synthetic: Dataset, threshold: float, spec: ModelSpec | None = None,
                    folds: int = 3, seed: int = 0) -> tuple[Dataset, int]:
    """(kept rows, number dropped): rows the detector calls synthetic with probability > `threshold` go."""
    spec = spec or ModelSpec(classifier="logistic_regression")
    keep = keep_faithful(fidelity_scores(real, synthetic, spec, folds, seed), threshold)
    return synthetic.take(np.flatnonzero(keep)), int((~keep).sum())
