"""`synthaug run` through the embedded flow (no server), its re-run from the cache, `--dry-run`, `cache`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from synthaug_pipelines.cli import main


@pytest.fixture
def config_path(tiny_config: dict, write_config) -> Path:
    return write_config(tiny_config)


def test_dry_run_prints_grid_and_fits_nothing(config_path: Path, tiny_config: dict, capsys) -> None:
    assert main(["run", str(config_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "cells: 12 (4 real-only baselines)" in out
    assert "generator fits: 8 (gaussian_copula ×4, smote ×4)" in out
    assert "estimated time: about" in out
    assert not Path(tiny_config["output"]["dir"]).exists() and not Path(tiny_config["runtime"]["cache_dir"]).exists()


def test_run_through_flow_then_rerun_reuses_cells_and_cache_cli(prefect_harness, config_path: Path,
                                                                 tiny_config: dict, capsys) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    assert main(["run", str(config_path)]) == 0
    assert main(["run", str(config_path)]) == 0
    reports = [line.split("report: ")[1] for line in capsys.readouterr().out.splitlines() if "report: " in line]
    first, second = (Path(r).parent for r in reports)
    assert first != second and (second / "COMPLETE").is_file()
    assert not pd.read_parquet(first / "cells.parquet")["cache_hit"].any()
    assert pd.read_parquet(second / "cells.parquet")["cache_hit"].all()
    a, b = (pd.read_parquet(d / "results.parquet").drop(columns="fit_seconds") for d in (first, second))
    pd.testing.assert_frame_equal(a, b)
    names = [sorted(p.name for p in (d / "synthetic").iterdir()) for d in (first, second)]
    assert names[0] == names[1] and len(names[0]) == 8

    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["gain-table", "gain-summary", "grid-progress", "report"])))}
    assert keys == {"gain-table", "gain-summary", "grid-progress", "report"}

    cache_dir = tiny_config["runtime"]["cache_dir"]
    assert main(["cache", "info", "--config", str(config_path)]) == 0
    info = capsys.readouterr().out
    assert "cells/v2" in info and "12 entries" in info and "models/generators" in info
    assert main(["cache", "clear", "--dir", cache_dir, "--store", "cells"]) == 0
    assert "removed 12 entries" in capsys.readouterr().out
    assert main(["cache", "info", "--dir", cache_dir]) == 0
    info = capsys.readouterr().out
    assert "cells/v2" not in info and "models/generators" in info
