"""What one cell may read: a frozen, typed spec built from the config, and the cache key derived from it.

A cell receives its `CellSpec`, never the whole config, so "what does this cell depend on" has one
answer, written once: the spec's fields. The cell cache keys on the spec's hash plus, per component
the cell runs (core, scoring, generator, validation), a hash of that component's module sources and
its third-party package versions. An edit to the report, the CLI or the flows therefore recomputes
nothing, while an edit to a generator module refits exactly the generator cells.

`generators` is a mapping, not one slot, so a cell that spans several generators (recipe selection)
fits the same shape; today's cells hold zero (real-only baseline) or one.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

import synthaug
from synthaug.config import DatasetConfig, ExperimentConfig, ValidationConfig
from synthaug.recipe_space import RecipeSpace
from synthaug.records import AUTO, REAL

KEY_FORMAT = "spec-v1"  # bump when the meaning of a cell's outputs changes without a code change
_SRC = Path(synthaug.__file__).resolve().parent

# Component -> (library sources under src/synthaug, third-party distributions it computes with).
COMPONENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "core": (("cellspec.py", "runner.py", "failures.py", "records.py", "layout.py", "parallel.py", "errors.py",
              "config.py", "recipe_space.py", "store.py", "torchkit.py", "data",
              "evaluation/splits.py"), ("numpy", "pandas", "pyarrow")),
    "scoring": (("scoring.py", "evaluation", "generators/class_weight.py"), ("scikit-learn", "scipy", "torch")),
    "generator": (("generators",), ("sdv", "rdt", "ctgan", "copulas", "imbalanced-learn", "torch")),
    "validation": (("validation",), ("great-expectations", "sdmetrics", "scikit-learn", "altair")),
    "recipes": (("recipes", "synthesis.py"), ("scikit-learn",)),
}


@dataclass(frozen=True, order=True)
class Cell:
    """A cell's coordinates: repeat × fraction × generator slot (`None`: the real-only baseline)."""

    repeat: int
    fraction: float
    generator: str | None = None

    @property
    def id(self) -> str:
        return f"r{self.repeat}-f{self.fraction:g}-{self.generator or REAL}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class SplitSpec(_Frozen):
    """The split design: which rows train and which test, for every repeat of this fraction."""

    repeats: int
    test_size: float


class SamplingSpec(_Frozen):
    """The sets a generator cell samples and scores."""

    ratios: tuple[float, ...]
    strategies: tuple[str, ...]
    tstr: bool
    save_synthetic: bool


class CacheSpec(_Frozen):
    """Where fitted models are cached: read by the cell, never part of what it computes (not in the key)."""

    enabled: bool
    dir: str
    max_gb: float


class CellSpec(_Frozen):
    """Exactly what one cell reads. Fields set to None are ones this kind of cell does not read."""

    cell: Cell
    seed: int
    dataset: DatasetConfig
    split: SplitSpec
    classifiers: dict[str, dict[str, Any]]
    device: str
    generators: dict[str, dict[str, Any]] = {}
    sampling: SamplingSpec | None = None
    validation: ValidationConfig | None = None
    recipes: RecipeSpace | None = None  # auto cells: the search space
    primary_metric: str | None = None  # auto cells: what inner validation scores
    cache: CacheSpec

    @property
    def id(self) -> str:
        return self.cell.id

    @property
    def generator(self) -> str | None:
        return self.cell.generator

    @property
    def repeat(self) -> int:
        return self.cell.repeat

    @property
    def fraction(self) -> float:
        return self.cell.fraction

    @property
    def components(self) -> tuple[str, ...]:
        """The code this cell runs, for the key: baselines never touch generator or validation code."""
        if self.recipes is not None:
            return ("core", "scoring", "generator", "validation", "recipes")
        return ("core", "scoring", "generator", "validation") if self.generators else ("core", "scoring")

    def key_doc(self) -> dict[str, Any]:
        """The spec as the key hashes it: the cache location is not content, and `validation.data_docs`
        only decides whether evidence is rendered (a reuse renders missing docs), not what is computed."""
        exclude: dict[str, Any] = {"cache": True}
        if self.validation is not None:
            exclude["validation"] = {"data_docs"}
        return self.model_dump(mode="json", exclude=exclude)


def cell_spec(cfg: ExperimentConfig, cell: Cell) -> CellSpec:
    """The spec of one cell of `cfg`'s grid: its own generator slot only, and the sampling and
    validation settings only when it has a generator."""
    p, slot = cfg.protocol, cell.generator
    if slot == AUTO and cfg.recipes is not None:
        return _auto_spec(cfg, cell)
    gen = slot is not None
    return CellSpec(
        cell=cell, seed=cfg.seed, dataset=cfg.dataset, split=SplitSpec(repeats=p.repeats, test_size=p.test_size),
        classifiers=cfg.classifiers, device=cfg.runtime.device,
        generators={slot: cfg.generators[slot]} if gen else {},
        sampling=SamplingSpec(ratios=tuple(p.ratios), strategies=tuple(p.strategies), tstr=p.tstr,
                              save_synthetic=cfg.output.save_synthetic) if gen else None,
        validation=cfg.validation if gen else None,
        cache=CacheSpec(enabled=cfg.runtime.cache, dir=cfg.runtime.cache_dir, max_gb=cfg.runtime.cache_max_gb),
    )


def auto_generators(cfg: ExperimentConfig) -> dict[str, dict[str, Any]]:
    """The slots `auto` may use: those the `recipes:` section names, else every generative slot
    (oversampling and reweighting baselines stay beside `auto` as baselines, not inside it)."""
    from synthaug.generators import GENERATORS, resolve_type

    space = cfg.recipes
    names = list(space.generators) if space is not None and space.generators else [
        s for s, p in cfg.generators.items() if GENERATORS[resolve_type(s, p)].generative]
    return {s: cfg.generators[s] for s in names}


def _auto_spec(cfg: ExperimentConfig, cell: Cell) -> CellSpec:
    """An auto cell reads the search space, its generators, the validation settings and the metric
    it selects on; it samples no fixed sets, so the fixed grid's sampling settings are not its input."""
    p = cfg.protocol
    return CellSpec(
        cell=cell, seed=cfg.seed, dataset=cfg.dataset, split=SplitSpec(repeats=p.repeats, test_size=p.test_size),
        classifiers=cfg.classifiers, device=cfg.runtime.device, generators=auto_generators(cfg),
        validation=cfg.validation, recipes=cfg.recipes, primary_metric=p.primary_metric,
        cache=CacheSpec(enabled=cfg.runtime.cache, dir=cfg.runtime.cache_dir, max_gb=cfg.runtime.cache_max_gb),
    )


def cell_key(spec: CellSpec, data_fingerprint: str) -> str:
    """Content key of one cell: data + spec + the code and package versions of the components it runs."""
    doc = {"format": KEY_FORMAT, "synthaug": synthaug.__version__, "data": data_fingerprint,
           "spec": spec.key_doc(), "code": {c: component_hash(c) for c in spec.components}}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:24]


@functools.cache
def component_hash(name: str) -> str:
    """Hash of one component's module sources and its third-party versions (memoized per process)."""
    sources, packages = COMPONENTS[name]
    h = hashlib.sha256()
    for path in _source_files(sources):
        h.update(str(path.relative_to(_SRC)).encode())
        h.update(path.read_bytes())
    for dist in packages:
        h.update(f"{dist}=={_version(dist)}".encode())
    return h.hexdigest()[:16]


def _source_files(sources: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for rel in sources:
        path = _SRC / rel
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"
