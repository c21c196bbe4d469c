"""`auto` (honest recipe selection) vs real only on Adult at 1% of the training rows (issue 11's target).

Why: the fixed grid says GaussianCopula rows mostly *hurt* at 1%; the question is whether choosing a
recipe by inner validation on the training rows alone turns that into a gain, and what it costs.

Protocol (the gain protocol's disjoint design): one seeded stratified test set (25%), 10 disjoint
stratified training subsets of 1% of the rest (≈243 rows each). Per repeat and classifier:
- baseline: fit on the real training rows, score macro-F1 on the test rows;
- auto: `select_recipe` on the training rows only (3 inner folds, one-SE rule, real only always a
  candidate), then `fit_recipe` on all the training rows, scored once on the test rows; the search
  space is real only + GaussianCopula recipes (no oversampling, no class weights);
- beside it: the plain fixed-grid recipe (GaussianCopula ×1 match, generator labels) and the
  classical baselines (SMOTE ×1 match; `class_weight="balanced"`).
Gain = method − baseline on the same split and classifier seed; mean, 95% paired-t CI over repeats
(`synthaug.evaluation.statistics.gain_interval`). Cost factor = auto's seconds (selection + refit +
scoring) over the fixed-grid cell's (one fit + sample + full validation + scoring).

Resumable: each repeat's rows go to `data/recipes_probe/<tag>/repeat_<r>.json` and are skipped on a
rerun. Usage:

    nice python benchmarks/recipes_probe.py [--repeats 10] [--split-seed 0] [--space '{"ratios": [1, 2]}']
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthaug.config import DatasetConfig, ValidationConfig
from synthaug.data import Dataset, load_dataset
from synthaug.evaluation.splits import PAIRED_T, derive_seed, make_split
from synthaug.evaluation.statistics import gain_interval, verdict
from synthaug.recipes import (
    RecipeSpace,
    build_pool,
    expand,
    fit_recipe,
    fit_teacher,
    load_space,
    recipe_set,
    select_recipe,
)
from synthaug.scoring import combine, fit_and_score, minority_class
from synthaug.synthesis import fit_generator, sample_set, validate_set

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
ADULT = ROOT.parent / "shared" / "datasets" / "adult.csv"
CLASSIFIERS = {"logistic_regression": {}, "svm": {}, "lda": {}, "decision_tree": {"max_depth": 15},
               "random_forest": {}}
METRIC = "macro_f1"
FRACTION, TEST_SIZE = 0.01, 0.25
NOTES = "## Notes"
log = logging.getLogger("recipes_probe")


def score_all(train: Dataset, synthetic: Dataset | None, test: Dataset, seeds: dict[str, int],
              balanced: bool = False) -> dict[str, float]:
    """Macro-F1 of each classifier trained on real (+ synthetic) rows, scored on the test rows."""
    X, y = combine(train, synthetic)
    mino = minority_class(train)
    return {c: fit_and_score(c, p, seeds[c], X, y, test, "tabular", train.columns, mino, balanced)[0][METRIC]
            for c, p in CLASSIFIERS.items()}


def fixed_cell(slot: str, train: Dataset, test: Dataset, seed: int, r: int, seeds: dict[str, int],
               validation: ValidationConfig) -> tuple[dict[str, float], float]:
    """One cell of the plain grid (fit, sample ×1 match, validate in full, score): its scores and seconds."""
    start = time.perf_counter()
    gen, _, _ = fit_generator(slot, {}, "cpu", train, derive_seed(seed, "fit", r, FRACTION, slot), None)
    sset = sample_set(gen, train, 1.0, "match", derive_seed(seed, "sample", r, slot), slot)
    validate_set(sset, train, test, validation, bool(getattr(gen, "generative", True)),
                 derive_seed(seed, "validate", r, slot))
    scores = score_all(train, sset.kept, test, seeds)
    return scores, time.perf_counter() - start


def space_grid(train: Dataset, test: Dataset, space: RecipeSpace, seed: int, r: int, seeds: dict[str, int],
               validation: ValidationConfig) -> tuple[dict[str, dict[str, float]], float]:
    """Every recipe of the space as a fixed recipe, scored on the test rows: the hindsight bound of
    `auto` (reporting only — selection never sees these numbers) and the plain grid's cost for it."""
    start, slot = time.perf_counter(), "gaussian_copula"
    gen, _, _ = fit_generator(slot, {}, "cpu", train, derive_seed(seed, "fit", r, FRACTION, slot), None)
    teacher = fit_teacher(train, space.teacher, derive_seed(seed, "grid-teacher", r))
    pools = {st: build_pool(gen, slot, train, st, list(space.ratios), derive_seed(seed, "grid-sample", r, st),
                            validation, teacher, space.detector, space.detector_folds) for st in space.strategies}
    mino, out = minority_class(train), {}
    for recipe in expand(space, [slot]):
        X, y, w = recipe_set(recipe, train, pools.get(recipe.strategy)).arrays()
        out[str(recipe)] = {c: fit_and_score(c, p, seeds[c], X, y, test, "tabular", train.columns, mino,
                                             sample_weight=w)[0][METRIC] for c, p in CLASSIFIERS.items()}
    return out, time.perf_counter() - start


