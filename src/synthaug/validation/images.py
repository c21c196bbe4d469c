"""Validate one synthetic image set: GX on a per-image summary, policy, CNN fidelity, memorisation, gate.

What is measured where, and why (mirrors `tabular.py`):
- row-level expectations run on a one-row-per-image summary (label, shape, pixel range, NaN count,
  blankness) of every generated image; the policy keeps, drops or raises on failures;
- fidelity (`image_fidelity`) runs on the kept images, what the classifiers will train on;
- memorisation (`image_privacy`) runs on every generated image: what the generator leaks.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.layout import SAMPLE_GRID as SAMPLE_GRID_FILE
from synthaug.validation.checks import (
    IMAGE,
    POLICY,
    ROWS_DROPPED,
    ROWS_FAILED,
    ROWS_IN,
    ROWS_KEPT,
    SAMPLE_GRID,
    VALIDATION_SECONDS,
    VALIDITY_RATE,
    CheckRecord,
    policy_check,
)
from synthaug.validation.gate import evaluate_gates
from synthaug.validation.gx_runner import run_expectations, suite_label
from synthaug.validation.image_fidelity import image_fidelity, reference_cnn, same_label
from synthaug.validation.image_privacy import COPY_RMS, memorisation, synthetic_distances
from synthaug.validation.result import ValidationFailed, ValidationResult

__all__ = ["image_expectations", "image_summary", "reference_cnn", "save_sample_grid", "validate_images"]

NAN = float("nan")
BLANK_STD = 1e-3  # an image whose pixels vary less than this is blank (constant)
COPY_COLUMN = "copy_of_training_image"


def validate_images(train: Dataset, synthetic: Dataset, holdout: Dataset, cfg: ValidationConfig,
                    generative: bool, seed: int, workdir: Path | None = None) -> ValidationResult:
    """Run every image check on `synthetic`; `holdout` (real test images) is only a reference."""
    start = time.perf_counter()
    label = suite_label(workdir)
    n_in = len(synthetic)
    d_syn = synthetic_distances(train, synthetic)
    copies = d_syn < COPY_RMS if cfg.drop_copies and generative else None
    failed, records = _row_checks(train, synthetic, cfg, label, workdir, copies)
    metrics: dict[str, float] = {ROWS_IN: float(n_in), ROWS_FAILED: float(failed.sum()),
                                 VALIDITY_RATE: 1.0 - float(failed.mean()) if n_in else NAN}
    if cfg.policy == "fail" and failed.any():
        _raise_listing_failures(records, label, n_in)
    kept = synthetic.take(np.flatnonzero(~failed)) if cfg.policy == "filter" else synthetic
    metrics.update({ROWS_KEPT: float(len(kept)), ROWS_DROPPED: float(n_in - len(kept))})
    records.append(CheckRecord(policy_check(cfg.policy), POLICY, n_in > 0 or None, float(len(kept)), None,
                               f"{cfg.policy}: kept {len(kept)} of {n_in} images; {int(failed.sum())} fail "
                               "row checks", unexpected=n_in - len(kept)))
    records += image_fidelity(train, kept, holdout, cfg, seed, metrics)
    records += memorisation(train, d_syn, holdout, cfg, metrics)
    if workdir is not None and len(kept):
        path = save_sample_grid(kept, train, Path(workdir) / SAMPLE_GRID_FILE, seed)
        records.append(CheckRecord(SAMPLE_GRID, IMAGE, detail=str(path)))
    gate_records, failures = evaluate_gates(metrics, cfg.gate, generative)
    metrics[VALIDATION_SECONDS] = round(time.perf_counter() - start, 4)
    return ValidationResult(kept=kept, n_in=n_in, checks=records + gate_records, metrics=metrics,
                            gate_failures=failures)


def _raise_listing_failures(records: list[CheckRecord], label: str, n_in: int) -> None:
    """Policy `fail` and a row-level failure: stop the run, listing every failed expectation."""
    bad = [f"{r.check}: {r.unexpected} of {n_in} images ({r.detail})" for r in records if r.success is False]
    raise ValidationFailed(f"synthetic image set {label!r} failed {len(bad)} expectation(s) under policy "
                           "'fail':\n  " + "\n  ".join(bad))


# ---------------------------------------------------------------- GX row checks
def image_summary(X: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """One row per image: the table Great Expectations checks (GX has no image type)."""
    X = np.asarray(X, dtype=np.float64)
    flat = X.reshape(len(X), int(np.prod(X.shape[1:])))
    finite = np.where(np.isfinite(flat), flat, np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN images: nanmin warns, NaN is the answer
        return pd.DataFrame({
            "label": pd.Series(np.asarray(y), dtype=object),
            "shape": ["x".join(map(str, X.shape[1:]))] * len(X),
            "pixel_min": np.nanmin(finite, axis=1),
            "pixel_max": np.nanmax(finite, axis=1),
            "pixel_mean": np.nanmean(finite, axis=1),
            "pixel_std": np.nanstd(finite, axis=1),
            "nonfinite_pixels": (~np.isfinite(flat)).sum(axis=1).astype(np.int64),
        })


def image_expectations(train: Dataset, cfg: ValidationConfig, copy_check: bool = False) -> list[Any]:
    """Row-level checks (no `mostly`: failures drop images) plus one aggregate on brightness (gate only).

    `copy_check` (generative models under `drop_copies`) adds "not a copy of a training image".
    """
    import great_expectations as gx

    margin = float(cfg.range_margin)
    classes = [c.item() if isinstance(c, np.generic) else c for c in np.unique(train.y)]
    means = train.X.reshape(len(train.X), -1).mean(axis=1)
    E = gx.expectations
    rows = [
        E.ExpectColumnValuesToBeInSet(column="label", value_set=classes),
        E.ExpectColumnValuesToBeInSet(column="shape", value_set=["x".join(map(str, train.X.shape[1:]))]),
        E.ExpectColumnValuesToNotBeNull(column="pixel_min"),
        E.ExpectColumnValuesToBeBetween(column="pixel_min", min_value=0.0 - margin),
        E.ExpectColumnValuesToBeBetween(column="pixel_max", max_value=1.0 + margin),
        E.ExpectColumnValuesToBeBetween(column="nonfinite_pixels", min_value=0, max_value=0),
        E.ExpectColumnValuesToBeBetween(column="pixel_std", min_value=BLANK_STD),
    ]
    if copy_check:
        rows.append(E.ExpectColumnValuesToBeInSet(column=COPY_COLUMN, value_set=[False]))
    if cfg.distribution_checks:
        rows.append(E.ExpectColumnValuesToBeBetween(column="pixel_mean", min_value=float(means.min()),
                                                    max_value=float(means.max()), mostly=0.95))
    return rows


def _row_checks(train: Dataset, synthetic: Dataset, cfg: ValidationConfig, label: str, workdir: Path | None,
                copies: np.ndarray | None) -> tuple[np.ndarray, list[CheckRecord]]:
    summary = image_summary(synthetic.X, synthetic.y)
    if copies is not None:
        summary[COPY_COLUMN] = copies
    out = run_expectations(summary, image_expectations(train, cfg, copies is not None), f"{label}.images", workdir)
    return np.asarray(out.row_failed, dtype=bool), list(out.checks)


# ---------------------------------------------------------------- sample grid
def save_sample_grid(synthetic: Dataset, train: Dataset, path: Path, seed: int, per_class: int = 8) -> Path:
    """PNG: one row per class, a real training image, a gap, then up to `per_class` synthetic samples."""
    from PIL import Image, ImageDraw

    classes = list(np.unique(train.y))
    c, h, w = train.X.shape[1:]
    zoom = max(1, 48 // max(h, w))
    cell, pad, label_w = (h * zoom, w * zoom), 2, 40
    width = label_w + (per_class + 1) * (cell[1] + pad) + 3 * pad
    head = 14
    canvas = Image.new("RGB", (width, head + len(classes) * (cell[0] + pad) + pad), "white")
    draw = ImageDraw.Draw(canvas)
    draw.text((label_w, 1), "real", fill="black")
    draw.text((label_w + cell[1] + 4 * pad, 1), "synthetic", fill="black")
    rng = np.random.default_rng(seed)
    for row, label in enumerate(classes):
        top = head + pad + row * (cell[0] + pad)
        draw.text((2, top + cell[0] // 2 - 5), str(label)[:6], fill="black")
        real = np.flatnonzero(train.y == label)[:1]
        syn = np.flatnonzero(same_label(synthetic.y, np.array([label]).repeat(len(synthetic))))
        syn = rng.choice(syn, min(per_class, len(syn)), replace=False) if len(syn) else syn
        images = [train.X[i] for i in real] + [None] * (1 - len(real)) + [synthetic.X[i] for i in syn]
        for col, img in enumerate(images):
            if img is None:
                continue
            left = label_w + col * (cell[1] + pad) + (3 * pad if col else 0)
            canvas.paste(_to_pil(img, zoom), (left, top))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    canvas.save(tmp)
    tmp.replace(path)
    return path


def _to_pil(img: np.ndarray, zoom: int) -> Any:
    from PIL import Image

    arr = (np.clip(np.nan_to_num(img), 0.0, 1.0) * 255).astype(np.uint8)
    pil = Image.fromarray(arr[0], "L") if arr.shape[0] == 1 else Image.fromarray(arr.transpose(1, 2, 0), "RGB")
    return pil.convert("RGB").resize((pil.width * zoom, pil.height * zoom), Image.Resampling.NEAREST)
