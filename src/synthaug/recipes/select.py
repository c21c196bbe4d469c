"""`auto`: choose a recipe per classifier by inner validation on one repeat's training rows only.

Honesty by construction: `select_recipe` takes the repeat's training rows and nothing else, so no
outer test row can reach it. Inside, every generator, teacher and detector scored on an inner fold
is fitted on that fold's inner-training rows only (reusing an outer fit would let the generator see
the inner-validation rows). Cost is kept down the honest way: each generator is fitted once per
fold and sampled once per strategy (`sets.Pool`), one teacher per fold serves every recipe.
`fit_recipe` then builds the chosen recipe on all the training rows, for the caller to score once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from synthaug.cellspec import CacheSpec
from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.evaluation.splits import derive_seed
from synthaug.generators import generator_class, resolve_type
from synthaug.recipe_space import RecipeSpace
from synthaug.recipes.recipe import REAL_ONLY, Recipe, expand
from synthaug.recipes.rule import choose
from synthaug.recipes.sets import Pool, TrainingSet, build_pool, recipe_set
from synthaug.recipes.teacher import fit_teacher
from synthaug.recipes.weighting import accepts_sample_weight, fit_weighted, metric_value, no_weight_reason
from synthaug.scoring import minority_class
from synthaug.synthesis import fit_generator

log = logging.getLogger("synthaug")


@dataclass(frozen=True)
class Selection:
    """What `auto` chose for one classifier, with the evidence (one row per recipe in `scores`)."""

    classifier: str
    chosen: Recipe
    n_recipes: int  # recipes that competed (scored on every inner fold), real only included
    scores: pd.DataFrame  # rule.SUMMARY_COLUMNS: recipe, mean, se, gain, gain_se, folds, competed, chosen, note
    fold_scores: pd.DataFrame  # one row per inner fold, one column per recipe (its text): the raw evidence
    folds: int
    metric: str
    rule: str
    seconds: float


def generative_slots(generators: dict[str, dict[str, Any]]) -> list[str]:
    """The slots whose generator is generative: oversamplers and class weights are baselines beside
    `auto`, never inside its search space."""
    return [slot for slot, params in generators.items()
            if getattr(generator_class(resolve_type(slot, params)), "generative", False)]


def inner_validation(cfg: ValidationConfig | None) -> ValidationConfig:
    """The validation run inside selection: only row-level expectations decide which rows are kept
    (fidelity, privacy, distribution checks and Data Docs only describe a set), so they are skipped."""
    cfg = cfg or ValidationConfig()
    return cfg.model_copy(update={"fidelity": False, "privacy": False, "data_docs": False,
                                  "distribution_checks": False})


def inner_folds(train: Dataset, k: int, seed: int, repeats: int = 1) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds of the training rows (a configured group stays inside one fold), `repeats`
    times with different shuffles: more folds steady the mean and SE the rule compares."""
    k = int(min(k, min(train.class_counts().values())))
    if k < 2:
        raise ValueError(f"a class has fewer than 2 training rows ({train.class_counts()}): no inner folds")
    for rep in range(repeats):
        rs = derive_seed(seed, rep)
        if train.groups is not None:
            yield from StratifiedGroupKFold(k, shuffle=True, random_state=rs).split(train.X, train.y, train.groups)
        else:
            yield from StratifiedKFold(k, shuffle=True, random_state=rs).split(np.zeros(len(train)), train.y)


def select_recipe(train: Dataset, classifiers: dict[str, dict[str, Any]], generators: dict[str, dict[str, Any]],
                  *, seed: int, space: RecipeSpace | None = None, recipes: Sequence[Recipe] | None = None,
                  metric: str = "macro_f1", device: str = "cpu",
                  validation: ValidationConfig | None = None) -> dict[str, Selection]:
    """One Selection per classifier, from `train` (one outer repeat's training rows) alone.

    `generators` maps slots to params (the config's section); `recipes` defaults to `expand(space,
    generative_slots(generators))`. Real only is always a candidate. `seed` should differ per
    (repeat, fraction).
    """
    start = time.perf_counter()
    space = space or RecipeSpace()
    cands = list(recipes) if recipes is not None else expand(space, generative_slots(generators))
    cands = [REAL_ONLY, *[r for r in cands if not r.is_real_only]]
    rows: dict[str, list[dict[str, float]]] = {c: [] for c in classifiers}
    notes: dict[str, dict[str, str]] = {c: {} for c in classifiers}
    ctx = _Context(classifiers, generators, space, inner_validation(validation), metric, device)
    folds = list(inner_folds(train, space.inner_folds, derive_seed(seed, "inner-folds"), space.inner_repeats))
    for k, (fit_idx, val_idx) in enumerate(folds):
        scored = _score_fold(train.take(fit_idx), train.take(val_idx), cands, ctx, derive_seed(seed, "fold", k))
        for clf, per_recipe in scored.items():
            rows[clf].append({name: value for name, (value, _) in per_recipe.items()})
            notes[clf].update({name: err for name, (_, err) in per_recipe.items() if err})
    secs = round(time.perf_counter() - start, 3)
    return {clf: _selection(clf, rows[clf], notes[clf], cands, space.selection, len(folds), metric, secs)
            for clf in classifiers}


@dataclass(frozen=True)
class _Context:
    classifiers: dict[str, dict[str, Any]]
    generators: dict[str, dict[str, Any]]
    space: RecipeSpace
    validation: ValidationConfig
    metric: str
    device: str


