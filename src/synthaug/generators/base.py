"""The generator template, class-count strategies and seeding shared by every generator.

`BaseGenerator` is written the way imbalanced-learn writes its samplers: the public methods (`fit`,
`sample`, `save`, `load`) live here only and do the work every generator shares (labels, class
counts, seed defaults, the params document); a generator writes the hooks `_fit`, `_sample` and,
when its fitted state needs a safer format than the default pickle, `_save_state`/`_load_state`.
Why: seed handling, default class counts and label persistence were copied into every generator
and drifted; written once, a third-party plugin gets them right by construction.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

# Seeding lives below the generators and the evaluation CNN (one process-wide RNG lock for both fits);
# re-exported here for the generator modules.
from synthaug.torchkit import GLOBAL_RNG_LOCK, seeded

__all__ = ["GLOBAL_RNG_LOCK", "BaseGenerator", "class_counts_for", "label_counts", "read_array", "seeded",
           "shortfall", "write_array"]

PARAMS_FILE = "params.json"
_STATE_PICKLE = "state.pkl"
# Fitted attributes `fit`/`load` handle themselves; the default `_save_state` pickles the others.
_BASE_STATE = frozenset({"classes_", "class_counts_", "label_dtype_", "column_kinds_"})


class BaseGenerator:
    """Estimator-shaped generator: `__init__` stores hyperparameters, `fit` learns, `sample` draws.

    Declared once per class and read by the registry (`register_generator`): `kinds` (dataset kinds
    accepted), `generative` (False for baselines, which quality gates do not apply to) and
    `adds_rows` (False for a baseline that reweights instead of sampling). The decorator sets `name`
    and `description`.
    """

    kinds: ClassVar[tuple[str, ...]] = ("tabular",)
    generative: ClassVar[bool] = True
    adds_rows: ClassVar[bool] = True
    name: ClassVar[str] = "base"
    description: ClassVar[str] = ""
    # Hyperparameters this class reads itself; with those of the wrapped third-party constructor
    # (`wrapped`) they are the only accepted names: a typo must not silently train with a default.
    defaults: ClassVar[dict[str, Any]] = {}
    # Value domains declared once per adapter (on top of `params.COMMON_RANGES`).
    ranges: ClassVar[dict[str, Any]] = {}
    # Modules `fit` imports on first use (kept lazy so the CLI never pays for them); a worker started
    # ahead of its cells imports them while the driver is still starting (`warmup.worker_modules`).
    fit_imports: ClassVar[tuple[str, ...]] = ()

    def __init__(self, random_state: int = 0, **params: Any) -> None:
        from synthaug.generators.params import check_params

        known = set(self.defaults) | self.wrapped_params()
        check_params(self.name, params, known, self.ranges)
        self.check_combination(params)
        self.random_state = random_state
        self.params = params

    @classmethod
    def wrapped(cls) -> type | None:
        """The third-party class whose constructor receives the params (None: the class reads them)."""
        return None

    @classmethod
    def wrapped_params(cls) -> set[str]:
        """Keyword names the wrapped constructor accepts (from its signature)."""
        from synthaug.generators.params import constructor_params

        return constructor_params(cls.wrapped())

    def check_combination(self, params: dict[str, Any]) -> None:
        """Constraints between parameters (e.g. CTGAN's batch size and pac); raise ConfigError."""

    def p(self, key: str) -> Any:
        """A hyperparameter's value: the configured one, else the declared default."""
        return self.params.get(key, self.defaults[key])

    def get_params(self) -> dict[str, Any]:
        return {"random_state": self.random_state, **self.params}

    # ------------------------------------------------------------ the template
    def fit(self, X: Any, y: Any, column_kinds: dict[str, str] | None = None) -> Self:
        """Learn from the training rows `X` (a frame, or an N×C×H×W image array) and labels `y`.

        `column_kinds` (column -> numeric / categorical / boolean / datetime) describes this data, not
        the model, so it is a fit parameter (like scikit-learn's `sample_weight`), not a hyperparameter.
        """
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        self.class_counts_ = label_counts(y)
        self.label_dtype_ = y.dtype
        self.column_kinds_ = dict(column_kinds or {})
        try:
            self._fit(X, y, self.column_kinds_)
        except BaseException:
            self.classes_ = None  # a failed fit must not look fitted
            raise
        return self

    def sample(self, n: int, class_counts: dict[Any, int] | None = None,
               random_state: int | None = None) -> tuple[Any, np.ndarray]:
        """Draw `n` rows; `class_counts` (label -> rows) overrides the training mix when given.

        The seed defaults to the constructor's `random_state`, so an unseeded call is still
        reproducible. May return fewer rows of a class than asked (rejection sampling can run out of
        tries); the caller records requested vs achieved counts instead of hiding the shortfall.
        """
        self.check_fitted()
        seed = self.random_state if random_state is None else random_state
        counts = class_counts or class_counts_for("match", n, self.class_counts_)
        return self._sample(counts, seed)

    def check_fitted(self) -> None:
        if getattr(self, "classes_", None) is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted; call fit() first")

    def save(self, path: Path) -> None:
        """A folder: the generator's own state files, then `params.json` (hyperparameters, labels,
        class counts, column kinds and the JSON state `_save_state` returns), which `load` reads."""
        self.check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        state = self._save_state(path)
        doc = {"class": type(self).__name__, "params": self.get_params(), "labels": self._labels_doc(),
               "column_kinds": self.column_kinds_, "state": state}
        (path / PARAMS_FILE).write_text(json.dumps(doc, default=str, indent=1))

    @classmethod
    def load(cls, path: Path) -> Self:
        """The fitted generator `save` wrote: same hyperparameters, labels and state, same samples."""
        path = Path(path)
        doc = json.loads((path / PARAMS_FILE).read_text())
        gen = cls(**doc["params"])
        labels = doc["labels"]
        gen.label_dtype_ = np.dtype(labels["dtype"])
        gen.classes_ = np.array(labels["classes"], dtype=gen.label_dtype_)
        gen.class_counts_ = dict(zip(gen.classes_.tolist(), labels["counts"], strict=True))
        gen.column_kinds_ = dict(doc.get("column_kinds") or {})
        gen._load_state(path, doc.get("state") or {})
        return gen

    def _labels_doc(self) -> dict[str, Any]:
        # class_counts_ is keyed in np.unique order, like classes_, so the counts line up with the classes
        return {"classes": [_plain(c) for c in self.classes_.tolist()], "dtype": str(self.label_dtype_),
                "counts": [int(k) for k in self.class_counts_.values()]}

    # ------------------------------------------------------------ the hooks
    def _fit(self, X: Any, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        """Learn the model; `classes_`, `class_counts_`, `label_dtype_` and `column_kinds_` are set."""
        raise NotImplementedError

    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[Any, np.ndarray]:
        """Rows and labels for `class_counts` (label -> rows, zeros allowed), drawn with `seed` only."""
        raise NotImplementedError

    def _save_state(self, path: Path) -> dict[str, Any]:
        """Write the fitted state into `path`; return JSON-able metadata for `params.json`.

        Default (enough for a plugin): pickle the fitted attributes (names ending in `_`). Built-in
        generators override it with formats that are not pickles of Python objects where they can.
        """
        state = {k: v for k, v in vars(self).items() if k.endswith("_") and k not in _BASE_STATE}
        (path / _STATE_PICKLE).write_bytes(pickle.dumps(state))
        return {}

    def _load_state(self, path: Path, state: dict[str, Any]) -> None:
        """Restore what `_save_state` wrote (`state` is the metadata it returned)."""
        if (path / _STATE_PICKLE).exists():
            vars(self).update(pickle.loads((path / _STATE_PICKLE).read_bytes()))


def write_array(path: Path, stem: str, values: np.ndarray) -> None:
    """`stem.npy` without pickles; object arrays (string labels) as `stem.json`."""
    if values.dtype.kind == "O":
        (path / f"{stem}.json").write_text(json.dumps([_plain(v) for v in values.tolist()]))
    else:
        np.save(path / f"{stem}.npy", values, allow_pickle=False)


def read_array(path: Path, stem: str) -> np.ndarray:
    if (path / f"{stem}.npy").exists():
        return np.load(path / f"{stem}.npy")
    return np.array(json.loads((path / f"{stem}.json").read_text()), dtype=object)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


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
    """Rows asked for but not produced, per class (only the classes that came up short)."""
    return {c: requested[c] - achieved.get(c, 0) for c in requested if requested[c] > achieved.get(c, 0)}


def label_counts(y: np.ndarray) -> dict[Any, int]:
    values, counts = np.unique(np.asarray(y), return_counts=True)
    return {(v.item() if isinstance(v, np.generic) else v): int(c) for v, c in zip(values, counts)}
