"""Report section for image runs: sample grids per generator and the image fidelity table.

Numbers come from the per-set metrics written by `validation.images` (one row per sampled set in
`ctx.cells`); the grids are the files validation saved in each set's folder (`RunLayout.sample_grid`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from synthaug.layout import RunLayout
from synthaug.reporting.markdown import MISSING, md_table
from synthaug.validation.checks import (
    AGREEMENT,
    CNN_TEST_ACCURACY,
    COPY_RATE,
    DETECTION_AUC,
    DIVERSITY_RATIO,
    FRECHET,
    FRECHET_REAL_REFERENCE,
    MEMORISATION_RATIO,
    VALIDITY_RATE,
)

FIDELITY_COLUMNS = {
    AGREEMENT: "agreement",
    CNN_TEST_ACCURACY: "CNN acc. (real test)",
    FRECHET: "Fréchet",
    FRECHET_REAL_REFERENCE: "Fréchet real↔real",
    DIVERSITY_RATIO: "diversity ratio",
    MEMORISATION_RATIO: "memorisation ratio",
    COPY_RATE: "copy rate",
    DETECTION_AUC: "detection AUC",
    VALIDITY_RATE: "validity",
}

READING = (
    "How to read this: **agreement** is the share of synthetic images that a small CNN trained on the real "
    "training images assigns to the class they were generated for; read it beside that CNN's accuracy on "
    "the real test images (a ceiling of sorts). **Fréchet** is the distance between CNN features of real "
    "training and synthetic images; the real↔real column is the same distance between real training and "
    "real test images, where an independent real sample sits at this sample size (interpolating baselines "
    "can come closer: their images are built from the training images). **Diversity ratio** is the mean "
    "distance between synthetic images of one class over the same among real images; well below 1 means "
    "the generator draws near-identical images (mode collapse). **Memorisation "
    "ratio** is the median distance from each synthetic image to its nearest training image divided by the "
    "same for real test images: well below 1 means the generator reproduces training images. Baselines "
    "(classical augmentation, SMOTE) perturb or interpolate real images by design, so their agreement and "
    "memorisation are references, not achievements."
)


def images_section(ctx: Any) -> tuple[str, str] | None:
    """(title, markdown) for image runs; None for tabular runs or when no set was sampled."""
    config = _get(ctx, "config")
    if config is None or config.dataset.kind != "images":
        return None
    cells = _get(ctx, "cells")
    if cells is None or cells.empty or "generator" not in cells:
        return None
    layout = RunLayout(Path(_get(ctx, "run_dir")))
    parts = [fidelity_table(cells), READING, "### Samples per class",
             "Each grid: one row per class; the first column is a real training image, the rest are "
             "synthetic images generated for that class (after validation)."]
    for gen, rows in cells.groupby("generator", sort=False):
        grid = _grid_for(layout, rows)
        if grid is None:
            parts.append(f"**{gen}**: no sample grid was saved.")
            continue
        row = rows.loc[grid[1]]
        caption = f"{gen} (repeat {row.get('repeat', '?')}, fraction {_g(row.get('fraction'))}"
        caption += f", ratio {_g(row.get('ratio'))}, {row.get('strategy', '')})"
        parts.append(f"**{caption}**\n\n![{gen} samples]({grid[0]})")
    return "Images: samples and fidelity", "\n\n".join(parts)


def fidelity_table(cells: pd.DataFrame) -> str:
    """Mean over repeats per generator × train fraction (± the spread across repeats where there are several)."""
    present = [c for c in FIDELITY_COLUMNS if c in cells]
    if not present:
        return "*(no image fidelity metrics were recorded)*"
    keys = [k for k in ("generator", "fraction") if k in cells]
    frame = cells[keys + present].copy()
    for c in present:
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    grouped = frame.groupby(keys, sort=False)
    mean, std, n = grouped.mean(), grouped.std(), grouped.size()
    rows = []
    for idx, m in mean.iterrows():
        label = idx if isinstance(idx, tuple) else (idx,)
        cols = [_g(v) if isinstance(v, float) else str(v) for v in label] + [str(int(n.loc[idx]))]
        rows.append(cols + [_pm(m[c], std.loc[idx, c]) for c in present])
    return md_table(pd.DataFrame(rows, columns=[*keys, "sets", *(FIDELITY_COLUMNS[c] for c in present)]))


def _grid_for(layout: RunLayout, rows: pd.DataFrame) -> tuple[str, Any] | None:
    """The grid of the set at the largest fraction, first repeat: the most representative fit."""
    by = [c for c in ("fraction", "repeat") if c in rows]
    order = rows.sort_values(by, ascending=[c == "repeat" for c in by]) if by else rows
    for idx, row in order.iterrows():
        if "ratio" not in row or "strategy" not in row:
            continue
        path = layout.sample_grid(str(row.get("cell_id", "")), float(row["ratio"]), str(row["strategy"]))
        if path.is_file():
            return os.path.relpath(path, layout.root).replace(os.sep, "/"), idx
    return None


def _get(ctx: Any, name: str) -> Any:
    return ctx.get(name) if isinstance(ctx, dict) else getattr(ctx, name, None)


def _g(v: Any) -> str:
    try:
        return f"{float(v):g}"
    except (TypeError, ValueError):
        return str(v)


def _pm(mean: float, std: float) -> str:
    if pd.isna(mean):
        return MISSING
    return f"{mean:.3f}" if pd.isna(std) else f"{mean:.3f} ± {std:.3f}"
