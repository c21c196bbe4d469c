"""From one fitted generator to the training set of every recipe that uses it, sampling once.

Why a pool: selection scores many recipes per generator and fold. Sampling, validating, teacher
labelling and detector scoring once per (generator, strategy) and deriving each recipe's set from
that pool keeps the cost near one fixed cell. It stays statistically equivalent to sampling each
ratio on its own because the pool is shuffled and each class's rows are taken as a prefix: a
uniformly random subset of a class's draws is distributed like a smaller draw of that class, and
validation and the consistency score are per-row (a row's fate does not depend on the others). The
nested sets also pair the ratios (common random numbers), which makes their comparison less noisy.
The fidelity detector is the one exception: it is fitted once on the whole pool, so a smaller
ratio's rows are judged by a detector that saw more synthetic rows than that recipe keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.generators import class_counts_for, label_counts
from synthaug.recipe_space import ModelSpec
from synthaug.recipes.filters import fidelity_scores, keep_consistent, keep_faithful
from synthaug.recipes.recipe import Recipe
from synthaug.recipes.teacher import Teacher, label_confidence
from synthaug.recipes.weighting import sample_weights
from synthaug.scoring import combine
from synthaug.synthesis import SampledSet, validate_set


@dataclass
class TrainingSet:
    """Real rows plus one recipe's synthetic rows, with what each stage dropped (for `sets.parquet`)."""

    recipe: Recipe
    real: Dataset
    synthetic: Dataset | None = None
    dropped_validation: int = 0  # rows failing row-level expectations
    dropped_filter: int = 0  # rows the recipe's filter removed
    validation: Any = None  # the pool's ValidationResult (its records describe the whole pool)
    requested_counts: dict[Any, int] = field(default_factory=dict)  # per class code, as asked of the generator
    achieved_counts: dict[Any, int] = field(default_factory=dict)  # per class code, drawn (generator labels)

    @property
    def requested(self) -> int:
        """Synthetic rows asked of the generator for this ratio."""
        return int(sum(self.requested_counts.values()))

    @property
    def n_achieved(self) -> int:
        """Rows the generator gave for this ratio (short of `requested` when rejection sampling ran out)."""
        return int(sum(self.achieved_counts.values()))

    @property
    def n_kept(self) -> int:
        """Rows validation kept, before the recipe's filter."""
        return self.n_achieved - self.dropped_validation

    @property
    def n_synthetic(self) -> int:
        return 0 if self.synthetic is None else len(self.synthetic)

    def arrays(self) -> tuple[Any, np.ndarray, np.ndarray | None]:
        """(X, y, sample_weight or None): real rows first, as `scoring.combine` stacks them."""
        X, y = combine(self.real, self.synthetic)
        if self.recipe.weight == 1.0 or self.n_synthetic == 0:
            return X, y, None
        return X, y, sample_weights(len(self.real), self.n_synthetic, self.recipe.weight)


