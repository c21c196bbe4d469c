"""The Prefect flow on the embedded API runs the same grid as the plain driver."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def test_flow_matches_direct_run(prefect_harness, tiny_config, write_config):
    # Setup
    from synthaug_pipelines.flow import augmentation_experiment

    from synthaug.config import load_config
    from synthaug.experiment import run_experiment

    path = write_config(tiny_config)
    cols = ["repeat", "fraction", "generator", "classifier", "mode", "metric", "value"]
    # Run
    flow_dir = Path(augmentation_experiment(str(path), {"protocol.repeats": 2}))
    direct_dir = run_experiment(load_config(path, {"protocol.repeats": 2, "runtime.cache": False}))
    # Assert
    assert (flow_dir / "COMPLETE").is_file() and (flow_dir / "report.html").is_file()
    a = pd.read_parquet(flow_dir / "results.parquet").sort_values(cols[:-1]).reset_index(drop=True)[cols]
    b = pd.read_parquet(direct_dir / "results.parquet").sort_values(cols[:-1]).reset_index(drop=True)[cols]
    pd.testing.assert_frame_equal(a, b)


def test_process_workers_send_cell_logs_to_their_task_runs(prefect_harness, tmp_path: Path, write_config,
                                                           monkeypatch):
    # Setup: cells in worker processes, which do not run Prefect themselves; INFO, as the CLI sets it
    import logging

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterName,
        LogFilter,
        LogFilterTaskRunId,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogHandler
    from synthaug_pipelines.flow import augmentation_experiment
    from testkit import tiny_doc

    monkeypatch.setattr(logging.getLogger("synthaug"), "level", logging.INFO)
    doc = tiny_doc(tmp_path, name="cell-logs-in-task-runs", task_runner="processes", workers=2)
    doc["protocol"].update(repeats=1, fractions=[1.0])
    # Run
    run_dir = Path(augmentation_experiment(str(write_config(doc)), {"runtime.cache": False}))
    APILogHandler().flush()
    # Assert: every cell's own log lines are in its task run's logs, none in another's
    with get_client(sync_client=True) as client:
        grid = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(any_=["cell-logs-in-task-runs-grid"])))
        tasks = client.read_task_runs(task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(
            any_=[grid[0].id])))
        logs = {t.name: [log.message for log in client.read_logs(log_filter=LogFilter(
            task_run_id=LogFilterTaskRunId(any_=[t.id])), limit=200)] for t in tasks}
    assert (run_dir / "COMPLETE").is_file() and len(grid) == 1
    assert sorted(logs) == ["iris-gaussian_copula-r0-f1", "iris-real-only-r0-f1", "iris-smote-r0-f1"]
    for name, messages in logs.items():
        generator = name.split("-")[1]
        fitted = [m for m in messages if m.startswith("fitting ")]
        assert fitted == ([] if generator == "real" else [f"fitting {generator} on 114 rows"]), (name, messages)
        assert any(m.startswith("cell r0-f1-") and " done in " in m for m in messages), (name, messages)
