"""Validation throughput on synthetic Adult rows: GX suite + filter, fidelity, privacy, Data Docs.

Why: validation runs on every sampled set, so its cost must stay small next to fitting. Target:
at least 1 million rows per minute for the GX suite + row filter (issue 4). Fidelity and privacy are
capped at `validation.max_fidelity_rows` per side, so their cost is bounded whatever the set size.

Protocol: the UCI Adult training table (`../shared/datasets/adult.csv`, `?` = missing) is split
2/3 train, 1/3 holdout (seeded, stratified); each generator is fitted on the train rows and samples
`--rows` rows; `validate_synthetic` runs once on a small warm-up set (imports, GX context) and then
on the full set, with evidence saved for Data Docs. Usage:

    python benchmarks/validation_bench.py --rows 100000 --generators gaussian_copula,ctgan,tvae --epochs 20
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from synthaug.config import DatasetConfig, ValidationConfig
from synthaug.data import Dataset, load_dataset
from synthaug.generators import make_generator
from synthaug.validation import build_data_docs, validate_synthetic

ADULT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "adult.csv"


def split(data: Dataset, seed: int) -> tuple[Dataset, Dataset]:
    idx = np.arange(len(data))
    tr, ho = train_test_split(idx, test_size=1 / 3, stratify=data.y, random_state=seed)
    return data.take(tr), data.take(ho)


def sample(name: str, train: Dataset, rows: int, epochs: int, seed: int) -> tuple[Dataset, float, float]:
    """Fit one generator on the train rows and draw `rows` rows (with the training class mix)."""
    params = {"epochs": epochs} if name in ("ctgan", "tvae", "copulagan") else {}
    start = time.perf_counter()
    gen = make_generator(name, params, seed).fit(train.X, train.y, train.columns)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    X, y = gen.sample(rows, None, seed)
    sample_s = time.perf_counter() - start
    return replace(train, X=X.reset_index(drop=True), y=np.asarray(y)), fit_s, sample_s


def bench_one(name: str, train: Dataset, holdout: Dataset, args: argparse.Namespace, work: Path) -> dict:
    synth, fit_s, sample_s = sample(name, train, args.rows, args.epochs, args.seed)
    res = validate_synthetic(train, synth, holdout, ValidationConfig(), True, args.seed,
                             work / "cells" / name / "bench")
    m = res.metrics
    n = m["rows_in"]
    return {
        "generator": name, "rows": int(n), "fit_s": round(fit_s, 1), "sample_s": round(sample_s, 2),
        "gx_suite_filter_s": m["seconds_gx"], "fidelity_s": m["seconds_fidelity"],
        "privacy_s": m["seconds_privacy"], "total_s": m["validation_seconds"],
        "gx_rows_per_min": round(n / m["seconds_gx"] * 60),
        "total_rows_per_min": round(n / m["validation_seconds"] * 60),
        "validity": m["validity_rate"], "rows_dropped": int(m["rows_dropped"]), "quality": m["quality_score"],
        "diagnostic": m["diagnostic_score"], "detection_auc": m["detection_auc"], "copy_rate": m["copy_rate"],
        "dcr_ratio": m["dcr_ratio"], "aggregate_failed": int(m["aggregate_failed"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--generators", default="gaussian_copula")
    ap.add_argument("--epochs", type=int, default=20, help="for ctgan/tvae (short fits: timing, not quality)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv", default="data/benchmarks/validation_bench.csv")
    args = ap.parse_args()
    data = load_dataset(DatasetConfig(source=str(ADULT), target="class", missing_values=["?"]))
    train, holdout = split(data, args.seed)
    print(f"Adult: {len(train)} train / {len(holdout)} holdout rows; synthetic sets of {args.rows} rows")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        validate_synthetic(train, train.take(np.arange(200)), holdout, ValidationConfig(), True, 0)
        print(f"warm-up (imports, GX context): {time.perf_counter() - start:.1f} s")
        rows = []
        for name in args.generators.split(","):
            rows.append(bench_one(name.strip(), train, holdout, args, work))
            print(", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in rows[-1].items()),
                  flush=True)
        start = time.perf_counter()
        build_data_docs(work)
        docs_s = time.perf_counter() - start
    table = pd.DataFrame(rows)
    print(table.to_markdown(index=False, floatfmt=".3f") if _has_tabulate() else table.to_string(index=False))
    print(f"Data Docs for {len(rows)} sets: {docs_s:.1f} s")
    out = Path(args.csv)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    print(f"written {out}")


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