def auto(train: Dataset, test: Dataset, space: RecipeSpace, generators: dict[str, dict[str, Any]], seed: int,
         r: int, seeds: dict[str, int], validation: ValidationConfig) -> tuple[dict[str, Any], dict[str, float]]:
    """Select per classifier on `train` only, refit each distinct pick on `train`, score once on `test`."""
    t0 = time.perf_counter()
    sel = select_recipe(train, CLASSIFIERS, generators, seed=derive_seed(seed, "select", r, FRACTION), space=space,
                        metric=METRIC, validation=validation)
    t1 = time.perf_counter()
    sets: dict[str, Any] = {}
    out: dict[str, Any] = {}
    mino = minority_class(train)
    for c, s in sel.items():
        key = str(s.chosen)
        if key not in sets:
            slot = str(s.chosen.generator)
            sets[key] = fit_recipe(s.chosen, train, generators, fit_seed=derive_seed(seed, "fit", r, FRACTION, slot),
                                   seed=derive_seed(seed, "recipe", r, FRACTION, key), space=space,
                                   validation=validation)
        X, y, w = sets[key].arrays()
        scores, _, err = fit_and_score(c, CLASSIFIERS[c], seeds[c], X, y, test, "tabular", train.columns,
                                       mino, sample_weight=w)
        out[c] = {"score": scores[METRIC], "recipe": key, "n_recipes": s.n_recipes, "error": err,
                  "n_synthetic": sets[key].n_synthetic, "dropped_filter": sets[key].dropped_filter}
    times = {"select_s": t1 - t0, "refit_score_s": time.perf_counter() - t1}
    return out, times


def run_repeat(data: Dataset, r: int, seed: int, space: RecipeSpace, generators: dict[str, dict[str, Any]],
               validation: ValidationConfig) -> dict[str, Any]:
    split = make_split(data, seed, r, FRACTION, 10, TEST_SIZE)
    train, test = data.take(split.train), data.take(split.test)
    seeds = {c: derive_seed(seed, "clf", r, FRACTION, c) for c in CLASSIFIERS}
    base = score_all(train, None, test, seeds)
    chosen, times = auto(train, test, space, generators, seed, r, seeds, validation)
    fixed, fixed_s = fixed_cell("gaussian_copula", train, test, seed, r, seeds, validation)
    smote, _ = fixed_cell("smote", train, test, seed, r, seeds, validation)
    weighted = score_all(train, None, test, seeds, balanced=True)
    grid, grid_s = space_grid(train, test, space, seed, r, seeds, validation)
    rows = []
    for c in CLASSIFIERS:
        for method, value in (("auto", chosen[c]["score"]), ("gaussian_copula x1 (fixed)", fixed[c]),
                              ("smote x1", smote[c]), ("class_weight", weighted[c])):
            rows.append({"repeat": r, "classifier": c, "method": method, "baseline": base[c], "value": value})
    return {"rows": rows, "chosen": {c: chosen[c] for c in CLASSIFIERS}, "n_train": len(train), "n_test": len(test),
            "grid": grid, "times": {**times, "fixed_cell_s": fixed_s, "space_grid_s": grid_s}}


