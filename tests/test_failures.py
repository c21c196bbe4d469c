"""Issue 9: a failed cell never sinks the run (both drivers), policy `fail` stops it, exit codes.

The failure is real: a plugin generator (tests/failing_plugin.py) registered through the public
registry raises in `fit` for one repeat; nothing is mocked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import failing_plugin
import pandas as pd
import pytest
from synthaug_pipelines.cli import main

from synthaug.config import build_config
from synthaug.errors import EXIT_BAD_INPUT, EXIT_CELLS_FAILED, EXIT_OK, EXIT_VALIDATION_FAILED, CellsFailed
from synthaug.generators import GENERATORS

FAILED_CELL = "r1-f1-failing"


@pytest.fixture
def plugins() -> Iterator[None]:
    failing_plugin.register()
    failing_plugin.register_out_of_range()
    yield
    GENERATORS.pop(failing_plugin.NAME, None)
    GENERATORS.pop("out_of_range", None)


@pytest.fixture
def failing_doc(tiny_config: dict, plugins: None, monkeypatch: pytest.MonkeyPatch) -> dict:
    """2 repeats × (real, smote, failing) at fraction 1; the failing slot's fit raises in repeat 1."""
    tiny_config["generators"] = {"smote": {}, failing_plugin.NAME: {}}
    tiny_config["protocol"]["fractions"] = [1.0]
    tiny_config["runtime"].update(task_runner="threads", workers=1)
    cfg = build_config(tiny_config)
    monkeypatch.setenv(failing_plugin.FAIL_SEEDS, str(failing_plugin.fit_seed(cfg.seed, 1, 1.0)))
    return tiny_config


def _runs(doc: dict) -> list[Path]:
    return sorted(Path(doc["output"]["dir"]).iterdir())


def assert_finished_with_failure(run_dir: Path) -> None:
    """Everything a run with one failed cell must leave: tables, report, manifest status, COMPLETE."""
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete_with_failures" and manifest["failed_cells"] == [FAILED_CELL]
    assert FAILED_CELL in (run_dir / "COMPLETE").read_text()
    trace = run_dir / "cells" / FAILED_CELL / "traceback.txt"
    assert "RuntimeError: planted failure in fit" in trace.read_text()
    cells = pd.read_parquet(run_dir / "cells.parquet").set_index("cell_id")
    assert cells.loc[FAILED_CELL, "status"] == "failed" and cells.loc[FAILED_CELL, "error_type"] == "RuntimeError"
    assert (cells.drop(FAILED_CELL)["status"] == "ok").all() and len(cells) == 6
    results = pd.read_parquet(run_dir / "results.parquet")
    ok = results[results["generator"] != failing_plugin.NAME]
    assert ok["value"].notna().all() and set(ok["generator"]) == {"real", "smote"}  # the others finished
    lost = results[(results["generator"] == failing_plugin.NAME) & (results["repeat"] == 1)]
    assert lost["value"].isna().all() and lost["error"].str.contains(f"cell {FAILED_CELL} failed").all()
    summary = pd.read_csv(run_dir / "summary.csv")
    note = summary[summary["generator"] == failing_plugin.NAME]["note"]
    assert note.str.contains(f"cell {FAILED_CELL} failed: RuntimeError").all()  # n/a-with-reason, not zero
    report = (run_dir / "report.md").read_text()
    first = report.split("\n## ")[1]
    assert first.startswith("Failed cells") and FAILED_CELL in first and "RuntimeError" in first
    assert f"cells/{FAILED_CELL}/traceback.txt" in first
    assert "could not be built" not in report  # every other section copes with the failed cell


def assert_rerun_recomputed_only_failed(run_dir: Path) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["failed_cells"] == []
    assert (run_dir / "COMPLETE").read_text() == "ok\n"
    cells = pd.read_parquet(run_dir / "cells.parquet").set_index("cell_id")
    assert not cells.loc[FAILED_CELL, "cache_hit"] and cells.drop(FAILED_CELL)["cache_hit"].all()
    assert "## Failed cells" not in (run_dir / "report.md").read_text()


def test_direct_run_with_failed_cell_exits_3_and_rerun_recomputes_only_it(
        failing_doc: dict, write_config, monkeypatch: pytest.MonkeyPatch) -> None:
    # Setup
    path = write_config(failing_doc)
    # Run
    code = main(["run", str(path), "--direct"])
    # Assert
    assert code == EXIT_CELLS_FAILED
    assert_finished_with_failure(_runs(failing_doc)[0])
    # Run: the cause is gone; the same command recomputes only the failed cell
    monkeypatch.delenv(failing_plugin.FAIL_SEEDS)
    assert main(["run", str(path), "--direct"]) == EXIT_OK
    assert_rerun_recomputed_only_failed(_runs(failing_doc)[1])


