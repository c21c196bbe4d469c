"""The Prefect flow on the embedded API runs the same grid as the plain driver."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def test_flow_matches_direct_run(prefect_harness, tiny_config, write_config):
    # Setup
    from synthaug_pipelines.flow import augmentation_experiment

    from synthaug.config import load_config
    from synthaug.experiment import run_experiment

    path = write_config(tiny_config)
    cols = ["repeat", "fraction", "generator", "classifier", "mode", "metric", "value"]
    # Run
    flow_dir = Path(augmentation_experiment(str(path), {"protocol.repeats": 2}))
    direct_dir = run_experiment(load_config(path, {"protocol.repeats": 2, "runtime.cache": False}))
    # Assert
    assert (flow_dir / "COMPLETE").is_file() and (flow_dir / "report.html").is_file()
    a = pd.read_parquet(flow_dir / "results.parquet").sort_values(cols[:-1]).reset_index(drop=True)[cols]
    b = pd.read_parquet(direct_dir / "results.parquet").sort_values(cols[:-1]).reset_index(drop=True)[cols]
    pd.testing.assert_frame_equal(a, b)