def summarise(results: list[dict[str, Any]]) -> pd.DataFrame:
    rows = pd.DataFrame([row for res in results for row in res["rows"]])
    rows["gain"] = rows["value"] - rows["baseline"]
    n_train = np.mean([res["n_train"] for res in results])
    n_test = np.mean([res["n_test"] for res in results])
    out = []
    for (c, method), grp in rows.groupby(["classifier", "method"], sort=False):
        mean, low, high, p = gain_interval(grp["gain"].to_numpy(), PAIRED_T, n_train, n_test)
        out.append({"classifier": c, "method": method, "repeats": int(grp["gain"].notna().sum()),
                    "baseline": grp["baseline"].mean(), "gain": mean, "ci_low": low, "ci_high": high, "p": p,
                    "verdict": verdict(low, high) if grp["gain"].notna().sum() else "not applicable"})
    return pd.DataFrame(out)


def _gain(s: pd.DataFrame, c: str, method: str) -> pd.Series:
    return s[(s["classifier"] == c) & (s["method"] == method)].iloc[0]


def _fmt(row: pd.Series) -> str:
    if np.isnan(row["gain"]):
        return "n/a"
    ci = "" if np.isnan(row["ci_low"]) else f" [{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]"
    return f"{row['gain']:+.3f}{ci}"


def target_rows(s: pd.DataFrame) -> tuple[list[str], int, bool]:
    """Markdown rows of the gains table, how many classifiers meet the target, whether auto ever hurts."""
    lines, met, hurts = [], 0, False
    for c in CLASSIFIERS:
        a = _gain(s, c, "auto")
        classical = [_gain(s, c, m)["gain"] for m in ("smote x1", "class_weight")]
        best = np.nanmax(classical) if not np.all(np.isnan(classical)) else float("nan")
        ok = bool(a["gain"] >= 0.01 and a["ci_low"] > 0 and (np.isnan(best) or a["gain"] > best))
        met += ok
        hurts |= a["verdict"] == "hurts"
        cells = [_fmt(_gain(s, c, m)) for m in ("gaussian_copula x1 (fixed)", "smote x1", "class_weight")]
        lines.append(f"| {c} | {a['baseline']:.3f} | **{_fmt(a)}** | {a['verdict']} | " + " | ".join(cells)
                     + f" | {'yes' if ok else 'no'} |")
    return lines, met, hurts


def hindsight_lines(results: list[dict[str, Any]]) -> list[str]:
    """Per classifier, the fixed recipe of the space with the best mean test gain — chosen *on the test
    rows*, so an optimistic bound on what any selection from this space could reach."""
    lines = ["| classifier | best fixed recipe in hindsight | its gain [95% CI] |", "|---|---|---|"]
    n_train, n_test = np.mean([x["n_train"] for x in results]), np.mean([x["n_test"] for x in results])
    for c in CLASSIFIERS:
        gains = {rec: np.array([x["grid"][rec][c] - x["grid"]["real_only"][c] for x in results])
                 for rec in results[0]["grid"]}
        best = max((k for k in gains if not np.isnan(gains[k]).any()), key=lambda k: gains[k].mean())
        mean, low, high, _ = gain_interval(gains[best], PAIRED_T, n_train, n_test)
        lines.append(f"| {c} | `{best}` | {mean:+.3f} [{low:+.3f}, {high:+.3f}] |")
    return lines


