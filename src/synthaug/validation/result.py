"""What validating one synthetic set returns to the runner, whatever the data kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from synthaug.data.dataset import Dataset


class ValidationFailed(RuntimeError):
    """Raised under `validation.policy: fail`; the message lists the failed expectations."""


@dataclass
class ValidationResult:
    """`kept` is the synthetic set after the policy; `records` become rows of validation.parquet.

    Each record is a flat dict with at least: check (name), family ("expectation", "policy",
    "fidelity", "privacy", "gate", "image"), column (or ""), success (bool or None when not
    applicable), observed (float or None), threshold (float or None), unexpected (int rows failing,
    0 when n/a), detail (short text). Expectation records add `expectation` (GX type), `level`
    ("row": may drop rows; "aggregate": feeds the gate only) and `suite` (the GX suite name).
    `metrics` holds the headline numbers (validity_rate, detection_auc, copy_rate, dcr_ratio,
    quality_score, ...); `gate_failures` are human sentences naming the gate and by how much.
    """

    kept: Dataset
    n_in: int
    records: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    gate_failures: list[str] = field(default_factory=list)

    @property
    def n_dropped(self) -> int:
        return self.n_in - len(self.kept)

    @property
    def gated(self) -> bool:
        return bool(self.gate_failures)
