"""Finished cells cached by content, so a re-run or a resumed run redoes only what changed.

A cell's outcome is a pure function of its `CellSpec` (what the cell may read), the training data and
the code of the components it runs; `cellspec.cell_key` hashes exactly those. Adding a generator
leaves the other cells' entries valid, touching the validation settings redoes the generator cells
but not the real-only baselines, and editing the report or the CLI recomputes nothing. An entry
holds the cell's typed records as JSON (never a pickle: a tampered entry cannot run code) plus the
files the cell wrote into its run folder (synthetic rows, Data Docs evidence); both are restored into
the new run folder on a hit. Entries are written whole and checksummed (`store.ModelCache`), so a run
killed mid-write leaves no entry, only a temp folder.

Whether a grid is cached already is asked before any cell library is imported (the Prefect driver
decides from it whether to start worker processes), so the runner is imported where a cell is read or
run, not with this module.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from synthaug.cellspec import Cell, CellSpec, cell_key
from synthaug.layout import RunLayout
from synthaug.records import CellInfo, ScoreRow, SetRecord, to_jsonable
from synthaug.store import ModelCache, enforce_size_limit, touch, verify
from synthaug.warmup import load_data

if TYPE_CHECKING:
    from synthaug.runner import CellResult

log = logging.getLogger("synthaug")
STORE = "cells"
FORMAT = "v2"  # bump when CellResult's layout changes
RECORD = "cell.json"
FILES = "files"


def encode(result: CellResult) -> str:
    doc = {"results": [r.as_row() for r in result.results], "validation": result.validation,
           "sets": [s.as_row() for s in result.sets], "info": result.info.as_row()}
    return json.dumps(to_jsonable(doc))  # key order kept: it is the tables' column order


def decode(text: str, cell: Cell) -> CellResult:
    from synthaug.runner import CellResult

    doc = json.loads(text)
    return CellResult(cell, CellInfo.from_row(doc["info"]), results=[ScoreRow.from_row(r) for r in doc["results"]],
                      validation=doc["validation"], sets=[SetRecord.from_row(s) for s in doc["sets"]])


class CellCache:
    """`<cache_dir>/cells/v2/<key>/` = cell.json + files/ + checksums.json."""

    def __init__(self, spec: CellSpec) -> None:
        self.spec = spec
        self.dir = Path(spec.cache.dir)
        self.store = ModelCache(self.dir / STORE, enabled=spec.cache.enabled)

    def load(self, key: str, run_dir: Path | None) -> CellResult | None:
        """The cached result with its files restored into `run_dir`, or None (missing, torn or tampered)."""
        path = self.store.entry(FORMAT, key)
        if not self.spec.cache.enabled or not path.is_dir():
            return None
        if not verify(path):
            log.warning("cell cache entry %s failed its checksums; recomputing cell %s", path.name, self.spec.id)
            return None
        try:
            result = decode((path / RECORD).read_text(), self.spec.cell)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("cell cache entry %s unreadable (%s); recomputing", path.name, exc)
            return None
        if run_dir is not None and (path / FILES).is_dir():
            shutil.copytree(path / FILES, run_dir, dirs_exist_ok=True)
        touch(path)
        return result

    def save(self, key: str, result: CellResult, run_dir: Path | None) -> Path:
        text = encode(result)

        def write(tmp: Path) -> None:
            (tmp / RECORD).write_text(text)
            for f in RunLayout(run_dir).cell_files(result.cell.id) if run_dir is not None else []:
                dest = tmp / FILES / f.relative_to(run_dir)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, dest)

        path = self.store.put(FORMAT, key, write)
        enforce_size_limit(self.dir, self.spec.cache.max_gb, keep={path})
        return path


def spec_key(spec: CellSpec) -> str:
    return cell_key(spec, load_data(spec.dataset).fingerprint())


def is_cached(spec: CellSpec) -> bool:
    """True when a verified entry exists (lets a driver skip starting workers for a pure re-render)."""
    if not spec.cache.enabled:
        return False
    path = CellCache(spec).store.entry(FORMAT, spec_key(spec))
    return path.is_dir() and verify(path)


def _top_up_docs(spec: CellSpec, run_dir: Path | None) -> None:
    """A cell cached by a run with Data Docs off renders its site now: toggling the docs never
    recomputes a cell (the flag is not part of the key)."""
    from synthaug.runner import build_cell_docs

    if run_dir is None or spec.validation is None or not spec.validation.data_docs:
        return
    layout = RunLayout(run_dir)
    if layout.cell_dir(spec.id).is_dir() and not layout.cell_docs_index(spec.id).is_file():
        build_cell_docs(layout.cell_dir(spec.id))


def run_cell_cached(spec: CellSpec, run_dir: Path | None = None) -> CellResult:
    """`run_cell` through the cell cache. Fresh results take the same JSON round trip as cached ones,
    so a resumed run's tables are identical, type for type, to an uninterrupted run's. A failed cell
    is never written to the cache."""
    from synthaug.failures import is_run_stopper
    from synthaug.runner import run_cell

    if not spec.cache.enabled:
        return run_cell(spec, run_dir)
    cache = CellCache(spec)
    try:
        key = spec_key(spec)
    except Exception as exc:
        if is_run_stopper(exc):
            raise
        return run_cell(spec, run_dir)  # records the failure (a failed cell has no cache entry)
    cached = cache.load(key, run_dir)
    if cached is not None:
        log.info("cell %s reused from the cache (%s)", spec.id, key)
        cached.info.cache_hit = True
        _top_up_docs(spec, run_dir)
        return cached
    fresh = run_cell(spec, run_dir)
    if fresh.failed:  # never cached: a rerun recomputes exactly the failed cells
        fresh.info.cache_hit = False
        return fresh
    try:
        cache.save(key, fresh, run_dir)
    except OSError as exc:  # a full disk loses the cache entry, not the run
        log.warning("could not cache cell %s: %s", spec.id, exc)
    out = decode(encode(fresh), spec.cell)
    out.info.cache_hit = False
    return out