def choice_lines(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| classifier | recipes competing (per repeat) | chosen recipe: repeats |", "|---|---|---|"]
    for c in CLASSIFIERS:
        picks = pd.Series([res["chosen"][c]["recipe"] for res in results]).value_counts()
        comp = sorted({res["chosen"][c]["n_recipes"] for res in results})
        text = "; ".join(f"`{k}`: {v}" for k, v in picks.items())
        lines.append(f"| {c} | {', '.join(map(str, comp))} | {text} |")
    return lines


def write_report(path: Path, results: list[dict[str, Any]], space: RecipeSpace, wall: float, tag: str,
                 split_seed: int) -> str:
    s = summarise(results)
    rows, met, hurts = target_rows(s)
    t = pd.DataFrame([res["times"] for res in results]).mean()
    auto_s = t["select_s"] + t["refit_score_s"]
    n_rec = len(expand(space, ["gaussian_copula"]))
    lines = [f"# `auto` recipe selection on Adult at 1% ({len(results)} disjoint repeats, split seed {split_seed})",
             "", "Produced by `benchmarks/recipes_probe.py` (see its docstring for the protocol). Macro-F1 gain "
             "over real only, mean and 95% paired-t CI over repeats; `auto` selects on training rows only.", "",
             f"Search space ({n_rec} recipes incl. real only, tag `{tag}`): "
             f"`{json.dumps(space.model_dump(mode='json'), sort_keys=True)}`", "",
             "| classifier | baseline macro-F1 | auto gain [95% CI] | auto verdict | GaussianCopula x1 fixed | "
             "SMOTE x1 | class_weight | target met |", "|---|---|---|---|---|---|---|---|", *rows, "",
             f"Target (gain ≥ +0.01, CI above 0, above the best classical baseline, for ≥ 2 classifiers; "
             f"no significant loss): **{met} of 5 classifiers meet it; auto hurts somewhere: {hurts}** → "
             f"{'MET' if met >= 2 and not hurts else 'NOT MET'}.", "", "## Chosen recipes", "",
             *choice_lines(results), "", "## The bound: best fixed recipe of the space, picked on the test rows",
             "", *hindsight_lines(results), "", "## Cost (seconds per repeat, 2 shared cores)", "",
             "| step | mean s |", "|---|---|", f"| selection (3 inner folds, {n_rec} recipes × 5 classifiers) | "
             f"{t['select_s']:.1f} |", f"| refit chosen recipes + score on test | {t['refit_score_s']:.1f} |",
             f"| auto total | {auto_s:.1f} |", f"| fixed-grid cell (GaussianCopula ×1: fit, sample, full "
             f"validation, 5 classifiers) | {t['fixed_cell_s']:.1f} |",
             f"| **cost factor auto / fixed cell** | **{auto_s / t['fixed_cell_s']:.1f}×** |",
             f"| the space's {n_rec} recipes as a fixed grid (one fit, pooled sets, 5 classifiers each) | "
             f"{t['space_grid_s']:.1f} |", f"| **cost factor auto / that grid** | "
             f"**{auto_s / t['space_grid_s']:.1f}×** |", "",
             f"`auto` over all {len(results)} repeats: {auto_s * len(results) / 60:.1f} min (selection, refit, "
             f"scoring); this invocation of the probe: {wall:.0f} s (repeats already on disk are reused)."]
    text = "\n".join(lines) + "\n"
    old = path.read_text() if path.exists() else ""
    notes = old[old.index(NOTES):] if NOTES in old else ""  # hand-written notes survive a rerun
    path.write_text(text + ("\n" + notes if notes else ""))
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--split-seed", type=int, default=0, help="0 = the benchmark; another seed = a development split")
    ap.add_argument("--space", default="{}", help="JSON overrides of the recipes section (RecipeSpace fields)")
    ap.add_argument("--out", type=Path, default=RESULTS / "recipes_probe.md")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("synthaug").setLevel(logging.ERROR)
    space = load_space(json.loads(args.space))
    tag = hashlib.sha256(f"{args.split_seed}|{space.model_dump_json()}".encode()).hexdigest()[:10]
    folder = ROOT / "data" / "recipes_probe" / tag
    folder.mkdir(parents=True, exist_ok=True)
    data = load_dataset(DatasetConfig(source=str(ADULT), target="class", missing_values=["?"]))
    start, results = time.perf_counter(), []
    for r in range(args.repeats):
        done = folder / f"repeat_{r}.json"
        if not done.exists():
            res = run_repeat(data, r, args.split_seed, space, {"gaussian_copula": {}}, ValidationConfig())
            done.write_text(json.dumps(res, default=float))
            log.info("repeat %d: %s", r, {c: v["recipe"] for c, v in res["chosen"].items()})
        results.append(json.loads(done.read_text()))
    print(write_report(args.out, results, space, time.perf_counter() - start, tag, args.split_seed))


if __name__ == "__main__":
    main()
