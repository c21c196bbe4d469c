"""Teacher labels (MUNGE, Bucilă, Caruana & Niculescu-Mizil, KDD 2006) and the teacher's confidence.

Why: a generator's own labels are its weakest output (a GaussianCopula draws the label from the same
copula as the features, so many rows carry the wrong class and teach the student noise). A strong
classifier fitted on the real training rows labels the synthetic feature vectors instead; the
student then learns the teacher's boundary from more points. The teacher sees the real training rows
only — the rows the student trains on — so it adds no information the student could not have had.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthaug.data.dataset import Dataset
from synthaug.errors import ConfigError
from synthaug.evaluation.classifiers import make_classifier
from synthaug.recipes.space import ModelSpec


@dataclass(frozen=True)
class Teacher:
    """A classifier fitted on real rows; `classes` orders the columns of `proba`."""

    model: Any
    classes: np.ndarray
    n_fit: int

    def proba(self, X: Any) -> np.ndarray:
        """n × k class probabilities (columns in `classes` order)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(self.model.predict_proba(X), dtype=float)

    def labels_from(self, proba: np.ndarray) -> np.ndarray:
        return self.classes[np.argmax(proba, axis=1)]


def fit_teacher(real: Dataset, spec: ModelSpec, seed: int) -> Teacher:
    """The teacher fitted on `real` only (callers pass the training rows of the fold or repeat)."""
    model = make_classifier(spec.classifier, dict(spec.params), seed, real.kind, real.columns)
    if not hasattr(model, "predict_proba"):
        raise ConfigError(f"field 'recipes.teacher': classifier {spec.classifier!r} has no predict_proba; the "
                          "consistency filter needs class probabilities (use e.g. random_forest)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(real.X, real.y)
    return Teacher(model, np.asarray(model.classes_), len(real))


def relabel(synthetic: Dataset, teacher: Teacher) -> Dataset:
    """The synthetic feature vectors with the teacher's predicted labels in place of the generator's."""
    if len(synthetic) == 0:
        return synthetic
    y = teacher.labels_from(teacher.proba(synthetic.X)).astype(synthetic.y.dtype, copy=False)
    return synthetic.with_rows(synthetic.X, y, name=synthetic.name)


def label_confidence(proba: np.ndarray, classes: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The probability the teacher gives each row's own label (0 for a label it never saw)."""
    col = {c: i for i, c in enumerate(classes.tolist())}
    idx = np.array([col.get(v, -1) for v in np.asarray(y).tolist()], dtype=int)
    out = np.zeros(len(idx))
    seen = idx >= 0
    out[seen] = proba[np.flatnonzero(seen), idx[seen]]
    return out
