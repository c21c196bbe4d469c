"""Text for Prefect artifacts, computed from the run's tables with the report's own functions.

The gain artifact shows the same paragraphs as the report's gain and recommendation sections, built
from `summary.csv` (never by parsing report.md), so the artifact cannot drift from the report and
does not depend on how the report is laid out. Figures are left out: the UI cannot load run files.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from synthaug.config import ExperimentConfig
from synthaug.layout import RunLayout
from synthaug.reporting.markdown import gain_text
from synthaug.reporting.report import guarded, primary_rows
from synthaug.reporting.sections import GAIN_TITLE, RECOMMENDATIONS_TITLE, gain_parts, recommendations_text


def read_summary(layout: RunLayout) -> pd.DataFrame:
    """summary.csv of a run, or an empty frame when the run wrote none."""
    return pd.read_csv(layout.summary) if layout.summary.is_file() else pd.DataFrame()


def gain_markdown(layout: RunLayout, cfg: ExperimentConfig, summary: pd.DataFrame | None = None) -> str:
    """The gain artifact: the report's gain table and recommendations, and where the full report is."""
    metric = cfg.protocol.primary_metric
    s = primary_rows(read_summary(layout) if summary is None else summary, metric)
    sections: list[tuple[str, Callable[[], str]]] = [
        (GAIN_TITLE, lambda: "\n\n".join(gain_parts(s, metric))),
        (RECOMMENDATIONS_TITLE, lambda: recommendations_text(s, metric))]
    parts = [f"# {cfg.name}: augmentation gain"]
    for title, body in sections:
        out = guarded(title, lambda title=title, body=body: (title, body()))
        if out:
            parts.append(f"## {out[0]}\n\n{out[1].strip()}")
    parts.append(f"Report: `{layout.report_html.resolve()}`")
    return "\n\n".join(parts)


def headline(summary: pd.DataFrame, metric: str) -> str:
    """One line for the artifact card on the flow-run page: verdict counts and the largest mean gain.

    The gain is written by the gain table's own formatter, so its numbers can be found in the table."""
    df = primary_rows(summary, metric) if "metric" in summary.columns else summary
    df = df.dropna(subset=["gain_mean"]) if "gain_mean" in df.columns else df.iloc[0:0]
    if df.empty:
        return f"{metric}: no gains computed"
    counts = df["verdict"].value_counts() if "verdict" in df.columns else pd.Series(dtype=int)
    verdicts = ", ".join(f"{v}: {n}" for v, n in counts.items())
    best = df.loc[df["gain_mean"].idxmax()]
    return (f"{metric}, {len(df)} cells ({verdicts}); largest mean gain {best['generator']} × {best['classifier']} "
            f"{gain_text(best['gain_mean'], best['ci_low'], best['ci_high'])}")
