"""The quickstart with its target in every common encoding gives the same numbers (issue 9's "done when").

Why: labels are integer codes inside (sorted original values), so `benign`/`malignant`, 0/1 in that
order, and False/True must give identical classifier scores with the same seed, and every synthetic
set must pass the target's value-set expectation. This runs the real quickstart config (GaussianCopula,
CTGAN and TVAE at 50 epochs, SMOTE; five classifiers; 3 repeats; fractions 0.25 and 1.0) once per
encoding, through the plain driver with the cache off, and compares `results.parquet` value by value.

    python benchmarks/label_encodings_check.py [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.datasets import load_breast_cancer

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
ENCODINGS = {
    "string": lambda s: s,
    "int 0/1": lambda s: (s == "malignant").astype("int64"),
    "bool": lambda s: s == "malignant",
    "Int64": lambda s: (s == "malignant").astype("Int64"),
    "category": lambda s: s.astype("category"),
}


def write_tables(folder: Path) -> dict[str, Path]:
    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame.copy()
    labels = pd.Series(np.asarray(bunch.target_names)[bunch.target.to_numpy()])
    out = {}
    for name, encode in ENCODINGS.items():
        path = folder / f"bc-{name.replace(' ', '').replace('/', '')}.parquet"
        frame.assign(target=encode(labels)).to_parquet(path)
        out[name] = path
    return out


def run(name: str, path: Path, folder: Path, workers: int) -> tuple[Path, float]:
    from synthaug.config import apply_overrides, build_config, read_yaml
    from synthaug.experiment import run_experiment

    raw = apply_overrides(read_yaml(ROOT / "configs" / "quickstart.yaml"), {
        "dataset": {"source": str(path), "target": "target"}, "runtime.task_runner": "processes",
        "runtime.workers": workers, "runtime.cache": False, "output.dir": str(folder / "runs"),
        "validation.data_docs": False, "name": f"qs-{path.stem}"})
    start = time.perf_counter()
    run_dir = run_experiment(build_config(raw))
    return run_dir, time.perf_counter() - start


def target_check_failures(run_dir: Path) -> int:
    """Synthetic sets whose target value-set expectation did not pass."""
    v = pd.read_parquet(run_dir / "validation.parquet")
    target = v[v["check"].str.contains("expect_column_values_to_be_in_set") & (v["column"] == "target")]
    return int((target["success"] != True).sum()) if len(target) else -1  # noqa: E712 - nullable booleans


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="synthaug-labels-"))
    rows, ref = [], None
    for name, path in write_tables(folder).items():
        run_dir, secs = run(name, path, folder, args.workers)
        res = pd.read_parquet(run_dir / "results.parquet")
        values = res["value"].to_numpy(dtype=float)
        ref = values if ref is None else ref
        same = bool(np.array_equal(np.nan_to_num(values, nan=-9), np.nan_to_num(ref, nan=-9)))
        cells = pd.read_parquet(run_dir / "cells.parquet")
        failed = int((cells.get("status", pd.Series(dtype=str)) == "failed").sum())
        rows.append({"encoding": name, "seconds": round(secs, 1), "score rows": len(values),
                     "identical to string run": same, "failed cells": failed,
                     "target check failures": target_check_failures(run_dir), "run": str(run_dir)})
        print(rows[-1], flush=True)
    from synthaug.reporting.markdown import md_table

    table = pd.DataFrame(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "label_encodings_check.md").write_text(
        "# Quickstart in five target encodings\n\n" + yaml.safe_dump({"workers": args.workers}) + "\n"
        + md_table(table.drop(columns=["run"])) + "\n")


if __name__ == "__main__":
    main()
