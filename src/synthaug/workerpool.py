"""A process pool for one caller thread per job: the work runs in a worker process, and the library's log
records come back to the thread that asked for it, to be handled there.

Why: the Prefect driver runs a cell's task run in a thread of the flow's process and the cell itself in
a worker process that never imports Prefect. Under Prefect's own process pool every worker imported
Prefect (about 55 MiB each) and rebuilt its settings, client and run context for every task (about
0.1 s of CPU per cell), which a 2-core machine pays beside the fits. What the cell logs (a generator's
epochs, rows the filter dropped) must still reach the console and the task run's own logs: records are
sent back as they happen and handled in the waiting thread, inside its task run, as if logged there.

How: each worker connects once to a Unix socket this pool listens on (one connection per worker, so a
worker killed mid-write cannot block the others) and sends `(job, record)` for every record of the
`synthaug` logger, then `(job, None)` when the job ends. A reader thread per connection routes records
to the queue of the job's caller.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.connection import Client, Connection, Listener
from typing import Any, TypeVar

from synthaug.parallel import init_worker, stop_pool

T = TypeVar("T")
LOGGER = "synthaug"
END_GRACE_S = 5.0  # a finished job's end mark is already on the socket; this only bounds a lost one
_job_id: list[int | None] = [None]  # the job a worker is running (one at a time per worker process)


class WorkerPool:
    """`run(fn, *args)` blocks its calling thread until a worker returns `fn(*args)`, handling the job's
    log records in that thread meanwhile. Workers are spawn-started with `init_worker` (one thread per
    library, no module teardown at exit), like the plain driver's pool."""

    def __init__(self, workers: int, level: int | None = None, warm: Callable[..., Any] | None = None,
                 warm_args: tuple[Any, ...] = ()) -> None:
        self._listener = Listener(family="AF_UNIX")
        self._queues: dict[int, queue.SimpleQueue[logging.LogRecord | None]] = {}
        self._lock = threading.Lock()
        self._jobs = itertools.count()
        self._closed = threading.Event()
        level = logging.getLogger(LOGGER).getEffectiveLevel() if level is None else level
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=init_log_worker,
                                            initargs=(self._listener.address, level, warm, warm_args))
        self.workers = workers
        threading.Thread(target=self._accept, name="synthaug-worker-logs", daemon=True).start()

    def start(self) -> WorkerPool:
        """Start every worker now (each runs `warm` as it starts) instead of on the first jobs: a driver
        that still has seconds of its own start-up ahead lets the workers load meanwhile."""
        for _ in range(self.workers):
            self.executor.submit(_started)
        return self

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        job = next(self._jobs)
        records: queue.SimpleQueue[logging.LogRecord | None] = queue.SimpleQueue()
        with self._lock:
            self._queues[job] = records
        try:
            future = self.executor.submit(run_job, job, fn, *args)
            _relay(records, future)
            return future.result()
        finally:
            with self._lock:
                self._queues.pop(job, None)

    def shutdown(self) -> None:
        """Wait for running jobs, end the workers, stop listening."""
        try:
            self.executor.shutdown(wait=True)
        finally:
            self._close()

    def stop(self) -> None:
        """Cancel what has not started and terminate the workers now (a run that is over)."""
        try:
            stop_pool(self.executor)
        finally:
            self._close()

    def _close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        with contextlib.suppress(OSError):
            Client(self._listener.address).close()  # wakes the accepting thread, which sees `_closed`
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn = self._listener.accept()
            except OSError:
                return
            if self._closed.is_set():
                conn.close()
                return
            threading.Thread(target=self._read, args=(conn,), name="synthaug-worker-log", daemon=True).start()

    def _read(self, conn: Connection) -> None:
        with conn:
            while True:
                try:
                    job, record = conn.recv()
                except (EOFError, OSError):
                    return  # the worker ended (or was killed)
                with self._lock:
                    records = self._queues.get(job)
                if records is not None:
                    records.put(record)
                elif record is not None:  # logged outside any job (a worker's imports, say)
                    logging.getLogger(record.name).handle(record)


def _relay(records: queue.SimpleQueue[logging.LogRecord | None], future: Future[Any]) -> None:
    """Handle the job's records here until its end mark; a job that ended without one (its worker died,
    or it was cancelled) leaves after a short grace."""
    deadline: float | None = None
    while True:
        try:
            record = records.get(timeout=0.05)
        except queue.Empty:
            if future.done():
                if deadline is None:
                    finished = not future.cancelled() and future.exception() is None
                    deadline = time.monotonic() + (END_GRACE_S if finished else 0.2)
                elif time.monotonic() > deadline:
                    return
            continue
        if record is None:
            return
        logging.getLogger(record.name).handle(record)


class _Forward(logging.Handler):
    """Sends each record, made picklable (message formatted, arguments and traceback folded into it), to
    the pool with the job it belongs to; synchronous, so a job's records precede its end mark."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.conn.send((_job_id[0], _plain(self, record)))
        except Exception:  # noqa: BLE001 - logging must never break the work
            self.handleError(record)


def _plain(handler: logging.Handler, record: logging.LogRecord) -> logging.LogRecord:
    message = handler.format(record)  # the message, plus the traceback when there is one
    out = logging.makeLogRecord(record.__dict__)
    out.msg, out.args, out.exc_info, out.exc_text, out.stack_info = message, None, None, None, None
    return out


def init_log_worker(address: Any, level: int, warm: Callable[..., Any] | None = None,
                    warm_args: tuple[Any, ...] = ()) -> None:
    """Initializer of a `WorkerPool` worker: the plain driver's worker set-up, then the `synthaug` logger
    forwards to the pool instead of this process's (unconfigured) stderr, then the pool's warm-up."""
    init_worker()
    logger = logging.getLogger(LOGGER)
    handler = _Forward(Client(address))
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    if warm is not None:
        warm(*warm_args)


def _started() -> None:
    """The job `WorkerPool.start` submits once per worker: it only makes the executor spawn them."""


def run_job(job: int, fn: Callable[..., T], *args: Any) -> T:
    """One job in a worker: its records carry its number, and its end is marked for the waiting caller."""
    _job_id[0] = job
    try:
        return fn(*args)
    finally:
        _job_id[0] = None
        for handler in logging.getLogger(LOGGER).handlers:
            if isinstance(handler, _Forward):
                with contextlib.suppress(Exception):
                    handler.conn.send((job, None))
