"""Validate one synthetic image set: GX on a per-image summary, policy, CNN fidelity, memorisation, gate.

What is measured where, and why (mirrors `tabular.py`):
- row-level expectations run on a one-row-per-image summary (label, shape, pixel range, NaN count,
  blankness) of every generated image; the policy keeps, drops or raises on failures;
- fidelity runs on the kept images, what the classifiers will train on: agreement and Fréchet
  distance use a SmallCNN trained once per training set (cached in-process by its fingerprint);
- memorisation runs on every generated image: what the generator leaks, filtered or not.
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.validation.gate import evaluate_gates
from synthaug.validation.result import ValidationFailed, ValidationResult

NAN = float("nan")
BLANK_STD = 1e-3  # an image whose pixels vary less than this is blank (constant)
COPY_RMS = 0.002  # RMS pixel distance below which a synthetic image counts as an exact copy
COPY_COLUMN = "copy_of_training_image"
_CNN_CACHE: dict[tuple[str, int], Any] = {}
_CNN_LOCK = threading.Lock()


def validate_images(train: Dataset, synthetic: Dataset, holdout: Dataset, cfg: ValidationConfig,
                    generative: bool, seed: int, workdir: Path | None = None) -> ValidationResult:
    """Run every image check on `synthetic`; `holdout` (real test images) is only a reference."""
    from synthaug.validation.tabular import suite_label

    start = time.perf_counter()
    label = suite_label(workdir)
    n_in = len(synthetic)
    d_syn = _synthetic_distances(train, synthetic)
    copies = d_syn < COPY_RMS if cfg.drop_copies and generative else None
    failed, records = _row_checks(train, synthetic, cfg, label, workdir, copies)
    metrics: dict[str, float] = {"rows_in": float(n_in), "rows_failed": float(failed.sum()),
                                 "validity_rate": 1.0 - float(failed.mean()) if n_in else NAN}
    if cfg.policy == "fail" and failed.any():
        bad = [f"{r['check']}: {r['unexpected']} of {n_in} images ({r['detail']})"
               for r in records if r["success"] is False]
        raise ValidationFailed(f"synthetic image set {label!r} failed {len(bad)} expectation(s) under policy "
                               "'fail':\n  " + "\n  ".join(bad))
    kept = synthetic.take(np.flatnonzero(~failed)) if cfg.policy == "filter" else synthetic
    metrics.update(rows_kept=float(len(kept)), rows_dropped=float(n_in - len(kept)))
    records.append(_rec(f"policy:{cfg.policy}", "policy", n_in > 0 or None, float(len(kept)), None,
                        f"{cfg.policy}: kept {len(kept)} of {n_in} images; {int(failed.sum())} fail row checks",
                        unexpected=n_in - len(kept)))
    records += _fidelity(train, kept, holdout, cfg, seed, metrics)
    records += _memorisation(train, d_syn, holdout, cfg, metrics)
    if workdir is not None and len(kept):
        path = save_sample_grid(kept, train, Path(workdir) / "samples.png", seed)
        records.append(_rec("sample_grid", "image", None, None, None, str(path)))
    gate_records, failures = evaluate_gates(metrics, cfg.gate, generative)
    metrics["validation_seconds"] = round(time.perf_counter() - start, 4)
    return ValidationResult(kept=kept, n_in=n_in, records=records + gate_records, metrics=metrics,
                            gate_failures=failures)


# ---------------------------------------------------------------- GX row checks
def image_summary(X: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """One row per image: the table Great Expectations checks (GX has no image type)."""
    import warnings

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
                copies: np.ndarray | None) -> tuple[np.ndarray, list[dict[str, Any]]]:
    from synthaug.validation.gx_runner import run_expectations

    summary = image_summary(synthetic.X, synthetic.y)
    if copies is not None:
        summary[COPY_COLUMN] = copies
    out = run_expectations(summary, image_expectations(train, cfg, copies is not None), f"{label}.images", workdir)
    for r in out.records:
        r["family"] = "expectation"
    return np.asarray(out.row_failed, dtype=bool), list(out.records)


# ---------------------------------------------------------------- fidelity
def reference_cnn(train: Dataset, seed: int) -> Any:
    """SmallCNN fitted on the real training images, once per (training set, seed) in this process."""
    from synthaug.evaluation.cnn import SmallCNN

    key = (train.fingerprint(), int(seed))
    with _CNN_LOCK:
        if key not in _CNN_CACHE:
            if len(_CNN_CACHE) >= 16:
                _CNN_CACHE.pop(next(iter(_CNN_CACHE)))
            _CNN_CACHE[key] = SmallCNN(random_state=seed).fit(train.X, train.y)
        return _CNN_CACHE[key]


def _fidelity(train: Dataset, kept: Dataset, holdout: Dataset | None, cfg: ValidationConfig, seed: int,
              metrics: dict[str, float]) -> list[dict[str, Any]]:
    keys = ("agreement", "cnn_test_accuracy", "frechet", "frechet_real_reference", "detection_auc",
            "diversity_ratio")
    metrics.update(dict.fromkeys(keys, NAN))
    if not cfg.fidelity:
        return []
    if len(kept) < 2 or kept.X.shape[1:] != train.X.shape[1:]:
        return [_rec("fidelity", "fidelity", None, None, None, f"not applicable: {len(kept)} usable images kept")]
    start = time.perf_counter()
    cnn = reference_cnn(train, seed)
    Xs = np.nan_to_num(kept.X, nan=0.0, posinf=1.0, neginf=0.0)
    metrics["agreement"] = float(np.mean(_same(cnn.predict(Xs), kept.y)))
    has_holdout = holdout is not None and len(holdout) >= 2
    if has_holdout:
        metrics["cnn_test_accuracy"] = float(np.mean(_same(cnn.predict(holdout.X), holdout.y)))
    rng = np.random.default_rng(seed)
    sizes = [len(kept), len(train), cfg.max_fidelity_rows] + ([len(holdout)] if has_holdout else [])
    n = min(sizes)
    f_train = cnn.transform_features(train.X[rng.choice(len(train), n, replace=False)])
    f_syn = cnn.transform_features(Xs[rng.choice(len(kept), n, replace=False)])
    metrics["frechet"] = frechet_distance(f_train, f_syn)
    if has_holdout:
        f_test = cnn.transform_features(holdout.X[rng.choice(len(holdout), n, replace=False)])
        metrics["frechet_real_reference"] = frechet_distance(f_train, f_test)
    metrics["detection_auc"] = _detection_auc(f_train, f_syn, cfg.detection_folds, seed)
    real_spread = within_class_spread(train.X, train.y, rng)
    metrics["diversity_ratio"] = within_class_spread(Xs, kept.y, rng) / real_spread if real_spread > 0 else NAN
    metrics["seconds_fidelity"] = round(time.perf_counter() - start, 4)
    per_class = _per_class_agreement(cnn.predict(Xs), kept.y)
    ref = "n/a" if math.isnan(metrics["cnn_test_accuracy"]) else f"{metrics['cnn_test_accuracy']:.3f}"
    return [
        _rec("agreement", "fidelity", None, metrics["agreement"], None,
             f"share of {len(kept)} synthetic images the real-trained CNN assigns to their class "
             f"(CNN accuracy on real test images {ref}); per class {per_class}"),
        _rec("cnn_test_accuracy", "fidelity", None, metrics["cnn_test_accuracy"], None,
             "reference CNN accuracy on the real test images"),
        _rec("frechet", "fidelity", None, metrics["frechet"], None,
             f"Fréchet distance of CNN features, {n} real train vs {n} synthetic images"),
        _rec("frechet_real_reference", "fidelity", None, metrics["frechet_real_reference"], None,
             f"same distance, {n} real train vs {n} real test images (scale)"),
        _rec("diversity_ratio", "fidelity", None, metrics["diversity_ratio"], 1.0,
             "mean within-class pairwise pixel distance, synthetic / real training; well below 1 = mode collapse"),
        _rec("detection_auc", "fidelity", None, metrics["detection_auc"], 0.5,
             f"{cfg.detection_folds}-fold CV ROC AUC of logistic regression on CNN features, real vs "
             "synthetic; 0.5 = indistinguishable"),
    ]


def _same(pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Compare labels as text so int labels from one side and numpy strings from the other still match."""
    return np.asarray(pred).astype(str) == np.asarray(y).astype(str)


