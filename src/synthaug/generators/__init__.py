"""Generator registry: config names map to estimator-shaped classes behind one protocol."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from synthaug.errors import ConfigError
from synthaug.generators.base import BaseGenerator, class_counts_for, label_counts, shortfall

__all__ = ["GENERATORS", "BaseGenerator", "class_counts_for", "generator_class", "label_counts",
           "make_generator", "resolve_type", "shortfall", "slot_params"]


@dataclass(frozen=True)
class GeneratorSpec:
    path: str  # "module:Class", imported lazily so `synthaug generators` stays fast
    kinds: tuple[str, ...]
    generative: bool
    description: str


GENERATORS: dict[str, GeneratorSpec] = {
    "gaussian_copula": GeneratorSpec("synthaug.generators.sdv_models:GaussianCopulaGenerator", ("tabular",), True,
                                     "SDV GaussianCopula: marginals + Gaussian copula; fast"),
    "ctgan": GeneratorSpec("synthaug.generators.sdv_models:CTGANGenerator", ("tabular",), True,
                           "SDV CTGAN: conditional GAN for tables (epochs, batch_size, ...)"),
    "tvae": GeneratorSpec("synthaug.generators.sdv_models:TVAEGenerator", ("tabular",), True,
                          "SDV TVAE: variational autoencoder for tables (epochs, ...)"),
    "copulagan": GeneratorSpec("synthaug.generators.sdv_models:CopulaGANGenerator", ("tabular",), True,
                               "SDV CopulaGAN: CTGAN on copula-transformed marginals"),
    "smote": GeneratorSpec("synthaug.generators.oversamplers:SMOTEGenerator", ("tabular", "images"), False,
                           "SMOTE / SMOTENC / SMOTEN interpolation baseline (k_neighbors)"),
    "random_oversampling": GeneratorSpec("synthaug.generators.oversamplers:RandomOversamplingGenerator",
                                         ("tabular", "images"), False,
                                         "copies of training rows with replacement (null baseline)"),
}


def register(name: str, spec: GeneratorSpec) -> None:
    """Add a generator (the image module registers its own on import)."""
    GENERATORS[name] = spec


def _load_extra_registrations() -> None:
    """Modules that register generators on import (image models, the class-weight baseline)."""
    for module in ("synthaug.generators.images", "synthaug.evaluation"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def resolve_type(slot: str, params: dict[str, Any]) -> str:
    """A slot name is its type unless `type:` says otherwise (`ctgan_300: {type: ctgan, epochs: 300}`)."""
    return str(params.get("type", slot))


def generator_class(type_name: str) -> type[BaseGenerator]:
    _load_extra_registrations()
    if type_name not in GENERATORS:
        raise ConfigError(f"unknown generator {type_name!r} in field 'generators'; known: {sorted(GENERATORS)}")
    module, cls = GENERATORS[type_name].path.split(":")
    return getattr(importlib.import_module(module), cls)


def slot_params(slot: str, params: dict[str, Any], device: str) -> dict[str, Any]:
    """The params a slot's generator is built with: image models also get `runtime.device`."""
    out = dict(params)
    if GENERATORS[resolve_type(slot, params)].kinds == ("images",):
        out.setdefault("device", device)
    return out


def make_generator(slot: str, params: dict[str, Any], seed: int) -> BaseGenerator:
    type_name = resolve_type(slot, params)
    cls = generator_class(type_name)
    kwargs = {k: v for k, v in params.items() if k != "type"}
    return cls(random_state=seed, **kwargs)
