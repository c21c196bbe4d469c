"""Thread limits and the process pool of the plain driver.

Every cell computes with one BLAS/OpenMP/torch thread: float reductions then do not depend on the
thread count (same config, same numbers on any driver), and workers sharing cores do not oversubscribe
them (on 2 busy cores two OpenMP threads per fit made epochs 5–20× slower).
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):
            yield
    finally:
        torch.set_num_threads(before)


def ordered_map(fn: Callable[..., T], items: Iterable[Any], workers: int, *args: Any) -> list[T]:
    """`[fn(item, *args) ...]` in order; over a spawn-started process pool when `workers` > 1 (torch and
    forked children do not mix)."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [fn(item, *args) for item in items]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=ctx) as pool:
        futures = [pool.submit(fn, item, *args) for item in items]
        return [f.result() for f in futures]
