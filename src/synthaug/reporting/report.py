"""Sections render Markdown (figures as PNGs under figures/); HTML embeds them as data URIs."""

from __future__ import annotations

import base64
import html
import importlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from synthaug.config import ExperimentConfig
from synthaug.store import write_text

log = logging.getLogger("synthaug")


@dataclass
class ReportContext:
    run_dir: Path
    config: ExperimentConfig
    results: pd.DataFrame
    summary: pd.DataFrame
    validation: pd.DataFrame
    cells: pd.DataFrame  # one row per sampled synthetic set
    runs: pd.DataFrame  # one row per computed cell (timings, split sizes)
    datadocs_index: Path | None = None

    @property
    def figures(self) -> Path:
        path = self.run_dir / "figures"
        path.mkdir(parents=True, exist_ok=True)
        return path


Section = Callable[[ReportContext], "tuple[str, str] | None"]

# Order of the report; each capability adds its section here ("module:function").
SECTIONS: list[str] = [
    "synthaug.reporting.sections:failed_cells_section",
    "synthaug.reporting.sections:overview_section",
    "synthaug.reporting.data_section:data_section",
    "synthaug.reporting.sections:generators_section",
    "synthaug.reporting.validation_section:validation_section",
    "synthaug.reporting.curves:distributions_section",
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


def render_markdown(ctx: ReportContext) -> str:
    parts = [f"# synthaug report: {ctx.config.name}\n"]
    for path in SECTIONS:
        try:
            section = _resolve(path)
            if section is None:
                continue
            out = section(ctx)
        except Exception as exc:  # noqa: BLE001 - one broken section must not lose the others
            log.exception("report section %s failed", path)
            out = (path.split(":")[1].replace("_", " "), f"*This section could not be built: {exc}*")
        if out:
            title, body = out
            parts.append(f"## {title}\n\n{body.strip()}\n")
    return "\n".join(parts)


def build_report(ctx: ReportContext) -> tuple[Path, Path]:
    md = render_markdown(ctx)
    write_text(ctx.run_dir / "report.md", md)
    write_text(ctx.run_dir / "report.html", to_html(md, ctx.run_dir, ctx.config.name))
    return ctx.run_dir / "report.md", ctx.run_dir / "report.html"


def to_html(md: str, base: Path, title: str) -> str:
    """Self-contained: local PNGs become data URIs so the file can be mailed or opened anywhere."""
    import markdown

    body = markdown.markdown(md, extensions=["tables", "fenced_code"])

    def embed(m: re.Match[str]) -> str:
        src = m.group(1)
        path = (base / src)
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
