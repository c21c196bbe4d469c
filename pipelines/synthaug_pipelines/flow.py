"""The Prefect flow: thin tasks over the library's plan, run_cell and finalize (the same grid as run_experiment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, tags, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from synthaug.cellcache import is_cached, run_cell_cached
from synthaug.config import ExperimentConfig, load_config
from synthaug.outputs import finalize, start_run
from synthaug.runner import Cell, CellResult, plan, prepare
from synthaug_pipelines.artifacts import GridProgress, publish_results, run_tags, tag_current_flow_run
from synthaug_pipelines.runners import limit_worker_threads, make_task_runner


@task(name="load-config", cache_policy=NO_CACHE)
def load_config_task(config_path: str, overrides: dict[str, Any] | None) -> ExperimentConfig:
    return load_config(config_path, overrides)


@task(name="start-run", cache_policy=NO_CACHE)
def start_run_task(cfg: ExperimentConfig) -> str:
    """Checks the data and the grid before anything is fitted, then opens the run folder."""
    return str(start_run(cfg, prepare(cfg)))


@task(name="run-cell", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def run_cell_task(cfg: ExperimentConfig, cell: Cell, run_dir: str) -> CellResult:
    """One cell through the library's content-addressed cell cache (finished cells are reused, not refitted).

    Retried once: a worker lost mid-cell leaves no cache entry, and the retry recomputes it."""
    limit_worker_threads()
    return run_cell_cached(cfg, cell, Path(run_dir))


@task(name="finalize", cache_policy=NO_CACHE)
def finalize_task(cfg: ExperimentConfig, run_dir: str, results: list[CellResult]) -> str:
    return str(finalize(cfg, Path(run_dir), results))


def cell_run_name(cfg: ExperimentConfig, cell: Cell) -> str:
    return f"{cfg.dataset.source.split('/')[-1]}-{cell.generator or 'real-only'}-r{cell.repeat}-f{cell.fraction:g}"


@flow(name="augmentation-grid")
def augmentation_grid(cfg: ExperimentConfig, run_dir: str, progress_id: str | None = None) -> list[CellResult]:
    """Fans the cells out over the configured task runner; progress goes to the logs and a progress artifact."""
    logger = get_run_logger()
    cells = plan(cfg)
    progress = GridProgress(len(cells), cfg.name, progress_id)
    futures = [run_cell_task.with_options(task_run_name=cell_run_name(cfg, c)).submit(cfg, c, run_dir)
               for c in cells]
    index = {id(f): i for i, f in enumerate(futures)}
    results: list[CellResult | None] = [None] * len(cells)
    for n, fut in enumerate(as_completed(futures), 1):
        res = fut.result()
        results[index[id(fut)]] = res
        hit = bool(res.info.get("cache_hit"))
        progress.advance(res.cell.id, hit)
        logger.info("cell %d/%d done: %s%s", n, len(cells), res.cell.id, " (cached)" if hit else "")
    return [r for r in results if r is not None]


def experiment_run_name() -> str:
    """`<config stem>-<UTC time>`: the runs list in the UI says which experiment ran when."""
    import datetime as dt

    from prefect.runtime import flow_run

    stem = Path(str(flow_run.parameters.get("config_path", "experiment"))).stem
    return f"{stem}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"


@flow(name="augmentation-experiment", log_prints=True, flow_run_name=experiment_run_name)
def augmentation_experiment(config_path: str, overrides: dict[str, Any] | None = None) -> str:
    """Fit generators, sample, validate, retrain classifiers and report the gain; returns the run folder."""
    cfg = load_config_task(config_path, overrides)
    labels = run_tags(cfg)
    tag_current_flow_run(labels)
    with tags(*labels):
        run_dir = start_run_task(cfg)
        cells = plan(cfg)
        progress = GridProgress(len(cells), cfg.name)
        all_cached = all(is_cached(cfg, c) for c in cells)
        if all_cached:
            get_run_logger().info("all %d cells are cached: re-rendering the report from them", len(cells))
        grid = augmentation_grid.with_options(task_runner=make_task_runner(cfg.runtime, all_cached),
                                              flow_run_name=f"{cfg.name}-grid")
        results = grid(cfg, run_dir, str(progress.id))
        out = finalize_task(cfg, run_dir, results)
    links = publish_results(cfg, Path(out))
    get_run_logger().info("report: %s (%s)", Path(out) / "report.html", links.get("report"))
    return out
