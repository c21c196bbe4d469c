"""The names of validation checks and set metrics, and `CheckRecord`, the one row every check writes.

Why one module: the validators (tabular, images, gate), the GX runner and the report sections all
write or read these names, and validation.parquet / sets.parquet are keyed by them: a name spelt
twice is a column that silently goes missing from the report. A metric that also gets a record of
its own (detection AUC, copy rate, ...) uses its metric name as the check name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# --- families: the `family` column of validation.parquet --------------------------------------------
EXPECTATION = "expectation"  # a Great Expectations result (row-level or aggregate)
POLICY = "policy"  # what the policy did with the rows
FIDELITY = "fidelity"
PRIVACY = "privacy"
GATE = "gate"  # also the check name of the single "no gate configured" record
IMAGE = "image"  # image-only evidence (the sample grid)

# --- expectation levels: the `level` column ---------------------------------------------------------
ROW = "row"  # per-row map expectation without `mostly`: the only kind that may drop rows
AGGREGATE = "aggregate"  # feeds the gate, never the row filter

# --- set metrics: keys of `ValidationResult.metrics`, which become columns of sets.parquet ----------
ROWS_IN, ROWS_FAILED, ROWS_KEPT, ROWS_DROPPED = "rows_in", "rows_failed", "rows_kept", "rows_dropped"
VALIDITY_RATE = "validity_rate"  # share of generated rows passing every row-level check
COPIES = "copies"  # generated rows equal to a training row (count)
AGGREGATE_FAILED = "aggregate_failed"  # failed distribution (aggregate) expectations
EXPECTATIONS_EVALUATED = "expectations_evaluated"
EXPECTATIONS_FAILED = "expectations_failed"
ROW_EXPECTATIONS_FAILED = "row_expectations_failed"
QUALITY_SCORE, DIAGNOSTIC_SCORE = "quality_score", "diagnostic_score"  # SDMetrics reports
COLUMN_SHAPES, COLUMN_PAIR_TRENDS = "column_shapes", "column_pair_trends"  # QualityReport properties
DETECTION_AUC = "detection_auc"  # real vs synthetic classifier; 0.5 = indistinguishable
COPY_RATE = "copy_rate"
DCR_SYNTHETIC, DCR_HOLDOUT, DCR_RATIO = "dcr_synthetic", "dcr_holdout", "dcr_ratio"
DCR_CLOSER_SHARE = "dcr_closer_share"
AGREEMENT, CNN_TEST_ACCURACY = "agreement", "cnn_test_accuracy"
FRECHET, FRECHET_REAL_REFERENCE = "frechet", "frechet_real_reference"
DIVERSITY_RATIO = "diversity_ratio"
NN_DISTANCE_SYNTHETIC, NN_DISTANCE_TEST = "nn_distance_synthetic", "nn_distance_test"
MEMORISATION_RATIO, CLOSER_THAN_TEST_SHARE = "memorisation_ratio", "closer_than_test_share"
SECONDS_GX, SECONDS_FIDELITY, SECONDS_PRIVACY = "seconds_gx", "seconds_fidelity", "seconds_privacy"
VALIDATION_SECONDS = "validation_seconds"

# Every metric a family may set, so a switched-off or not-applicable check still writes NaN columns.
TABULAR_FIDELITY = (QUALITY_SCORE, COLUMN_SHAPES, COLUMN_PAIR_TRENDS, DIAGNOSTIC_SCORE, DETECTION_AUC)
TABULAR_PRIVACY = (COPY_RATE, DCR_SYNTHETIC, DCR_HOLDOUT, DCR_RATIO, DCR_CLOSER_SHARE)
IMAGE_FIDELITY = (AGREEMENT, CNN_TEST_ACCURACY, FRECHET, FRECHET_REAL_REFERENCE, DETECTION_AUC, DIVERSITY_RATIO)
IMAGE_PRIVACY = (NN_DISTANCE_SYNTHETIC, NN_DISTANCE_TEST, MEMORISATION_RATIO, DCR_RATIO, COPY_RATE,
                 CLOSER_THAN_TEST_SHARE)

# --- check names of records that are not a metric ---------------------------------------------------
DISTRIBUTION = "distribution"  # "not applicable" stand-in for the aggregate expectations
SAMPLE_GRID = "sample_grid"  # image runs: the saved grid (detail holds its path)


def policy_check(policy: str) -> str:
    """`policy:filter`: the record of what the configured policy did."""
    return f"policy:{policy}"


def gate_check(gate_field: str) -> str:
    """`gate:max_copy_rate`: one record per configured gate, named by its `GateConfig` field."""
    return f"gate:{gate_field}"


def expectation_check(expectation_type: str, column: str) -> str:
    """`expect_column_values_to_be_in_set[color]`: GX type and column (type alone for table checks)."""
    return f"{expectation_type}[{column}]" if column else expectation_type


@dataclass(frozen=True)
class CheckRecord:
    """One row of validation.parquet, before the runner adds where the set came from.

    `success` is True/False for pass-fail checks and None where it does not apply (a measurement, a
    baseline's gate, an empty set); it stays a bool, never text. `observed` NaN is stored as None.
    `expectation`, `level` and `suite` belong to GX records only and are left out of other rows.
    """

    check: str
    family: str
    success: bool | None = None
    observed: float | None = None
    threshold: float | None = None
    detail: str = ""
    unexpected: int = 0  # rows failing (0 where not applicable)
    column: str = ""
    expectation: str | None = None  # GX expectation type
    level: str | None = None  # ROW or AGGREGATE
    suite: str | None = None  # GX suite name

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "success", None if self.success is None else bool(self.success))
        set_(self, "observed", _float_or_none(self.observed))
        set_(self, "threshold", _float_or_none(self.threshold))
        set_(self, "unexpected", int(self.unexpected))
        set_(self, "detail", str(self.detail))

    def as_row(self) -> dict[str, Any]:
        """The row as written: the eight common keys, plus the GX keys on expectation records."""
        row = {k: getattr(self, k) for k in _COMMON}
        if self.expectation is not None:
            row.update(expectation=self.expectation, level=self.level, suite=self.suite)
        return row


_COMMON = ("check", "family", "column", "success", "observed", "threshold", "unexpected", "detail")


def _float_or_none(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value
