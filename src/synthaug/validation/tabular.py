"""Validate one synthetic table: GX suite + policy, then fidelity, privacy and the gate.

Where each number is measured, and why:
- row-level expectations run on every generated row (validity rate = share passing all of them);
- the policy then keeps rows (`filter` drops failures, `warn` keeps all, `fail` raises);
- distribution expectations and fidelity run on the kept rows: what the classifier will train on;
- privacy runs on every generated row: what the generator leaks, whether or not it was filtered.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.validation.checks import (
    AGGREGATE_FAILED,
    COPIES,
    COPY_RATE,
    DCR_HOLDOUT,
    DCR_RATIO,
    DCR_SYNTHETIC,
    DETECTION_AUC,
    DIAGNOSTIC_SCORE,
    DISTRIBUTION,
    EXPECTATION,
    EXPECTATIONS_EVALUATED,
    EXPECTATIONS_FAILED,
    FIDELITY,
    POLICY,
    PRIVACY,
    QUALITY_SCORE,
    ROW,
    ROW_EXPECTATIONS_FAILED,
    ROWS_DROPPED,
    ROWS_FAILED,
    ROWS_IN,
    ROWS_KEPT,
    SECONDS_FIDELITY,
    SECONDS_GX,
    SECONDS_PRIVACY,
    TABULAR_FIDELITY,
    TABULAR_PRIVACY,
    VALIDATION_SECONDS,
    VALIDITY_RATE,
    CheckRecord,
    policy_check,
)
from synthaug.validation.fidelity import cap_rows, detection_auc, sdmetrics_scores
from synthaug.validation.gate import evaluate_gates
from synthaug.validation.gx_runner import GXOutcome, run_expectations, suite_label
from synthaug.validation.privacy import dcr_summary
from synthaug.validation.result import ValidationFailed, ValidationResult
from synthaug.validation.suite import COPY_COLUMN, TabularSuite, build_suite, copy_flags

NAN = float("nan")


def validate_tabular(train: Dataset, synthetic: Dataset, holdout: Dataset, cfg: ValidationConfig,
                     generative: bool, seed: int, workdir: Path | None = None) -> ValidationResult:
    """Run every tabular check on `synthetic`; see the module docstring for what is measured where."""
    start = time.perf_counter()
    label = suite_label(workdir)
    copy_check = bool(cfg.drop_copies and generative)
    suite = build_suite(train, cfg, copy_check)
    synth_frame = synthetic.frame()
    copies = copy_flags(train.frame(), synth_frame, suite.columns)
    if copy_check:
        synth_frame[COPY_COLUMN] = copies
    rows = run_expectations(synth_frame, suite.rows, f"{label}.rows", workdir)
    n_in = len(synthetic)
    metrics: dict[str, float] = {ROWS_IN: float(n_in), ROWS_FAILED: float(rows.row_failed.sum()),
                                 VALIDITY_RATE: 1.0 - float(rows.row_failed.mean()) if n_in else NAN,
                                 COPIES: float(copies.sum())}
    if cfg.policy == "fail":
        _raise_if_blocking(rows, label, n_in)
    keep = ~rows.row_failed if cfg.policy == "filter" else np.ones(n_in, dtype=bool)
    kept = synthetic.take(np.flatnonzero(keep))
    metrics.update({ROWS_KEPT: float(len(kept)), ROWS_DROPPED: float(n_in - len(kept))})
    records = [*rows.checks, _policy_record(rows, cfg.policy, n_in, len(kept))]
    records += _distribution(suite, kept, label, workdir, metrics)
    metrics[SECONDS_GX] = round(time.perf_counter() - start, 4)
    records += _fidelity(train, kept, cfg, seed, metrics)
    records += _privacy(train, synthetic, holdout, copies, cfg, seed, metrics)
    metrics.update(expectation_counts(records))
    gate_records, failures = evaluate_gates(metrics, cfg.gate, generative)
    metrics[VALIDATION_SECONDS] = round(time.perf_counter() - start, 4)
    return ValidationResult(kept=kept, n_in=n_in, checks=records + gate_records, metrics=metrics,
                            gate_failures=failures)


def expectation_counts(records: list[CheckRecord]) -> dict[str, float]:
    """Expectations evaluated and failed (all, and row-level only) among `records`."""
    exp = [r for r in records if r.family == EXPECTATION and r.success is not None]
    return {EXPECTATIONS_EVALUATED: float(len(exp)),
            EXPECTATIONS_FAILED: float(sum(r.success is False for r in exp)),
            ROW_EXPECTATIONS_FAILED: float(sum(r.success is False and r.level == ROW for r in exp))}


def _raise_if_blocking(rows: GXOutcome, label: str, n_in: int) -> None:
    """Policy `fail`: any failed row-level or table-level expectation stops the run, listed."""
    bad = [r for r in rows.checks if r.success is False]
    if bad:
        lines = [f"{r.check}: {r.unexpected} of {n_in} rows ({r.detail})" for r in bad]
        raise ValidationFailed(f"synthetic set {label!r} failed {len(bad)} expectation(s) under policy "
                               "'fail':\n  " + "\n  ".join(lines))


def _policy_record(rows: GXOutcome, policy: str, n_in: int, n_kept: int) -> CheckRecord:
    """One record with the policy's effect, so the report reads rows dropped without recounting."""
    detail = {"filter": f"dropped {n_in - n_kept} of {n_in} rows failing row-level expectations",
              "warn": f"kept all {n_in} rows; {int(rows.row_failed.sum())} fail row-level expectations",
              "fail": "no row-level expectation failed"}[policy]
    if n_in == 0:
        detail = "empty synthetic set: nothing to validate (validity n/a)"
    return CheckRecord(policy_check(policy), POLICY, n_in > 0 or None, float(n_kept), None, detail,
                       unexpected=n_in - n_kept)


