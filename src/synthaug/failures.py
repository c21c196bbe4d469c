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

from synthaug.cellspec import CellSpec
from synthaug.evaluation.splits import split_design
from synthaug.layout import RunLayout
from synthaug.records import FAILED, METRICS, REAL, CellInfo, ScoreRow, SetHead, auto_head

log = logging.getLogger("synthaug")


def is_run_stopper(exc: BaseException) -> bool:
    """Exceptions that end the whole run instead of failing one cell: `validation.policy: fail` asks
    for exactly that, and interrupts are the user's."""
    from synthaug.validation.result import ValidationFailed

    return isinstance(exc, ValidationFailed) or not isinstance(exc, Exception)


def write_traceback(run_dir: Path | None, cell_id: str, exc: BaseException) -> str:
    """`cells/<cell_id>/traceback.txt` in the run folder; returns its path relative to the run folder."""
    if run_dir is None:
        return ""
    path = RunLayout(run_dir).traceback(cell_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(traceback.format_exception(exc)))
    except OSError as err:  # the failure is still recorded in the tables
        log.warning("could not write %s: %s", path, err)
        return ""
    return str(path.relative_to(run_dir))


def record_failure(info: CellInfo, exc: BaseException, traceback_path: str) -> CellInfo:
    """Fill the `cells.parquet` columns of a failed cell."""
    message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    info.status, info.error_type, info.error, info.traceback = FAILED, type(exc).__name__, message, traceback_path
    return info


def reason(info: CellInfo) -> str:
    """The text a gain that needed this cell carries: which cell failed and why."""
    return f"cell {info.cell_id} failed: {info.error_type}: {info.error}"[:300]


def failure_rows(spec: CellSpec, info: CellInfo, why: str) -> list[ScoreRow]:
    """NaN score rows in the layout `evaluate_classifiers` writes, one per set × classifier × metric."""
    from synthaug.evaluation.classifiers import classifier_family

    nan = float("nan")
    return [ScoreRow(head, name, classifier_family(name), mode, metric, nan, nan, why)
            for head, mode in _sets(spec, info) for name in spec.classifiers for metric in METRICS]


def _sets(spec: CellSpec, info: CellInfo) -> list[tuple[SetHead, str]]:
    """(set head, mode) of every set the cell would have scored."""
    base = (info.repeat, info.fraction, info.ci_method, info.n_train, info.n_test)
    slot = spec.generator
    if spec.recipes is not None:  # an auto cell: one augmented row set, recipe unknown
        return [(auto_head(*base), "augmented")]
    if slot is None or spec.sampling is None:
        return [(SetHead(*base), "baseline")]
    from synthaug.generators import generator_class, resolve_type

    gtype = resolve_type(slot, spec.generators[slot])
    try:
        adds_rows = getattr(generator_class(gtype), "adds_rows", True)
    except Exception:  # noqa: BLE001 - an unloadable generator is what may have failed the cell
        adds_rows = True
    p = spec.sampling
    combos = [(r, s) for r in p.ratios for s in p.strategies] if adds_rows else [(0.0, "balance")]
    modes = ["augmented", "tstr"] if p.tstr and adds_rows else ["augmented"]
    return [(SetHead(*base, r, s, slot, gtype), m) for r, s in combos for m in modes]


def base_info(spec: CellSpec) -> CellInfo:
    """Split context without splitting (the split itself may be what failed)."""
    return CellInfo(cell_id=spec.id, generator=spec.generator or REAL, repeat=spec.cell.repeat,
                    fraction=spec.cell.fraction, ci_method=split_design(spec.cell.fraction, spec.split.repeats))
