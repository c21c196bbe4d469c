"""Fast feedback, measured side by side (issue 13): this checkout against a baseline commit, the
pipeline against a hand-written loop, cold against cached, and start-up.

Why side by side: on a shared 2-core machine absolute seconds drift by tens of percent between
windows; ratios taken in one window (baseline and candidate interleaved) do not. Every timing is a
whole `python -m synthaug_pipelines.cli` process, as a user types it. The baseline runs from a
`git worktree` of `--baseline` with the same virtual environment (`PYTHONPATH` puts its sources
first), so only the code differs. Each code tree keeps one Prefect home for the whole benchmark (a
user's `~/.prefect` persists; its server is started once before the timings), and every wall
time comes with the CPU seconds of the whole process tree.

- quickstart, Prefect as configured (2 process workers), nothing reused: baseline vs this checkout;
  `finalize` = last file a cell wrote (cells/, synthetic/) to `COMPLETE`;
- quickstart `--direct` with an empty cache, like the Prefect run (Prefect / direct ratio), an
  unchanged re-run from the cache, and two more Prefect / direct pairs with the cache off, one in
  each order (the ratio reported is the mean of the three pairs);
- the notebook-equivalent config through the pipeline vs `benchmarks/notebook_loop.py`, three pairs in
  alternating order (the mean ratio is reported);
- `synthaug --help` and a config error (median of 5);
- `--grid150` (alone): the issue's 150-set grid (a generated 768-row table, 5 generators × 2
  strategies × 3 fractions × 5 repeats = 90 cells), through Prefect with 2 workers: wall and
  `finalize`; written to results/speed_bench_grid150.md.

    python benchmarks/speed_bench.py [--baseline 35caf42] [--skip-baseline]
    python benchmarks/speed_bench.py --grid150
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
QUICKSTART = "configs/quickstart.yaml"
NOTEBOOK_SETS = ["protocol.fractions=[1.0]", "generators={gaussian_copula: {}, ctgan: {epochs: 100}, "
                 "tvae: {epochs: 100}, smote: {}}", "validation.fidelity=false", "validation.privacy=false",
                 "validation.data_docs=false", "validation.distribution_checks=false", "validation.gate={}"]


@functools.cache
def prefect_home(code: Path) -> str:
    """One Prefect home (settings, the temporary server's SQLite database) per code tree and benchmark,
    as a user's `~/.prefect` outlives their runs: the first start of a temporary server there migrates
    the new database and registers Prefect's block types (about 10 s on 2 cores), so it happens here,
    once, not inside a timed run. Baseline and candidate alike."""
    home = tempfile.mkdtemp(prefix="speed-prefect-")
    env = {**os.environ, "PREFECT_HOME": home}
    env.pop("PREFECT_API_URL", None)
    warm_up = ("from synthaug_pipelines import api_server\nserver = api_server.launch()\n"
               "assert server is not None and server._healthy(180)\nserver.stop()\n")
    env["PYTHONPATH"] = str(ROOT / "pipelines")  # Prefect's own server app, started and stopped once
    subprocess.run([sys.executable, "-c", warm_up], env=env, check=True, capture_output=True)
    return home


def env_for(code: Path) -> dict[str, str]:
    env = {**os.environ, "PREFECT_HOME": prefect_home(code),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "GX_ANALYTICS_ENABLED": "false",
           "PYTHONPATH": f"{code / 'src'}{os.pathsep}{code / 'pipelines'}"}
    env.pop("PREFECT_API_URL", None)
    return env


def timed(cmd: list[str], code: Path, check: bool = True) -> tuple[float, float, str]:
    """(wall s, CPU s of the whole process tree, output). CPU: user + system of every descendant the
    command waited for (API server, workers), so Prefect's share shows beside the direct run's."""
    env = env_for(code)  # before the clock: a code tree's first call starts its Prefect home's server once
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=code)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if check and out.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return seconds, cpu, out.stdout + out.stderr


def run(code: Path, scratch: Path, sets: list[str], direct: bool = False,
        config: str = QUICKSTART) -> dict[str, float | str]:
    cmd = [sys.executable, "-m", "synthaug_pipelines.cli", "run", config]
    sets = [f"runtime.cache_dir={scratch / 'cache'}", f"output.dir={scratch / 'runs'}", *sets]
    cmd += [a for s in sets for a in ("--set", s)] + (["--direct"] if direct else [])
    seconds, cpu, log = timed(cmd, code)
    run_dir = Path(re.search(r"report: (\S+)report\.html", log).group(1))
    return {"seconds": seconds, "cpu": cpu, "finalize": finalize_seconds(run_dir), "run": str(run_dir)}


def finalize_seconds(run_dir: Path) -> float:
    """Last file written by a cell to COMPLETE: what the user waits for after the grid."""
    cell_files = [p for d in ("cells", "synthetic") for p in (run_dir / d).rglob("*") if p.is_file()]
    last_cell = max((p.stat().st_mtime for p in cell_files), default=(run_dir / "manifest.json").stat().st_mtime)
    return (run_dir / "COMPLETE").stat().st_mtime - last_cell


def startup(code: Path, scratch: Path) -> tuple[float, float]:
    bad = scratch / "bad.yaml"
    bad.write_text("name: x\ndataset: {source: iris}\nprotocol: {repeats: 0}\n")
    cli = [sys.executable, "-m", "synthaug_pipelines.cli"]
    helps = [timed([*cli, "--help"], code)[0] for _ in range(5)]
    errors = [timed([*cli, "run", str(bad)], code, check=False)[0] for _ in range(5)]
    return statistics.median(helps), statistics.median(errors)


def grid150(scratch: Path) -> str:
    """The 90-cell, 150-set grid of the issue on a 768-row, 8-feature binary table (Pima-sized)."""
    import numpy as np
    import pandas as pd
    import yaml

    rng = np.random.default_rng(0)
    X = rng.normal(size=(768, 8))
    y = (X[:, 0] + 0.6 * X[:, 1] - 0.4 * X[:, 2] + rng.normal(size=768) > 0.6).astype(int)
    scratch.mkdir(parents=True, exist_ok=True)
    table = scratch / "grid150.csv"
    pd.DataFrame(X, columns=[f"f{i}" for i in range(8)]).assign(outcome=y).to_csv(table, index=False)
    doc = {"name": "grid150", "seed": 0, "dataset": {"source": str(table), "target": "outcome"},
           "generators": {"gaussian_copula": {}, "ctgan": {"epochs": 10}, "tvae": {"epochs": 10},
                          "copulagan": {"epochs": 10}, "smote": {}},
           "classifiers": ["logistic_regression", "decision_tree", "random_forest"],
           "protocol": {"repeats": 5, "fractions": [0.25, 0.5, 1.0], "ratios": [1.0],
                        "strategies": ["match", "balance"]},
           "runtime": {"task_runner": "processes", "workers": 2}}
    config = scratch / "grid150.yaml"
    config.write_text(yaml.safe_dump(doc))
    res = run(ROOT, scratch, ["runtime.cache=false"], config=str(config))
    n_sets = len(pd.read_parquet(Path(str(res["run"])) / "sets.parquet"))
    text = (f"# 150-set grid: finalize\n\n| measurement | result |\n|---|---|\n"
            f"| machine | {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at end |\n"
            f"| grid | 90 cells, {n_sets} synthetic sets, Prefect, 2 process workers, cache off |\n"
            f"| whole run | {res['seconds']:.1f} s |\n"
            f"| finalize (last cell file to COMPLETE) | **{res['finalize']:.1f} s** (target ≤ 30 s) |\n")
    (RESULTS / "speed_bench_grid150.md").write_text(text)
    return text


def worktree(commit: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="speed-baseline-")) / "wt"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), commit], cwd=ROOT, check=True,
                   capture_output=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default="35caf42", help="commit to compare with (default: before issue 13)")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--grid150", action="store_true", help="only the 150-set grid's finalize")
    args = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="speed-bench-"))
    if args.grid150:
        print(grid150(scratch / "grid150"))
        return
    rows: list[tuple[str, str]] = [("machine", f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start")]
    base = None if args.skip_baseline else worktree(args.baseline)
    try:
        if base is not None:
            old = run(base, scratch / "old", ["runtime.cache=false"])
            rows.append((f"quickstart uncached, Prefect, baseline {args.baseline}",
                         f"{old['seconds']:.1f} s (CPU {old['cpu']:.0f} s, finalize {old['finalize']:.1f} s)"))
        new = run(ROOT, scratch / "new", [])
        rows.append(("quickstart uncached, Prefect, this checkout",
                     f"{new['seconds']:.1f} s (CPU {new['cpu']:.0f} s, finalize {new['finalize']:.1f} s)"))
        if base is not None:
            rows.append(("ratio this / baseline", f"**{new['seconds'] / old['seconds']:.2f}×** (target ≤ 0.5×)"))
        cached = run(ROOT, scratch / "new", [])
        speedup = new["seconds"] / cached["seconds"]
        rows.append(("unchanged re-run from the cache",
                     f"{cached['seconds']:.1f} s (CPU {cached['cpu']:.0f} s): **{speedup:.1f}× faster** "
                     "(target ≥ 10×)"))
        direct = run(ROOT, scratch / "direct", [], direct=True)  # like the Prefect run: an empty cache
        # Two more pairs with the cache off, in both orders: one pair's ratio moves by ±0.1 between
        # windows. (The 8-15% "first run of a code tree" slowdown of earlier windows was this script's
        # own Prefect-home warm-up, timed inside that run until the environment was built before the clock.)
        again = run(ROOT, scratch / "again", ["runtime.cache=false"])
        direct2 = run(ROOT, scratch / "direct2", ["runtime.cache=false"], direct=True)
        direct3 = run(ROOT, scratch / "direct3", ["runtime.cache=false"], direct=True)
        again3 = run(ROOT, scratch / "again3", ["runtime.cache=false"])
        ratios = [new["seconds"] / direct["seconds"], again["seconds"] / direct2["seconds"],
                  again3["seconds"] / direct3["seconds"]]
        rows.append(("quickstart uncached, --direct", f"{direct['seconds']:.1f} s (CPU {direct['cpu']:.0f} s); "
                     f"cache off: Prefect {again['seconds']:.1f} s then direct {direct2['seconds']:.1f} s, direct "
                     f"{direct3['seconds']:.1f} s then Prefect {again3['seconds']:.1f} s; Prefect / direct "
                     f"{' / '.join(f'{r:.2f}×' for r in ratios)}, **mean {statistics.mean(ratios):.2f}×** "
                     f"(target ≤ 1.10×; CPU {again['cpu']:.0f} / {direct2['cpu']:.0f} s)"))
        # Three pairs in alternating order: the loop's own time moves by ±2 s between windows (torch's two
        # threads on two cores), the pipeline's by a few tenths, so one pair's ratio moves by ±0.05.
        pairs = []
        for k in range(3):
            first_pipe = k % 2 == 0
            loop = None if first_pipe else timed([sys.executable, str(ROOT / "benchmarks" / "notebook_loop.py")], ROOT)
            pipe = run(ROOT, scratch / f"nb{k}", ["runtime.cache=false", *NOTEBOOK_SETS])
            loop = loop or timed([sys.executable, str(ROOT / "benchmarks" / "notebook_loop.py")], ROOT)
            pairs.append((pipe["seconds"], pipe["cpu"], loop[0], loop[1]))
        mean_pipe, mean_loop = (statistics.mean(p[i] for p in pairs) for i in (0, 2))
        rows.append(("notebook-equivalent: pipeline (2 workers) vs hand-written loop, three pairs",
                     "; ".join(f"{p:.1f} s (CPU {pc:.0f}) vs {lo:.1f} s (CPU {lc:.0f})" for p, pc, lo, lc in pairs)
                     + f": {' / '.join(f'{p[0] / p[2]:.2f}×' for p in pairs)}, **mean {mean_pipe:.1f} / "
                     f"{mean_loop:.1f} s = {mean_pipe / mean_loop:.2f}×** (target ≤ 0.7×)"))
        helps, error = startup(ROOT, scratch)
        rows.append(("`synthaug --help` / config error (median of 5)",
                     f"{helps:.2f} s (target ≤ 1.5) / {error:.2f} s (target ≤ 2)"))
    finally:
        if base is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True)
    text = "# Speed benchmark\n\n| measurement | result |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "speed_bench.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
