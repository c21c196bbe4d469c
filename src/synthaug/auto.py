"""The `auto` cell: per classifier, pick a recipe by inner validation on this repeat's training rows,
rebuild the pick on all of them, score it once on the held-out rows.

The outer test rows reach only the final scoring call: `select_recipe` is given the training rows
alone, and `fit_recipe` builds the chosen set from them (its generator fit is seeded and cached like
the fixed grid's, so a slot the grid already fitted on these rows is reused, not refitted). The rows
then go through the same gain, CI and verdict machinery as any fixed recipe (`generator = auto`).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from synthaug.cellspec import CellSpec
from synthaug.data.dataset import Dataset
from synthaug.evaluation.classifiers import classifier_family
from synthaug.evaluation.splits import derive_seed
from synthaug.layout import RunLayout
from synthaug.recipes import Selection, fit_recipe, select_recipe
from synthaug.records import ScoreRow, SetHead, auto_head
from synthaug.scoring import fit_and_score, minority_class

log = logging.getLogger("synthaug")


def run_auto(spec: CellSpec, train: Dataset, test: Dataset, head: SetHead,
             layout: RunLayout | None) -> list[ScoreRow]:
    """Score rows of the `auto` recipe for every classifier of the cell (mode `augmented`)."""
    cell = spec.cell
    seed = derive_seed(spec.seed, "auto", cell.repeat, cell.fraction)
    selections = select_recipe(train, spec.classifiers, spec.generators, seed=seed, space=spec.recipes,
                               metric=spec.primary_metric or "macro_f1", device=spec.device,
                               validation=spec.validation)
    if layout is not None:
        write_evidence(layout, spec.id, selections)
    rows: list[ScoreRow] = []
    for name, sel in selections.items():
        rows += _score_choice(spec, name, sel, train, test, head, seed)
    return rows


def _score_choice(spec: CellSpec, name: str, sel: Selection, train: Dataset, test: Dataset, head: SetHead,
                  seed: int) -> list[ScoreRow]:
    """Build the chosen recipe on all training rows and score it once on the test rows."""
    cell, recipe = spec.cell, sel.chosen
    slot = str(recipe.generator) if not recipe.is_real_only else ""
    tset = fit_recipe(recipe, train, spec.generators, fit_seed=derive_seed(spec.seed, "fit", cell.repeat,
                      cell.fraction, slot), seed=derive_seed(seed, "refit", name), space=spec.recipes,
                      device=spec.device, validation=spec.validation, cache=spec.cache)
    X, y, weights = tset.arrays()
    clf_seed = derive_seed(spec.seed, "clf", cell.repeat, cell.fraction, name)
    scores, secs, err = fit_and_score(name, spec.classifiers[name], clf_seed, X, y, test, spec.dataset.kind,
                                      train.columns, minority_class(train), sample_weight=weights)
    log.info("auto %s (cell %s): %s of %d recipes", name, spec.id, recipe, sel.n_recipes)
    h = auto_head(head.repeat, head.fraction, head.ci_method, head.n_train, head.n_test, tset.n_synthetic)
    return [ScoreRow(h, name, classifier_family(name), "augmented", metric, value, round(secs, 4), err, str(recipe),
                     sel.n_recipes) for metric, value in scores.items()]


def write_evidence(layout: RunLayout, cell_id: str, selections: dict[str, Selection]) -> None:
    """Every recipe's inner score per classifier, the rule's decision and the pick (`selection.csv`)."""
    from synthaug.store import write_text

    frames = [sel.scores.assign(classifier=name, metric=sel.metric, rule=sel.rule, folds=sel.folds)
              for name, sel in selections.items()]
    table: Any = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    write_text(layout.selection(cell_id), table.to_csv(index=False))