def test_flow_with_failed_cell_ends_failed_but_publishes_and_finishes(
        prefect_harness, failing_doc: dict, write_config, monkeypatch: pytest.MonkeyPatch) -> None:
    # Setup
    from prefect.client.orchestration import get_client
    from synthaug_pipelines.flow import augmentation_experiment

    path = write_config(failing_doc)
    # Run
    state = augmentation_experiment(str(path), None, return_state=True)
    # Assert: the flow run is Failed, names the cell, and still published its artifacts
    assert state.is_failed() and FAILED_CELL in state.message
    error = state.result(raise_on_failure=False)
    assert isinstance(error, CellsFailed) and error.cell_ids == [FAILED_CELL]
    run_dir = Path(error.run_dir)
    assert_finished_with_failure(run_dir)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

        arts = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
    assert run.state.is_failed() and FAILED_CELL in run.state.message
    assert {"gain-table", "gain-summary", "grid-cells", "report"} <= {a.key for a in arts}
    # Run: the CLI through the flow learns the run folder and exits 3; then a clean rerun exits 0
    assert main(["run", str(path)]) == EXIT_CELLS_FAILED
    monkeypatch.delenv(failing_plugin.FAIL_SEEDS)
    assert main(["run", str(path)]) == EXIT_OK
    assert_rerun_recomputed_only_failed(_runs(failing_doc)[-1])


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "prefect"])
def test_policy_fail_stops_the_run_with_exit_4_and_a_clean_message(
        request: pytest.FixtureRequest, direct: bool, tiny_config: dict, plugins: None, write_config,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Setup
    if not direct:
        request.getfixturevalue("prefect_harness")
    tiny_config["generators"] = {"out_of_range": {}}
    tiny_config["protocol"]["fractions"] = [1.0]
    tiny_config["validation"]["policy"] = "fail"
    tiny_config["runtime"].update(task_runner="threads", workers=1)  # the plugin lives in this process
    path = write_config(tiny_config)
    # Run
    code = main(["run", str(path)] + (["--direct"] if direct else []))
    # Assert
    err = capsys.readouterr().err
    assert code == EXIT_VALIDATION_FAILED
    assert "validation.policy 'fail' stopped the run" in err and "expect_column_values_to_be_between" in err
    assert "out_of_range" in err and "Traceback" not in err
    assert not any((d / "COMPLETE").exists() for d in _runs(tiny_config))


def test_unreachable_dask_scheduler_is_bad_input_within_seconds(tiny_config: dict, write_config,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    # Setup: a routable-nowhere address (TEST-NET-1, RFC 5737) and a closed local port
    for address in ("tcp://192.0.2.1:8786", "tcp://127.0.0.1:9"):
        tiny_config["runtime"].update(task_runner="dask", dask_address=address)
        path = write_config(tiny_config)
        # Run
        start = time.monotonic()
        code = main(["run", str(path)])
        elapsed = time.monotonic() - start
        # Assert
        assert code == EXIT_BAD_INPUT and elapsed < 5, elapsed
        assert address in capsys.readouterr().err
        assert not Path(tiny_config["output"]["dir"]).exists()  # nothing started


def test_run_stopper_ends_the_process_pool_at_once() -> None:
    # Setup
    import multiprocessing

    from synthaug.parallel import ordered_map
    from synthaug.validation.result import ValidationFailed

    # children of earlier tests in this pytest process (Prefect, dask) are not this pool's
    before = {p.pid for p in multiprocessing.active_children()}

    # Run
    start = time.monotonic()
    with pytest.raises(ValidationFailed):
        ordered_map(failing_plugin.stop_or_sleep, [0, 1, 2, 3], 2)
    # Assert: the running 120 s item was terminated, the queued ones never started
    assert time.monotonic() - start < 15
    assert not [p for p in multiprocessing.active_children() if p.pid not in before and p.is_alive()]


def test_cell_task_retries_infrastructure_failures_only() -> None:
    # Setup
    from prefect.states import Failed
    from synthaug_pipelines.flow import run_cell_task
    from synthaug_pipelines.runners import retry_infrastructure_only

    from synthaug.validation.result import ValidationFailed

    def retried(exc: BaseException) -> bool:
        return retry_infrastructure_only(run_cell_task, None, Failed(data=exc))

    # Assert
    assert run_cell_task.retries == 1 and run_cell_task.retry_condition_fn is retry_infrastructure_only
    assert retried(ConnectionResetError("worker lost")) and retried(BrokenPipeError())
    assert not retried(ValidationFailed("policy fail")) and not retried(RuntimeError("a cell's own bug"))
    assert not retried(KeyboardInterrupt())
