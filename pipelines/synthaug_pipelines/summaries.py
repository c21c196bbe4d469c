"""Text for Prefect artifacts, cut from the report the library already rendered (written once)."""

from __future__ import annotations

from pathlib import Path

from synthaug.config import ExperimentConfig


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
    return "\n\n".join(p for p in parts if p)
