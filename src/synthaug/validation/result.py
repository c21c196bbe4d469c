"""What validating one synthetic set returns to the runner, whatever the data kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from synthaug.data.dataset import Dataset
from synthaug.errors import ValidationFailed
from synthaug.validation.checks import CheckRecord

__all__ = ["ValidationFailed", "ValidationResult"]


@dataclass
class ValidationResult:
    """`kept` is the synthetic set after the policy; `checks` become rows of validation.parquet.

    Each check is a `CheckRecord` (see `validation.checks` for its fields, the family and check
    names); `records` gives them as the table's rows. `metrics` holds the headline numbers keyed by the
    metric names in `validation.checks` (validity_rate, detection_auc, copy_rate, dcr_ratio,
    quality_score, ...); `gate_failures` are human sentences naming the gate and by how much.
    """

    kept: Dataset
    n_in: int
    checks: list[CheckRecord] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    gate_failures: list[str] = field(default_factory=list)

    @property
    def n_dropped(self) -> int:
        """Rows (images) the policy removed."""
        return self.n_in - len(self.kept)

    @property
    def gated(self) -> bool:
        """A configured gate failed: the set is still scored, and left out of recommendations."""
        return bool(self.gate_failures)

    @property
    def records(self) -> list[dict[str, Any]]:
        """The checks as rows of validation.parquet (the runner adds the set's tags to each)."""
        return [c.as_row() for c in self.checks]
