"""Operations benchmark (issue 6): cached re-run, 1 vs 2 workers, Prefect overhead.

Why: a scheduled re-run with unchanged inputs should mostly re-render the report (target: at least
5× faster than the first run); two workers should nearly halve the grid on 2 cores (target: at least
1.6×); and the flow should cost little over the plain `run_experiment` loop.

Protocol (each run a fresh `synthaug run` subprocess, wall time from launch to exit; see
`quickstart_bench.timed_run`):

1. first:   the quickstart through the embedded flow, empty cache, 2 process workers;
2. cached:  the same command again on the same cache (new run folder; cells and fits reused);
   and once more with `validation.data_docs=false` (same cells; no Data Docs rendering);
3. 1 worker: the flow with `runtime.workers=1`, empty cache  -> speed-up = 1 worker / first;
4. direct:  `synthaug run --direct`, empty cache (plain loop)  -> overhead = 1 worker / direct.

Runs 1, 3 and 4 are also issue 2's quickstart benchmark: results/quickstart_bench.md is written too.

    python benchmarks/ops_bench.py [--config configs/quickstart.yaml] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from quickstart_bench import RESULTS, ROOT, machine, timed_run, write_report

TARGET_CACHED, TARGET_WORKERS = 5.0, 1.8  # issue 6 asked 1.6× of the grid, issue 13 1.8×


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", type=Path, default=ROOT / "configs" / "quickstart.yaml")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override for every run")
    ap.add_argument("--out", type=Path, default=RESULTS / "ops_bench.md")
    ap.add_argument("--workers-only", action="store_true",
                    help="only 2 vs 1 workers, with the grid subflow timed alone (results/ops_bench_workers.md)")
    args = ap.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="ops-bench-"))
    env_line = machine()
    if args.workers_only:
        return workers_only(args, scratch, env_line)
    first = timed_run("first", args.config, scratch / "a" / "cache", [*args.set, "runtime.workers=2"])
    cached = timed_run("cached", args.config, scratch / "a" / "cache", [*args.set, "runtime.workers=2"])
    no_docs = timed_run("cached, no docs", args.config, scratch / "a" / "cache",
                        [*args.set, "runtime.workers=2", "validation.data_docs=false"])
    one = timed_run("1 worker", args.config, scratch / "b" / "cache", [*args.set, "runtime.workers=1"])
    direct = timed_run("direct", args.config, scratch / "c" / "cache", args.set, direct=True)
    speed_cached = first.seconds / cached.seconds
    speed_workers = one.seconds / first.seconds
    overhead = one.seconds / direct.seconds
    lines = [f"# Operations benchmark ({args.config.name})", "",
             f"Machine: {env_line}. Overrides: {args.set or 'none'}. One `synthaug run` subprocess per row "
             "(wall time includes Python start-up and, for Prefect, the embedded server).", "",
             "| run | wall time (s) | cells from cache |", "|---|---|---|",
             *[f"| {r.label} | {r.seconds:.1f} | {r.cache_hits}/{r.cells} |"
               for r in (first, cached, no_docs, one, direct)],
             "",
             f"- cached re-run: **{speed_cached:.1f}× faster** than the first run (target ≥ {TARGET_CACHED:g}×: "
             f"{'met' if speed_cached >= TARGET_CACHED else 'not met'})",
             f"- cached re-run without rebuilding Data Docs: **{first.seconds / no_docs.seconds:.1f}× faster** "
             "(cells now render their Data Docs in the workers; finalize only links them)",
             f"- 2 workers vs 1 on the grid: **{speed_workers:.2f}×** (target ≥ {TARGET_WORKERS:g}×: "
             f"{'met' if speed_workers >= TARGET_WORKERS else 'not met'})",
             f"- Prefect overhead (flow with 1 worker vs direct loop): **{overhead:.2f}×** "
             f"({one.seconds - direct.seconds:+.1f} s)"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-3:]))
    write_report(RESULTS / "quickstart_bench.md", args.config, args.set, env_line, first, one, direct)



def workers_only(args: argparse.Namespace, scratch: Path, env_line: str) -> None:
    """2 vs 1 workers, whole run and grid subflow alone (start-up and finalize are serial by nature)."""
    two = timed_run("2 workers", args.config, scratch / "a" / "cache", [*args.set, "runtime.workers=2"])
    one = timed_run("1 worker", args.config, scratch / "b" / "cache", [*args.set, "runtime.workers=1"])
    grid = (one.grid_seconds or float("nan")) / (two.grid_seconds or float("nan"))
    lines = [f"# 1 vs 2 workers ({args.config.name})", "", f"Machine: {env_line}. Overrides: {args.set or 'none'}.",
             "", "| workers | wall time (s) | grid subflow (s) |", "|---|---|---|",
             *[f"| {r.label} | {r.seconds:.1f} | {r.grid_seconds or float('nan'):.1f} |" for r in (two, one)], "",
             f"- whole run: **{one.seconds / two.seconds:.2f}×**; grid alone: **{grid:.2f}×** "
             f"(target ≥ {TARGET_WORKERS:g}× on the grid: {'met' if grid >= TARGET_WORKERS else 'not met'})"]
    out = args.out.with_name("ops_bench_workers.md")
    out.write_text("\n".join(lines) + "\n")
    print(lines[-1])


if __name__ == "__main__":
    main()
