"""Thread limits and the process pool of the plain driver.

Every cell computes with one BLAS/OpenMP/torch thread: float reductions then do not depend on the
thread count (same config, same numbers on any driver), and workers sharing cores do not oversubscribe
them (on 2 busy cores two OpenMP threads per fit made epochs 5–20× slower).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")

#: read by OpenMP, MKL and OpenBLAS (and so by torch) when they load
_THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@contextlib.contextmanager
def single_threaded(include_torch: bool = True) -> Iterator[None]:
    """One BLAS/OpenMP thread, and one torch thread unless `include_torch` is False, for the block;
    the previous counts come back afterwards. The one thread limiter of the project: cells, the
    estimator's measurements and validation's detection fits all go through it. `include_torch=False`
    suits blocks that never touch torch: importing torch only to set its count costs about a second."""
    from threadpoolctl import threadpool_limits

    with contextlib.ExitStack() as stack:
        if include_torch:
            import torch

            before = torch.get_num_threads()
            torch.set_num_threads(1)
            stack.callback(torch.set_num_threads, before)
        stack.enter_context(threadpool_limits(1))
        yield


def limit_process_threads() -> None:
    """One BLAS/OpenMP/torch thread for the rest of this process: the initializer of worker processes,
    which share the cores and must not oversubscribe them.

    Libraries already loaded are limited now; those loaded later (torch, scikit-learn's OpenMP) read
    the environment as they load. Importing torch here only to set its count cost a second of every
    cell task, also where every cell comes from the cache and torch is never needed. The loaded
    libraries are limited once per process: threadpoolctl scans every shared object each time (10 ms
    with the cells' libraries loaded, per cached cell of a re-run), and a computed cell limits its
    libraries again for its own duration (`single_threaded`)."""
    for name in _THREAD_ENV:
        os.environ[name] = "1"
    _limit_loaded_libraries()
    if "torch" in sys.modules:
        set_torch_threads(1)


@functools.cache
def _limit_loaded_libraries() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def init_worker() -> None:
    """The initializer of every worker process: one thread per library, and no module teardown at exit."""
    limit_process_threads()
    skip_teardown_at_exit()


def skip_teardown_at_exit() -> None:
    """End this worker process right after the exit hooks registered from now on have run, without the
    interpreter tearing down its modules one by one: with torch, SDV, GX and Prefect loaded that took
    1.2 s per worker, waited for by every pool shutdown at the end of a grid. Registered first (in the
    initializer), the hook runs last; the exit code is 0, which is what a pool worker's normal end
    returns (a killed worker never gets here)."""
    atexit.register(_leave, 0)


def end_process(code: int) -> NoReturn:
    """Leave as the interpreter would (non-daemon threads joined, every exit hook run, streams flushed),
    minus the teardown of its ~3,000 modules: 0.6 s at the end of every `synthaug run`."""
    shutdown = getattr(threading, "_shutdown", None)  # what the interpreter itself calls first
    if shutdown is not None:
        shutdown()
    atexit._run_exitfuncs()
    _leave(code)


def _leave(code: int) -> NoReturn:
    logging.shutdown()  # its own exit hook may be one of those skipped
    exit_now(code)


def exit_now(code: int) -> NoReturn:
    """Out at once: stdout and stderr flushed, no further exit hooks, no module teardown."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def return_freed_memory() -> None:
    """Give the heap pages a finished cell freed back to the system. glibc keeps them otherwise, so a
    worker that fitted a large model holds its peak through every later cell (resident, counted, yet
    unused); `malloc_trim` returns them in under a millisecond. No `gc.collect()` here: with torch, SDV
    and GX loaded a full collection takes 0.2 s, and the cell's frames and arrays are freed by
    reference counting as it returns. Elsewhere than glibc nothing happens."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def set_torch_threads(n: int | None) -> None:
    """Set torch's intra-op thread count for this process when `n` is given (a model's `num_threads`
    hyperparameter); None or 0 leaves it as it is."""
    if n:
        import torch

        torch.set_num_threads(int(n))


def in_processes(workers: int, n_items: int) -> bool:
    """Whether `ordered_map` runs these items in worker processes (else in the calling process)."""
    return workers > 1 and n_items > 1


def ordered_map(fn: Callable[..., T], items: Iterable[Any], workers: int, *args: Any) -> list[T]:
    """`[fn(item, *args) ...]` in order; over a spawn-started process pool when `workers` > 1 (torch and
    forked children do not mix).

    The first exception (or an interrupt) ends the map at once: queued items are cancelled and running
    workers terminated, so a run that is over does not keep computing for minutes."""
    items = list(items)
    if not in_processes(workers, len(items)):
        return [fn(item, *args) for item in items]
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=ctx, initializer=init_worker)
    try:
        futures = [pool.submit(fn, item, *args) for item in items]
        wait(futures, return_when=FIRST_EXCEPTION)
        out = [f.result() for f in futures]
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown()
    return out


def stop_pool(pool: ProcessPoolExecutor, grace: float = 2.0) -> None:
    """Cancel what has not started and terminate the workers (TERM, then KILL after `grace` seconds).

    `ProcessPoolExecutor.shutdown` alone waits for running items; its worker list and manager thread
    are private, hence the guarded attribute access. The manager thread reaps the dead workers too;
    joining it means no reaping is still under way when this returns (two threads reaping one child
    race, and the loser reads the child as alive)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    terminate_processes(processes, grace)
    if manager is not None:
        manager.join(grace)


def terminate_processes(processes: list[Any], grace: float = 2.0) -> None:
    """TERM every live `multiprocessing.Process`, KILL those still alive after `grace` seconds, reap all."""
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + grace
    for proc in processes:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(10.0)  # KILL cannot be refused; a loaded machine may take a while to reap
