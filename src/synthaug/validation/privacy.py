"""Privacy checks: exact-copy rate and distance to closest record (DCR) against a real reference.

These are checks, not a privacy guarantee: a generator can pass both and still leak (e.g. rare
attribute combinations). DCR follows the idea of SDMetrics' `DCROverfittingProtection`: synthetic
rows should sit no closer to the training rows than unseen real rows (the holdout) do.

Why not the library: `DCROverfittingProtection` reports a different number (the share of synthetic
rows nearer the training set than the holdout set, rescaled), not our median-distance ratio; and its
`calculate_dcr` computes the same per-row Gower DCR as `closest_distance` (max difference 3e-8 on
breast cancer) but ~90x slower (pandas cross joins: 6.4 s vs 0.07 s for 3,000 x 426 rows).
scikit-learn has no Gower metric (mixed types, missing values).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthaug.validation.checks import DCR_CLOSER_SHARE, DCR_HOLDOUT, DCR_RATIO, DCR_SYNTHETIC
from synthaug.validation.suite import CATEGORICAL_KINDS

_CHUNK_CELLS = 4_000_000  # pairwise cells per chunk: bounds memory at ~32 MB per column pass


def gower_encode(train: pd.DataFrame, frames: list[pd.DataFrame], kinds: dict[str, str]
                 ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Encode columns for Gower distance: numerics scaled by the training range, categories as codes.

    Returns (train matrix, is-categorical mask, other matrices); NaN marks missing in both parts.
    """
    cols = [c for c in train.columns if c in kinds]
    is_cat = np.array([kinds[c] in CATEGORICAL_KINDS for c in cols], dtype=bool)
    mats = [np.empty((len(f), len(cols)), dtype=np.float64) for f in [train, *frames]]
    for j, c in enumerate(cols):
        if is_cat[j]:
            cats = pd.Index(pd.unique(train[c].dropna().astype(str)))
            for m, f in zip(mats, [train, *frames]):
                s = f[c].astype(object)
                codes = cats.get_indexer(s.where(s.isna(), s.astype(str))).astype(float)
                codes[codes < 0] = -1.0  # unseen category: differs from every training code
                codes[s.isna().to_numpy()] = np.nan
                m[:, j] = codes
        else:
            t = pd.to_numeric(train[c], errors="coerce").to_numpy(dtype=float)
            lo, hi = np.nanmin(t) if np.isfinite(t).any() else 0.0, np.nanmax(t) if np.isfinite(t).any() else 1.0
            span = hi - lo if hi > lo else 1.0
            for m, f in zip(mats, [train, *frames]):
                m[:, j] = (pd.to_numeric(f[c], errors="coerce").to_numpy(dtype=float) - lo) / span
    return mats[0], is_cat, mats[1:]


def closest_distance(query: np.ndarray, ref: np.ndarray, is_cat: np.ndarray) -> np.ndarray:
    """Per query row, the Gower distance (mean over columns, each in [0, 1]) to its nearest ref row.

    Numeric: |a - b| on range-scaled values, capped at 1; categorical: 0 if equal else 1; a missing
    value matches only a missing value. Chunked so memory stays bounded for large sets.
    """
    n, p = query.shape
    if n == 0 or len(ref) == 0 or p == 0:
        return np.full(n, np.nan)
    out = np.empty(n)
    query, ref = query.astype(np.float32), ref.astype(np.float32)  # half the memory traffic, ~2x faster
    step = max(1, _CHUNK_CELLS // max(1, len(ref)))
    ref_nan = np.isnan(ref)
    ref_has_nan = ref_nan.any(axis=0)
    for start in range(0, n, step):
        q = query[start:start + step]
        total = np.zeros((len(q), len(ref)), dtype=np.float32)
        for j in range(p):
            a, b = q[:, j][:, None], ref[:, j][None, :]
            if is_cat[j]:
                d = (a != b).astype(np.float32)
            else:
                d = np.minimum(np.abs(a - b), np.float32(1.0))
            q_nan = np.isnan(q[:, j])
            if q_nan.any() or ref_has_nan[j]:
                a_nan, b_nan = q_nan[:, None], ref_nan[:, j][None, :]
                d = np.where(a_nan | b_nan, (a_nan != b_nan).astype(np.float32), d)
            total += d
        out[start:start + step] = total.min(axis=1).astype(np.float64) / p
    return out


def dcr_summary(train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame,
                kinds: dict[str, str]) -> dict[str, float]:
    """Median DCR synthetic→train and holdout→train, and their ratio (callers cap the row counts).

    ratio = dcr_synthetic / dcr_holdout: about 1 means synthetic rows are as far from the training
    rows as unseen real rows are; well below 1 means the generator sits on (memorises) its training
    rows. `dcr_closer_share` is the share of synthetic rows closer to train than the holdout median.
    """
    t, is_cat, (s, h) = gower_encode(train, [synthetic, holdout], kinds)
    d_syn, d_hold = closest_distance(s, t, is_cat), closest_distance(h, t, is_cat)
    med_s = float(np.median(d_syn)) if len(d_syn) else float("nan")
    med_h = float(np.median(d_hold)) if len(d_hold) else float("nan")
    ratio = med_s / med_h if med_h > 0 else float("nan")  # holdout sitting on train: not assessable
    closer = float(np.mean(d_syn < med_h)) if len(d_syn) and not np.isnan(med_h) else float("nan")
    return {DCR_SYNTHETIC: med_s, DCR_HOLDOUT: med_h, DCR_RATIO: float(ratio), DCR_CLOSER_SHARE: closer}
