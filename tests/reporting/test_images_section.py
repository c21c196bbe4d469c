"""The image report section: fidelity table per generator and relative links to the sample grids."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from synthaug.config import build_config
from synthaug.reporting.images_section import images_section


def _cells() -> pd.DataFrame:
    rows = []
    for gen in ("cvae", "smote"):
        for rep in (0, 1):
            rows.append({"repeat": rep, "fraction": 1.0, "generator": gen, "ratio": 1.0, "strategy": "match",
                         "cell_id": f"r{rep}-f1-{gen}", "agreement": 0.9 + rep / 100, "cnn_test_accuracy": 0.98,
                         "frechet": 5.0, "frechet_real_reference": 1.0, "memorisation_ratio": 0.8,
                         "validity_rate": 1.0})
    return pd.DataFrame(rows)


def test_images_section_links_grids_and_tabulates(tmp_path):
    grid = tmp_path / "cells" / "r0-f1-cvae" / "x1-match" / "samples.png"
    grid.parent.mkdir(parents=True)
    grid.write_bytes(b"\x89PNG fake")
    cfg = build_config({"dataset": {"source": "digits", "kind": "images"}})
    title, md = images_section(SimpleNamespace(run_dir=tmp_path, config=cfg, cells=_cells()))
    assert "Images" in title
    assert "](cells/r0-f1-cvae/x1-match/samples.png)" in md
    assert "**smote**: no sample grid was saved." in md
    assert "| cvae | 1 | 2 | 0.905 ± 0.007 | 0.980 ± 0.000 |" in md
    assert "Fréchet real↔real" in md and "memorisation ratio" in md


def test_images_section_skips_tabular_runs(tmp_path):
    cfg = build_config({"dataset": {"source": "iris"}})
    assert images_section({"run_dir": tmp_path, "config": cfg, "cells": _cells()}) is None
