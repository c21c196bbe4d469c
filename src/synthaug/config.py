"""Typed experiment config: YAML parsed into pydantic models so every error names its field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from synthaug.errors import ConfigError
from synthaug.recipe_space import RecipeSpace
from synthaug.records import METRICS

ColumnKind = Literal["numeric", "categorical", "boolean", "datetime", "identifier"]


class _Strict(BaseModel):
    """Unknown keys are errors: a typo in a config must not silently fall back to a default."""

    model_config = ConfigDict(extra="forbid")


class DatasetConfig(_Strict):
    source: str
    target: str | None = None
    kind: Literal["tabular", "images"] = "tabular"
    column_kinds: dict[str, ColumnKind] = Field(default_factory=dict)
    missing_values: list[str] = Field(default_factory=list)
    encoding: str | None = None  # text encoding of a CSV/TSV file (utf-8 when unset), e.g. latin-1
    drop_columns: list[str] = Field(default_factory=list)
    group: str | None = None
    max_rows: int | None = Field(default=None, gt=0)
    # images only
    image_size: tuple[int, int] | None = None
    color: Literal["grayscale", "rgb"] = "grayscale"
    on_size_mismatch: Literal["resize", "reject"] = "resize"


class ProtocolConfig(_Strict):
    repeats: int = Field(default=3, ge=1)
    test_size: float = Field(default=0.25, gt=0.0, lt=1.0)
    fractions: list[float] = Field(default_factory=lambda: [1.0], min_length=1)
    ratios: list[float] = Field(default_factory=lambda: [1.0], min_length=1)
    strategies: list[Literal["match", "balance"]] = Field(default_factory=lambda: ["match"], min_length=1)
    primary_metric: Literal[METRICS] = "macro_f1"  # type: ignore[valid-type]
    tstr: bool = True
    alpha: float = Field(default=0.05, gt=0.0, lt=0.5)

    @field_validator("fractions")
    @classmethod
    def _fractions_in_range(cls, v: list[float]) -> list[float]:
        for f in v:
            if not 0.0 < f <= 1.0:
                raise ValueError(f"each fraction must be in (0, 1], got {f}")
        return v

    @field_validator("ratios")
    @classmethod
    def _ratios_positive(cls, v: list[float]) -> list[float]:
        for r in v:
            if r <= 0.0:
                raise ValueError(f"each ratio must be > 0, got {r}")
        return v


class GateConfig(_Strict):
    """Thresholds a generative model's sampled set must meet to enter recommendations (None = not gated)."""

    min_validity: float | None = Field(default=None, ge=0.0, le=1.0)
    max_detection_auc: float | None = Field(default=None, ge=0.0, le=1.0)
    max_copy_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    min_dcr_ratio: float | None = Field(default=None, ge=0.0)
    min_quality: float | None = Field(default=None, ge=0.0, le=1.0)
    max_aggregate_failures: int | None = Field(default=None, ge=0)  # failed distribution expectations


class ValidationConfig(_Strict):
    policy: Literal["filter", "fail", "warn"] = "filter"
    gate: GateConfig = Field(default_factory=GateConfig)
    range_margin: float = Field(default=0.0, ge=0.0)  # numeric bounds widened by this fraction of the range
    fidelity: bool = True
    privacy: bool = True
    data_docs: bool = True
    max_fidelity_rows: int = Field(default=5000, gt=0)
    max_fidelity_columns: int = Field(default=12, ge=2)  # SDMetrics pair trends grow quadratically
    drop_copies: bool = True  # generative models only: exact copies of training rows are invalid rows
    distribution_checks: bool = True
    kl_bins: int = Field(default=10, ge=2)
    kl_threshold: float = Field(default=0.25, gt=0.0)
    mean_tolerance: float = Field(default=0.5, gt=0.0)  # in training standard deviations
    null_tolerance: float = Field(default=0.05, ge=0.0, le=1.0)
    detection_folds: int = Field(default=3, ge=2)


class RuntimeConfig(_Strict):
    task_runner: Literal["threads", "processes", "dask"] = "threads"
    workers: int = Field(default=2, ge=1)
    dask_address: str | None = None
    device: Literal["auto", "cpu", "cuda"] = "auto"
    cache: bool = True
    cache_dir: str = "data/cache"
    cache_max_gb: float = Field(default=5.0, gt=0.0)


class OutputConfig(_Strict):
    dir: str = "data/runs"
    save_synthetic: bool = True


class ExperimentConfig(_Strict):
    name: str = "experiment"
    seed: int = 0
    dataset: DatasetConfig
    generators: dict[str, dict[str, Any]] = Field(
        default_factory=lambda: {"gaussian_copula": {}, "smote": {}}
    )
    classifiers: dict[str, dict[str, Any]] = Field(
        default_factory=lambda: {c: {} for c in ("logistic_regression", "svm", "lda", "decision_tree", "random_forest")}
    )
    protocol: ProtocolConfig = Field(default_factory=ProtocolConfig)
    validation: ValidationConfig = Field(default_factory=ValidationConfig)
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    # The `auto` search space: present (even `recipes: {}`), each repeat × fraction also gets an `auto`
    # cell that picks a recipe per classifier by inner validation on its training rows only.
    recipes: RecipeSpace | None = None

    @field_validator("generators", mode="before")
    @classmethod
    def _generators_as_dict(cls, v: Any) -> Any:
        return _names_to_dict(v)

    @field_validator("classifiers", mode="before")
    @classmethod
    def _classifiers_as_dict(cls, v: Any) -> Any:
        return _names_to_dict(v)


def _names_to_dict(v: Any) -> Any:
    """Accept `[a, b]` as shorthand for `{a: {}, b: {}}`; `None` params mean defaults."""
    if isinstance(v, list):
        return {str(name): {} for name in v}
    if isinstance(v, dict):
        return {k: (p if p is not None else {}) for k, p in v.items()}
    return v


def apply_overrides(raw: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Set dotted keys (`protocol.repeats=5`); string values are parsed as YAML so `5` is an int."""
    out = copy.deepcopy(raw)
    for key, value in (overrides or {}).items():
        if isinstance(value, str):
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError:
                pass
        parts = str(key).split(".")
        node = out
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
    return out


def parse_set_args(items: list[str] | None) -> dict[str, str]:
    """Turn CLI `key=value` pairs into an overrides dict."""
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


def read_yaml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file {str(p)!r} does not exist")
    try:
        raw = yaml.safe_load(p.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {str(p)!r} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"config file {str(p)!r} must hold a mapping of keys, got {type(raw).__name__}")
    return raw


def build_config(raw: dict[str, Any], origin: str = "config") -> ExperimentConfig:
    try:
        return ExperimentConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: " + _describe(exc, raw)) from exc


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> ExperimentConfig:
    """Read YAML, apply overrides, validate. Relative dataset paths resolve against the cwd."""
    raw = apply_overrides(read_yaml(path), overrides)
    return build_config(raw, origin=str(path))


def _describe(exc: ValidationError, raw: dict[str, Any]) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        value = err.get("input")
        if err["type"] == "missing":
            parts.append(f"field {loc!r} is required")
        elif err["type"] == "extra_forbidden":
            parts.append(f"field {loc!r} is not a known setting (value {value!r})")
        else:
            parts.append(f"field {loc!r} has invalid value {value!r}: {err['msg']}")
    return "; ".join(parts)


def dump_config(cfg: ExperimentConfig) -> str:
    return yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False)
