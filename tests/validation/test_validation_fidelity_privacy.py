"""Fidelity (SDMetrics, detection), privacy (copies, DCR), gates and Data Docs on tiny real runs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from validation_data import draw_people, jittered_copy, with_rows

from synthaug.config import GateConfig, ValidationConfig
from synthaug.validation import build_data_docs, validate_synthetic
from synthaug.validation.datadocs import prune_static

PRIVACY_GATE = GateConfig(max_copy_rate=0.05, min_dcr_ratio=0.5)


def noise_like(train, seed: int):
    """Random noise in the training schema: standard normals and uniformly drawn categories and labels."""
    rng = np.random.default_rng(seed)
    n = len(train)
    X = pd.DataFrame({c: rng.normal(size=n) for c in ("age", "income", "hours")})
    X["color"] = rng.choice(["red", "green", "blue"], n).astype(object)
    X["city"] = rng.choice(["Oslo", "Lima", "Pune", "Kobe"], n).astype(object)
    return with_rows(train, X, rng.choice(["yes", "no"], n))


def test_verbatim_copy_scores_copy_rate_one_and_fails_privacy_gate(people):
    # Setup
    train, holdout = people
    copy = with_rows(train, train.X, train.y)
    # Run
    res = validate_synthetic(train, copy, holdout, ValidationConfig(gate=PRIVACY_GATE, fidelity=False), True, 0)
    # Assert
    assert res.metrics["copy_rate"] == 1.0
    assert res.metrics["dcr_synthetic"] == 0.0 and res.metrics["dcr_ratio"] == 0.0
    assert res.metrics["dcr_holdout"] > 0
    assert len(res.kept) == 0  # every row is a copy of a training row: filtered
    assert any(f.startswith("gate max_copy_rate failed: exact-copy rate 1.000 exceeds the maximum 0.050")
               for f in res.gate_failures)
    assert any(f.startswith("gate min_dcr_ratio failed") for f in res.gate_failures)
    assert res.gated


def test_oversampling_baseline_is_not_gated_and_keeps_copies(people):
    # Setup: random oversampling copies rows by design
    train, holdout = people
    copy = with_rows(train, train.X, train.y)
    # Run
    res = validate_synthetic(train, copy, holdout, ValidationConfig(gate=PRIVACY_GATE, fidelity=False), False, 0)
    # Assert
    assert res.metrics["copy_rate"] == 1.0
    assert len(res.kept) == len(train) and not res.gated
    gates = [r for r in res.checks if r.family == "gate"]
    assert gates and all(r.success is None and r.detail.startswith("not applicable") for r in gates)


def test_random_noise_is_detected(people):
    # Setup
    train, holdout = people
    # Run
    res = validate_synthetic(train, noise_like(train, 3), holdout, ValidationConfig(policy="warn"), True, 0)
    # Assert
    assert res.metrics["detection_auc"] > 0.95
    assert res.metrics["quality_score"] < 0.8


def test_held_out_real_sample_is_indistinguishable(people):
    # Setup: fresh real rows from the same process play the synthetic set
    train, holdout = people
    real = draw_people(300, seed=7)
    # Run
    res = validate_synthetic(train, real, holdout, ValidationConfig(policy="warn"), True, 0)
    # Assert
    assert abs(res.metrics["detection_auc"] - 0.5) < 0.1
    assert res.metrics["quality_score"] > 0.85 and res.metrics["diagnostic_score"] > 0.95
    assert 0.7 < res.metrics["dcr_ratio"] < 1.4  # as far from the training rows as unseen real rows
    assert res.metrics["copy_rate"] == 0.0


def test_results_are_reproducible_for_a_seed(people):
    # Setup
    train, holdout = people
    synth = draw_people(300, seed=8)
    # Run
    a = validate_synthetic(train, synth, holdout, ValidationConfig(), True, 5)
    b = validate_synthetic(train, synth, holdout, ValidationConfig(), True, 5)
    # Assert
    keys = ("detection_auc", "quality_score", "dcr_ratio", "validity_rate")
    assert [a.metrics[k] for k in keys] == [b.metrics[k] for k in keys]


def test_data_docs_are_built_from_saved_evidence(people, tmp_path):
    # Setup: two sampled sets write their evidence under cells/<cell>/<set>/
    train, holdout = people
    cfg = ValidationConfig(fidelity=False)
    for cell in ("r0-f1-gaussian_copula", "r0-f1-smote"):
        validate_synthetic(train, jittered_copy(train), holdout, cfg, cell.endswith("copula"), 0,
                           tmp_path / "cells" / cell / "x1-match")
    # Run
    index = build_data_docs(tmp_path)
    # Assert
    assert index == tmp_path / "datadocs" / "index.html" and index.is_file()
    pages = list((tmp_path / "datadocs" / "validations").rglob("*.html"))
    assert len(pages) == 4  # rows + distribution suite per set
    assert "r0-f1-smote-x1-match.rows" in index.read_text()
    # only what a page links stays under static/ (GX copies 4 MB of fonts and screenshots), and it resolves
    site = tmp_path / "datadocs"
    kept = sorted(p.relative_to(site).as_posix() for p in (site / "static").rglob("*") if p.is_file())
    assert kept == ["static/images/favicon.ico"]
    for link in re.findall(r'(?:href|src)="([^"#?:]+)"', index.read_text()):  # GX's own deeper pages
        assert (site / link).exists(), f"index.html links a missing {link}"      # miscount their ../ already


def test_prune_static_keeps_linked_files_only(tmp_path):
    # Setup: a site whose page links one stylesheet and one image, beside unlinked assets
    site = tmp_path / "site"
    for rel in ("static/styles/a.css", "static/images/logo.png", "static/images/big.gif", "static/fonts/X/f.otf"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(b"x")
    (site / "sub").mkdir()
    page = '<link href="../static/styles/a.css"><img src=\'../static/images/logo.png?v=1\'>'
    (site / "sub" / "p.html").write_text(page)
    # Run
    removed = prune_static(site)
    # Assert
    left = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert removed == 2 and left == ["static/images/logo.png", "static/styles/a.css", "sub/p.html"]
    assert not (site / "static" / "fonts").exists()


def test_data_docs_without_evidence_returns_none(tmp_path):
    # Setup / Run
    index = build_data_docs(tmp_path)
    # Assert
    assert index is None and not (tmp_path / "datadocs").exists()
