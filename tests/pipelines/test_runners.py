"""Task runners of the Prefect driver: process workers started ahead of the flow, and taken over by it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import failing_plugin
import numpy as np
import pandas as pd
import psutil
import pytest
from synthaug_pipelines import runners
from synthaug_pipelines.runners import make_task_runner, prestarted_workers
from testkit import tiny_doc

from synthaug.config import ExperimentConfig


def test_prestarted_workers_load_data_and_libraries_and_the_task_runner_takes_them(tmp_path: Path) -> None:
    # Setup
    cfg = ExperimentConfig.model_validate(tiny_doc(tmp_path, task_runner="processes"))
    # Run
    with prestarted_workers(cfg) as cached:
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
    with prestarted_workers(cfg):
        pool = runners._PRESTARTED[2]
        deadline = time.monotonic() + 60
        while len(pool.pids()) < 2 and time.monotonic() < deadline:  # both connected
            time.sleep(0.1)
        pids = pool.pids()
    with prestarted_workers(threads):
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


ENTER_BLOCK = """
import json, sys
from synthaug.config import ExperimentConfig
from synthaug_pipelines import runners
cfg = ExperimentConfig.model_validate(json.loads(sys.argv[1]))
with runners.prestarted_workers(cfg) as cached:
    print(json.dumps({"started": sorted(runners._PRESTARTED), "cached": cached,
                      "imported": sorted(m for m in ("sklearn", "prefect", "torch", "great_expectations", "sdv")
                                         if m in sys.modules)}))
"""


@pytest.mark.parametrize("cache", [False, True])
def test_workers_start_before_the_driver_imports_any_cell_library(tmp_path: Path, cache: bool) -> None:
    """The seed's imports are the longest chain of a run's start: the driver starts it before its own
    preflight imports scikit-learn (or Prefect), with the cache on (it loads the data to ask) or off."""
    # Setup: a user's table (built-in datasets load through scikit-learn's own loaders)
    rows = 60
    pd.DataFrame({"x1": np.arange(rows) / 3, "x2": np.arange(rows) % 7, "y": [0, 1] * (rows // 2)}).to_csv(
        tmp_path / "t.csv", index=False)
    doc = tiny_doc(tmp_path, task_runner="processes", cache=cache)
    doc["dataset"] = {"source": str(tmp_path / "t.csv"), "target": "y"}
    # Run: in a fresh interpreter, as the CLI's process
    out = subprocess.run([sys.executable, "-c", ENTER_BLOCK, json.dumps(doc)], capture_output=True, text=True,
                         timeout=120, check=True)
    state = json.loads(out.stdout.strip().splitlines()[-1])
    # Assert
    assert state == {"started": [2], "cached": False, "imported": []}


def test_bad_data_starts_no_workers_and_leaves_the_error_to_the_preflight(tmp_path: Path) -> None:
    # Setup: the cache is on, so the block reads the (missing) table to ask whether the grid is cached
    doc = tiny_doc(tmp_path, task_runner="processes", cache=True)
    doc["dataset"] = {"source": str(tmp_path / "missing.csv"), "target": "y"}
    cfg = ExperimentConfig.model_validate(doc)
    # Run
    with prestarted_workers(cfg) as cached:
        started = dict(runners._PRESTARTED)
    # Assert: nothing raised here, nothing started; `prepare` inside the block names the file
    assert cached is False and started == {}


def test_bad_data_found_after_the_workers_started_exits_2_and_stops_them(tmp_path: Path, capsys,
                                                                         monkeypatch) -> None:
    # Setup: with the cache off the workers start before the table is read; a one-class target then fails
    import yaml
    from synthaug_pipelines.cli import main

    from synthaug.workerpool import WorkerPool

    stopped, stop = [], WorkerPool.stop
    monkeypatch.setattr(WorkerPool, "stop", lambda self, *a: (stopped.append(self.pids()), stop(self, *a))[1])

    pd.DataFrame({"x": np.arange(40.0), "y": ["p"] * 40}).to_csv(tmp_path / "one.csv", index=False)
    doc = tiny_doc(tmp_path, task_runner="processes", cache=False)
    doc["dataset"] = {"source": str(tmp_path / "one.csv"), "target": "y"}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc))
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    # Run
    code = main(["run", str(tmp_path / "c.yaml")])
    err = capsys.readouterr().err.replace("\n  ", " ")
    # Assert: the loader's message, no run folder, and the workers it had started are gone
    assert code == 2 and "has one class only ('p')" in err
    assert len(stopped) == 1 and stopped[0]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and running(p.pid)]
    assert left == [] and runners._PRESTARTED == {}
