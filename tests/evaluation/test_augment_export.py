"""`synthaug augment`: real + validated synthetic rows with an `is_synthetic` column; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from synthaug.augment import Recipe, parse_recipe, recipe_from_run
from synthaug.errors import InputError


@pytest.fixture
def config_path(tiny_config: dict, write_config) -> Path:
    tiny_config["validation"]["privacy"] = False
    tiny_config["generators"] = {"smote": {"k_neighbors": 3}, "class_weight": {}}
    return write_config(tiny_config)


def test_augment_command_writes_real_plus_synthetic(config_path: Path, tmp_path: Path) -> None:
    from synthaug_pipelines.cli import main

    out = tmp_path / "aug.csv"
    assert main(["augment", str(config_path), "--recipe", "generator=smote,ratio=0.5,strategy=balance",
                 "--out", str(out)]) == 0
    df = pd.read_csv(out)
    real, syn = df[~df["is_synthetic"]], df[df["is_synthetic"]]
    assert len(real) == 150  # every real iris row, not a training split
    assert len(syn) == 75
    assert list(df.columns[:4]) == list(real.columns[:4]) and "target" in df.columns
    # balance on an already balanced table spreads the extra rows evenly
    assert syn["target"].value_counts().max() - syn["target"].value_counts().min() <= 1


@pytest.mark.parametrize("args, message", [
    (["--recipe", "generator=smote,ratio=zero"], "not a number"),
    (["--recipe", "generator=nope"], "unknown generator"),
    (["--recipe", "generator=class_weight"], "adds no rows"),
    (["--recipe", "generator=smote", "--out", "x.txt"], ".csv or .parquet"),
    ([], "exactly one of"),
])
def test_augment_bad_input_exits_2(config_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                   message: str) -> None:
    from synthaug_pipelines.cli import main

    assert main(["augment", str(config_path), *args]) == 2
    assert message in capsys.readouterr().err


def test_parse_recipe() -> None:
    assert parse_recipe("generator=ctgan, ratio=2, strategy=balance") == Recipe("ctgan", 2.0, "balance")
    with pytest.raises(InputError, match="strategy"):
        parse_recipe("generator=ctgan,strategy=oversample")


def test_recipe_from_run_takes_best_significant_ungated_helps(tmp_path: Path, tiny_config: dict) -> None:
    import yaml

    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text(yaml.safe_dump(tiny_config))
    rows = [("ctgan", 2.0, "match", "helps", True, 0.09), ("smote", 1.0, "balance", "helps", False, 0.04),
            ("tvae", 1.0, "match", "no significant effect", False, 0.2),
            ("class_weight", 0.0, "balance", "helps", False, 0.3)]
    pd.DataFrame([{"fraction": 0.1, "generator": g, "ratio": r, "strategy": s, "verdict": v, "gated": gt,
                   "gain_mean": m, "classifier": "lda", "metric": "macro_f1"} for g, r, s, v, gt, m in rows]
                 ).to_csv(run / "summary.csv", index=False)
    with pytest.raises(InputError, match="not a finished run"):
        recipe_from_run(run)
    (run / "COMPLETE").write_text("ok\n")
    assert recipe_from_run(run) == Recipe("smote", 1.0, "balance")
    with pytest.raises(InputError, match="no significant"):
        recipe_from_run(run, classifier="svm")
