"""Validate one synthetic table: GX suite + policy, then fidelity, privacy and the gate.

Where each number is measured, and why:
- row-level expectations run on every generated row (validity rate = share passing all of them);
- the policy then keeps rows (`filter` drops failures, `warn` keeps all, `fail` raises);
- distribution expectations and fidelity run on the kept rows: what the classifier will train on;
- privacy runs on every generated row: what the generator leaks, whether or not it was filtered.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset
from synthaug.validation.fidelity import cap_rows, detection_auc, sdmetrics_scores
from synthaug.validation.gate import evaluate_gates
from synthaug.validation.gx_runner import GXOutcome, run_expectations
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
    metrics: dict[str, float] = {"rows_in": float(n_in), "rows_failed": float(rows.row_failed.sum()),
                                 "validity_rate": 1.0 - float(rows.row_failed.mean()) if n_in else NAN,
                                 "copies": float(copies.sum())}
    if cfg.policy == "fail":
        _raise_if_blocking(rows, label, n_in)
    keep = ~rows.row_failed if cfg.policy == "filter" else np.ones(n_in, dtype=bool)
    kept = synthetic.take(np.flatnonzero(keep))
    metrics.update(rows_kept=float(len(kept)), rows_dropped=float(n_in - len(kept)))
    records = [*rows.records, *_policy_records(rows, cfg.policy, n_in, len(kept))]
    records += _distribution(suite, kept, cfg, label, workdir, metrics)
    metrics["seconds_gx"] = round(time.perf_counter() - start, 4)
    records += _fidelity(train, kept, cfg, seed, metrics)
    records += _privacy(train, synthetic, holdout, copies, cfg, seed, metrics)
    exp = [r for r in records if r["family"] == "expectation" and r["success"] is not None]
    metrics.update(expectations_evaluated=float(len(exp)),
                   expectations_failed=float(sum(r["success"] is False for r in exp)),
                   row_expectations_failed=float(sum(r["success"] is False and r.get("level") == "row"
                                                     for r in exp)))
    gate_records, failures = evaluate_gates(metrics, cfg.gate, generative)
    metrics["validation_seconds"] = round(time.perf_counter() - start, 4)
    return ValidationResult(kept=kept, n_in=n_in, records=records + gate_records, metrics=metrics,
                            gate_failures=failures)


def suite_label(workdir: Path | None) -> str:
    """Unique, readable suite name per sampled set: the workdir path below `cells/`."""
    if workdir is None:
        return "synthetic"
    parts = Path(workdir).parts
    tail = parts[parts.index("cells") + 1:] if "cells" in parts else parts[-1:]
    return "-".join(tail) or "synthetic"


def _raise_if_blocking(rows: GXOutcome, label: str, n_in: int) -> None:
    """Policy `fail`: any failed row-level or table-level expectation stops the run, listed."""
    bad = [r for r in rows.records if r["success"] is False]
    if bad:
        lines = [f"{r['check']}: {r['unexpected']} of {n_in} rows ({r['detail']})" for r in bad]
        raise ValidationFailed(f"synthetic set {label!r} failed {len(bad)} expectation(s) under policy "
                               "'fail':\n  " + "\n  ".join(lines))


def _policy_records(rows: GXOutcome, policy: str, n_in: int, n_kept: int) -> list[dict[str, Any]]:
    """One record with the policy's effect, so the report reads rows dropped without recounting."""
    detail = {"filter": f"dropped {n_in - n_kept} of {n_in} rows failing row-level expectations",
              "warn": f"kept all {n_in} rows; {int(rows.row_failed.sum())} fail row-level expectations",
              "fail": "no row-level expectation failed"}[policy]
    if n_in == 0:
        detail = "empty synthetic set: nothing to validate (validity n/a)"
    return [_rec(f"policy:{policy}", "policy", n_in > 0 or None, float(n_kept), None, detail,
                 unexpected=n_in - n_kept)]


def _distribution(suite: TabularSuite, kept: Dataset, cfg: ValidationConfig, label: str,
                  workdir: Path | None, metrics: dict[str, float]) -> list[dict[str, Any]]:
    """Aggregate expectations on the kept rows; they never drop rows, they feed the gate."""
    if not suite.distribution:
        metrics["aggregate_failed"] = 0.0
        return []
    if len(kept) == 0:
        metrics["aggregate_failed"] = NAN
        return [_rec("distribution", "expectation", None, None, None, "not applicable: no rows kept")]
    out = run_expectations(kept.frame(), suite.distribution, f"{label}.distribution", workdir)
    metrics["aggregate_failed"] = float(len(out.failed_checks))
    return out.records


