"""Hyperparameter checks done when a generator is built, so a bad config is exit 2 before any fit.

Names are checked against what the generator declares (`defaults`) plus the constructor of the
third-party model it wraps (`inspect.signature`, so a new SDV release's parameters are accepted and
a typo such as `epochz` is refused with the valid names listed). Values are checked against ranges
declared once per adapter (`ranges`), on top of ranges common to every generator (`epochs` ≥ 1, ...).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import inspect
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthaug.errors import ConfigError

_NOT_PARAMS = {"self", "metadata", "args", "kwargs"}


@dataclass(frozen=True)
class Range:
    """A numeric hyperparameter's domain; `None` leaves that side open."""

    low: float | None = None
    high: float | None = None
    integer: bool = False
    low_open: bool = False  # low < value instead of low <= value
    allow_none: bool = False

    def problem(self, value: Any) -> str | None:
        """Why `value` is outside the domain, or None when it is fine."""
        if value is None:
            return None if self.allow_none else "must be set"
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return f"must be {'an integer' if self.integer else 'a number'}"
        if self.integer and value != int(value):
            return "must be an integer"
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return f"must be {'>' if self.low_open else '≥'} {self.low:g}"
        if self.high is not None and value > self.high:
            return f"must be ≤ {self.high:g}"
        return None


@dataclass(frozen=True)
class OneOf:
    choices: tuple[Any, ...]

    def problem(self, value: Any) -> str | None:
        return None if value in self.choices else f"must be one of {list(self.choices)}"


POSITIVE_INT = Range(1, integer=True)
POSITIVE = Range(0, low_open=True)
COMMON_RANGES: dict[str, Range | OneOf] = {
    "epochs": POSITIVE_INT, "batch_size": POSITIVE_INT, "k_neighbors": POSITIVE_INT, "pac": POSITIVE_INT,
    "embedding_dim": POSITIVE_INT, "latent_dim": POSITIVE_INT, "discriminator_steps": POSITIVE_INT,
    "min_steps": Range(0, integer=True), "patience": POSITIVE_INT, "base_channels": POSITIVE_INT,
    "lr": POSITIVE, "lr_g": POSITIVE, "lr_d": POSITIVE, "generator_lr": POSITIVE, "discriminator_lr": POSITIVE,
    "generator_decay": Range(0), "discriminator_decay": Range(0), "l2scale": Range(0), "loss_factor": POSITIVE,
    "beta": Range(0), "temperature": POSITIVE, "val_fraction": Range(0, 0.9), "weight_decay": Range(0),
    "num_threads": Range(1, integer=True, allow_none=True),
}


def constructor_params(cls: type | None) -> set[str]:
    """Keyword parameters of a third-party constructor (empty when there is none)."""
    if cls is None:
        return set()
    params = inspect.signature(cls.__init__).parameters.values()
    return {p.name for p in params if p.name not in _NOT_PARAMS
            and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)}


@functools.cache
def source_params(package: str, module: str, class_name: str) -> frozenset[str] | None:
    """Keyword parameters of `class_name.__init__` in `package/module`, read from the source file.

    Why not `inspect`: importing SDV pulls in torch and SDMetrics (about 2 s and 200 MB), and the
    config check runs in the CLI process, before any model, where neither is needed. None when the
    class or its `__init__` is not found there (a moved class): callers then import and inspect.
    """
    spec = importlib.util.find_spec(package)  # a top-level package: located, not executed
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / module
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    args = [*item.args.posonlyargs, *item.args.args, *item.args.kwonlyargs]
                    return frozenset(a.arg for a in args if a.arg not in _NOT_PARAMS)
    return None


def check_params(name: str, params: dict[str, Any], known: set[str],
                 ranges: dict[str, Range | OneOf]) -> None:
    """ConfigError naming the generator, the parameter and the valid names or domain."""
    unknown = sorted(set(params) - known)
    if unknown:
        raise ConfigError(f"generator {name!r}: unknown parameter(s) {unknown}; valid: {sorted(known)}")
    for key, value in params.items():
        rule = ranges.get(key, COMMON_RANGES.get(key))
        problem = rule.problem(value) if rule is not None else None
        if problem:
            raise ConfigError(f"generator {name!r}: parameter {key!r} {problem}, got {value!r}")
