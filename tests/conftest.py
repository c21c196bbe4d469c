"""Session-wide settings: quiet, offline, temp folders; one Prefect test harness for flow tests."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_HOME = tempfile.mkdtemp(prefix="synthaug-prefect-")
os.environ.setdefault("PREFECT_HOME", _HOME)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# as `synthaug_pipelines` sets it for the CLI: the library's records reach task and flow run logs
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "synthaug")
os.environ.setdefault("OMP_NUM_THREADS", "1")

pytest_plugins = ["imagekit"]  # image fixtures for tests/{data,generators,validation,evaluation,reporting}

ROOT = Path(__file__).resolve().parents[1]
ADULT = ROOT.parent / "shared" / "datasets" / "adult.csv"


@pytest.fixture(scope="session")
def adult_csv() -> Path:
    """The shared UCI Adult table (read in place, never copied into the project)."""
    if not ADULT.exists():
        pytest.skip(f"shared dataset {ADULT} is not present")
    return ADULT


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One ephemeral Prefect API for every flow test in the session (its start costs 8–17 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def tiny_config(tmp_path: Path) -> dict:
    """A whole experiment that runs in seconds (see `testkit.tiny_doc`)."""
    from testkit import tiny_doc

    return tiny_doc(tmp_path)


@pytest.fixture
def write_config(tmp_path: Path):
    import yaml

    def write(doc: dict, name: str = "config.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(doc))
        return path

    return write
