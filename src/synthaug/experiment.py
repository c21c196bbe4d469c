"""The plain driver: check, plan, loop over the cells through the cell cache, finalize.

Above `runner` (which computes one cell) and `cellcache` (which wraps `run_cell`), so neither of those
imports the other's caller. The Prefect flow is the other driver over the same plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synthaug.cellcache import run_cell_cached
from synthaug.config import ExperimentConfig
from synthaug.grid import plan
from synthaug.outputs import finalize, start_run, wait_for_workers
from synthaug.parallel import in_processes, ordered_map
from synthaug.runner import CellResult, CellSpec, prepare


def run_experiment(cfg: ExperimentConfig, run_dir: Path | None = None) -> Path:
    """Returns the finished run folder; a failed cell does not stop the loop (`manifest.json` says
    `complete_with_failures`), while `ValidationFailed` ends it with no COMPLETE."""
    data = prepare(cfg)
    run_dir = run_dir or start_run(cfg, data)
    specs = plan(cfg, len(data))
    if in_processes(cfg.runtime.workers, len(specs)):
        del data
        wait_for_workers()
    results = ordered_map(_cell_job, specs, cfg.runtime.workers, run_dir, run_cell_cached)
    return finalize(cfg, run_dir, results)


def _cell_job(spec: CellSpec, run_dir: Path, compute: Any) -> CellResult:
    return compute(spec, run_dir)
