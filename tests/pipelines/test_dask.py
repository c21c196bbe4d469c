"""Issue 6 (c): the grid on Dask through prefect-dask, on a LocalCluster this test starts and stops."""

from __future__ import annotations

from pathlib import Path

import failing_plugin
import pandas as pd
from synthaug_pipelines.runners import make_task_runner

from synthaug.config import RuntimeConfig


def test_dask_runner_builds_local_cluster_with_one_thread_per_worker() -> None:
    runner = make_task_runner(RuntimeConfig(task_runner="dask", workers=3))
    assert runner.cluster_kwargs["n_workers"] == 3 and runner.cluster_kwargs["threads_per_worker"] == 1
    assert make_task_runner(RuntimeConfig(task_runner="dask", dask_address="tcp://10.0.0.1:8786")).address
    reuse = make_task_runner(RuntimeConfig(task_runner="processes", workers=2), all_cached=True)
    assert type(reuse).__name__ == "ThreadPoolTaskRunner"  # a pure re-render starts no worker processes
    runner = make_task_runner(RuntimeConfig(task_runner="processes", workers=2))
    # cells compute in a WorkerPool, whose workers are set up like the plain driver's: one thread per library
    with runner.duplicate() as entered:
        assert entered.workers == 2 and entered.pool.workers == 2
        assert entered._max_workers == 3  # a task run begun ahead, its cell queued for the next free worker
        assert entered.pool.run(failing_plugin.thread_env) == "1"
    assert entered.pool is None  # shut down with the runner


def test_flow_on_dask_local_cluster(prefect_harness, tiny_config: dict, write_config) -> None:
    from distributed import Client, LocalCluster
    from synthaug_pipelines.flow import augmentation_experiment

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        tiny_config["runtime"].update(task_runner="dask", dask_address=cluster.scheduler_address)
        tiny_config["protocol"]["fractions"] = [1.0]
        run_dir = Path(augmentation_experiment(str(write_config(tiny_config)), None))
        with Client(cluster) as client:
            done = client.run_on_scheduler(lambda dask_scheduler: {
                ws.address: len(ws.processing) for ws in dask_scheduler.workers.values()})
            transitions = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)
    assert (run_dir / "COMPLETE").is_file() and len(done) == 2
    assert transitions >= 6 * 3  # every cell went released -> waiting -> processing -> memory on the cluster
    cells = pd.read_parquet(run_dir / "cells.parquet")
    assert len(cells) == 6 and not cells["cache_hit"].any()
    results = pd.read_parquet(run_dir / "results.parquet")
    assert set(results["generator"]) == {"real", "gaussian_copula", "smote"} and results["value"].notna().any()
