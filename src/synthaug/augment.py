"""Export: fit one recipe on ALL the real rows and write real + validated synthetic rows.

This is the artefact users train on after an experiment said a recipe helps. The experiment fitted
generators on training subsets only (to measure honestly); the export has no test set to protect, so
it uses every real row. Synthetic rows pass the same validation as in the experiment (the suite is
built from the real rows) and carry `is_synthetic = True`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from synthaug.config import ExperimentConfig
from synthaug.errors import InputError

log = logging.getLogger("synthaug")
SYNTHETIC_FLAG = "is_synthetic"


@dataclass(frozen=True)
class Recipe:
    generator: str  # a slot of the config's `generators` (or a registered generator type)
    ratio: float = 1.0
    strategy: str = "match"

    def __str__(self) -> str:
        return f"generator={self.generator},ratio={self.ratio:g},strategy={self.strategy}"


def parse_recipe(text: str) -> Recipe:
    """`generator=ctgan,ratio=1,strategy=match` → Recipe; any malformed part is an InputError naming it."""
    fields: dict[str, str] = {}
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        if "=" not in part:
            raise InputError(f"--recipe part {part!r} is not key=value (expected generator=G,ratio=R,strategy=S)")
        key, value = (s.strip() for s in part.split("=", 1))
        if key not in ("generator", "ratio", "strategy"):
            raise InputError(f"--recipe key {key!r} is unknown; use generator, ratio and strategy")
        fields[key] = value
    if "generator" not in fields:
        raise InputError("--recipe needs generator=NAME (e.g. generator=ctgan,ratio=1,strategy=match)")
    try:
        ratio = float(fields.get("ratio", 1.0))
    except ValueError as exc:
        raise InputError(f"--recipe ratio {fields['ratio']!r} is not a number") from exc
    if not ratio > 0:
        raise InputError(f"--recipe ratio must be > 0, got {ratio:g}")
    strategy = fields.get("strategy", "match")
    if strategy not in ("match", "balance"):
        raise InputError(f"--recipe strategy {strategy!r} is unknown; use match or balance")
    return Recipe(fields["generator"], ratio, strategy)


def recipe_from_run(run_dir: str | Path, classifier: str | None = None, metric: str | None = None) -> Recipe:
    """The best significant, non-gated "helps" recipe of a finished run (optionally for one classifier).

    Refuses unfinished runs (no COMPLETE) and runs where nothing helped: exporting an augmentation
    that was not shown to help would contradict the report.
    """
    run = Path(run_dir)
    if not (run / "COMPLETE").is_file():
        raise InputError(f"--from-run {str(run)!r} is not a finished run folder (no COMPLETE file)")
    summary = pd.read_csv(run / "summary.csv")
    if metric is None:
        from synthaug.config import load_config

        metric = load_config(run / "config.yaml").protocol.primary_metric
    s = summary[(summary["metric"] == metric) & (summary["verdict"] == "helps") & ~summary["gated"].astype(bool)]
    if classifier is not None:
        s = s[s["classifier"] == classifier]
    s = s[s["ratio"] > 0]  # class_weight adds no rows: nothing to export
    if s.empty:
        who = f" for classifier {classifier!r}" if classifier else ""
        raise InputError(f"run {str(run)!r} has no significant, non-gated 'helps' recipe{who} on {metric} that adds "
                         "rows; nothing to export (give --recipe explicitly to export anyway)")
    best = s.sort_values(["gain_mean", "fraction"], ascending=[False, False]).iloc[0]
    return Recipe(str(best["generator"]), float(best["ratio"]), str(best["strategy"]))


def augment(cfg: ExperimentConfig, recipe: Recipe, out: str | Path | None = None) -> pd.DataFrame:
    """Fit `recipe` on every real row, sample, validate, and return (and write) real + kept synthetic rows."""
    from synthaug.preflight import check_generator_slot
    from synthaug.runner import prepare

    if out is not None and Path(out).suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise InputError(f"--out {str(out)!r}: use a .csv or .parquet file name")
    data = prepare(cfg)
    if data.kind != "tabular":
        raise InputError("synthaug augment writes tables; image datasets are not supported yet")
    check_generator_slot(recipe.generator, cfg.generators.get(recipe.generator, {}), data, cfg.runtime.device)
    gen, params = _fit(cfg, recipe, data)
    synth, kept, vres = _sample_and_validate(cfg, recipe, gen, data)
    real = data.output_frame().assign(**{SYNTHETIC_FLAG: False})
    fake = kept.output_frame().assign(**{SYNTHETIC_FLAG: True})
    frame = _concat_keeping_dtypes(real, fake[real.columns])
    log.info("augment %s: %d real + %d synthetic rows (%d sampled, %d dropped by validation)%s", recipe,
             len(real), len(fake), len(synth), len(synth) - len(kept),
             "; GATE FAILED: " + "; ".join(vres.gate_failures) if vres.gate_failures else "")
    if out is not None:
        write_table(frame, Path(out))
    return frame


def augment_auto(cfg: ExperimentConfig, classifier: str, out: str | Path | None = None) -> tuple[pd.DataFrame, Any]:
    """`--recipe auto`: choose a recipe for `classifier` by inner validation on all real rows (the
    export has no test rows to protect), build it on all of them, and return real + synthetic rows
    with the Selection (every recipe's inner scores: the evidence for the choice). A synthetic weight
    below 1 comes out as a `sample_weight` column; when real only wins, the export is the real rows."""
    from synthaug.runner import prepare

    if classifier not in cfg.classifiers:
        raise InputError(f"--classifier {classifier!r} is not in the config's classifiers {sorted(cfg.classifiers)}")
    data = prepare(cfg)
    if data.kind != "tabular":
        raise InputError("synthaug augment writes tables; image datasets are not supported yet")
    sel, tset = _auto_choice(cfg, classifier, data)
    frame = data.output_frame().assign(**{SYNTHETIC_FLAG: False})
    if tset.synthetic is not None and len(tset.synthetic):
        fake = tset.synthetic.output_frame().assign(**{SYNTHETIC_FLAG: True})
        frame = _concat_keeping_dtypes(frame, fake[frame.columns])
    if sel.chosen.weight < 1.0:
        frame["sample_weight"] = frame[SYNTHETIC_FLAG].map({False: 1.0, True: sel.chosen.weight})
    if out is not None:
        write_table(frame, Path(out))
        evidence = sel.scores.assign(classifier=classifier, metric=sel.metric)
        write_table(evidence, Path(out).with_suffix(".selection.csv"))
    return frame, sel


def _auto_choice(cfg: ExperimentConfig, classifier: str, data: Any) -> tuple[Any, Any]:
    """(Selection, the chosen recipe's TrainingSet on all rows), with the config's search space or the default."""
    from synthaug.cellspec import CacheSpec, auto_generators
    from synthaug.evaluation.splits import derive_seed
    from synthaug.preflight import check_recipes
    from synthaug.recipe_space import RecipeSpace
    from synthaug.recipes import fit_recipe, select_recipe

    space = cfg.recipes or RecipeSpace()
    cfg = cfg.model_copy(update={"recipes": space})
    check_recipes(cfg)
    gens, rt = auto_generators(cfg), cfg.runtime
    sel = select_recipe(data, {classifier: cfg.classifiers[classifier]}, gens, space=space, device=rt.device,
                        seed=derive_seed(cfg.seed, "augment-auto"), metric=cfg.protocol.primary_metric,
                        validation=cfg.validation)[classifier]
    cache = CacheSpec(enabled=rt.cache, dir=rt.cache_dir, max_gb=rt.cache_max_gb)
    tset = fit_recipe(sel.chosen, data, gens, fit_seed=derive_seed(cfg.seed, "augment", str(sel.chosen.generator)),
                      seed=derive_seed(cfg.seed, "augment-auto-fit"), space=space, device=rt.device,
                      validation=cfg.validation, cache=cache)
    return sel, tset


def _fit(cfg: ExperimentConfig, recipe: Recipe, data: Any) -> tuple[Any, dict[str, Any]]:
    """The recipe's generator fitted on every real row, through the same model cache as the cells."""
    from synthaug.cellspec import CacheSpec
    from synthaug.evaluation.splits import derive_seed
    from synthaug.generators import generator_class, resolve_type
    from synthaug.synthesis import fit_generator

    params = dict(cfg.generators.get(recipe.generator, {}))
    if not getattr(generator_class(resolve_type(recipe.generator, params)), "adds_rows", True):
        raise InputError(f"generator {recipe.generator!r} adds no rows (it reweights classes); train with "
                         "class_weight='balanced' on the real data instead of exporting")
    rt = cfg.runtime
    cache = CacheSpec(enabled=rt.cache, dir=rt.cache_dir, max_gb=rt.cache_max_gb)
    gen, _, _ = fit_generator(recipe.generator, params, rt.device, data, derive_seed(cfg.seed, "augment",
                              recipe.generator), cache)
    return gen, params


def _sample_and_validate(cfg: ExperimentConfig, recipe: Recipe, gen: Any, data: Any) -> tuple[Any, Any, Any]:
    """Sample ratio × |real| rows and validate them against the real rows (no held-out set exists here,
    so the privacy reference is the real table itself: distance checks read as copy checks)."""
    from synthaug.evaluation.splits import derive_seed
    from synthaug.synthesis import sample_set, validate_set

    sset = sample_set(gen, data, recipe.ratio, recipe.strategy, derive_seed(cfg.seed, "augment-sample", str(recipe)),
                      recipe.generator)
    seed = derive_seed(cfg.seed, "augment-validate", str(recipe))
    validate_set(sset, data, data, cfg.validation, gen.generative, seed)
    return sset.sampled, sset.kept, sset.validation


def _concat_keeping_dtypes(real: pd.DataFrame, fake: pd.DataFrame) -> pd.DataFrame:
    """Row-bind without pandas widening dtypes: an int column stays int, a category keeps its categories."""
    frame = pd.concat([real, fake], ignore_index=True)
    for col in real.columns:
        if frame[col].dtype != real[col].dtype:
            try:
                frame[col] = frame[col].astype(real[col].dtype)
            except (TypeError, ValueError):
                pass
    return frame


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """CSV or Parquet by suffix, written atomically."""
    from synthaug.store import atomic_path, write_parquet

    if path.suffix.lower() in (".parquet", ".pq"):
        write_parquet(path, frame)
    elif path.suffix.lower() == ".csv":
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False)
    else:
        raise InputError(f"--out {str(path)!r}: use a .csv or .parquet file name")
    return path
