"""One runner, two drivers: `grid.plan` lists the cells' specs, `run_cell` computes one from its spec alone;
`synthaug.experiment.run_experiment` loops (through the cell cache, which wraps `run_cell`).

The Prefect flow in `pipelines/` maps tasks over the same `plan` and calls the same `run_cell` and
`finalize`, so the grid logic exists once. A cell reads its `CellSpec`, never the config: what a
cell depends on is written once, and the cache key hashes exactly that.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synthaug.cellspec import Cell, CellSpec
from synthaug.config import ExperimentConfig
from synthaug.data import Dataset
from synthaug.evaluation.splits import derive_seed, duplicates_across, make_split
from synthaug.failures import is_run_stopper
from synthaug.generators import label_counts, resolve_type
from synthaug.layout import RunLayout
from synthaug.parallel import return_freed_memory, single_threaded
from synthaug.preflight import check_experiment
from synthaug.records import REAL, CellInfo, ScoreRow, SetHead, SetRecord, counts_text
from synthaug.scoring import evaluate_classifiers, minority_class
from synthaug.synthesis import SampledSet, fit_generator, sample_set, validate_set
from synthaug.warmup import load_data

log = logging.getLogger("synthaug")


@dataclass
class CellResult:
    """Everything one cell produced: typed score and set records, validation check rows, and how it ran."""

    cell: Cell
    info: CellInfo
    results: list[ScoreRow] = field(default_factory=list)
    validation: list[dict] = field(default_factory=list)
    sets: list[SetRecord] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when the cell raised: its info holds error type, message and traceback path."""
        return self.info.failed


def prepare(cfg: ExperimentConfig) -> Dataset:
    """Load the data and check the whole grid can run before anything is fitted (raises InputError)."""
    data = load_data(cfg.dataset)
    check_experiment(cfg, data)
    return data


def split_cell(spec: CellSpec, data: Dataset) -> tuple[Dataset, Dataset, str]:
    s = make_split(data, spec.seed, spec.cell.repeat, spec.cell.fraction, spec.split.repeats, spec.split.test_size)
    return data.take(s.train), data.take(s.test), s.ci_method


def run_cell(spec: CellSpec, run_dir: Path | None = None) -> CellResult:
    """Compute one cell: real-only scores, or fit one generator and score every sampled set.

    An unexpected exception fails this cell only (failures are outcomes): it comes back as a failed
    CellResult and the grid goes on. `ValidationFailed` (policy `fail`) and interrupts end the run."""
    with single_threaded():
        try:
            return _run_cell(spec, run_dir)
        except Exception as exc:
            if is_run_stopper(exc):
                raise
            return failed_cell(spec, run_dir, exc)
        finally:
            return_freed_memory()  # the cell's model and sets are gone; so are their pages


def failed_cell(spec: CellSpec, run_dir: Path | None, exc: BaseException) -> CellResult:
    """The record of a cell that raised: traceback file, `status: failed`, NaN score rows with the reason."""
    from synthaug import failures

    info = failures.base_info(spec)
    try:
        train, test, _ = split_cell(spec, load_data(spec.dataset))
        info.n_train, info.n_test = len(train), len(test)
    except Exception:  # noqa: BLE001 - the split may be what failed; the sizes are only context
        pass
    failures.record_failure(info, exc, failures.write_traceback(run_dir, spec.id, exc))
    log.error("cell %s failed: %s: %s (traceback: %s)", spec.id, info.error_type, info.error,
              info.traceback or "not written")
    return CellResult(spec.cell, info, results=failures.failure_rows(spec, info, failures.reason(info)))


def _run_cell(spec: CellSpec, run_dir: Path | None) -> CellResult:
    start = time.perf_counter()
    train, test, ci_method = split_cell(spec, load_data(spec.dataset))
    info = CellInfo(cell_id=spec.id, generator=spec.generator or REAL, repeat=spec.cell.repeat,
                    fraction=spec.cell.fraction, ci_method=ci_method, n_train=len(train), n_test=len(test))
    out = CellResult(spec.cell, info)
    if spec.generator is None:
        head = SetHead(spec.cell.repeat, spec.cell.fraction, ci_method, len(train), len(test))
        out.results = evaluate_classifiers(spec, train, None, test, head, "baseline")
        info.duplicates_train_test = duplicates_across(train, test)
    elif spec.recipes is not None:
        from synthaug.auto import auto_cell

        head = SetHead(spec.cell.repeat, spec.cell.fraction, ci_method, len(train), len(test))
        out.results, out.sets = auto_cell(spec, train, test, head, RunLayout(run_dir) if run_dir is not None else None)
    else:
        _run_generator_cell(spec, train, test, out, RunLayout(run_dir) if run_dir is not None else None)
    info.seconds = round(time.perf_counter() - start, 3)
    log.info("cell %s done in %.1fs", spec.id, info.seconds)
    return out


