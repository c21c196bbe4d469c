"""Image augmentation benchmark on several image sets (issues 3 and 12).

Per image set (scikit-learn's 8×8 digits and the built sets of `benchmarks/image_sets.py`: 16×16
binary strokes, 28×28 grayscale shapes, 32×32 RGB shapes), train fraction and generator, with
*default* generator settings: fit seconds, seconds per epoch and per update, sampling speed, and the
image checks of `validate_images` on the raw samples (policy `warn`: nothing filtered) — agreement
beside the evaluation CNN's real-test accuracy (a SmallCNN with its own seed and architecture, never
seen by the generators, whose auxiliary classifier is a different net), Fréchet distance on that
CNN's features beside the real-train vs real-test distance, diversity ratio, memorisation.

`--estimate-check CONFIG` runs a whole experiment through the library runner and compares its wall
time with the dry-run estimate made just before (`synthaug_pipelines.estimate.estimate_seconds`).
`--gain` adds the gain table at 10% of the training images on digits (configs/digits.yaml).

Why one torch thread: the networks are small, cells run one thread each, and on a shared 2-core
machine a second OpenMP thread made epochs up to 20× slower.

Usage (from the repo root):
    python benchmarks/images_bench.py --sets strokes16 shapes32rgb --fractions 1.0 0.1
    python benchmarks/images_bench.py --estimate-check configs/digits.yaml
Results: Markdown on stdout, JSON lines appended to data/bench/images_bench.jsonl; the committed
summaries are in benchmarks/results/images_*.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from synthaug.config import DatasetConfig, ValidationConfig, load_config
from synthaug.data import Dataset, load_dataset
from synthaug.evaluation.splits import make_split
from synthaug.generators import GENERATORS, class_counts_for, make_generator
from synthaug.validation.images import validate_images

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from image_sets import BUILDERS, build_folder  # noqa: E402

OUT = ROOT / "data" / "bench"
SETS = ("digits", *BUILDERS)
GENERATORS_TO_RUN = ("cvae", "cgan", "classical_augment")
METRICS = ("agreement", "cnn_test_accuracy", "frechet", "frechet_real_reference", "diversity_ratio",
           "memorisation_ratio", "copy_rate", "detection_auc")


def load_set(name: str) -> Dataset:
    if name == "digits":
        return load_dataset(DatasetConfig(source="digits", kind="images"))
    folder = build_folder(name, OUT / "image_sets")
    return load_dataset(DatasetConfig(source=str(folder), kind="images",
                                      color="rgb" if name.endswith("rgb") else "grayscale"))


def split(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """The runner's own split (repeat 0 of 3), so the numbers match what an experiment sees."""
    s = make_split(data, seed, 0, fraction, 3, 0.25)
    return data.take(s.train), data.take(s.test)


def bench_generator(name: str, params: dict[str, Any], train: Dataset, test: Dataset, seed: int,
                    workdir: Path) -> dict[str, Any]:
    """Fit, time sampling, validate the raw samples; one row of the benchmark table."""
    gen = make_generator(name, params, seed)
    t0 = time.perf_counter()
    gen.fit(train.X, train.y)
    fit_s = time.perf_counter() - t0
    history = getattr(gen, "history_", []) or []
    hp = getattr(gen, "hp_", {})
    t0 = time.perf_counter()
    X, y = gen.sample(len(train), class_counts_for("match", len(train), train.class_counts()), random_state=seed)
    sample_s = time.perf_counter() - t0
    synth = Dataset(name=f"{name}-synthetic", kind="images", X=X, y=y, target=train.target, meta=train.meta)
    res = validate_images(train, synth, test, ValidationConfig(policy="warn"), GENERATORS[name].generative,
                          seed + 101, workdir)
    m = {k: res.metrics.get(k) for k in METRICS}
    ref = m["frechet_real_reference"] or float("nan")
    return {"generator": name, "n_train": len(train), "fit_s": round(fit_s, 2), "epochs": len(history),
            "s_per_epoch": round(fit_s / len(history), 4) if history else None,
            "steps": hp.get("steps"), "check_agreement": getattr(gen, "agreement_", None),
            "aux_agreement": getattr(gen, "aux_agreement_", None),
            "check_accuracy": getattr(gen, "check_accuracy_", None),
            "samples_per_s": round(len(X) / max(sample_s, 1e-9)), **m,
            "frechet_x_ref": round(m["frechet"] / ref, 2) if m["frechet"] is not None else None,
            "grid": str(workdir / "samples.png")}


def estimate_check(config: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """Dry-run estimate, then the real run (fresh fits), on the same machine, one after the other."""
    from synthaug_pipelines.estimate import estimate_seconds

    from synthaug.experiment import run_experiment
    from synthaug.grid import plan
    from synthaug.runner import prepare

    cfg = load_config(config, {"output.dir": str(OUT / "runs"), "runtime.cache": False, **overrides})
    t0 = time.perf_counter()
    n = len(prepare(cfg))
    est = estimate_seconds(cfg, plan(cfg, n), n)
    est_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_experiment(cfg)
    actual = time.perf_counter() - t0
    return {"config": str(config), "overrides": overrides, "estimate_s": round(est, 1), "actual_s": round(actual, 1),
            "ratio": round(est / actual, 3), "estimating_took_s": round(est_s, 1)}


def to_markdown(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.tolist()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _record(row: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "images_bench.jsonl", "a") as fh:
        fh.write(json.dumps(row, default=str) + "\n")
    print(json.dumps(row, default=str), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    ap.add_argument("--fractions", type=float, nargs="+", default=[1.0, 0.1])
    ap.add_argument("--generators", nargs="+", default=list(GENERATORS_TO_RUN))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--estimate-check", type=Path, nargs="*", default=None, help="configs to time vs dry-run")
    ap.add_argument("--set", dest="overrides", nargs="*", default=[], help="config overrides a.b=json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    import torch

    torch.set_num_threads(args.threads)
    if args.estimate_check is not None:
        overrides = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.overrides)}
        for config in args.estimate_check:
            _record({"kind": "estimate_check", **estimate_check(config, overrides)})
        return
    rows = []
    for set_name in args.sets:
        data = load_set(set_name)
        for fraction in args.fractions:
            train, test = split(data, fraction, args.seed)
            for name in args.generators:
                workdir = OUT / "images" / set_name / f"f{fraction:g}" / name
                rows.append({"set": set_name, "fraction": fraction,
                             **bench_generator(name, {"num_threads": args.threads} if name != "classical_augment"
                                               else {}, train, test, args.seed, workdir)})
                _record({"kind": "generator", **rows[-1]})
    if rows:
        print("\n" + to_markdown(pd.DataFrame(rows).drop(columns=["grid"])))


if __name__ == "__main__":
    main()
