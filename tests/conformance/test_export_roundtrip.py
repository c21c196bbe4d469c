"""`synthaug augment ... --out X.csv|.parquet` read back gives the input's label values and dtype and
every feature column's dtype (an int column stays int, not 3.0); and a string target and its 0/1
re-encoding (in the sorted order of the strings) give identical scores with the same seed (issue 9)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from outcomes import cli, complete_run, run_config
from zoo import TARGET, choice, dates, experiment, labels, signal, times_of_day

RECIPES = ("generator=smote,ratio=1,strategy=balance", "generator=gaussian_copula,ratio=1,strategy=balance")
KEYS = ["repeat", "fraction", "generator", "ratio", "strategy", "classifier", "mode", "metric"]


def _plain(n: int = 90) -> pd.DataFrame:
    """int 0/1 target (imbalanced 2:1) with int, float, string, bool and int-coded categorical features."""
    y = pd.Series(labels({0: 60, 1: 30}, 1))
    return pd.DataFrame({"count": np.random.default_rng(2).integers(0, 40, n), "x": signal(y, 3, 2.0),
                         "colour": choice(["red", "green", "blue"], n, 4), "flag": choice([True, False], n, 5),
                         "grade": choice([1, 2, 3], n, 6), TARGET: y})


def _strings_and_dates(n: int = 90) -> pd.DataFrame:
    y = pd.Series(labels({"benign": 55, "malignant": 35}, 11))
    return pd.DataFrame({"x": signal(y, 12, 2.0), "day": dates(n, 13, "%Y-%m-%d"), "clock": times_of_day(n, 14),
                         "n": np.random.default_rng(15).integers(1, 6, n), TARGET: y})


def _bool_target(n: int = 90) -> pd.DataFrame:
    y = pd.Series(labels({True: 30, False: 60}, 21))
    return pd.DataFrame({"x": signal(y, 22, 2.0), "k": np.random.default_rng(23).integers(0, 9, n), TARGET: y})


def _float_coded(n: int = 90) -> pd.DataFrame:
    y = pd.Series(labels({0.0: 40, 1.0: 30, 2.0: 20}, 31), dtype="float64")
    return pd.DataFrame({"x": signal(y, 32, 2.0), "k": np.random.default_rng(33).integers(0, 9, n), TARGET: y})


def _nullable(n: int = 90) -> pd.DataFrame:
    """Int64 target; Int64, boolean, Float64, string[pyarrow] and category features with gaps."""
    y = pd.Series(labels({1: 55, 2: 35}, 41), dtype="Int64")
    count = pd.Series(np.random.default_rng(42).integers(0, 30, n), dtype="Int64")
    count[::7] = pd.NA
    member = pd.Series(choice([True, False], n, 43), dtype="boolean")
    member[::10] = pd.NA
    return pd.DataFrame({"count": count, "member": member, "w": pd.Series(signal(y, 44, 2.0), dtype="Float64"),
                         "owner": pd.Series(choice(["ann", "bob", "cy"], n, 45), dtype="string[pyarrow]"),
                         "shape": pd.Categorical(choice(["square", "circle"], n, 46)), TARGET: y})


def _typed_target(dtype: str, values: list) -> Callable[[], pd.DataFrame]:
    def build(n: int = 90) -> pd.DataFrame:
        y = pd.Series(labels({values[0]: 55, values[1]: 35}, 51), dtype=dtype)
        return pd.DataFrame({"x": signal(y, 52, 2.0), "k": np.random.default_rng(53).integers(0, 9, n),
                             TARGET: y})
    return build


CASES = {  # name -> (builder, input format, dataset extras)
    "int01_csv": (_plain, "csv", {"column_kinds": {"grade": "categorical"}}),
    "strings_dates_csv": (_strings_and_dates, "csv", {}),
    "bool_target_csv": (_bool_target, "csv", {}),
    "float_coded_csv": (_float_coded, "csv", {}),
    "nullable_parquet": (_nullable, "parquet", {}),
    "boolean_target_parquet": (_typed_target("boolean", [False, True]), "parquet", {}),
    "category_target_parquet": (_typed_target("category", ["low", "high"]), "parquet", {}),
    "pyarrow_string_target_parquet": (_typed_target("string[pyarrow]", ["cat", "dog"]), "parquet", {}),
}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def _as_csv(frame: pd.DataFrame, folder: Path) -> Path:
    path = folder / "input-as-csv.csv"
    frame.to_csv(path, index=False)
    return path


def _dtype(s: pd.Series) -> str:
    return str(s.dtype)


@pytest.mark.parametrize("recipe", RECIPES, ids=["smote", "gaussian_copula"])
@pytest.mark.parametrize("out_suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("case", list(CASES))
def test_export_reads_back_with_input_labels_and_dtypes(case: str, out_suffix: str, recipe: str,
                                                         tmp_path: Path) -> None:
    # Setup
    build, fmt, extras = CASES[case]
    source = tmp_path / f"{case}.{fmt}"
    frame = build()
    frame.to_csv(source, index=False) if fmt == "csv" else frame.to_parquet(source, index=False)
    original = _read(source)  # what the user's own reader gives for the input
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(experiment(tmp_path, source, case, generators={"smote": {},
                                                "gaussian_copula": {}}, dataset=extras)))
    out = tmp_path / f"augmented{out_suffix}"
    # Run
    outcome = cli(["augment", str(config), "--recipe", recipe, "--out", str(out)], tmp_path / "runs")
    # Assert
    assert outcome.rc == 0, outcome.describe()
    back = _read(out)
    flag = back["is_synthetic"].astype(bool)
    real, synthetic = back[~flag], back[flag]
    assert len(real) == len(original) and len(synthetic) > 0
    assert set(back.columns) - {"is_synthetic"} == set(original.columns)
    # a CSV input's dtypes are what pandas reads from it; a CSV export can only keep what CSV can hold
    expected = original if out_suffix == ".parquet" or fmt == "csv" else pd.read_csv(_as_csv(original, tmp_path))
    wrong = {c: (_dtype(back[c]), _dtype(expected[c])) for c in expected.columns
             if _dtype(back[c]) != _dtype(expected[c])}
    assert not wrong, f"column dtypes changed (exported, input): {wrong}"
    assert set(back[TARGET].dropna().tolist()) == set(expected[TARGET].dropna().tolist())
    assert set(synthetic[TARGET].tolist()) <= set(expected[TARGET].tolist())
    if isinstance(expected[TARGET].dtype, pd.CategoricalDtype):
        assert list(back[TARGET].cat.categories) == list(expected[TARGET].cat.categories)
    # the real rows are the user's rows: labels and numbers unchanged, in order
    pd.testing.assert_series_equal(real[TARGET].reset_index(drop=True), expected[TARGET], check_names=False)
    for col in expected.select_dtypes("number").columns:
        pd.testing.assert_series_equal(real[col].reset_index(drop=True), expected[col], check_names=False)


@pytest.mark.parametrize("case", ["int01_csv", "bool_target_csv", "pyarrow_string_target_parquet"])
def test_export_of_a_generative_recipe_keeps_every_label(case: str, tmp_path: Path) -> None:
    """A GAN recipe whose rows validation partly drops: every exported row still has one of the input's
    labels (dropping rows must not shift or lose labels), in the input's dtype."""
    # Setup
    build, fmt, extras = CASES[case]
    source = tmp_path / f"{case}.{fmt}"
    frame = build()
    frame.to_csv(source, index=False) if fmt == "csv" else frame.to_parquet(source, index=False)
    original = _read(source)
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(experiment(tmp_path, source, case, dataset=extras, generators={
        "ctgan": {"epochs": 2, "batch_size": 20}})))
    out = tmp_path / "augmented.parquet"
    # Run
    outcome = cli(["augment", str(config), "--recipe", "generator=ctgan,ratio=1,strategy=balance", "--out", str(out)],
                  tmp_path / "runs")
    # Assert
    assert outcome.rc == 0, outcome.describe()
    back = pd.read_parquet(out)
    synthetic = back[back["is_synthetic"].astype(bool)]
    assert len(synthetic) > 0
    assert synthetic[TARGET].notna().all(), f"{int(synthetic[TARGET].isna().sum())} exported rows without a label"
    assert set(synthetic[TARGET].tolist()) <= set(original[TARGET].tolist())
    assert str(back[TARGET].dtype) == str(original[TARGET].dtype)


