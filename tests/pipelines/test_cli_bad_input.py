"""Every bad input exits 2 with a message naming the offending file/column/field and its value, before any fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from synthaug_pipelines.cli import main


def _table(tmp_path: Path, df: pd.DataFrame, name: str = "t.csv") -> Path:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def _run(capsys, config: Path) -> tuple[int, str]:
    code = main(["run", str(config), "--direct"])
    return code, capsys.readouterr().err.replace("\n  ", " ")


def _assert_nothing_written(tiny_config: dict) -> None:
    runs = Path(tiny_config["output"]["dir"])
    assert not runs.exists() or not any(runs.iterdir()), "a run folder was created for bad input"


CSV = pd.DataFrame({"a": np.arange(40.0), "b": ["x", "y"] * 20, "label": ["p", "q"] * 20})


@pytest.mark.parametrize("dataset, expected", [
    ({"source": "missing.csv", "target": "label"}, ["missing.csv", "does not exist"]),
    ({"source": "{csv}", "target": "nope"}, ["'nope'", "not found", "t.csv"]),
    ({"source": "{csv}", "target": "a"}, ["'a'", "continuous", "regression"]),
    ({"source": "{empty}", "target": "label"}, ["empty.csv", "empty"]),
    ({"source": "{onecls}", "target": "label"}, ["one class", "'p'"]),
    ({"source": "{onecls01}", "target": "label"}, ["one class only (0)", "one01.csv"]),
    ({"source": "{small}", "target": "label"}, ["class 'q'", "2 rows", "too few"]),
    ({"source": "{binary}", "target": "label"}, ["bin.csv", "could not be read"]),
    ({"source": "{txtlike}", "target": "label"}, ["t.json", "unsupported suffix"]),
])
def test_bad_dataset_is_named(tmp_path, capsys, tiny_config, write_config, dataset, expected):
    # Setup
    paths = {
        "csv": _table(tmp_path, CSV),
        "empty": tmp_path / "empty.csv",
        "onecls": _table(tmp_path, CSV.assign(label="p"), "one.csv"),
        "onecls01": _table(tmp_path, CSV.assign(label=0), "one01.csv"),
        "small": _table(tmp_path, pd.concat([CSV.assign(label="p"), CSV.head(2).assign(label="q")]), "small.csv"),
        "binary": tmp_path / "bin.csv",
        "txtlike": tmp_path / "t.json",
    }
    paths["empty"].write_text("")
    paths["binary"].write_bytes(b"\x00\xff\xfe" * 100 + bytes(range(256)))
    paths["txtlike"].write_text("{}")
    src = dataset["source"]
    if src.startswith("{"):
        dataset = {**dataset, "source": str(paths[src.strip("{}")])}
    tiny_config["dataset"] = dataset
    # Run
    code, err = _run(capsys, write_config(tiny_config))
    # Assert
    assert code == 2
    for fragment in expected:
        assert fragment in err, err
    assert "np." not in err  # values as the user wrote them, not numpy's reprs
    _assert_nothing_written(tiny_config)


@pytest.mark.parametrize("patch, expected", [
    ({"generators": {"gan9000": {}}}, ["unknown generator", "'gan9000'", "generators"]),
    ({"classifiers": ["logistic_regression", "xgboostish"]}, ["unknown classifier", "'xgboostish'"]),
    ({"protocol": {"repeats": 0}}, ["protocol.repeats", "0"]),
    ({"protocol": {"fractions": [1.5]}}, ["protocol.fractions", "1.5"]),
    ({"protocol": {"primary_metric": "f2"}}, ["protocol.primary_metric", "'f2'"]),
    ({"runtime": {"task_runner": "spark"}}, ["runtime.task_runner", "'spark'"]),
    ({"protocl": {}}, ["'protocl'", "not a known setting"]),
    ({"classifiers": ["cnn"]}, ["'cnn'", "images", "tabular"]),
    ({"classifiers": {"svm": {"C": -1}}}, ["'svm'", "'C'", "-1"]),
    ({"classifiers": {"svm": {"gamma_typo": 2}}}, ["'svm'", "gamma_typo"]),
    ({"generators": {"smote": {"k": 3}}}, ["generator 'smote'", "'k'", "k_neighbors"]),
])
def test_bad_config_field_is_named(capsys, tiny_config, write_config, patch, expected):
    # Setup
    tiny_config.update(patch)
    # Run
    code, err = _run(capsys, write_config(tiny_config))
    # Assert
    assert code == 2
    for fragment in expected:
        assert fragment in err, err
    _assert_nothing_written(tiny_config)


def test_missing_dataset_and_invalid_yaml(tmp_path, capsys):
    # Setup
    no_dataset = tmp_path / "nodata.yaml"
    no_dataset.write_text("name: x\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    # Run
    code1, err1 = _run(capsys, no_dataset)
    code2, err2 = _run(capsys, broken)
    code3, err3 = _run(capsys, tmp_path / "absent.yaml")
    # Assert
    assert (code1, code2, code3) == (2, 2, 2)
    assert "'dataset' is required" in err1
    assert "broken.yaml" in err2 and "not valid YAML" in err2
    assert "absent.yaml" in err3 and "does not exist" in err3


def test_bad_override_is_named(capsys, tiny_config, write_config):
    # Setup
    path = write_config(tiny_config)
    # Run
    code = main(["run", str(path), "--direct", "--set", "protocol.test_size=2"])
    err = capsys.readouterr().err.replace("\n  ", " ")
    # Assert
    assert code == 2
    assert "protocol.test_size" in err and "2" in err


def test_module_form_offers_every_command_and_a_config_error_exits_2(tmp_path) -> None:
    # Setup: `python -m synthaug_pipelines.cli`, as the benchmarks call it; a config with a bad field
    import subprocess
    import sys

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndataset: {source: iris}\nprotocol: {repeats: 0}\n")
    cli = [sys.executable, "-m", "synthaug_pipelines.cli"]
    # Run
    helped = subprocess.run([*cli, "--help"], capture_output=True, text=True, timeout=60)
    failed = subprocess.run([*cli, "run", str(bad)], capture_output=True, text=True, timeout=120)
    # Assert: the commands registered by the other modules are there too, and the exit code survives
    # the program's fast exit
    assert helped.returncode == 0 and "deploy" in helped.stdout and "augment" in helped.stdout
    assert failed.returncode == 2 and "repeats" in failed.stderr
