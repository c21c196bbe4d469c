"""Prefect's temporary API server, started while the data loads instead of after it.

Why: without a configured API URL Prefect starts a temporary server (a uvicorn child process) the
first time the flow needs it and waits for its health check, about 3.5 s of a 2-core machine's wall
time on every `synthaug run`, during which nothing else happens. Here the same server process starts
as soon as the config is known, beside data loading, preflight and the flow's imports.

How it is handed over: in the CLI process (Prefect not imported yet) the server's URL goes into the
environment as `PREFECT_API_URL` the moment it starts (the port is chosen here), so Prefect, imported
while the server boots, reads it at import, and the process workers inherit it:
one server for the whole run, and the CLI process never imports Prefect's server package (FastAPI,
SQLAlchemy: about 2 s of CPU and 100 MB beside the workers). Nobody can browse this server (its UI
is off and it stops with the run), so the "View at" links (`PREFECT_UI_URL` empty) and the shipping
of log lines to it are off; the logs still go to the terminal. Where Prefect is already imported (the
CLI called inside a program) the server is adopted as Prefect's own `SubprocessASGIServer` instead.
Where a user configured an API URL (environment or active profile), or ephemeral mode is off,
nothing starts.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import random
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PORTS = range(8000, 9000)  # Prefect's own range for temporary servers
# Prefect's own variables for its temporary server (prefect.server.api.server.SubprocessASGIServer)
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
              # No block-type registration at start (it imports every Prefect collection, Dask's included,
              # to hash them: 0.4 s of the boot every run waits for). Runs use no blocks, and a
              # `prefect server start` on the same database registers them at its own start.
              "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
              "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false"}
# What the CLI process and its workers read when the server is handed over through the environment.
CLIENT_ENV = {"PREFECT_UI_URL": "", "PREFECT_LOGGING_TO_API_ENABLED": "false"}


@dataclass
class EarlyServer:
    port: int
    process: subprocess.Popen[bytes]
    adopted: bool = False
    by_environment: bool = False  # the URL is in os.environ: Prefect (imported since) already points here

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def adopt(self, timeout: float = 120.0) -> bool:
        """Hand the server to Prefect once it answers; False (and stopped) when Prefect should start its own."""
        if self.by_environment:
            return self._wait_until_healthy(timeout)
        from prefect.server.api.server import SubprocessASGIServer, subprocess_server_logger
        from prefect.settings import get_current_settings

        settings = get_current_settings()
        server = SubprocessASGIServer()
        if settings.api.url or not settings.server.ephemeral.enabled or server.running or not self._healthy(timeout):
            self.discard()
            return False
        subprocess_server_logger.info(f"Starting temporary server on http://127.0.0.1:{self.port}")
        server.port, server.server_process, server.running = self.port, self.process, True
        atexit.register(server.stop)
        self.adopted = True
        return True

    def _wait_until_healthy(self, timeout: float) -> bool:
        """Prefect already reads this URL, so there is no falling back to a server of its own: a server
        that never answers is an error that names it (Prefect's own start fails the same way)."""
        if not self._healthy(timeout):
            self.discard()
            raise RuntimeError(f"Prefect's temporary API server on port {self.port} did not start within "
                               f"{timeout:.0f} s; run again, or start one (`prefect server start`) and set "
                               "PREFECT_API_URL")
        print(f"INFO Temporary Prefect API server on http://127.0.0.1:{self.port} (stops with the run)",
              file=sys.stderr, flush=True)
        self.adopted = True
        atexit.register(self.stop)
        return True

    def stop(self) -> None:
        """The end of the run: the server goes with it (what Prefect does for its own temporary server)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def discard(self) -> None:
        """Stop the server unless Prefect owns it now (bad input found after the start, say)."""
        if not self.adopted:
            self.stop()
            if self.by_environment and os.environ.get("PREFECT_API_URL") == self.api_url:
                for key in ("PREFECT_API_URL", *CLIENT_ENV):
                    os.environ.pop(key, None)

    def _healthy(self, timeout: float) -> bool:
        import httpx

        deadline = time.monotonic() + timeout
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:  # port taken after all, or a broken install
                    return False
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        return False


@contextlib.contextmanager
def flow_settings() -> Iterator[None]:
    """Prefect settings for flows run against the temporary server: no flow-run heartbeats. They let a
    server tell a crashed flow run from a live one; this one stops with the run and nobody watches it.
    And each flow run's end waited for its heartbeat thread, which sleeps in 1 s steps: up to 2 s of
    every `synthaug run` (the experiment flow and its grid subflow). Runs against a server a user
    configured keep their heartbeats."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def import_flow_call_modules() -> None:
    """What Prefect imports on a process's first flow call, imported while the server still boots: the
    flow engine serialises the parameters with FastAPI's `jsonable_encoder`, and importing FastAPI
    took 0.2 s of the CLI's time after the server answered, on every run, cached re-runs included."""
    import fastapi.encoders  # noqa: F401


def launch() -> EarlyServer | None:
    """Start the temporary server now when Prefect would start one later; None when it would not."""
    if os.environ.get("PREFECT_API_URL") or _profile_sets_api_url() or not _ephemeral_allowed() or _settings_name_api():
        return None
    port = _free_port()
    if port is None:
        return None
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(_prefect_parent()), "--factory",
           "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "error", "--lifespan", "on"]
    server = EarlyServer(port, subprocess.Popen(cmd, env={**os.environ, **SERVER_ENV}))
    atexit.register(server.discard)
    if "prefect" not in sys.modules:  # the CLI's own process: Prefect will read the URL at import
        os.environ.update({"PREFECT_API_URL": server.api_url, **CLIENT_ENV})
        server.by_environment = True
    return server


def _settings_name_api() -> bool:
    """Where Prefect is already loaded (the CLI called inside a program or a test harness), its own
    settings say whether an API is configured; otherwise Prefect is not imported just to ask."""
    if "prefect.settings" not in sys.modules:
        return False
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)


def _ephemeral_allowed() -> bool:
    value = os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "true").strip().lower()
    return value not in {"0", "false", "no", "off"}


def _profile_sets_api_url() -> bool:
    """Whether the active Prefect profile names an API server (read without importing Prefect)."""
    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        profiles = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    return bool(profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL"))


def _free_port() -> int | None:
    for port in random.SystemRandom().sample(PORTS, 20):  # leaves the global RNG alone
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return None


def _prefect_parent() -> Path:
    """The folder holding the `prefect` package (uvicorn's --app-dir), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None, "prefect is not installed"
    return Path(spec.origin).parent.parent
