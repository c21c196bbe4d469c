"""Image memorisation: how near each generated image sits to the training images, against real ones.

Runs on every generated image (filtered or not: what the generator leaks). The reference is the
real test images' distance to the training set, so "near" is read on the data's own scale. These
are checks, not a privacy guarantee.
"""

from __future__ import annotations

import math

import numpy as np

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.validation.checks import (
    CLOSER_THAN_TEST_SHARE,
    COPY_RATE,
    DCR_RATIO,
    IMAGE_PRIVACY,
    MEMORISATION_RATIO,
    NN_DISTANCE_SYNTHETIC,
    NN_DISTANCE_TEST,
    PRIVACY,
    CheckRecord,
)

NAN = float("nan")
COPY_RMS = 0.002  # RMS pixel distance below which a synthetic image counts as an exact copy


def nearest_distance(query: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """RMS pixel distance from each query image to its nearest reference image (0 = identical).

    scikit-learn's `pairwise_distances_argmin_min` (Euclidean, chunked) divided by √pixels.
    """
    from sklearn.metrics import pairwise_distances_argmin_min

    q = np.nan_to_num(np.asarray(query, dtype=np.float32).reshape(len(query), -1))
    r = np.asarray(ref, dtype=np.float32).reshape(len(ref), -1)
    if len(q) == 0 or len(r) == 0:
        return np.full(len(q), NAN)
    _, dist = pairwise_distances_argmin_min(q, r)
    return np.asarray(dist, dtype=np.float64) / math.sqrt(q.shape[1])


def synthetic_distances(train: Dataset, synthetic: Dataset) -> np.ndarray:
    """NN distance of every generated image to the training images (NaN where shapes differ)."""
    if len(synthetic) == 0 or synthetic.X.shape[1:] != train.X.shape[1:]:
        return np.full(len(synthetic), NAN)
    return nearest_distance(synthetic.X, train.X)


def memorisation(train: Dataset, d_syn: np.ndarray, holdout: Dataset | None, cfg: ValidationConfig,
                 metrics: dict[str, float]) -> list[CheckRecord]:
    """Every generated image's distance to the training set vs real test images' (privacy family)."""
    metrics.update(dict.fromkeys(IMAGE_PRIVACY, NAN))
    if not cfg.privacy or len(d_syn) == 0 or np.isnan(d_syn).all():
        return []
    metrics[NN_DISTANCE_SYNTHETIC] = float(np.median(d_syn))
    metrics[COPY_RATE] = float(np.mean(d_syn < COPY_RMS))
    if holdout is not None and len(holdout):
        d_test = nearest_distance(holdout.X[: cfg.max_fidelity_rows], train.X)
        metrics[NN_DISTANCE_TEST] = float(np.median(d_test))
        test = metrics[NN_DISTANCE_TEST]
        ratio = metrics[NN_DISTANCE_SYNTHETIC] / test if test else NAN
        metrics[MEMORISATION_RATIO] = metrics[DCR_RATIO] = float(ratio)
        metrics[CLOSER_THAN_TEST_SHARE] = float(np.mean(d_syn < d_test.min()))
    check = "a check, not a privacy guarantee"
    return [
        CheckRecord(MEMORISATION_RATIO, PRIVACY, None, metrics[MEMORISATION_RATIO], 1.0,
                    f"median NN distance synthetic->train ({metrics[NN_DISTANCE_SYNTHETIC]:.4f}) / real test->train "
                    f"({metrics[NN_DISTANCE_TEST]:.4f}); below 1 = nearer the training images than unseen real ones"),
        CheckRecord(COPY_RATE, PRIVACY, None, metrics[COPY_RATE], None,
                    f"share of synthetic images within RMS {COPY_RMS} of a training image; {check}"),
        CheckRecord(CLOSER_THAN_TEST_SHARE, PRIVACY, None, metrics[CLOSER_THAN_TEST_SHARE], None,
                    "share of synthetic images nearer a training image than the nearest real test image is"),
    ]
