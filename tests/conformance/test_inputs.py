"""The malformed and awkward inputs of issue 9, each through `synthaug run --direct`: either a complete
run with no failed cell, or exit 2 with a one-paragraph message naming the problem and no run folder."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from outcomes import bad_input_message, complete_run, documented_outcome, manifest, run_config
from zoo import ALL_GENERATORS, TARGET, experiment, labels, signal

CHEAP = {"gaussian_copula": {}, "smote": {}, "class_weight": {}}


def _binary(n: int = 80, seed: int = 0) -> pd.DataFrame:
    y = pd.Series(labels({"no": n // 2, "yes": n - n // 2}, seed))
    return pd.DataFrame({"x": signal(y, seed + 1, 2.0), "z": np.random.default_rng(seed + 2).normal(size=n),
                         "c": (["a", "b", "c", "d"] * n)[:n], TARGET: y})


def _csv(df: pd.DataFrame, folder: Path, name: str = "t.csv", **kw: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    df.to_csv(path, index=False, **kw)
    return path


def _find(doc: Any, key: str) -> list[Any]:
    """Every value stored under `key` anywhere in a JSON document."""
    if isinstance(doc, dict):
        return [v for k, v in doc.items() if k == key] + [x for v in doc.values() for x in _find(v, key)]
    if isinstance(doc, list):
        return [x for v in doc for x in _find(v, key)]
    return []


# --- exit 2: refused before anything starts --------------------------------------------------------

@pytest.mark.parametrize("patch, fragments", [
    ({"generators": {"ctgan": {"epochz": 3}}}, ["epochz", "ctgan"]),
    ({"generators": {"ctgan": {"epochs": -5}}}, ["epochs", "-5"]),
    ({"generators": {"tvae": {"epochs": 0}}}, ["epochs", "0"]),
    ({"generators": {"ctgan": {"epochs": 1, "batch_size": 15}}}, ["batch_size", "15"]),
    ({"generators": {"copulagan": {"epochs": 1, "pac": 10, "batch_size": 25}}}, ["batch_size", "25"]),
    ({"generators": {"gaussian_copula": {"default_distributionn": "norm"}}}, ["default_distributionn"]),
    ({"dataset": {"drop_columns": [TARGET]}}, ["drop_columns", repr(TARGET)]),
    ({"dataset": {"drop_columns": ["nope"]}}, ["'nope'"]),
    ({"dataset": {"group": TARGET}}, ["group", repr(TARGET)]),
    ({"dataset": {"column_kinds": {"nope": "categorical"}}}, ["'nope'"]),
])
def test_bad_setting_exits_2_naming_it(tmp_path: Path, patch: dict, fragments: list[str]) -> None:
    # Setup
    source = _csv(_binary(), tmp_path / "data")
    doc = experiment(tmp_path, source, "bad", generators=CHEAP)
    for section, value in patch.items():
        doc[section] = {**doc[section], **value} if section == "dataset" else value
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    message = bad_input_message(outcome)
    for fragment in fragments:
        assert fragment in message, message


def test_duplicate_column_names_exit_2(tmp_path: Path) -> None:
    # Setup: pandas would silently rename the second `x` to `x.1`
    rows = "\n".join(f"{i % 7},{i % 5},{'yes' if i % 2 else 'no'}" for i in range(60))
    source = tmp_path / "dup.csv"
    source.write_text(f"x,x,{TARGET}\n{rows}\n")
    doc = experiment(tmp_path, source, "dup", generators=CHEAP)
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    message = bad_input_message(outcome)
    assert "'x'" in message and "duplicate" in message.lower(), message


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_target_only_file_exits_2_no_feature_columns(tmp_path: Path, fmt: str) -> None:
    # Setup
    df = pd.DataFrame({TARGET: labels({"a": 30, "b": 30}, 0)})
    source = tmp_path / f"only.{fmt}"
    df.to_csv(source, index=False) if fmt == "csv" else df.to_parquet(source, index=False)
    doc = experiment(tmp_path, source, "only", generators=CHEAP)
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    message = bad_input_message(outcome)
    assert re.search(r"no (usable )?feature columns?", message), message


def test_only_identifier_and_empty_columns_exit_2(tmp_path: Path) -> None:
    """Nothing left to learn from after cleaning: refused, not a crash in the first fit."""
    # Setup
    n = 60
    df = pd.DataFrame({"id": np.arange(n), "empty": np.nan, TARGET: labels({"a": 30, "b": 30}, 0)})
    doc = experiment(tmp_path, _csv(df, tmp_path / "data"), "ids", generators=CHEAP)
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    message = bad_input_message(outcome)
    assert "feature" in message, message


def _latin1(folder: Path) -> Path:
    towns = ["Zürich", "Genève", "Malmö", "São Paulo"]
    df = _binary().assign(c=[towns[i % 4] for i in range(80)])
    return _csv(df, folder, "latin.csv", encoding="latin-1")


def test_latin1_csv_without_encoding_exit_2_names_the_setting(tmp_path: Path) -> None:
    # Setup
    doc = experiment(tmp_path, _latin1(tmp_path / "data"), "latin", generators=CHEAP)
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    message = bad_input_message(outcome)
    assert "dataset.encoding" in message and "latin.csv" in message, message


def test_latin1_csv_with_encoding_runs(tmp_path: Path) -> None:
    # Setup
    doc = experiment(tmp_path, _latin1(tmp_path / "data"), "latin", generators=CHEAP,
                     dataset={"encoding": "latin-1"})
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    run = complete_run(outcome)
    synth = pd.concat([pd.read_parquet(p) for p in (run / "synthetic").glob("*.parquet")])
    assert set(synth["c"].dropna()) <= {"Zürich", "Genève", "Malmö", "São Paulo"}


# --- odd but valid: the run completes, every generator, no failed cell -----------------------------

def test_int01_target_keeps_synthetic_rows(tmp_path: Path) -> None:
    """0/1 int labels: validation must not build its label set as strings and drop every synthetic row."""
    # Setup
    df = _binary().assign(**{TARGET: lambda d: (d[TARGET] == "yes").astype(int)})
    doc = experiment(tmp_path, _csv(df, tmp_path / "data"), "int01",
                     generators={"gaussian_copula": {}, "smote": {}, "random_oversampling": {}})
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    run = complete_run(outcome)
    sets = pd.read_parquet(run / "sets.parquet")
    assert (sets["n_kept"] > 0).all(), sets[["generator", "n_achieved", "n_kept"]]
    assert (sets["n_kept"] >= 0.5 * sets["n_achieved"]).all(), sets[["generator", "n_achieved", "n_kept"]]


def test_generator_without_rows_of_a_class_completes(tmp_path: Path) -> None:
    """SMOTE cannot make rows of a class with one training row; `balance` asks only for that class, so
    the synthetic set is empty. TSTR on it is n/a with a reason, not a crash (`min() arg is an empty
    sequence`)."""
    # Setup: 2 rows of the rare class -> 1 test row, 1 training row
    y = pd.Series(labels({"common": 70, "rare": 2}, 5))
    df = pd.DataFrame({"x": signal(y, 6, 3.0), "z": np.random.default_rng(7).normal(size=72), TARGET: y})
    doc = experiment(tmp_path, _csv(df, tmp_path / "data"), "empty", generators={"smote": {}},
                     strategies=("balance",))
    doc["protocol"]["ratios"] = [0.5]
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    run = complete_run(outcome)
    sets = pd.read_parquet(run / "sets.parquet")
    assert (sets["n_achieved"] < sets["n_requested"]).all(), sets  # the shortfall is recorded
    results = pd.read_parquet(run / "results.parquet")
    tstr = results[(results["generator"] == "smote") & (results["mode"] == "tstr")]
    if len(tstr):
        assert tstr["value"].isna().all() and (tstr["error"].astype(str).str.len() > 0).all(), tstr


def test_all_missing_column_is_dropped_with_a_notice(tmp_path: Path) -> None:
    # Setup
    df = _binary().assign(all_missing=np.nan)
    doc = experiment(tmp_path, _csv(df, tmp_path / "data"), "nan", generators=ALL_GENERATORS)
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    run = complete_run(outcome)
    assert "all_missing" in json.dumps(manifest(run)["dataset"].get("notices", [])), manifest(run)["dataset"]


def test_infinities_complete_with_a_notice(tmp_path: Path) -> None:
    # Setup
    df = _binary()
    df.loc[::9, "x"] = np.inf
    df.loc[4::11, "z"] = -np.inf
    source = tmp_path / "inf.parquet"
    df.to_parquet(source, index=False)  # CSV would write 'inf' text; parquet keeps the float
    doc = experiment(tmp_path, source, "inf", generators=ALL_GENERATORS)
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    run = complete_run(outcome)
    notices = json.dumps(manifest(run)["dataset"].get("notices", []))
    assert "'x'" in notices and "'z'" in notices, notices
    for path in (run / "synthetic").glob("*.parquet"):
        values = pd.read_parquet(path)[["x", "z"]].to_numpy(dtype=float)
        assert not np.isinf(values).any(), path.name


def test_inf_text_in_csv_completes(tmp_path: Path) -> None:
    # Setup
    df = _binary().astype({"x": object})
    df.loc[::9, "x"] = "inf"
    df.loc[5::13, "x"] = "-inf"
    doc = experiment(tmp_path, _csv(df, tmp_path / "data"), "inftext", generators=CHEAP)
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    complete_run(outcome)


def test_missing_target_rows_are_dropped_and_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Setup
    df = _binary().astype({TARGET: object})
    df.loc[[3, 17, 40, 41, 77], TARGET] = None
    doc = experiment(tmp_path, _csv(df, tmp_path / "data"), "gaps", generators=CHEAP)
    # Run
    with caplog.at_level(logging.WARNING):
        outcome = run_config(doc, tmp_path)
    # Assert
    run = complete_run(outcome)
    assert 5 in _find(manifest(run), "rows_missing_target"), manifest(run)["dataset"]
    assert manifest(run)["dataset"]["rows"] == 75
    warned = outcome.err + "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    assert re.search(r"\b5\b.*(missing|target)", warned), warned  # the CLI says so
    report = (run / "report.md").read_text()
    assert re.search(r"\b5\b[^\n]*missing|missing[^\n]*\b5\b", report), "report does not count the dropped rows"


def test_validation_policy_fail_exits_4_without_complete(tmp_path: Path) -> None:
    """One two-valued column: every GaussianCopula row copies a training row, so `policy: fail` stops."""
    # Setup
    df = pd.DataFrame({"c": (["a", "b"] * 40), TARGET: labels({"x": 40, "y": 40}, 2)})
    doc = experiment(tmp_path, _csv(df, tmp_path / "data"), "stop", generators={"gaussian_copula": {}})
    doc["validation"]["policy"] = "fail"
    # Run
    outcome = run_config(doc, tmp_path)
    # Assert
    assert outcome.rc == 4, outcome.describe()
    assert documented_outcome(outcome) == "validation_stop"
    assert "copy" in outcome.err and "Traceback" not in outcome.err, outcome.err
