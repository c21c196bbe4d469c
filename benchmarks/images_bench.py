"""Image augmentation benchmark on digits (issue 3, item 10).

Measures, per generator (cvae, cgan, classical_augment, smote) and train fraction (1.0 and 0.1):
fit seconds and seconds per epoch, images sampled per second, and the image checks of
`validate_images` (agreement beside the reference CNN's real-test accuracy, Fréchet distance on CNN
features beside the real-train vs real-test distance, memorisation ratio, detection AUC). Then, unless
`--skip-gain`, the gain table at 10% of the training images through the library runner
(`run_experiment` on configs/digits.yaml with `protocol.fractions=[0.1]`).

Why one torch thread by default: the networks are tiny, and on a shared 2-core machine a second
OpenMP thread made epochs up to 20× slower (threads spin waiting for a descheduled partner).

Usage (from the repo root):
    python benchmarks/images_bench.py                 # everything, a few minutes on 2 cores
    python benchmarks/images_bench.py --skip-gain --fractions 1.0
Results: printed as Markdown and written to data/bench/images_bench.json (data/ is not committed).
"""

from __future__ import annotations

import argparse
import json
import logging
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
OUT = ROOT / "data" / "bench"
GENERATORS_TO_RUN = ("cvae", "cgan", "classical_augment", "smote")
METRICS = ("agreement", "cnn_test_accuracy", "frechet", "frechet_real_reference", "diversity_ratio",
           "memorisation_ratio", "copy_rate", "detection_auc", "validity_rate")


def split(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """The runner's own split (repeat 0 of 3), so the numbers match what an experiment sees."""
    s = make_split(data, seed, 0, fraction, 3, 0.25)
    return data.take(s.train), data.take(s.test)


def bench_generator(name: str, params: dict[str, Any], train: Dataset, test: Dataset, seed: int,
                    n_sample: int, workdir: Path) -> dict[str, Any]:
    """Fit, time sampling, validate; one row of the benchmark table."""
    gen = make_generator(name, params, seed)
    t0 = time.perf_counter()
    gen.fit(train.X, train.y)
    fit_s = time.perf_counter() - t0
    epochs = len(getattr(gen, "history_", []) or [])
    t0 = time.perf_counter()
    Xb, _ = gen.sample(n_sample, random_state=seed + 1)
    sample_s = time.perf_counter() - t0
    X, y = gen.sample(len(train), class_counts_for("match", len(train), train.class_counts()), random_state=seed)
    synth = Dataset(name=f"{name}-synthetic", kind="images", X=X, y=y, target=train.target, meta=train.meta)
    res = validate_images(train, synth, test, ValidationConfig(), GENERATORS[name].generative, seed, workdir)
    return {"generator": name, "n_train": len(train), "fit_s": round(fit_s, 2), "epochs": epochs,
            "s_per_epoch": round(fit_s / epochs, 4) if epochs else None,
            "samples_per_s": round(len(Xb) / max(sample_s, 1e-9)),
            **{k: res.metrics.get(k) for k in METRICS}, "grid": str(workdir / "samples.png")}


def gain_table(fraction: float, repeats: int) -> pd.DataFrame:
    """Run the digits config at one fraction through the library runner; return its summary rows."""
    from synthaug.runner import run_experiment

    cfg = load_config(ROOT / "configs" / "digits.yaml", {"protocol.fractions": [fraction],
                                                          "protocol.repeats": repeats,
                                                          "output.dir": str(OUT / "runs"),
                                                          # fresh fits: caches key on config params, not code
                                                          "runtime.cache": False})
    run_dir = run_experiment(cfg)
    summary = pd.read_csv(run_dir / "summary.csv")
    keep = summary[(summary["metric"] == cfg.protocol.primary_metric) & (summary["mode"] == "augmented")]
    cols = [c for c in ("generator", "classifier", "baseline_mean", "score_mean", "gain_mean", "ci_low",
                        "ci_high", "p_value", "verdict", "ci_method") if c in keep]
    return keep[cols].reset_index(drop=True)


def to_markdown(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.tolist()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fractions", type=float, nargs="+", default=[1.0, 0.1])
    ap.add_argument("--generators", nargs="+", default=list(GENERATORS_TO_RUN))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-sample", type=int, default=10_000, help="images drawn to time sampling")
    ap.add_argument("--skip-gain", action="store_true")
    ap.add_argument("--gain-only", action="store_true")
    ap.add_argument("--gain-repeats", type=int, default=3)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    import torch

    torch.set_num_threads(args.threads)
    data = load_dataset(DatasetConfig(source="digits", kind="images"))
    params = load_config(ROOT / "configs" / "digits.yaml").generators
    rows = []
    for fraction in [] if args.gain_only else args.fractions:
        train, test = split(data, fraction, args.seed)
        for name in args.generators:
            workdir = OUT / "images" / f"f{fraction:g}" / name
            rows.append({"fraction": fraction, **bench_generator(name, params.get(name, {}), train, test,
                                                                  args.seed, args.n_sample, workdir)})
            print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows)
    out: dict[str, Any] = {"device": "cuda" if torch.cuda.is_available() else "cpu", "threads": args.threads,
                           "generators": rows}
    if rows:
        print("\n" + to_markdown(table.drop(columns=["grid"])))
    if not args.skip_gain:
        gains = gain_table(0.1, args.gain_repeats)
        out["gain_at_10pct"] = gains.to_dict(orient="records")
        print("\nGain at 10% of the training images (augmented − baseline, primary metric, 95% CI):\n")
        print(to_markdown(gains))
    OUT.mkdir(parents=True, exist_ok=True)
    name = "images_bench_gain.json" if args.gain_only else "images_bench.json"
    (OUT / name).write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
