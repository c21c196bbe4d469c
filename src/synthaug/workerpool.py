"""A process pool for one caller thread per job: the work runs in a worker process, and the library's log
records come back to the thread that asked for it, to be handled there.

Why: the Prefect driver runs a cell's task run in a thread of the flow's process and the cell itself in
a worker process that never imports Prefect. What the cell logs (a generator's epochs, rows the filter
dropped) must still reach the console and the task run's own logs: records are sent back as they happen
and handled in the waiting thread, inside its task run, as if logged there.

Why one import for the pool: every worker needs torch, SDV, Great Expectations and scikit-learn (about
5.6 s of CPU to import). Spawned one by one, two workers imported them side by side while the driver
imported Prefect and started its API server: three processes on two cores for the first seconds of every
run. Here the pool spawns one process (the seed), which sets one thread per library, imports the
`preload` modules and then forks the other workers, before any data is read or any library thread pool
has run (forking a process with live threads is what spawn-only pools avoid; importing starts none but
jemalloc's background thread, which jemalloc itself re-creates in the child). Each worker then runs
`warm` on its own (the data). Where fork is unavailable or unsafe after imports (macOS), every worker is
a seed of its own, as before.

How: each worker connects once to a Unix socket this pool listens on and serves jobs over that one
connection: the job in; its `synthaug` log records out as they happen, then its result or exception. A
thread per connection gives its worker the next job in submission order and routes what comes back to
the job's caller; a worker that dies fails only the job it was running.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Client, Connection, Listener
from typing import Any, TypeVar

from synthaug.poolworker import LOGGER, seed_main

T = TypeVar("T")
CONNECT_GRACE_S = 10.0  # how long workers forked before their seed died may still take to connect
_FORKS = hasattr(os, "fork") and sys.platform.startswith("linux")


class _Job:
    """A job's function and arguments, and the queue its caller reads: log records, then the outcome."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn, self.args = fn, args
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def finish(self, ok: bool, value: Any) -> None:
        self.inbox.put(_Outcome(ok, value))


class _Outcome:
    def __init__(self, ok: bool, value: Any) -> None:
        self.ok, self.value = ok, value


