"""Names and value conversions every layer shares: metric names defined once, JSON-safe values."""

from __future__ import annotations

from typing import Any

import numpy as np

# The classifier metrics of results.parquet, in table order; `protocol.primary_metric` is one of them.
METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "roc_auc", "minority_recall", "pr_auc")


def to_jsonable(value: Any) -> Any:
    """numpy scalars and arrays to plain Python, recursively; NaN/inf kept (json writes NaN/Infinity)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value
