"""Scheduled deployments of `augmentation-experiment`, one per config, on a `process` work pool or served.

The one source of the deployment definitions: `synthaug deploy` and `synthaug serve` register them
from here, and `prefect.yaml` (for `prefect deploy --all`) is generated from here by `synthaug
prefect-yaml`; a test checks the committed file matches, so the two ways cannot drift apart.

Both paths need no Docker: `deploy` registers deployments whose code is this checkout (a
`set_working_directory` pull step, so a `prefect worker start --pool synthaug` on the same machine
runs them), `serve` runs them inside one long-lived process. A deployment is named after its config's
file stem (`configs/quickstart.yaml` -> `augmentation-experiment/quickstart`) and carries the config
path and empty overrides as parameters, so `synthaug trigger quickstart --set protocol.repeats=5` and
`prefect deployment run 'augmentation-experiment/quickstart' --param overrides='{...}'` both work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import synthaug_pipelines

FLOW_NAME = "augmentation-experiment"
ENTRYPOINT = "pipelines/synthaug_pipelines/flow.py:augmentation_experiment"
POOL = "synthaug"
NIGHTLY_HOUR = 2  # schedules start at 02:00 local to the server and are staggered by 20 minutes
PREFECT_YAML = "prefect.yaml"
PREFECT_VERSION = "3.8.8"  # written into prefect.yaml; fixed so the generated file is the same on every machine


@dataclass
class DeploymentSpec:
    name: str
    config_path: Path
    cron: str | None
    tags: list[str] = field(default_factory=list)
    description: str = ""

    @property
    def parameters(self) -> dict[str, Any]:
        return {"config_path": str(self.config_path), "overrides": {}}


def project_root() -> Path:
    """The checkout holding the flow file (deployments run from it); an installed wheel has none."""
    root = Path(synthaug_pipelines.__file__).resolve().parents[2]
    if not (root / ENTRYPOINT.split(":")[0]).is_file():
        from synthaug.errors import ConfigError

        raise ConfigError(f"deployments run code from a checkout; {root} has no {ENTRYPOINT.split(':')[0]} "
                          "(install synthaug editable from a clone: pip install -e .)")
    return root


def example_configs(root: Path | None = None) -> list[Path]:
    return sorted(((root or project_root()) / "configs").glob("*.yaml"))


def staggered_cron(i: int) -> str:
    """Nightly, 20 minutes apart, so scheduled experiments do not all start at once on a small machine."""
    minutes = NIGHTLY_HOUR * 60 + 20 * i
    return f"{minutes % 60} {(minutes // 60) % 24} * * *"


def config_summary(path: Path) -> str:
    """What a config is for, from its leading comment paragraph (the how-to-run lines left out)."""
    words = []
    for line in Path(path).read_text().splitlines():
        text = line.strip()
        if not text.startswith("#") or not text.lstrip("#").strip():
            break
        text = text.lstrip("#").strip()
        if not text.startswith("Run "):
            words.append(text)
    return " ".join(words)


def build_specs(configs: list[Path], cron: str | None = None, schedule: bool = True) -> list[DeploymentSpec]:
    """One spec per config; each config is validated first so a broken file fails here, not at 02:00."""
    from synthaug.config import load_config

    specs = []
    for i, path in enumerate(configs):
        cfg = load_config(path)
        when = (cron or staggered_cron(i)) if schedule else None
        summary = config_summary(path) or "synthaug experiment"
        specs.append(DeploymentSpec(Path(path).stem, Path(path).resolve(), when,
                                    ["synthaug", f"experiment:{cfg.name}"], f"{summary} ({_shown(path)})"))
    return specs


def _shown(path: Path) -> str:
    """A config path as a reader of the UI wants it: relative to the checkout when inside it."""
    path = Path(path).resolve()
    root = Path(synthaug_pipelines.__file__).resolve().parents[2]
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def ensure_work_pool(name: str = POOL) -> bool:
    """Create the `process` work pool when missing; True when it was created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))
            return True


