"""Run folders, atomic writes and the fitted-model cache (content keys, checksums verified before load)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")
CHECKSUMS = "checksums.json"


def content_key(*parts: Any) -> str:
    """Key from JSON-able parts (code hash, data fingerprint, generator config, seed): equal inputs,
    equal key. Callers include the hash of the code that computes the entry (`cellspec.component_hash`)."""
    blob = json.dumps(list(parts), sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def new_run_dir(root: str | Path, name: str) -> Path:
    """`<root>/<UTC timestamp>-<name>`; a second run in the same second gets a suffix, never a clash."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    base = Path(root) / f"{stamp}-{_slug(name)}"
    path, i = base, 1
    while True:
        try:
            path.mkdir(parents=True, exist_ok=False)
            return path
        except FileExistsError:
            i += 1
            path = base.with_name(f"{base.name}-{i}")


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text).strip("-") or "run"


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path beside `target`; it replaces `target` only if the block finishes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text)


def write_json(target: Path, doc: Any) -> None:
    write_text(target, json.dumps(doc, indent=2, default=str, sort_keys=False))


def write_parquet(target: Path, df: pd.DataFrame) -> None:
    with atomic_path(target) as tmp:
        df.to_parquet(tmp, index=False)


def tree_checksums(folder: Path) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != CHECKSUMS:
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def verify(folder: Path) -> bool:
    """True only when the recorded checksums match every file: a torn or tampered entry is refitted."""
    record = folder / CHECKSUMS
    if not record.is_file():
        return False
    try:
        expected = json.loads(record.read_text())
    except (json.JSONDecodeError, OSError):
        return False
    return bool(expected) and expected == tree_checksums(folder)


class ModelCache:
    """Fitted models on disk under `root/<namespace>/<key>/`, written to a temp folder and renamed whole."""

    def __init__(self, root: str | Path, enabled: bool = True) -> None:
        self.root = Path(root)
        self.enabled = enabled

    def entry(self, namespace: str, key: str) -> Path:
        return self.root / namespace / key

    def get_or_create(self, namespace: str, key: str, create: Callable[[], T],
                      save: Callable[[T, Path], None], load: Callable[[Path], T]) -> tuple[T, bool]:
        """(object, hit). A hit loads only after the checksums verify; anything else is recreated."""
        if not self.enabled:
            return create(), False
        path = self.entry(namespace, key)
        if path.is_dir() and verify(path):
            try:
                obj = load(path)
                touch(path)
                return obj, True
            except Exception:  # noqa: BLE001 - a verified entry that still fails to load is redone
                pass
        obj = create()
        self._put(path, lambda tmp: save(obj, tmp))
        return obj, False

    def put(self, namespace: str, key: str, write: Callable[[Path], None]) -> Path:
        """Write an entry whole (temp folder, checksums, rename); returns its folder."""
        path = self.entry(namespace, key)
        self._put(path, write)
        return path

    def _put(self, path: Path, write: Callable[[Path], None]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            write(tmp)
            (tmp / CHECKSUMS).write_text(json.dumps(tree_checksums(tmp)))
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
            os.replace(tmp, path)
        except OSError:
            if path.is_dir() and verify(path):  # another worker wrote the same entry first
                return
            raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)


# --- size limit and housekeeping: entries live at <cache_dir>/<store>/<namespace>/<key>/ -------------


def touch(path: Path) -> None:
    """Mark an entry as used now (its folder's mtime is the LRU clock; checksums ignore it)."""
    try:
        os.utime(path)
    except OSError:
        pass


def cache_entries(cache_dir: str | Path) -> list[Path]:
    """Every finished entry (temp folders start with a dot and are skipped)."""
    root = Path(cache_dir)
    if not root.is_dir():
        return []
    return [p for p in root.glob("*/*/*") if p.is_dir() and not any(part.startswith(".")
                                                                   for part in p.relative_to(root).parts)]


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def enforce_size_limit(cache_dir: str | Path, max_gb: float, keep: set[Path] | None = None) -> list[Path]:
    """Evict least recently used entries until the cache fits `max_gb`; returns what was removed.

    Entries in `keep` (those the current cell just used) are never evicted, so one over-large cell
    cannot thrash itself. A worker reading an entry while another evicts it fails the checksum and
    recomputes: eviction can cost time, never correctness.
    """
    limit = int(max_gb * 1024**3)
    keep = {p.resolve() for p in keep or set()}
    sized = [(p.stat().st_mtime, p, folder_bytes(p)) for p in cache_entries(cache_dir)]
    total = sum(size for _, _, size in sized)
    removed = []
    for _, path, size in sorted(sized, key=lambda t: t[0]):
        if total <= limit:
            break
        if path.resolve() in keep:
            continue
        shutil.rmtree(path, ignore_errors=True)
        total -= size
        removed.append(path)
    return removed


def cache_info(cache_dir: str | Path) -> dict[str, dict[str, Any]]:
    """Entry count, bytes and last use per `<store>/<namespace>` (for `synthaug cache info`)."""
    root = Path(cache_dir)
    out: dict[str, dict[str, Any]] = {}
    for path in cache_entries(root):
        group = str(path.parent.relative_to(root))
        row = out.setdefault(group, {"entries": 0, "bytes": 0, "last_used": 0.0})
        row["entries"] += 1
        row["bytes"] += folder_bytes(path)
        row["last_used"] = max(row["last_used"], path.stat().st_mtime)
    return out


def clear_cache(cache_dir: str | Path, store: str | None = None) -> int:
    """Remove every entry (or one store's: `models`, `cells`); returns how many were removed."""
    root = Path(cache_dir)
    entries = [p for p in cache_entries(root) if store is None or p.relative_to(root).parts[0] == store]
    for path in entries:
        shutil.rmtree(path, ignore_errors=True)
    return len(entries)
