"""Markdown pieces shared by every report section and the Prefect artifacts: tables, numbers, gains, caps.

One formatter per kind of value, so a gain reads the same in the report's tables, on the heatmap and
in the artifact headline: a reader who searches the table for the headline's numbers finds them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

MISSING = "–"  # an absent number (NaN): a dash, never "nan"


def num(x: Any, digits: int = 3) -> str:
    """A plain number to `digits` decimals, or a dash when it is missing."""
    return MISSING if x is None or pd.isna(x) else f"{x:.{digits}f}"


def signed(x: Any) -> str:
    """A gain or difference with its sign always shown (`+0.012`, `-0.004`): its direction is the point."""
    return MISSING if x is None or pd.isna(x) else f"{x:+.3f}"


def ci_text(low: Any, high: Any) -> str:
    """`[-0.004, +0.028]`, or `[n/a]` where no interval could be computed (fewer than two repeats)."""
    if low is None or pd.isna(low):
        return "[n/a]"
    return f"[{signed(low)}, {signed(high)}]"


def gain_text(mean: Any, low: Any, high: Any) -> str:
    """`+0.012 [-0.004, +0.028]`: a mean gain and its 95% interval, in the metric's units."""
    return f"{signed(mean)} {ci_text(low, high)}"


def md_table(df: pd.DataFrame) -> str:
    """A pipe table; floats to 3 decimals (missing as a dash), `|` inside cells made harmless."""
    if df.empty:
        return "*(no rows)*"
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _cell(v: object) -> str:
    return num(v) if isinstance(v, float) else str(v).replace("|", "/")


def capped(df: pd.DataFrame, limit: int, where: str) -> tuple[pd.DataFrame, str]:
    """The first `limit` rows, and a note saying how many were left out and where they all are.

    A long list is cut so the report stays readable, but never silently: the note ('' when nothing
    was cut) names the file that holds every row."""
    left = len(df) - limit
    return df.head(limit), (f"… and {left} more (see {where})." if left > 0 else "")
