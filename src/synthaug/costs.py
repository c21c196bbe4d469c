"""Rough cost model of a cell, for scheduling (costliest cells first) and the dry-run estimate.

Why in the library: the plan is library code and both drivers run it, so the order in which a pool
of workers receives cells — longest first, so that two workers finish together instead of one
idling behind a late CTGAN fit — must come from here. Seconds measured on 2 cores with SDV 2.0 on
Adult (DESIGN.md) and on digits; rough by design, only ratios between cells matter for the order.
"""

from __future__ import annotations

from typing import Any

from synthaug.records import AUTO

# Seconds per training row per epoch (epoch-based models) or per row (one-pass models).
ROW_EPOCH_SECONDS = {"ctgan": 1.1e-4, "copulagan": 1.3e-4, "tvae": 4.5e-5, "cvae": 2e-4, "cgan": 4e-4}
ROW_SECONDS = {"gaussian_copula": 2e-4}
DEFAULT_EPOCHS = 300  # SDV's default for its deep models
DEFAULT_BATCH = 500  # SDV's default batch: an epoch costs at least one full batch
EPOCH_FIXED_SECONDS = 0.1  # per-epoch overhead of SDV's deep models (conditional sampler, transforms)
FIT_FIXED_SECONDS = 1.0
SET_VALIDATION_SECONDS = 1.0
CLASSIFIER_FIXED_SECONDS = 0.05
CLASSIFIER_ROW_SECONDS = 4e-5


def fit_seconds(type_name: str, params: dict[str, Any], n_rows: float) -> float:
    """Deep models: epochs × (fixed + rows, at least one batch); one-pass models: rows."""
    seconds = FIT_FIXED_SECONDS + n_rows * ROW_SECONDS.get(type_name, 0.0)
    if type_name in ROW_EPOCH_SECONDS:
        epochs = float(params.get("epochs", DEFAULT_EPOCHS))
        rows = max(n_rows, float(params.get("batch_size", DEFAULT_BATCH)))
        seconds += epochs * (EPOCH_FIXED_SECONDS + rows * ROW_EPOCH_SECONDS[type_name])
    return seconds


def classifier_seconds(n_classifiers: int, n_rows: float) -> float:
    return n_classifiers * (CLASSIFIER_FIXED_SECONDS + CLASSIFIER_ROW_SECONDS * n_rows)


def cell_seconds(cfg: Any, generator: str | None, fraction: float, n_rows: float) -> float:
    """One cell: the real-only baseline, or a fit plus every sampled set's validation and classifier fits."""
    n_train = n_rows * (1 - cfg.protocol.test_size) * fraction
    n_clf = len(cfg.classifiers)
    if generator is None:
        return classifier_seconds(n_clf, n_train)
    if generator == AUTO and cfg.recipes is not None:  # `auto` is reserved when recipes are on
        return auto_seconds(cfg, n_train)
    params = cfg.generators[generator]
    type_name = str(params.get("type", generator))
    p = cfg.protocol
    sets = len(p.ratios) * len(p.strategies)
    mean_ratio = sum(p.ratios) / len(p.ratios)
    modes = 1 + int(p.tstr)
    return (fit_seconds(type_name, params, n_train)
            + sets * (SET_VALIDATION_SECONDS + modes * classifier_seconds(n_clf, n_train * (1 + mean_ratio))))


def auto_seconds(cfg: Any, n_train: float) -> float:
    """An `auto` cell: every search-space generator fitted once per inner fold plus once on all rows,
    and every recipe × classifier fitted once per inner fold (recipes counted from the space)."""
    from synthaug.cellspec import auto_generators
    from synthaug.recipes import expand

    space = cfg.recipes
    gens = auto_generators(cfg)
    folds = space.inner_folds * space.inner_repeats
    fits = sum(fit_seconds(str(p.get("type", g)), p, n_train) for g, p in gens.items()) * (folds + 1)
    recipes = len(expand(space, list(gens))) + 1
    return fits + folds * recipes * classifier_seconds(len(cfg.classifiers), n_train * 2)
