"""Fit → sample → validate: the one path from real rows to kept synthetic rows.

Both the experiment's cells and `synthaug augment` (the export on all real rows) go through here, so
an export is made exactly the way the experiment measured it, through the same model cache.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthaug.cellspec import CacheSpec, component_hash
from synthaug.data.dataset import Dataset
from synthaug.generators import (
    class_counts_for,
    generator_class,
    label_counts,
    make_generator,
    resolve_type,
    shortfall,
    slot_params,
)
from synthaug.generators.transformer_share import sharing
from synthaug.store import ModelCache, content_key

log = logging.getLogger("synthaug")


@dataclass
class SampledSet:
    """One sampled set and what validation made of it."""

    ratio: float
    strategy: str
    requested: dict[Any, int]
    sampled: Dataset
    validation: Any  # synthaug.validation.ValidationResult

    @property
    def kept(self) -> Dataset:
        return self.validation.kept


def fit_generator(slot: str, params: dict[str, Any], device: str, train: Dataset, seed: int,
                  cache: CacheSpec | None, share_dir: Path | None = None) -> tuple[Any, bool, float]:
    """(fitted generator, cache hit, seconds). Fitted on `train` only, through the model cache keyed
    by the rows, the slot's type and params, the seed and the generator code. Fitted transformers are
    shared under the cache, else under `share_dir` (the run's scratch folder) when given."""
    params = slot_params(slot, params, device)
    type_name = resolve_type(slot, params)
    cls = generator_class(type_name)
    key = content_key(component_hash("generator"), train.fingerprint(), type_name, params, seed, train.columns)
    store = ModelCache(Path(cache.dir) / "models", enabled=cache.enabled) if cache else ModelCache("", False)
    start = time.perf_counter()

    def fit() -> Any:
        log.info("fitting %s on %d rows", slot, len(train))
        return make_generator(slot, params, seed).fit(train.X, train.y, column_kinds=train.columns)

    shared = Path(cache.dir) / "transformers" if cache and cache.enabled else share_dir
    with sharing(shared):  # CTGAN and TVAE on the same rows fit ctgan's data transformer once
        gen, hit = store.get_or_create("generators", key, fit, lambda g, p: g.save(p), cls.load)
    return gen, hit, round(time.perf_counter() - start, 3)


def sample_set(gen: Any, train: Dataset, ratio: float, strategy: str, seed: int, label: str) -> SampledSet:
    """ratio × |train| rows split over classes by `strategy`; a shortfall is logged and kept visible
    (requested vs achieved), never hidden. Validation is not run yet (see `validate_set`)."""
    n = int(round(ratio * len(train)))
    requested = class_counts_for(strategy, n, train.class_counts())
    X, y = gen.sample(n, requested, random_state=seed)
    short = shortfall(requested, label_counts(y))
    if short:
        log.warning("%s sampled fewer rows than requested for classes %s", label, train.named_counts(short))
    return SampledSet(ratio, strategy, requested, train.with_rows(X, y, name=f"{train.name}:{label}"), None)


def validate_set(sset: SampledSet, train: Dataset, reference: Dataset, validation_cfg: Any, generative: bool,
                 seed: int, workdir: Path | None = None) -> SampledSet:
    """Run the validation suite built from `train` over the sampled rows; `reference` is the held-out
    set distances are measured against (the real rows themselves for an export)."""
    from synthaug.validation import validate_synthetic

    sset.validation = validate_synthetic(train, sset.sampled, reference, validation_cfg, generative, seed, workdir)
    return sset
