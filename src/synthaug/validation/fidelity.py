"""Fidelity: SDMetrics Quality/Diagnostic reports and a real-vs-synthetic detection test.

Both are measured on the synthetic rows that survive the policy (what the classifier will train
on) against the real training rows, capped at `max_rows` per side with a seeded sample so the cost
stays bounded whatever the sample size.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from synthaug.validation.checks import COLUMN_PAIR_TRENDS, COLUMN_SHAPES, DIAGNOSTIC_SCORE, QUALITY_SCORE
from synthaug.validation.suite import CATEGORICAL_KINDS


def cap_rows(frame: pd.DataFrame, max_rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """At most `max_rows` rows, a seeded sample in original order: bounds every check's cost."""
    if len(frame) <= max_rows:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), max_rows, replace=False))]


def quality_columns(kinds: dict[str, str], target: str, max_columns: int) -> list[str]:
    """Columns fed to the QualityReport: the target plus evenly spaced features up to the cap.

    Column Pair Trends scores every pair (quadratic, ~6 ms a pair), so 31 columns cost ~2 s a call.
    The choice is deterministic, so every generator in a run is scored on the same columns.
    """
    feats = list(kinds)
    room = max(1, max_columns - 1)
    if len(feats) > room:
        feats = [feats[int(i)] for i in np.linspace(0, len(feats) - 1, room).round().astype(int)]
        feats = list(dict.fromkeys(feats))
    return [*feats, target]


def sdmetrics_scores(real: pd.DataFrame, synthetic: pd.DataFrame, kinds: dict[str, str], target: str,
                     max_columns: int) -> tuple[dict[str, float], str]:
    """QualityReport on up to `max_columns` columns, DiagnosticReport on all; NaN pair scores skipped."""
    from sdmetrics.reports.single_table import DiagnosticReport, QualityReport

    all_kinds = {**kinds, target: "categorical"}
    meta = {"columns": {c: {"sdtype": "categorical" if k in CATEGORICAL_KINDS else "numerical"}
                        for c, k in all_kinds.items()}}
    real, synthetic = _sdm_frame(real, all_kinds), _sdm_frame(synthetic, all_kinds)
    cols = quality_columns(kinds, target, max_columns)
    sub_meta = {"columns": {c: meta["columns"][c] for c in cols}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quality = QualityReport()
        quality.generate(real[cols], synthetic[cols], sub_meta, verbose=False)
        diagnostic = DiagnosticReport()
        diagnostic.generate(real, synthetic, meta, verbose=False)
    props = quality.get_properties().set_index("Property")["Score"].astype(float)
    pairs = quality.get_details("Column Pair Trends")
    n_nan = int(pairs["Score"].isna().sum()) if "Score" in pairs else 0
    scores = {
        QUALITY_SCORE: _nanmean(props.to_numpy()),
        COLUMN_SHAPES: float(props.get("Column Shapes", np.nan)),
        COLUMN_PAIR_TRENDS: float(props.get("Column Pair Trends", np.nan)),
        DIAGNOSTIC_SCORE: float(diagnostic.get_score()),
    }
    note = f"QualityReport on {len(cols)} of {len(all_kinds)} columns; {n_nan} column-pair scores were NaN (skipped)"
    return scores, note


def _sdm_frame(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Categoricals as strings (NaN kept), numerics as floats: SDMetrics infers nothing then."""
    frame = frame.reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)
    for c, k in kinds.items():
        s = frame[c]
        out[c] = s.map(lambda v: v if pd.isna(v) else str(v)).astype(object) if k in CATEGORICAL_KINDS else \
            pd.to_numeric(s, errors="coerce").astype(float)
    return out


def _nanmean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else float("nan")


def detection_auc(real: pd.DataFrame, synthetic: pd.DataFrame, kinds: dict[str, str], target: str,
                  folds: int, seed: int) -> float:
    """Cross-validated ROC AUC of gradient boosting telling real rows (0) from synthetic rows (1).

    0.5 = indistinguishable, 1.0 = trivially told apart. Real rows are subsampled so their class mix
    matches the synthetic one: a deliberately balanced sample must not be "detected" for its mix.
    Ours, not SDMetrics' `LogisticDetection`: that reports 1 - mean(2·max(AUC, 0.5) - 1) of a logistic
    regression over 3 unseeded folds (a clamped, non-reproducible number, blind to the class mix).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from synthaug.parallel import single_threaded

    real = match_class_mix(real, synthetic[target], target, seed)
    if min(len(real), len(synthetic)) < 2 * folds:
        return float("nan")
    X, is_cat = _encode(pd.concat([real, synthetic], ignore_index=True), {**kinds, target: "categorical"})
    label = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    model = HistGradientBoostingClassifier(max_iter=60, max_leaf_nodes=15, early_stopping=False,
                                           categorical_features=is_cat, random_state=seed)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with single_threaded(include_torch=False):  # OpenMP threads on shared, busy cores slow the small fits down
        scores = cross_val_predict(model, X, label, cv=splitter, method="decision_function")
    return float(roc_auc_score(label, scores))


def match_class_mix(real: pd.DataFrame, synth_y: pd.Series, target: str, seed: int) -> pd.DataFrame:
    """The largest seeded subsample of `real` whose class proportions equal those of `synth_y`.

    (Sample weights would do the same, but scikit-learn's weighted binning costs seconds per fit.)
    """
    real_y = real[target].astype(str).to_numpy()
    p_syn = synth_y.astype(str).value_counts(normalize=True)
    have = pd.Series(real_y).value_counts()
    scale = min(float(have.get(c, 0)) / p for c, p in p_syn.items())
    scale = min(scale, float(len(real)))
    rng = np.random.default_rng(seed)
    picks = []
    for c, p in p_syn.items():
        idx = np.flatnonzero(real_y == c)
        picks.append(rng.choice(idx, min(len(idx), int(round(p * scale))), replace=False))
    return real.iloc[np.sort(np.concatenate(picks))] if picks else real.iloc[:0]


def _encode(frame: pd.DataFrame, kinds: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Numerics as floats (NaN kept: the booster handles it), categoricals as ordinal codes."""
    cols = [c for c in kinds if c in frame.columns]
    X = np.empty((len(frame), len(cols)))
    is_cat = np.zeros(len(cols), dtype=bool)
    for j, c in enumerate(cols):
        if kinds[c] in CATEGORICAL_KINDS:
            codes, _ = pd.factorize(frame[c].map(lambda v: v if pd.isna(v) else str(v)))
            X[:, j] = np.where(codes < 0, np.nan, codes % 250)  # booster's category cap
            is_cat[j] = True
        else:
            X[:, j] = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
    return X, is_cat
