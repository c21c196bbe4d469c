"""Issue 6 (a) and (b): deploy, trigger and run through a real Prefect server and worker; see it in the UI."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from ops_helpers import BIN, chromium_binary, chromium_render, start, stop, synthaug_cli, tiny_doc, write_yaml
from synthaug_pipelines.deployments import project_root

from synthaug.reporting.markdown import gain_text

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
POOL = "synthaug-test"


@pytest.fixture(scope="module")
def deployed(prefect_server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Deploy a tiny config, trigger it twice (synthaug CLI, then prefect's own), run both on one worker."""
    root = tmp_path_factory.mktemp("deployed")
    doc = tiny_doc(root, name="opsdemo")
    doc["validation"]["data_docs"] = True  # so the Data Docs link has a target
    config = write_yaml(root / "opsdemo.yaml", doc)
    env = prefect_server.client_env
    deploy = synthaug_cli(["deploy", str(config), "--no-schedule", "--pool", POOL], env)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    worker = start([str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--limit", "1"],
                   {**env, "PREFECT_WORKER_QUERY_SECONDS": "1"}, root / "worker.log", cwd=root)
    try:
        trig = synthaug_cli(["trigger", "opsdemo", "--set", "protocol.repeats=2"], env)
        assert trig.returncode == 0, trig.stdout + trig.stderr
        first_id = re.search(rf"flow run ({UUID})", trig.stdout).group(1)
        first = prefect_server.wait_flow_run(first_id)
        again = subprocess.run([str(BIN / "prefect"), "deployment", "run", "augmentation-experiment/opsdemo",
                                "--param", 'overrides={"protocol.repeats": 2, "validation.data_docs": false}'],
                               env=env, capture_output=True, text=True, timeout=60)
        assert again.returncode == 0, again.stdout + again.stderr
        second = prefect_server.wait_flow_run(re.search(UUID, again.stdout).group(0))
    finally:
        stop(worker)
    return {"first": first, "second": second, "trigger_out": trig.stdout, "root": root,
            "worker_log": (root / "worker.log").read_text()}


def test_deploy_trigger_worker_run_completes_with_artifacts(prefect_server, deployed) -> None:
    run = deployed["first"]
    assert run["state_type"] == "COMPLETED", deployed["worker_log"][-3000:]
    assert run["name"].startswith("opsdemo-")
    assert {"synthaug", "experiment:opsdemo", "dataset:iris"} <= set(run["tags"])
    assert run["parameters"]["overrides"] == {"protocol.repeats": "2"}
    assert f"{prefect_server.ui}/runs/flow-run/{run['id']}" in deployed["trigger_out"]

    dep = prefect_server.get(f"/deployments/{run['deployment_id']}")
    assert dep["pull_steps"] == [{"prefect.deployments.steps.set_working_directory":
                                  {"directory": str(project_root())}}]

    arts = prefect_server.artifacts(run["id"])
    assert {"gain-table", "gain-summary", "grid-cells", "report", "data-docs", "grid-progress"} <= set(arts)
    assert arts["grid-progress"]["data"] == 100
    assert "augmentation gain" in arts["gain-table"]["data"] and "no significant effect" in arts["gain-table"]["data"]
    summary = pd.read_json(_json(arts["gain-summary"]["data"]))
    assert set(summary["metric"]) == {"macro_f1"} and "verdict" in summary.columns
    for key in ("report", "data-docs"):
        url = re.search(r"\((file://[^)]+)\)", arts[key]["data"]).group(1)
        assert Path(url[len("file://"):]).is_file(), url
    cells = pd.read_json(_json(arts["grid-cells"]["data"]))
    assert len(cells) == 12 and not cells["cache_hit"].any()


def test_second_trigger_through_prefect_cli_reuses_cells(prefect_server, deployed) -> None:
    run = deployed["second"]
    assert run["state_type"] == "COMPLETED", deployed["worker_log"][-3000:]
    cells = pd.read_json(_json(prefect_server.artifacts(run["id"])["grid-cells"]["data"]))
    assert cells["cache_hit"].all()
    first, second = (_run_dir(prefect_server, deployed[k]["id"]) for k in ("first", "second"))
    assert first != second and (second / "COMPLETE").is_file()


def test_trigger_unknown_deployment_is_bad_input(prefect_server) -> None:
    out = synthaug_cli(["trigger", "no-such-config"], prefect_server.client_env)
    assert out.returncode == 2 and "synthaug deploy" in out.stderr


def test_ui_flow_run_page_shows_artifacts(prefect_server, deployed, tmp_path: Path) -> None:
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is absent and cannot be installed here (needs root and apt-get); `make chromium`")
    run_id = deployed["first"]["id"]
    run_dir = _run_dir(prefect_server, run_id)
    summary = pd.read_csv(run_dir / "summary.csv")
    summary = summary[summary["metric"] == "macro_f1"]
    best = summary.loc[summary["gain_mean"].idxmax()]
    headline_value = gain_text(best["gain_mean"], best["ci_low"], best["ci_high"])

    # The flow run's page, Artifacts tab (the v2 UI honours ?tab=; v1 always opens on Logs).
    dom = chromium_render(binary, f"{prefect_server.ui}/v2/runs/flow-run/{run_id}?tab=Artifacts", tmp_path / "run")
    assert "gain-table" in dom and "gain-summary" in dom, dom[-2000:]
    assert headline_value in dom
    assert (tmp_path / "run.png").stat().st_size > 10_000

    # The gain-table artifact's own page renders the Markdown table with its verdicts.
    art_id = prefect_server.artifacts(run_id)["gain-table"]["id"]
    page = chromium_render(binary, f"{prefect_server.ui}/artifacts/artifact/{art_id}", tmp_path / "artifact",
                           screenshot=False)
    assert "gain-table" in page and headline_value in page and "no significant effect" in page


def _run_dir(server, run_id: str) -> Path:
    link = server.artifacts(run_id)["report"]["data"]
    return Path(re.search(r"\(file://([^)]+)\)", link).group(1)).parent


def _json(data: Any) -> Any:
    import io
    import json

    return io.StringIO(data if isinstance(data, str) else json.dumps(data))


def test_prefect_yaml_is_generated_from_the_deployment_definitions() -> None:
    """One source: the committed prefect.yaml is what `synthaug prefect-yaml` writes from deployments.py."""
    from synthaug_pipelines.deployments import PREFECT_YAML, example_prefect_yaml

    committed = (project_root() / PREFECT_YAML).read_text()
    assert committed == example_prefect_yaml(), "prefect.yaml is stale: run `synthaug prefect-yaml` and commit it"


def test_prefect_yaml_schedules_every_example_config(prefect_server) -> None:
    """`prefect deploy --all` from the checkout registers one scheduled deployment per configs/*.yaml."""
    import yaml
    from synthaug_pipelines.deployments import example_configs, staggered_cron

    root = project_root()
    spec = {d["name"]: d for d in yaml.safe_load((root / "prefect.yaml").read_text())["deployments"]}
    for i, config in enumerate(example_configs(root)):
        assert spec[config.stem]["parameters"]["config_path"] == f"configs/{config.name}"
        assert spec[config.stem]["schedules"] == [{"cron": staggered_cron(i)}]
    env = prefect_server.client_env
    pool = subprocess.run([str(BIN / "prefect"), "work-pool", "create", "synthaug", "--type", "process"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert pool.returncode == 0, pool.stdout + pool.stderr
    out = subprocess.run([str(BIN / "prefect"), "--no-prompt", "deploy", "--all"], env=env, cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    deployed = {d["name"]: d for d in prefect_server.post("/deployments/filter", {})}
    quick = deployed["quickstart"]
    assert quick["parameters"] == {"config_path": "configs/quickstart.yaml", "overrides": {}}
    assert quick["pull_steps"][0]["prefect.deployments.steps.set_working_directory"]["directory"] == str(root)
    assert [s["schedule"]["cron"] for s in quick["schedules"]] == [spec["quickstart"]["schedules"][0]["cron"]]
