"""The quickstart through Prefect vs through `run_experiment` directly (issue 2, item 13).

Why: the flow must not cost much more than the plain loop it wraps; and the quickstart's wall time on
2 cores is the figure a newcomer meets first (target: under 3 minutes).

Protocol: each timed run is a fresh `synthaug run configs/quickstart.yaml` subprocess, as a user types
it, with an empty cache folder (nothing reused) and its own PREFECT_HOME; wall time from start to exit,
so Python start-up, imports and (for Prefect) the embedded server's start are included:

- prefect:        the embedded flow as configured (process task runner, `runtime.workers` workers);
- prefect-1w:     the embedded flow with one worker (same work as direct: the pure orchestration cost);
- direct:         `synthaug run --direct`, the library's plain sequential loop.

    python benchmarks/quickstart_bench.py [--config configs/quickstart.yaml] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYNTHAUG = Path(sys.executable).parent / "synthaug"
RESULTS = ROOT / "benchmarks" / "results"


@dataclass
class Timed:
    label: str
    seconds: float
    run_dir: Path
    cache_hits: int = 0
    cells: int = 0
    grid_seconds: float | None = None  # the grid subflow alone (flow runs only), from Prefect's log times


def grid_span(run_dir: Path) -> float | None:
    """Grid time from the run folder: `config.yaml` is written before the first cell (and never again;
    `manifest.json` is rewritten with the run's status at the end), `results.parquet` first thing after
    the last; the same for both drivers, whatever the log format."""
    try:
        return (run_dir / "results.parquet").stat().st_mtime - (run_dir / "config.yaml").stat().st_mtime
    except OSError:
        return None


def grid_seconds(log: str) -> float | None:
    """Seconds from the grid subflow's start to its end, read from Prefect's `HH:MM:SS.fff | INFO` lines."""
    stamp = r"(\d\d):(\d\d):(\d\d\.\d+) \| INFO\s+\| Flow run '[^']*-grid' - "
    begin = re.search(stamp + "Beginning subflow run", log)
    end = re.search(stamp + "Finished in state", log)
    if not (begin and end):
        return None
    t0, t1 = (int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3]) for m in (begin, end))
    return (t1 - t0) % 86400


def timed_run(label: str, config: Path, cache_dir: Path, extra: list[str], direct: bool = False) -> Timed:
    """One `synthaug run` subprocess, timed from launch to exit; outputs under the cache's parent."""
    sets = [f"runtime.cache_dir={cache_dir}", f"output.dir={cache_dir.parent / 'runs'}", *extra]
    cmd = [str(SYNTHAUG), "run", str(config), *[a for s in sets for a in ("--set", s)]]
    cmd += ["--direct"] if direct else []
    env = {**os.environ, "PREFECT_HOME": tempfile.mkdtemp(prefix="bench-prefect-"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "GX_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{label} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    run_dir = Path(re.search(r"report: (\S+)report\.html", out.stdout).group(1))
    timed = Timed(label, seconds, run_dir, grid_seconds=grid_seconds(out.stderr + out.stdout) or grid_span(run_dir))
    try:
        import pandas as pd

        cells = pd.read_parquet(run_dir / "cells.parquet")
        timed.cells = len(cells)
        timed.cache_hits = int(cells.get("cache_hit", pd.Series(dtype=bool)).fillna(False).sum())
    except (OSError, ValueError):
        pass
    grid = f", grid {timed.grid_seconds:.1f} s" if timed.grid_seconds is not None else ""
    print(f"{label:<14} {seconds:8.1f} s  ({timed.cells} cells, {timed.cache_hits} from cache{grid})  {run_dir}",
          flush=True)
    return timed


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at start"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", type=Path, default=ROOT / "configs" / "quickstart.yaml")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override for every run")
    ap.add_argument("--out", type=Path, default=RESULTS / "quickstart_bench.md")
    args = ap.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="quickstart-bench-"))
    env_line = machine()
    runs = [timed_run("prefect", args.config, scratch / "a" / "cache", args.set),
            timed_run("prefect-1w", args.config, scratch / "b" / "cache", [*args.set, "runtime.workers=1"]),
            timed_run("direct", args.config, scratch / "c" / "cache", args.set, direct=True)]
    write_report(args.out, args.config, args.set, env_line, *runs)


def write_report(out: Path, config: Path, overrides: list[str], env_line: str, prefect: Timed, one: Timed,
                 direct: Timed) -> None:
    """The figures as Markdown (also called by ops_bench, whose runs include these three)."""
    lines = [f"# Quickstart: Prefect vs direct ({config.name})", "",
             f"Machine: {env_line}. Overrides: {overrides or 'none'}. Cold caches, one subprocess per run.", "",
             "| path | wall time (s) |", "|---|---|",
             f"| Prefect, embedded server, as configured (2 process workers) | {prefect.seconds:.1f} |",
             f"| Prefect, embedded server, 1 worker | {one.seconds:.1f} |",
             f"| direct `run_experiment` (plain loop) | {direct.seconds:.1f} |", "",
             f"- Prefect (as configured) / direct: **{prefect.seconds / direct.seconds:.2f}×** the time",
             f"- Prefect, 1 worker / direct (orchestration overhead on the same sequential work): "
             f"**{one.seconds / direct.seconds:.2f}×** ({one.seconds - direct.seconds:+.1f} s)"]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-2:]))

if __name__ == "__main__":
    main()
