"""Class labels as integer codes inside, original values and dtype outside.

Why codes: a target arrives as int, bool, float-coded (0.0/1.0), string, pandas category or a
nullable/pyarrow dtype, and every stage downstream (SDV, imbalanced-learn, Great Expectations,
scikit-learn, JSON) treats those types differently; one of them comparing `1` with `"1"` silently
dropped every synthetic row. Inside the library labels are therefore always `int64` codes
0..K-1 in the sorted order of the original values (so a string target and the same target re-coded
as 0/1 in that order run identically), and every output decodes them back to the user's values
and dtype.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class LabelCodec:
    """Original label values in code order, plus the pandas dtype to restore them with."""

    values: tuple[Any, ...]
    dtype: str

    @classmethod
    def fit(cls, col: pd.Series) -> LabelCodec:
        """Codes follow the sorted original values (numbers numerically, text alphabetically)."""
        present = col.dropna()
        uniques = pd.unique(present.to_numpy(dtype=object))
        values = sorted((_plain(v) for v in uniques), key=_sort_key)
        return cls(values=tuple(values), dtype=str(col.dtype))

    def encode(self, col: pd.Series | np.ndarray) -> np.ndarray:
        """Original values to codes; a value the codec has not seen is an error, never a new class."""
        index = {_key(v): i for i, v in enumerate(self.values)}
        raw = col.to_numpy(dtype=object) if isinstance(col, pd.Series) else np.asarray(col, dtype=object)
        try:
            return np.fromiter((index[_key(_plain(v))] for v in raw), dtype=np.int64, count=len(raw))
        except KeyError as exc:
            raise ValueError(f"label {exc.args[0]!r} is not one of the classes {list(self.values)}") from exc

    def decode(self, codes: np.ndarray | pd.Series, name: str | None = None) -> pd.Series:
        """Codes back to the original values, in the original dtype (a category keeps its categories)."""
        codes = np.asarray(codes, dtype=np.int64)
        values = pd.Series([self.values[c] for c in codes], dtype=object, name=name)
        return restore_dtype(values, self.dtype, self.values)

    def name(self, code: Any) -> str:
        """Display text of one code (reports, class-count tables)."""
        try:
            return str(self.values[int(code)])
        except (IndexError, ValueError, TypeError):
            return str(code)

    def named_counts(self, counts: dict[Any, int]) -> dict[str, int]:
        return {self.name(k): int(v) for k, v in counts.items()}


def restore_dtype(values: pd.Series, dtype: str, categories: tuple[Any, ...] | None = None) -> pd.Series:
    """Cast an object Series of original-typed values back to `dtype` (best effort, never lossy)."""
    if dtype == "category":
        return values.astype(pd.CategoricalDtype(categories=list(categories or pd.unique(values.dropna()))))
    try:
        return values.astype(dtype)
    except (TypeError, ValueError):
        return values


def _plain(v: Any) -> Any:
    """numpy / pandas scalars to Python ones (JSON-able, hashable, comparable across dtypes)."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, str):
        return v.strip()
    return v


def _key(v: Any) -> Any:
    """Lookup key where 1, 1.0 and True stay distinct from "1" but 1 == 1.0 (float-coded ints)."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, int | float):
        return ("n", float(v))
    return ("s", str(v))


def _sort_key(v: Any) -> tuple[int, Any]:
    if isinstance(v, bool):
        return (0, int(v))
    if isinstance(v, int | float):
        return (1, float(v))
    return (2, str(v))
