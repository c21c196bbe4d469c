"""Gain statistics against values worked out by hand (numbers in the comments)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthaug.evaluation.splits import CORRECTED_T, PAIRED_T
from synthaug.evaluation.statistics import HELPS, HURTS, NOT_APPLICABLE, NULL, TOO_FEW, gain_interval, summarise

GAINS = np.array([0.01, 0.03, 0.02, 0.04])
# mean = 0.025; deviations -0.015, 0.005, -0.005, 0.015; sum of squares 0.0005; s² = 0.0005/3 = 1.6667e-4
# t(0.975, df=3) = 3.182446


def test_paired_t_by_hand() -> None:
    # se = sqrt(s²/4) = 0.0064550; t = 0.025/0.0064550 = 3.8730; half-width = 3.182446 × 0.0064550 = 0.020543
    mean, low, high, p = gain_interval(GAINS, PAIRED_T, n_train=100, n_test=50)
    assert mean == pytest.approx(0.025)
    assert low == pytest.approx(0.025 - 0.020543, abs=1e-5)
    assert high == pytest.approx(0.025 + 0.020543, abs=1e-5)
    assert p == pytest.approx(0.03047, abs=2e-4)  # two-sided t(3) tail beyond 3.8730


def test_nadeau_bengio_corrected_t_by_hand() -> None:
    # factor 1/4 + n_test/n_train = 0.25 + 50/100 = 0.75; se = sqrt(1.6667e-4 × 0.75) = 0.011180
    # t = 0.025/0.011180 = 2.2361; half-width = 3.182446 × 0.011180 = 0.035581
    mean, low, high, p = gain_interval(GAINS, CORRECTED_T, n_train=100, n_test=50)
    assert mean == pytest.approx(0.025)
    assert low == pytest.approx(0.025 - 0.035581, abs=1e-5)
    assert high == pytest.approx(0.025 + 0.035581, abs=1e-5)
    assert p == pytest.approx(0.1114, abs=5e-4)


def test_paired_t_agrees_with_scipy() -> None:
    """The hand-written t (one path for both designs) is SciPy's one-sample t on the gains when paired."""
    from scipy import stats

    mean, low, high, p = gain_interval(GAINS, PAIRED_T, n_train=100, n_test=50)
    assert p == pytest.approx(stats.ttest_1samp(GAINS, 0.0).pvalue, rel=1e-12)
    lo, hi = stats.t.interval(0.95, df=len(GAINS) - 1, loc=GAINS.mean(), scale=stats.sem(GAINS))
    assert (low, high) == (pytest.approx(lo, rel=1e-12), pytest.approx(hi, rel=1e-12))


def test_corrected_interval_is_wider_than_paired_for_the_same_gains() -> None:
    _, lo_p, hi_p, _ = gain_interval(GAINS, PAIRED_T, 100, 50)
    _, lo_c, hi_c, _ = gain_interval(GAINS, CORRECTED_T, 100, 50)
    assert hi_c - lo_c == pytest.approx((hi_p - lo_p) * np.sqrt(0.75 / 0.25), rel=1e-9)


def test_one_repeat_gives_no_interval() -> None:
    mean, low, high, p = gain_interval(np.array([0.05]), PAIRED_T, 100, 50)
    assert mean == 0.05 and np.isnan(low) and np.isnan(high) and np.isnan(p)


def _results(gains_by_clf: dict[str, list[float]], errors: dict[str, str] | None = None) -> pd.DataFrame:
    rows = []
    for clf, gains in gains_by_clf.items():
        for r, g in enumerate(gains):
            common = {"repeat": r, "fraction": 0.1, "classifier": clf, "metric": "accuracy",
                      "ci_method": PAIRED_T, "n_train": 100, "n_test": 50, "error": ""}
            rows.append({**common, "mode": "baseline", "generator": "real", "ratio": 0.0, "strategy": "none",
                         "value": 0.7, "gated": False})
            rows.append({**common, "mode": "augmented", "generator": "g", "ratio": 1.0, "strategy": "match",
                         "value": 0.7 + g, "gated": False, "error": (errors or {}).get(clf, "")})
    return pd.DataFrame(rows)


def test_summarise_verdicts_win_rate_and_cells_tested() -> None:
    res = _results({"up": list(GAINS), "down": list(-GAINS), "flat": [0.02, -0.02, 0.01, -0.01],
                    "na": [np.nan] * 4},
                   errors={"na": "n/a: classifier has no class_weight parameter"})
    s = summarise(res).set_index("classifier")
    assert s.loc["up", "verdict"] == HELPS and s.loc["down", "verdict"] == HURTS
    assert s.loc["flat", "verdict"] == NULL
    assert s.loc["up", "win_rate"] == 1.0 and s.loc["flat", "win_rate"] == 0.5
    assert s.loc["up", "ci_low"] == pytest.approx(0.025 - 0.020543, abs=1e-5)
    assert s.loc["na", "verdict"] == NOT_APPLICABLE and s.loc["na", "repeats"] == 0
    assert "class_weight" in s.loc["na", "note"]
    assert (s["n_cells_tested"] == 3).all()  # the n/a cell was not a test


