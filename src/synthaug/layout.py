"""Every path inside a run folder, in one place.

The run folder is the contract between the cells (which write evidence), `finalize` (which writes the
tables and the report), the cache (which copies a cell's files in and out), the report (which reads
only the folder) and the Prefect artifacts. Nothing else joins file names onto a run folder: a file
moved here moves for all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

TABLES = ("results", "validation", "sets", "cells")
# Inside one set's folder (`set_dir`): what validation writes there, under these names.
GX_DIR = "gx"  # the GX suites and results each Data Docs site is built from
SAMPLE_GRID = "samples.png"  # image runs: real and synthetic samples per class
_SET_FILE = re.compile(r"^(?P<cell>.+)-x(?P<ratio>[0-9.e+-]+?)-(?P<strategy>[a-z_]+)\.(?P<ext>parquet|npz)$")


def set_name(ratio: float, strategy: str) -> str:
    """The name of one sampled set inside a cell (`x1-match`): ratio and class strategy."""
    return f"x{ratio:g}-{strategy}"


@dataclass(frozen=True)
class RunLayout:
    """The files of one run folder; `root` is the folder itself."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    # --- written when the run starts ------------------------------------------------------------
    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    # --- written by finalize ----------------------------------------------------------------------
    def table(self, name: str) -> Path:
        """`results`, `validation`, `sets` or `cells` as Parquet."""
        if name not in TABLES:
            raise ValueError(f"unknown run table {name!r}; known: {TABLES}")
        return self.root / f"{name}.parquet"

    @property
    def summary(self) -> Path:
        return self.root / "summary.csv"

    @property
    def report_md(self) -> Path:
        return self.root / "report.md"

    @property
    def report_html(self) -> Path:
        return self.root / "report.html"

    @property
    def figures(self) -> Path:
        return self.root / "figures"

    def figure(self, name: str) -> Path:
        return self.figures / name

    @property
    def datadocs(self) -> Path:
        return self.root / "datadocs"

    @property
    def datadocs_index(self) -> Path:
        return self.datadocs / "index.html"

    @property
    def complete(self) -> Path:
        """Written last: a folder without it is not a result."""
        return self.root / "COMPLETE"

    @property
    def is_complete(self) -> bool:
        return self.complete.is_file()

    # --- written by the cells (and copied in and out of the cell cache) --------------------------
    @property
    def cells_dir(self) -> Path:
        return self.root / "cells"

    def cell_dir(self, cell_id: str) -> Path:
        return self.cells_dir / cell_id

    def set_dir(self, cell_id: str, ratio: float, strategy: str) -> Path:
        """Validation evidence of one sampled set (GX results, sample grids)."""
        return self.cell_dir(cell_id) / set_name(ratio, strategy)

    def sample_grid(self, cell_id: str, ratio: float, strategy: str) -> Path:
        """An image run's grid of real and synthetic samples of one set (the report links it)."""
        return self.set_dir(cell_id, ratio, strategy) / SAMPLE_GRID

    def gx_evidence(self, cell_id: str | None = None) -> list[Path]:
        """Saved GX suites and results (`<set>/gx/*.json`) of every cell's sets, or of one cell's."""
        base = self.cells_dir if cell_id is None else self.cell_dir(cell_id)
        return sorted(base.rglob(f"{GX_DIR}/*.json")) if base.is_dir() else []

    def cell_docs(self, cell_id: str) -> Path:
        """One cell's Data Docs site, rendered by the worker that validated its sets."""
        return self.cell_dir(cell_id) / "datadocs"

    def cell_docs_index(self, cell_id: str) -> Path:
        return self.cell_dir(cell_id) / "datadocs" / "index.html"

    def selection(self, cell_id: str) -> Path:
        """An `auto` cell's evidence: every recipe's inner-validation score per classifier, and the pick."""
        return self.cell_dir(cell_id) / "selection.csv"

    def traceback(self, cell_id: str) -> Path:
        return self.cell_dir(cell_id) / "traceback.txt"

    @property
    def synthetic_dir(self) -> Path:
        return self.root / "synthetic"

    def synthetic(self, cell_id: str, ratio: float, strategy: str, ext: str = "parquet") -> Path:
        """The kept synthetic rows of one set (`.parquet` for tables, `.npz` for images)."""
        return self.synthetic_dir / f"{cell_id}-{set_name(ratio, strategy)}.{ext}"

    def synthetic_sets(self) -> list[tuple[str, str, Path]]:
        """(cell id, set name, file) of every saved synthetic set, sorted by file name."""
        if not self.synthetic_dir.is_dir():
            return []
        out = []
        for f in sorted(self.synthetic_dir.iterdir()):
            m = _SET_FILE.match(f.name)
            if m and f.is_file():
                out.append((m["cell"], f"x{m['ratio']}-{m['strategy']}", f))
        return out

    def cell_files(self, cell_id: str) -> list[Path]:
        """Everything one cell wrote: `cells/<id>/**` and its `synthetic/<id>-x<ratio>-<strategy>.*`."""
        cell = self.cell_dir(cell_id)
        out = [f for f in cell.rglob("*") if f.is_file()] if cell.is_dir() else []
        out += [f for cid, _, f in self.synthetic_sets() if cid == cell_id]
        return sorted(out)

    @property
    def scratch(self) -> Path:
        """Work files the cells of a running run share (ctgan's fitted transformers when the model cache
        is off); `finalize` removes the folder."""
        return self.root / ".scratch"

    # --- stored by finalize for the report, so it never reloads or re-splits the dataset ---------
    @property
    def real_sample(self) -> Path:
        """A sample of the real training rows behind the distributions figure."""
        return self.root / "real_sample.parquet"
