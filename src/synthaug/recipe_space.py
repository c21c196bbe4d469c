"""The search space `auto` selects from: a `recipes:` config section, typed and strict.

Why these defaults (24 recipes per generator + real only; chosen on a *development* split of Adult
at 1%, split seed 100, never on the benchmark's test rows — see benchmarks/results/recipes_probe.md):
- teacher labels with an ensemble teacher (random forest + logistic regression, probabilities
  averaged): at a few hundred rows the linear model is the stronger teacher, at thousands the
  forest; a forest-only teacher was weaker than the students it taught (LR, LDA) at 1%;
- ratios 0.5, 1 and 4: teacher-labelled rows pay most at ×4 (more points on the teacher's
  boundary), generator-labelled rows at ×0.5;
- `balance` beside `match`: macro-F1 rewards the minority class, and the balance strategy is the
  generative way to shift the classifier toward it;
- consistency filter at 0.6; no down-weighting by default (weight 0.5 moved no classifier beyond
  what ratio 0.5 does, doubled the cost and is n/a for LDA/QDA) — both stay available.
Each generator is fitted once per inner fold, so Adult at 1% with GaussianCopula and five
classifiers selects in about half a minute per repeat on two cores.

This module depends on pydantic and `synthaug.errors` only, so the experiment config can hold it as
its `recipes:` section without importing the recipe machinery.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from synthaug.errors import ConfigError

SECTION = "recipes"
Strategy = Literal["match", "balance"]
Labels = Literal["generator", "teacher"]
FilterName = Literal["none", "consistency", "fidelity"]


class _Frozen(BaseModel):
    """Unknown keys are errors (a typo must not fall back to a default); values never change after load."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSpec(_Frozen):
    """A classifier of the zoo (`synthaug.evaluation.classifiers`) by name, with its params."""

    classifier: str
    params: dict[str, Any] = Field(default_factory=dict)


class RecipeSpace(_Frozen):
    generators: list[str] = Field(default_factory=list)  # empty: the config's generative slots (caller passes them)
    ratios: list[float] = Field(default_factory=lambda: [0.5, 1.0, 4.0], min_length=1)
    strategies: list[Strategy] = Field(default_factory=lambda: ["match", "balance"], min_length=1)
    labels: list[Labels] = Field(default_factory=lambda: ["generator", "teacher"], min_length=1)
    filters: list[FilterName] = Field(default_factory=lambda: ["none", "consistency"], min_length=1)
    consistency_thresholds: list[float] = Field(default_factory=lambda: [0.6], min_length=1)
    fidelity_thresholds: list[float] = Field(default_factory=lambda: [0.8], min_length=1)
    weights: list[float] = Field(default_factory=lambda: [1.0], min_length=1)
    teacher: list[ModelSpec] = Field(default_factory=lambda: [
        ModelSpec(classifier="random_forest", params={"n_estimators": 300}),
        ModelSpec(classifier="logistic_regression")], min_length=1)  # probabilities averaged
    detector: ModelSpec = Field(default_factory=lambda: ModelSpec(classifier="logistic_regression"))
    detector_folds: int = Field(default=3, ge=2)
    inner_folds: int = Field(default=3, ge=2)
    inner_repeats: int = Field(default=1, ge=1)  # repeated K-fold: K × repeats folds, each fitting every generator
    selection: Literal["one_se_all_folds", "one_se", "best_mean"] = "one_se_all_folds"  # see recipes.rule

    @field_validator("ratios")
    @classmethod
    def _ratios(cls, v: list[float]) -> list[float]:
        return _checked(v, lambda x: x > 0, "each ratio must be > 0")

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: list[float]) -> list[float]:
        return _checked(v, lambda x: 0 < x <= 1, "each synthetic weight must be in (0, 1]")

    @field_validator("consistency_thresholds", "fidelity_thresholds")
    @classmethod
    def _thresholds(cls, v: list[float]) -> list[float]:
        return _checked(v, lambda x: 0 < x < 1, "each threshold must be in (0, 1)")

    @field_validator("generators", "strategies", "labels", "filters")
    @classmethod
    def _unique(cls, v: list[Any]) -> list[Any]:
        return _checked(v, lambda x: True, "")

    def thresholds(self, name: str) -> list[float | None]:
        return {"none": [None], "consistency": list(self.consistency_thresholds),
                "fidelity": list(self.fidelity_thresholds)}[name]


def _checked(values: list[Any], ok: Any, message: str) -> list[Any]:
    bad = [x for x in values if not ok(x)]
    if bad:
        raise ValueError(f"{message}, got {bad}")
    if len(set(values)) != len(values):
        raise ValueError(f"values must be unique, got {values}")
    return values


def load_space(raw: dict[str, Any] | None, section: str = SECTION) -> RecipeSpace:
    """The `recipes:` section as a RecipeSpace; a ConfigError names each bad field (`recipes.ratios`)."""
    try:
        return RecipeSpace.model_validate(raw or {})
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            loc = ".".join([section, *(str(x) for x in err["loc"])])
            if err["type"] == "extra_forbidden":
                parts.append(f"field {loc!r} is not a known setting")
            else:
                parts.append(f"field {loc!r} has invalid value {err.get('input')!r}: {err['msg']}")
        raise ConfigError("; ".join(parts)) from exc
