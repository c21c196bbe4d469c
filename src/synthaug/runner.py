"""One runner, two drivers: `plan` lists the cells, `run_cell` computes one; `synthaug.experiment.run_experiment`
loops (through the cell cache, which wraps `run_cell`).

The Prefect flow in `pipelines/` maps tasks over the same `plan` and calls the same `run_cell` and
`finalize`, so the grid logic exists once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from synthaug.config import ExperimentConfig
from synthaug.data import Dataset, load_dataset
from synthaug.evaluation.splits import derive_seed, duplicates_across, make_split
from synthaug.failures import is_run_stopper
from synthaug.generators import generator_class, label_counts, make_generator, resolve_type, slot_params
from synthaug.parallel import single_threaded
from synthaug.preflight import check_experiment
from synthaug.scoring import evaluate_classifiers, fit_and_score, minority_class
from synthaug.store import ModelCache, content_key

log = logging.getLogger("synthaug")
REAL = "real"


@dataclass(frozen=True)
class Cell:
    """One repeat × fraction × generator slot (`generator=None`: the real-only baseline)."""

    repeat: int
    fraction: float
    generator: str | None = None

    @property
    def id(self) -> str:
        return f"r{self.repeat}-f{self.fraction:g}-{self.generator or REAL}"


@dataclass
class CellResult:
    cell: Cell
    results: list[dict[str, Any]] = field(default_factory=list)
    validation: list[dict[str, Any]] = field(default_factory=list)
    sets: list[dict[str, Any]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """True when the cell raised: its info holds error type, message and traceback path."""
        return self.info.get("status") == "failed"


def plan(cfg: ExperimentConfig, n_rows: int = 1000) -> list[Cell]:
    """Every cell, costliest first (longest-processing-time order): a pool of workers then finishes
    together instead of one worker idling behind a late deep-model fit. `n_rows` (the table's size)
    only sharpens the estimate; cells never depend on their order."""
    from synthaug.costs import cell_seconds

    fractions, repeats = cfg.protocol.fractions, range(cfg.protocol.repeats)
    cells = [Cell(r, f, g) for g in cfg.generators for f in sorted(fractions, reverse=True) for r in repeats]
    cells += [Cell(r, f) for f in fractions for r in repeats]
    return sorted(cells, key=lambda c: -cell_seconds(cfg, c.generator, c.fraction, n_rows))


@lru_cache(maxsize=4)
def _load_cached(dataset_json: str) -> Dataset:
    from synthaug.config import DatasetConfig

    return load_dataset(DatasetConfig.model_validate_json(dataset_json))


def prepare(cfg: ExperimentConfig) -> Dataset:
    """Load the data and check the whole grid can run before anything is fitted (raises InputError)."""
    data = _load_cached(cfg.dataset.model_dump_json())
    check_experiment(cfg, data)
    return data


def split_cell(cfg: ExperimentConfig, data: Dataset, cell: Cell) -> tuple[Dataset, Dataset, str]:
    p = cfg.protocol
    s = make_split(data, cfg.seed, cell.repeat, cell.fraction, p.repeats, p.test_size)
    return data.take(s.train), data.take(s.test), s.ci_method


def run_cell(cfg: ExperimentConfig, cell: Cell, run_dir: Path | None = None) -> CellResult:
    """Compute one cell: real-only scores, or fit one generator and score every sampled set.

    An unexpected exception fails this cell only (failures are outcomes): it comes back as a failed
    CellResult and the grid goes on. `ValidationFailed` (policy `fail`) and interrupts end the run."""
    with single_threaded():
        try:
            return _run_cell(cfg, cell, run_dir)
        except Exception as exc:
            if is_run_stopper(exc):
                raise
            return failed_cell(cfg, cell, run_dir, exc)


def failed_cell(cfg: ExperimentConfig, cell: Cell, run_dir: Path | None, exc: BaseException) -> CellResult:
    """The record of a cell that raised: traceback file, `status: failed`, NaN score rows with the reason."""
    from synthaug import failures

    ctx = failures.base_context(cfg, cell)
    try:
        train, test, _ = split_cell(cfg, prepare(cfg), cell)
        ctx.update(n_train=len(train), n_test=len(test))
    except Exception:  # noqa: BLE001 - the split may be what failed; the sizes are only context
        ctx.update(n_train=float("nan"), n_test=float("nan"))
    info = failures.failure_info(cell.id, exc, failures.write_traceback(run_dir, cell.id, exc))
    log.error("cell %s failed: %s: %s (traceback: %s)", cell.id, info["error_type"], info["error"],
              info["traceback"] or "not written")
    return CellResult(cell, results=failures.failure_rows(cfg, cell, ctx, failures.reason(cell.id, info)),
                      info={**ctx, "cell_id": cell.id, "generator": cell.generator or REAL, **info})


def _run_cell(cfg: ExperimentConfig, cell: Cell, run_dir: Path | None) -> CellResult:
    start = time.perf_counter()
    data = prepare(cfg)
    train, test, ci_method = split_cell(cfg, data, cell)
    ctx = {"repeat": cell.repeat, "fraction": cell.fraction, "ci_method": ci_method,
           "n_train": len(train), "n_test": len(test)}
    out = CellResult(cell, info={**ctx, "cell_id": cell.id, "generator": cell.generator or REAL})
    if cell.generator is None:
        row = {**ctx, "ratio": 0.0, "strategy": "none", "generator": REAL, "generator_type": REAL,
               "n_synthetic": 0, "gated": False}
        out.results = evaluate_classifiers(cfg, train, None, test, row, "baseline", cell)
        out.info["duplicates_train_test"] = duplicates_across(train, test)
    else:
        _run_generator_cell(cfg, cell, train, test, ctx, out, run_dir)
    out.info["seconds"] = round(time.perf_counter() - start, 3)
    log.info("cell %s done in %.1fs", cell.id, out.info["seconds"])
    return out


def _run_generator_cell(cfg: ExperimentConfig, cell: Cell, train: Dataset, test: Dataset,
                        ctx: dict[str, Any], out: CellResult, run_dir: Path | None) -> None:
    from synthaug.validation import validate_synthetic

    slot = cell.generator or ""
    gen, hit, fit_s = fit_generator(cfg, slot, train, cell)
    out.info.update(fit_seconds=fit_s, fit_cache_hit=hit)
    workdir = run_dir / "cells" / cell.id if run_dir else None
    adds_rows = getattr(gen, "adds_rows", True)  # class_weight: no rows; it balances by weights
    for ratio in cfg.protocol.ratios if adds_rows else [0.0]:
        for strategy in cfg.protocol.strategies if adds_rows else ["balance"]:
            synth, requested = sample_set(cfg, gen, train, cell, ratio, strategy)
            tag = {**ctx, "generator": slot, "ratio": ratio, "strategy": strategy, "cell_id": cell.id}
            wd = workdir / f"x{ratio:g}-{strategy}" if workdir else None
            vres = validate_synthetic(train, synth, test, cfg.validation, gen.generative,
                                      derive_seed(cfg.seed, "validate", cell.id, ratio, strategy), wd)
            kept = vres.kept
            gated = bool(vres.gated and gen.generative)
            out.validation += [{**tag, **rec} for rec in vres.records]
            out.sets.append({**tag, "generator_type": resolve_type(slot, cfg.generators[slot]),
                             "generative": gen.generative, "n_requested": int(sum(requested.values())),
                             "n_achieved": len(synth), "n_kept": len(kept),
                             "requested": _jsonable(train.named_counts(requested)),
                             "achieved": _jsonable(train.named_counts(label_counts(synth.y))),
                             "gated": gated, "gate_failures": "; ".join(vres.gate_failures), **vres.metrics})
            if run_dir is not None and cfg.output.save_synthetic:
                save_synthetic(run_dir / "synthetic" / f"{cell.id}-x{ratio:g}-{strategy}", kept)
            row = {**ctx, "ratio": ratio, "strategy": strategy, "generator": slot,
                   "generator_type": resolve_type(slot, cfg.generators[slot]), "n_synthetic": len(kept),
                   "gated": gated}
            out.results += evaluate_classifiers(cfg, train, kept, test, row, "augmented", cell)
            if cfg.protocol.tstr:
                out.results += evaluate_classifiers(cfg, kept, None, test, row, "tstr", cell, minority_class(train))
    if workdir is not None and cfg.validation.data_docs:
        out.info["docs_seconds"] = build_cell_docs(workdir)


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


def fit_generator(cfg: ExperimentConfig, slot: str, train: Dataset, cell: Cell) -> tuple[Any, bool, float]:
    """Fit on the training rows only, through the model cache keyed by content."""
    params = slot_params(slot, cfg.generators[slot], cfg.runtime.device)
    type_name = resolve_type(slot, params)
    seed = derive_seed(cfg.seed, "fit", cell.repeat, cell.fraction, slot)
    cls = generator_class(type_name)
    key = content_key(train.fingerprint(), type_name, params, seed, train.columns)
    cache = ModelCache(Path(cfg.runtime.cache_dir) / "models", enabled=cfg.runtime.cache)
    start = time.perf_counter()

    def fit() -> Any:
        log.info("fitting %s on %d rows (repeat %d, fraction %g)", slot, len(train), cell.repeat, cell.fraction)
        return make_generator(slot, params, seed).fit(train.X, train.y, train.columns)

    gen, hit = cache.get_or_create("generators", key, fit, lambda g, p: g.save(p), cls.load)
    return gen, hit, round(time.perf_counter() - start, 3)


def sample_set(cfg: ExperimentConfig, gen: Any, train: Dataset, cell: Cell, ratio: float,
               strategy: str) -> tuple[Dataset, dict[Any, int]]:
    from synthaug.generators import class_counts_for

    n = int(round(ratio * len(train)))
    requested = class_counts_for(strategy, n, train.class_counts())
    seed = derive_seed(cfg.seed, "sample", cell.id, ratio, strategy)
    X, y = gen.sample(n, requested, random_state=seed)
    achieved = label_counts(y)
    short = {c: k - achieved.get(c, 0) for c, k in requested.items() if k > achieved.get(c, 0)}
    if short:
        log.warning("%s sampled fewer rows than requested for classes %s (cell %s)", cell.generator,
                    train.named_counts(short), cell.id)
    return train.with_rows(X, y, name=f"{train.name}:{cell.generator}"), requested


def save_synthetic(stem: Path, data: Dataset) -> None:
    from synthaug.store import atomic_path, write_parquet

    if data.kind == "tabular":
        write_parquet(stem.with_name(stem.name + ".parquet"), data.output_frame())  # ids hold dots (f0.5)
    else:
        with atomic_path(stem.with_name(stem.name + ".npz")) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, X=data.X, y=data.y)


def _jsonable(counts: dict[Any, int]) -> str:
    import json

    return json.dumps({str(k): int(v) for k, v in counts.items()})


__all__ = ["Cell", "CellResult", "fit_and_score", "plan", "prepare", "run_cell"]
