"""The run folder of the contract: started with config and manifest, finished with tables, report and COMPLETE."""

from __future__ import annotations

import logging
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from synthaug.config import ExperimentConfig, dump_config
from synthaug.data.dataset import Dataset
from synthaug.evaluation.statistics import summarise
from synthaug.layout import TABLES, RunLayout
from synthaug.store import new_run_dir, write_json, write_parquet, write_text

log = logging.getLogger("synthaug")
PACKAGES = ("synthaug", "sdv", "sdmetrics", "rdt", "ctgan", "prefect", "great-expectations", "scikit-learn",
            "imbalanced-learn", "torch", "pandas", "numpy", "scipy", "pydantic")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str:
    try:
        res = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, timeout=5, cwd=Path(__file__).resolve().parent).stdout.strip()
        return res.stdout.strip() + ("-dirty" if dirty else "") if res.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def dataset_summary(data: Dataset) -> dict[str, Any]:
    info: dict[str, Any] = {"name": data.name, "kind": data.kind, "rows": len(data), "target": data.target,
                            "class_counts": data.named_counts(),
                            "fingerprint": data.fingerprint(), **{k: v for k, v in data.meta.items()
                                                                  if isinstance(v, str | int | float | list | tuple)}}
    if data.kind == "tabular":
        info["columns"] = data.columns
        if data.labels is not None:
            info["label_values"], info["label_dtype"] = list(data.labels.values), data.labels.dtype
        if data.schema is not None:
            info["column_dtypes"] = {c: i.dtype for c, i in data.schema.columns.items()}
            info["notices"] = list(data.schema.notices)
    else:
        info["image_shape"] = list(data.X.shape[1:])
    return info


def start_run(cfg: ExperimentConfig, data: Dataset) -> Path:
    """Create the folder and record what will run; no COMPLETE until `finalize` succeeds."""
    run_dir = new_run_dir(Path(cfg.output.dir).resolve(), cfg.name)
    layout = RunLayout(run_dir)
    write_text(layout.config, dump_config(cfg))
    write_real_sample(cfg, data, layout)
    write_json(layout.manifest, {
        "name": cfg.name, "seed": cfg.seed, "packages": package_versions(), "git_commit": git_commit(),
        "dataset": dataset_summary(data), "platform": platform.platform(),
    })
    for notice in data.schema.notices if data.schema is not None else ():
        log.warning("data: %s", notice)  # the CLI shows these; the manifest and the report keep them
    log.info("run folder %s", run_dir)
    return run_dir


REAL_SAMPLE_ROWS = 2000


def write_real_sample(cfg: ExperimentConfig, data: Dataset, layout: RunLayout) -> None:
    """The real training rows behind the report's distributions figure (repeat 0, largest fraction,
    at most REAL_SAMPLE_ROWS, seeded): the report reads them from the run folder instead of reloading
    and re-splitting the dataset. Tables only; images are shown from the cells' sample grids."""
    if data.kind != "tabular":
        return
    from synthaug.evaluation.splits import derive_seed, make_split

    p = cfg.protocol
    split = make_split(data, cfg.seed, 0, max(p.fractions), p.repeats, p.test_size)
    frame = data.take(split.train).output_frame()
    if len(frame) > REAL_SAMPLE_ROWS:
        frame = frame.sample(REAL_SAMPLE_ROWS, random_state=derive_seed(cfg.seed, "real-sample") % 2**32)
    write_parquet(layout.real_sample, frame.reset_index(drop=True))


def collect(results: list[Any]) -> dict[str, pd.DataFrame]:
    """CellResults to the contract's tables."""
    frames = {
        "results": pd.DataFrame([r.as_row() for c in results for r in c.results]),
        "validation": pd.DataFrame([r for c in results for r in c.validation]),
        "sets": pd.DataFrame([s.as_row() for c in results for s in c.sets]),
        "cells": pd.DataFrame([c.info.as_row() for c in results]),
    }
    for name in ("validation", "sets"):
        df = frames[name]
        for col in df.columns:
            if df[col].dtype == object:
                df[col] = _parquet_safe(df[col])
    return frames


