"""Image fidelity: agreement with a real-trained CNN, Fréchet distance, diversity and detection.

Measured on the kept images (what the classifiers will train on), against the real training
images; the real test images give the scale (the CNN's own accuracy, a real↔real Fréchet distance).
The reference CNN is trained once per training set and seed and cached in this process.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import numpy as np

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.validation.checks import (
    AGREEMENT,
    CNN_TEST_ACCURACY,
    DETECTION_AUC,
    DIVERSITY_RATIO,
    FIDELITY,
    FRECHET,
    FRECHET_REAL_REFERENCE,
    IMAGE_FIDELITY,
    SECONDS_FIDELITY,
    CheckRecord,
)

NAN = float("nan")
_CNN_CACHE: dict[tuple[str, int], Any] = {}
_CNN_LOCK = threading.Lock()


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


def image_fidelity(train: Dataset, kept: Dataset, holdout: Dataset | None, cfg: ValidationConfig, seed: int,
                   metrics: dict[str, float]) -> list[CheckRecord]:
    """Fill the fidelity metrics (NaN where n/a) and return their records."""
    metrics.update(dict.fromkeys(IMAGE_FIDELITY, NAN))
    if not cfg.fidelity:
        return []
    if len(kept) < 2 or kept.X.shape[1:] != train.X.shape[1:]:
        return [CheckRecord(FIDELITY, FIDELITY, detail=f"not applicable: {len(kept)} usable images kept")]
    start = time.perf_counter()
    cnn = reference_cnn(train, seed)
    Xs = np.nan_to_num(kept.X, nan=0.0, posinf=1.0, neginf=0.0)
    metrics[AGREEMENT] = float(np.mean(same_label(cnn.predict(Xs), kept.y)))
    has_holdout = holdout is not None and len(holdout) >= 2
    if has_holdout:
        metrics[CNN_TEST_ACCURACY] = float(np.mean(same_label(cnn.predict(holdout.X), holdout.y)))
    rng = np.random.default_rng(seed)
    n = min([len(kept), len(train), cfg.max_fidelity_rows] + ([len(holdout)] if has_holdout else []))
    f_train = cnn.transform_features(train.X[rng.choice(len(train), n, replace=False)])
    f_syn = cnn.transform_features(Xs[rng.choice(len(kept), n, replace=False)])
    metrics[FRECHET] = frechet_distance(f_train, f_syn)
    if has_holdout:
        f_test = cnn.transform_features(holdout.X[rng.choice(len(holdout), n, replace=False)])
        metrics[FRECHET_REAL_REFERENCE] = frechet_distance(f_train, f_test)
    metrics[DETECTION_AUC] = detection_auc(f_train, f_syn, cfg.detection_folds, seed)
    real_spread = within_class_spread(train.X, train.y, rng)
    metrics[DIVERSITY_RATIO] = within_class_spread(Xs, kept.y, rng) / real_spread if real_spread > 0 else NAN
    metrics[SECONDS_FIDELITY] = round(time.perf_counter() - start, 4)
    per_class = per_class_agreement(cnn.predict(Xs), kept.y)
    return _records(metrics, len(kept), n, per_class, cfg.detection_folds)


def _records(metrics: dict[str, float], n_kept: int, n: int, per_class: str, folds: int) -> list[CheckRecord]:
    ref = "n/a" if math.isnan(metrics[CNN_TEST_ACCURACY]) else f"{metrics[CNN_TEST_ACCURACY]:.3f}"
    return [
        CheckRecord(AGREEMENT, FIDELITY, None, metrics[AGREEMENT], None,
                    f"share of {n_kept} synthetic images the real-trained CNN assigns to their class "
                    f"(CNN accuracy on real test images {ref}); per class {per_class}"),
        CheckRecord(CNN_TEST_ACCURACY, FIDELITY, None, metrics[CNN_TEST_ACCURACY], None,
                    "reference CNN accuracy on the real test images"),
        CheckRecord(FRECHET, FIDELITY, None, metrics[FRECHET], None,
                    f"Fréchet distance of CNN features, {n} real train vs {n} synthetic images"),
        CheckRecord(FRECHET_REAL_REFERENCE, FIDELITY, None, metrics[FRECHET_REAL_REFERENCE], None,
                    f"same distance, {n} real train vs {n} real test images (scale)"),
        CheckRecord(DIVERSITY_RATIO, FIDELITY, None, metrics[DIVERSITY_RATIO], 1.0,
                    "mean within-class pairwise pixel distance, synthetic / real training; well below 1 = "
                    "mode collapse"),
        CheckRecord(DETECTION_AUC, FIDELITY, None, metrics[DETECTION_AUC], 0.5,
                    f"{folds}-fold CV ROC AUC of logistic regression on CNN features, real vs synthetic; "
                    "0.5 = indistinguishable"),
    ]


def same_label(pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Compare labels as text so int labels from one side and numpy strings from the other still match."""
    return np.asarray(pred).astype(str) == np.asarray(y).astype(str)


def per_class_agreement(pred: np.ndarray, y: np.ndarray) -> str:
    """`0: 0.98, 1: 0.91, ...` (first 20 classes): where agreement is lost."""
    ok = same_label(pred, y)
    parts = [f"{c}: {ok[np.asarray(y) == c].mean():.2f}" for c in np.unique(y)]
    return ", ".join(parts[:20])


def within_class_spread(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, per_class: int = 100) -> float:
    """Mean pairwise RMS pixel distance between images of the same class (up to `per_class` each).

    Agreement alone rewards a generator that draws one perfect image per class; this exposes it.
    """
    from scipy.spatial.distance import pdist

    spreads = []
    for c in np.unique(y):
        idx = np.flatnonzero(np.asarray(y) == c)
        if len(idx) < 2:
            continue
        a = X[rng.choice(idx, min(per_class, len(idx)), replace=False)].reshape(-1, int(np.prod(X.shape[1:])))
        spreads.append(float(pdist(a.astype(np.float64)).mean() / math.sqrt(a.shape[1])))
    return float(np.mean(spreads)) if spreads else NAN


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """||mu_a - mu_b||² + Tr(S_a + S_b - 2 (S_a S_b)^½), the FID formula on whatever features are given.

    Ours: the trace term is computed as Tr((S_a^½ S_b S_a^½)^½) from symmetric eigendecompositions,
    which stays stable when dead ReLU units make the covariances singular (scipy's sqrtm warns and
    drifts); library FIDs (torchmetrics, pytorch-fid) fix the features to Inception's.
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


def detection_auc(real: np.ndarray, synthetic: np.ndarray, folds: int, seed: int) -> float:
    """Mean cross-validated ROC AUC of a logistic regression telling real (0) from synthetic (1) features.

    Ours, not SDMetrics' `LogisticDetection`: that one takes tables, not feature arrays, and reports
    1 - mean(2·max(AUC, 0.5) - 1) over 3 unseeded folds (clamped, and not reproducible per seed).
    """
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