def _selection(clf: str, rows: list[dict[str, float]], notes: dict[str, str], cands: list[Recipe], rule: str,
               folds: int, metric: str, secs: float) -> Selection:
    table = pd.DataFrame(rows, columns=[str(r) for r in cands])
    pick, summary = choose(table, rule)
    summary["note"] = [notes.get(name, note) for name, note in zip(summary["recipe"], summary["note"])]
    chosen = next(r for r in cands if str(r) == pick)
    return Selection(clf, chosen, int(summary["competed"].sum()), summary, table, folds, metric, rule, secs)


def _score_fold(fit: Dataset, val: Dataset, cands: list[Recipe], ctx: _Context,
                seed: int) -> dict[str, dict[str, tuple[float, str]]]:
    """Every recipe × classifier fitted on `fit`-derived sets and scored on `val` (the primary metric)."""
    pools, errors = _pools(fit, cands, ctx, seed)
    minority = minority_class(fit)
    out: dict[str, dict[str, tuple[float, str]]] = {c: {} for c in ctx.classifiers}
    for recipe in cands:
        name = str(recipe)
        err = errors.get((recipe.generator, recipe.strategy), "")
        tset = None if err else recipe_set(recipe, fit, pools.get((recipe.generator, recipe.strategy)))
        for clf, params in ctx.classifiers.items():
            if tset is None:
                out[clf][name] = (float("nan"), err)
                continue
            if recipe.weight < 1.0 and not accepts_sample_weight(clf):
                # not offered, whatever the fold's set holds (a fold whose filter left no synthetic rows
                # would otherwise fit unweighted and let the recipe compete under its weighted name)
                out[clf][name] = (float("nan"), no_weight_reason(clf))
                continue
            out[clf][name] = _score(clf, params, derive_seed(seed, "clf", clf), tset, val, fit.kind, minority,
                                    ctx.metric)
    return out


def _score(clf: str, params: dict[str, Any], seed: int, tset: TrainingSet, val: Dataset, kind: str,
           minority: Any, metric: str) -> tuple[float, str]:
    X, y, w = tset.arrays()
    model, err = fit_weighted(clf, params, seed, X, y, kind, tset.real.columns, w)
    if model is None:
        return float("nan"), err
    try:
        return metric_value(model, val, metric, minority), ""
    except (ValueError, np.linalg.LinAlgError) as exc:
        return float("nan"), f"{type(exc).__name__}: {exc}"[:200]


def _pools(fit: Dataset, cands: list[Recipe], ctx: _Context,
           seed: int) -> tuple[dict[tuple[Any, str], Pool], dict[tuple[Any, str], str]]:
    """One pool per (generator, strategy) the recipes use; each generator fitted once on `fit`.

    A generator that fails is an error for its recipes only (they leave the competition), never for
    the fold: real only and the other generators still compete."""
    teacher = None
    if any(r.needs_teacher for r in cands):
        teacher = fit_teacher(fit, ctx.space.teacher, derive_seed(seed, "teacher"))
    pools: dict[tuple[Any, str], Pool] = {}
    errors: dict[tuple[Any, str], str] = {}
    for slot in dict.fromkeys(r.generator for r in cands if not r.is_real_only):
        mine = [r for r in cands if r.generator == slot]
        try:
            gen, _, _ = fit_generator(slot, ctx.generators.get(slot, {}), ctx.device, fit,
                                      derive_seed(seed, "fit", slot), None)
            for strategy in dict.fromkeys(r.strategy for r in mine):
                ratios = [r.ratio for r in mine if r.strategy == strategy]
                pools[(slot, strategy)] = build_pool(gen, slot, fit, strategy, ratios,
                                                     derive_seed(seed, "sample", slot, strategy), ctx.validation,
                                                     teacher, ctx.space.detector, ctx.space.detector_folds)
        except Exception as exc:  # noqa: BLE001 - a failing generator is an outcome for its recipes
            log.warning("recipe selection: generator %s failed in an inner fold: %s", slot, exc)
            for strategy in dict.fromkeys(r.strategy for r in mine):
                errors[(slot, strategy)] = f"{type(exc).__name__}: {exc}"[:200]
    return pools, errors


def fit_recipe(recipe: Recipe, train: Dataset, generators: dict[str, dict[str, Any]], *, fit_seed: int, seed: int,
               space: RecipeSpace | None = None, device: str = "cpu", validation: ValidationConfig | None = None,
               cache: CacheSpec | None = None) -> TrainingSet:
    """The recipe's training set built on all of `train` (an outer repeat's training rows), to be scored
    once on that repeat's test rows by the caller.

    `fit_seed` is the generator's seed: pass the runner's (`derive_seed(seed, "fit", repeat, fraction,
    slot)`) with the same `cache` and the fixed grid's fit is reused, not refitted. `validation`
    is applied in full (its records describe the set for `sets.parquet`/`validation.parquet`).
    """
    if recipe.is_real_only:
        return TrainingSet(recipe, train)
    space = space or RecipeSpace()
    slot = str(recipe.generator)
    gen, _, _ = fit_generator(slot, generators.get(slot, {}), device, train, fit_seed, cache)
    teacher = fit_teacher(train, space.teacher, derive_seed(seed, "teacher")) if recipe.needs_teacher else None
    pool = build_pool(gen, slot, train, recipe.strategy, [recipe.ratio], derive_seed(seed, "sample"),
                      validation or ValidationConfig(), teacher, space.detector, space.detector_folds)
    return recipe_set(recipe, train, pool)
