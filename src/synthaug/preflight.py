"""Checks that the whole grid can run, done before any model is fitted so bad input fails in seconds."""

from __future__ import annotations

import socket
import warnings

import numpy as np

from synthaug.config import ExperimentConfig, RuntimeConfig
from synthaug.data.dataset import Dataset
from synthaug.errors import ConfigError, DataError
from synthaug.evaluation.classifiers import classifier_spec, make_estimator
from synthaug.evaluation.splits import min_class_rows
from synthaug.generators import GENERATORS, generator_class, make_generator, resolve_type, slot_params


def check_experiment(cfg: ExperimentConfig, data: Dataset) -> None:
    """Every generator slot and classifier known, usable on this data and with valid hyperparameters, and
    every class large enough for the splits: bad input fails here, before a run folder or a fit."""
    if not cfg.generators:
        raise ConfigError("field 'generators' is empty; name at least one generator (e.g. gaussian_copula)")
    if not cfg.classifiers:
        raise ConfigError("field 'classifiers' is empty; name at least one classifier (e.g. logistic_regression)")
    for slot, params in cfg.generators.items():
        check_generator_slot(slot, params, data, cfg.runtime.device)
    if cfg.recipes is not None:
        check_recipes(cfg, data.kind)
    for name, params in cfg.classifiers.items():
        spec = classifier_spec(name)
        if data.kind not in spec.kinds:
            raise ConfigError(f"classifier {name!r} works on {'/'.join(spec.kinds)} data, "
                              f"but dataset.kind is {data.kind!r}")
        _check_classifier_params(name, params)
    check_class_sizes(cfg, data)


def check_generator_slot(slot: str, params: dict, data: Dataset, device: str) -> None:
    """A known generator that works on this kind of data, with valid hyperparameters (the experiment
    and `synthaug augment` both check through here)."""
    type_name = resolve_type(slot, params)
    generator_class(type_name)  # raises ConfigError naming unknown generators
    if data.kind not in GENERATORS[type_name].kinds:
        raise ConfigError(f"generator {slot!r} ({type_name}) works on {'/'.join(GENERATORS[type_name].kinds)} "
                          f"data, but dataset.kind is {data.kind!r}")
    try:
        make_generator(slot, slot_params(slot, params, device), 0)  # bad params fail now
    except ConfigError as exc:
        raise ConfigError(f"field 'generators.{slot}': {exc}") from exc


def check_recipes(cfg: ExperimentConfig, kind: str = "tabular") -> None:
    """`auto` needs generators it may use (named slots that exist, or a generative slot), a table (its
    pools and detector are tabular), and teacher/detector models that can be built."""
    from synthaug.cellspec import auto_generators
    from synthaug.records import AUTO

    if kind != "tabular":
        raise ConfigError("field 'recipes' (auto selection) works on tabular data; dataset.kind is 'images'")
    space = cfg.recipes
    for where, spec in [*(("recipes.teacher", t) for t in space.teacher), ("recipes.detector", space.detector)] \
            if space is not None else []:
        try:
            make_estimator(spec.classifier, spec.params, 0)
        except (ConfigError, TypeError, ValueError) as exc:
            raise ConfigError(f"field {where!r}: {exc}") from exc
    if AUTO in cfg.generators:
        raise ConfigError(f"generator slot {AUTO!r} is reserved for recipe selection (field 'recipes'); rename it")
    unknown = [g for g in cfg.recipes.generators if g not in cfg.generators] if cfg.recipes else []
    if unknown:
        raise ConfigError(f"field 'recipes.generators' names {unknown}, which are not slots of 'generators' "
                          f"({sorted(cfg.generators)})")
    if not auto_generators(cfg):
        raise ConfigError("field 'recipes' needs a generative generator slot (e.g. gaussian_copula) to build "
                          "recipes from; oversampling and class_weight stay beside auto as baselines")


def _check_classifier_params(name: str, params: dict) -> None:
    """Unknown or out-of-range hyperparameters fail now, not in the middle of a run.

    Names: `make_estimator` builds the model; its constructor and `get_params` know them. Values:
    scikit-learn's own classes check hyperparameters at the start of `fit`, before they look at the
    data, so a fit on an empty table runs that check and trains nothing (under a millisecond per
    classifier; a toy 2-class fit of the zoo took 0.35 s). Only that check's error rejects the config.
    Classes from elsewhere (plugins, the CNN) are not fitted here: user code should not run before
    the experiment does, and the cells record their errors with the reason.
    """
    model = make_estimator(name, params, 0)
    if type(model).__module__.partition(".")[0] != "sklearn":
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(np.zeros((0, 2)), np.zeros(0))
    except Exception as exc:  # noqa: BLE001 - only parameter errors matter here, see above
        if _is_parameter_error(exc):
            raise ConfigError(f"classifier {name!r} in field 'classifiers' has an invalid parameter in "
                              f"{params!r}: {exc}") from exc


def _is_parameter_error(exc: BaseException) -> bool:
    """scikit-learn's `InvalidParameterError` (a ValueError and a TypeError) lives in a private module;
    matching the class name keeps preflight on public ground."""
    return any(cls.__name__ == "InvalidParameterError" for cls in type(exc).__mro__)


def check_class_sizes(cfg: ExperimentConfig, data: Dataset) -> None:
    """Every class needs test rows and, at every fraction, training rows in every repeat."""
    p = cfg.protocol
    counts = data.class_counts()
    if len(counts) < 2:
        raise DataError(f"target {data.target!r} has one class only ({data.label_name(next(iter(counts)))!r})")
    if data.groups is not None:
        return  # group splits keep whole groups together; sizes are checked per group at split time
    for label, n in sorted(counts.items(), key=lambda kv: kv[1]):
        for f in sorted(p.fractions):
            if n < 2 or min_class_rows(n, p.test_size, f, p.repeats) < 1:
                raise DataError(
                    f"class {data.label_name(label)!r} of target {data.target!r} has {n} rows: too few to split with "
                    f"test_size {p.test_size}, fraction {f:g} and {p.repeats} repeats (a training subset "
                    "would get no row of it); use larger fractions, fewer repeats, or drop or merge the class")


DASK_DEFAULT_PORT = 8786


def check_runtime(runtime: RuntimeConfig, timeout: float = 2.0) -> None:
    """An unreachable Dask scheduler fails in seconds, naming the address, before a run folder exists
    (otherwise the client waits out its own connect timeout mid-run). A plain TCP connect: it proves
    something listens there, not that it is a Dask scheduler."""
    if runtime.task_runner != "dask" or not runtime.dask_address:
        return
    address = runtime.dask_address
    host, port = _host_port(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except (OSError, ValueError) as exc:
        raise ConfigError(f"runtime.dask_address {address!r} is unreachable ({host}:{port}: {exc}); start the "
                          "Dask scheduler there, fix the address, or use runtime.task_runner: processes") from exc


def _host_port(address: str) -> tuple[str, int]:
    """`tcp://host:port`, `tls://host:port` or `host[:port]`; IPv6 in brackets."""
    rest = address.split("://", 1)[-1].rstrip("/")
    if rest.startswith("["):
        host, _, port = rest[1:].partition("]")
        port = port.lstrip(":")
    else:
        host, _, port = rest.rpartition(":") if ":" in rest else (rest, "", "")
    try:
        return host, int(port) if port else DASK_DEFAULT_PORT
    except ValueError as exc:
        raise ConfigError(f"runtime.dask_address {address!r} has no valid port") from exc