def _distribution(suite: TabularSuite, kept: Dataset, label: str, workdir: Path | None,
                  metrics: dict[str, float]) -> list[CheckRecord]:
    """Aggregate expectations on the kept rows; they never drop rows, they feed the gate."""
    if not suite.distribution:
        metrics[AGGREGATE_FAILED] = 0.0
        return []
    if len(kept) == 0:
        metrics[AGGREGATE_FAILED] = NAN
        return [CheckRecord(DISTRIBUTION, EXPECTATION, detail="not applicable: no rows kept")]
    out = run_expectations(kept.frame(), suite.distribution, f"{label}.distribution", workdir)
    metrics[AGGREGATE_FAILED] = float(len(out.failed_checks))
    return out.checks


def _fidelity(train: Dataset, kept: Dataset, cfg: ValidationConfig, seed: int,
              metrics: dict[str, float]) -> list[CheckRecord]:
    """SDMetrics reports and the detection test on the kept rows (n/a when too few remain)."""
    metrics.update(dict.fromkeys(TABULAR_FIDELITY, NAN))
    if not cfg.fidelity:
        return []
    start = time.perf_counter()
    if len(kept) < 2:
        metrics[SECONDS_FIDELITY] = 0.0
        return [CheckRecord(FIDELITY, FIDELITY, detail=f"not applicable: {len(kept)} rows kept")]
    rng = np.random.default_rng(seed)
    real = cap_rows(train.frame(), cfg.max_fidelity_rows, rng)
    synth = cap_rows(kept.frame().reindex(columns=real.columns), cfg.max_fidelity_rows, rng)
    kinds = _kinds(train)
    scores, note = sdmetrics_scores(real, synth, kinds, train.target, cfg.max_fidelity_columns)
    metrics.update(scores)
    metrics[DETECTION_AUC] = detection_auc(real, synth, kinds, train.target, cfg.detection_folds, seed)
    metrics[SECONDS_FIDELITY] = round(time.perf_counter() - start, 4)
    n = f"{len(real)} real vs {len(synth)} synthetic rows"
    return [
        CheckRecord(QUALITY_SCORE, FIDELITY, None, metrics[QUALITY_SCORE], None, f"SDMetrics QualityReport; {note}"),
        CheckRecord(DIAGNOSTIC_SCORE, FIDELITY, None, metrics[DIAGNOSTIC_SCORE], None, "SDMetrics DiagnosticReport"),
        CheckRecord(DETECTION_AUC, FIDELITY, None, metrics[DETECTION_AUC], 0.5,
                    f"{cfg.detection_folds}-fold CV ROC AUC, gradient boosting, {n}; 0.5 = indistinguishable"),
    ]


def _privacy(train: Dataset, synthetic: Dataset, holdout: Dataset, copies: np.ndarray, cfg: ValidationConfig,
             seed: int, metrics: dict[str, float]) -> list[CheckRecord]:
    """Exact copies and DCR of every generated row (each side capped, seeded); checks, not a guarantee."""
    metrics.update(dict.fromkeys(TABULAR_PRIVACY, NAN))
    if not cfg.privacy:
        return []
    start = time.perf_counter()
    if len(synthetic) == 0:
        metrics[SECONDS_PRIVACY] = 0.0
        return [CheckRecord(PRIVACY, PRIVACY, detail="not applicable: empty synthetic set")]
    metrics[COPY_RATE] = float(copies.mean())
    columns = train.frame().columns
    rng = np.random.default_rng(seed)
    ref, syn, hold = (cap_rows(f.reindex(columns=columns), cfg.max_fidelity_rows, rng)
                      for f in (train.frame(), synthetic.frame(), _frame_or_empty(holdout, train)))
    metrics.update(dcr_summary(ref, syn, hold, {**_kinds(train), train.target: "categorical"}))
    metrics[SECONDS_PRIVACY] = round(time.perf_counter() - start, 4)
    return _privacy_records(metrics, copies)


def _privacy_records(metrics: dict[str, float], copies: np.ndarray) -> list[CheckRecord]:
    check = "a check, not a privacy guarantee"
    return [
        CheckRecord(COPY_RATE, PRIVACY, None, metrics[COPY_RATE], None,
                    f"{int(copies.sum())} of {len(copies)} synthetic rows equal a training row; {check}"),
        CheckRecord(DCR_SYNTHETIC, PRIVACY, None, metrics[DCR_SYNTHETIC], None,
                    "median Gower distance synthetic -> closest training row"),
        CheckRecord(DCR_HOLDOUT, PRIVACY, None, metrics[DCR_HOLDOUT], None,
                    "median Gower distance held-out real -> closest training row (reference)"),
        CheckRecord(DCR_RATIO, PRIVACY, None, metrics[DCR_RATIO], 1.0,
                    f"dcr_synthetic / dcr_holdout; below 1 = closer to training rows than unseen real rows; {check}"),
    ]


def _kinds(train: Dataset) -> dict[str, str]:
    """Column kinds of the features actually present (identifier columns were dropped at load)."""
    return {c: k for c, k in train.columns.items() if c in train.X.columns}


def _frame_or_empty(holdout: Dataset | None, train: Dataset) -> pd.DataFrame:
    if holdout is None or len(holdout) == 0:
        return train.frame().iloc[:0]
    return holdout.frame()
