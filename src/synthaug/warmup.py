"""What a cell worker loads before its first cell: the dataset (once per process) and the modules its
cells import.

Why apart from the runner: the Prefect driver starts its worker pool from these before it imports
scikit-learn or Prefect itself (about 1 and 2 s of CPU), so the pool's seed imports the cells' libraries
beside the driver's start-up instead of after part of it. This module therefore imports neither; the
runner and the cell cache read the same `load_data`.
"""

from __future__ import annotations

import contextlib
import logging
from functools import lru_cache

from synthaug.config import DatasetConfig, ExperimentConfig
from synthaug.data import Dataset, load_dataset
from synthaug.evaluation.classifier_registry import classifier_module
from synthaug.generators import generator_class, resolve_type
from synthaug.parallel import return_freed_memory

log = logging.getLogger("synthaug")


@lru_cache(maxsize=4)
def _load_cached(dataset_json: str) -> Dataset:
    return load_dataset(DatasetConfig.model_validate_json(dataset_json))


def load_data(dataset: DatasetConfig) -> Dataset:
    """The dataset, loaded once per process and config (cells of one run share it)."""
    return _load_cached(dataset.model_dump_json())


def release_data() -> None:
    """Forget the loaded datasets: a driver process whose workers load their own copies need not hold
    one for the whole grid (a 1M-row table with text columns is about a gigabyte). The freed pages go
    back to the system, not only to the allocator."""
    _load_cached.cache_clear()
    return_freed_memory()


def worker_modules(cfg: ExperimentConfig) -> list[str]:
    """The modules a grid's cells import (data, GX, the configured classifiers and generators' libraries):
    a worker pool started ahead of its cells imports them once for all its workers (about 5.6 s of CPU)
    while the driver itself still starts."""
    modules = ["synthaug.cellcache", *(classifier_module(name) for name in cfg.classifiers)]
    if cfg.generators:
        modules.append("great_expectations")
    for slot, params in cfg.generators.items():
        with contextlib.suppress(Exception):  # an unknown generator is the cells' error to report
            modules += generator_class(resolve_type(slot, params)).fit_imports
    return list(dict.fromkeys(modules))


def warm_worker(cfg: ExperimentConfig) -> None:
    """A cell worker started ahead of its cells loads the data now, not in its first cell. Never raises:
    a cell meets the same error itself and reports it as its own."""
    try:
        load_data(cfg.dataset)
    except Exception as exc:  # noqa: BLE001 - the cells report it
        log.debug("worker warm-up stopped: %s: %s", type(exc).__name__, exc)
