"""Great Expectations made cheaper per expectation, with results identical to GX's own.

Why: a suite validates a table in milliseconds of pandas work, yet GX spends about 3 ms per
expectation building its metric graph: rebuilding configurations and hashing every metric's kwargs
through `convert_to_json_serializable`, which walks each `None` through three numpy dtype checks.
A set's row suite has about three expectations per column, so on the quickstart's 31-column sets
that was most of a cell's validation time. Each change below returns exactly what GX returns; the
tests compare validation results with and without them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_PLAIN = (str, int, bool)


@functools.cache
def fast_json_conversion() -> None:
    """`convert_to_json_serializable` answers `None`, `str`, `int` and `bool` (exact types, whose values
    GX returns unchanged after a dozen type checks) at once; everything else goes to GX's function.
    Patched where the metric ids are hashed (`id_dict`) and in `util` itself, where GX's function
    recurses into dicts and lists through the module's global name. Once per process."""
    import great_expectations.core.id_dict as id_dict
    import great_expectations.util as gx_util

    original = gx_util.convert_to_json_serializable

    def convert(data: Any) -> Any:
        if data is None or type(data) in _PLAIN:
            return data
        return original(data)

    convert.__wrapped__ = original  # type: ignore[attr-defined]
    gx_util.convert_to_json_serializable = convert
    id_dict.convert_to_json_serializable = convert


@contextmanager
def configurations_built_once() -> Iterator[None]:
    """GX rebuilds `Expectation.configuration` (a pydantic dump into a new ExpectationConfiguration) on
    every access, and reads it once per kwarg key: about 100 builds per expectation per validation,
    a third of a set's validation time. Within one validation (under the runner's lock, nothing edits
    an expectation) each expectation's configuration is built once; outside it GX's property is back.
    Results are identical (checked on the quickstart's sets)."""
    from great_expectations.expectations.expectation import Expectation

    with _once_per_object(Expectation, "configuration", is_property=True):
        yield


@contextmanager
def domain_objects_built_once() -> Iterator[None]:
    """GX turns a configuration back into its Expectation (a pydantic model validating every kwarg) for
    each metric it asks the expectation about, about a dozen times per expectation per validation. Within
    one validation each configuration object is turned into its Expectation once; GX reads only its
    kwargs from it there, and fills in `batch_id` on its copy of the configuration before the first turn.
    With `configurations_built_once`, the Expectation's own configuration is then built once too.
    Results are identical (the tests compare validations with and without the speed-ups)."""
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    with _once_per_object(ExpectationConfiguration, "to_domain_obj"):
        yield


@contextmanager
def _once_per_object(cls: type, name: str, is_property: bool = False) -> Iterator[None]:
    """Within the block, `cls`'s no-argument method (or property) `name` runs once per object; GX's own
    is back after it. Objects are kept alive meanwhile, so their ids stay unique."""
    original = cls.__dict__[name]
    build = original.fget if is_property else original
    built: dict[int, tuple[Any, Any]] = {}  # id -> (object, value)

    def once(self: Any) -> Any:
        if id(self) not in built:
            built[id(self)] = (self, build(self))
        return built[id(self)][1]

    setattr(cls, name, property(once) if is_property else once)
    try:
        yield
    finally:
        setattr(cls, name, original)


@contextmanager
def column_types_resolved_once() -> Iterator[None]:
    """GX's type-list expectation resolves the table's column types itself, outside the metric graph,
    once when it lists its dependencies and once when it validates: twice per column per validation,
    each a pass over every column's dtype. Within one validation (one batch: the metric id holds the
    batch id) each engine resolves them once; every caller gets its own copy of the list."""
    from great_expectations.execution_engine.execution_engine import ExecutionEngine

    resolve = ExecutionEngine.__dict__["resolve_metrics"]
    resolved: dict[tuple[int, Any], tuple[Any, Any]] = {}  # (engine id, metric id) -> (engine, value)

    def resolve_metrics(self: Any, metrics_to_resolve: Any, metrics: Any = None,
                        runtime_configuration: Any = None) -> Any:
        wanted = list(metrics_to_resolve) if isinstance(metrics_to_resolve, list | tuple) else None
        if not (wanted and len(wanted) == 1 and wanted[0].metric_name == "table.column_types"
                and metrics is None and runtime_configuration is None):
            return resolve(self, metrics_to_resolve, metrics, runtime_configuration)
        key = (id(self), wanted[0].id)
        if key not in resolved:
            resolved[key] = (self, resolve(self, wanted)[wanted[0].id])
        return {wanted[0].id: [dict(d) for d in resolved[key][1]]}

    ExecutionEngine.resolve_metrics = resolve_metrics  # type: ignore[method-assign]
    try:
        yield
    finally:
        ExecutionEngine.resolve_metrics = resolve  # type: ignore[method-assign]