class WorkerPool:
    """`run(fn, *args)` blocks its calling thread until a worker returns `fn(*args)`, handling the job's
    log records in that thread meanwhile. Workers run `init_worker` (one thread per library, no module
    teardown at exit), import `preload` once for all, then each runs `warm(*warm_args)`."""

    def __init__(self, workers: int, level: int | None = None, warm: Callable[..., Any] | None = None,
                 warm_args: tuple[Any, ...] = (), preload: Sequence[str] = ()) -> None:
        self.workers = workers
        self._level = logging.getLogger(LOGGER).getEffectiveLevel() if level is None else level
        self._warm, self._warm_args, self._preload = warm, warm_args, tuple(preload)
        self._listener = Listener(family="AF_UNIX")
        self._address, self._listening = self._listener.address, True
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._seeds: list[Any] = []
        self._pids: list[int] = []
        self._unconnected = workers  # workers that may still connect
        self._live = 0  # connected workers still serving
        self._threads: list[threading.Thread] = []
        self._shutdown = False  # no new jobs
        self._stopped = False  # workers are being ended: one that connects now is sent away
        self._broken = False  # no worker left to run one

    def start(self) -> WorkerPool:
        """Start the workers now instead of on the first job: a driver that still has seconds of its own
        start-up ahead lets them import and load meanwhile."""
        with self._lock:
            if self._seeds:
                return self
            ctx = multiprocessing.get_context("spawn")
            forks = [self.workers - 1] if _FORKS else [0] * self.workers
            for n in forks:
                seed = ctx.Process(target=seed_main, name="synthaug-worker", args=(
                    self._address, n, self._level, self._preload, self._warm, self._warm_args))
                seed.start()
                self._seeds.append(seed)
        self._thread(self._accept, "synthaug-workers")
        self._thread(self._watch_seeds, "synthaug-worker-seeds")
        return self

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._shutdown:
            raise RuntimeError("cannot run new jobs after the worker pool was shut down")
        self.start()
        job = _Job(fn, args)
        self._jobs.put(job)
        if self._broken:
            self._fail_pending(BrokenProcessPool("every worker process of the pool has ended"))
        while True:
            item = job.inbox.get()
            if isinstance(item, _Outcome):
                if item.ok:
                    return item.value
                raise item.value
            logging.getLogger(item.name).handle(item)

    def pids(self) -> list[int]:
        """The worker processes' ids (the seeds' first), for stopping what they started."""
        return [s.pid for s in self._seeds if s.pid] + [p for p in self._pids if p not in {s.pid for s in self._seeds}]

    @property
    def closed(self) -> bool:
        """Whether the pool takes no more jobs (shut down or stopped)."""
        return self._shutdown

    def shutdown(self) -> None:
        """Let queued and running jobs finish, then end the workers and stop listening."""
        self._shutdown = True
        for _ in range(self.workers):
            self._jobs.put(None)
        for thread in list(self._threads):
            if thread.name == "synthaug-worker":
                thread.join()
        self._close(grace=10.0)

    def stop(self, grace: float = 2.0) -> None:
        """Cancel what has not started and terminate the workers now (a run that is over): a running job's
        caller hears that its worker was lost."""
        self._shutdown = self._stopped = True
        self._fail_pending(CancelledError())
        for _ in range(self.workers):  # idle workers end at once; late ones are sent away on connecting
            self._jobs.put(None)
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p) for p in self.pids()):
            time.sleep(0.05)
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self._close(grace=10.0)

    def _close(self, grace: float) -> None:
        for seed in self._seeds:
            seed.join(grace)
        with self._lock:
            if self._listening is False:
                return
            self._listening = False
        with contextlib.suppress(OSError):
            Client(self._address).close()  # wakes the accepting thread, which sees the shutdown
        self._listener.close()

    def _thread(self, target: Callable[..., None], name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except OSError:
                return
            if self._shutdown and self._unconnected == 0:
                conn.close()
                return
            self._thread(self._serve, "synthaug-worker", conn)

    def _watch_seeds(self) -> None:
        """Workers that never connect (their seed died importing or forking) are counted out, so jobs
        cannot wait for them forever."""
        for seed in self._seeds:
            seed.join()
        deadline = time.monotonic() + CONNECT_GRACE_S
        while self._unconnected and time.monotonic() < deadline and not self._shutdown:
            time.sleep(0.1)
        with self._lock:
            self._unconnected = 0
        self._check_broken()

    def _serve(self, conn: Connection) -> None:
        """Feed one worker jobs until the pool shuts down or the worker is lost."""
        job: _Job | None = None
        counted = False
        with conn:
            try:
                pid = conn.recv()
                if self._stopped:
                    return
                with self._lock:
                    self._pids.append(pid)
                    self._unconnected = max(0, self._unconnected - 1)
                    self._live += 1
                    counted = True
                while True:
                    job = self._jobs.get()
                    if job is None:
                        conn.send(None)
                        _drain(conn)
                        return
                    try:
                        conn.send((job.fn, job.args))  # pickled whole before a byte is sent
                    except (OSError, EOFError):
                        raise
                    except Exception as exc:  # noqa: BLE001 - an unpicklable job fails alone
                        job.finish(False, exc)
                        job = None
                        continue
                    self._relay(conn, job)
                    job = None
            except (EOFError, OSError) as exc:
                if job is not None:
                    job.finish(False, _lost(exc))
            finally:
                if counted:
                    with self._lock:
                        self._live -= 1
                    self._check_broken()

    @staticmethod
    def _relay(conn: Connection, job: _Job) -> None:
        while True:
            data = conn.recv_bytes()
            try:
                kind, payload = pickle.loads(data)
            except Exception as exc:  # noqa: BLE001 - e.g. a result of a class this process cannot import
                job.finish(False, exc)
                return
            if kind == "log":
                job.inbox.put(payload)
                continue
            if kind == "note":  # logged outside any job (a warm-up's trouble): handled here
                logging.getLogger(payload.name).handle(payload)
                continue
            if kind == "err":
                exc, text = payload
                exc.__cause__ = _RemoteTraceback(text)
                job.finish(False, exc)
            else:
                job.finish(True, payload)
            return

    def _check_broken(self) -> None:
        with self._lock:
            gone = self._live <= 0 and self._unconnected <= 0 and bool(self._seeds)
            if gone:
                self._broken = True
        if gone:
            self._fail_pending(BrokenProcessPool("every worker process of the pool has ended"))

    def _fail_pending(self, exc: BaseException) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job.finish(False, exc)


def _lost(exc: BaseException) -> BrokenProcessPool:
    err = BrokenProcessPool("a process in the process pool was terminated abruptly while running this job")
    err.__cause__ = exc
    return err


def _alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie, ended but not yet reaped by its seed, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        if os.path.isdir("/proc"):
            return False
    except OSError:
        return False
    try:  # no /proc (macOS): signal 0 only asks whether the process exists
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _drain(conn: Connection) -> None:
    """Read until the worker closes its end, handling records logged outside any job."""
    with contextlib.suppress(EOFError, OSError):
        while True:
            kind, payload = conn.recv()
            if kind in ("log", "note"):
                logging.getLogger(payload.name).handle(payload)


class _RemoteTraceback(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)

    def __str__(self) -> str:
        return str(self.args[0])
