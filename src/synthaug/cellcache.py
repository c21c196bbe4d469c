"""Finished cells cached by content, so a re-run or a resumed run redoes only what changed.

A cell's outcome is a pure function of the training data, the cell (repeat, fraction, generator), the
seed and the parts of the config the cell reads. Its key hashes exactly those, so adding a generator
leaves the other cells' entries valid, while touching the validation settings redoes the generator
cells but not the real-only baselines (`validation.data_docs` is left out: cells save the evidence
either way, and only `finalize` reads the flag). An entry holds the result rows as JSON (never a pickle: a
tampered entry cannot run code) plus the files the cell wrote into its run folder (synthetic rows,
Data Docs evidence); both are restored into the new run folder on a hit. Entries are written whole
and checksummed (`store.ModelCache`), so a run killed mid-write leaves no entry, only a temp folder.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np

import synthaug
from synthaug.config import ExperimentConfig
from synthaug.store import ModelCache, content_key, enforce_size_limit

log = logging.getLogger("synthaug")
STORE = "cells"
FORMAT = "v1"  # bump when CellResult's layout or the meaning of a cell changes
RECORD = "cell.json"
FILES = "files"


def cell_key(cfg: ExperimentConfig, cell: Any, fingerprint: str) -> str:
    """Content key of one cell: data fingerprint + cell + the config the cell actually reads."""
    p = cfg.protocol
    parts: dict[str, Any] = {
        "format": FORMAT, "synthaug": synthaug.__version__, "data": fingerprint,
        "dataset": cfg.dataset.model_dump(mode="json"), "seed": cfg.seed,
        "cell": [cell.repeat, cell.fraction, cell.generator],
        "split": [p.repeats, p.test_size], "classifiers": cfg.classifiers, "device": cfg.runtime.device,
    }
    if cell.generator is not None:
        parts.update(generator=cfg.generators[cell.generator], ratios=p.ratios, strategies=p.strategies,
                     tstr=p.tstr, validation=cfg.validation.model_dump(mode="json", exclude={"data_docs"}),
                     save_synthetic=cfg.output.save_synthetic)
    return content_key(parts)


def cell_files(run_dir: Path, cell_id: str) -> list[Path]:
    """What `run_cell` wrote for this cell: `cells/<id>/**` and `synthetic/<id>-x<ratio>-<strategy>.*`."""
    out = [f for f in (run_dir / "cells" / cell_id).rglob("*") if f.is_file()]
    pattern = re.compile(rf"^{re.escape(cell_id)}-x[0-9.e+-]+?-(match|balance)\.[a-z]+$")
    synth = run_dir / "synthetic"
    if synth.is_dir():
        out += [f for f in synth.iterdir() if f.is_file() and pattern.match(f.name)]
    return sorted(out)


def to_jsonable(value: Any) -> Any:
    """numpy scalars and arrays to plain Python; NaN/inf kept (json writes them as NaN/Infinity)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def encode(result: Any) -> str:
    doc = {"results": result.results, "validation": result.validation, "sets": result.sets, "info": result.info}
    return json.dumps(to_jsonable(doc))  # key order kept: it is the tables' column order


def decode(text: str, cell: Any) -> Any:
    from synthaug.runner import CellResult

    doc = json.loads(text)
    return CellResult(cell, results=doc["results"], validation=doc["validation"], sets=doc["sets"], info=doc["info"])


class CellCache:
    """`<cache_dir>/cells/v1/<key>/` = cell.json + files/ + checksums.json."""

    def __init__(self, cfg: ExperimentConfig) -> None:
        self.cfg = cfg
        self.dir = Path(cfg.runtime.cache_dir)
        self.store = ModelCache(self.dir / STORE, enabled=cfg.runtime.cache)

    def load(self, key: str, cell: Any, run_dir: Path | None) -> Any | None:
        """The cached result with its files restored into `run_dir`, or None (missing, torn or tampered)."""
        path = self.store.entry(FORMAT, key)
        if not self.cfg.runtime.cache or not path.is_dir():
            return None
        from synthaug.store import touch, verify

        if not verify(path):
            log.warning("cell cache entry %s failed its checksums; recomputing cell %s", path.name, cell.id)
            return None
        try:
            result = decode((path / RECORD).read_text(), cell)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("cell cache entry %s unreadable (%s); recomputing", path.name, exc)
            return None
        if run_dir is not None and (path / FILES).is_dir():
            shutil.copytree(path / FILES, run_dir, dirs_exist_ok=True)
        touch(path)
        return result

    def save(self, key: str, result: Any, run_dir: Path | None) -> Path:
        text = encode(result)

        def write(tmp: Path) -> None:
            (tmp / RECORD).write_text(text)
            for f in cell_files(run_dir, result.cell.id) if run_dir is not None else []:
                dest = tmp / FILES / f.relative_to(run_dir)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, dest)

        path = self.store.put(FORMAT, key, write)
        enforce_size_limit(self.dir, self.cfg.runtime.cache_max_gb, keep={path})
        return path


def is_cached(cfg: ExperimentConfig, cell: Any) -> bool:
    """True when a verified entry exists (lets a driver skip starting workers for a pure re-render)."""
    from synthaug.runner import prepare
    from synthaug.store import verify

    if not cfg.runtime.cache:
        return False
    path = CellCache(cfg).store.entry(FORMAT, cell_key(cfg, cell, prepare(cfg).fingerprint()))
    return path.is_dir() and verify(path)


def _top_up_docs(cfg: ExperimentConfig, cell: Any, run_dir: Path | None) -> None:
    """A cell cached by a run with Data Docs off renders its site now: toggling the docs never
    recomputes a cell (the flag is not part of the key)."""
    if run_dir is None or cell.generator is None or not cfg.validation.data_docs:
        return
    cell_dir = Path(run_dir) / "cells" / cell.id
    if cell_dir.is_dir() and not (cell_dir / "datadocs" / "index.html").is_file():
        from synthaug.runner import build_cell_docs

        build_cell_docs(cell_dir)


def run_cell_cached(cfg: ExperimentConfig, cell: Any, run_dir: Path | None = None) -> Any:
    """`run_cell` through the cell cache. Fresh results take the same JSON round trip as cached ones,
    so a resumed run's tables are identical, type for type, to an uninterrupted run's. A failed cell
    is never written to the cache."""
    from synthaug.failures import is_run_stopper
    from synthaug.runner import prepare, run_cell

    if not cfg.runtime.cache:
        return run_cell(cfg, cell, run_dir)
    cache = CellCache(cfg)
    try:
        key = cell_key(cfg, cell, prepare(cfg).fingerprint())
    except Exception as exc:
        if is_run_stopper(exc):
            raise
        return run_cell(cfg, cell, run_dir)  # records the failure (a failed cell has no cache entry)
    cached = cache.load(key, cell, run_dir)
    if cached is not None:
        log.info("cell %s reused from the cache (%s)", cell.id, key)
        cached.info["cache_hit"] = True
        _top_up_docs(cfg, cell, run_dir)
        return cached
    fresh = run_cell(cfg, cell, run_dir)
    if fresh.failed:  # never cached: a rerun recomputes exactly the failed cells
        fresh.info["cache_hit"] = False
        return fresh
    try:
        cache.save(key, fresh, run_dir)
    except OSError as exc:  # a full disk loses the cache entry, not the run
        log.warning("could not cache cell %s: %s", cell.id, exc)
    out = decode(encode(fresh), cell)
    out.info["cache_hit"] = False
    return out
