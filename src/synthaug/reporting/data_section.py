"""The "Data" section: how the table was read — column kinds, dtypes, conversions and every row or
column dropped — so nothing is lost without a word. Reads only `manifest.json` of the run folder."""

from __future__ import annotations

from typing import Any

import pandas as pd

from synthaug.reporting.markdown import md_table
from synthaug.reporting.report import ReportContext


def data_section(ctx: ReportContext) -> tuple[str, str] | None:
    ds = ctx.manifest["dataset"]
    if ds.get("kind") != "tabular":
        return None
    return "Data", "\n\n".join(data_lines(ds))


def data_lines(ds: dict[str, Any]) -> list[str]:
    """Markdown paragraphs shared by the report and `--dry-run` (plain text reads the same)."""
    lines = [f"Target `{ds['target']}` read as `{ds.get('label_dtype', '?')}` with classes "
             + ", ".join(f"`{k}` ({v})" for k, v in ds["class_counts"].items())
             + "; inside, classes are codes 0..K-1 in this order, and every output shows the original values."]
    notices = ds.get("notices") or []
    lines.append("Conversions and drops:\n\n" + "\n".join(f"- {n}" for n in notices) if notices
                 else "Nothing was dropped or converted beyond the column kinds below.")
    dtypes = ds.get("column_dtypes") or {}
    table = pd.DataFrame({"column": list(ds["columns"]), "kind": list(ds["columns"].values()),
                          "read as": [dtypes.get(c, "") for c in ds["columns"]]})
    lines.append(md_table(table))
    return lines