def test_failed_repeats_are_left_out_not_read_as_zero_gain() -> None:
    s = summarise(_results({"c": [0.01, 0.03, np.nan]})).set_index("classifier")
    assert s.loc["c", "repeats"] == 2
    assert s.loc["c", "gain_mean"] == pytest.approx(0.02)
    assert "1 repeat" in s.loc["c", "note"]
    assert summarise(_results({"c": [0.01, np.nan]})).iloc[0]["verdict"] == TOO_FEW


def _reference_summarise(results: pd.DataFrame, alpha: float = 0.05, mode: str = "augmented") -> pd.DataFrame:
    """The per-cell-frame version `summarise` replaced (pandas filters and means per cell), kept as the
    reference its numbers must equal bit for bit."""
    from synthaug.evaluation.statistics import CELL_KEYS, paired_gains, verdict

    gains = paired_gains(results, mode)
    rows = []
    for key, grp in gains.groupby(CELL_KEYS, dropna=False, sort=True):
        valid, missing = grp[grp["gain"].notna()], grp[grp["gain"].isna()]
        errors = [str(e) for col in ("error", "baseline_error") if col in missing for e in missing[col].fillna("") if e]
        reason = errors[0] if errors else "no repeat produced a score"
        gated = bool(grp.get("gated", pd.Series([False])).any())
        if valid.empty:
            stats = {"repeats": 0, "baseline_mean": grp["baseline"].mean(), "score_mean": float("nan"),
                     "gain_mean": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"),
                     "p_value": float("nan"), "win_rate": float("nan"), "ci_method": grp["ci_method"].iloc[0],
                     "verdict": NOT_APPLICABLE, "gated": gated, "note": reason}
        else:
            mean, low, high, p = gain_interval(valid["gain"].to_numpy(), valid["ci_method"].iloc[0],
                                               valid["n_train"].mean(), valid["n_test"].mean(), alpha)
            stats = {"repeats": len(valid), "baseline_mean": valid["baseline"].mean(),
                     "score_mean": valid["value"].mean(), "gain_mean": mean, "ci_low": low, "ci_high": high,
                     "p_value": p, "win_rate": float((valid["gain"] > 0).mean()),
                     "ci_method": valid["ci_method"].iloc[0], "verdict": verdict(low, high), "gated": gated,
                     "note": "" if missing.empty else f"{len(missing)} repeat(s) without a score ({reason})"}
        rows.append({**dict(zip(CELL_KEYS, key)), "mode": mode, **stats})
    out = pd.DataFrame(rows)
    out["n_cells_tested"] = (out["verdict"] != NOT_APPLICABLE).groupby(out["metric"]).transform("sum").astype(int)
    return out


def _random_results(seed: int) -> pd.DataFrame:
    """A grid's score rows with the awkward parts: failed repeats (NaN with or without an error), a
    failed baseline, gated sets, both CI designs, uneven repeats and training sizes."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(int(rng.integers(1, 6))):
        for frac in (0.25, 1.0):
            design = {"ci_method": PAIRED_T if frac == 1.0 else CORRECTED_T,
                      "n_train": int(rng.integers(50, 500)), "n_test": int(rng.integers(20, 200))}
            for clf in ("lr", "svm", "tree"):
                for metric in ("accuracy", "macro_f1"):
                    common = {"repeat": r, "fraction": frac, "classifier": clf, "metric": metric, **design}
                    base = float(rng.uniform(0.5, 0.9)) if rng.random() > 0.05 else np.nan
                    rows.append({**common, "mode": "baseline", "generator": "real", "ratio": 0.0,
                                 "strategy": "none", "value": base, "gated": False,
                                 "error": "" if base == base else "baseline fit failed"})
                    for gen in ("ctgan", "smote"):
                        value = base + float(rng.normal(0, 0.03)) if rng.random() > 0.15 else np.nan
                        error = rng.choice(["", None, "fit failed: boom"]) if value != value else ""
                        rows.append({**common, "mode": "augmented", "generator": gen, "ratio": 1.0,
                                     "strategy": "match", "value": value, "gated": bool(rng.random() < 0.1),
                                     "error": error})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(8))
def test_summarise_equals_the_per_cell_frame_version_bit_for_bit(seed: int) -> None:
    # Setup: odd seeds also carry a `gated` column with missing values (read as not gated)
    results = _random_results(seed)
    if seed % 2:
        results["gated"] = results["gated"].astype(object)
        results.loc[results.index[::7], "gated"] = None
    # Run
    fast, reference = summarise(results), _reference_summarise(results)
    # Assert: same rows, columns, dtypes and values, exactly (NaN where NaN)
    assert len(fast) == 24 and (fast["note"] != "").any()  # failed repeats are in the comparison
    pd.testing.assert_frame_equal(fast, reference, check_exact=True)
