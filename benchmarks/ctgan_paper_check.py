"""The CTGAN paper's machine-learning-efficacy check on Adult (Xu et al., NeurIPS 2019, Table 6).

Why: before trusting our gain numbers we check that our generators, fitted through synthaug's own
adapters, reproduce the published train-on-synthetic / test-on-real picture: synthetic Adult trains
classifiers somewhat worse than real Adult (paper: Identity 0.669, CTGAN 0.601, TVAE 0.626).

Protocol (SDGym's evaluation of that time): decision tree (depth 15, balanced class weights),
AdaBoost (50 estimators), logistic regression (balanced, max_iter 50), MLP (50 hidden units,
max_iter 50); binary F1 of the positive class `>50K` on held-out real rows, averaged over the four.
Identity trains on the real training rows. Our held-out rows are a seeded stratified third of the
UCI training file (the paper used UCI's separate test file), so compare each generator's gap to
identity as well as the absolute F1.

Resumable: each (generator, seed) result is appended to the CSV as it finishes and skipped on the
next start; fitted generators go through synthaug's model cache (data/cache/models), so a killed
run refits nothing that finished. Usage:

    nohup nice -n 19 python benchmarks/ctgan_paper_check.py --epochs 300 > data/paper_check.log 2>&1 &
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import AdaBoostClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from synthaug.config import DatasetConfig
from synthaug.data import Dataset, load_dataset
from synthaug.evaluation.classifiers import tabular_preprocessor
from synthaug.evaluation.splits import derive_seed, make_split
from synthaug.generators import class_counts_for, generator_class, make_generator
from synthaug.store import ModelCache, content_key

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PAPER = {"identity": 0.669, "ctgan": 0.601, "tvae": 0.626}
POSITIVE = ">50K"
log = logging.getLogger("paper_check")


def paper_classifiers(seed: int) -> dict[str, Any]:
    """The four binary classifiers of SDGym's evaluation, as the paper's Table 6 averaged them."""
    return {
        "decision_tree_d15": DecisionTreeClassifier(max_depth=15, class_weight="balanced", random_state=seed),
        "adaboost_50": AdaBoostClassifier(n_estimators=50, random_state=seed),
        "logistic_regression": LogisticRegression(class_weight="balanced", max_iter=50),
        "mlp_50": MLPClassifier(hidden_layer_sizes=(50,), max_iter=50, random_state=seed),
    }


def efficacy(train_X: pd.DataFrame, train_y: np.ndarray, test: Dataset, columns: dict[str, str],
             seed: int) -> dict[str, float]:
    """Binary F1 of each classifier trained on (train_X, train_y) and scored on the real test rows."""
    out = {}
    for name, model in paper_classifiers(seed).items():
        pipe = Pipeline([("prep", tabular_preprocessor(columns)), ("model", model)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pipe.fit(train_X, train_y)
        pred = pipe.predict(test.X)
        out[name] = float(f1_score(test.y, pred, pos_label=POSITIVE, zero_division=0))
    return out


def synthetic_rows(name: str, params: dict[str, Any], train: Dataset, seed: int,
                   cache_dir: Path) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Fit (or load from the model cache) and sample |train| rows in the training class mix."""
    fit_seed = derive_seed(seed, "paper_check", name)
    key = content_key(train.fingerprint(), name, params, fit_seed, train.columns)
    cache = ModelCache(cache_dir)
    start = time.perf_counter()

    def fit() -> Any:
        log.info("fitting %s %s on %d rows", name, params, len(train))
        return make_generator(name, params, fit_seed).fit(train.X, train.y, train.columns)

    gen, hit = cache.get_or_create("generators", key, fit, lambda g, p: g.save(p), generator_class(name).load)
    fit_s = time.perf_counter() - start
    log.info("%s ready in %.0fs (cache hit: %s)", name, fit_s, hit)
    counts = class_counts_for("match", len(train), train.class_counts())
    X, y = gen.sample(len(train), counts, random_state=derive_seed(seed, "paper_sample", name))
    return X, np.asarray(y), fit_s


