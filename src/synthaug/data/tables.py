"""Tables from scikit-learn's bundled datasets or CSV/Parquet files: read, cleaned, checked, explained.

Everything that changes the user's table on the way in (rows without a target, all-missing or
identifier columns dropped, infinities, dates converted) becomes a notice in the dataset's schema,
which `--dry-run`, the CLI, the manifest and the report all show.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from synthaug.config import DatasetConfig
from synthaug.data.columns import prepare_columns
from synthaug.data.dataset import Dataset
from synthaug.data.labels import LabelCodec
from synthaug.data.schema import TableSchema
from synthaug.errors import DataError
from synthaug.records import to_jsonable

TABLE_BUILTINS = {
    "breast_cancer": "Wisconsin breast cancer (569 rows, 30 numeric features, 2 classes)",
    "wine": "Wine recognition (178 rows, 13 numeric features, 3 classes)",
    "iris": "Iris (150 rows, 4 numeric features, 3 classes)",
}
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}
_DELIMITERS = ",;\t|"


def load_table(cfg: DatasetConfig) -> Dataset:
    """Read, clean and check a table; every failure names the file or column and the bad value."""
    if cfg.source in TABLE_BUILTINS:
        df, target, name = _load_builtin(cfg.source), "target", cfg.source
    else:
        df, name = _read_file(cfg), Path(cfg.source).stem
        if cfg.target is None:
            raise DataError(f"dataset.target is required for file {cfg.source!r}; columns are {list(df.columns)}")
        target = cfg.target
    target = cfg.target or target
    _check_columns(df, cfg, target)
    df = df.drop(columns=[c for c in cfg.drop_columns if c != target])
    notices: list[str] = []
    n_missing = int(df[target].isna().sum())
    if n_missing:
        notices.append(f"{n_missing} of {len(df)} rows dropped: target {target!r} is missing")
        df = df[df[target].notna()]
    codec = _check_target(df[target], target, cfg.source)
    y = codec.encode(df[target])
    groups = df[cfg.group].to_numpy() if cfg.group else None
    X = df.drop(columns=[target] + ([cfg.group] if cfg.group else []))
    if cfg.max_rows is not None and len(X) > cfg.max_rows:
        keep = np.sort(np.random.default_rng(0).choice(len(X), cfg.max_rows, replace=False))
        X, y = X.iloc[keep], y[keep]
        groups = None if groups is None else groups[keep]
        notices.append(f"{cfg.max_rows} of {len(df)} rows kept (dataset.max_rows, seeded sample)")
    X, infos, col_notices = prepare_columns(X, cfg.column_kinds)
    notices += col_notices
    ids = [c for c, info in infos.items() if info.kind == "identifier"]
    notices += [f"column {c!r} dropped: identifier (every value unique); set dataset.column_kinds.{c} to keep it"
                for c in ids]
    X = X.drop(columns=ids).reset_index(drop=True)
    infos = {c: i for c, i in infos.items() if i.kind != "identifier"}
    if X.shape[1] == 0:
        why = "; ".join(n for n in notices if n.startswith("column "))
        raise DataError(f"dataset {cfg.source!r} has no usable feature columns besides the target {target!r}"
                        + (f" ({why})" if why else ""))
    meta = {"source": cfg.source, "rows_missing_target": n_missing, "dropped_identifiers": ids}
    return Dataset(name=name, kind="tabular", X=X, y=y, target=target, columns={c: i.kind for c, i in infos.items()},
                   groups=groups, meta=meta, labels=codec, schema=TableSchema(infos, tuple(notices)))


def _check_columns(df: pd.DataFrame, cfg: DatasetConfig, target: str) -> None:
    if df.empty or len(df.columns) == 0:
        raise DataError(f"dataset {cfg.source!r} is empty (0 rows or no columns)")
    if target not in df.columns:
        raise DataError(f"target column {target!r} not found in {cfg.source!r}; columns are {list(df.columns)}")
    if target in cfg.drop_columns:
        raise DataError(f"dataset.drop_columns names the target {target!r}; the target cannot be dropped")
    if cfg.group == target:
        raise DataError(f"dataset.group names the target {target!r}; a group column must be another column")
    for col in [*cfg.drop_columns, *cfg.column_kinds, *([cfg.group] if cfg.group else [])]:
        if col not in df.columns:
            raise DataError(f"column {col!r} named in the dataset config is not in {cfg.source!r}; "
                            f"columns are {list(df.columns)}")
    if len(df.columns) < 2:
        raise DataError(f"dataset {cfg.source!r} has no feature columns: its only column is the target {target!r}")


def _load_builtin(name: str) -> pd.DataFrame:
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    df = bunch.frame.copy()
    df["target"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    return df


def _read_file(cfg: DatasetConfig) -> pd.DataFrame:
    path, source = Path(cfg.source), cfg.source
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
        df = _read_parquet(path, cfg.missing_values) if fmt == "parquet" else _read_text(path, fmt, cfg)
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"data file {source!r} is empty") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"data file {source!r} is not valid {exc.encoding} text (byte {exc.object[exc.start]:#x} "
                        f"at position {exc.start}); set dataset.encoding to the file's encoding, e.g. latin-1 "
                        "or cp1252") from exc
    except LookupError as exc:
        raise DataError(f"dataset.encoding {cfg.encoding!r} is not a known text encoding") from exc
    except (pd.errors.ParserError, csv.Error, OSError, ValueError) as exc:
        raise DataError(f"data file {source!r} could not be read as {fmt}: {exc}") from exc
    _check_unique_names([str(c) for c in df.columns], source)
    return df


def _read_parquet(path: Path, missing: list[str]) -> pd.DataFrame:
    df = pd.read_parquet(path)
    return df.replace(missing, np.nan) if missing else df


def _read_text(path: Path, fmt: str, cfg: DatasetConfig) -> pd.DataFrame:
    """CSV/TSV; the delimiter is sniffed among common ones only (a free sniff split a one-column file on a
    letter of its header), and the header is checked for duplicate names before pandas renames them."""
    with open(path, "rb") as fh:  # UTF-16/32 text has NUL bytes too: only check when no encoding is given
        if cfg.encoding is None and b"\x00" in fh.read(8192):
            raise DataError(f"data file {cfg.source!r} could not be read as {fmt}: it holds binary data (NUL bytes), "
                            "not text")
    encoding = cfg.encoding or "utf-8"
    sep = "\t" if fmt == "tsv" else _sniff(path, encoding)
    header = pd.read_csv(path, sep=sep, header=None, nrows=1, encoding=encoding, dtype=str, skipinitialspace=True)
    _check_unique_names([str(v).strip() for v in header.iloc[0].tolist()], cfg.source)
    return pd.read_csv(path, sep=sep, na_values=cfg.missing_values or None, skipinitialspace=True,
                       encoding=encoding, low_memory=False)


def _sniff(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(64_000)
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _check_unique_names(names: list[str], source: str) -> None:
    from collections import Counter

    dups = sorted(n for n, k in Counter(names).items() if k > 1)
    if dups:
        raise DataError(f"data file {source!r} has duplicate column names {dups}; rename them so each column "
                        "has one name")


def _check_target(col: pd.Series, target: str, source: str) -> LabelCodec:
    """The target's classes as a codec; continuous or one-class targets are refused by name."""
    if col.empty:
        raise DataError(f"target column {target!r} in {source!r} has no non-missing values")
    n_unique = col.nunique()
    if pd.api.types.is_float_dtype(col) and not pd.api.types.is_bool_dtype(col):
        v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        if not np.all(np.isfinite(v)) or not np.all(np.mod(v, 1) == 0) or n_unique > 20:
            raise DataError(
                f"target column {target!r} in {source!r} looks continuous ({n_unique} distinct values, "
                f"e.g. {to_jsonable(col.iloc[0])!r}); synthaug measures classification gain, regression is out "
                "of scope")
    elif pd.api.types.is_integer_dtype(col) and n_unique > max(50, len(col) // 2):
        raise DataError(f"target column {target!r} in {source!r} has {n_unique} distinct integer values: "
                        "that looks like a continuous or identifier column; regression is out of scope")
    codec = LabelCodec.fit(col)
    if len(codec.values) < 2:
        raise DataError(f"target column {target!r} in {source!r} has one class only ({to_jsonable(col.iloc[0])!r}); "
                        "a classifier needs at least two")
    return codec
