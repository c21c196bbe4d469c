"""Prefect's temporary API server, started while the data loads instead of after it.

Why: without a configured API URL Prefect starts a temporary server (a uvicorn child process) the
first time the flow needs it and waits for its health check, about 3.5 s of a 2-core machine's wall
time on every `synthaug run`, during which nothing else happens. Here the same server process starts
as soon as the config is known, beside data loading, preflight and the flow's imports, and is then
handed to Prefect as *its* temporary server (`SubprocessASGIServer`, the object Prefect's client
looks up): Prefect stops it at exit exactly as before, logs and the UI links are unchanged. Where a
user configured an API URL (environment or active profile), or ephemeral mode is off, nothing starts.
"""

from __future__ import annotations

import atexit
import os
import random
import socket
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

PORTS = range(8000, 9000)  # Prefect's own range for temporary servers
# Prefect's own variables for its temporary server (prefect.server.api.server.SubprocessASGIServer)
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


@dataclass
class EarlyServer:
    port: int
    process: subprocess.Popen[bytes]
    adopted: bool = False

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def adopt(self, timeout: float = 120.0) -> bool:
        """Hand the server to Prefect once it answers; False (and stopped) when Prefect should start its own."""
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

    def discard(self) -> None:
        """Stop the server unless Prefect owns it now (bad input found after the start, say)."""
        if self.adopted or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

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
