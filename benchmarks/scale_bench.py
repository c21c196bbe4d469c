"""Memory and time at scale (issue 13): peak RSS of the whole process tree of one `synthaug run`.

Why the tree: a run is the CLI process, Prefect's temporary API server and the process workers;
what a machine must hold is their sum at the worst moment, and the largest single process says
whether one worker can run out alone. RSS is sampled every 0.25 s with psutil over the CLI process
and all its descendants (`--direct` has no server); peaks are of the samples. Summed RSS counts the
pages the processes share (torch's and numpy's libraries, mapped by every worker) once per process;
the summed PSS beside it (each shared page split between its users) is what the machine holds.

Scenarios (each run as a user types it, through Prefect as configured: 2 process workers):
- `adult`: the UCI Adult table (`../shared/datasets/adult.csv`, 32,561 rows), GaussianCopula +
  SMOTE + CTGAN 10 epochs, logistic regression, LDA, a decision tree and a random forest (the RBF
  SVM is left out: on 24k real + 24k synthetic rows its fit alone takes tens of minutes on 2 cores),
  one repeat at fraction 1 (targets: summed peak ≤ 2 GiB, no process above 1.5 GiB);
- `wide50k`: a generated table of 54,000 rows × 40 columns (30 numeric, 10 categorical of 3–12
  levels) with a 5-class label, the shape of the public table that peaked at 3.26 GB in the issue,
  through the same generators and classifiers as `adult` (target: no process above 1.5 GiB);
- `million`: a generated table of `--rows` rows × 20 columns (15 numeric, 4 categorical, a binary
  label that depends on both), GaussianCopula + SMOTE + validation, logistic regression, a decision
  tree and a random forest (`--trees` trees), one repeat (reported: time and summed peak).

    python benchmarks/scale_bench.py [--scenario adult wide50k million] [--rows 1000000] [--trees 100]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
ADULT = ROOT.parent / "shared" / "datasets" / "adult.csv"
GIB = 1024 ** 3


def million_table(rows: int, path: Path, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    num = rng.normal(size=(rows, 15)).astype("float64")
    cats = {f"c{i}": rng.choice(list("abcdef"[: 3 + i]), size=rows) for i in range(4)}
    score = num[:, 0] - 0.7 * num[:, 1] + 0.5 * (cats["c0"] == "a") + rng.normal(scale=1.0, size=rows)
    df = pd.DataFrame(num, columns=[f"x{i}" for i in range(15)]).assign(**cats, label=(score > 0.4).astype(int))
    df.to_parquet(path, index=False)
    return path


WIDE_ROWS = 54_000


def wide_table(path: Path, rows: int = WIDE_ROWS, seed: int = 0) -> Path:
    """Numeric columns on different scales, categorical ones of growing cardinality, a 5-class label
    that depends on both (classes of unequal size)."""
    rng = np.random.default_rng(seed)
    num = rng.normal(size=(rows, 30)) * rng.uniform(0.5, 50.0, size=30) + rng.uniform(-10, 100, size=30)
    cats = {f"c{i}": rng.choice([f"v{k}" for k in range(3 + i)], size=rows) for i in range(10)}
    score = num[:, 0] / 50 - num[:, 1] / 40 + (cats["c3"] == "v1") + rng.normal(scale=0.8, size=rows)
    label = np.digitize(score, np.quantile(score, [0.35, 0.6, 0.8, 0.93]))
    df = pd.DataFrame(num, columns=[f"x{i}" for i in range(30)]).assign(**cats, label=label)
    df.to_parquet(path, index=False)
    return path


def config(scenario: str, scratch: Path, rows: int, trees: int) -> dict:
    base = {"seed": 0, "protocol": {"repeats": 1, "fractions": [1.0], "ratios": [1.0], "strategies": ["match"],
                                    "test_size": 0.25},
            "runtime": {"task_runner": "processes", "workers": 2, "cache_dir": str(scratch / "cache")},
            "output": {"dir": str(scratch / "runs")}}
    tabular = {"generators": {"gaussian_copula": {}, "smote": {}, "ctgan": {"epochs": 10}},
               "classifiers": ["logistic_regression", "lda", "decision_tree", "random_forest"]}
    if scenario == "adult":
        return {**base, **tabular, "name": "scale-adult", "dataset": {"source": str(ADULT), "target": "class"}}
    if scenario == "wide50k":
        table = wide_table(scratch / "wide50k.parquet")
        return {**base, **tabular, "name": "scale-wide50k", "dataset": {"source": str(table), "target": "label"}}
    table = million_table(rows, scratch / "million.parquet")
    return {**base, "name": "scale-million", "dataset": {"source": str(table), "target": "label"},
            "generators": {"gaussian_copula": {}, "smote": {}},
            "classifiers": {"logistic_regression": {}, "decision_tree": {}, "random_forest": {"n_estimators": trees}}}


def watch(cmd: list[str], log: Path) -> dict[str, float | str]:
    """Run `cmd`, sampling the RSS of its process tree; peaks in bytes, wall seconds, exit code."""
    start = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    root = psutil.Process(proc.pid)
    peak_sum = peak_one = peak_pss = 0
    largest, at_peak = "", ""
    while proc.poll() is None:
        total = pss = 0
        parts: list[tuple[int, str]] = []
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in tree:
            try:
                full = p.memory_full_info()
            except psutil.Error:
                continue
            rss = full.rss
            total += rss
            pss += getattr(full, "pss", rss)
            parts.append((rss, _role(p)))
            if rss > peak_one:
                peak_one, largest = rss, _role(p)
        if total > peak_sum:
            peak_sum, at_peak = total, ", ".join(f"{role} {rss / GIB:.2f}" for rss, role in sorted(parts, reverse=True))
        peak_pss = max(peak_pss, pss)
        time.sleep(0.25)
    return {"seconds": time.perf_counter() - start, "peak_sum": peak_sum, "peak_pss": peak_pss, "peak_one": peak_one,
            "largest": largest, "at_peak": at_peak, "code": proc.wait()}


def _role(p: psutil.Process) -> str:
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return "?"
    if "uvicorn" in cmd:
        return "API server"
    return "worker" if "multiprocessing" in cmd else "CLI (main)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", nargs="+", default=["adult", "million"], choices=["adult", "wide50k", "million"])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--trees", type=int, default=100)
    args = ap.parse_args()
    lines = [f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / GIB:.0f} GiB, "
             f"load {os.getloadavg()[0]:.1f} at start", "",
             "| scenario | rows | wall | peak RSS, tree summed | peak PSS, tree summed | largest (RSS) | exit "
             "| RSS GiB by process at the summed peak |",
             "|---|---|---|---|---|---|---|---|"]
    for scenario in args.scenario:
        scratch = Path(tempfile.mkdtemp(prefix=f"scale-{scenario}-"))
        cfg = scratch / "config.yaml"
        cfg.write_text(yaml.safe_dump(config(scenario, scratch, args.rows, args.trees)))
        res = watch([sys.executable, "-m", "synthaug_pipelines.cli", "run", str(cfg)], scratch / "run.log")
        rows = {"adult": "32,561", "wide50k": f"{WIDE_ROWS:,}"}.get(scenario, f"{args.rows:,}")
        lines.append(f"| {scenario} | {rows} | {res['seconds'] / 60:.1f} min | {res['peak_sum'] / GIB:.2f} GiB | "
                     f"{res['peak_pss'] / GIB:.2f} GiB | "
                     f"{res['peak_one'] / GIB:.2f} GiB ({res['largest']}) | {res['code']} | {res['at_peak']} |")
        print(lines[-1], flush=True)
    text = "# Scale benchmark\n\n" + "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("scale_bench.md" if len(args.scenario) > 1 else f"scale_bench_{args.scenario[0]}.md")
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