def run(args: argparse.Namespace) -> pd.DataFrame:
    data = load_dataset(DatasetConfig(source=str(args.data), target="class", missing_values=["?"]))
    out_csv = RESULTS / "ctgan_paper_check.csv"
    done = pd.read_csv(out_csv) if out_csv.is_file() else pd.DataFrame(columns=["generator", "seed", "epochs"])
    specs = {"identity": None, "gaussian_copula": {}, "tvae": {"epochs": args.epochs},
             "ctgan": {"epochs": args.epochs}}
    for seed in args.seeds:
        split = make_split(data, seed, 0, 1.0, 1, args.test_size)
        train, test = data.take(split.train), data.take(split.test)
        for name in args.generators:
            params = specs[name]
            epochs = (params or {}).get("epochs", 0)
            mask = (done["generator"] == name) & (done["seed"] == seed) & (done["epochs"] == epochs)
            if mask.any():
                log.info("skip %s seed %d (done)", name, seed)
                continue
            if params is None:
                X, y, fit_s = train.X, train.y, 0.0
            else:
                X, y, fit_s = synthetic_rows(name, params, train, seed, args.cache_dir)
            scores = efficacy(X, y, test, train.columns, seed)
            row = {"generator": name, "seed": seed, "epochs": epochs, "n_train": len(train),
                   "n_test": len(test), "n_synthetic": 0 if params is None else len(y),
                   "fit_seconds": round(fit_s, 1), **scores, "f1_mean": float(np.mean(list(scores.values())))}
            log.info("%s", row)
            done = pd.concat([done, pd.DataFrame([row])], ignore_index=True)
            RESULTS.mkdir(parents=True, exist_ok=True)
            done.to_csv(out_csv, index=False)
            write_table(done, RESULTS / "ctgan_paper_check.md")
    return done


def write_table(done: pd.DataFrame, path: Path) -> None:
    """Markdown: ours vs the paper, absolute F1 and the gap to identity (the fairer comparison)."""
    mean = done.groupby("generator")["f1_mean"].agg(["mean", "count"])
    ident = mean["mean"].get("identity", float("nan"))
    lines = ["| generator | epochs | seeds | our F1 | our gap to identity | paper F1 | paper gap to identity |",
             "|---|---|---|---|---|---|---|"]
    for name in ["identity", "gaussian_copula", "tvae", "ctgan"]:
        if name not in mean.index:
            continue
        ours = mean.loc[name, "mean"]
        epochs = int(done.loc[done["generator"] == name, "epochs"].max())
        paper = PAPER.get(name)
        paper_txt = f"{paper:.3f}" if paper is not None else "n/a"
        paper_gap = f"{paper - PAPER['identity']:+.3f}" if paper is not None else "n/a"
        lines.append(f"| {name} | {epochs or '-'} | {int(mean.loc[name, 'count'])} | {ours:.3f} | "
                     f"{ours - ident:+.3f} | {paper_txt} | {paper_gap} |")
    per = done.groupby("generator")[["decision_tree_d15", "adaboost_50", "logistic_regression", "mlp_50"]].mean()
    lines += ["", "Per classifier (binary F1 of `>50K`, mean over seeds):", "",
              "| generator | " + " | ".join(per.columns) + " |", "|---" * (len(per.columns) + 1) + "|"]
    lines += [f"| {g} | " + " | ".join(f"{v:.3f}" for v in r) + " |" for g, r in per.iterrows()]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "adult.csv")
    p.add_argument("--epochs", type=int, default=300, help="CTGAN and TVAE epochs (the paper: 300)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--generators", nargs="+", default=["identity", "gaussian_copula", "tvae", "ctgan"])
    p.add_argument("--test-size", type=float, default=0.33)
    p.add_argument("--cache-dir", type=Path, default=ROOT / "data" / "cache" / "models")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    run(args)


if __name__ == "__main__":
    main()
