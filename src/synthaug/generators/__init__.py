"""Generator registry: config names map to estimator-shaped classes behind one template (`BaseGenerator`).

A generator declares itself once, on its class: `@register_generator("ctgan", description=...)` reads
`kinds`, `generative` and `adds_rows` from the class attributes and sets `name`. Nothing registers
as a side effect of importing an unrelated package: the first read of the registry imports the
built-in modules listed below (cheap: SDV and torch are imported only inside fit), then the
third-party plugins declared as entry points of the group `synthaug.generators`
(`tiny = "tiny_synth:TinyGenerator"`). A plugin that fails to load is listed with the reason and
raises a ConfigError naming it when used; it never breaks the listing or the other generators.
"""

from __future__ import annotations

import functools
import importlib
import logging
import threading
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, TypeVar

from synthaug.errors import ConfigError
from synthaug.generators.base import BaseGenerator, class_counts_for, label_counts, shortfall

__all__ = ["ENTRY_POINT_GROUP", "GENERATORS", "BaseGenerator", "GeneratorSpec", "available_generators",
           "class_counts_for", "generator_class", "label_counts", "make_generator", "register",
           "register_generator", "resolve_type", "shortfall", "slot_params"]

log = logging.getLogger("synthaug")

# The built-in generators, in listing order. Adding one: write the module, decorate the class, add it here.
BUILTIN_MODULES = (
    "synthaug.generators.sdv_models",
    "synthaug.generators.oversamplers",
    "synthaug.generators.images",
    "synthaug.generators.image_gan",
    "synthaug.generators.image_classical",
    "synthaug.generators.class_weight",
)
ENTRY_POINT_GROUP = "synthaug.generators"
G = TypeVar("G", bound=type[BaseGenerator])


@dataclass(frozen=True)
class GeneratorSpec:
    """What listing and preflight need without importing the class; `path` is "module:Class"."""

    path: str
    kinds: tuple[str, ...]
    generative: bool
    description: str
    adds_rows: bool = True
    error: str | None = None  # why a plugin failed to load (it is listed, and using it is a ConfigError)

    @classmethod
    def of(cls, klass: type[BaseGenerator], description: str) -> GeneratorSpec:
        return cls(f"{klass.__module__}:{klass.__qualname__}", tuple(klass.kinds), bool(klass.generative),
                   description, bool(klass.adds_rows))


class Registry(MutableMapping[str, GeneratorSpec]):
    """name -> spec, filled on the first read (built-ins, then entry-point plugins); writes need no load."""

    def __init__(self) -> None:
        self._specs: dict[str, GeneratorSpec] = {}
        self._lock = threading.RLock()
        self._state = "empty"  # empty -> loading -> loaded

    def define(self, name: str, spec: GeneratorSpec) -> None:
        """Add without triggering the load (the decorator runs while the load imports the modules)."""
        self._specs[name] = spec

    def _ensure_loaded(self) -> None:
        if self._state == "loaded":
            return
        with self._lock:
            if self._state != "empty":  # loaded meanwhile, or a module being loaded reads the registry
                return
            self._state = "loading"
            try:
                for module in BUILTIN_MODULES:
                    importlib.import_module(module)
                for ep in entry_points(group=ENTRY_POINT_GROUP):
                    self._add_plugin(ep)
                self._state = "loaded"
            finally:
                if self._state != "loaded":
                    self._state = "empty"

    def _add_plugin(self, ep: EntryPoint) -> None:
        if ep.name in self._specs:
            log.warning("generator plugin %r (%s) ignored: the name is taken by %s", ep.name, ep.value,
                        self._specs[ep.name].path)
            return
        self._specs[ep.name] = plugin_spec(ep)

    def __getitem__(self, name: str) -> GeneratorSpec:
        self._ensure_loaded()
        return self._specs[name]

    def __setitem__(self, name: str, spec: GeneratorSpec) -> None:
        self._specs[name] = spec

    def __delitem__(self, name: str) -> None:
        self._ensure_loaded()
        del self._specs[name]

    def __iter__(self) -> Iterator[str]:
        self._ensure_loaded()
        return iter(list(self._specs))

    def __len__(self) -> int:
        self._ensure_loaded()
        return len(self._specs)


GENERATORS = Registry()


def register_generator(name: str, description: str) -> Callable[[G], G]:
    """Class decorator: the one place a generator's config name and listing line are declared."""

    def decorate(cls: G) -> G:
        cls.name = name
        cls.description = description
        GENERATORS.define(name, GeneratorSpec.of(cls, description))
        return cls

    return decorate


def register(name: str, spec: GeneratorSpec) -> None:
    """Add a spec by hand (tests, notebooks); classes use `register_generator`, packages entry points."""
    GENERATORS[name] = spec


def plugin_spec(ep: EntryPoint) -> GeneratorSpec:
    """The spec of one entry-point plugin; a plugin that cannot be loaded becomes a spec with `error`."""
    dist = getattr(ep, "dist", None)
    where = f"{ep.value}" + (f" from distribution {dist.name!r}" if dist is not None else "")
    try:
        cls = ep.load()
        if not (isinstance(cls, type) and issubclass(cls, BaseGenerator)):
            raise TypeError(f"{ep.value} is {cls!r}, not a subclass of synthaug.generators.BaseGenerator")
    except Exception as exc:  # noqa: BLE001 - any failure of third-party code is reported, not raised here
        error = (f"generator plugin {ep.name!r} ({where}, entry point group {ENTRY_POINT_GROUP!r}) failed to "
                 f"load: {type(exc).__name__}: {exc}")
        return GeneratorSpec(ep.value, (), False, f"BROKEN plugin: {type(exc).__name__}: {exc}", error=error)
    if "name" not in vars(cls):
        cls.name = ep.name
    doc = (cls.__doc__ or "").strip().splitlines()
    description = vars(cls).get("description") or (doc[0] if doc else f"plugin {where}")
    return GeneratorSpec.of(cls, description)


def available_generators() -> dict[str, GeneratorSpec]:
    """Every generator, built-in then plugins, in listing order."""
    return dict(GENERATORS.items())


def resolve_type(slot: str, params: dict[str, Any]) -> str:
    """A slot name is its type unless `type:` says otherwise (`ctgan_300: {type: ctgan, epochs: 300}`)."""
    return str(params.get("type", slot))


def generator_class(type_name: str) -> type[BaseGenerator]:
    """The class behind a config name; ConfigError for an unknown name or a plugin that failed to load."""
    spec = GENERATORS.get(type_name)
    if spec is None:
        raise ConfigError(f"unknown generator {type_name!r} in field 'generators'; known: {sorted(GENERATORS)}")
    if spec.error:
        raise ConfigError(spec.error)
    module, attr = spec.path.split(":")
    return functools.reduce(getattr, attr.split("."), importlib.import_module(module))


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
