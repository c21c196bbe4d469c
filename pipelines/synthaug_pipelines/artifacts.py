"""What a finished (or advancing) run shows in the Prefect UI: progress, tables, links, tags.

All of it is read from what the library already wrote into the run folder; nothing here computes a
result. Links are `file://` URLs: they open in a browser on the machine that ran the flow (the
worker's machine for deployments), and a link is only published when its target exists.
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pandas as pd
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from synthaug.config import ExperimentConfig
from synthaug.layout import RunLayout
from synthaug.records import to_jsonable
from synthaug.reporting.markdown import capped

PROGRESS_KEY = "grid-progress"
GAIN_KEY = "gain-table"
SUMMARY_KEY = "gain-summary"
CELLS_KEY = "grid-cells"
REPORT_KEY = "report"
DATADOCS_KEY = "data-docs"
TABLE_ROWS = 500  # the UI renders a table artifact whole: keep it small enough to open
SUMMARY_COLUMNS = ("fraction", "ratio", "strategy", "generator", "classifier", "metric", "repeats",
                   "baseline_mean", "gain_mean", "ci_low", "ci_high", "p_value", "win_rate", "verdict", "gated",
                   "ci_method")


class GridProgress:
    """A progress artifact that follows the grid, at most one update per `interval` seconds.

    Created by the parent flow run (so it shows on the run a user opens), advanced by the grid subflow,
    which receives only the artifact id. Why the rate: every update is a synchronous API call from the
    flow's own thread, about 40 ms on 2 cores; a cached re-run finishes 30 cells in about a second and
    spent it waiting on 30 updates. A failed cell and the last cell are shown at once; any other update
    held back is sent by a timer when the interval has passed, so the artifact never lags a quiet grid."""

    def __init__(self, total: int, name: str, artifact_id: UUID | str | None = None,
                 interval: float = 1.0) -> None:
        self.total, self.done, self.failed, self.name = max(total, 1), 0, 0, name
        self.interval, self._sent_at, self._last = interval, float("-inf"), ""
        self._lock, self._timer = threading.Lock(), None
        self.id = UUID(str(artifact_id)) if artifact_id else create_progress_artifact(
            0.0, key=PROGRESS_KEY, description=self._text())

    def _text(self, last: str = "") -> str:
        tail = f"; last: {last}" if last else ""
        failed = f" ({self.failed} failed)" if self.failed else ""
        return f"{self.name}: {self.done}/{self.total} cells finished{failed}{tail}"

    def advance(self, cell_id: str, cache_hit: bool = False, failed: bool = False) -> None:
        with self._lock:
            self.done += 1
            self.failed += int(failed)
            self._last = cell_id + (" (FAILED)" if failed else " (cached)" if cache_hit else "")
            wait = self._sent_at + self.interval - time.monotonic()
            if failed or self.done >= self.total or wait <= 0:
                self._send()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Send the update held back, if any (the timer's job; the grid calls it when it stops early)."""
        with self._lock:
            if self._timer is not None:
                self._send()

    def _send(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._sent_at = time.monotonic()
        update_progress_artifact(self.id, 100.0 * self.done / self.total, description=self._text(self._last))


def table_rows(df: pd.DataFrame, columns: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """JSON-safe rows (NaN to None, numpy to Python, floats to 4 decimals) for a table artifact."""
    if columns:
        df = df[[c for c in columns if c in df.columns]]
    return [{k: _plain(v) for k, v in rec.items()} for rec in df.to_dict(orient="records")]


def _plain(v: Any) -> Any:
    v = to_jsonable(v)
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else round(v, 4)
    return v


def table_artifact(df: pd.DataFrame, key: str, description: str, where: Path,
                   columns: tuple[str, ...] | None = None) -> None:
    """A table artifact of at most TABLE_ROWS rows; a cut table says so and names the file with every row."""
    shown, more = capped(df, TABLE_ROWS, f"`{where}`")
    create_table_artifact(table_rows(shown, columns), key=key, description=f"{description} {more}".strip())


def file_link(path: Path) -> str | None:
    """`file://` URL of an existing file, else None (a dead link in the UI helps nobody)."""
    path = Path(path).resolve()
    return path.as_uri() if path.is_file() else None


def publish_results(cfg: ExperimentConfig, run_dir: Path) -> dict[str, str | None]:
    """Gain table (markdown, with verdicts), summary and per-cell tables, and links to report and Data Docs."""
    # here, not at the top: process workers import this module (the flows') and need no report code
    from synthaug_pipelines.summaries import gain_markdown, headline, read_summary

    layout = RunLayout(run_dir)
    metric = cfg.protocol.primary_metric
    df = read_summary(layout)
    create_markdown_artifact(key=GAIN_KEY, markdown=gain_markdown(layout, cfg, df),
                             description=f"Augmentation gain for {cfg.name}: {headline(df, metric)}")
    if not df.empty:
        if "metric" in df.columns:
            df = df[df["metric"] == metric]
        table_artifact(df, SUMMARY_KEY, f"{cfg.name}: {metric} gain per cell over repeats, with 95% CI "
                       f"and verdict ({layout.summary})", layout.summary, SUMMARY_COLUMNS)
    cells = layout.table("cells")
    if cells.is_file():
        table_artifact(pd.read_parquet(cells), CELLS_KEY, f"{cfg.name}: one row per grid cell (timings, cache hits)",
                       cells)
    return publish_links(cfg.name, layout)


def publish_links(name: str, layout: RunLayout) -> dict[str, str | None]:
    """Link artifacts to the HTML report and the Data Docs, each only when its file exists."""
    links = {REPORT_KEY: file_link(layout.report_html), DATADOCS_KEY: file_link(layout.datadocs_index)}
    texts = {REPORT_KEY: "HTML report", DATADOCS_KEY: "Great Expectations Data Docs"}
    for key, url in links.items():
        if url:
            create_link_artifact(url, link_text=f"{name}: {texts[key]}", key=key,
                                 description=f"{texts[key]} at {url[len('file://'):]} (a file on the machine "
                                             "that ran this flow; open it in a browser there)")
    return links


def run_tags(cfg: ExperimentConfig) -> list[str]:
    """Tags to filter runs by in the UI: the product, the experiment, the dataset, the runner."""
    dataset = Path(cfg.dataset.source).stem or cfg.dataset.source
    return ["synthaug", f"experiment:{cfg.name}", f"dataset:{dataset}", f"runner:{cfg.runtime.task_runner}"]


def tag_current_flow_run(tags: list[str]) -> None:
    """Add tags to the running flow run itself (a deployment's tags are kept); best effort."""
    from prefect.client.orchestration import get_client
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    if not run_id:
        return
    try:
        with get_client(sync_client=True) as client:
            current = client.read_flow_run(run_id).tags or []
            client.update_flow_run(run_id, tags=sorted(set(current) | set(tags)))
    except Exception:  # noqa: BLE001 - tags are a convenience; never fail a run over them
        pass
