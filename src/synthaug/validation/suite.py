"""The expectation suite derived from real training rows (never test rows).

Two lists on purpose: `rows` holds per-row (map) expectations without `mostly` — the only ones that
may delete synthetic rows — and `distribution` holds aggregate expectations (KL divergence on binned
numerics and on category frequencies, means, null fractions with `mostly`) that feed the gate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthaug.config import ValidationConfig
from synthaug.data.dataset import Dataset

COPY_COLUMN = "_copy_of_training_row"
NUMERIC_TYPES = ["float64", "float32", "int64", "int32", "int16", "int8", "uint8", "Float64", "Int64", "Int32"]
CATEGORICAL_KINDS = ("categorical", "boolean")


@dataclass
class TabularSuite:
    rows: list[Any] = field(default_factory=list)
    distribution: list[Any] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def build_suite(train: Dataset, cfg: ValidationConfig, copy_check: bool) -> TabularSuite:
    """Expectations learnt from `train`; `copy_check` adds the row-level "not a training copy" rule."""
    import great_expectations as gx

    E = gx.expectations
    frame = train.X
    columns = [*frame.columns, train.target]
    suite = TabularSuite(columns=columns)
    column_set = columns + ([COPY_COLUMN] if copy_check else [])
    suite.rows.append(E.ExpectTableColumnsToMatchSet(column_set=column_set, exact_match=True))
    for col, kind in train.columns.items():
        if col not in frame.columns:
            continue
        values = frame[col]
        suite.rows += _null_rows(col, values)
        suite.distribution += _null_aggregate(col, values, cfg)
        if kind in CATEGORICAL_KINDS:
            suite.rows += _categorical_rows(col, values)
            if cfg.distribution_checks:
                suite.distribution += _category_frequencies(col, values, cfg)
        else:
            suite.rows += _numeric_rows(col, values, cfg)
            if cfg.distribution_checks:
                suite.distribution += _numeric_distribution(col, values, cfg)
    classes = sorted({v.item() if isinstance(v, np.generic) else v for v in np.unique(train.y)}, key=str)
    suite.rows.append(E.ExpectColumnValuesToNotBeNull(column=train.target))
    suite.rows.append(E.ExpectColumnValuesToBeInSet(column=train.target, value_set=classes))
    if copy_check:
        suite.rows.append(E.ExpectColumnValuesToBeInSet(
            column=COPY_COLUMN, value_set=[False],
            notes="True marks a synthetic row identical to a training row (all features and label)"))
    return suite


def _null_rows(col: str, values: pd.Series) -> list[Any]:
    """No nulls in training: a null in a synthetic row is a row-level violation."""
    import great_expectations as gx

    return [] if values.isna().any() else [gx.expectations.ExpectColumnValuesToNotBeNull(column=col)]


def _null_aggregate(col: str, values: pd.Series, cfg: ValidationConfig) -> list[Any]:
    """Nulls in training: the synthetic null fraction may exceed it by `null_tolerance` (aggregate)."""
    import great_expectations as gx

    frac = float(values.isna().mean())
    if frac == 0.0:
        return []
    mostly = round(max(0.0, 1.0 - frac - cfg.null_tolerance), 6)
    return [gx.expectations.ExpectColumnValuesToNotBeNull(column=col, mostly=mostly)]


def _categorical_rows(col: str, values: pd.Series) -> list[Any]:
    """The value set also fixes the type (1 is not "1"), so no per-value type check: it costs ~80 ms
    per column per 100k rows in GX's Python loop and could only repeat what the set check finds."""
    import great_expectations as gx

    seen = sorted({str(v) for v in values.dropna()})
    return [gx.expectations.ExpectColumnValuesToBeInSet(column=col, value_set=seen)]


