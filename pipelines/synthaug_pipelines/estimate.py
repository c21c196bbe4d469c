"""`synthaug run --dry-run`: the grid and a time estimate before anything is fitted.

Tables use per-row coefficients measured once (below). Image runs are timed on the spot, because
their cost depends on image size and channels far more than on row count: a few updates of each
torch generator, the reference CNN and the CNN classifier on the actual images, and one fit of each
flattened-pixel classifier, all on one thread as the cells run; then multiplied by the update counts
the fits will make (`fit_plan`, `SmallCNN.schedule`). Measuring takes 10-30 s. Unit costs are CPU time;
`cpu_rate` turns them into wall time for the workers and the machine's current load.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

import numpy as np

from synthaug.cellspec import CellSpec
from synthaug.config import ExperimentConfig
from synthaug.data import Dataset
from synthaug.runner import prepare


def estimate_seconds(cfg: ExperimentConfig, cells: list[CellSpec], n_rows: int) -> float:
    """Tables: the library's cost model (`synthaug.costs`, the one that orders the plan) over all cells."""
    if cfg.dataset.kind == "images":
        return estimate_image_seconds(cfg, cells)
    from synthaug.costs import cell_seconds

    total = sum(cell_seconds(cfg, c.generator, c.fraction, n_rows) for c in cells)
    return total / max(1, min(cfg.runtime.workers, 2) * 0.8)


def describe_plan(cfg: ExperimentConfig, cells: list[CellSpec]) -> str:
    data = prepare(cfg)
    gens = Counter(c.generator for c in cells if c.generator)
    sets = len(cfg.protocol.ratios) * len(cfg.protocol.strategies)
    modes = 2 + int(cfg.protocol.tstr)
    n_clf = len(cfg.classifiers)
    fits_clf = sum(n_clf if c.generator is None else sets * (modes - 1) * n_clf for c in cells)
    lines = [f"experiment {cfg.name!r} on {data.name} ({len(data)} rows, {len(data.classes)} classes)",
             f"cells: {len(cells)} ({sum(1 for c in cells if c.generator is None)} real-only baselines)",
             f"generator fits: {sum(gens.values())} ({', '.join(f'{g} ×{n}' for g, n in gens.items())})",
             f"synthetic sets: {sum(gens.values()) * sets}; classifier fits: {fits_clf}",
             f"estimated time: about {estimate_seconds(cfg, cells, len(data)) / 60:.1f} min with "
             f"{cfg.runtime.workers} {cfg.runtime.task_runner} worker(s) (cached fits are faster)"]
    return "\n".join(lines + data_lines(data))


def data_lines(data: Dataset) -> list[str]:
    """How the table was read, in the words of the report's Data section (one text for both)."""
    if data.kind != "tabular":
        return []
    from synthaug.outputs import dataset_summary
    from synthaug.reporting.data_section import data_lines as report_lines

    return [line for paragraph in report_lines(dataset_summary(data)) for line in ("", paragraph)]


# ---------------------------------------------------------------- images
VALIDATION_FIXED_SECONDS = 2.5  # GX context, summary checks, grid, per synthetic set (set by hand, not fitted)
CELL_FIXED_SECONDS = 1.0        # splitting, cache keys, writing cell results
PARALLEL_EFFICIENCY = 0.85      # two worker processes on two cores finish in 1/(2·0.85) of the serial time
PROBE_IMAGES = 256


def estimate_image_seconds(cfg: ExperimentConfig, cells: list[CellSpec]) -> float:
    """CPU seconds of every cell from measured per-update costs, over the CPU the workers will get."""
    from synthaug.parallel import single_threaded

    data = prepare(cfg)
    with single_threaded():  # as the cells run
        costs = _ImageCosts(cfg, data)
        total = sum(costs.cell(c) for c in cells)
    return total / cpu_rate(min(cfg.runtime.workers, len(cells)))


def cpu_rate(workers: int) -> float:
    """CPU seconds per second the run's workers will get: each runnable process gets an equal share of
    the cores, and the load other jobs put on the machine now (1-minute load average, less this
    process) is assumed to last. The issue's 8-minute estimate for an 18-minute run missed exactly this."""
    cores = os.cpu_count() or 1
    w = max(1, workers)
    other = max(0.0, os.getloadavg()[0] - 1.0)
    rate = min(float(w), cores * w / (w + other))
    return rate * (PARALLEL_EFFICIENCY if w > 1 else 1.0)


