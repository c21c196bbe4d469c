"""Column kinds and cleaning: every conversion is recorded, nothing is lost without a word.

One internal form per kind (numeric → float64, categorical/boolean → stripped text, datetime → days
since 1970, time of day → hours since midnight) so SDV, Great Expectations and scikit-learn read a
column alike; `schema.ColumnInfo` keeps what is needed to give users back their dtypes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthaug.data.schema import DATETIME, EPOCH, TIME_OF_DAY, ColumnInfo
from synthaug.errors import DataError

_DATE = r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})"
_CLOCK = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s?[AaPp][Mm])?"
DATE_RE = rf"{_DATE}([ T]{_CLOCK}(Z|[+-]\d{{2}}:?\d{{2}})?)?"
TIME_RE = _CLOCK
MATCH_SHARE = 0.95  # share of non-missing values that must match a pattern to call the column dates


def detect_kind(col: pd.Series) -> str:
    """Best guess of a column's role; users override it with `dataset.column_kinds`."""
    s = col.dropna()
    if pd.api.types.is_bool_dtype(col) or (len(s) and not pd.api.types.is_numeric_dtype(col)
                                           and s.map(lambda v: isinstance(v, bool | np.bool_)).all()):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(col) or pd.api.types.is_timedelta64_dtype(col):
        return "datetime"
    if isinstance(col.dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(col):
        if pd.api.types.is_integer_dtype(col) and len(s) > 50 and s.is_unique and _is_sequence(s):
            return "identifier"
        return "numeric"
    text = s.astype(str).str.strip()
    if len(text) and (_share(text, DATE_RE) >= MATCH_SHARE or _share(text, TIME_RE) >= MATCH_SHARE):
        return "datetime"
    if len(s) > 50 and s.is_unique:
        return "identifier"
    return "categorical"


def _share(text: pd.Series, pattern: str) -> float:
    return float(text.str.fullmatch(pattern).mean())


def _is_sequence(s: pd.Series) -> bool:
    diffs = np.diff(np.sort(s.to_numpy()))
    return bool(len(diffs) and np.all(diffs == 1))


def prepare_columns(X: pd.DataFrame, overrides: dict[str, str]) -> tuple[pd.DataFrame, dict[str, ColumnInfo],
                                                                            list[str]]:
    """(internal frame, info per column, notices). All-missing columns are dropped with a notice."""
    X = X.copy()
    X.columns = [str(c) for c in X.columns]
    infos: dict[str, ColumnInfo] = {}
    notices: list[str] = []
    for c in list(X.columns):
        if X[c].isna().all():
            notices.append(f"column {c!r} dropped: every value is missing")
            X = X.drop(columns=[c])
            continue
        kind = overrides.get(c) or detect_kind(X[c])
        X[c], infos[c] = _convert(X[c], c, kind, notices)
    return X, infos, notices


def _convert(s: pd.Series, c: str, kind: str, notices: list[str]) -> tuple[pd.Series, ColumnInfo]:
    dtype = str(s.dtype)
    cats = tuple(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else ()
    if kind == "numeric":
        return _to_number(s, c, notices), ColumnInfo(kind, dtype, categories=cats)
    if kind == "datetime":
        return _to_time(s, c, dtype, notices)
    if kind in ("categorical", "boolean"):  # via object: pd.NA of nullable dtypes becomes NaN
        return s.astype(object).map(_text).astype(object), ColumnInfo(kind, dtype, categories=cats)
    return s, ColumnInfo(kind, dtype)  # identifier: dropped by the loader


def _text(v: object) -> object:
    return np.nan if pd.isna(v) else str(v).strip()


def _to_number(s: pd.Series, c: str, notices: list[str]) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        s = s.astype("float64")
    converted = pd.to_numeric(s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s, errors="coerce")
    bad = s[converted.isna() & s.notna()]
    if len(bad):
        raise DataError(f"column {c!r} is numeric but holds non-numeric value {bad.iloc[0]!r}; "
                        "add it to dataset.missing_values or set its kind to categorical")
    out = converted.astype("float64")
    n_inf = int(np.isinf(out.to_numpy()).sum())
    if n_inf:
        notices.append(f"column {c!r}: {n_inf} infinite value(s) (inf/-inf) treated as missing")
        out = out.replace([np.inf, -np.inf], np.nan)
    return out


def _to_time(s: pd.Series, c: str, dtype: str, notices: list[str]) -> tuple[pd.Series, ColumnInfo]:
    """Dates to days since 1970, times of day to hours since midnight; unparseable values become missing."""
    if pd.api.types.is_timedelta64_dtype(s):
        return s.dt.total_seconds() / 86400.0, ColumnInfo("datetime", dtype)
    if pd.api.types.is_datetime64_any_dtype(s):
        ts = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        return (ts - EPOCH).dt.total_seconds() / 86400.0, ColumnInfo("datetime", dtype, DATETIME)
    text = s.map(lambda v: v if pd.isna(v) else str(v).strip())
    if _share(text.dropna().astype(str), TIME_RE) >= MATCH_SHARE:
        t = pd.to_datetime(text, errors="coerce", format="mixed")
        out = t.dt.hour + t.dt.minute / 60.0 + t.dt.second / 3600.0
        _note_unparsed(text, out, c, notices, "time of day → hours since midnight")
        return out.astype("float64"), ColumnInfo("datetime", dtype, TIME_OF_DAY)
    ts = pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=_day_first(text))
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert(None)
    has_time = bool(((ts - ts.dt.normalize()).dt.total_seconds().fillna(0) != 0).any())
    fmt = "%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d"
    _note_unparsed(text, ts, c, notices, f"dates → days since 1970-01-01 (written back as {fmt})")
    return (ts - EPOCH).dt.total_seconds() / 86400.0, ColumnInfo("datetime", dtype, DATETIME, time_format=fmt)


def _day_first(text: pd.Series) -> bool:
    """`13/02/2020` style (day first) when some leading field exceeds 12 and none of the second does."""
    parts = text.dropna().astype(str).str.extract(r"^(\d{1,2})[-/.](\d{1,2})[-/.]\d{4}")
    if parts.dropna().empty:
        return False
    first, second = parts[0].dropna().astype(int), parts[1].dropna().astype(int)
    return bool((first > 12).any() and not (second > 12).any())


def _note_unparsed(text: pd.Series, parsed: pd.Series, c: str, notices: list[str], what: str) -> None:
    lost = int((parsed.isna() & text.notna()).sum())
    extra = f"; {lost} value(s) could not be parsed and are treated as missing" if lost else ""
    notices.append(f"column {c!r}: {what}{extra}")