def test_export_keeps_dates_and_times_as_text(tmp_path: Path) -> None:
    # Setup
    source = tmp_path / "dates.csv"
    _strings_and_dates().to_csv(source, index=False)
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(experiment(tmp_path, source, "dates", generators={"smote": {}})))
    out = tmp_path / "augmented.csv"
    # Run
    outcome = cli(["augment", str(config), "--recipe", RECIPES[0], "--out", str(out)], tmp_path / "runs")
    # Assert
    assert outcome.rc == 0, outcome.describe()
    back = pd.read_csv(out)
    assert back["day"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), back["day"].head()
    assert back["clock"].str.fullmatch(r"\d{2}:\d{2}").all(), back["clock"].head()


@pytest.mark.parametrize("encoding", ["int01_csv", "bool_csv"])
def test_relabelled_target_gives_identical_scores(encoding: str, tmp_path: Path) -> None:
    """The quickstart question: `benign`/`malignant` vs 0/1 (or False/True) in the sorted order of the
    strings must be the same experiment."""
    # Setup
    generators = {"gaussian_copula": {}, "ctgan": {"epochs": 2, "batch_size": 20}, "smote": {},
                  "class_weight": {}}
    strings = _strings_and_dates()[["x", "n", TARGET]]
    mapping = {"benign": 0, "malignant": 1} if encoding == "int01_csv" else {"benign": False, "malignant": True}
    recoded = strings.assign(**{TARGET: strings[TARGET].map(mapping)})
    runs = {}
    for name, frame in (("strings", strings), ("recoded", recoded)):
        folder = tmp_path / name
        folder.mkdir()
        frame.to_csv(folder / "t.csv", index=False)
        doc = experiment(folder, folder / "t.csv", name, generators=generators, strategies=("match", "balance"))
        # Run
        runs[name] = complete_run(run_config(doc, folder))
    # Assert
    a, b = (pd.read_parquet(runs[n] / "results.parquet").sort_values(KEYS).reset_index(drop=True)
            for n in ("strings", "recoded"))
    assert len(a) == len(b) > 0
    pd.testing.assert_frame_equal(a[KEYS], b[KEYS])
    pd.testing.assert_series_equal(a["value"], b["value"], check_exact=True)
