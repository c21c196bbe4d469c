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
from synthaug.generators import generator_class, resolve_type
from synthaug.layout import RunLayout
from synthaug.recipes import Selection, TrainingSet, fit_recipe, select_recipe
from synthaug.records import AUTO, ScoreRow, SetHead, SetRecord, auto_head, counts_text
from synthaug.scoring import fit_and_score, minority_class
from synthaug.validation.checks import DCR_CLOSER_SHARE, DCR_HOLDOUT, DCR_RATIO

log = logging.getLogger("synthaug")
HOLDOUT_RELATIVE = (DCR_HOLDOUT, DCR_RATIO, DCR_CLOSER_SHARE)


def auto_cell(spec: CellSpec, train: Dataset, test: Dataset, head: SetHead,
              layout: RunLayout | None) -> tuple[list[ScoreRow], list[SetRecord]]:
    """(score rows, set records) of the `auto` cell: per classifier its pick scored on the test rows
    (mode `augmented`), and the synthetic set the pick built on the training rows (none when real
    only won) for `sets.parquet`, counted like a fixed-grid set plus what the recipe's filter dropped."""
    cell = spec.cell
    seed = derive_seed(spec.seed, "auto", cell.repeat, cell.fraction)
    selections = select_recipe(train, spec.classifiers, spec.generators, seed=seed, space=spec.recipes,
                               metric=spec.primary_metric or "macro_f1", device=spec.device,
                               validation=spec.validation)
    if layout is not None:
        write_evidence(layout, spec.id, selections)
    rows: list[ScoreRow] = []
    sets: list[SetRecord] = []
    for name, sel in selections.items():
        scored, tset = _score_choice(spec, name, sel, train, test, head, seed)
        rows += scored
        if not sel.chosen.is_real_only:
            sets.append(set_record(spec.id, name, tset, train, head, spec.generators))
    return rows, sets


def _score_choice(spec: CellSpec, name: str, sel: Selection, train: Dataset, test: Dataset, head: SetHead,
                  seed: int) -> tuple[list[ScoreRow], TrainingSet]:
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
                     sel.n_recipes) for metric, value in scores.items()], tset


def set_record(cell_id: str, classifier: str, tset: TrainingSet, train: Dataset, head: SetHead,
               generators: dict[str, dict[str, Any]]) -> SetRecord:
    """The `sets.parquet` row of one classifier's pick, in the fixed grid's columns and meanings:
    `n_requested`/`n_achieved` the rows asked of / given by the generator for the pick's ratio and
    strategy, `n_kept` what validation kept (row-level expectations only), the validation measures
    and gate of the pooled draw; then what the recipe's filter dropped, in its own column."""
    recipe, vres = tset.recipe, tset.validation
    generative = bool(getattr(generator_class(resolve_type(str(recipe.generator),
                                                            generators.get(str(recipe.generator), {}))),
                              "generative", True))
    gate_failures = list(getattr(vres, "gate_failures", []) or [])
    set_head = SetHead(head.repeat, head.fraction, head.ci_method, head.n_train, head.n_test, recipe.ratio,
                       recipe.strategy, AUTO, AUTO, tset.n_synthetic, bool(gate_failures) and generative)
    dropped = {f: tset.dropped_filter if recipe.filter == f else 0 for f in ("consistency", "fidelity")}
    return SetRecord(set_head, cell_id, generative, tset.requested, tset.n_achieved, tset.n_kept,
                     counts_text(train.named_counts(tset.requested_counts)),
                     counts_text(train.named_counts(tset.achieved_counts)), "; ".join(gate_failures),
                     _honest_metrics(getattr(vres, "metrics", {}) or {}), classifier, str(recipe),
                     dropped["consistency"], dropped["fidelity"])


def _honest_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """The pick's validation measures, less those against held-out real rows: the pick is validated on
    the training rows alone (the outer test rows reach only the final score), so there is no holdout
    and the DCR reference would be the training rows themselves — not assessable, so NaN."""
    return {k: float("nan") if k in HOLDOUT_RELATIVE else v for k, v in metrics.items()}


def write_evidence(layout: RunLayout, cell_id: str, selections: dict[str, Selection]) -> None:
    """Every recipe's inner score per classifier, the rule's decision and the pick (`selection.csv`)."""
    from synthaug.store import write_text

    frames = [sel.scores.assign(classifier=name, metric=sel.metric, rule=sel.rule, folds=sel.folds)
              for name, sel in selections.items()]
    table: Any = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    write_text(layout.selection(cell_id), table.to_csv(index=False))
