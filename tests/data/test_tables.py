from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthaug.config import DatasetConfig
from synthaug.data import builtin_datasets, load_dataset
from synthaug.errors import DataError


def test_builtin_tables_load_with_string_labels():
    # Run
    ds = load_dataset(DatasetConfig(source="wine"))
    # Assert
    assert ds.kind == "tabular" and len(ds) == 178
    assert set(ds.columns.values()) == {"numeric"}
    assert ds.named_counts() == {"class_0": 59, "class_1": 71, "class_2": 48}
    assert ds.class_counts() == {0: 59, 1: 71, 2: 48}  # codes inside, in the sorted order of the labels
    assert {"breast_cancer", "wine", "iris"} <= set(builtin_datasets())


def test_column_kinds_detected_and_overridden(tmp_path):
    # Setup
    n = 80
    df = pd.DataFrame({
        "id": np.arange(1000, 1000 + n),
        "age": np.linspace(20, 60, n),
        "city": ["a", "b", "c", "?"] * (n // 4),
        "member": [True, False] * (n // 2),
        "joined": pd.date_range("2020-01-01", periods=n).strftime("%Y-%m-%d"),
        "code": [1, 2] * (n // 2),
        "y": ["yes", "no"] * (n // 2),
    })
    path = tmp_path / "people.csv"
    df.to_csv(path, index=False)
    # Run
    ds = load_dataset(DatasetConfig(source=str(path), target="y", missing_values=["?"],
                                    column_kinds={"code": "categorical"}))
    # Assert
    assert ds.columns == {"age": "numeric", "city": "categorical", "member": "boolean", "joined": "datetime",
                          "code": "categorical"}
    assert ds.meta["dropped_identifiers"] == ["id"]
    assert ds.X["city"].isna().sum() == n // 4
    assert ds.X["joined"].dtype == float and ds.X["joined"].iloc[1] - ds.X["joined"].iloc[0] == 1.0


def test_parquet_and_integer_labels(tmp_path):
    # Setup
    df = pd.DataFrame({"x": np.random.default_rng(0).normal(size=60), "label": [0, 1, 2] * 20})
    df.to_parquet(tmp_path / "t.parquet")
    # Run
    ds = load_dataset(DatasetConfig(source=str(tmp_path / "t.parquet"), target="label"))
    # Assert
    assert ds.y.dtype.kind == "i" and ds.class_counts() == {0: 20, 1: 20, 2: 20}


def test_non_numeric_value_in_numeric_override_is_named(tmp_path):
    # Setup
    pd.DataFrame({"x": ["1", "2", "oops"] * 10, "y": ["a", "b", "a"] * 10}).to_csv(tmp_path / "t.csv", index=False)
    # Run / Assert
    with pytest.raises(DataError, match="column 'x'.*'oops'"):
        load_dataset(DatasetConfig(source=str(tmp_path / "t.csv"), target="y", column_kinds={"x": "numeric"}))


def test_adult_missing_markers_and_kinds(adult_csv):
    # Run
    ds = load_dataset(DatasetConfig(source=str(adult_csv), target="class", missing_values=["?"]))
    # Assert
    assert len(ds) == 32561
    assert ds.named_counts() == {"<=50K": 24720, ">50K": 7841}
    assert ds.columns["workclass"] == "categorical" and ds.columns["age"] == "numeric"
    assert ds.X["workclass"].isna().sum() > 1000
    assert "?" not in set(ds.X["occupation"].dropna())
