"""Quality gate: thresholds on the headline metrics, for generative models only.

Oversampling baselines copy or interpolate real rows by design, so their gates are recorded as not
applicable instead of failed. A gated set is still used and scored; the report flags it and the
recommendations leave it out.
"""

from __future__ import annotations

import math

from synthaug.config import GateConfig
from synthaug.validation.checks import (
    AGGREGATE_FAILED,
    COPY_RATE,
    DCR_RATIO,
    DETECTION_AUC,
    GATE,
    QUALITY_SCORE,
    VALIDITY_RATE,
    CheckRecord,
    gate_check,
)

NOT_APPLICABLE = "not applicable: oversampling baseline (copies or interpolates real rows by design)"
# gate field -> (metric key, "min" or "max", words for the sentence)
GATES: dict[str, tuple[str, str, str]] = {
    "min_validity": (VALIDITY_RATE, "min", "validity rate"),
    "max_detection_auc": (DETECTION_AUC, "max", "detection AUC"),
    "max_copy_rate": (COPY_RATE, "max", "exact-copy rate"),
    "min_dcr_ratio": (DCR_RATIO, "min", "DCR ratio (synthetic/holdout)"),
    "min_quality": (QUALITY_SCORE, "min", "SDMetrics quality score"),
    "max_aggregate_failures": (AGGREGATE_FAILED, "max", "failed distribution expectations"),
}


def evaluate_gates(metrics: dict[str, float], gate: GateConfig, generative: bool
                   ) -> tuple[list[CheckRecord], list[str]]:
    """One record per configured gate, and a sentence per failed gate naming value and threshold."""
    records: list[CheckRecord] = []
    failures: list[str] = []
    configured = {name: getattr(gate, name) for name in GATES if getattr(gate, name) is not None}
    if not configured:
        return [CheckRecord(GATE, GATE, detail="no gate configured")], []
    for name, threshold in configured.items():
        key, side, words = GATES[name]
        value = metrics.get(key, float("nan"))
        observed = None if value is None or math.isnan(value) else float(value)
        check = gate_check(name)
        if not generative:
            records.append(CheckRecord(check, GATE, None, observed, threshold, NOT_APPLICABLE))
            continue
        if observed is None:
            records.append(CheckRecord(check, GATE, None, None, threshold, f"not assessable: {words} is n/a"))
            continue
        ok = observed >= threshold if side == "min" else observed <= threshold
        records.append(CheckRecord(check, GATE, ok, observed, threshold, f"{words} {observed:.3f}"))
        if not ok:
            failures.append(_sentence(name, words, side, observed, float(threshold)))
    return records, failures


def _sentence(name: str, words: str, side: str, observed: float, threshold: float) -> str:
    if side == "min":
        return (f"gate {name} failed: {words} {observed:.3f} is below the minimum {threshold:.3f} "
                f"(short by {threshold - observed:.3f})")
    return (f"gate {name} failed: {words} {observed:.3f} exceeds the maximum {threshold:.3f} "
            f"(over by {observed - threshold:.3f})")
