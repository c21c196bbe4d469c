"""`synthaug run --dry-run`: the grid and a rough time estimate before anything is fitted."""

from __future__ import annotations

from collections import Counter

from synthaug.config import ExperimentConfig
from synthaug.data import Dataset
from synthaug.generators import resolve_type
from synthaug.runner import Cell, prepare

# Seconds per training row per epoch (or per row for one-pass models), measured on 2 cores with
# SDV 2.0 on Adult (DESIGN.md) and on digits; rough by design: the estimate is for planning.
ROW_EPOCH_SECONDS = {"ctgan": 1.1e-4, "copulagan": 1.3e-4, "tvae": 4.5e-5, "cvae": 2e-4, "cgan": 4e-4}
ROW_SECONDS = {"gaussian_copula": 2e-4}
FIXED_SECONDS = 1.0
CLASSIFIER_ROW_SECONDS = 4e-5


def estimate_seconds(cfg: ExperimentConfig, cells: list[Cell], n_rows: int) -> float:
    n_train = n_rows * (1 - cfg.protocol.test_size)
    total = 0.0
    sets = len(cfg.protocol.ratios) * len(cfg.protocol.strategies)
    for cell in cells:
        rows = n_train * cell.fraction
        if cell.generator is None:
            total += len(cfg.classifiers) * (0.05 + CLASSIFIER_ROW_SECONDS * rows)
            continue
        params = cfg.generators[cell.generator]
        kind = resolve_type(cell.generator, params)
        epochs = float(params.get("epochs", 300 if kind in ROW_EPOCH_SECONDS else 1))
        total += FIXED_SECONDS + rows * (ROW_EPOCH_SECONDS.get(kind, 0.0) * epochs + ROW_SECONDS.get(kind, 0.0))
        modes = 2 + int(cfg.protocol.tstr)
        mean_ratio = sum(cfg.protocol.ratios) / len(cfg.protocol.ratios)
        total += sets * modes * len(cfg.classifiers) * (0.05 + CLASSIFIER_ROW_SECONDS * rows * (1 + mean_ratio))
        total += sets * 1.0  # validation
    return total / max(1, min(cfg.runtime.workers, 2) * 0.8)


def describe_plan(cfg: ExperimentConfig, cells: list[Cell]) -> str:
    data = prepare(cfg)
    gens = Counter(c.generator for c in cells if c.generator)
    sets = len(cfg.protocol.ratios) * len(cfg.protocol.strategies)
    modes = 2 + int(cfg.protocol.tstr)
    n_clf = len(cfg.classifiers)
    fits_clf = sum(n_clf if c.generator is None else sets * (modes - 1) * n_clf for c in cells)
    lines = [f"experiment {cfg.name!r} on {data.name} ({len(data)} rows, {len(data.classes)} classes)",
             f"cells: {len(cells)} ({sum(1 for c in cells if c.generator is None)} real-only baselines)",
             f"generator fits: {sum(gens.values())} ({', '.join(f'{g} ×{n}' for g, n in gens.items())})",
             f"synthetic sets: {sum(gens.values()) * sets}; classifier fits: {fits_clf}",
             f"estimated time: about {estimate_seconds(cfg, cells, len(data)) / 60:.1f} min with "
             f"{cfg.runtime.workers} {cfg.runtime.task_runner} worker(s) (cached fits are faster)"]
    return "\n".join(lines + data_lines(data))


def data_lines(data: Dataset) -> list[str]:
    """How the table was read: label values, every column's kind and dtype, everything dropped or converted."""
    if data.kind != "tabular":
        return []
    from synthaug.outputs import dataset_summary

    ds = dataset_summary(data)
    out = ["", f"target {ds['target']!r} ({ds.get('label_dtype', '?')}): "
           + ", ".join(f"{k} ({v})" for k, v in ds["class_counts"].items())]
    dtypes = ds.get("column_dtypes", {})
    out += [f"  column {c!r}: {k} (read as {dtypes.get(c, '?')})" for c, k in ds["columns"].items()]
    out += [f"  note: {n}" for n in ds.get("notices", [])]
    return out
