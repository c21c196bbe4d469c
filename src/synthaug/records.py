"""The typed rows of the run tables and the names every layer shares (metric names defined once).

Cells return these records; `finalize` turns them into results/sets/cells.parquet, and the cell
cache stores them as JSON (`as_row`/`from_row`), so a cached cell comes back type for type.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

# The classifier metrics of results.parquet, in table order; `protocol.primary_metric` is one of them.
METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "roc_auc", "minority_recall", "pr_auc")
MODES = ("baseline", "augmented", "tstr")
REAL = "real"  # the generator column of real-only rows
AUTO = "auto"  # the generator (and strategy) column of recipe-selection rows, and their cells' slot
OK, FAILED = "ok", "failed"  # cells.parquet status


def to_jsonable(value: Any) -> Any:
    """numpy scalars and arrays to plain Python, recursively; NaN/inf kept (json writes NaN/Infinity)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class SetHead:
    """Which training set a classifier was fitted on: the split, and the synthetic set added to it."""

    repeat: int
    fraction: float
    ci_method: str
    n_train: float  # NaN when a failed cell could not even split
    n_test: float
    ratio: float = 0.0
    strategy: str = "none"
    generator: str = REAL
    generator_type: str = REAL
    n_synthetic: int = 0
    gated: bool = False


def auto_head(repeat: int, fraction: float, ci_method: str, n_train: float, n_test: float,
              n_synthetic: int = 0) -> SetHead:
    """The head of an `auto` row: the recipe (and so the ratio) is chosen per classifier and repeat."""
    return SetHead(repeat, fraction, ci_method, n_train, n_test, float("nan"), AUTO, AUTO, AUTO, n_synthetic)


@dataclass(frozen=True)
class ScoreRow:
    """One row of results.parquet: one classifier × mode × metric on one training set."""

    head: SetHead
    classifier: str
    family: str
    mode: str  # baseline | augmented | tstr
    metric: str
    value: float
    fit_seconds: float
    error: str = ""
    recipe: str = ""  # `auto` rows: the recipe inner validation chose for this classifier and repeat
    n_recipes: int = 0  # `auto` rows: how many recipes competed (real only included)

    def as_row(self) -> dict[str, Any]:
        out = asdict(self.head)
        out.update({f.name: getattr(self, f.name) for f in fields(self) if f.name != "head"})
        return out

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ScoreRow:
        head = {f.name: row[f.name] for f in fields(SetHead)}
        return cls(SetHead(**head), **{f.name: row[f.name] for f in fields(cls) if f.name != "head" and f.name in row})


@dataclass(frozen=True)
class SetRecord:
    """One row of sets.parquet: what a generator was asked for, what it gave, what validation kept.

    `metrics` holds the set's validation measures (validity, detection AUC, ...), flattened into
    columns of their own; `requested`/`achieved` are JSON class counts keyed by original label.

    `auto` cells add one set per classifier whose pick was not real only (`generator = auto`, the
    pick's ratio and strategy): `classifier` and `recipe` name it, and `dropped_consistency` /
    `dropped_fidelity` count the rows the recipe's filter removed after validation, so the rows the
    classifier trained on are `n_synthetic = n_kept - dropped_consistency - dropped_fidelity`.
    Fixed-grid sets serve every classifier (`classifier` and `recipe` empty), run no recipe filter
    (0 dropped) and train on what validation kept (`n_synthetic = n_kept`)."""

    head: SetHead
    cell_id: str
    generative: bool
    n_requested: int
    n_achieved: int
    n_kept: int
    requested: str
    achieved: str
    gate_failures: str
    metrics: dict[str, Any] = field(default_factory=dict)
    classifier: str = ""  # `auto` sets: the classifier whose pick built the set ("" = every classifier)
    recipe: str = ""  # `auto` sets: the chosen recipe's text (`recipes.Recipe`)
    dropped_consistency: int = 0  # rows the consistency filter removed after validation
    dropped_fidelity: int = 0  # rows the fidelity filter removed after validation

    def as_row(self) -> dict[str, Any]:
        h = self.head
        return {"repeat": h.repeat, "fraction": h.fraction, "ci_method": h.ci_method, "n_train": h.n_train,
                "n_test": h.n_test, "generator": h.generator, "ratio": h.ratio, "strategy": h.strategy,
                "cell_id": self.cell_id, "generator_type": h.generator_type, "generative": self.generative,
                "n_requested": self.n_requested, "n_achieved": self.n_achieved, "n_kept": self.n_kept,
                "requested": self.requested, "achieved": self.achieved, "gated": h.gated,
                "gate_failures": self.gate_failures, "n_synthetic": h.n_synthetic,
                "classifier": self.classifier, "recipe": self.recipe,
                "dropped_consistency": self.dropped_consistency, "dropped_fidelity": self.dropped_fidelity,
                **self.metrics}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SetRecord:
        own = {f.name for f in fields(cls)} | {f.name for f in fields(SetHead)}
        head = SetHead(**{f.name: row[f.name] for f in fields(SetHead) if f.name in row})
        return cls(head, **{f.name: row[f.name] for f in fields(cls)  # a row cached before a column existed
                            if f.name not in ("head", "metrics") and f.name in row},  # takes its default
                   metrics={k: v for k, v in row.items() if k not in own})


def counts_text(named: dict[str, int]) -> str:
    """Class counts keyed by original label as the JSON text of sets.parquet's `requested`/`achieved`."""
    import json

    return json.dumps(to_jsonable(named))


@dataclass
class CellInfo:
    """One row of cells.parquet: how a cell ran (timings, cache use) or why it failed."""

    cell_id: str
    generator: str
    repeat: int
    fraction: float
    ci_method: str
    n_train: float = float("nan")
    n_test: float = float("nan")
    status: str = OK
    seconds: float | None = None
    fit_seconds: float | None = None
    fit_cache_hit: bool | None = None
    docs_seconds: float | None = None
    duplicates_train_test: int | None = None
    cache_hit: bool | None = None
    error_type: str = ""
    error: str = ""
    traceback: str = ""

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    def as_row(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CellInfo:
        return cls(**{f.name: row[f.name] for f in fields(cls) if f.name in row})
