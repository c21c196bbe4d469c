"""The report's validation section, built from real validation results of two generators."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from validation_data import jittered_copy, with_rows

from synthaug.config import ExperimentConfig
from synthaug.reporting.validation_section import validation_section
from synthaug.validation import validate_synthetic


def run_context(people, tmp_path, kind: str = "tabular") -> SimpleNamespace:
    """Validate a good set (gaussian_copula) and a verbatim copy (copycat, plus a smote baseline)."""
    train, holdout = people
    cfg = ExperimentConfig.model_validate({
        "dataset": {"source": "x.csv", "target": "label", "kind": kind},
        "validation": {"gate": {"max_copy_rate": 0.05}, "fidelity": False},
    })
    sets = {"gaussian_copula": (jittered_copy(train), True),
            "copycat": (with_rows(train, train.X, train.y), True),
            "smote": (with_rows(train, train.X, train.y), False)}
    cells, records = [], []
    for gen, (synth, generative) in sets.items():
        res = validate_synthetic(train, synth, holdout, cfg.validation, generative, 0,
                                 tmp_path / "cells" / f"r0-{gen}" / "x1-match")
        tag = {"repeat": 0, "fraction": 1.0, "generator": gen, "ratio": 1.0, "strategy": "match",
               "cell_id": f"r0-{gen}"}
        records += [{**tag, **r} for r in res.records]
        cells.append({**tag, "generative": generative, "n_requested": res.n_in, "n_achieved": res.n_in,
                      "n_kept": len(res.kept), "gated": res.gated and generative,
                      "gate_failures": "; ".join(res.gate_failures), **res.metrics})
    return SimpleNamespace(run_dir=tmp_path, config=cfg, validation=pd.DataFrame(records),
                           cells=pd.DataFrame(cells), datadocs_index=tmp_path / "datadocs" / "index.html")


def test_section_has_a_table_per_generator_gate_decisions_and_docs_link(people, tmp_path):
    # Setup
    ctx = run_context(people, tmp_path)
    # Run
    title, md = validation_section(ctx)
    # Assert
    assert title == "Validation, fidelity and privacy"
    for gen in ("**gaussian_copula**", "**copycat**", "**smote** (oversampling baseline"):
        assert gen in md
    assert md.count("| fraction | ratio | strategy | sets | expectations passed/failed |") == 3
    assert "[Great Expectations Data Docs](datadocs/index.html)" in md
    assert "copycat (repeat 0, fraction 1.0, ratio 1.0, strategy match): gate max_copy_rate failed" in md
    assert "smote (" not in md.split("**Gate decisions**")[1]  # baselines are never gated
    assert "not a privacy guarantee" in md
    assert "FAILED in 1/1" in md and "| n/a |" in md


def test_section_reads_success_flags_back_from_parquet(people, tmp_path):
    # Setup: validation.parquet holds the True/False/None mix as a nullable boolean column
    ctx = run_context(people, tmp_path)
    path = tmp_path / "validation.parquet"
    ctx.validation.assign(success=ctx.validation["success"].astype("boolean")).to_parquet(path)
    ctx.validation = pd.read_parquet(path)
    # Run
    _, md = validation_section(ctx)
    # Assert
    assert str(ctx.validation["success"].dtype) == "boolean"
    assert "| 1 | 1 | match | 1 | 15/1 |" in md
    assert "`expect_column_values_to_be_in_set[_copy_of_training_row]` failed in 1 set(s)" in md


def test_records_keep_success_a_bool_and_gx_keys_on_expectations_only(people, tmp_path):
    # Setup / Run
    rows = run_context(people, tmp_path).validation
    # Assert: the record keys validation.parquet is written with
    assert list(rows.columns[:8]) == ["repeat", "fraction", "generator", "ratio", "strategy", "cell_id", "check",
                                      "family"]
    assert {"column", "success", "observed", "threshold", "unexpected", "detail", "expectation", "level",
            "suite"} <= set(rows.columns)
    assert {type(v) for v in rows["success"]} <= {bool, type(None)}
    assert rows.loc[rows["family"] != "expectation", "level"].isna().all()
    assert set(rows["level"].dropna()) == {"row", "aggregate"}


def test_section_for_image_runs_does_not_show_tabular_checks_as_failures(people, tmp_path):
    # Setup: an image run whose records hold image checks only
    ctx = run_context(people, tmp_path, kind="images")
    ctx.validation = pd.DataFrame([{"generator": "vae", "check": "pixel_range", "family": "image",
                                    "success": True, "observed": 1.0}])
    # Run
    _, md = validation_section(ctx)
    # Assert
    assert "tabular checks (column suite, SDMetrics reports, Gower DCR) do not apply" in md
    assert "| vae | pixel_range | 1 | 1 | 0 |" in md
    assert "expect_column" not in md


def test_section_is_skipped_without_sampled_sets(tmp_path):
    # Setup
    cfg = ExperimentConfig.model_validate({"dataset": {"source": "breast_cancer"}})
    ctx = SimpleNamespace(run_dir=tmp_path, config=cfg, validation=pd.DataFrame(), cells=pd.DataFrame(),
                          datadocs_index=None)
    # Run / Assert
    assert validation_section(ctx) is None
