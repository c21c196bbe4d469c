"""Quality gate: thresholds on the headline metrics, for generative models only.

Oversampling baselines copy or interpolate real rows by design, so their gates are recorded as not
applicable instead of failed. A gated set is still used and scored; the report flags it and the
recommendations leave it out.
"""

from __future__ import annotations

import math
from typing import Any

from synthaug.config import GateConfig

NOT_APPLICABLE = "not applicable: oversampling baseline (copies or interpolates real rows by design)"
# gate field -> (metric key, "min" or "max", words for the sentence)
GATES: dict[str, tuple[str, str, str]] = {
    "min_validity": ("validity_rate", "min", "validity rate"),
    "max_detection_auc": ("detection_auc", "max", "detection AUC"),
    "max_copy_rate": ("copy_rate", "max", "exact-copy rate"),
    "min_dcr_ratio": ("dcr_ratio", "min", "DCR ratio (synthetic/holdout)"),
    "min_quality": ("quality_score", "min", "SDMetrics quality score"),
    "max_aggregate_failures": ("aggregate_failed", "max", "failed distribution expectations"),
}


def evaluate_gates(metrics: dict[str, float], gate: GateConfig, generative: bool
                   ) -> tuple[list[dict[str, Any]], list[str]]:
    """One record per configured gate, and a sentence per failed gate naming value and threshold."""
    records: list[dict[str, Any]] = []
    failures: list[str] = []
    configured = {name: getattr(gate, name) for name in GATES if getattr(gate, name) is not None}
    if not configured:
        return [_record("gate", None, None, None, "no gate configured")], []
    for name, threshold in configured.items():
        key, side, words = GATES[name]
        value = metrics.get(key, float("nan"))
        observed = None if value is None or math.isnan(value) else float(value)
        if not generative:
            records.append(_record(f"gate:{name}", None, observed, threshold,
                                   NOT_APPLICABLE))
            continue
        if observed is None:
            records.append(_record(f"gate:{name}", None, None, threshold, f"not assessable: {words} is n/a"))
            continue
        ok = observed >= threshold if side == "min" else observed <= threshold
        records.append(_record(f"gate:{name}", ok, observed, threshold, f"{words} {observed:.3f}"))
        if not ok:
            failures.append(_sentence(name, words, side, observed, float(threshold)))
    return records, failures


def _sentence(name: str, words: str, side: str, observed: float, threshold: float) -> str:
    if side == "min":
        return (f"gate {name} failed: {words} {observed:.3f} is below the minimum {threshold:.3f} "
                f"(short by {threshold - observed:.3f})")
    return (f"gate {name} failed: {words} {observed:.3f} exceeds the maximum {threshold:.3f} "
            f"(over by {observed - threshold:.3f})")


def _record(check: str, success: bool | None, observed: float | None, threshold: float | None,
            detail: str) -> dict[str, Any]:
    return {"check": check, "family": "gate", "column": "", "success": success, "observed": observed,
            "threshold": None if threshold is None else float(threshold), "unexpected": 0, "detail": detail}
