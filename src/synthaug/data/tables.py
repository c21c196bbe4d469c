"""Tables from scikit-learn's bundled datasets or CSV/Parquet files, with column kinds detected."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from synthaug.config import DatasetConfig
from synthaug.data.dataset import Dataset
from synthaug.errors import DataError

TABLE_BUILTINS = {
    "breast_cancer": "Wisconsin breast cancer (569 rows, 30 numeric features, 2 classes)",
    "wine": "Wine recognition (178 rows, 13 numeric features, 3 classes)",
    "iris": "Iris (150 rows, 4 numeric features, 3 classes)",
}
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}


def load_table(cfg: DatasetConfig) -> Dataset:
    """Read, clean and check a table; every failure names the file or column and the bad value."""
    if cfg.source in TABLE_BUILTINS:
        df, target, name = _load_builtin(cfg.source), "target", cfg.source
    else:
        df, name = _read_file(cfg.source, cfg.missing_values), Path(cfg.source).stem
        if cfg.target is None:
            raise DataError(f"dataset.target is required for file {cfg.source!r}; columns are {list(df.columns)}")
        target = cfg.target
    target = cfg.target or target
    if df.empty or len(df.columns) == 0:
        raise DataError(f"dataset {cfg.source!r} is empty (0 rows or no columns)")
    if target not in df.columns:
        raise DataError(f"target column {target!r} not found in {cfg.source!r}; columns are {list(df.columns)}")
    for col in [*cfg.drop_columns, *cfg.column_kinds, *([cfg.group] if cfg.group else [])]:
        if col not in df.columns:
            raise DataError(f"column {col!r} named in the dataset config is not in {cfg.source!r}")
    df = df.drop(columns=[c for c in cfg.drop_columns if c != target])
    n_before = len(df)
    df = df[df[target].notna()]
    y = _check_target(df[target], target, cfg.source)
    groups = df[cfg.group].to_numpy() if cfg.group else None
    X = df.drop(columns=[target] + ([cfg.group] if cfg.group else []))
    if cfg.max_rows is not None and len(X) > cfg.max_rows:
        keep = np.sort(np.random.default_rng(0).choice(len(X), cfg.max_rows, replace=False))
        X, y = X.iloc[keep], y[keep]
        groups = None if groups is None else groups[keep]
    X, kinds = prepare_columns(X, cfg.column_kinds)
    if X.shape[1] == 0:
        raise DataError(f"dataset {cfg.source!r} has no usable feature columns besides the target {target!r}")
    meta = {"source": cfg.source, "rows_missing_target": n_before - len(df)}
    meta["dropped_identifiers"] = [c for c, k in kinds.items() if k == "identifier"]
    X = X.drop(columns=meta["dropped_identifiers"]).reset_index(drop=True)
    kinds = {c: k for c, k in kinds.items() if k != "identifier"}
    return Dataset(name=name, kind="tabular", X=X, y=y, target=target, columns=kinds, groups=groups, meta=meta)


def _load_builtin(name: str) -> pd.DataFrame:
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    df = bunch.frame.copy()
    df["target"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    return df


def _read_file(source: str, missing: list[str]) -> pd.DataFrame:
    path = Path(source)
    if not path.exists():
        raise DataError(f"data file {source!r} does not exist")
    if path.is_dir():
        raise DataError(f"data source {source!r} is a folder; for tables give a CSV or Parquet file "
                        "(for a class-folder image set set dataset.kind: images)")
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise DataError(f"data file {source!r} has unsupported suffix {path.suffix!r}; use .csv, .tsv or .parquet")
    if path.stat().st_size == 0:
        raise DataError(f"data file {source!r} is empty (0 bytes)")
    try:
        if fmt == "parquet":
            df = pd.read_parquet(path)
            return df.replace(missing, np.nan) if missing else df
        sep = "\t" if fmt == "tsv" else None
        return pd.read_csv(path, sep=sep, engine="python", na_values=missing or None, skipinitialspace=True)
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"data file {source!r} is empty") from exc
    except (UnicodeDecodeError, pd.errors.ParserError, csv.Error, OSError, ValueError) as exc:
        raise DataError(f"data file {source!r} could not be read as {fmt}: {exc}") from exc


def _check_target(col: pd.Series, target: str, source: str) -> np.ndarray:
    if col.empty:
        raise DataError(f"target column {target!r} in {source!r} has no non-missing values")
    n_unique = col.nunique()
    if pd.api.types.is_float_dtype(col):
        integral = bool(np.all(np.mod(col.to_numpy(), 1) == 0))
        if not integral or n_unique > 20:
            raise DataError(
                f"target column {target!r} in {source!r} looks continuous ({n_unique} distinct values, "
                f"e.g. {col.iloc[0]!r}); synthaug measures classification gain, regression is out of scope"
            )
        col = col.astype("int64")
    elif pd.api.types.is_integer_dtype(col) and n_unique > max(50, len(col) // 2):
        raise DataError(f"target column {target!r} in {source!r} has {n_unique} distinct integer values: "
                        "that looks like a continuous or identifier column; regression is out of scope")
    if n_unique < 2:
        raise DataError(f"target column {target!r} in {source!r} has one class only ({col.iloc[0]!r}); "
                        "a classifier needs at least two")
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_integer_dtype(col):
        col = col.astype(str).str.strip()
    return col.to_numpy()


def detect_kind(col: pd.Series) -> str:
    """Best guess of a column's role; users override it with `dataset.column_kinds`."""
    s = col.dropna()
    if pd.api.types.is_bool_dtype(col) or (len(s) and set(s.unique()) <= {True, False} and s.nunique() == 2
                                           and not pd.api.types.is_numeric_dtype(col)):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(col):
        return "datetime"
    if pd.api.types.is_numeric_dtype(col):
        if pd.api.types.is_integer_dtype(col) and len(s) > 50 and s.is_unique and _is_sequence(s):
            return "identifier"
        return "numeric"
    if len(s) and s.astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?").mean() > 0.95:
        return "datetime"
    if len(s) > 50 and s.is_unique:
        return "identifier"
    return "categorical"


def _is_sequence(s: pd.Series) -> bool:
    diffs = np.diff(np.sort(s.to_numpy()))
    return bool(len(diffs) and np.all(diffs == 1))


def prepare_columns(X: pd.DataFrame, overrides: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Give each column one dtype per kind so SDV, GX and scikit-learn all read it the same way."""
    X = X.copy()
    X.columns = [str(c) for c in X.columns]
    kinds: dict[str, str] = {}
    for c in X.columns:
        kind = overrides.get(c) or detect_kind(X[c])
        kinds[c] = kind
        if kind == "numeric":
            converted = pd.to_numeric(X[c], errors="coerce")
            bad = X[c][converted.isna() & X[c].notna()]
            if len(bad):
                raise DataError(f"column {c!r} is numeric but holds non-numeric value {bad.iloc[0]!r}; "
                                "add it to dataset.missing_values or set its kind to categorical")
            X[c] = converted.astype("float64")
        elif kind == "datetime":
            ts = pd.to_datetime(X[c], errors="coerce")
            X[c] = (ts - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0
        elif kind in ("categorical", "boolean"):
            X[c] = X[c].map(lambda v: v if pd.isna(v) else str(v).strip()).astype(object)
    return X, kinds
