"""Train/test splits of the gain protocol; the design decides which confidence interval is sound.

Where fraction × repeats ≤ 1 the repeats use one held-out test set and *disjoint* training subsets
(close to independent, so a paired t over repeats is honest). Otherwise repeats are overlapping
random splits and need the Nadeau–Bengio corrected resampled t.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from synthaug.data.dataset import Dataset

PAIRED_T = "paired_t_disjoint"
CORRECTED_T = "nadeau_bengio_corrected_t"


def derive_seed(*parts: object) -> int:
    """A stable 31-bit seed from any parts: the same config gives the same numbers in any process."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


@dataclass(frozen=True)
class Split:
    """Sorted row positions of one repeat's training and test rows, and the CI design they imply."""

    train: np.ndarray
    test: np.ndarray
    ci_method: str


def split_design(fraction: float, repeats: int) -> str:
    """Disjoint subsets when they fit in the pool (fraction × repeats ≤ 1), else overlapping splits."""
    return PAIRED_T if fraction * repeats <= 1.0 + 1e-9 else CORRECTED_T


def make_split(data: Dataset, seed: int, repeat: int, fraction: float, repeats: int, test_size: float) -> Split:
    """Positions of the training and test rows for one repeat and fraction; test rows never train."""
    design = split_design(fraction, repeats)
    units, unit_labels = _units(data)
    if design == PAIRED_T:
        test_u, pool_u = _stratified_cut(unit_labels, test_size, derive_seed(seed, "test"))
        chunks = _disjoint_chunks(pool_u, unit_labels, fraction, repeats, derive_seed(seed, "pool"))
        train_u = chunks[repeat]
    else:
        test_u, pool_u = _stratified_cut(unit_labels, test_size, derive_seed(seed, "split", repeat))
        train_u = pool_u if fraction >= 1.0 else _disjoint_chunks(
            pool_u, unit_labels, fraction, 1, derive_seed(seed, "sub", repeat))[0]
    train, test = _rows(units, train_u), _rows(units, test_u)
    if np.intersect1d(train, test).size:
        raise AssertionError("split leaked: a row is in both train and test")
    return Split(train=np.sort(train), test=np.sort(test), ci_method=design)


def _units(data: Dataset) -> tuple[list[np.ndarray], np.ndarray]:
    """Split units: single rows, or whole groups when `group` is configured (a group stays on one side)."""
    if data.groups is None:
        return [np.array([i]) for i in range(len(data))], np.asarray(data.y)
    keys, inverse = np.unique(data.groups.astype(str), return_inverse=True)
    units = [np.flatnonzero(inverse == k) for k in range(len(keys))]
    labels = np.array([_majority(data.y[u]) for u in units])
    return units, labels


def _majority(y: np.ndarray) -> object:
    """A group's label for stratification: its commonest (ties: the smallest), for labels of any type."""
    values, counts = np.unique(y, return_counts=True)
    return values[np.argmax(counts)]


def _rows(units: list[np.ndarray], chosen: np.ndarray) -> np.ndarray:
    """Row positions of the chosen units (a group unit brings all its rows)."""
    return np.concatenate([units[i] for i in chosen]) if len(chosen) else np.array([], dtype=int)


def _stratified_cut(labels: np.ndarray, size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per class, at least one unit each side (classes are checked for size before any split).

    Hand-written, not `train_test_split(stratify=...)`: it keeps every class on both sides even when
    rounding would not, and it defines which rows train; changing it changes every stored result."""
    rng = np.random.default_rng(seed)
    cut, rest = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        k = min(max(1, int(round(size * len(idx)))), len(idx) - 1)
        cut.append(idx[:k])
        rest.append(idx[k:])
    return np.concatenate(cut), np.concatenate(rest)


def _disjoint_chunks(pool: np.ndarray, labels: np.ndarray, fraction: float, repeats: int,
                     seed: int) -> list[np.ndarray]:
    """`repeats` disjoint stratified subsets, each `fraction` of the pool (at least one unit per class)."""
    rng = np.random.default_rng(seed)
    chunks: list[list[np.ndarray]] = [[] for _ in range(repeats)]
    for c in np.unique(labels[pool]):
        idx = rng.permutation(pool[labels[pool] == c])
        k = max(1, int(np.floor(fraction * len(idx) + 1e-9)))
        for r in range(repeats):
            chunks[r].append(idx[r * k:(r + 1) * k])
    return [np.concatenate(ch) for ch in chunks]


def min_class_rows(n_class: int, test_size: float, fraction: float, repeats: int) -> int:
    """Training rows one class gets in each subset; 0 means the class cannot be split this way."""
    n_test = min(max(1, int(round(test_size * n_class))), n_class - 1) if n_class >= 2 else n_class
    pool = n_class - n_test
    per = int(np.floor(fraction * pool + 1e-9))
    if split_design(fraction, repeats) == PAIRED_T:
        return per if per * repeats <= pool else 0
    return pool if fraction >= 1.0 else per


def duplicates_across(train: Dataset, test: Dataset) -> int:
    """Test rows whose features and label equal some training row (Adult has some): reported, not removed."""
    if train.kind != "tabular":
        a = np.ascontiguousarray(train.X.reshape(len(train), -1))
        b = np.ascontiguousarray(test.X.reshape(len(test), -1))
        seen = {row.tobytes() for row in a}
        return int(sum(row.tobytes() in seen for row in b))
    import pandas as pd

    ha = set(pd.util.hash_pandas_object(train.frame(), index=False).tolist())
    hb = pd.util.hash_pandas_object(test.frame(), index=False)
    return int(hb.isin(ha).sum())
