"""The plain driver: check, plan, loop over the cells through the cell cache, finalize.

Above `runner` (which computes one cell) and `cellcache` (which wraps `run_cell`), so neither of those
imports the other's caller. The Prefect flow is the other driver over the same plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synthaug.cellcache import run_cell_cached
from synthaug.config import ExperimentConfig
from synthaug.outputs import finalize, start_run
from synthaug.parallel import in_processes, ordered_map, return_freed_memory
from synthaug.reporting.report import import_sections_in_background
from synthaug.runner import CellResult, CellSpec, plan, prepare, release_data


def run_experiment(cfg: ExperimentConfig, run_dir: Path | None = None) -> Path:
    """Returns the finished run folder; a failed cell does not stop the loop (`manifest.json` says
    `complete_with_failures`), while `ValidationFailed` ends it with no COMPLETE."""
    data = prepare(cfg)
    run_dir = run_dir or start_run(cfg, data)
    specs = plan(cfg, len(data))
    if in_processes(cfg.runtime.workers, len(specs)):
        del data
        release_data()  # each worker loads its own copy; this process need not hold one for the grid
        import_sections_in_background()  # the report's imports, while this process waits for the workers
    results = ordered_map(_cell_job, specs, cfg.runtime.workers, run_dir, run_cell_cached)
    return finalize(cfg, run_dir, results)


def _cell_job(spec: CellSpec, run_dir: Path, compute: Any) -> CellResult:
    try:
        return compute(spec, run_dir)
    finally:
        return_freed_memory()
