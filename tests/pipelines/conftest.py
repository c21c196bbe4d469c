"""Fixtures for the operations tests: one real Prefect server per session, stopped at its end.

Every process a fixture or test starts is stopped by it (process group, TERM then KILL), so a failed
test leaves no server, worker or cluster behind.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ops_helpers import PrefectServer, stop


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """One real server for the session's operations tests, with its own PREFECT_HOME; stopped at the end."""
    server = PrefectServer(tmp_path_factory.mktemp("prefect-server"))
    try:
        server.start()
        yield server
    finally:
        if server.proc is not None:
            stop(server.proc)
