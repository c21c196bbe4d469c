"""Sections render Markdown (figures as PNGs under figures/); HTML embeds them as data URIs.

The report reads only the run folder (through `RunLayout`) and the tables `finalize` passes in, so it
can be rebuilt from a finished folder alone (`synthaug report RUN_DIR`) and shows exactly what the run
recorded.
"""

from __future__ import annotations

import base64
import contextlib
import html
import importlib
import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from synthaug.config import ExperimentConfig
from synthaug.layout import TABLES, RunLayout
from synthaug.store import write_text

log = logging.getLogger("synthaug")


@dataclass
class ReportContext:
    """What every section reads: the run folder's layout, the resolved config and the run's tables."""

    run_dir: Path
    config: ExperimentConfig
    results: pd.DataFrame
    summary: pd.DataFrame
    validation: pd.DataFrame
    cells: pd.DataFrame  # one row per sampled synthetic set (sets.parquet)
    runs: pd.DataFrame  # one row per computed cell: timings, split sizes (cells.parquet)
    datadocs_index: Path | None = None
    layout: RunLayout = field(init=False)

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir)
        self.layout = RunLayout(self.run_dir)

    @classmethod
    def from_run(cls, run_dir: Path, config: ExperimentConfig | None = None) -> ReportContext:
        """Everything a report needs, read back from a finished run folder (`synthaug report RUN_DIR`)."""
        layout = RunLayout(run_dir)
        if config is None:
            from synthaug.config import build_config, read_yaml

            config = build_config(read_yaml(layout.config), origin=str(layout.config))
        t = {name: pd.read_parquet(layout.table(name)) for name in TABLES}
        docs = layout.datadocs_index if layout.datadocs_index.is_file() else None
        return cls(layout.root, config, t["results"], pd.read_csv(layout.summary), t["validation"],
                   t["sets"], t["cells"], docs)

    @property
    def metric(self) -> str:
        """`protocol.primary_metric`: the metric every verdict, figure and recommendation is about."""
        return self.config.protocol.primary_metric

    @property
    def primary(self) -> pd.DataFrame:
        """The summary rows of the primary metric: the only ones verdicts and recommendations use."""
        return primary_rows(self.summary, self.metric)

    @cached_property
    def manifest(self) -> dict[str, Any]:
        """manifest.json (dataset summary, commit, versions), read once for every section that quotes it."""
        return json.loads(self.layout.manifest.read_text())

    def figure(self, name: str) -> tuple[Path, str]:
        """Where to save figure `name`, and the link to it relative to the report (folder created)."""
        path = self.layout.figure(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path, self.link(path)

    def link(self, path: Path) -> str:
        """A run-folder file as a link relative to report.md (so the folder can be moved or mailed)."""
        return Path(path).relative_to(self.layout.root).as_posix()


def primary_rows(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Summary rows of one metric (the report and the artifacts select them the same way)."""
    return summary[summary["metric"] == metric] if not summary.empty else summary


Section = Callable[[ReportContext], "tuple[str, str] | None"]

# Order of the report; each capability adds its section here ("module:function").
SECTIONS: list[str] = [
    "synthaug.reporting.sections:failed_cells_section",
    "synthaug.reporting.sections:overview_section",
    "synthaug.reporting.data_section:data_section",
    "synthaug.reporting.sections:generators_section",
    "synthaug.reporting.validation_section:validation_section",
    "synthaug.reporting.curves:distributions_section",
    "synthaug.reporting.recipes_section:best_recipe_section",
    "synthaug.reporting.sections:gains_section",
    "synthaug.reporting.curves:learning_curves_section",
    "synthaug.reporting.sections:tstr_section",
    "synthaug.reporting.curves:generative_vs_discriminative_section",
    "synthaug.reporting.sections:recommendations_section",
    "synthaug.reporting.images_section:images_section",
]


def _resolve(path: str) -> Section | None:
    """Only a section module that is not installed is skipped; a broken one raises, so it shows."""
    module, func = path.split(":")
    try:
        return getattr(importlib.import_module(module), func)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def import_sections(draw: bool = True) -> None:
    """Import every section's module (the figure code) and, when figures will be drawn, matplotlib. A
    section that fails to import here fails again, visibly, when the report is built."""
    for path in SECTIONS:
        with contextlib.suppress(Exception):
            _resolve(path)
    if draw:
        with contextlib.suppress(Exception):
            from synthaug.reporting.figures import load_pyplot

            load_pyplot()


_importing: list[threading.Thread] = []  # at most one per process


def import_sections_in_background(draw: bool = True) -> None:
    """For a driver whose cells run in worker processes: it waits for them anyway, so the report's
    imports happen meanwhile, about half a second less after the last cell. `draw=False` (every cell
    and so every figure comes from the cache) leaves matplotlib out. `build_report` joins the thread
    first, so two threads never import the same modules at once."""
    if not _importing:
        _importing.append(threading.Thread(target=import_sections, args=(draw,), name="synthaug-report-imports",
                                           daemon=True))
        _importing[0].start()


def guarded(name: str, build: Callable[[], tuple[str, str] | None]) -> tuple[str, str] | None:
    """Run one section; a failure becomes a visible note under its title instead of losing the others."""
    try:
        return build()
    except Exception as exc:  # noqa: BLE001 - one broken section must not lose the others
        log.exception("report section %s failed", name)
        return name.replace("_", " "), f"*This section could not be built: {exc}*"


def render_markdown(ctx: ReportContext) -> str:
    """report.md: every section in SECTIONS order; a section that returns None has nothing to say."""
    parts = [f"# synthaug report: {ctx.config.name}\n"]
    for path in SECTIONS:
        section = guarded(path.split(":")[1], lambda p=path: _run(p, ctx))
        if section:
            title, body = section
            parts.append(f"## {title}\n\n{body.strip()}\n")
    return "\n".join(parts)


def _run(path: str, ctx: ReportContext) -> tuple[str, str] | None:
    """One section by its "module:function" path (None when its module is not installed)."""
    section = _resolve(path)
    return section(ctx) if section is not None else None


def build_report(ctx: ReportContext) -> tuple[Path, Path]:
    """Write report.md and its self-contained HTML twin; returns both paths."""
    for thread in _importing:
        thread.join()
    from synthaug.reporting.figure_cache import figure_store

    runtime = ctx.config.runtime
    with figure_store(runtime.cache_dir if runtime.cache else None):
        md = render_markdown(ctx)
    layout = ctx.layout
    write_text(layout.report_md, md)
    write_text(layout.report_html, to_html(md, layout.root, ctx.config.name))
    return layout.report_md, layout.report_html


def to_html(md: str, base: Path, title: str) -> str:
    """Self-contained: local PNGs become data URIs so the file can be mailed or opened anywhere."""
    import markdown

    body = markdown.markdown(md, extensions=["tables", "fenced_code"])

    def embed(m: re.Match[str]) -> str:
        src = m.group(1)
        path = base / src
        if src.startswith(("http:", "https:", "data:")) or not path.is_file() or path.suffix.lower() != ".png":
            return m.group(0)
        data = base64.b64encode(path.read_bytes()).decode()
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^"]+)"', embed, body)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body>{body}</body></html>")


_CSS = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:4px 8px;
text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}img{max-width:100%}
code{background:#f5f5f5;padding:1px 4px}"""
