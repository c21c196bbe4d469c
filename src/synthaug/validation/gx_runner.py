"""Run a list of Great Expectations expectations on one DataFrame and turn the result into records.

Generic on purpose: the tabular suite and the image checks both call `run_expectations`, so the GX
plumbing (quiet context, row-level vs aggregate semantics, evidence saved for Data Docs) lives once.
The GX context is created lazily once per process and shared by threads under a lock: creating it
and importing GX costs seconds, validating a small frame costs milliseconds.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthaug.layout import GX_DIR
from synthaug.validation.checks import AGGREGATE, EXPECTATION, ROW, CheckRecord, expectation_check
from synthaug.validation.gx_speedups import (
    column_types_resolved_once,
    configurations_built_once,
    domain_objects_built_once,
    fast_json_conversion,
)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

_LOCK = threading.RLock()
_STATE: dict[str, Any] = {}
# Keys of GX's COMPLETE result that can hold one entry per row: kept in memory, never saved.
_BULKY = ("unexpected_list", "unexpected_index_list", "unexpected_index_query", "unexpected_rows")


@dataclass
class GXOutcome:
    """What one GX run says about a frame.

    `row_failed[i]` is True when row i failed a row-level expectation (a map expectation without
    `mostly`); aggregate expectations never mark rows. `per_expectation_unexpected` maps each
    record's `check` name to its count of failing rows (0 for aggregates).
    """

    checks: list[CheckRecord]
    row_failed: np.ndarray
    per_expectation_unexpected: dict[str, int] = field(default_factory=dict)
    success: bool = True
    evidence_path: Path | None = None

    @property
    def failed_checks(self) -> list[str]:
        """Check names of the expectations that failed (row-level or aggregate)."""
        return [r.check for r in self.checks if r.success is False]


def suite_label(workdir: Path | None) -> str:
    """Unique, readable suite name per sampled set: the workdir path below `cells/`."""
    if workdir is None:
        return "synthetic"
    parts = Path(workdir).parts
    tail = parts[parts.index("cells") + 1:] if "cells" in parts else parts[-1:]
    return "-".join(tail) or "synthetic"


def gx_context() -> Any:
    """The per-process GX context, data source and batch definition (created on first use)."""
    with _LOCK:
        if "batch_definition" not in _STATE:
            import great_expectations as gx

            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = quiet_progress_bars()
            asset = ctx.data_sources.add_pandas("synthaug").add_dataframe_asset("frame")
            _STATE["context"] = ctx
            _STATE["batch_definition"] = asset.add_batch_definition_whole_dataframe("whole_frame")
        return _STATE["context"]


@contextmanager
def separate_context() -> Iterator[Any]:
    """A fresh ephemeral GX context for a side job (building Data Docs), under the shared lock.

    GX keeps one "current project" per process; the shared validation context is made current
    again afterwards, so a docs build never captures the suites of a validation running beside it.
    """
    import great_expectations as gx
    from great_expectations.data_context.data_context.context_factory import project_manager

    with _LOCK:
        previous = _STATE.get("context")
        ctx = gx.get_context(mode="ephemeral")
        try:
            ctx.variables.progress_bars = quiet_progress_bars()
            yield ctx
        finally:
            project_manager.set_project(previous)


def quiet_progress_bars() -> Any:
    """GX's tqdm bars flood stderr (one per expectation): both switches off."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    return ProgressBarsConfig(globally=False, metric_calculations=False)


def _activate(ctx: Any) -> None:
    from great_expectations.data_context.data_context.context_factory import project_manager

    project_manager.set_project(ctx)


def is_row_level(expectation: Any) -> bool:
    """Row-level = a per-row (map) expectation without `mostly`: only these may delete rows."""
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    is_map = isinstance(expectation, ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation)
    mostly = getattr(expectation, "mostly", 1.0)
    return bool(is_map and (mostly is None or float(mostly) >= 1.0))