def _per_class_agreement(pred: np.ndarray, y: np.ndarray) -> str:
    ok = _same(pred, y)
    parts = [f"{c}: {ok[np.asarray(y) == c].mean():.2f}" for c in np.unique(y)]
    return ", ".join(parts[:20])


def within_class_spread(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, per_class: int = 100) -> float:
    """Mean pairwise RMS pixel distance between images of the same class (up to `per_class` each).

    Agreement alone rewards a generator that draws one perfect image per class; this exposes it.
    """
    spreads = []
    for c in np.unique(y):
        idx = np.flatnonzero(np.asarray(y) == c)
        if len(idx) < 2:
            continue
        a = X[rng.choice(idx, min(per_class, len(idx)), replace=False)].reshape(-1, int(np.prod(X.shape[1:])))
        sq = (a * a).sum(axis=1)
        d2 = np.clip(sq[:, None] + sq[None, :] - 2.0 * a @ a.T, 0.0, None) / a.shape[1]
        spreads.append(float(np.sqrt(d2[np.triu_indices(len(a), 1)]).mean()))
    return float(np.mean(spreads)) if spreads else NAN


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """||mu_a - mu_b||² + Tr(S_a + S_b - 2 (S_a S_b)^½), the FID formula on whatever features are given.

    The trace term is computed as Tr((S_a^½ S_b S_a^½)^½) from symmetric eigendecompositions, which
    stays stable when dead ReLU units make the covariances singular (scipy's sqrtm warns and drifts).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if len(a) < 2 or len(b) < 2:
        return NAN
    mu = a.mean(axis=0) - b.mean(axis=0)
    sa, sb = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    w, v = np.linalg.eigh(sa)
    root_a = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
    inner = np.linalg.eigvalsh(root_a @ sb @ root_a)
    trace_root = float(np.sqrt(np.clip(inner, 0.0, None)).sum())
    return float(max(mu @ mu + np.trace(sa) + np.trace(sb) - 2.0 * trace_root, 0.0))


def _detection_auc(real: np.ndarray, synthetic: np.ndarray, folds: int, seed: int) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.vstack([real, synthetic])
    y = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    if min(len(real), len(synthetic)) < folds:
        return NAN
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return float(np.mean(cross_val_score(model, X, y, cv=cv, scoring="roc_auc")))


# ---------------------------------------------------------------- memorisation
def nearest_distance(query: np.ndarray, ref: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """RMS pixel distance from each query image to its nearest reference image (0 = identical)."""
    q = np.nan_to_num(np.asarray(query, dtype=np.float32).reshape(len(query), -1))
    r = np.asarray(ref, dtype=np.float32).reshape(len(ref), -1)
    r2 = (r * r).sum(axis=1)
    out = np.empty(len(q), dtype=np.float64)
    for s in range(0, len(q), chunk):
        qb = q[s:s + chunk]
        d2 = (qb * qb).sum(axis=1)[:, None] + r2[None, :] - 2.0 * qb @ r.T
        out[s:s + chunk] = np.sqrt(np.clip(d2.min(axis=1), 0.0, None) / q.shape[1])
    return out


def _synthetic_distances(train: Dataset, synthetic: Dataset) -> np.ndarray:
    """NN distance of every generated image to the training images (NaN where shapes differ)."""
    if len(synthetic) == 0 or synthetic.X.shape[1:] != train.X.shape[1:]:
        return np.full(len(synthetic), np.nan)
    return nearest_distance(synthetic.X, train.X)


def _memorisation(train: Dataset, d_syn: np.ndarray, holdout: Dataset | None, cfg: ValidationConfig,
                  metrics: dict[str, float]) -> list[dict[str, Any]]:
    """Every generated image's distance to the training set vs real test images' (privacy family)."""
    keys = ("nn_distance_synthetic", "nn_distance_test", "memorisation_ratio", "dcr_ratio", "copy_rate",
            "closer_than_test_share")
    metrics.update(dict.fromkeys(keys, NAN))
    if not cfg.privacy or len(d_syn) == 0 or np.isnan(d_syn).all():
        return []
    metrics["nn_distance_synthetic"] = float(np.median(d_syn))
    metrics["copy_rate"] = float(np.mean(d_syn < COPY_RMS))
    if holdout is not None and len(holdout):
        d_test = nearest_distance(holdout.X[: cfg.max_fidelity_rows], train.X)
        metrics["nn_distance_test"] = float(np.median(d_test))
        ratio = metrics["nn_distance_synthetic"] / metrics["nn_distance_test"] if metrics["nn_distance_test"] else NAN
        metrics["memorisation_ratio"] = metrics["dcr_ratio"] = float(ratio)
        metrics["closer_than_test_share"] = float(np.mean(d_syn < d_test.min()))
    check = "a check, not a privacy guarantee"
    return [
        _rec("memorisation_ratio", "privacy", None, metrics["memorisation_ratio"], 1.0,
             f"median NN distance synthetic->train ({metrics['nn_distance_synthetic']:.4f}) / real test->train "
             f"({metrics['nn_distance_test']:.4f}); below 1 = nearer the training images than unseen real ones"),
        _rec("copy_rate", "privacy", None, metrics["copy_rate"], None,
             f"share of synthetic images within RMS {COPY_RMS} of a training image; {check}"),
        _rec("closer_than_test_share", "privacy", None, metrics["closer_than_test_share"], None,
             "share of synthetic images nearer a training image than the nearest real test image is"),
    ]


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
        syn = np.flatnonzero(_same(synthetic.y, np.array([label]).repeat(len(synthetic))))
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


def _rec(check: str, family: str, success: bool | None, observed: float | None, threshold: float | None,
         detail: str, unexpected: int = 0, column: str = "") -> dict[str, Any]:
    if isinstance(observed, float) and math.isnan(observed):
        observed = None
    return {"check": check, "family": family, "column": column, "success": success, "observed": observed,
            "threshold": threshold, "unexpected": int(unexpected), "detail": detail}
