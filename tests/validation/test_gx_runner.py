"""GX validation through `run_expectations`: the speed-ups (configuration memo, fast JSON ids) change
speed, never outcomes."""

from __future__ import annotations

import contextlib
import json

import great_expectations.core.id_dict as id_dict
import great_expectations.util as gx_util
import numpy as np
from validation_data import draw_people

from synthaug.config import ValidationConfig
from synthaug.validation import gx_runner
from synthaug.validation.gx_speedups import fast_json_conversion
from synthaug.validation.suite import build_suite


def test_speedups_give_the_same_records_failing_rows_and_evidence(monkeypatch, tmp_path):
    # Setup: a suite from real rows, and a frame that breaks row-level and aggregate expectations
    train = draw_people(300, seed=0)
    suite = build_suite(train, ValidationConfig(), copy_check=False)
    frame = draw_people(200, seed=1).frame()
    frame.loc[:19, "age"] = 500.0  # out of range
    frame.loc[20:29, "color"] = "purple"  # unseen category
    frame.loc[30:, "income"] = frame["income"].iloc[30:] * 3  # a shifted distribution
    # Run: with the speed-ups, then with GX's own property and JSON conversion
    memo_rows = gx_runner.run_expectations(frame, suite.rows, "t.rows", tmp_path / "fast")
    memo_dist = gx_runner.run_expectations(frame, suite.distribution, "t.distribution")
    monkeypatch.setattr(gx_runner, "configurations_built_once", contextlib.nullcontext)
    monkeypatch.setattr(gx_runner, "domain_objects_built_once", contextlib.nullcontext)
    monkeypatch.setattr(gx_runner, "column_types_resolved_once", contextlib.nullcontext)
    monkeypatch.setattr(gx_runner, "fast_json_conversion", lambda: None)
    monkeypatch.setattr(gx_util, "convert_to_json_serializable", gx_util.convert_to_json_serializable.__wrapped__)
    monkeypatch.setattr(id_dict, "convert_to_json_serializable", gx_util.convert_to_json_serializable)
    plain_rows = gx_runner.run_expectations(frame, suite.rows, "t.rows", tmp_path / "plain")
    plain_dist = gx_runner.run_expectations(frame, suite.distribution, "t.distribution")
    # Assert: something failed (the comparison means something), and everything is identical
    assert memo_rows.row_failed.sum() >= 30 and memo_dist.failed_checks
    assert np.array_equal(memo_rows.row_failed, plain_rows.row_failed)
    assert memo_rows.checks == plain_rows.checks and memo_dist.checks == plain_dist.checks
    assert _evidence(memo_rows.evidence_path) == _evidence(plain_rows.evidence_path)


def _evidence(path) -> dict:
    doc = json.loads(path.read_text())
    doc["result"]["meta"].pop("run_id", None)  # when it ran, not what it found
    doc["result"]["meta"].pop("validation_time", None)
    doc["result"]["meta"].get("batch_markers", {}).pop("ge_load_time", None)
    return doc


def test_fast_json_conversion_returns_what_gx_returns(monkeypatch):
    # Setup: values of every kind GX hashes into metric ids, nested as in their kwargs
    import datetime as dt

    from great_expectations.core.id_dict import IDDict

    fast_json_conversion()
    values = [None, "a", 3, True, 2.5, float("nan"), np.int64(4), np.float32(0.1), np.bool_(False),
              dt.date(2026, 1, 2), [1, None, "x", (2, 3)], {"b": None, 1: [np.nan, 2]},
              IDDict({"column": "age", "row_condition": None, "batch_id": "b1"}), np.array([1.5, 2.0])]
    # Run / Assert: equal values and equal JSON text, item by item
    convert = gx_util.convert_to_json_serializable
    for value in values:
        fast, plain = convert(value), convert.__wrapped__(value)
        assert json.dumps(fast, sort_keys=True) == json.dumps(plain, sort_keys=True), value
    ids = IDDict({"column": "age", "min_value": 1.0, "max_value": None, "strict_min": False})
    fast_id = ids.to_id()
    monkeypatch.setattr(id_dict, "convert_to_json_serializable", gx_util.convert_to_json_serializable.__wrapped__)
    assert fast_id == ids.to_id() and len(fast_id) == 32  # the same metric id: GX's caches line up


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
