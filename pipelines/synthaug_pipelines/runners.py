"""Task runner from config: threads (default), processes, or Dask (local cluster or a scheduler address)."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthaug.config import RuntimeConfig

if TYPE_CHECKING:
    from synthaug.cellspec import CellSpec
    from synthaug.config import ExperimentConfig
    from synthaug.runner import CellResult


def limit_worker_threads() -> None:
    """One BLAS/torch thread per worker so parallel workers do not fight over the cores."""
    from synthaug.parallel import limit_process_threads

    limit_process_threads()


def make_task_runner(runtime: RuntimeConfig, all_cached: bool = False) -> Any:
    """The configured runner; when every cell is already cached, threads (starting worker processes or a
    Dask cluster only to copy finished results would cost more than the re-render itself)."""
    from prefect.task_runners import ThreadPoolTaskRunner

    if all_cached:
        return ThreadPoolTaskRunner(max_workers=runtime.workers)

    if runtime.task_runner == "processes":
        return cell_process_runner()(max_workers=runtime.workers)
    if runtime.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if runtime.dask_address:
            return DaskTaskRunner(address=runtime.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": runtime.workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    return ThreadPoolTaskRunner(max_workers=runtime.workers)


@functools.cache
def cell_process_runner() -> type:
    """`task_runner: processes`: each cell's task run lives in a thread of the flow's process, and the cell
    computes in a worker process of a `WorkerPool` (one import, one thread per library), which never
    imports Prefect. Prefect's own process pool ran the task engine in every worker: Prefect imported
    there (about 55 MiB per worker) and its settings, client and run context rebuilt for every task (about
    0.1 s of CPU per cell), beside the fits on a 2-core machine. Task runs, states, retries and the
    cell's own log lines (handled in the task's thread) are recorded as before.

    One thread per worker process plus one: the next cell's task run is begun (its API calls made) while
    the workers compute, and its job waits in the pool's queue, so a worker that finishes starts the next
    cell at once instead of idling through two task-run transitions (about 0.2 s each, 15 times on the
    notebook-size grid). Jobs run in submission order: the costliest cells still start first. A class
    made on first use, so that importing this module does not import Prefect."""
    from prefect.task_runners import ThreadPoolTaskRunner

    from synthaug.workerpool import WorkerPool

    class CellProcessTaskRunner(ThreadPoolTaskRunner):
        def __init__(self, max_workers: int | None = None) -> None:
            self.workers = max_workers or 1
            super().__init__(max_workers=self.workers + 1)
            self.pool: WorkerPool | None = None

        def duplicate(self) -> CellProcessTaskRunner:
            return type(self)(max_workers=self.workers)

        def __enter__(self) -> CellProcessTaskRunner:
            super().__enter__()
            self.pool = _PRESTARTED.pop(self.workers, None) or WorkerPool(self.workers)
            return self

        def __exit__(self, *exc: Any) -> None:
            pool, self.pool = self.pool, None
            try:
                if pool is not None:
                    pool.shutdown()
            finally:
                super().__exit__(*exc)

        def __getstate__(self) -> dict[str, Any]:
            return {**super().__getstate__(), "pool": None}

    return CellProcessTaskRunner


_PRESTARTED: dict[int, Any] = {}  # worker count -> a started WorkerPool no task runner has taken yet


@contextlib.contextmanager
def prestarted_workers(cfg: ExperimentConfig) -> Iterator[bool]:
    """Inside the block, the process workers of `task_runner: processes` are already starting, each
    importing their cells' libraries once for all and loading the data, while this process checks the
    grid, imports Prefect and starts the flow (about 4 s of CPU on 2 cores); the grid's task runner takes
    them over. Entered before the preflight, which imports scikit-learn: the workers' imports are the
    longest chain of a run's start, so they start first. Left untaken (a cached grid, bad input found by
    the preflight) they are stopped at the end of the block. Yields whether every cell is cached already
    (the report then draws nothing); that needs the data only when the cache is on."""
    from synthaug.cellcache import is_cached
    from synthaug.grid import plan
    from synthaug.warmup import load_data, warm_worker, worker_modules
    from synthaug.workerpool import WorkerPool

    workers = cfg.runtime.workers
    try:
        cached = cfg.runtime.cache and all(is_cached(c) for c in plan(cfg, len(load_data(cfg.dataset))))
        wanted = cfg.runtime.task_runner == "processes" and workers not in _PRESTARTED and not cached
    except Exception:  # noqa: BLE001 - bad data or grid: the preflight inside the block names it
        cached, wanted = False, False
    if wanted:
        _PRESTARTED[workers] = WorkerPool(workers, warm=warm_worker, warm_args=(cfg,),
                                          preload=worker_modules(cfg)).start()
    try:
        yield cached
    finally:
        pool = _PRESTARTED.pop(workers, None) if wanted else None
        if pool is not None:
            pool.stop()


def compute_cell(spec: CellSpec, run_dir: str) -> CellResult:
    """One cell through the library's cell cache: in the task runner's worker pool when it has one,
    otherwise right here (a thread of the flow's process, or a Dask worker) with one thread per library."""
    from prefect.context import FlowRunContext

    from synthaug.cellcache import run_cell_cached

    ctx = FlowRunContext.get()
    pool = getattr(ctx.task_runner if ctx else None, "pool", None)
    if pool is not None:
        return pool.run(run_cell_cached, spec, Path(run_dir))
    limit_worker_threads()
    return run_cell_cached(spec, Path(run_dir))


def retry_infrastructure_only(task: Any, task_run: Any, state: Any) -> bool:
    """`retry_condition_fn` of the cell task: retry only when infrastructure failed, never a cell's own
    error. `run_cell` already turns a cell's exceptions into a failed result, so what still raises is a
    run stopper (`validation.policy: fail`: retrying would fail the same way) or the machinery (a lost
    connection, disk or worker), which a second try may survive."""
    exc = getattr(state, "data", None)
    return isinstance(exc, BaseException) and is_infrastructure_failure(exc)


def is_infrastructure_failure(exc: BaseException) -> bool:
    from concurrent.futures import BrokenExecutor

    from synthaug.failures import is_run_stopper

    if is_run_stopper(exc):
        return False
    return isinstance(exc, OSError | MemoryError | EOFError | BrokenExecutor) or \
        type(exc).__name__ in {"KilledWorker", "CommClosedError"}


def stop_task_runner(runner: Any, futures: Iterable[Any] = ()) -> None:
    """Cancel queued cells and stop running ones now, after a failure or interrupt that ends the run.

    Prefect's own exit waits for running tasks (its process pool shuts down with `wait=True`): minutes
    of fitting nobody will read. Worker processes are terminated; threads cannot be, so a thread runner
    only cancels what has not started; Dask futures are cancelled on the cluster."""
    from concurrent.futures import ProcessPoolExecutor

    from synthaug.parallel import stop_pool
    from synthaug_pipelines.interrupt import stop_worker_trees

    pool = getattr(runner, "pool", None)
    if pool is not None:
        stop_worker_trees(pool.pids())
        pool.stop()
    for event in list((getattr(runner, "_cancel_events", None) or {}).values()):
        with contextlib.suppress(Exception):
            event.set()
    executor = getattr(runner, "_executor", None)
    if isinstance(executor, ProcessPoolExecutor):
        stop_worker_trees([p.pid for p in (getattr(executor, "_processes", None) or {}).values()])
        stop_pool(executor)
    elif executor is not None and hasattr(executor, "shutdown"):
        executor.shutdown(wait=False, cancel_futures=True)
    for fut in futures:
        with contextlib.suppress(Exception):
            fut.wrapped_future.cancel()


@contextlib.contextmanager
def workers_share_api() -> Iterator[None]:
    """Spawned task workers inherit `os.environ`. On a temporary (ephemeral) API server the URL is in no
    setting, so each process worker started its own server: 8–17 s per worker, one more uvicorn each to
    stop, and task runs recorded where nobody looks. Inside this block they report to ours."""
    from prefect.settings import get_current_settings

    if os.environ.get("PREFECT_API_URL") or get_current_settings().api.url:
        yield
        return
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        url = str(client.api_url).rstrip("/")
    os.environ["PREFECT_API_URL"] = url
    try:
        yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
