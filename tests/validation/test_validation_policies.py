"""Suite, policies and row filtering on planted violations (real Great Expectations, no mocks)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from validation_data import draw_people, jittered_copy, with_rows

from synthaug.config import GateConfig, ValidationConfig
from synthaug.validation import ValidationFailed, validate_synthetic
from synthaug.validation.gx_runner import run_expectations

FAST = {"fidelity": False, "privacy": False}


def planted(train):
    """Valid jittered rows with 3 out-of-range ages, 2 unseen colours, 4 null incomes, 5 training copies."""
    synth = jittered_copy(train)
    X, y = synth.X.copy(), synth.y.copy()
    X.loc[0:2, "age"] = [500.0, -3.0, 999.0]
    X.loc[3:4, "color"] = "purple"
    X.loc[5:8, "income"] = np.nan
    src = train.X.reset_index(drop=True)
    X.loc[9:13] = src.loc[20:24].to_numpy()
    y[9:14] = train.y[20:25]
    return with_rows(train, X, y)


def by_check(result):
    return {r.check: r for r in result.checks}


def test_planted_violations_are_caught_and_filtered_with_counts(people):
    # Setup
    train, holdout = people
    synth = planted(train)
    # Run
    res = validate_synthetic(train, synth, holdout, ValidationConfig(policy="filter", **FAST), True, 0)
    # Assert
    checks = by_check(res)
    assert checks["expect_column_values_to_be_between[age]"].unexpected == 3
    assert checks["expect_column_values_to_be_in_set[color]"].unexpected == 2
    assert checks["expect_column_values_to_not_be_null[income]"].unexpected == 4
    assert checks["expect_column_values_to_be_in_set[_copy_of_training_row]"].unexpected == 5
    assert res.n_in == 300 and res.n_dropped == 14 and len(res.kept) == 286
    assert res.metrics["validity_rate"] == pytest.approx(286 / 300)
    kept = res.kept.X
    assert kept["age"].between(train.X["age"].min(), train.X["age"].max()).all()
    assert "purple" not in set(kept["color"]) and kept["income"].notna().all()
    assert not set(range(14)) & set(kept.index)  # the planted rows are exactly the ones dropped


def test_passing_mostly_expectation_removes_no_rows(people):
    # Setup: city is null in ~10% of training rows; the synthetic rows keep that rate
    train, holdout = people
    synth = jittered_copy(train)
    # Run
    res = validate_synthetic(train, synth, holdout, ValidationConfig(**FAST), True, 0)
    # Assert
    rec = by_check(res)["expect_column_values_to_not_be_null[city]"]
    assert rec.level == "aggregate" and rec.success is True
    assert rec.unexpected == int(train.X["city"].isna().sum()) > 0
    assert res.n_dropped == 0 and res.metrics["validity_rate"] == 1.0


def test_failing_aggregate_expectation_feeds_gate_not_filter(people):
    # Setup: half the cities missing breaks the null-fraction (mostly) rule, an aggregate
    train, holdout = people
    synth = jittered_copy(train)
    synth.X.loc[: len(synth) // 2, "city"] = np.nan
    cfg = ValidationConfig(gate=GateConfig(max_aggregate_failures=0), **FAST)
    # Run
    res = validate_synthetic(train, synth, holdout, cfg, True, 0)
    # Assert
    assert by_check(res)["expect_column_values_to_not_be_null[city]"].success is False
    assert res.n_dropped == 0
    assert res.metrics["aggregate_failed"] >= 1
    assert any("max_aggregate_failures" in f for f in res.gate_failures)


def test_policy_warn_keeps_every_row_but_records_failures(people):
    # Setup
    train, holdout = people
    # Run
    res = validate_synthetic(train, planted(train), holdout, ValidationConfig(policy="warn", **FAST), True, 0)
    # Assert
    assert len(res.kept) == 300 and res.n_dropped == 0
    assert res.metrics["rows_failed"] == 14
    assert by_check(res)["policy:warn"].detail.startswith("kept all 300 rows; 14 fail")


def test_policy_fail_raises_listing_failed_expectations(people):
    # Setup
    train, holdout = people
    # Run
    with pytest.raises(ValidationFailed) as err:
        validate_synthetic(train, planted(train), holdout, ValidationConfig(policy="fail", **FAST), True, 0)
    # Assert
    msg = str(err.value)
    assert "expect_column_values_to_be_between[age]: 3 of 300 rows" in msg
    assert "expect_column_values_to_be_in_set[color]: 2 of 300 rows" in msg


def test_policy_fail_passes_clean_set(people):
    # Setup
    train, holdout = people
    # Run
    res = validate_synthetic(train, jittered_copy(train), holdout, ValidationConfig(policy="fail", **FAST), True, 0)
    # Assert
    assert len(res.kept) == 300 and res.metrics["row_expectations_failed"] == 0


def test_empty_synthetic_set_is_recorded_not_crashing(people):
    # Setup
    train, holdout = people
    empty = with_rows(train, train.X.iloc[:0], train.y[:0])
    cfg = ValidationConfig(gate=GateConfig(min_validity=0.9, max_detection_auc=0.8))
    # Run
    res = validate_synthetic(train, empty, holdout, cfg, True, 0)
    # Assert
    assert len(res.kept) == 0 and res.n_in == 0
    assert math.isnan(res.metrics["validity_rate"]) and math.isnan(res.metrics["detection_auc"])
    checks = by_check(res)
    assert "empty synthetic set" in checks["policy:filter"].detail
    assert checks["gate:min_validity"].success is None
    assert "not assessable" in checks["gate:min_validity"].detail
    assert res.gate_failures == []


def test_all_rows_invalid_leaves_empty_kept_set_and_fails_validity_gate(people):
    # Setup
    train, holdout = people
    synth = jittered_copy(train)
    synth.X["age"] = 1000.0
    cfg = ValidationConfig(gate=GateConfig(min_validity=0.5))
    # Run
    res = validate_synthetic(train, synth, holdout, cfg, True, 0)
    # Assert
    assert len(res.kept) == 0 and res.metrics["validity_rate"] == 0.0
    assert res.gate_failures == ["gate min_validity failed: validity rate 0.000 is below the minimum 0.500 "
                                 "(short by 0.500)"]


def test_missing_column_fails_every_row(people):
    # Setup
    train, holdout = people
    synth = jittered_copy(train)
    synth = with_rows(train, synth.X.drop(columns=["hours"]), synth.y)
    # Run
    res = validate_synthetic(train, synth, holdout, ValidationConfig(**FAST), True, 0)
    # Assert
    assert by_check(res)["expect_table_columns_to_match_set"].success is False
    assert len(res.kept) == 0


def test_row_failures_align_with_positions_not_index_labels():
    # Setup
    import great_expectations as gx

    df = pd.DataFrame({"a": [1.0, 50.0, 2.0, 70.0]}, index=[10, 11, 12, 13])
    exps = [gx.expectations.ExpectColumnValuesToBeBetween(column="a", min_value=0, max_value=10),
            gx.expectations.ExpectColumnValuesToBeBetween(column="a", min_value=0, max_value=60, mostly=0.5)]
    # Run
    out = run_expectations(df, exps, "positions")
    # Assert
    assert out.row_failed.tolist() == [False, True, False, True]
    assert out.per_expectation_unexpected["expect_column_values_to_be_between[a]"] == 2
    assert {r.level for r in out.checks} == {"row", "aggregate"}


def test_suite_comes_from_training_rows_only(people):
    # Setup: a holdout with an unseen category must not widen the suite
    train, _ = people
    holdout = draw_people(50, seed=9)
    holdout.X.loc[0, "color"] = "teal"
    synth = with_rows(train, holdout.X.iloc[:1], holdout.y[:1])
    # Run
    res = validate_synthetic(train, synth, holdout, ValidationConfig(**FAST), True, 0)
    # Assert
    assert by_check(res)["expect_column_values_to_be_in_set[color]"].unexpected == 1


def test_missing_column_under_warn_still_scores_fidelity_and_privacy(people):
    # Setup: a generator that lost a column; warn keeps its rows, so every later check sees the gap
    train, holdout = people
    synth = jittered_copy(train)
    synth = with_rows(train, synth.X.drop(columns=["hours"]), synth.y)
    # Run
    res = validate_synthetic(train, synth, holdout, ValidationConfig(policy="warn"), True, 0)
    # Assert
    assert res.metrics["validity_rate"] == 0.0 and len(res.kept) == 300
    assert 0.0 <= res.metrics["detection_auc"] <= 1.0 and res.metrics["copy_rate"] == 0.0
