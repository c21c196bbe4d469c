"""Text for Prefect artifacts, cut from the report the library already rendered (written once)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from synthaug.config import ExperimentConfig

# Report figures are relative files; the UI cannot load them, so the artifact links the report instead.
_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$", re.MULTILINE)


def report_section(run_dir: Path, title: str) -> str:
    """The body of one `## title` section of report.md, or '' when absent."""
    text = (run_dir / "report.md").read_text()
    start = text.find(f"## {title}")
    if start < 0:
        return ""
    end = text.find("\n## ", start + 3)
    return text[start:end if end > 0 else None].strip()


def gain_markdown(run_dir: Path, cfg: ExperimentConfig) -> str:
    parts = [f"# {cfg.name}: augmentation gain", report_section(run_dir, "Augmentation gain"),
             report_section(run_dir, "Recommendations"), f"Report: `{(run_dir / 'report.html').resolve()}`"]
    text = "\n\n".join(p for p in parts if p)
    return re.sub(r"\n{3,}", "\n\n", _IMAGE.sub("", text))


def fmt_gain(mean: float, low: float, high: float) -> str:
    """The gain table's own cell format, so the headline's numbers can be found in the table."""
    return f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]"


def headline(summary: pd.DataFrame, metric: str) -> str:
    """One line for the artifact card on the flow-run page: verdict counts and the largest mean gain."""
    df = summary[summary["metric"] == metric] if "metric" in summary.columns else summary
    df = df.dropna(subset=["gain_mean"]) if "gain_mean" in df.columns else df.iloc[0:0]
    if df.empty:
        return f"{metric}: no gains computed"
    counts = df["verdict"].value_counts() if "verdict" in df.columns else pd.Series(dtype=int)
    verdicts = ", ".join(f"{v}: {n}" for v, n in counts.items())
    best = df.loc[df["gain_mean"].idxmax()]
    return (f"{metric}, {len(df)} cells ({verdicts}); largest mean gain {best['generator']} × {best['classifier']} "
            f"{fmt_gain(best['gain_mean'], best['ci_low'], best['ci_high'])}")
