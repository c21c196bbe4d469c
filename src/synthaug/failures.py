"""Failures are outcomes: what a cell that could not compute leaves behind (DESIGN.md).

A failed cell keeps its place in every table: its `cells.parquet` row says `status: failed` with the
error type, message and a traceback file, and it contributes score rows whose value is NaN and whose
`error` names the cell and the exception. The statistics leave NaN repeats out and carry that text
into the summary's `note`, so a gain that needed the cell reads "not applicable" (or "n repeat(s)
without a score") with the reason, never zero and never a silently shorter list of repeats.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

from synthaug.config import ExperimentConfig
from synthaug.evaluation.splits import split_design

log = logging.getLogger("synthaug")
FAILED, OK = "failed", "ok"
TRACEBACK = "traceback.txt"
REAL = "real"


def is_run_stopper(exc: BaseException) -> bool:
    """Exceptions that end the whole run instead of failing one cell: `validation.policy: fail` asks
    for exactly that, and interrupts are the user's."""
    from synthaug.validation.result import ValidationFailed

    return isinstance(exc, ValidationFailed) or not isinstance(exc, Exception)


def write_traceback(run_dir: Path | None, cell_id: str, exc: BaseException) -> str:
    """`cells/<cell_id>/traceback.txt` in the run folder; returns its path relative to the run folder."""
    if run_dir is None:
        return ""
    path = Path(run_dir) / "cells" / cell_id / TRACEBACK
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(traceback.format_exception(exc)))
    except OSError as err:  # the failure is still recorded in the tables
        log.warning("could not write %s: %s", path, err)
        return ""
    return str(path.relative_to(run_dir))


def failure_info(cell_id: str, exc: BaseException, traceback_path: str) -> dict[str, Any]:
    """The `cells.parquet` columns of a failed cell."""
    message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return {"status": FAILED, "error_type": type(exc).__name__, "error": message, "traceback": traceback_path}


def reason(cell_id: str, info: dict[str, Any]) -> str:
    """The text a gain that needed this cell carries: which cell failed and why."""
    return f"cell {cell_id} failed: {info['error_type']}: {info['error']}"[:300]


def failure_rows(cfg: ExperimentConfig, cell: Any, ctx: dict[str, Any], why: str) -> list[dict[str, Any]]:
    """NaN score rows in the layout `evaluate_classifiers` writes, one per set × classifier × metric."""
    from synthaug.evaluation.classifiers import classifier_family
    from synthaug.scoring import METRIC_NAMES

    rows = []
    for head, mode in _sets(cfg, cell):
        for name in cfg.classifiers:
            for metric in METRIC_NAMES:
                rows.append({**ctx, **head, "classifier": name, "family": classifier_family(name), "mode": mode,
                             "metric": metric, "value": float("nan"), "fit_seconds": float("nan"), "error": why})
    return rows


def _sets(cfg: ExperimentConfig, cell: Any) -> list[tuple[dict[str, Any], str]]:
    """(row head, mode) of every set the cell would have scored."""
    if cell.generator is None:
        return [({"ratio": 0.0, "strategy": "none", "generator": REAL, "generator_type": REAL,
                  "n_synthetic": 0, "gated": False}, "baseline")]
    from synthaug.generators import generator_class, resolve_type

    slot = cell.generator
    gtype = resolve_type(slot, cfg.generators[slot])
    try:
        adds_rows = getattr(generator_class(gtype), "adds_rows", True)
    except Exception:  # noqa: BLE001 - an unloadable generator is what may have failed the cell
        adds_rows = True
    p = cfg.protocol
    combos = [(r, s) for r in p.ratios for s in p.strategies] if adds_rows else [(0.0, "balance")]
    modes = ["augmented", "tstr"] if p.tstr and adds_rows else ["augmented"]
    return [({"ratio": r, "strategy": s, "generator": slot, "generator_type": gtype, "n_synthetic": 0,
              "gated": False}, m) for r, s in combos for m in modes]


def base_context(cfg: ExperimentConfig, cell: Any) -> dict[str, Any]:
    """Split context without splitting (the split itself may be what failed)."""
    return {"repeat": cell.repeat, "fraction": cell.fraction,
            "ci_method": split_design(cell.fraction, cfg.protocol.repeats)}
