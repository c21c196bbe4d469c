"""Teacher labels (MUNGE, Bucilă, Caruana & Niculescu-Mizil, KDD 2006) and the teacher's confidence.

Why: a generator's own labels are its weakest output (a GaussianCopula draws the label from the same
copula as the features, so many rows carry the wrong class and teach the student noise). A strong
classifier fitted on the real training rows labels the synthetic feature vectors instead; the
student then learns the teacher's boundary from more points. The teacher sees the real training rows
only — the rows the student trains on — so it adds no information the student could not have had.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthaug.data.dataset import Dataset
from synthaug.errors import ConfigError
from synthaug.evaluation.classifiers import make_classifier
from synthaug.recipe_space import ModelSpec


@dataclass(frozen=True)
class Teacher:
    """Classifiers fitted on real rows, probabilities averaged (soft voting); `classes` orders the columns.

    Why an ensemble: which model is strongest depends on the training size (at a few hundred Adult
    rows logistic regression beats a random forest; at thousands the forest wins), and a teacher
    weaker than its student only teaches it noise. Averaging a linear and a tree model is rarely
    much worse than the better of the two.
    """

    models: tuple[Any, ...]
    classes: np.ndarray
    n_fit: int

    @property
    def model(self) -> Any:
        """The first member (the only one for a single-model teacher)."""
        return self.models[0]

    def proba(self, X: Any) -> np.ndarray:
        """n × k class probabilities (columns in `classes` order), averaged over the members."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.mean([np.asarray(m.predict_proba(X), dtype=float) for m in self.models], axis=0)

    def labels_from(self, proba: np.ndarray) -> np.ndarray:
        return self.classes[np.argmax(proba, axis=1)]


def fit_teacher(real: Dataset, specs: ModelSpec | Sequence[ModelSpec], seed: int) -> Teacher:
    """The teacher fitted on `real` only (callers pass the training rows of the fold or repeat)."""
    models = []
    for spec in [specs] if isinstance(specs, ModelSpec) else list(specs):
        model = make_classifier(spec.classifier, dict(spec.params), seed, real.kind, real.columns)
        if not hasattr(model, "predict_proba"):
            raise ConfigError(f"field 'recipes.teacher': classifier {spec.classifier!r} has no predict_proba; "
                              "teacher labels and the consistency filter need class probabilities")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(real.X, real.y)
        models.append(model)
    return Teacher(tuple(models), np.asarray(models[0].classes_), len(real))


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
