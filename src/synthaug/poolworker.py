"""The worker side of `WorkerPool`: a seed process imports once and forks the other workers; every worker
connects to the pool, forwards the `synthaug` logger's records and runs the jobs it is sent.

Messages to the pool, in order on one connection: the worker's pid; then per job ("log", record)* and
("ok", value) or ("err", (exception, traceback text)); ("note", record) for what is logged outside a job.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable, Sequence
from multiprocessing.connection import Client, Connection
from typing import Any

from synthaug.parallel import init_worker

LOGGER = "synthaug"
_in_job = [False]  # whether this worker process is running a job (its records then belong to the job's caller)


class _Forward(logging.Handler):
    """Sends each record, made picklable (message formatted, arguments and traceback folded into it), on
    the worker's connection; synchronous, so a job's records precede its result."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.conn.send(("log" if _in_job[0] else "note", _plain(self, record)))
        except Exception:  # noqa: BLE001 - logging must never break the work
            self.handleError(record)


def _plain(handler: logging.Handler, record: logging.LogRecord) -> logging.LogRecord:
    message = handler.format(record)  # the message, plus the traceback when there is one
    out = logging.makeLogRecord(record.__dict__)
    out.msg, out.args, out.exc_info, out.exc_text, out.stack_info = message, None, None, None, None
    return out


def seed_main(address: Any, forks: int, level: int, preload: Sequence[str],
               warm: Callable[..., Any] | None, warm_args: tuple[Any, ...]) -> None:
    """A seed process: one thread per library, the shared imports, then `forks` more workers forked off
    it (multiprocessing's fork, so each starts with a clean finalizer registry and ends through
    multiprocessing's exit, releasing the semaphores it made, tqdm's lock say); each of them and the seed
    itself serves jobs. The seed waits for its forks before it ends, so their CPU time is counted where
    the driver's is (a benchmark's `RUSAGE_CHILDREN`)."""
    init_worker()
    for name in preload:
        with contextlib.suppress(Exception):  # a cell that needs the module reports the error itself
            importlib.import_module(name)
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=_serve_jobs, args=(address, level, warm, warm_args), name=f"synthaug-worker-{i}")
                for i in range(1, forks + 1)]
    for child in children:
        child.start()
    _serve_jobs(address, level, warm, warm_args)
    for child in children:
        child.join()


def _serve_jobs(address: Any, level: int, warm: Callable[..., Any] | None, warm_args: tuple[Any, ...]) -> None:
    """A worker's life: connect, forward the `synthaug` logger there, warm up, run jobs until told to stop."""
    try:
        conn = Client(address)
        conn.send(os.getpid())
    except OSError:  # the pool was closed before this worker came up
        return
    logger = logging.getLogger(LOGGER)
    handler = _Forward(conn)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    if warm is not None:
        with contextlib.suppress(Exception):
            warm(*warm_args)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            conn.close()
            return
        fn, args = task
        _in_job[0] = True
        try:
            out: tuple[str, Any] = ("ok", fn(*args))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            out = ("err", _portable(exc))
        finally:
            _in_job[0] = False
        try:
            conn.send(out)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result still answers the caller
            conn.send(("err", _portable(RuntimeError(f"the job's result could not be sent back: {exc}"))))


def _portable(exc: BaseException) -> tuple[BaseException, str]:
    """The exception and its formatted traceback; an exception that cannot be pickled goes back as a
    RuntimeError naming it."""
    import traceback

    text = "".join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc, text
