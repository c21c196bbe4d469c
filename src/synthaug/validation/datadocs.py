"""GX Data Docs from the evidence each cell saved under `cells/<cell>/<set>/gx/*.json`.

Why per cell: rendering Data Docs was most of `finalize` (about a minute on the quickstart, one set
after another on one core). Each cell now renders its own small site (`cells/<cell>/datadocs/`) in
the worker that validated it, in parallel, and the cell cache keeps it with the cell's other files;
`finalize` only writes `datadocs/index.html`, a page linking every cell's site with its pass/fail
counts. `build_data_docs` still renders one site for a whole folder (tools and tests use it).
"""

from __future__ import annotations

import copy
import functools
import html
import json
import logging
import re
from pathlib import Path
from typing import Any

from synthaug.layout import RunLayout
from synthaug.validation.gx_runner import separate_context

log = logging.getLogger("synthaug")
_STATIC_LINK = re.compile(r"static/([^\"'()\s?#]+)")  # a page's link into its site's static/


def build_data_docs(run_dir: Path) -> Path | None:
    """One site for every set below `run_dir/cells` into `run_dir/datadocs`; None when nothing was saved."""
    layout = RunLayout(run_dir)
    return build_site(layout.gx_evidence(), layout.datadocs, layout.cells_dir)


def build_cell_docs(cell_dir: Path) -> Path | None:
    """The site of one cell's sets into `cell_dir/datadocs` (run in the worker that validated them)."""
    cell_dir = Path(cell_dir)
    layout, cell_id = RunLayout(cell_dir.parent.parent), cell_dir.name
    return build_site(layout.gx_evidence(cell_id), layout.cell_docs(cell_id), layout.cells_dir)


def build_site(files: list[Path], site: Path, cells_root: Path) -> Path | None:
    """Render `files` into a GX site at `site`; returns its index.html (None for no evidence)."""
    if not files:
        return None
    speed_up_chart_rendering()
    with separate_context() as ctx:
        ctx.add_data_docs_site("synthaug", {
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
        })
        for path in files:
            _load(ctx, path, cells_root)
        ctx.build_data_docs(site_names=["synthaug"])
    prune_static(site)
    index = site / "index.html"
    return index if index.is_file() else None


def prune_static(site: Path) -> int:
    """Delete the files under `site/static` that no page of the site links to; returns how many.

    Why: GX copies its whole asset folder (fonts, screenshots: 4 MB) into every site, while its pages
    load styles and scripts from CDNs and link only the favicon. With one site per cell that was 96 of
    the quickstart run folder's 116 MB, written, checksummed and copied again by the cell cache on every
    re-run. Whatever a page does reference stays, so the site is as complete as before."""
    static = site / "static"
    if not static.is_dir():
        return 0
    linked = {m.group(1) for page in site.rglob("*.html")
              for m in _STATIC_LINK.finditer(page.read_text(errors="replace"))}
    removed = 0
    for path in sorted(static.rglob("*"), reverse=True):  # files before the folders holding them
        rel = path.relative_to(static).as_posix()
        if path.is_file() and rel not in linked:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


def stitch_index(run_dir: Path) -> Path | None:
    """`datadocs/index.html`: one line per cell site with its sets' passed/failed expectation counts."""
    layout = RunLayout(run_dir)
    cells = sorted(p.name for p in layout.cells_dir.iterdir() if p.is_dir()) if layout.cells_dir.is_dir() else []
    cells = [c for c in cells if layout.cell_docs_index(c).is_file()]
    if not cells:
        return None
    rows = [_index_row(layout, cell_id) for cell_id in cells]
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>synthaug Data Docs</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}</style>"
            "</head><body><h1>Great Expectations Data Docs</h1><p>One site per cell (generator × repeat × "
            "fraction); each lists its synthetic sets' suites and validation results.</p><table>"
            "<tr><th>cell</th><th>suites</th><th>expectations passed</th><th>failed</th></tr>"
            + "".join(rows) + "</table></body></html>")
    index = layout.datadocs_index
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(page)
    return index


def _index_row(layout: RunLayout, cell_id: str) -> str:
    passed = failed = suites = 0
    for path in layout.gx_evidence(cell_id):
        try:
            results = json.loads(path.read_text())["result"].get("results", [])
        except (OSError, ValueError, KeyError, AttributeError):
            continue
        suites += 1
        passed += sum(1 for r in results if r.get("success") is True)
        failed += sum(1 for r in results if r.get("success") is False)
    site = layout.cell_docs_index(cell_id)
    link = html.escape("../" + site.relative_to(layout.root).as_posix())  # the index lives in datadocs/
    return (f"<tr><td><a href='{link}'>{html.escape(cell_id)}</a></td><td>{suites}</td>"
            f"<td>{passed}</td><td>{failed}</td></tr>")


