"""CTGAN's and TVAE's data transformer, fitted once per training table and shared between them.

Why: both SDV models begin by fitting ctgan's `DataTransformer`, a Bayesian Gaussian mixture per
numeric column: on the quickstart that is about half of a CTGAN fit and two thirds of a TVAE fit,
and the two generators of one repeat and fraction fit it on the same rows. The fit is a pure
function of those rows: rdt seeds every mixture from a fixed state and puts numpy's global RNG back
afterwards. So the fitted transformer is kept by content (the rows, the discrete columns, the
transformer's settings and the library versions) in this process and on disk, under
`<cache>/transformers/` when the model cache is on, else in the run's scratch folder (so two worker
processes share it too), and the second model loads it instead of refitting. The numbers are
unchanged: the loaded transformer is the fitted one, state for state.

`sharing(...)` (around the library's generator fits) says where to share; the SDV adapter installs
the wrapper (`install`) before a fit, so runs without CTGAN or TVAE never import ctgan for it. Fits
outside `sharing` behave as they always did.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from importlib import metadata
from pathlib import Path
from typing import Any

_ON: ContextVar[bool] = ContextVar("synthaug_share_transformers", default=False)
_DIR: ContextVar[Path | None] = ContextVar("synthaug_transformer_dir", default=None)
_MEMO: dict[str, bytes] = {}
_MEMO_MAX = 64
_PATCH_LOCK = threading.Lock()
_VERSIONS = ("ctgan", "rdt", "scikit-learn", "numpy", "pandas")


@contextlib.contextmanager
def sharing(directory: Path | None) -> Iterator[None]:
    """Share transformer fits inside the block: in this process, and under `directory` when given."""
    on, where = _ON.set(True), _DIR.set(directory)
    try:
        yield
    finally:
        _ON.reset(on)
        _DIR.reset(where)


def install() -> None:
    """Wrap `DataTransformer.fit` once per process (a plain fit outside `sharing`)."""
    try:
        from ctgan.data_transformer import DataTransformer
    except ImportError:  # pragma: no cover - ctgan comes with sdv
        return
    with _PATCH_LOCK:
        if getattr(DataTransformer.fit, "_synthaug_shared", False):
            return
        fit = DataTransformer.fit

        def shared_fit(self: Any, raw_data: Any, discrete_columns: Any = ()) -> None:
            key = _key(self, raw_data, discrete_columns) if _ON.get() else None
            if key is None:
                return fit(self, raw_data, discrete_columns)
            stored = _stored(key)
            if stored is not None:
                self.__dict__.update(stored)
                return None
            fit(self, raw_data, discrete_columns)
            _keep(key, pickle.dumps(self.__dict__, protocol=pickle.HIGHEST_PROTOCOL))
            return None

        shared_fit._synthaug_shared = True  # type: ignore[attr-defined]
        DataTransformer.fit = shared_fit  # type: ignore[method-assign]


def _key(transformer: Any, raw_data: Any, discrete_columns: Any) -> str | None:
    import pandas as pd

    if not isinstance(raw_data, pd.DataFrame):
        return None
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(raw_data, index=True).to_numpy().tobytes())
    settings = [list(map(str, raw_data.columns)), [str(t) for t in raw_data.dtypes], sorted(map(str, discrete_columns)),
                getattr(transformer, "_max_clusters", None), getattr(transformer, "_weight_threshold", None),
                [_version(p) for p in _VERSIONS]]
    digest.update(repr(settings).encode())
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def _stored(key: str) -> dict[str, Any] | None:
    """A fresh copy of the fitted state kept in this process or on disk; None to fit (a torn or
    foreign file is refitted, never trusted)."""
    state = _MEMO.get(key)
    directory = _DIR.get()
    if state is None and directory is not None:
        try:
            state = (directory / f"{key}.pkl").read_bytes()
        except OSError:
            return None
    if state is None:
        return None
    try:
        loaded = pickle.loads(state)
    except Exception:  # noqa: BLE001
        return None
    _MEMO[key] = state
    return loaded


def _keep(key: str, state: bytes) -> None:
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[key] = state
    directory = _DIR.get()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", dir=directory)
        with os.fdopen(fd, "wb") as out:
            out.write(state)
        os.replace(tmp, directory / f"{key}.pkl")  # whole or not at all: a reader never sees half a file
    except OSError:
        pass  # sharing is an optimisation: a read-only or full cache folder only costs the refit
