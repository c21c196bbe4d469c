"""Built Great Expectations Data Docs, cached by the content of the evidence they are built from.

Why: rendering Data Docs is the slowest part of `finalize` (on the quickstart, about a minute of
GX/Altair chart rendering for 24 sampled sets), and a re-run whose cells all come from the cell cache
restores byte-identical evidence files. Keying the built site on those bytes lets such a re-run copy
the site instead of re-rendering it. The site is static HTML (no pickles); entries are written whole
and checksummed like every other cache entry. The copied site keeps its original build time.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from synthaug.store import ModelCache, content_key, enforce_size_limit, touch, verify

STORE = "docs"
FORMAT = "v1"
SITE = "site"
INDEX = "index.html"


def evidence_key(run_dir: Path, evidence: list[Path]) -> str:
    """Key from every evidence file's path (below the run folder) and bytes, plus the GX version."""
    try:
        gx_version = metadata.version("great-expectations")
    except metadata.PackageNotFoundError:
        gx_version = "unknown"
    files = [(str(p.relative_to(run_dir)), hashlib.sha256(p.read_bytes()).hexdigest()) for p in sorted(evidence)]
    return content_key(FORMAT, gx_version, files)


def cached_data_docs(run_dir: Path, evidence: list[Path], build: Callable[[Path], Path | None],
                     cache_dir: str | Path, enabled: bool = True, max_gb: float | None = None,
                     docs_dir: str = "datadocs") -> Path | None:
    """`build(run_dir)` through the cache: returns `run_dir/<docs_dir>/index.html` or None (no evidence)."""
    if not enabled or not evidence:
        return build(run_dir)
    store = ModelCache(Path(cache_dir) / STORE)
    key = evidence_key(run_dir, evidence)
    entry = store.entry(FORMAT, key)
    target = run_dir / docs_dir
    if entry.is_dir() and verify(entry) and (entry / SITE / INDEX).is_file():
        shutil.copytree(entry / SITE, target, dirs_exist_ok=True)
        touch(entry)
        return target / INDEX
    index = build(run_dir)
    if index is None or not index.is_file():
        return index
    try:
        path = store.put(FORMAT, key, lambda tmp: shutil.copytree(index.parent, tmp / SITE))
        if max_gb is not None:
            enforce_size_limit(cache_dir, max_gb, keep={path})
    except OSError:
        pass  # a cache that cannot be written costs the next run time, never this one its docs
    return index
