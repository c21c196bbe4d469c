"""Task runners of the Prefect driver: process workers started ahead of the flow, and taken over by it."""

from __future__ import annotations

import time
from pathlib import Path

import failing_plugin
import psutil
from synthaug_pipelines import runners
from synthaug_pipelines.runners import make_task_runner, prestarted_workers
from testkit import tiny_doc

from synthaug.config import ExperimentConfig
from synthaug.runner import prepare


def test_prestarted_workers_load_data_and_libraries_and_the_task_runner_takes_them(tmp_path: Path) -> None:
    # Setup
    cfg = ExperimentConfig.model_validate(tiny_doc(tmp_path, task_runner="processes"))
    n_rows = len(prepare(cfg))
    # Run
    with prestarted_workers(cfg, n_rows) as cached:
        pool = runners._PRESTARTED[2]
        pid, gx, sdv, datasets = pool.run(failing_plugin.warm_state)
        with make_task_runner(cfg.runtime) as runner:
            taken = runner.pool
        left = dict(runners._PRESTARTED)
    # Assert: warmed before any cell asked, then taken (and shut down) by the grid's runner
    assert gx and sdv and datasets == 1 and cached is False  # nothing computed yet: figures will be drawn
    assert taken is pool and left == {}
    assert pool.closed and not runners._PRESTARTED


def test_untaken_workers_stop_with_the_block_and_threads_start_none(tmp_path: Path) -> None:
    # Setup
    cfg = ExperimentConfig.model_validate(tiny_doc(tmp_path, task_runner="processes"))
    threads = ExperimentConfig.model_validate(tiny_doc(tmp_path))
    # Run
    with prestarted_workers(cfg, 150):
        pool = runners._PRESTARTED[2]
        deadline = time.monotonic() + 60
        while len(pool.pids()) < 2 and time.monotonic() < deadline:  # both connected
            time.sleep(0.1)
        pids = pool.pids()
    with prestarted_workers(threads, 150):
        none = dict(runners._PRESTARTED)
    # Assert
    assert len(pids) == 2 and pool.closed
    assert not [pid for pid in pids if running(pid)]
    assert none == {}


def running(pid: int, wait: float = 10.0) -> bool:
    """Whether `pid` still runs after up to `wait` seconds (a zombie has ended)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            return False
        time.sleep(0.1)
    return True
