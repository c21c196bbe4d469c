"""The temporary Prefect API server starts beside the data loading and is the one Prefect uses."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest
from ops_helpers import base_env, synthaug_cli, tiny_doc, write_yaml
from synthaug_pipelines import api_server


def _servers_of(home: Path) -> list[psutil.Process]:
    """uvicorn API servers started with this PREFECT_HOME (alive after the CLI ended = leaked)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if "prefect.server.api.server:create_app" in " ".join(proc.info["cmdline"] or []) and \
                    proc.environ().get("PREFECT_HOME") == str(home):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def test_no_early_server_where_an_api_is_configured(tmp_path: Path, monkeypatch) -> None:
    # Setup: a profile naming a server, then an environment variable
    home = tmp_path / "home"
    home.mkdir()
    (home / "profiles.toml").write_text('active = "remote"\n[profiles.remote]\nPREFECT_API_URL = "http://x:1/api"\n')
    monkeypatch.setenv("PREFECT_HOME", str(home))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    # Run / Assert
    assert api_server._profile_sets_api_url()
    assert api_server.launch() is None
    (home / "profiles.toml").write_text('active = "local"\n[profiles.local]\n')
    assert not api_server._profile_sets_api_url()
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    assert api_server.launch() is None


@pytest.mark.parametrize("prefect_first", [False, True], ids=["cli-process", "prefect-already-imported"])
def test_early_server_is_adopted_by_prefect_and_stopped_at_exit(tmp_path: Path, prefect_first: bool) -> None:
    # Setup: a fresh interpreter (Prefect's server object is per process), nothing configured; either the
    # CLI's own process (Prefect not imported yet: handed over by environment) or a program that already
    # imported Prefect (adopted as Prefect's own temporary server)
    env = base_env(tmp_path / "home")
    script = textwrap.dedent(f"""
        import sys
        if {prefect_first}:
            import prefect
        from synthaug_pipelines import api_server
        server = api_server.launch()
        assert server is not None
        assert server.adopt(timeout=180)
        from prefect.client.orchestration import get_client
        with get_client(sync_client=True) as client:
            print("API", client.api_url, client.api_healthcheck())
        print("PORT", server.port)
        print("SERVER PACKAGE IMPORTED", "prefect.server.api.server" in sys.modules)
        from prefect import flow
        api_server.import_flow_call_modules()  # the CLI does this while the server boots
        before = set(sys.modules)
        assert flow(lambda params: len(params), name="probe")({{"a": 1}}) == 1
        print("LATE FASTAPI", sorted(m for m in set(sys.modules) - before if m.startswith("fastapi")))
    """)
    # Run
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    # Assert: Prefect's client talked to our server (no second one), and nothing is left running
    assert out.returncode == 0, out.stderr[-3000:]
    port = next(line.split()[1] for line in out.stdout.splitlines() if line.startswith("PORT"))
    assert f"API http://127.0.0.1:{port}/api/ None" in out.stdout
    assert f"SERVER PACKAGE IMPORTED {prefect_first}" in out.stdout  # the CLI process stays lean
    assert "LATE FASTAPI []" in out.stdout  # the first flow call imports nothing once the server answers
    assert not _servers_of(tmp_path / "home")


@pytest.mark.parametrize("problem", ["missing data", "unknown target"])
def test_bad_data_found_after_the_early_start_leaves_no_server(tmp_path: Path, problem: str) -> None:
    # Setup: the config parses (so the server starts) but the data is bad (found while it starts)
    doc = tiny_doc(tmp_path, name="bad")
    if problem == "missing data":
        doc["dataset"] = {"source": str(tmp_path / "nope.csv"), "target": "label"}
    else:
        doc["dataset"]["target"] = "no_such_column"
    config = write_yaml(tmp_path / "bad.yaml", doc)
    env = base_env(tmp_path / "home")
    # Run
    out = synthaug_cli(["run", str(config)], env, timeout=120)
    # Assert
    assert out.returncode == 2, out.stdout + out.stderr
    assert "error:" in out.stderr and not _servers_of(tmp_path / "home")
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_the_flows_module_that_process_workers_import_loads_no_report_or_model_code() -> None:
    # Setup: a fresh interpreter, as a spawned worker is when it unpickles its first cell task (the task
    # and the flow in its context are pickled by reference to this module)
    code = ("import sys\nimport synthaug_pipelines.flow\n"
            "print(sorted(m for m in ('matplotlib', 'synthaug.reporting.figures', 'prefect.server.api.server',"
            " 'sdv', 'torch', 'great_expectations') if m in sys.modules))")
    # Run
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    # Assert: what a cell needs it imports itself, when it runs
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def test_flows_against_the_temporary_server_send_no_heartbeats() -> None:
    # Setup: the settings a flow run reads for its heartbeat thread
    from prefect.settings import get_current_settings

    before = get_current_settings().flows.heartbeat_frequency
    # Run
    with api_server.flow_settings():
        inside = get_current_settings().flows.heartbeat_frequency
    # Assert: off inside (no thread to join at each flow run's end), as configured outside
    assert inside is None and before is not None
    assert get_current_settings().flows.heartbeat_frequency == before
