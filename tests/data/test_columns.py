"""Columns users really have: each is kept, converted with a notice, or refused with a message naming it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthaug.config import DatasetConfig
from synthaug.data import load_dataset
from synthaug.errors import DataError

N = 60


def _load(tmp_path, df: pd.DataFrame, name: str = "t.csv", **cfg):
    path = tmp_path / name
    df.to_parquet(path) if name.endswith(".parquet") else df.to_csv(path, index=False)
    return load_dataset(DatasetConfig(source=str(path), target=cfg.pop("target", "y"), **cfg))


def _base() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x": rng.normal(size=N), "y": [0, 1, 1] * (N // 3)})


def test_all_missing_column_is_dropped_with_a_notice(tmp_path):
    # Setup
    df = _base().assign(empty=np.nan)
    # Run
    ds = _load(tmp_path, df)
    # Assert
    assert "empty" not in ds.X.columns
    assert any("'empty' dropped: every value is missing" in n for n in ds.schema.notices)


def test_infinities_become_missing_and_are_counted(tmp_path):
    # Setup
    df = _base()
    df.loc[[0, 5], "x"] = np.inf
    df.loc[7, "x"] = -np.inf
    # Run
    ds = _load(tmp_path, df, "t.parquet")
    # Assert
    assert ds.X["x"].isna().sum() == 3 and np.isfinite(ds.X["x"].dropna()).all()
    assert any("3 infinite value(s)" in n for n in ds.schema.notices)


def test_missing_target_rows_are_dropped_and_counted(tmp_path):
    # Setup
    df = _base().astype({"y": "Int64"})
    df.loc[:16, "y"] = pd.NA
    # Run
    ds = _load(tmp_path, df, "t.parquet")
    # Assert
    assert len(ds) == N - 17 and ds.meta["rows_missing_target"] == 17
    assert any("17 of 60 rows dropped" in n for n in ds.schema.notices)


@pytest.mark.parametrize(("text", "match"), [
    ("a,a,y\n1,2,0\n3,4,1\n", "duplicate column names \\['a'\\]"),
    ("y\n0\n1\n0\n", "no feature columns: its only column is the target 'y'"),
])
def test_malformed_headers_are_refused_by_name(tmp_path, text, match):
    # Setup
    (tmp_path / "t.csv").write_text(text)
    # Run / Assert
    with pytest.raises(DataError, match=match):
        load_dataset(DatasetConfig(source=str(tmp_path / "t.csv"), target="y"))


def test_dropping_the_target_is_refused(tmp_path):
    # Run / Assert
    with pytest.raises(DataError, match="drop_columns names the target 'y'"):
        _load(tmp_path, _base(), drop_columns=["y"])


def test_latin1_file_needs_and_honours_dataset_encoding(tmp_path):
    # Setup
    path = tmp_path / "t.csv"
    path.write_bytes("ville,y\nMontréal,0\nQuébec,1\nLévis,0\nGaspé,1\n".encode("latin-1"))
    # Run / Assert
    with pytest.raises(DataError, match="dataset.encoding"):
        load_dataset(DatasetConfig(source=str(path), target="y"))
    ds = load_dataset(DatasetConfig(source=str(path), target="y", encoding="latin-1"))
    assert set(ds.X["ville"]) == {"Montréal", "Québec", "Lévis", "Gaspé"}


def test_common_date_and_time_formats_are_recognised(tmp_path):
    # Setup
    days = pd.date_range("2017-12-01", periods=N)
    df = _base().assign(slashed=days.strftime("%Y/%m/%d"), dayfirst=days.strftime("%d/%m/%Y"),
                        clock=[f"{h % 24:02d}:{(7 * h) % 60:02d}" for h in range(N)])
    # Run
    ds = _load(tmp_path, df)
    # Assert
    assert ds.columns == {"x": "numeric", "slashed": "datetime", "dayfirst": "datetime", "clock": "datetime"}
    assert ds.X["slashed"].diff().dropna().eq(1.0).all() and ds.X["dayfirst"].equals(ds.X["slashed"])
    assert ds.X["clock"].iloc[1] == pytest.approx(1 + 7 / 60)
    assert any("'clock': time of day" in n for n in ds.schema.notices)


def test_output_frame_gives_back_the_users_dtypes(tmp_path):
    # Setup
    df = pd.DataFrame({
        "pclass": np.tile([1, 2, 3], N // 3), "fare": np.linspace(5, 50, N), "member": [True, False] * (N // 2),
        "code": pd.Series([1, 2, None] * (N // 3), dtype="Int64"), "city": ["a", "b", "c"] * (N // 3),
        "when": pd.date_range("2020-01-01", periods=N).strftime("%Y/%m/%d"),
        "y": pd.Categorical(["no", "yes", "yes"] * (N // 3)),
    })
    # Run
    ds = _load(tmp_path, df, "t.parquet", column_kinds={"code": "categorical"})
    out = ds.output_frame()
    # Assert
    assert ds.X["pclass"].dtype == "float64"  # the internal form
    assert {c: str(t) for c, t in out.dtypes.items()} == {
        "pclass": "int64", "fare": "float64", "member": "bool", "code": "Int64", "city": "object",
        "when": "object", "y": "category"}
    assert out["pclass"].tolist() == df["pclass"].tolist() and out["code"].equals(df["code"])
    assert out["when"].iloc[0] == "2020-01-01" and out["y"].tolist() == df["y"].tolist()


def test_output_frame_of_a_subset_keeps_each_rows_label(tmp_path):
    # Setup: a kept subset has gaps in its index (validation dropped rows 1 and 2)
    df = pd.DataFrame({"x": np.arange(N, dtype=float), "y": ["a", "b", "c"] * (N // 3)})
    ds = _load(tmp_path, df)
    # Run
    out = ds.take(np.array([0, 3, 4, 5])).output_frame()
    # Assert
    assert out["y"].tolist() == ["a", "a", "b", "c"] and out["x"].tolist() == [0.0, 3.0, 4.0, 5.0]