def run_expectations(df: pd.DataFrame, expectations: list, suite_name: str,
                     workdir: Path | None = None) -> GXOutcome:
    """Validate `df` against `expectations`; save the suite and trimmed result under workdir/gx/.

    Rows are addressed by position (the index is reset), so `row_failed` aligns with `df` as given.
    """
    import great_expectations as gx

    frame = df.reset_index(drop=True)
    ctx = gx_context()
    fast_json_conversion()
    with _LOCK, configurations_built_once(), domain_objects_built_once(), column_types_resolved_once():
        _activate(ctx)  # someone else's get_context() must not capture our suites
        suite = gx.ExpectationSuite(name=suite_name, expectations=list(expectations))
        batch = _STATE["batch_definition"].get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite, result_format={"result_format": "COMPLETE", "partial_unexpected_count": 20})
    row_failed = np.zeros(len(frame), dtype=bool)
    records: list[CheckRecord] = []
    counts: dict[str, int] = {}
    for res in result.results:
        level = is_row_level(res.expectation_config.to_domain_obj())
        rec, idx = _record(res, level, len(frame), suite_name, counts)
        counts[rec.check] = rec.unexpected if level else 0
        if level and rec.success is False:
            row_failed[idx] = True
        records.append(rec)
    evidence = _save(suite, result, workdir, suite_name) if workdir is not None else None
    return GXOutcome(records, row_failed, counts, bool(result.success), evidence)


def _record(res: Any, row_level: bool, n_rows: int, suite_name: str, seen: dict[str, int]
            ) -> tuple[CheckRecord, Any]:
    """One record per expectation result (named uniquely among `seen`), plus its failing rows' positions."""
    cfg = res.expectation_config
    kwargs = dict(cfg.kwargs)
    column = kwargs.get("column") or ",".join(kwargs.get("column_list", []) or [])
    body = dict(res.result or {})
    exc = _exception(res.exception_info)
    raised = bool(exc.get("raised_exception"))
    idx: Any = np.asarray(body.get("unexpected_index_list") or [], dtype=np.int64)
    if row_level and not res.success and (raised or "unexpected_index_list" not in body):
        idx = slice(None)  # column missing or of the wrong dtype: every row fails it
    unexpected = n_rows if isinstance(idx, slice) else int(len(idx))
    if not row_level:
        unexpected = int(body.get("unexpected_count") or 0) if "unexpected_count" in body else 0
    mostly = kwargs.get("mostly")
    if "unexpected_count" in body and n_rows:
        observed = float(body.get("unexpected_percent_total", body.get("unexpected_percent") or 0.0)) / 100.0
        threshold = 1.0 - float(mostly) if mostly is not None else 0.0
    else:
        observed, threshold = _as_float(body.get("observed_value")), _as_float(kwargs.get("threshold"))
    detail = exc.get("exception_message") if raised else _detail(kwargs, body)
    check = _unique_name(expectation_check(cfg.type, column), seen)
    return CheckRecord(check, EXPECTATION, bool(res.success), observed, threshold, str(detail)[:300], unexpected,
                       column or "", cfg.type, ROW if row_level else AGGREGATE, suite_name), idx


def _exception(info: Any) -> dict[str, Any]:
    """GX nests exception info per metric when a metric fails; flatten to the first one raised."""
    if not isinstance(info, dict):
        return {}
    if "raised_exception" in info:
        return info
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return value
    return {}


def _detail(kwargs: dict[str, Any], body: dict[str, Any]) -> str:
    """Short human text: the bounds or set expected, and a few offending values."""
    shown = {k: v for k, v in kwargs.items() if k not in ("column", "batch_id", "partition_object")}
    for k, v in shown.items():
        if isinstance(v, list) and len(v) > 8:
            shown[k] = v[:8] + [f"... {len(v) - 8} more"]
    text = ", ".join(f"{k}={v}" for k, v in shown.items())
    sample = body.get("partial_unexpected_list")
    if sample:
        text += f"; e.g. {sample[:3]}"
    return text


def _as_float(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _unique_name(name: str, seen: dict[str, int]) -> str:
    if name not in seen:
        return name
    i = 2
    while f"{name}#{i}" in seen:
        i += 1
    return f"{name}#{i}"


def _save(suite: Any, result: Any, workdir: Path, suite_name: str) -> Path:
    """Write suite + result JSON (bulky per-row lists dropped) so Data Docs can be built later."""
    res = result.to_json_dict()
    for r in res.get("results", []):
        body = r.get("result") or {}
        for key in _BULKY:
            body.pop(key, None)
    folder = Path(workdir) / GX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_safe(suite_name)}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"suite_name": suite_name, "suite": suite.to_json_dict(), "result": res},
                              default=_json_default))
    tmp.replace(path)
    return path


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)
