"""SMOTE's neighbour searches at scale (issue 13's 1M-row scenario): imbalanced-learn's own paths
against `generators.neighbour_search`, one process each, one thread (as a cell runs).

- SMOTENC (15 numeric + 4 categorical columns): the sparse one-hot search vs `DenseNeighbours`;
- SMOTEN (4 categorical columns): the whole per-class VDM matrix vs `ChunkedSMOTEN`.
Every class is doubled (as the `match` strategy at ratio 1 asks). Peak RSS is the process's own.
imbalanced-learn's SMOTEN is skipped where its class matrix alone would pass `--max-matrix-gib`.

    python benchmarks/smote_scale_bench.py [--rows 20000 100000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

PROBE = """
import json, resource, sys, time
import numpy as np, pandas as pd
from imblearn.over_sampling import SMOTEN, SMOTENC
from sklearn import config_context
from threadpoolctl import threadpool_limits
from synthaug.generators.neighbour_search import ChunkedSMOTEN, DenseNeighbours
mode, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
X = pd.DataFrame(rng.normal(size=(n, 15)), columns=[f"x{i}" for i in range(15)])
cats = [f"c{j}" for j in range(4)]
for c in cats:
    X[c] = rng.choice([f"v{i}" for i in range(5)], n)
y = (rng.random(n) < 0.4).astype(int)
counts = np.bincount(y)
strategy = {0: 2 * int(counts[0]), 1: 2 * int(counts[1])}
samplers = {
    "smotenc-sparse": lambda: SMOTENC(categorical_features=cats, sampling_strategy=strategy, random_state=0),
    "smotenc-dense": lambda: SMOTENC(categorical_features=cats, sampling_strategy=strategy, random_state=0,
                                     k_neighbors=DenseNeighbours(n_neighbors=6)),
    "smoten-full": lambda: SMOTEN(sampling_strategy=strategy, random_state=0),
    "smoten-chunked": lambda: ChunkedSMOTEN(sampling_strategy=strategy, random_state=0),
}
data = X[cats] if mode.startswith("smoten-") else X
start = time.perf_counter()
with threadpool_limits(1), config_context(working_memory=128):
    X_res, _ = samplers[mode]().fit_resample(data, y)
print(json.dumps({"seconds": time.perf_counter() - start, "rows_out": len(X_res),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(mode: str, rows: int) -> dict:
    env_path = f"{ROOT / 'src'}"
    out = subprocess.run([sys.executable, "-c", PROBE, mode, str(rows)], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"})
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    ap.add_argument("--max-matrix-gib", type=float, default=4.0)
    args = ap.parse_args()
    lines = ["| rows | path | seconds | peak RSS | rows out |", "|---|---|---|---|---|"]
    for rows in args.rows:
        for mode in ["smotenc-sparse", "smotenc-dense", "smoten-full", "smoten-chunked"]:
            matrix_gib = (0.6 * rows) ** 2 * 8 / 2**30  # the larger class's VDM matrix
            if mode == "smoten-full" and matrix_gib > args.max_matrix_gib:
                lines.append(f"| {rows:,} | {mode} | skipped: class matrix {matrix_gib:.0f} GiB | | |")
                continue
            res = measure(mode, rows)
            if "error" in res:
                lines.append(f"| {rows:,} | {mode} | failed: {res['error']} | | |")
            else:
                lines.append(f"| {rows:,} | {mode} | {res['seconds']:.1f} | {res['peak_mib']:.0f} MiB | "
                             f"{res['rows_out']:,} |")
            print(lines[-1], flush=True)
    text = "# SMOTE neighbour searches at scale\n\n" + "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "smote_scale_bench.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