def _parquet_safe(col: pd.Series) -> pd.Series:
    """Flags with gaps (True/False/None) stay a nullable boolean; other mixed columns become text."""
    present = col.dropna()
    if len(present) and present.map(lambda v: isinstance(v, bool)).all():
        return col.astype("boolean")
    return col.map(lambda v: v if v is None or isinstance(v, str) else str(v))


def wait_for_workers() -> None:
    """What a driver does while its cells run in worker processes: drop its copy of the data (each
    worker loads its own) and load the report's modules meanwhile, so the end of the run is shorter."""
    from synthaug.reporting.report import import_sections_in_background
    from synthaug.warmup import release_data

    release_data()
    import_sections_in_background()


def finalize(cfg: ExperimentConfig, run_dir: Path, results: list[Any]) -> Path:
    """Write tables, summary, Data Docs and report, then COMPLETE last: a folder without it is not a result."""
    from synthaug.reporting import ReportContext, build_report

    layout = RunLayout(run_dir)
    shutil.rmtree(layout.scratch, ignore_errors=True)  # every cell is done with it
    frames = collect(results)
    summary = summarise(frames["results"], cfg.protocol.alpha)
    for name in TABLES:
        write_parquet(layout.table(name), frames[name])
    write_text(layout.summary, summary.to_csv(index=False))
    datadocs = _data_docs(cfg, run_dir)
    ctx = ReportContext(run_dir=run_dir, config=cfg, results=frames["results"], summary=summary,
                        validation=frames["validation"], cells=frames["sets"], runs=frames["cells"],
                        datadocs_index=datadocs)
    build_report(ctx)
    failed = [c.cell.id for c in results if c.failed]
    record_status(run_dir, failed)
    write_text(layout.complete, f"complete with {len(failed)} failed cell(s): {', '.join(failed)}\n"
               if failed else "ok\n")
    log.info("report: %s", layout.report_html)
    return run_dir


def record_status(run_dir: Path, failed: list[str]) -> None:
    """`manifest.json` says whether the run is whole: `complete`, or `complete_with_failures` and which
    cells (the report opens with them; a rerun recomputes only those)."""
    import json

    path = RunLayout(run_dir).manifest
    manifest = json.loads(path.read_text()) if path.is_file() else {}
    manifest.update(status="complete_with_failures" if failed else "complete", failed_cells=failed)
    write_json(path, manifest)


def run_status(run_dir: Path) -> tuple[str, list[str]]:
    """(status, failed cell ids) of a finished run folder, from its manifest."""
    import json

    manifest = json.loads(RunLayout(run_dir).manifest.read_text())
    return str(manifest.get("status", "complete")), list(manifest.get("failed_cells", []))


def _data_docs(cfg: ExperimentConfig, run_dir: Path) -> Path | None:
    """Link the sites the cells rendered in their workers (`runner.build_cell_docs`): no rendering here."""
    if not cfg.validation.data_docs:
        return None
    from synthaug.validation.datadocs import stitch_index

    try:
        return stitch_index(run_dir)
    except OSError as exc:  # Data Docs are evidence, not results; say so and go on
        log.warning("Data Docs index could not be written: %s", exc)
        return None


def rebuild_report(run_dir: Path) -> Path:
    """Re-render report.md/html of a finished run from its files (after a report change, say)."""
    from synthaug.reporting import ReportContext, build_report

    layout = RunLayout(run_dir)
    if not layout.is_complete:
        from synthaug.errors import InputError

        raise InputError(f"run folder {str(run_dir)!r} has no COMPLETE marker: it is not a finished run")
    build_report(ReportContext.from_run(run_dir))
    return layout.report_html
