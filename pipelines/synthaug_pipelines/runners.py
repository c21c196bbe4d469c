"""Task runner from config: threads (default), processes, or Dask (local cluster or a scheduler address)."""

from __future__ import annotations

from typing import Any

from synthaug.config import RuntimeConfig


def limit_worker_threads() -> None:
    """One BLAS/torch thread per worker so parallel workers do not fight over the cores."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass


def make_task_runner(runtime: RuntimeConfig, all_cached: bool = False) -> Any:
    """The configured runner; when every cell is already cached, threads (starting worker processes or a
    Dask cluster only to copy finished results would cost more than the re-render itself)."""
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    if all_cached:
        return ThreadPoolTaskRunner(max_workers=runtime.workers)

    if runtime.task_runner == "processes":
        return ProcessPoolTaskRunner(max_workers=runtime.workers, initializer=limit_worker_threads)
    if runtime.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if runtime.dask_address:
            return DaskTaskRunner(address=runtime.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": runtime.workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    return ThreadPoolTaskRunner(max_workers=runtime.workers)