class _ImageCosts:
    """Measured unit costs for one image data set, reused for every cell of the plan."""

    def __init__(self, cfg: ExperimentConfig, data: Any) -> None:
        self.cfg, self.data = cfg, data
        rng = np.random.default_rng(0)
        idx = rng.choice(len(data), min(PROBE_IMAGES, len(data)), replace=False)
        self.X, self.y = data.X[idx], np.asarray(data.y)[idx]
        self.n_pool = int(len(data) * (1 - cfg.protocol.test_size))
        self.n_classes = len(np.unique(data.y))
        self._gen: dict[str, tuple[dict[str, float], Any]] = {}
        self._cnn_step = self._cnn_step_seconds()
        self._clf: dict[str, float] = {}

    def cell(self, cell: CellSpec) -> float:
        n = max(2, int(self.n_pool * cell.fraction))
        if cell.generator is None:
            return CELL_FIXED_SECONDS + self.classifiers(n)
        sets = len(self.cfg.protocol.ratios) * len(self.cfg.protocol.strategies)
        seconds = CELL_FIXED_SECONDS + self.generator_fit(cell.generator, n)
        for ratio in self.cfg.protocol.ratios:
            m = int(round(ratio * n))
            per_set = VALIDATION_FIXED_SECONDS + self.cnn_fit(n, {}) + self.classifiers(n + m)
            per_set += self.classifiers(m) if self.cfg.protocol.tstr else 0.0
            seconds += per_set * sets / len(self.cfg.protocol.ratios)
        return seconds

    def generator_fit(self, slot: str, n: int) -> float:
        from synthaug.generators import generator_class, resolve_type, slot_params
        from synthaug.generators.image_base import TorchImageGenerator
        from synthaug.generators.image_costs import fit_plan, measure_step_costs

        params = slot_params(slot, self.cfg.generators[slot], "cpu")
        kind = resolve_type(slot, params)
        cls = generator_class(kind)
        if not issubclass(cls, TorchImageGenerator):
            return 0.5 + 2e-4 * n  # classical augmentation, SMOTE: copies and small arithmetic
        kwargs = {k: v for k, v in params.items() if k != "type"}
        if slot not in self._gen:
            self._gen[slot] = (measure_step_costs(cls, kwargs, self.X, self.y), cls)
        unit, _ = self._gen[slot]
        plan = fit_plan(cls(random_state=0, **kwargs), self.X.shape[1:], self.n_classes, n)
        return (unit["fixed"] + plan["steps"] * unit["step"] + plan["aux_steps"] * unit["aux_step"]
                + plan["monitors"] * unit["monitor"])

    def _cnn_step_seconds(self) -> float:
        from synthaug.evaluation.cnn import SmallCNN

        times = []
        for steps in (2, 8, 32):  # the first fit pays one-off warm-up: not used
            start = time.process_time()
            SmallCNN(epochs=1, min_steps=steps, random_state=0).fit(self.X, self.y)
            times.append(time.process_time() - start)
        return max(1e-4, (times[2] - times[1]) / 24)

    def cnn_fit(self, n: int, params: dict[str, Any]) -> float:
        """The reference CNN (validation; trained per synthetic set) or the `cnn` classifier."""
        from synthaug.evaluation.cnn import SmallCNN

        known = {k: v for k, v in params.items() if k in ("epochs", "min_steps", "batch_size")}
        epochs, per_epoch = SmallCNN(**known).schedule(n)
        batch = max(2, min(int(known.get("batch_size", 64)), n))
        return epochs * per_epoch * self._cnn_step * batch / 64  # measured with batches of 64

    def classifiers(self, n: int) -> float:
        total = 0.0
        for name, params in self.cfg.classifiers.items():
            if name == "cnn":
                total += self.cnn_fit(n, params) + 0.3
            else:
                total += self._sklearn_seconds(name, params) * n / len(self.X)
        return total

    def _sklearn_seconds(self, name: str, params: dict[str, Any]) -> float:
        from synthaug.evaluation.classifiers import make_classifier

        if name not in self._clf:
            from synthaug.parallel import single_threaded

            start = time.process_time()
            try:
                with single_threaded(include_torch=False):  # as the cells run
                    make_classifier(name, params, 0, "images").fit(self.X, self.y)
            except Exception:  # noqa: BLE001 - the estimate must not fail where the run would report it
                pass
            self._clf[name] = time.process_time() - start
        return self._clf[name]
