"""GX validation through `run_expectations`: the configuration memo changes speed, never outcomes."""

from __future__ import annotations

import contextlib

import numpy as np
from validation_data import draw_people

from synthaug.config import ValidationConfig
from synthaug.validation import gx_runner
from synthaug.validation.suite import build_suite


def test_configurations_built_once_give_the_same_records_and_failing_rows(monkeypatch):
    # Setup: a suite from real rows, and a frame that breaks row-level and aggregate expectations
    train = draw_people(300, seed=0)
    suite = build_suite(train, ValidationConfig(), copy_check=False)
    frame = draw_people(200, seed=1).frame()
    frame.loc[:19, "age"] = 500.0  # out of range
    frame.loc[20:29, "color"] = "purple"  # unseen category
    frame.loc[30:, "income"] = frame["income"].iloc[30:] * 3  # a shifted distribution
    # Run: with the memo, then with GX's own property (the memo's context replaced by a no-op)
    memo_rows = gx_runner.run_expectations(frame, suite.rows, "t.rows")
    memo_dist = gx_runner.run_expectations(frame, suite.distribution, "t.distribution")
    monkeypatch.setattr(gx_runner, "_configurations_built_once", contextlib.nullcontext)
    plain_rows = gx_runner.run_expectations(frame, suite.rows, "t.rows")
    plain_dist = gx_runner.run_expectations(frame, suite.distribution, "t.distribution")
    # Assert: something failed (the comparison means something), and everything is identical
    assert memo_rows.row_failed.sum() >= 30 and memo_dist.failed_checks
    assert np.array_equal(memo_rows.row_failed, plain_rows.row_failed)
    assert memo_rows.checks == plain_rows.checks and memo_dist.checks == plain_dist.checks


def test_gx_property_is_restored_after_a_validation():
    # Setup
    from great_expectations.expectations.expectation import Expectation

    before = Expectation.__dict__["configuration"]
    train = draw_people(50, seed=0)
    suite = build_suite(train, ValidationConfig(), copy_check=False)
    # Run
    gx_runner.run_expectations(train.frame(), suite.rows, "t.rows")
    # Assert
    assert Expectation.__dict__["configuration"] is before