def _run_generator_cell(spec: CellSpec, train: Dataset, test: Dataset, out: CellResult,
                        layout: RunLayout | None) -> None:
    slot, cell, sampling = spec.generator or "", spec.cell, spec.sampling
    assert sampling is not None and spec.validation is not None  # a generator cell's spec holds both
    fit_seed = derive_seed(spec.seed, "fit", cell.repeat, cell.fraction, slot)
    share_dir = layout.scratch / "transformers" if layout is not None else None
    gen, hit, fit_s = fit_generator(slot, spec.generators[slot], spec.device, train, fit_seed, spec.cache, share_dir)
    out.info.fit_seconds, out.info.fit_cache_hit = fit_s, hit
    adds_rows, generative = getattr(gen, "adds_rows", True), getattr(gen, "generative", True)
    sets = [(r, st) for r in (sampling.ratios if adds_rows else (0.0,))  # class_weight: no rows, weights
            for st in (sampling.strategies if adds_rows else ("balance",))]
    for i, (ratio, strategy) in enumerate(sets):
        sset = sample_set(gen, train, ratio, strategy, derive_seed(spec.seed, "sample", cell.id, ratio, strategy),
                          f"{slot} (cell {cell.id})")
        workdir = layout.set_dir(cell.id, ratio, strategy) if layout else None
        validate_set(sset, train, test, spec.validation, generative,
                     derive_seed(spec.seed, "validate", cell.id, ratio, strategy), workdir)
        if i == len(sets) - 1:  # the fitted model (SDV keeps its training data) need not outlive sampling
            del gen
            return_freed_memory()
        _score_set(spec, generative, sset, train, test, out, layout)
    if layout is not None and spec.validation.data_docs:
        out.info.docs_seconds = build_cell_docs(layout.cell_dir(cell.id))


def _score_set(spec: CellSpec, generative: bool, sset: SampledSet, train: Dataset, test: Dataset, out: CellResult,
               layout: RunLayout | None) -> None:
    """Record one sampled set (sets, validation rows, saved rows) and score the classifiers on it."""
    slot, info, vres, kept = spec.generator or "", out.info, sset.validation, sset.kept
    gated = bool(vres.gated and generative)
    head = SetHead(info.repeat, info.fraction, info.ci_method, info.n_train, info.n_test, sset.ratio, sset.strategy,
                   slot, resolve_type(slot, spec.generators[slot]), len(kept), gated)
    tag = {"repeat": info.repeat, "fraction": info.fraction, "ci_method": info.ci_method, "n_train": info.n_train,
           "n_test": info.n_test, "generator": slot, "ratio": sset.ratio, "strategy": sset.strategy,
           "cell_id": spec.id}
    out.validation += [{**tag, **rec} for rec in vres.records]
    achieved = label_counts(sset.sampled.y)
    out.sets.append(SetRecord(head, spec.id, bool(generative), int(sum(sset.requested.values())),
                              len(sset.sampled), len(kept), counts_text(train.named_counts(sset.requested)),
                              counts_text(train.named_counts(achieved)), "; ".join(vres.gate_failures),
                              dict(vres.metrics)))
    if layout is not None and spec.sampling is not None and spec.sampling.save_synthetic:
        save_synthetic(layout, spec.id, sset.ratio, sset.strategy, kept)
    out.results += evaluate_classifiers(spec, train, kept, test, head, "augmented")
    if spec.sampling is not None and spec.sampling.tstr:
        out.results += evaluate_classifiers(spec, kept, None, test, head, "tstr", minority_class(train))


def build_cell_docs(workdir: Path) -> float:
    """This cell's Data Docs site, rendered here in the worker (in parallel, cached with the cell) so
    `finalize` only links the sites. Docs are evidence, not results: a failure is a warning."""
    from synthaug.validation.datadocs import build_cell_docs as build

    start = time.perf_counter()
    try:
        build(workdir)
    except Exception as exc:  # noqa: BLE001 - the cell's results stand without its docs
        log.warning("Data Docs for %s could not be built: %s", workdir.name, exc)
    return round(time.perf_counter() - start, 3)


def save_synthetic(layout: RunLayout, cell_id: str, ratio: float, strategy: str, data: Dataset) -> None:
    from synthaug.store import atomic_path, write_parquet

    if data.kind == "tabular":
        write_parquet(layout.synthetic(cell_id, ratio, strategy, "parquet"), data.output_frame())
    else:
        with atomic_path(layout.synthetic(cell_id, ratio, strategy, "npz")) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, X=data.X, y=data.y)


__all__ = ["Cell", "CellResult", "CellSpec", "prepare", "run_cell"]