@dataclass
class Pool:
    """The validated, shuffled draws of one generator and class strategy for one set of real rows."""

    generator: str
    strategy: str
    real: Dataset
    sampled: Dataset  # positional index 0..n-1, in shuffled order
    valid: np.ndarray  # bool per sampled row: kept by validation
    validation: Any
    teacher: Teacher | None = None
    detector: ModelSpec | None = None
    detector_folds: int = 3
    seed: int = 0
    _memo: dict[Any, np.ndarray] = field(default_factory=dict, repr=False)

    def positions(self, ratio: float) -> tuple[np.ndarray, dict[Any, int]]:
        """(positions of the ratio's rows, rows requested per class): each class's first rows of the pool."""
        want = requested_counts(self.real, ratio, self.strategy)
        picks = [np.flatnonzero(self.sampled.y == c)[:k] for c, k in want.items()]
        return np.sort(np.concatenate(picks)) if picks else np.zeros(0, dtype=int), want

    def teacher_proba(self) -> np.ndarray:
        if "proba" not in self._memo:
            if self.teacher is None:
                raise ValueError("this recipe needs a teacher, and the pool was built without one")
            self._memo["proba"] = self.teacher.proba(self.sampled.X) if len(self.sampled) else np.zeros((0, 0))
        return self._memo["proba"]

    def labels(self, which: str) -> np.ndarray:
        if which == "generator":
            return np.asarray(self.sampled.y)
        if not len(self.sampled):
            return np.asarray(self.sampled.y)
        return self.teacher.labels_from(self.teacher_proba()).astype(self.sampled.y.dtype)  # type: ignore[union-attr]

    def consistency(self, y: np.ndarray) -> np.ndarray:
        """The teacher's probability of label `y[i]` for every pooled row (see `filters`)."""
        if not len(self.sampled):
            return np.zeros(0)
        return label_confidence(self.teacher_proba(), self.teacher.classes, y)  # type: ignore[union-attr]

    def fidelity(self, which: str) -> np.ndarray:
        """Detector scores of every valid row under the given labels (NaN for invalid rows)."""
        key = ("fidelity", which)
        if key not in self._memo:
            ok = np.flatnonzero(self.valid)
            rows = self.sampled.with_rows(self.sampled.X.iloc[ok], self.labels(which)[ok])
            out = np.full(len(self.sampled), np.nan)
            out[ok] = fidelity_scores(self.real, rows, self.detector or ModelSpec(classifier="logistic_regression"),
                                      self.detector_folds, self.seed)
            self._memo[key] = out
        return self._memo[key]


def requested_counts(real: Dataset, ratio: float, strategy: str) -> dict[Any, int]:
    """Rows per class a ratio asks for, exactly as `synthesis.sample_set` computes them."""
    return class_counts_for(strategy, int(round(ratio * len(real))), real.class_counts())


def build_pool(gen: Any, slot: str, real: Dataset, strategy: str, ratios: list[float], seed: int,
               validation: ValidationConfig, teacher: Teacher | None = None, detector: ModelSpec | None = None,
               detector_folds: int = 3) -> Pool:
    """Sample enough rows for the largest ratio of each class once, shuffle, validate once."""
    need: dict[Any, int] = {}
    for ratio in ratios:
        for c, k in requested_counts(real, ratio, strategy).items():
            need[c] = max(need.get(c, 0), k)
    X, y = gen.sample(sum(need.values()), need, random_state=seed)
    order = np.random.default_rng(seed).permutation(len(y))
    X = X.iloc[order].reset_index(drop=True)
    sampled = real.with_rows(X, np.asarray(y)[order], name=f"{real.name}:{slot}")
    sset = validate_set(SampledSet(max(ratios), strategy, need, sampled, None), real, real, validation,
                        bool(getattr(gen, "generative", True)), seed)
    valid = np.zeros(len(sampled), dtype=bool)
    valid[np.asarray(sset.kept.X.index, dtype=int)] = True
    return Pool(slot, strategy, real, sampled, valid, sset.validation, teacher, detector, detector_folds, seed)


def recipe_set(recipe: Recipe, real: Dataset, pool: Pool | None) -> TrainingSet:
    """The recipe's training set: the ratio's rows of the pool that passed validation, labelled and
    filtered as the recipe says; real only needs no pool."""
    if recipe.is_real_only:
        return TrainingSet(recipe, real)
    if pool is None:
        raise ValueError(f"recipe {recipe} needs a pool of {recipe.generator} rows")
    pos, requested = pool.positions(recipe.ratio)
    valid = pos[pool.valid[pos]]
    y = pool.labels(recipe.labels)
    keep = np.ones(len(valid), dtype=bool)
    if recipe.filter == "consistency":
        keep = keep_consistent(pool.consistency(y)[valid], float(recipe.threshold or 0.0))
    elif recipe.filter == "fidelity":
        keep = keep_faithful(pool.fidelity(recipe.labels)[valid], float(recipe.threshold or 1.0))
    chosen = valid[keep]
    synthetic = pool.sampled.with_rows(pool.sampled.X.iloc[chosen], y[chosen])
    return TrainingSet(recipe, real, synthetic, len(pos) - len(valid), int((~keep).sum()), pool.validation,
                       requested, label_counts(np.asarray(pool.sampled.y)[pos]))
