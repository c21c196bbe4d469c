"""A generator plugin whose `fit` raises for chosen seeds: a real failing cell, no mocks.

Registered through the public registry like any plugin. Which fits fail is read from an environment
variable at fit time, so a rerun with the variable unset succeeds while every cell's cache key stays
the same (the generator's params do not change), and worker processes inherit the choice.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from synthaug.evaluation.splits import derive_seed
from synthaug.generators.oversamplers import RandomOversamplingGenerator

NAME = "failing"
FAIL_SEEDS = "SYNTHAUG_TEST_FAIL_SEEDS"


class FailingGenerator(RandomOversamplingGenerator):
    """Random oversampling that raises RuntimeError in `fit` when its seed is listed in FAIL_SEEDS."""

    name = NAME

    def _fit(self, X: Any, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        seeds = {int(s) for s in os.environ.get(FAIL_SEEDS, "").split(",") if s}
        if self.random_state in seeds:
            raise RuntimeError(f"planted failure in fit (seed {self.random_state})")
        super()._fit(X, y, column_kinds)


def register() -> None:
    from synthaug.generators import GeneratorSpec, register

    register(NAME, GeneratorSpec(f"{__name__}:FailingGenerator", ("tabular",), False,
                                 "test plugin: raises in fit for the seeds in $SYNTHAUG_TEST_FAIL_SEEDS"))


def fit_seed(seed: int, repeat: int, fraction: float, slot: str = NAME) -> int:
    """The seed `runner.fit_generator` gives the slot's fit in that repeat and fraction."""
    return derive_seed(seed, "fit", repeat, fraction, slot)


class OutOfRangeGenerator(RandomOversamplingGenerator):
    """Random oversampling whose first sampled rows get a first column far outside the training range,
    so the row-level range expectation fails (what `validation.policy: fail` must stop on)."""

    name = "out_of_range"

    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[Any, np.ndarray]:
        X, y = super()._sample(class_counts, seed)
        X = X.copy()
        X.iloc[:3, 0] = 1e6
        return X, y


def register_out_of_range() -> None:
    from synthaug.generators import GeneratorSpec, register

    register("out_of_range", GeneratorSpec(f"{__name__}:OutOfRangeGenerator", ("tabular",), False,
                                           "test plugin: samples rows outside the training range"))


def stop_or_sleep(item: int) -> int:
    """For `ordered_map`: item 0 ends the run (as `validation.policy: fail` does), the others run long."""
    import time

    from synthaug.validation.result import ValidationFailed

    if item == 0:
        time.sleep(1.0)  # let the other workers start their long items
        raise ValidationFailed("planted: synthetic set 'x' failed 1 expectation(s)")
    time.sleep(120)
    return item


def log_and_return(item: int) -> tuple[int, int]:
    """For `WorkerPool`: logs on the library's logger (INFO, a debug line, a warning with a traceback)
    and returns the item with the worker's pid."""
    import logging
    import os

    log = logging.getLogger("synthaug.test")
    log.info("item %d starts", item)
    log.debug("item %d debug detail", item)
    try:
        raise KeyError(item)
    except KeyError:
        log.warning("item %d handled an error", item, exc_info=True)
    return item, os.getpid()


def fail_in_worker(item: int) -> int:
    raise ValueError(f"planted failure for item {item}")


def die_in_worker(item: int) -> int:
    """Ends its worker process at once (a lost worker: out of memory, say)."""
    import os

    os._exit(9)


def warm_state() -> tuple[int, bool, bool, int]:
    """For a prestarted `WorkerPool`: what its worker's warm-up loaded before any cell (pid, GX and SDV
    imported, datasets in the per-process cache)."""
    import os
    import sys

    from synthaug.warmup import _load_cached

    return (os.getpid(), "great_expectations" in sys.modules, "sdv.single_table" in sys.modules,
            _load_cached.cache_info().currsize)


def thread_env() -> str:
    """For `WorkerPool`: the OpenMP thread count its worker set up (the plain driver's one per library)."""
    import os

    return os.environ.get("OMP_NUM_THREADS", "")


def worker_family() -> tuple[int, int, bool]:
    """For `WorkerPool`: this worker's pid, its parent's, and whether the pool's preload (`colorsys`, which
    nothing else here imports) was already imported."""
    import os
    import sys

    return os.getpid(), os.getppid(), "colorsys" in sys.modules


def slow_family(_: int = 0) -> tuple[int, int, bool]:
    """`worker_family` after half a second, so that concurrent jobs spread over the workers."""
    import time

    time.sleep(0.5)
    return worker_family()