def _numeric_rows(col: str, values: pd.Series, cfg: ValidationConfig) -> list[Any]:
    import great_expectations as gx

    E = gx.expectations
    out: list[Any] = [E.ExpectColumnValuesToBeInTypeList(column=col, type_list=NUMERIC_TYPES)]
    v = values.dropna().to_numpy(dtype=float)
    if len(v):
        lo, hi = float(v.min()), float(v.max())
        pad = cfg.range_margin * (hi - lo)
        out.append(E.ExpectColumnValuesToBeBetween(column=col, min_value=lo - pad, max_value=hi + pad))
    return out


def _numeric_distribution(col: str, values: pd.Series, cfg: ValidationConfig) -> list[Any]:
    """KL divergence on training-quantile bins (open-ended outer bins) and the mean within k SDs."""
    import great_expectations as gx

    E = gx.expectations
    v = values.dropna().to_numpy(dtype=float)
    if len(v) < 2:
        return []
    mean, sd = float(v.mean()), float(v.std(ddof=1))
    tol = cfg.mean_tolerance * sd if sd > 0 else 1e-9 * max(1.0, abs(mean))
    out: list[Any] = [E.ExpectColumnMeanToBeBetween(column=col, min_value=mean - tol, max_value=mean + tol)]
    partition = numeric_partition(v, min(cfg.kl_bins, max(2, len(v) // 20)))
    if partition is not None:
        out.append(E.ExpectColumnKLDivergenceToBeLessThan(column=col, partition_object=partition,
                                                          threshold=cfg.kl_threshold))
    return out


def numeric_partition(v: np.ndarray, bins: int) -> dict[str, list[float]] | None:
    """Equal-frequency bins from training values; every bin has weight > 0 so KL stays finite."""
    qs = np.quantile(v, np.linspace(0.0, 1.0, bins + 1))
    inner = np.unique(qs[1:-1])
    inner = inner[(inner > v.min())]
    if len(inner) == 0:
        return None  # constant column: nothing to compare
    edges = np.concatenate([[-np.inf], inner, [np.inf]])
    counts, _ = np.histogram(v, bins=edges)
    keep = counts > 0
    if not keep.all():  # merge an empty bin into its neighbour by dropping its upper edge
        edges = np.concatenate([[-np.inf], inner[keep[:-1]], [np.inf]])
        counts, _ = np.histogram(v, bins=edges)
    weights = counts / counts.sum()
    return {"bins": [float(e) for e in edges], "weights": [float(w) for w in weights]}


def _category_frequencies(col: str, values: pd.Series, cfg: ValidationConfig) -> list[Any]:
    import great_expectations as gx

    freq = values.dropna().astype(str).value_counts(normalize=True).sort_index()
    if len(freq) < 2:
        return []
    partition = {"values": [str(k) for k in freq.index], "weights": [float(w) for w in freq.to_numpy()]}
    return [gx.expectations.ExpectColumnKLDivergenceToBeLessThan(column=col, partition_object=partition,
                                                                 threshold=cfg.kl_threshold)]


def row_keys(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Content hash per row over `columns`, insensitive to dtype drift (1 vs 1.0, 'a' vs np.str_)."""
    norm = {}
    for c in columns:
        s = frame[c] if c in frame.columns else pd.Series(np.nan, index=frame.index)
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            if pd.api.types.infer_dtype(s, skipna=True) != "string":
                s = s.map(lambda x: x if pd.isna(x) else str(x))
            norm[c] = s.astype(object).where(s.notna(), None)
        else:
            norm[c] = s.astype("float64")
    return pd.util.hash_pandas_object(pd.DataFrame(norm, index=frame.index), index=False).to_numpy()


def copy_flags(train_frame: pd.DataFrame, synth_frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """True where a synthetic row equals some training row on every column (features and label)."""
    if len(synth_frame) == 0:
        return np.zeros(0, dtype=bool)
    both = pd.concat([train_frame[columns], synth_frame.reindex(columns=columns)], ignore_index=True)
    keys = row_keys(both, columns)
    return np.isin(keys[len(train_frame):], keys[: len(train_frame)])
