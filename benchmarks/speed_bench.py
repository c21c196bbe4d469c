"""Fast feedback, measured side by side (issue 13): this checkout against a baseline commit, the
pipeline against a hand-written loop, cold against cached, and start-up.

Why side by side: on a shared 2-core machine absolute seconds drift by tens of percent between
windows; ratios taken in one window (baseline and candidate interleaved) do not. Every timing is a
whole `python -m synthaug_pipelines.cli` process, as a user types it. The baseline runs from a
`git worktree` of `--baseline` with the same virtual environment (`PYTHONPATH` puts its sources
first), so only the code differs.

- quickstart, Prefect as configured (2 process workers), nothing reused: baseline vs this checkout;
  `finalize` = last file a cell wrote (cells/, synthetic/) to `COMPLETE`;
- quickstart `--direct` (Prefect / direct ratio) and an unchanged re-run from the cache;
- the notebook-equivalent config through the pipeline vs `benchmarks/notebook_loop.py`;
- `synthaug --help` and a config error (median of 5).

    python benchmarks/speed_bench.py [--baseline 35caf42] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import os
import re
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


def env_for(code: Path) -> dict[str, str]:
    env = {**os.environ, "PREFECT_HOME": tempfile.mkdtemp(prefix="speed-prefect-"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "GX_ANALYTICS_ENABLED": "false",
           "PYTHONPATH": f"{code / 'src'}{os.pathsep}{code / 'pipelines'}"}
    env.pop("PREFECT_API_URL", None)
    return env


def timed(cmd: list[str], code: Path, check: bool = True) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env_for(code), capture_output=True, text=True, cwd=code)
    seconds = time.perf_counter() - start
    if check and out.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return seconds, out.stdout + out.stderr


def run(code: Path, scratch: Path, sets: list[str], direct: bool = False) -> dict[str, float | str]:
    cmd = [sys.executable, "-m", "synthaug_pipelines.cli", "run", QUICKSTART]
    sets = [f"runtime.cache_dir={scratch / 'cache'}", f"output.dir={scratch / 'runs'}", *sets]
    cmd += [a for s in sets for a in ("--set", s)] + (["--direct"] if direct else [])
    seconds, log = timed(cmd, code)
    run_dir = Path(re.search(r"report: (\S+)report\.html", log).group(1))
    return {"seconds": seconds, "finalize": finalize_seconds(run_dir), "run": str(run_dir)}


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


def worktree(commit: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="speed-baseline-")) / "wt"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), commit], cwd=ROOT, check=True,
                   capture_output=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default="35caf42", help="commit to compare with (default: before issue 13)")
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="speed-bench-"))
    rows: list[tuple[str, str]] = [("machine", f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start")]
    base = None if args.skip_baseline else worktree(args.baseline)
    try:
        if base is not None:
            old = run(base, scratch / "old", ["runtime.cache=false"])
            rows.append((f"quickstart uncached, Prefect, baseline {args.baseline}",
                         f"{old['seconds']:.1f} s (finalize {old['finalize']:.1f} s)"))
        new = run(ROOT, scratch / "new", [])
        rows.append(("quickstart uncached, Prefect, this checkout",
                     f"{new['seconds']:.1f} s (finalize {new['finalize']:.1f} s)"))
        if base is not None:
            rows.append(("ratio this / baseline", f"**{new['seconds'] / old['seconds']:.2f}×** (target ≤ 0.5×)"))
        cached = run(ROOT, scratch / "new", [])
        speedup = new["seconds"] / cached["seconds"]
        rows.append(("unchanged re-run from the cache",
                     f"{cached['seconds']:.1f} s: **{speedup:.1f}× faster** (target ≥ 10×)"))
        direct = run(ROOT, scratch / "direct", ["runtime.cache=false"], direct=True)
        rows.append(("quickstart uncached, --direct", f"{direct['seconds']:.1f} s; Prefect / direct "
                     f"**{new['seconds'] / direct['seconds']:.2f}×** (target ≤ 1.10×)"))
        pipe = run(ROOT, scratch / "nb", ["runtime.cache=false", *NOTEBOOK_SETS])
        loop, _ = timed([sys.executable, str(ROOT / "benchmarks" / "notebook_loop.py")], ROOT)
        rows.append(("notebook-equivalent: pipeline (2 workers) vs hand-written loop",
                     f"{pipe['seconds']:.1f} s vs {loop:.1f} s: **{pipe['seconds'] / loop:.2f}×** (target ≤ 0.7×)"))
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
