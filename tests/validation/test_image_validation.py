"""validate_images: planted blank / NaN / out-of-range images are caught; policies; fidelity metrics."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from synthaug.config import ValidationConfig
from synthaug.validation.image_fidelity import frechet_distance
from synthaug.validation.image_privacy import nearest_distance
from synthaug.validation.images import image_summary, validate_images
from synthaug.validation.result import ValidationFailed

KEYS = ("validity_rate", "rows_in", "rows_kept", "agreement", "cnn_test_accuracy", "frechet",
        "frechet_real_reference", "memorisation_ratio")


@pytest.fixture(scope="module")
def planted(digits_split):
    """Real test images posing as synthetic, with a blank, a NaN and an out-of-range image planted."""
    _, test = digits_split
    X = test.X[:60].copy()
    X[0] = 0.0
    X[1, 0, 3, 3] = np.nan
    X[2, 0, 0, 0] = 1.7
    return replace(test.take(np.arange(60)), X=X)


def test_summary_flags_planted_rows(planted):
    s = image_summary(planted.X, planted.y)
    assert s.loc[0, "pixel_std"] == 0.0 and s.loc[1, "nonfinite_pixels"] == 1
    assert s.loc[2, "pixel_max"] == pytest.approx(1.7)


def test_filter_drops_planted_images(digits_split, planted, tmp_path):
    train, test = digits_split
    cfg = ValidationConfig(policy="filter", gate={"min_validity": 0.99})
    res = validate_images(train, planted, test, cfg, generative=True, seed=0, workdir=tmp_path / "cells" / "c1")
    assert res.n_in == 60 and len(res.kept) == 57
    assert np.isfinite(res.kept.X).all() and res.kept.X.max() <= 1.0
    for key in KEYS:
        assert key in res.metrics
    assert res.metrics["validity_rate"] == pytest.approx(57 / 60)
    assert res.metrics["agreement"] > 0.5 and res.metrics["cnn_test_accuracy"] > 0.5
    failed = {r.check for r in res.checks if r.family == "expectation" and r.success is False}
    assert {"expect_column_values_to_be_between[pixel_std]", "expect_column_values_to_be_between[pixel_max]",
            "expect_column_values_to_be_between[nonfinite_pixels]"} <= failed
    assert res.gated and "validity rate" in res.gate_failures[0]
    assert (tmp_path / "cells" / "c1" / "samples.png").stat().st_size > 0


def test_fail_and_warn_policies(digits_split, planted):
    train, test = digits_split
    with pytest.raises(ValidationFailed, match="pixel_std"):
        validate_images(train, planted, test, ValidationConfig(policy="fail"), True, 0, None)
    res = validate_images(train, planted, test, ValidationConfig(policy="warn", gate={"min_validity": 0.99}),
                          generative=False, seed=0, workdir=None)
    assert len(res.kept) == 60 and not res.gated  # baselines are never gated
    assert any(r.family == "gate" and r.success is None for r in res.checks)


def test_copies_are_memorised(digits_split):
    train, test = digits_split
    copies = train.take(np.arange(50))
    res = validate_images(train, copies, test, ValidationConfig(), True, 0, None)
    assert res.metrics["copy_rate"] == 1.0 and res.metrics["memorisation_ratio"] == 0.0
    assert len(res.kept) == 0  # drop_copies: exact copies from a generative model are invalid images
    kept = validate_images(train, copies, test, ValidationConfig(), False, 0, None).kept
    assert len(kept) == 50  # baselines copy by design


def test_distances():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(200, 4)), rng.normal(size=(200, 4))
    assert frechet_distance(a, b) < frechet_distance(a, b + 2.0)
    x = rng.random((5, 1, 4, 4)).astype(np.float32)
    assert np.allclose(nearest_distance(x, x), 0.0, atol=1e-3)
