"""The Prefect driver's worker pool: the work runs in a worker process, its log records are handled in
the thread that waits for it, and failures reach that thread without hanging it."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from concurrent.futures import BrokenExecutor, ThreadPoolExecutor

import failing_plugin
import pytest

from synthaug.workerpool import WorkerPool


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((threading.current_thread().name, record.levelname, record.getMessage()))


@pytest.fixture
def collect():
    logger, handler = logging.getLogger("synthaug"), Collect()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_work_runs_in_workers_and_records_come_back_to_the_waiting_thread(collect) -> None:
    # Setup
    pool = WorkerPool(2)
    # Run: two caller threads, as the flow's task runs are
    try:
        with ThreadPoolExecutor(2, thread_name_prefix="task") as callers:
            out = list(callers.map(lambda i: (threading.current_thread().name, pool.run(
                failing_plugin.log_and_return, i)), range(4)))
    finally:
        pool.shutdown()
    # Assert: results in order, computed elsewhere than here
    assert [item for _, (item, _) in out] == [0, 1, 2, 3]
    assert all(pid != os.getpid() for _, (_, pid) in out)
    # each job's records were handled by the thread that ran it, before `run` returned
    for caller, (item, _) in out:
        mine = [(level, msg) for thread, level, msg in collect.seen if thread == caller and f"item {item} " in msg]
        assert mine[0] == ("INFO", f"item {item} starts")
        assert mine[1][0] == "WARNING" and "KeyError" in mine[1][1]  # the traceback travels in the message
    assert not any("debug detail" in msg for _, _, msg in collect.seen)  # the caller's level reached workers


def test_stop_ends_a_running_job(collect) -> None:
    # Setup: a job that would run for two minutes
    pool = WorkerPool(1)
    waiting = ThreadPoolExecutor(1)
    job = waiting.submit(pool.run, failing_plugin.stop_or_sleep, 5)
    time.sleep(3.0)  # the worker has started and is sleeping
    # Run
    start = time.monotonic()
    pool.stop()
    # Assert: the waiting thread is released with the pool's failure, within seconds
    with pytest.raises(BrokenExecutor):
        job.result(timeout=15)
    assert time.monotonic() - start < 15
    waiting.shutdown()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked from one seed on Linux")
def test_workers_fork_from_one_seed_after_its_imports_and_warm_each(collect) -> None:
    # Setup: three workers that preload a module nothing else imports
    pool = WorkerPool(3, preload=["colorsys"], warm=failing_plugin.log_and_return, warm_args=(7,))
    try:
        # Run: enough jobs, held long enough, that every worker takes one
        with ThreadPoolExecutor(3) as callers:
            family = set(callers.map(lambda _: pool.run(failing_plugin.slow_family), range(6)))
        pids = pool.pids()
    finally:
        pool.shutdown()
    # Assert: one seed, two workers forked off it, all with the preloaded module
    assert len({pid for pid, _, _ in family}) == 3 and len(pids) == 3
    seed = pids[0]
    assert {parent for pid, parent, _ in family if pid != seed} == {seed}
    assert all(preloaded for _, _, preloaded in family)
    # each worker warmed up; what it logged then was handled by the pool, not by a job's caller
    warm = [thread for thread, _, msg in collect.seen if msg == "item 7 starts"]
    assert len(warm) == 3 and all(thread.startswith("synthaug-worker") for thread in warm)


def test_errors_and_lost_workers_reach_the_caller_and_the_others_keep_working(collect) -> None:
    # Setup
    pool = WorkerPool(2)
    try:
        # Run: the work's own exception, a job that cannot be pickled, a worker that dies, then more work
        with pytest.raises(ValueError, match="planted failure for item 3"):
            pool.run(failing_plugin.fail_in_worker, 3)
        with pytest.raises(Exception, match="pickle|lambda"):
            pool.run(failing_plugin.log_and_return, lambda: 0)
        with pytest.raises(BrokenExecutor):
            pool.run(failing_plugin.die_in_worker, 0)
        after = [pool.run(failing_plugin.log_and_return, i)[0] for i in range(3)]
        # the last worker dies too: nothing is left to run the next job, which fails at once
        with pytest.raises(BrokenExecutor):
            pool.run(failing_plugin.die_in_worker, 1)
        start = time.monotonic()
        with pytest.raises(BrokenExecutor):
            pool.run(failing_plugin.log_and_return, 9)
        assert time.monotonic() - start < 5
    finally:
        pool.stop()
    # Assert
    assert after == [0, 1, 2]
