"""Report figures reused by content: same inputs and drawing code, the stored PNG; anything else, a drawing."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from synthaug.reporting import figures
from synthaug.reporting.figure_cache import figure_store
from synthaug.store import cache_info


def summary(gain: float = 0.02) -> pd.DataFrame:
    return pd.DataFrame({"generator": ["ctgan", "ctgan", "smote", "smote"],
                         "classifier": ["svm", "lda", "svm", "lda"],
                         "gain_mean": [gain, -0.01, 0.0, 0.03], "ci_low": [-0.01, -0.03, -0.02, 0.01],
                         "ci_high": [0.05, 0.01, 0.02, 0.05], "verdict": ["inconclusive", "inconclusive",
                                                                          "inconclusive", "helps"]})


def no_drawing(*args, **kwargs):
    raise AssertionError("drew a figure that was stored")


def test_same_inputs_reuse_the_stored_png_and_new_inputs_draw(tmp_path: Path, monkeypatch) -> None:
    # Setup
    cache = tmp_path / "cache"
    with figure_store(cache):
        first = figures.gain_heatmap(summary(), tmp_path / "a" / "heat.png", "gain")
        # Run: the same inputs again, with drawing made impossible
        with monkeypatch.context() as m:
            m.setattr(plt, "subplots", no_drawing)
            second = figures.gain_heatmap(summary(), tmp_path / "b" / "heat.png", "gain")
        changed = figures.gain_heatmap(summary(0.04), tmp_path / "c" / "heat.png", "gain")
    # Assert
    assert second.read_bytes() == first.read_bytes()
    assert changed.read_bytes() != first.read_bytes()
    assert cache_info(cache)["figures/v1"]["entries"] == 2


def test_a_damaged_entry_is_drawn_again_and_no_store_draws_every_time(tmp_path: Path) -> None:
    # Setup
    cache = tmp_path / "cache"
    with figure_store(cache):
        first = figures.gain_heatmap(summary(), tmp_path / "a.png", "gain")
    entry = next((cache / "figures" / "v1").iterdir())
    (entry / "figure.png").write_bytes(b"not a png")
    # Run
    with figure_store(cache):
        redrawn = figures.gain_heatmap(summary(), tmp_path / "b.png", "gain")
    with figure_store(None):
        figures.gain_heatmap(summary(0.5), tmp_path / "c.png", "gain")
    # Assert: the damaged entry failed its checksums and was replaced; nothing stored without a store
    assert redrawn.read_bytes() == first.read_bytes() == (entry / "figure.png").read_bytes()
    assert json.loads((entry / "checksums.json").read_text())
    assert cache_info(cache)["figures/v1"]["entries"] == 1


@pytest.mark.parametrize("title", ["gain", "gain at fraction 0.5"])
def test_every_input_is_part_of_the_key(tmp_path: Path, title: str) -> None:
    with figure_store(tmp_path / "cache"):
        figures.gain_heatmap(summary(), tmp_path / "x.png", "gain")
        out = figures.gain_heatmap(summary(), tmp_path / "y.png", title)
    assert (out.read_bytes() == (tmp_path / "x.png").read_bytes()) == (title == "gain")
