"""A recipe names one way of turning real training rows into an augmented training set.

Why a value type with a one-line string form: selection compares dozens of recipes, reports name the
one chosen per repeat, `results.parquet` stores it in a column and the CLI takes it back as
`--recipe`. One canonical text (`gaussian_copula x1 match teacher consistency@0.6 w0.5`) that
parses back to an equal `Recipe` keeps those four places in agreement.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from synthaug.errors import InputError
from synthaug.recipe_space import FilterName, Labels, RecipeSpace, Strategy

STRATEGIES: tuple[str, ...] = ("match", "balance")
LABELS: tuple[str, ...] = ("generator", "teacher")
FILTERS: tuple[str, ...] = ("none", "consistency", "fidelity")
REAL_ONLY_TEXT = "real_only"


@dataclass(frozen=True)
class Recipe:
    """generator × ratio × class strategy × labels × filter (with threshold) × synthetic weight.

    `generator=None` is "real only": train on the real rows as they are. It is a recipe like any
    other so selection can (and by default does) decline to augment.
    """

    generator: str | None
    ratio: float = 1.0
    strategy: Strategy = "match"
    labels: Labels = "generator"
    filter: FilterName = "none"
    threshold: float | None = None
    weight: float = 1.0

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem:
            raise InputError(f"recipe {self._text()!r}: {problem}")

    @property
    def is_real_only(self) -> bool:
        return self.generator is None

    @property
    def needs_teacher(self) -> bool:
        """Teacher labels and the consistency filter both read a classifier fitted on the real rows."""
        return self.labels == "teacher" or self.filter == "consistency"

    def __str__(self) -> str:
        return self._text()

    def _text(self) -> str:
        if self.generator is None:
            return REAL_ONLY_TEXT
        filt = self.filter if self.threshold is None else f"{self.filter}@{fmt(self.threshold)}"
        return f"{self.generator} x{fmt(self.ratio)} {self.strategy} {self.labels} {filt} w{fmt(self.weight)}"


def fmt(x: float) -> str:
    """Shortest text that reads back as the same float (`1` not `1.0`; full precision when needed)."""
    short = f"{x:g}"
    return short if float(short) == x else repr(float(x))


def _problem(r: Recipe) -> str | None:
    """Why a recipe is not well formed (None when it is); checked once, at construction."""
    if r.generator is None:
        plain = (r.ratio, r.strategy, r.labels, r.filter, r.threshold, r.weight)
        return None if plain == (0.0, "match", "generator", "none", None, 1.0) else "real only takes no options"
    if not r.generator or any(ch.isspace() for ch in r.generator) or r.generator == REAL_ONLY_TEXT:
        return f"generator slot {r.generator!r} must be a non-empty name without spaces"
    if not r.ratio > 0:
        return f"ratio must be > 0, got {r.ratio:g}"
    if r.strategy not in STRATEGIES or r.labels not in LABELS or r.filter not in FILTERS:
        return f"strategy/labels/filter must be in {STRATEGIES}/{LABELS}/{FILTERS}"
    if (r.filter == "none") != (r.threshold is None):
        return "a filter other than 'none' needs a threshold (filter@t), and 'none' takes none"
    if r.threshold is not None and not 0.0 < r.threshold < 1.0:
        return f"filter threshold must be in (0, 1), got {r.threshold:g}"
    if not 0.0 < r.weight <= 1.0:
        return f"synthetic weight must be in (0, 1], got {r.weight:g}"
    return None


REAL_ONLY = Recipe(generator=None, ratio=0.0)


def parse_recipe(text: str) -> Recipe:
    """The inverse of `str(recipe)`; an InputError names the part that does not parse.

    Trailing parts may be left out (`ctgan x2` means match, generator labels, no filter, weight 1),
    so a user can type the short form on the command line.
    """
    parts = text.split()
    if parts == [REAL_ONLY_TEXT]:
        return REAL_ONLY
    if not parts or len(parts) > 6:
        raise InputError(f"recipe {text!r} is not 'GENERATOR xRATIO STRATEGY LABELS FILTER[@T] wWEIGHT' "
                         f"(e.g. 'gaussian_copula x1 match teacher consistency@0.6 w0.5') or {REAL_ONLY_TEXT!r}")
    gen, rest = parts[0], parts[1:] + [None] * (5 - len(parts[1:]))  # type: ignore[list-item]
    ratio, strategy, labels, filt, weight = rest
    name, _, thr = (filt or "none").partition("@")
    return Recipe(gen, _number(ratio, "x", text, 1.0), strategy or "match", labels or "generator",  # type: ignore[arg-type]
                  name, _number(thr, "", text, None) if thr else None,  # type: ignore[arg-type]
                  _number(weight, "w", text, 1.0))


def _number(part: str | None, prefix: str, text: str, default: float | None) -> float | None:
    if part is None:
        return default
    if not part.startswith(prefix):
        raise InputError(f"recipe {text!r}: part {part!r} should start with {prefix!r}")
    try:
        return float(part[len(prefix):])
    except ValueError as exc:
        raise InputError(f"recipe {text!r}: {part!r} is not {prefix}NUMBER") from exc


def expand(space: RecipeSpace, default_generators: Sequence[str] = ()) -> list[Recipe]:
    """Every recipe of the space, real only first (it is always a candidate, whatever the space says).

    `default_generators` (the config's generative slots) is used when the space names none; it is a
    parameter, not a lookup, so this module needs no experiment config.
    """
    generators = list(space.generators) or list(default_generators)
    out = [REAL_ONLY]
    for gen, strategy, ratio, labels, filt, weight in itertools.product(
            generators, space.strategies, space.ratios, space.labels, space.filters, space.weights):
        for thr in space.thresholds(filt):
            out.append(Recipe(gen, float(ratio), strategy, labels, filt, thr, float(weight)))
    return out
