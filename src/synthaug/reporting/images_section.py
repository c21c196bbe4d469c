"""Report section for image runs: sample grids per generator and the image fidelity table.

Numbers come from the per-set metrics written by `validation.images` (one row per sampled set in
`ctx.cells`); the grids are the `samples.png` files that validation saved in each set's workdir.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

FIDELITY_COLUMNS = {
    "agreement": "agreement",
    "cnn_test_accuracy": "CNN acc. (real test)",
    "frechet": "Fréchet",
    "frechet_real_reference": "Fréchet real↔real",
    "diversity_ratio": "diversity ratio",
    "memorisation_ratio": "memorisation ratio",
    "copy_rate": "copy rate",
    "detection_auc": "detection AUC",
    "validity_rate": "validity",
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
    run_dir = Path(_get(ctx, "run_dir"))
    parts = [fidelity_table(cells), READING, "### Samples per class",
             "Each grid: one row per class; the first column is a real training image, the rest are "
             "synthetic images generated for that class (after validation)."]
    for gen, rows in cells.groupby("generator", sort=False):
        grid = _grid_for(run_dir, rows)
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
    header = [*keys, "sets", *(FIDELITY_COLUMNS[c] for c in present)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for idx, m in mean.iterrows():
        label = idx if isinstance(idx, tuple) else (idx,)
        cols = [_g(v) if isinstance(v, float) else str(v) for v in label] + [str(int(n.loc[idx]))]
        cols += [_pm(m[c], std.loc[idx, c]) for c in present]
        lines.append("| " + " | ".join(cols) + " |")
    return "\n".join(lines)


def _grid_for(run_dir: Path, rows: pd.DataFrame) -> tuple[str, Any] | None:
    """The grid of the set at the largest fraction, first repeat: the most representative fit."""
    by = [c for c in ("fraction", "repeat") if c in rows]
    order = rows.sort_values(by, ascending=[c == "repeat" for c in by]) if by else rows
    for idx, row in order.iterrows():
        for path in _candidates(run_dir, row):
            if path.is_file():
                return os.path.relpath(path, run_dir).replace(os.sep, "/"), idx
    return None


def _candidates(run_dir: Path, row: pd.Series) -> list[Path]:
    """The runner validates each set in `cells/<cell_id>/x<ratio>-<strategy>/`; older runs used `cells/<cell_id>/`."""
    cell = run_dir / "cells" / str(row.get("cell_id", ""))
    out = []
    if "ratio" in row and "strategy" in row:
        out.append(cell / f"x{float(row['ratio']):g}-{row['strategy']}" / "samples.png")
    out.append(cell / "samples.png")
    return out


def _get(ctx: Any, name: str) -> Any:
    return ctx.get(name) if isinstance(ctx, dict) else getattr(ctx, name, None)


def _g(v: Any) -> str:
    try:
        return f"{float(v):g}"
    except (TypeError, ValueError):
        return str(v)


def _pm(mean: float, std: float) -> str:
    if pd.isna(mean):
        return "–"
    return f"{mean:.3f}" if pd.isna(std) else f"{mean:.3f} ± {std:.3f}"
