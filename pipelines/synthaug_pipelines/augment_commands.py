"""`synthaug augment`: write the augmented training set of one recipe (the artefact users train on)."""

from __future__ import annotations

import argparse
from pathlib import Path

from synthaug_pipelines.cli import register


def _add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path, help="the experiment config (dataset, generator settings, validation)")
    p.add_argument("--recipe", help="generator=G,ratio=R,strategy=S (e.g. generator=ctgan,ratio=1,strategy=match), "
                   "or `auto` with --classifier: choose by inner validation on the real rows")
    p.add_argument("--from-run", type=Path, metavar="RUN_DIR",
                   help="take the best significant 'helps' recipe of a finished run instead of --recipe")
    p.add_argument("--classifier", help="with --from-run or --recipe auto: the classifier the recipe is for")
    p.add_argument("--out", type=Path, help="output .csv or .parquet (default data/augmented/<name>-<recipe>.csv)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key")


def do_augment(args: argparse.Namespace) -> int:
    from synthaug.augment import SYNTHETIC_FLAG, augment, parse_recipe, recipe_from_run
    from synthaug.config import load_config, parse_set_args
    from synthaug.errors import InputError

    if bool(args.recipe) == bool(args.from_run):
        raise InputError("give exactly one of --recipe generator=G,ratio=R,strategy=S or --from-run RUN_DIR")
    cfg = load_config(args.config, parse_set_args(args.set))
    if args.recipe == "auto":
        return _augment_auto(cfg, args)
    recipe = parse_recipe(args.recipe) if args.recipe else recipe_from_run(args.from_run, args.classifier)
    out = args.out or Path("data/augmented") / f"{cfg.name}-{recipe.generator}-x{recipe.ratio:g}-{recipe.strategy}.csv"
    frame = augment(cfg, recipe, out)
    n_syn = int(frame[SYNTHETIC_FLAG].sum())
    print(f"recipe: {recipe}")
    print(f"wrote {len(frame)} rows ({len(frame) - n_syn} real, {n_syn} synthetic; column {SYNTHETIC_FLAG!r}) "
          f"to {out.resolve()}")
    return 0


def _augment_auto(cfg: object, args: argparse.Namespace) -> int:
    from synthaug.augment import SYNTHETIC_FLAG, augment_auto
    from synthaug.errors import InputError

    if not args.classifier:
        raise InputError("--recipe auto needs --classifier NAME (recipes are chosen per classifier)")
    out = args.out or Path("data/augmented") / f"{cfg.name}-auto-{args.classifier}.csv"
    frame, sel = augment_auto(cfg, args.classifier, out)
    n_syn = int(frame[SYNTHETIC_FLAG].sum())
    print(f"auto for {args.classifier}: chose `{sel.chosen}` among {sel.n_recipes} recipes "
          f"({sel.folds}-fold inner validation on {sel.metric}; evidence: {out.with_suffix('.selection.csv')})")
    print(f"wrote {len(frame)} rows ({len(frame) - n_syn} real, {n_syn} synthetic) to {out.resolve()}")
    return 0


register("augment", "fit one recipe on all the real rows and write real + validated synthetic rows",
         _add_args, do_augment)
