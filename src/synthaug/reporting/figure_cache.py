"""Report figures reused by content: a figure drawn once for the same inputs and drawing code is copied,
not drawn again.

Why: a re-run whose cells all come from the cache still renders its report, and drawing and saving the
figures with matplotlib was most of that (about 0.9 s of CPU of a 6.5 s quickstart re-run). A figure is
a pure function of its inputs, so the key is the inputs' hash with the drawing code's own hash (the
sources of `figures` and `markdown`, and matplotlib's version): an edit to them re-draws the figures;
no cell depends on them, so nothing is recomputed. The
entries live in the run's cache folder (`<cache_dir>/figures/v1/<key>/`), so they share its size limit,
its `synthaug cache` commands and its checksums.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import shutil
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from synthaug.store import ModelCache, content_key

_STORE: ContextVar[ModelCache | None] = ContextVar("figure_store", default=None)
_NAME = "figure.png"


@contextlib.contextmanager
def figure_store(cache_dir: str | Path | None) -> Iterator[None]:
    """Figures drawn inside the block are looked up in (and added to) this cache folder; None: drawn."""
    token = _STORE.set(ModelCache(Path(cache_dir) / "figures") if cache_dir is not None else None)
    try:
        yield
    finally:
        _STORE.reset(token)


def reused(draw: Callable[..., Path]) -> Callable[..., Path]:
    """Decorates a figure function that writes to its `path` argument and returns it."""
    signature = inspect.signature(draw)

    @functools.wraps(draw)
    def figure(*args: Any, **kwargs: Any) -> Path:
        store = _STORE.get()
        if store is None:
            return draw(*args, **kwargs)
        inputs = dict(signature.bind(*args, **kwargs).arguments)
        path = Path(inputs.pop("path"))
        key = _key(draw.__name__, inputs)

        def create() -> Path:
            return draw(*args, **kwargs)

        store.get_or_create("v1", key, create, lambda out, tmp: shutil.copyfile(out, tmp / _NAME),
                            lambda entry: _copy(entry / _NAME, path))
        return path

    return figure


def _key(name: str, inputs: dict[str, Any]) -> str:
    import joblib

    return content_key(name, _code_hash(), joblib.hash(inputs))


@functools.cache
def _code_hash() -> str:
    import hashlib
    from importlib.metadata import version  # not `matplotlib.__version__`: importing it costs 0.15 s

    h = hashlib.sha256(version("matplotlib").encode())
    for name in ("figures.py", "markdown.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:16]


def _copy(source: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)
    return path
