"""Issue 9: SIGTERM or Ctrl-C to `synthaug run` (plain driver and Prefect with its own temporary API server) ends
the run, its worker processes and the server within 10 s, leaves no COMPLETE, exits 130, and the same
command then resumes from the finished cells. Real subprocesses, real signals (mirrors test_resume)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from ops_helpers import BIN, base_env, start, synthaug_cli, tiny_doc, write_yaml

from synthaug.cellcache import FORMAT, STORE
from synthaug.errors import EXIT_INTERRUPTED
from synthaug.store import cache_entries, verify

STOP_WITHIN_S = 10.0


def _wait_for_cells(proc: subprocess.Popen, cells: Path, n: int, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if cells.is_dir() and len(list(cells.iterdir())) >= n:
            return
        time.sleep(0.1)
    tail = log.read_text()[-3000:]
    raise AssertionError(f"run ended or stalled before {n} cells finished (rc {proc.poll()}): {tail}")


def _cmdline(p: psutil.Process) -> str:
    try:
        return " ".join(p.cmdline())
    except psutil.Error:
        return ""


@pytest.mark.parametrize(("direct", "sig", "group"), [(True, signal.SIGTERM, False), (False, signal.SIGTERM, False),
                                                     (True, signal.SIGINT, True)],
                         ids=["direct-sigterm", "prefect-sigterm", "direct-ctrl-c"])
def test_signal_stops_run_and_children_within_10s_then_resumes(tmp_path: Path, direct: bool, sig: signal.Signals,
                                                               group: bool) -> None:
    # Setup: 6 cells on 2 workers; the signal comes as soon as the first one is finished (CTGAN fits take
    # tens of seconds, so some cells are always still running or queued then)
    doc = tiny_doc(tmp_path, name="sigterm", task_runner="processes", workers=2)
    doc["generators"] = {"smote": {}, "ctgan": {"epochs": 60}}
    doc["protocol"]["fractions"] = [1.0]
    config = write_yaml(tmp_path / "sigterm.yaml", doc)
    env = base_env(tmp_path / "home")  # no PREFECT_API_URL: the flow starts its own temporary server
    args = ["run", str(config)] + (["--direct"] if direct else [])
    cells, log = tmp_path / "cache" / STORE / FORMAT, tmp_path / "killed.log"
    proc = start([str(BIN / "synthaug"), *args], env, log)
    try:
        _wait_for_cells(proc, cells, 1, log)
        tree = psutil.Process(proc.pid).children(recursive=True)
        workers = [p for p in tree if "multiprocessing.spawn" in _cmdline(p)]
        assert len(workers) >= 2, [_cmdline(p) for p in tree]
        assert direct or any("uvicorn" in _cmdline(p) for p in tree), "no temporary Prefect server to stop"
        # Run: SIGTERM to the CLI process only, as `kill <pid>` or a scheduler does; Ctrl-C in a terminal
        # sends SIGINT to the whole process group
        sent = time.monotonic()
        (os.killpg if group else os.kill)(proc.pid, sig)
        code = proc.wait(STOP_WITHIN_S)
        elapsed = time.monotonic() - sent
        _, alive = psutil.wait_procs(tree, timeout=3)  # the resource tracker exits once its parent is gone
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    # Assert
    print(f"\n{sig.name} to exit ({'direct' if direct else 'prefect'}): {elapsed:.2f}s")
    text = log.read_text()
    assert code == EXIT_INTERRUPTED and elapsed < STOP_WITHIN_S, text[-3000:]
    assert not alive, [(p.pid, _cmdline(p)) for p in alive]
    assert f"interrupted ({sig.name})" in text and "Traceback" not in text.split("interrupted")[-1]
    killed = list((tmp_path / "runs").iterdir())
    assert len(killed) == 1 and not (killed[0] / "COMPLETE").exists()
    finished = [p for p in cache_entries(tmp_path / "cache") if p.parent == cells]
    assert 1 <= len(finished) < 6 and all(verify(p) for p in finished)
    # Run: the same command resumes
    resumed = synthaug_cli(args, env, timeout=400)
    # Assert
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    run_dir = next(p for p in (tmp_path / "runs").iterdir() if p != killed[0])
    assert (run_dir / "COMPLETE").is_file()
    hits = pd.read_parquet(run_dir / "cells.parquet")["cache_hit"]
    assert len(hits) == 6 and hits.sum() == len(finished)


def _lost_workers_run(tmp_path: Path, name: str, kill_all: bool) -> tuple[int, str, Path, Path]:
    """A 6-cell run on 2 Prefect process workers, of which one (or all) is killed, out of memory say,
    once the first cell is done: exit code, log text, run folder, config."""
    doc = tiny_doc(tmp_path, name=name, task_runner="processes", workers=2)
    doc["generators"] = {"smote": {}, "ctgan": {"epochs": 60}}
    doc["protocol"]["fractions"] = [1.0]
    config = write_yaml(tmp_path / f"{name}.yaml", doc)
    cells, log = tmp_path / "cache" / STORE / FORMAT, tmp_path / f"{name}.log"
    proc = start([str(BIN / "synthaug"), "run", str(config)], base_env(tmp_path / "home"), log)
    try:
        _wait_for_cells(proc, cells, 1, log)
        tree = psutil.Process(proc.pid).children(recursive=True)
        workers = [p for p in tree if "multiprocessing.spawn" in _cmdline(p)]
        assert len(workers) == 2, [_cmdline(p) for p in tree]
        for worker in workers if kill_all else workers[-1:]:
            worker.kill()
        code = proc.wait(120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return code, log.read_text(), next((tmp_path / "runs").iterdir()), config


def test_one_lost_worker_costs_a_retry_on_the_other_not_a_cell(tmp_path: Path) -> None:
    # Run
    code, text, run_dir, _ = _lost_workers_run(tmp_path, "lostone", kill_all=False)
    # Assert: the cell the lost worker ran was retried on the one left, and the run is whole
    from synthaug.outputs import run_status

    assert code == 0, text[-3000:]
    assert "BrokenProcessPool" in text and "Retry 1/1" in text
    assert (run_dir / "COMPLETE").is_file() and run_status(run_dir) == ("complete", [])
    assert len(pd.read_parquet(run_dir / "cells.parquet")) == 6


def test_lost_workers_fail_their_cells_not_the_run_then_rerun_completes(tmp_path: Path) -> None:
    # Run: every worker is lost, so cells have nowhere to run
    code, text, run_dir, config = _lost_workers_run(tmp_path, "lost", kill_all=True)
    # Assert: the run finished with the lost cells recorded, not a crash
    from synthaug.errors import EXIT_CELLS_FAILED
    from synthaug.outputs import run_status

    assert code == EXIT_CELLS_FAILED, text[-3000:]
    status, failed = run_status(run_dir)
    assert (run_dir / "COMPLETE").is_file() and status == "complete_with_failures" and failed
    assert "BrokenProcessPool" in (run_dir / "cells" / failed[0] / "traceback.txt").read_text()
    # A cell the dying worker had already stored is reused: its result was lost on the way back, not its work
    stored = [p for p in cache_entries(tmp_path / "cache") if p.parent == tmp_path / "cache" / STORE / FORMAT]
    # Run: the same command recomputes only the cells nobody stored
    rerun = synthaug_cli(["run", str(config)], base_env(tmp_path / "home"), timeout=400)
    # Assert
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    again = next(p for p in (tmp_path / "runs").iterdir() if p != run_dir)
    hits = pd.read_parquet(again / "cells.parquet").set_index("cell_id")["cache_hit"]
    assert hits.drop(failed).all() and hits.sum() == len(stored) < len(hits)
