"""The Prefect flow: thin tasks over the library's plan, run_cell and finalize (the same grid as run_experiment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect.states import Failed, State
from prefect.utilities.annotations import quote

from synthaug.cellcache import is_cached
from synthaug.config import ExperimentConfig, load_config
from synthaug.errors import CellsFailed
from synthaug.failures import is_run_stopper
from synthaug.grid import plan
from synthaug.layout import RunLayout
from synthaug.outputs import finalize, start_run, wait_for_workers
from synthaug.preflight import check_runtime
from synthaug.runner import CellResult, CellSpec, failed_cell, prepare
from synthaug.validation.result import ValidationFailed
from synthaug.warmup import load_data
from synthaug_pipelines.artifacts import GridProgress, publish_results, run_tags, tag_current_flow_run
from synthaug_pipelines.runners import (
    compute_cell,
    make_task_runner,
    retry_infrastructure_only,
    stop_task_runner,
    workers_share_api,
)


@task(name="load-config", cache_policy=NO_CACHE)
def load_config_task(config_path: str, overrides: dict[str, Any] | None) -> ExperimentConfig:
    return load_config(config_path, overrides)


@task(name="start-run", cache_policy=NO_CACHE)
def start_run_task(cfg: ExperimentConfig) -> str:
    """Checks the data, the grid and the task runner's cluster before anything is fitted, then opens
    the run folder."""
    data = prepare(cfg)
    check_runtime(cfg.runtime)
    return str(start_run(cfg, data))


@task(name="run-cell", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2,
      retry_condition_fn=retry_infrastructure_only)
def run_cell_task(spec: CellSpec, run_dir: str) -> CellResult:
    """One cell through the library's content-addressed cell cache (finished cells are reused, not refitted),
    computed in the task runner's worker process when it has them.

    A cell's own error comes back as a failed CellResult (recorded, never cached, not retried: it is
    deterministic). Retried once only for infrastructure errors; a failed cell leaves no cache entry."""
    return compute_cell(spec, run_dir)


@task(name="finalize", cache_policy=NO_CACHE)
def finalize_task(cfg: ExperimentConfig, run_dir: str, results: list[CellResult]) -> str:
    return str(finalize(cfg, Path(run_dir), results))


def cell_run_name(spec: CellSpec) -> str:
    cell = spec.cell
    return f"{spec.dataset.source.split('/')[-1]}-{cell.generator or 'real-only'}-r{cell.repeat}-f{cell.fraction:g}"


@flow(name="augmentation-grid")
def augmentation_grid(cfg: ExperimentConfig, run_dir: str, n_rows: int,
                      progress_id: str | None = None) -> quote[list[CellResult]] | State[Any]:
    """Fans the cells out over the configured task runner; progress goes to the logs and a progress artifact.

    A failed cell is a result like any other. `ValidationFailed` (policy `fail`) or an interrupt stops
    the remaining cells at once; the former ends this flow Failed with the message, no traceback.
    The results come back quoted: Prefect's flow engine otherwise walks every score row looking for
    futures (about a second of the CLI process's CPU on the quickstart)."""
    logger = get_run_logger()
    tag_current_flow_run(run_tags(cfg))
    cells = plan(cfg, n_rows)  # costliest first: the workers finish together
    progress = GridProgress(len(cells), cfg.name, progress_id)
    futures = [run_cell_task.with_options(task_run_name=cell_run_name(c)).submit(c, run_dir) for c in cells]
    index = {id(f): i for i, f in enumerate(futures)}
    results: list[CellResult | None] = [None] * len(cells)
    try:
        for n, fut in enumerate(as_completed(futures), 1):
            res = cell_outcome(fut, cells[index[id(fut)]], run_dir)
            results[index[id(fut)]] = res
            hit = bool(res.info.cache_hit)
            progress.advance(res.cell.id, hit, res.failed)
            if res.failed:
                logger.warning("cell %d/%d FAILED: %s: %s: %s (%s)", n, len(cells), res.cell.id,
                               res.info.error_type, res.info.error, res.info.traceback)
            else:
                logger.info("cell %d/%d done: %s%s", n, len(cells), res.cell.id, " (cached)" if hit else "")
    except BaseException as exc:
        progress.flush()
        stop_task_runner(FlowRunContext.get().task_runner, futures)
        if isinstance(exc, ValidationFailed):
            return validation_stopped(exc)
        raise
    return quote([r for r in results if r is not None])


def cell_outcome(fut: Any, spec: CellSpec, run_dir: str) -> CellResult:
    """The task's result; a task that still raised after its retry (a lost worker, a broken pool: the
    cell's own errors never get here) becomes a failed cell like any other, and the grid goes on."""
    try:
        return fut.result()
    except Exception as exc:
        if is_run_stopper(exc):
            raise
        return failed_cell(spec, Path(run_dir), exc)


def validation_stopped(exc: ValidationFailed, log: bool = True) -> State[Any]:
    """The flow's end under `validation.policy: fail`: Failed, the message naming set and expectations."""
    if log:
        get_run_logger().error("validation.policy 'fail' stopped the run: %s", exc)
    return Failed(message=f"validation.policy 'fail' stopped the run: {exc}", data=exc)


def experiment_run_name() -> str:
    """`<config stem>-<UTC time>`: the runs list in the UI says which experiment ran when."""
    import datetime as dt

    from prefect.runtime import flow_run

    stem = Path(str(flow_run.parameters.get("config_path", "experiment"))).stem
    return f"{stem}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"


@flow(name="augmentation-experiment", log_prints=True, flow_run_name=experiment_run_name)
def augmentation_experiment(config_path: str, overrides: dict[str, Any] | None = None) -> str | State[Any]:
    """Fit generators, sample, validate, retrain classifiers and report the gain; returns the run folder.

    With failed cells the run still finishes (tables, report, COMPLETE, artifacts) and the flow run ends
    Failed naming them; calling the flow then raises `CellsFailed`, which carries the run folder.
    Under `validation.policy: fail` it ends Failed with no COMPLETE and raises `ValidationFailed`."""
    cfg = load_config_task(config_path, overrides)
    # Tags go on the flow runs (the UI filters runs by them), not on task runs: Prefect acquires
    # tag-concurrency slots through the API at the start of every tagged task run, about 0.5 s of a
    # worker's time per cell on 2 cores.
    tag_current_flow_run(run_tags(cfg))
    run_dir = start_run_task(cfg)
    n_rows = len(load_data(cfg.dataset))  # checked by start-run already; loaded once per process
    cells = plan(cfg, n_rows)  # costliest first: the workers finish together
    progress = GridProgress(len(cells), cfg.name)
    all_cached = all(is_cached(c) for c in cells)
    if all_cached:
        get_run_logger().info("all %d cells are cached: re-rendering the report from them", len(cells))
    elif cfg.runtime.task_runner != "threads":
        wait_for_workers()  # cells run in worker processes, which load their own copy of the data
    grid = augmentation_grid.with_options(task_runner=make_task_runner(cfg.runtime, all_cached),
                                          flow_run_name=f"{cfg.name}-grid")
    try:
        with workers_share_api():
            results = grid(cfg, run_dir, n_rows, str(progress.id)).unwrap()
    except ValidationFailed as exc:  # the grid logged it
        return validation_stopped(exc, log=False)
    out = finalize_task(cfg, run_dir, quote(results))  # quote: Prefect must not walk every result row
    links = publish_results(cfg, Path(out))
    get_run_logger().info("report: %s (%s)", RunLayout(out).report_html, links.get("report"))
    failed = [r.cell.id for r in results if r.failed]
    if failed:
        error = CellsFailed(out, failed)
        get_run_logger().error("%s", error)
        return Failed(message=str(error), data=error)
    return out
