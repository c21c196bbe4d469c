"""Gain statistics over repeats: mean, 95% CI by the recorded split design, p-value, win rate, verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from synthaug.evaluation.splits import CORRECTED_T

CELL_KEYS = ["fraction", "ratio", "strategy", "generator", "classifier", "metric"]
HELPS, HURTS, NULL, TOO_FEW = "helps", "hurts", "no significant effect", "too few repeats"
# Every repeat failed, or the classifier cannot take the recipe (class_weight on LDA). Not "n/a":
# CSV readers turn that into NaN.
NOT_APPLICABLE = "not applicable"


def paired_gains(results: pd.DataFrame, mode: str = "augmented") -> pd.DataFrame:
    """One row per (repeat, cell): `mode` score minus the real-only baseline on the same split and seed."""
    keys = ["repeat", "fraction", "classifier", "metric"]
    base = results[results["mode"] == "baseline"]
    base = base[keys + ["value"]].assign(baseline_error=base["error"] if "error" in base else "")
    other = results[results["mode"] == mode]
    merged = other.merge(base.rename(columns={"value": "baseline"}), on=keys, how="inner", validate="many_to_one")
    merged["gain"] = merged["value"] - merged["baseline"]
    return merged


def gain_interval(gains: np.ndarray, ci_method: str, n_train: float, n_test: float,
                  alpha: float = 0.05) -> tuple[float, float, float, float]:
    """(mean, low, high, p). Nadeau–Bengio multiplies the variance by (1/R + n_test/n_train) because
    overlapping training sets make repeats correlated; disjoint subsets use the plain paired t.

    Written out rather than `scipy.stats.ttest_1samp`: SciPy has no corrected resampled t, and one code
    path for both designs keeps them comparable (the tests check the paired case against SciPy's)."""
    g = np.asarray(gains, dtype=float)
    g = g[~np.isnan(g)]
    r = len(g)
    mean = float(g.mean()) if r else float("nan")
    if r < 2:
        return mean, float("nan"), float("nan"), float("nan")
    var = float(g.var(ddof=1))
    factor = (1.0 / r + n_test / n_train) if ci_method == CORRECTED_T else 1.0 / r
    se = float(np.sqrt(var * factor))
    tcrit = float(stats.t.ppf(1 - alpha / 2, df=r - 1))
    if se == 0.0:
        p = 1.0 if mean == 0.0 else 0.0
        return mean, mean, mean, p
    p = float(2 * stats.t.sf(abs(mean / se), df=r - 1))
    return mean, mean - tcrit * se, mean + tcrit * se, p


def verdict(low: float, high: float) -> str:
    """From the interval alone, so a verdict never disagrees with the CI a reader sees beside it."""
    if np.isnan(low) or np.isnan(high):
        return TOO_FEW
    if low > 0:
        return HELPS
    if high < 0:
        return HURTS
    return NULL


def summarise(results: pd.DataFrame, alpha: float = 0.05, mode: str = "augmented") -> pd.DataFrame:
    """Aggregate paired gains per cell. `n_cells_tested` counts the cells on the same metric, so a reader
    can weigh one "helps" among many tests."""
    if results.empty or "mode" not in results:
        return pd.DataFrame()
    gains = paired_gains(results, mode)
    rows = []
    for key, grp in gains.groupby(CELL_KEYS, dropna=False, sort=True):
        rows.append({**dict(zip(CELL_KEYS, key)), "mode": mode, **_cell_stats(grp, alpha)})
    out = pd.DataFrame(rows)
    if not out.empty:
        tested = out["verdict"] != NOT_APPLICABLE
        out["n_cells_tested"] = tested.groupby(out["metric"]).transform("sum").astype(int)
    return out


def _cell_stats(grp: pd.DataFrame, alpha: float) -> dict[str, object]:
    """Statistics of one cell over its repeats. Repeats whose score is NaN (a failed or n/a fit) are left
    out of the mean and the interval and not counted as repeats, so a failure never reads as zero gain."""
    valid = grp[grp["gain"].notna()]
    missing = grp[grp["gain"].isna()]
    errors = [str(e) for col in ("error", "baseline_error") if col in missing for e in missing[col].fillna("") if e]
    reason = errors[0] if errors else "no repeat produced a score"
    if valid.empty:
        return {"repeats": 0, "baseline_mean": grp["baseline"].mean(), "score_mean": float("nan"),
                "gain_mean": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "p_value": float("nan"),
                "win_rate": float("nan"), "ci_method": grp["ci_method"].iloc[0], "verdict": NOT_APPLICABLE,
                "gated": bool(grp.get("gated", pd.Series([False])).any()), "note": reason}
    mean, low, high, p = gain_interval(valid["gain"].to_numpy(), valid["ci_method"].iloc[0],
                                       valid["n_train"].mean(), valid["n_test"].mean(), alpha)
    return {"repeats": len(valid), "baseline_mean": valid["baseline"].mean(), "score_mean": valid["value"].mean(),
            "gain_mean": mean, "ci_low": low, "ci_high": high, "p_value": p,
            "win_rate": float((valid["gain"] > 0).mean()), "ci_method": valid["ci_method"].iloc[0],
            "verdict": verdict(low, high), "gated": bool(grp.get("gated", pd.Series([False])).any()),
            "note": "" if missing.empty else f"{len(missing)} repeat(s) without a score ({reason})"}
