"""What loading did to each column, so outputs can give users back their own dtypes and be told why.

Loading normalises columns (numbers to float64, categories to text, dates to days since 1970) so SDV,
Great Expectations and scikit-learn all read them alike. The schema remembers each column's original
dtype and conversion, and `restore` turns any frame of the internal form (real or synthetic rows)
back into the user's form: an integer column comes back as integers, not `3.0`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from synthaug.data.labels import restore_dtype

EPOCH = pd.Timestamp("1970-01-01")
DATETIME = "datetime"      # days since 1970-01-01
TIME_OF_DAY = "time_of_day"  # hours since midnight


@dataclass(frozen=True)
class ColumnInfo:
    kind: str
    dtype: str  # the dtype the column had when read
    conversion: str = ""  # "" | DATETIME | TIME_OF_DAY
    categories: tuple[Any, ...] = ()  # pandas category columns keep their category order
    time_format: str = ""  # datetimes read from text: how to write them back


@dataclass(frozen=True)
class TableSchema:
    """Per feature column: kind, original dtype, conversion; plus the notices shown to the user."""

    columns: dict[str, ColumnInfo] = field(default_factory=dict)
    notices: tuple[str, ...] = ()

    def restore(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The user's dtypes for every known column; unknown columns pass through untouched."""
        out = frame.copy()
        for col, info in self.columns.items():
            if col in out.columns:
                out[col] = restore_column(out[col], info)
        return out


def restore_column(s: pd.Series, info: ColumnInfo) -> pd.Series:
    if info.conversion == DATETIME:
        ts = EPOCH + pd.to_timedelta(pd.to_numeric(s, errors="coerce") * 86400.0, unit="s")
        if not info.time_format:
            return ts
        return ts.dt.strftime(info.time_format).astype(object).where(ts.notna(), None)
    if info.conversion == TIME_OF_DAY:  # text out, even for an empty set
        secs = (pd.to_numeric(s, errors="coerce") * 3600.0).round().clip(0, 86399)
        return secs.astype(object).map(_clock)
    if info.kind in ("categorical", "boolean"):
        return _restore_text(s, info)
    return _restore_number(s, info.dtype)


def _clock(seconds: object) -> str | None:
    if pd.isna(seconds):
        return None
    v = int(seconds)  # type: ignore[call-overload]
    return f"{v // 3600:02d}:{v % 3600 // 60:02d}"


def _restore_number(s: pd.Series, dtype: str) -> pd.Series:
    kind = _dtype_kind(dtype)
    if kind in "iu":
        v = pd.to_numeric(s, errors="coerce").round()
        if v.isna().any() or dtype[:1].isupper():
            return v.astype("Int64" if kind == "i" else "UInt64") if dtype[:1].islower() else v.astype(dtype)
        return v.astype(dtype)
    return s if dtype in ("float64", "") else restore_dtype(s, dtype)


def _restore_text(s: pd.Series, info: ColumnInfo) -> pd.Series:
    kind = _dtype_kind(info.dtype)
    if kind == "b":
        mapped = s.map(lambda v: None if pd.isna(v) else str(v).strip().lower() in ("true", "1", "1.0", "yes"))
        return mapped.astype("boolean") if mapped.isna().any() or info.dtype == "boolean" else mapped.astype(bool)
    if kind in "iuf":
        return _restore_number(pd.to_numeric(s, errors="coerce"), info.dtype)
    if info.dtype == "category":
        cats = [str(c).strip() for c in info.categories]
        return s.astype(pd.CategoricalDtype(categories=cats))
    return restore_dtype(s.astype(object), info.dtype) if info.dtype not in ("object", "") else s


def _dtype_kind(dtype: str) -> str:
    """numpy kind letter of a dtype name, nullable ones included ("Int64" -> "i", "boolean" -> "b")."""
    try:
        return pd.api.types.pandas_dtype(dtype).kind
    except TypeError:
        return "O"
