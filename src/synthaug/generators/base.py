"""The generator protocol, class-count strategies and seeding shared by every generator."""

from __future__ import annotations

import contextlib
import json
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

# Fits of SDV and torch models draw from process-global RNGs; in a thread pool two fits at once
# would interleave draws and break "same config, same numbers". One lock per process keeps each
# seeded section whole; the process task runner gives real parallel fits.
GLOBAL_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed python, numpy and torch global RNGs for a block that only uses those (SDV's fit)."""
    with GLOBAL_RNG_LOCK:
        random.seed(seed)
        np.random.seed(seed % (2**32))
        try:
            import torch

            torch.manual_seed(seed)
        except ImportError:  # pragma: no cover - torch is a hard dependency, but stay importable
            pass
        yield


class BaseGenerator:
    """Estimator-shaped generator: `__init__` stores hyperparameters, `fit` learns, `sample` draws.

    Subclasses set `kinds` (dataset kinds they accept) and `generative` (False for oversampling
    baselines, which quality gates do not apply to).
    """

    kinds: ClassVar[tuple[str, ...]] = ("tabular",)
    generative: ClassVar[bool] = True
    name: ClassVar[str] = "base"
    # Hyperparameters this class reads itself; with those of the wrapped third-party constructor
    # (`wrapped`) they are the only accepted names: a typo must not silently train with a default.
    defaults: ClassVar[dict[str, Any]] = {}
    # Value domains declared once per adapter (on top of `params.COMMON_RANGES`).
    ranges: ClassVar[dict[str, Any]] = {}

    def __init__(self, random_state: int = 0, **params: Any) -> None:
        from synthaug.generators.params import check_params, constructor_params

        known = set(self.defaults) | constructor_params(self.wrapped())
        check_params(self.name, params, known, self.ranges)
        self.check_combination(params)
        self.random_state = random_state
        self.params = params

    @classmethod
    def wrapped(cls) -> type | None:
        """The third-party class whose constructor receives the params (None: the class reads them)."""
        return None

    def check_combination(self, params: dict[str, Any]) -> None:
        """Constraints between parameters (e.g. CTGAN's batch size and pac); raise ConfigError."""

    def p(self, key: str) -> Any:
        """A hyperparameter's value: the configured one, else the declared default."""
        return self.params.get(key, self.defaults[key])

    def get_params(self) -> dict[str, Any]:
        return {"random_state": self.random_state, **self.params}

    def fit(self, X: Any, y: np.ndarray, columns: dict[str, str] | None = None) -> BaseGenerator:
        raise NotImplementedError

    def sample(self, n: int, class_counts: dict[Any, int] | None = None,
               random_state: int | None = None) -> tuple[Any, np.ndarray]:
        """Draw `n` rows; `class_counts` (label -> rows) overrides the training mix when given.

        May return fewer rows of a class than asked (rejection sampling can run out of tries); the
        caller records requested vs achieved counts instead of hiding the shortfall.
        """
        raise NotImplementedError

    def check_fitted(self) -> None:
        if getattr(self, "classes_", None) is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted; call fit() first")

    def save(self, path: Path) -> None:
        raise NotImplementedError

    @classmethod
    def load(cls, path: Path) -> BaseGenerator:
        raise NotImplementedError

    def _write_params(self, path: Path, extra: dict[str, Any] | None = None) -> None:
        path.mkdir(parents=True, exist_ok=True)
        doc = {"class": type(self).__name__, "params": self.get_params(), **(extra or {})}
        (path / "params.json").write_text(json.dumps(doc, default=str, indent=1))

    @staticmethod
    def _read_params(path: Path) -> dict[str, Any]:
        return json.loads((Path(path) / "params.json").read_text())

    @classmethod
    def _restore(cls, path: Path) -> tuple[Any, dict[str, Any]]:
        """An unfitted instance with the saved hyperparameters, and the saved document, for `load`."""
        doc = cls._read_params(path)
        return cls(**doc["params"]), doc


def class_counts_for(strategy: str, n: int, train_counts: dict[Any, int]) -> dict[Any, int]:
    """Split `n` synthetic rows over classes.

    `match` keeps the training class mix. `balance` fills the smaller classes first so that real +
    synthetic is as even as `n` allows. Rounding is by largest remainder so the counts sum to `n`.
    """
    labels = list(train_counts)
    real = np.array([train_counts[c] for c in labels], dtype=float)
    if strategy == "match":
        want = real / real.sum() * n
    elif strategy == "balance":
        level = _water_level(real, n)
        want = np.clip(level - real, 0.0, None)
    else:
        raise ValueError(f"unknown class strategy {strategy!r}; use 'match' or 'balance'")
    base = np.floor(want).astype(int)
    short = n - int(base.sum())
    order = np.argsort(-(want - base), kind="stable")
    base[order[:short]] += 1
    return {c: int(k) for c, k in zip(labels, base)}


def _water_level(real: np.ndarray, n: int) -> float:
    """The per-class total L with sum(max(0, L - real)) == n (classes below L are topped up)."""
    lo, hi = float(real.min()), float(real.max() + n)
    for _ in range(100):
        mid = (lo + hi) / 2
        if np.clip(mid - real, 0, None).sum() < n:
            lo = mid
        else:
            hi = mid
    return hi


def shortfall(requested: dict[Any, int], achieved: dict[Any, int]) -> dict[Any, int]:
    return {c: requested[c] - achieved.get(c, 0) for c in requested if requested[c] > achieved.get(c, 0)}


def label_counts(y: np.ndarray) -> dict[Any, int]:
    values, counts = np.unique(np.asarray(y), return_counts=True)
    return {(v.item() if isinstance(v, np.generic) else v): int(c) for v, c in zip(values, counts)}
