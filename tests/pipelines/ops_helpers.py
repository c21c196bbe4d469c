"""Helpers for the operations tests: a real `prefect server start`, subprocess CLIs, headless Chromium.

A module with a unique name (not conftest) so tests import it without clashing with other folders'.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from testkit import tiny_doc  # noqa: F401 - re-exported for the ops tests

BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    """A background process in its own group (so `stop` reaches its children), output to `log`."""
    fh = open(log, "ab")  # noqa: SIM115 - closed by the OS when the process ends
    return subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(grace)
    except ProcessLookupError:
        pass


def base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", GX_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180", OMP_NUM_THREADS="1",
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    return env


class PrefectServer:
    """A running `prefect server start` and the environment its clients need."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.ui = f"http://127.0.0.1:{self.port}"
        self.env = {**base_env(root / "home"), "PREFECT_UI_API_URL": self.api}
        self.client_env = {**self.env, "PREFECT_API_URL": self.api, "PREFECT_UI_URL": self.ui}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                          self.env, self.root / "server.log")
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prefect server exited: {(self.root / 'server.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.api}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("prefect server did not answer /api/health in time")

    def get(self, path: str) -> Any:
        r = httpx.get(f"{self.api}{path}", timeout=30)
        r.raise_for_status()
        return r.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        r = httpx.post(f"{self.api}{path}", json=body, timeout=30)
        r.raise_for_status()
        return r.json()

    def wait_flow_run(self, run_id: str, timeout: float = 150) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.get(f"/flow_runs/{run_id}")
            if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                return run
            time.sleep(1)
        raise TimeoutError(f"flow run {run_id} still {run['state_type']} after {timeout}s")

    def artifacts(self, flow_run_id: str) -> dict[str, dict[str, Any]]:
        rows = self.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}})
        return {a["key"]: a for a in rows if a.get("key")}


def synthaug_cli(args: list[str], env: dict[str, str], timeout: float = 180,
                 cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`synthaug ...` in a subprocess, as a user types it."""
    return subprocess.run([str(BIN / "synthaug"), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def write_yaml(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(doc))
    return path


def chromium_binary() -> str | None:
    """Debian's chromium; installed here when missing and we may (root with apt), else None."""
    found = shutil.which("chromium") or (shutil.which("chromium-browser"))
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
                   shell=True, capture_output=True, timeout=600)
    return shutil.which("chromium")


def chromium_render(binary: str, url: str, out: Path, timeout: float = 90, screenshot: bool = True) -> str:
    """Headless Chromium: the page's DOM after scripts ran (`--dump-dom`), and a screenshot beside it."""
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--virtual-time-budget=20000"]
    profile = out.parent / f"{out.stem}-profile"
    dom = subprocess.run([binary, *flags, f"--user-data-dir={profile}-dom", "--dump-dom", url],
                         capture_output=True, text=True, timeout=timeout).stdout
    out.with_suffix(".html").write_text(dom)
    if screenshot:
            subprocess.run([binary, *flags, f"--user-data-dir={profile}-shot", "--window-size=1400,1600",
                        f"--screenshot={out.with_suffix('.png')}", url], capture_output=True, timeout=timeout)
    return dom
