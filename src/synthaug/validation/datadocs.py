"""Build GX Data Docs for a whole run from the evidence each cell saved under `cells/**/gx/*.json`.

Cells run in other threads or processes, so nothing is shared in memory: each saved suite and
validation result is loaded into a fresh ephemeral context whose only docs site is `run_dir/datadocs`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from synthaug.validation import gx_runner

log = logging.getLogger("synthaug")
DOCS_DIR = "datadocs"


def evidence_files(run_dir: Path) -> list[Path]:
    cells = Path(run_dir) / "cells"
    return sorted(cells.rglob(f"{gx_runner.GX_SUBDIR}/*.json")) if cells.is_dir() else []


def build_data_docs(run_dir: Path) -> Path | None:
    """Render every saved suite and result; returns `datadocs/index.html`, or None when nothing was saved."""
    files = evidence_files(run_dir)
    if not files:
        return None
    import great_expectations as gx
    from great_expectations.data_context.data_context.context_factory import project_manager

    site = Path(run_dir) / DOCS_DIR
    with gx_runner._LOCK:
        previous = gx_runner._STATE.get("context")
        ctx = gx.get_context(mode="ephemeral")
        try:
            ctx.variables.progress_bars = gx_runner.quiet_progress_bars()
            ctx.add_data_docs_site("synthaug", {
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
            })
            for path in files:
                _load(ctx, path, run_dir)
            ctx.build_data_docs(site_names=["synthaug"])
        finally:
            project_manager.set_project(previous)
    index = site / "index.html"
    return index if index.is_file() else None


def _load(ctx: Any, path: Path, run_dir: Path) -> None:
    """Put one saved suite and its result into the context's stores (skipping unreadable files)."""
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import expectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    try:
        saved = json.loads(path.read_text())
        suite = gx.ExpectationSuite(**saved["suite"])
        result = expectationSuiteValidationResultSchema.load(saved["result"])
    except Exception as exc:  # noqa: BLE001 - one bad file must not lose the other cells' docs
        log.warning("skipping Data Docs evidence %s: %s", path, exc)
        return
    ctx.suites.add_or_update(suite)
    set_dir = path.parent.parent.relative_to(Path(run_dir) / "cells")
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=saved["suite_name"]),
        run_id=RunIdentifier(run_name=str(set_dir).replace("/", "-")),
        batch_identifier="synthetic",
    )
    ctx.validation_results_store.set(key, result)