@functools.cache
def speed_up_chart_rendering() -> None:
    """Make GX's KL-divergence charts and page templates cheap (once per process); pages are unchanged.

    Why: GX draws an Altair chart for every KL-divergence expectation, three times per set (the
    suite page, and expected and observed on the results page), and charts were most of a cell's
    docs time. Three changes, none altering a chart's spec:
    - Altair's `from_dict` rebuilt its schema-to-class table (json-hashing every schema class) for
      each chart: 42 of the 47 s of a 4-set build once. The table depends only on the installed
      classes, so it is built once.
    - Each chart spec was validated against the Vega-Lite JSON schema. GX builds the same two-field
      bar chart every time, so validation finds nothing and is skipped (`validate=False`).
    - A chart depends only on its partition (bins, weights) and header: the expected distribution is
      drawn for the suite page and again for every set validated against that suite. Charts are kept
      per process by that content and copied out.
    - Every page view made a new Jinja environment, which compiled GX's templates again; the compiled
      code is now kept per process (Jinja's bytecode cache, keyed by template and source checksum).
    """
    _reuse_schema_table()
    _skip_chart_validation()
    _memoise_kl_charts()
    _reuse_compiled_templates()


def _reuse_schema_table() -> None:
    try:
        from altair.utils import schemapi
    except ImportError:  # pragma: no cover - altair comes with great-expectations
        return
    tables: dict[tuple[type, ...], Any] = {}
    original = schemapi._FromDict.__init__
    try:
        from altair.vegalite.v6.schema.core import VegaLiteSchema
    except ImportError:  # pragma: no cover - another Altair major: keep its own walk
        return
    # walking every schema subclass only to look the table up cost as much as the charts themselves;
    # the classes are all defined when Altair is imported, so the walk is done once per base
    for base in (schemapi.SchemaBase, VegaLiteSchema):
        classes = tuple(base._default_wrapper_classes())
        base._default_wrapper_classes = classmethod(lambda cls, c=classes: c)  # type: ignore[method-assign]

    def init(self: Any, wrapper_classes: Any, /) -> None:
        classes = wrapper_classes if isinstance(wrapper_classes, tuple) else tuple(wrapper_classes)
        if classes not in tables:
            original(self, classes)
            tables[classes] = self.class_dict
        self.class_dict = tables[classes]

    schemapi._FromDict.__init__ = init  # type: ignore[method-assign]


def _skip_chart_validation() -> None:
    try:
        import altair as alt
    except ImportError:  # pragma: no cover
        return
    original = alt.TopLevelMixin.to_dict

    def to_dict(self: Any, validate: bool = False, **kwargs: Any) -> dict[str, Any]:
        # always off: `Chart.to_dict` passes its own default (True) on by keyword
        return original(self, False, **kwargs)

    alt.TopLevelMixin.to_dict = to_dict  # type: ignore[method-assign]


def _memoise_kl_charts(max_charts: int = 2048) -> None:
    from great_expectations.expectations.core.expect_column_kl_divergence_to_be_less_than import (
        ExpectColumnKLDivergenceToBeLessThan as KL,
    )

    draw = KL._get_kl_divergence_chart.__func__  # type: ignore[attr-defined]
    charts: dict[str, Any] = {}

    def chart(cls: type, partition_object: Any, header: Any = None) -> Any:
        key = _chart_key(partition_object, header)
        if key is None:
            return draw(cls, partition_object, header)
        if key not in charts:
            if len(charts) >= max_charts:
                charts.clear()
            charts[key] = draw(cls, partition_object, header)
        return copy.deepcopy(charts[key])

    KL._get_kl_divergence_chart = classmethod(chart)  # type: ignore[assignment,method-assign]


def _reuse_compiled_templates() -> None:
    from great_expectations.render.view.view import DefaultJinjaView
    from jinja2 import BytecodeCache
    from jinja2.bccache import Bucket

    class InMemory(BytecodeCache):
        def __init__(self) -> None:
            self.store: dict[str, bytes] = {}

        def load_bytecode(self, bucket: Bucket) -> None:
            if bucket.key in self.store:
                bucket.bytecode_from_string(self.store[bucket.key])

        def dump_bytecode(self, bucket: Bucket) -> None:
            self.store[bucket.key] = bucket.bytecode_to_string()

    cache, original = InMemory(), DefaultJinjaView.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.env.bytecode_cache = cache

    DefaultJinjaView.__init__ = init  # type: ignore[method-assign]


def _chart_key(partition_object: Any, header: Any) -> str | None:
    """The chart's content as JSON; None (draw it, keep nothing) for anything not plainly serialisable."""
    try:
        head = header.to_json_dict() if hasattr(header, "to_json_dict") else header
        return json.dumps([partition_object, head], sort_keys=True, allow_nan=True)
    except (TypeError, ValueError):
        return None


def _load(ctx: Any, path: Path, cells_root: Path) -> None:
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
    set_dir = path.parent.parent.relative_to(cells_root)
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=saved["suite_name"]),
        run_id=RunIdentifier(run_name=str(set_dir).replace("/", "-")),
        batch_identifier="synthetic",
    )
    ctx.validation_results_store.set(key, result)
