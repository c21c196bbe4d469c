"""SIGTERM and Ctrl-C stop `synthaug run` within seconds and leave no process behind.

Without this, the process pools wait for running cells (minutes of fitting), and a temporary Prefect
API server (a uvicorn child process) outlives a hard-killed CLI. On the first signal the handler
terminates the cell workers at once (not the API server, which Prefect still needs to record the
crash), starts a watchdog and raises KeyboardInterrupt so the run unwinds: no `finalize`, so no
COMPLETE, and finished cells are already in the cell cache for a rerun. `stop_children` then ends
whatever is left. If unwinding takes longer than `GRACE_S`, or a second signal comes, the watchdog
kills the whole tree and exits with EXIT_INTERRUPTED.

During a Prefect flow run Prefect swaps in its own SIGTERM handler (it raises `TerminationSignal`);
the grid flow stops its task runner on any BaseException, and the CLI treats that signal like ours.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from synthaug.errors import EXIT_INTERRUPTED

GRACE_S = 6.0  # unwinding gets this long before the watchdog kills the tree (the promise is 10 s)
SERVER_MARK = "prefect.server.api.server"  # the ephemeral API server's uvicorn command line
TRACKER_MARK = "multiprocessing.resource_tracker"  # exits by itself once we are gone; cleans semaphores
_stopping = threading.Event()
_signal_name: list[str] = []


@contextlib.contextmanager
def handling() -> Iterator[None]:
    """SIGTERM and SIGINT go to `_on_signal` inside the block; the previous handlers come back after it
    (the CLI may run inside another program, a test session say). Main thread only; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _on_signal(signum: int, frame: Any) -> None:
    name = signal.Signals(signum).name
    if _stopping.is_set():  # a second signal: no more grace
        stop_children(grace=1.0)
        os._exit(EXIT_INTERRUPTED)
    _signal_name.append(name)
    start_watchdog()
    stop_children(keep_server=True, grace=1.0)
    raise KeyboardInterrupt(f"stopped by {name}")


def is_interrupt(exc: BaseException) -> bool:
    """Ctrl-C, our handler's KeyboardInterrupt, or Prefect's TerminationSignal (its SIGTERM handler)."""
    return isinstance(exc, KeyboardInterrupt) or type(exc).__name__ == "TerminationSignal" or _stopping.is_set()


def signal_name() -> str:
    return _signal_name[0] if _signal_name else "SIGTERM"


def start_watchdog(grace: float = GRACE_S) -> None:
    """A daemon thread that kills the tree and exits if the run has not ended `grace` seconds from now."""
    if _stopping.is_set():
        return
    _stopping.set()

    def watchdog() -> None:
        time.sleep(grace)
        print(f"synthaug: still running {grace:g}s after the interrupt; killing it", file=sys.stderr, flush=True)
        stop_children(grace=1.0)
        os._exit(EXIT_INTERRUPTED)

    threading.Thread(target=watchdog, name="synthaug-interrupt-watchdog", daemon=True).start()


def stop_children(keep_server: bool = False, grace: float = 2.0) -> None:
    """End every descendant process: cell workers and what they started, a Dask local cluster, and the
    temporary Prefect API server unless `keep_server` (Prefect still flushes logs and states to it at
    exit, then stops it itself). The resource tracker is left to exit on its own: killing it would
    leave named semaphores behind."""

    me = os.getpid()
    stop_processes([p for p in descendants(me) if not _spared(p, keep_server, me)], grace)


def stop_worker_trees(pids: list[int]) -> None:
    """KILL what worker processes started (Prefect's process workers may each run a private API server):
    once a worker is gone its children are orphans nobody would stop, and nothing else uses them."""
    stop_processes([child for pid in pids for child in descendants(pid)], grace=0.0)


def descendants(pid: int) -> list[Any]:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def stop_processes(procs: list[Any], grace: float = 2.0) -> None:
    """TERM all at once, KILL those still alive after `grace` seconds (KILL at once when `grace` is 0)."""
    import psutil

    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.terminate() if grace > 0 else proc.kill()
    alive = _wait_gone(procs, grace)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    _wait_gone(alive, 2.0)


def _wait_gone(procs: list[Any], timeout: float) -> list[Any]:
    """Those still running after `timeout` s. A zombie counts as gone: a grandchild stays one until its
    own parent reaps it, and `psutil.wait_procs` would wait the whole timeout for it."""
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
        if not alive or time.monotonic() >= deadline:
            return alive
        with contextlib.suppress(psutil.Error):
            psutil.wait_procs(alive, timeout=0.05)  # reaps our own children


def _spared(proc: Any, keep_server: bool, me: int) -> bool:
    import psutil

    try:
        cmd, parent = " ".join(proc.cmdline()), proc.ppid()
    except psutil.Error:
        return False
    return TRACKER_MARK in cmd or (keep_server and parent == me and SERVER_MARK in cmd)