def _fidelity(train: Dataset, kept: Dataset, cfg: ValidationConfig, seed: int,
              metrics: dict[str, float]) -> list[dict[str, Any]]:
    """SDMetrics reports and the detection test on the kept rows (n/a when too few remain)."""
    keys = ("quality_score", "column_shapes", "column_pair_trends", "diagnostic_score", "detection_auc")
    metrics.update(dict.fromkeys(keys, NAN))
    if not cfg.fidelity:
        return []
    start = time.perf_counter()
    if len(kept) < 2:
        metrics["seconds_fidelity"] = 0.0
        return [_rec("fidelity", "fidelity", None, None, None, f"not applicable: {len(kept)} rows kept")]
    rng = np.random.default_rng(seed)
    real = cap_rows(train.frame(), cfg.max_fidelity_rows, rng)
    synth = cap_rows(kept.frame().reindex(columns=real.columns), cfg.max_fidelity_rows, rng)
    kinds = _kinds(train)
    scores, note = sdmetrics_scores(real, synth, kinds, train.target, cfg.max_fidelity_columns)
    metrics.update(scores)
    metrics["detection_auc"] = detection_auc(real, synth, kinds, train.target, cfg.detection_folds, seed)
    metrics["seconds_fidelity"] = round(time.perf_counter() - start, 4)
    n = f"{len(real)} real vs {len(synth)} synthetic rows"
    return [
        _rec("quality_score", "fidelity", None, metrics["quality_score"], None, f"SDMetrics QualityReport; {note}"),
        _rec("diagnostic_score", "fidelity", None, metrics["diagnostic_score"], None, "SDMetrics DiagnosticReport"),
        _rec("detection_auc", "fidelity", None, metrics["detection_auc"], 0.5,
             f"{cfg.detection_folds}-fold CV ROC AUC, gradient boosting, {n}; 0.5 = indistinguishable"),
    ]


def _privacy(train: Dataset, synthetic: Dataset, holdout: Dataset, copies: np.ndarray, cfg: ValidationConfig,
             seed: int, metrics: dict[str, float]) -> list[dict[str, Any]]:
    """Exact copies and DCR of every generated row; checks, not a privacy guarantee."""
    keys = ("copy_rate", "dcr_synthetic", "dcr_holdout", "dcr_ratio", "dcr_closer_share")
    metrics.update(dict.fromkeys(keys, NAN))
    if not cfg.privacy:
        return []
    start = time.perf_counter()
    if len(synthetic) == 0:
        metrics["seconds_privacy"] = 0.0
        return [_rec("privacy", "privacy", None, None, None, "not applicable: empty synthetic set")]
    metrics["copy_rate"] = float(copies.mean())
    kinds = {**_kinds(train), train.target: "categorical"}
    columns = train.frame().columns
    metrics.update(dcr_summary(train.frame(), synthetic.frame().reindex(columns=columns),
                               _frame_or_empty(holdout, train).reindex(columns=columns),
                               kinds, cfg.max_fidelity_rows, seed))
    metrics["seconds_privacy"] = round(time.perf_counter() - start, 4)
    check = "a check, not a privacy guarantee"
    return [
        _rec("copy_rate", "privacy", None, metrics["copy_rate"], None,
             f"{int(copies.sum())} of {len(copies)} synthetic rows equal a training row; {check}"),
        _rec("dcr_synthetic", "privacy", None, metrics["dcr_synthetic"], None,
             "median Gower distance synthetic -> closest training row"),
        _rec("dcr_holdout", "privacy", None, metrics["dcr_holdout"], None,
             "median Gower distance held-out real -> closest training row (reference)"),
        _rec("dcr_ratio", "privacy", None, metrics["dcr_ratio"], 1.0,
             f"dcr_synthetic / dcr_holdout; below 1 = closer to training rows than unseen real rows; {check}"),
    ]


def _kinds(train: Dataset) -> dict[str, str]:
    """Column kinds of the features actually present (identifier columns were dropped at load)."""
    return {c: k for c, k in train.columns.items() if c in train.X.columns}


def _frame_or_empty(holdout: Dataset | None, train: Dataset) -> pd.DataFrame:
    if holdout is None or len(holdout) == 0:
        return train.frame().iloc[:0]
    return holdout.frame()


def _rec(check: str, family: str, success: bool | None, observed: float | None, threshold: float | None,
         detail: str, unexpected: int = 0, column: str = "") -> dict[str, Any]:
    if observed is not None and isinstance(observed, float) and math.isnan(observed):
        observed = None
    return {"check": check, "family": family, "column": column, "success": success, "observed": observed,
            "threshold": threshold, "unexpected": int(unexpected), "detail": detail}
