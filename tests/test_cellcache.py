"""The finished-cell cache and the cache housekeeping: keys, tamper detection, LRU size limit."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from synthaug.cellcache import FORMAT, RECORD, STORE, run_cell_cached, spec_key
from synthaug.cellspec import Cell, cell_key, cell_spec
from synthaug.config import build_config
from synthaug.runner import prepare
from synthaug.store import ModelCache, cache_entries, cache_info, clear_cache, enforce_size_limit, verify


@pytest.fixture
def cfg(tiny_config: dict):
    return build_config(tiny_config)


def test_key_covers_what_the_cell_reads_and_nothing_else(cfg, tiny_config: dict) -> None:
    fp = prepare(cfg).fingerprint()
    gen, base = Cell(0, 1.0, "smote"), Cell(0, 1.0)

    def key(c, cell, data=fp):
        return cell_key(cell_spec(c, cell), data)

    more_gens = build_config({**tiny_config, "generators": {**tiny_config["generators"], "ctgan": {"epochs": 1}}})
    strict = build_config({**tiny_config, "validation": {**tiny_config["validation"], "range_margin": 0.1}})
    docs_on = build_config({**tiny_config, "validation": {**tiny_config["validation"], "data_docs": True}})
    assert key(more_gens, gen) == key(cfg, gen)  # a new generator leaves others valid
    assert key(strict, gen) != key(cfg, gen)  # validation changes redo generator cells
    assert key(strict, base) == key(cfg, base)  # ... but not the baselines
    assert key(docs_on, gen) == key(cfg, gen)  # a cached cell renders missing docs on reuse
    assert key(cfg, Cell(1, 1.0, "smote")) != key(cfg, gen)
    assert key(build_config({**tiny_config, "seed": 8}), base) != key(cfg, base)
    assert key(cfg, gen, "other-data") != key(cfg, gen)


def test_tampered_or_torn_entry_is_recomputed(cfg, tmp_path: Path) -> None:
    cell = cell_spec(cfg, Cell(0, 1.0, "smote"))
    run_dir = tmp_path / "run1"
    fresh = run_cell_cached(cell, run_dir)
    entry = Path(cfg.runtime.cache_dir) / STORE / FORMAT / spec_key(cell)
    assert verify(entry) and (entry / "files" / "synthetic").is_dir()

    hit = run_cell_cached(cell, tmp_path / "run2")
    assert hit.info.cache_hit and hit.results == fresh.results
    assert sorted(p.name for p in (tmp_path / "run2" / "synthetic").iterdir()) == \
        sorted(p.name for p in (run_dir / "synthetic").iterdir())

    doc = json.loads((entry / RECORD).read_text())
    doc["results"][0]["value"] = 123.0  # a forged score
    (entry / RECORD).write_text(json.dumps(doc))
    redone = run_cell_cached(cell, tmp_path / "run3")
    assert not redone.info.cache_hit and _scores(redone) == _scores(fresh) and verify(entry)

    (entry / "checksums.json").unlink()  # as if killed before the entry was sealed
    assert not run_cell_cached(cell, tmp_path / "run4").info.cache_hit


def _scores(result) -> list[dict]:
    return [{k: v for k, v in row.as_row().items() if k != "fit_seconds"} for row in result.results]


def test_model_cache_never_loads_a_tampered_entry(tmp_path: Path) -> None:
    cache, loads = ModelCache(tmp_path / "models"), []

    def save(obj: bytes, folder: Path) -> None:
        (folder / "model.bin").write_bytes(obj)

    def load(folder: Path) -> bytes:
        loads.append(folder)
        return (folder / "model.bin").read_bytes()

    assert cache.get_or_create("g", "k", lambda: b"fitted", save, load) == (b"fitted", False)
    assert cache.get_or_create("g", "k", lambda: b"refit", save, load) == (b"fitted", True)
    (cache.entry("g", "k") / "model.bin").write_bytes(b"evil pickle")
    assert cache.get_or_create("g", "k", lambda: b"refit", save, load) == (b"refit", False)
    assert len(loads) == 1  # the tampered bytes were never handed to `load`


def test_lru_eviction_and_housekeeping(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    cache = ModelCache(root / "models")
    for i, name in enumerate(("old", "mid", "new")):
        path = cache.put("generators", name, lambda d: (d / "blob").write_bytes(b"x" * 400_000))
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    assert cache_info(root)["models/generators"]["entries"] == 3
    removed = enforce_size_limit(root, max_gb=900_000 / 1024**3, keep={cache.entry("generators", "old")})
    assert [p.name for p in removed] == ["mid"]  # oldest not kept goes first, until under the limit
    assert sorted(p.name for p in cache_entries(root)) == ["new", "old"]
    assert clear_cache(root, "cells") == 0 and clear_cache(root) == 2 and cache_info(root) == {}


def test_cell_data_docs_come_back_with_the_cell_and_are_linked(tiny_config: dict, tmp_path: Path) -> None:
    """Each cell renders its Data Docs site in its worker; a cached cell restores it, and `finalize`
    only writes the index linking the sites."""
    from synthaug.validation.datadocs import stitch_index

    cfg = build_config({**tiny_config, "validation": {**tiny_config["validation"], "data_docs": True}})
    cell = Cell(0, 1.0, "gaussian_copula")
    run_cell_cached(cell_spec(cfg, cell), tmp_path / "run1")
    site = tmp_path / "run1" / "cells" / cell.id / "datadocs" / "index.html"
    assert site.is_file() and "x1-match.rows" in site.read_text()
    again = run_cell_cached(cell_spec(cfg, cell), tmp_path / "run2")
    assert again.info.cache_hit is True
    assert (tmp_path / "run2" / "cells" / cell.id / "datadocs" / "index.html").read_bytes() == site.read_bytes()
    index = stitch_index(tmp_path / "run2")
    assert index == tmp_path / "run2" / "datadocs" / "index.html"
    assert f"../cells/{cell.id}/datadocs/index.html" in index.read_text()
    docs_off = build_config(tiny_config)  # the same key: a docs-off run reuses the cell, a docs-on run tops up
    plain = Cell(1, 1.0, "gaussian_copula")
    run_cell_cached(cell_spec(docs_off, plain), tmp_path / "run3")
    assert not (tmp_path / "run3" / "cells" / plain.id / "datadocs").exists()
    assert run_cell_cached(cell_spec(cfg, plain), tmp_path / "run4").info.cache_hit is True
    assert (tmp_path / "run4" / "cells" / plain.id / "datadocs" / "index.html").is_file()
