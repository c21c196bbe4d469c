"""The grid of an experiment: every cell's spec, in the order a pool of workers should take them.

Why its own module, beside the cost model: a driver plans before it imports any cell library (the
Prefect driver asks the cell cache whether the whole grid is cached before it starts worker
processes), and both drivers must order cells the same way.
"""

from __future__ import annotations

from synthaug.cellspec import Cell, CellSpec, cell_spec
from synthaug.config import ExperimentConfig
from synthaug.costs import cell_seconds
from synthaug.records import AUTO


def plan(cfg: ExperimentConfig, n_rows: int = 1000) -> list[CellSpec]:
    """Every cell's spec, costliest first (longest-processing-time order): a pool of workers then
    finishes together instead of one worker idling behind a late deep-model fit. `n_rows` (the table's
    size) only sharpens the estimate; cells never depend on their order."""
    fractions, repeats = cfg.protocol.fractions, range(cfg.protocol.repeats)
    cells = [Cell(r, f, g) for g in cfg.generators for f in sorted(fractions, reverse=True) for r in repeats]
    cells += [Cell(r, f) for f in fractions for r in repeats]
    if cfg.recipes is not None:
        cells += [Cell(r, f, AUTO) for f in fractions for r in repeats]
    cells.sort(key=lambda c: -cell_seconds(cfg, c.generator, c.fraction, n_rows))
    return [cell_spec(cfg, c) for c in cells]
