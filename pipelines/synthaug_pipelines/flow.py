"""The Prefect flow: thin tasks over the library's plan, run_cell and finalize (the same grid as run_experiment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from synthaug.config import ExperimentConfig, load_config
from synthaug.outputs import finalize, start_run
from synthaug.runner import Cell, CellResult, plan, prepare, run_cell
from synthaug_pipelines.runners import make_task_runner
from synthaug_pipelines.summaries import gain_markdown


@task(name="load-config", cache_policy=NO_CACHE)
def load_config_task(config_path: str, overrides: dict[str, Any] | None) -> ExperimentConfig:
    return load_config(config_path, overrides)


@task(name="start-run", cache_policy=NO_CACHE)
def start_run_task(cfg: ExperimentConfig) -> str:
    """Checks the data and the grid before anything is fitted, then opens the run folder."""
    return str(start_run(cfg, prepare(cfg)))


@task(name="run-cell", cache_policy=NO_CACHE)
def run_cell_task(cfg: ExperimentConfig, cell: Cell, run_dir: str) -> CellResult:
    return run_cell(cfg, cell, Path(run_dir))


@task(name="finalize", cache_policy=NO_CACHE)
def finalize_task(cfg: ExperimentConfig, run_dir: str, results: list[CellResult]) -> str:
    return str(finalize(cfg, Path(run_dir), results))


def cell_run_name(cfg: ExperimentConfig, cell: Cell) -> str:
    return f"{cfg.dataset.source.split('/')[-1]}-{cell.generator or 'real-only'}-r{cell.repeat}-f{cell.fraction:g}"


@flow(name="augmentation-grid")
def augmentation_grid(cfg: ExperimentConfig, run_dir: str) -> list[CellResult]:
    """Fans the cells out over the configured task runner; progress goes to the logs."""
    logger = get_run_logger()
    cells = plan(cfg)
    futures = [run_cell_task.with_options(task_run_name=cell_run_name(cfg, c)).submit(cfg, c, run_dir)
               for c in cells]
    results = []
    for i, fut in enumerate(futures, 1):
        results.append(fut.result())
        logger.info("cell %d/%d done: %s", i, len(cells), cells[i - 1].id)
    return results


@flow(name="augmentation-experiment", log_prints=True)
def augmentation_experiment(config_path: str, overrides: dict[str, Any] | None = None) -> str:
    """Fit generators, sample, validate, retrain classifiers and report the gain; returns the run folder."""
    cfg = load_config_task(config_path, overrides)
    run_dir = start_run_task(cfg)
    grid = augmentation_grid.with_options(task_runner=make_task_runner(cfg.runtime),
                                          flow_run_name=f"{cfg.name}-grid")
    results = grid(cfg, run_dir)
    out = finalize_task(cfg, run_dir, results)
    create_markdown_artifact(key="gain-table", markdown=gain_markdown(Path(out), cfg),
                             description=f"Augmentation gain for {cfg.name}")
    get_run_logger().info("report: %s", Path(out) / "report.html")
    return out