def deploy(specs: list[DeploymentSpec], pool: str = POOL) -> list[str]:
    """Register the deployments on `pool` (created if missing); returns their full names."""
    from prefect import Flow

    root = project_root()
    ensure_work_pool(pool)
    flow = Flow.from_source(source=str(root), entrypoint=ENTRYPOINT)
    names = []
    for spec in specs:
        flow.deploy(name=spec.name, work_pool_name=pool, cron=spec.cron, parameters=spec.parameters,
                    tags=spec.tags, description=spec.description,
                    build=False, push=False, print_next_steps=False, ignore_warnings=True)
        names.append(f"{FLOW_NAME}/{spec.name}")
    return names


def serve(specs: list[DeploymentSpec]) -> None:
    """Serve every deployment from this process until interrupted (no work pool, no worker)."""
    from prefect import serve as prefect_serve

    from synthaug_pipelines.flow import augmentation_experiment

    deployments = [augmentation_experiment.to_deployment(name=s.name, cron=s.cron, parameters=s.parameters,
                                                         tags=s.tags, description=s.description) for s in specs]
    prefect_serve(*deployments)


def trigger(name: str, overrides: dict[str, Any] | None = None, wait: float | None = None) -> Any:
    """Start a run of `augmentation-experiment/<name>`; waits up to `wait` seconds (None: don't wait)."""
    from prefect.deployments import run_deployment

    full = name if "/" in name else f"{FLOW_NAME}/{name}"
    params = {"overrides": overrides} if overrides else None
    return run_deployment(full, parameters=params, timeout=wait if wait is not None else 0,
                          poll_interval=2, as_subflow=False)


def flow_run_url(flow_run_id: Any) -> str | None:
    from prefect.settings import PREFECT_UI_URL

    base = PREFECT_UI_URL.value()
    return f"{base.rstrip('/')}/runs/flow-run/{flow_run_id}" if base else None


# ---------------------------------------------------------------- prefect.yaml, generated from the specs
PREFECT_YAML_HEADER = """\
# GENERATED by `synthaug prefect-yaml` from configs/*.yaml and pipelines/synthaug_pipelines/deployments.py
# (the one source of the deployment definitions): do not edit; change those and regenerate. A test checks
# this file matches. `synthaug deploy` registers the same deployments without this file.
#
#   make server                                   # or: prefect server start --host 127.0.0.1
#   export PREFECT_API_URL=http://127.0.0.1:4200/api
#   prefect work-pool create synthaug --type process   # once
#   prefect deploy --all                          # run from this folder: workers run the code here
#   prefect worker start --pool synthaug
#   prefect deployment run 'augmentation-experiment/quickstart' \\
#       --param overrides='{"protocol.repeats": 5}'
#
# No build/push steps and no pull section: `prefect deploy` then records a set_working_directory
# pull step for the folder it ran in, so a process worker on this machine runs this checkout and the
# relative config paths below resolve against it. Schedules are nightly, staggered, server-local time.
"""


def prefect_yaml_text(specs: list[DeploymentSpec], root: Path, pool: str = POOL) -> str:
    """prefect.yaml for `specs`; config paths relative to `root`, where `prefect deploy --all` runs."""
    import yaml

    def entry(spec: DeploymentSpec) -> dict[str, Any]:
        params = {**spec.parameters, "config_path": Path(spec.config_path).relative_to(root).as_posix()}
        return {"name": spec.name, "description": spec.description, "entrypoint": ENTRYPOINT,
                "parameters": params, "schedules": [{"cron": spec.cron}] if spec.cron else [],
                "tags": spec.tags, "work_pool": {"name": pool, "work_queue_name": "default", "job_variables": {}}}

    doc = {"name": "synthaug", "prefect-version": PREFECT_VERSION, "build": None, "push": None,
           "deployments": [entry(s) for s in specs]}
    return PREFECT_YAML_HEADER + yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=110,
                                                allow_unicode=True)


def example_prefect_yaml(root: Path | None = None) -> str:
    """The prefect.yaml this checkout should hold: every configs/*.yaml on its nightly schedule."""
    root = root or project_root()
    return prefect_yaml_text(build_specs(example_configs(root)), root)
