"""Generator hyperparameters are checked when the generator is built: names against the real constructor,
values against ranges declared once per adapter."""

from __future__ import annotations

import pytest

from synthaug.errors import ConfigError
from synthaug.generators import GENERATORS, generator_class, make_generator
from synthaug.generators.params import COMMON_RANGES, constructor_params


def _all_classes() -> dict[str, type]:
    return {name: generator_class(name) for name in GENERATORS}  # the first read loads every built-in


def _known(cls: type) -> set[str]:
    return set(cls.defaults) | constructor_params(cls.wrapped())


def test_every_declared_range_names_a_real_parameter_of_the_installed_library():
    # Setup: ranges declared on a shared base must name a parameter of some generator inheriting them
    classes = _all_classes()
    declared: dict[type, set[str]] = {}
    for cls in classes.values():
        for klass in cls.__mro__:
            if "ranges" in vars(klass):
                declared.setdefault(klass, set()).update(vars(klass)["ranges"])
    # Run
    undeclared = {klass.__name__: sorted(names - set().union(*(_known(c) for c in classes.values()
                                                               if issubclass(c, klass))))
                  for klass, names in declared.items()}
    # Assert
    assert {k: v for k, v in undeclared.items() if v} == {}
    assert {"epochs", "batch_size", "pac"} <= constructor_params(classes["ctgan"].wrapped())
    assert len(classes) >= 7


@pytest.mark.parametrize(("slot", "params", "match"), [
    ("ctgan", {"epochz": 3}, r"unknown parameter\(s\) \['epochz'\]; valid: \[.*'epochs'"),
    ("ctgan", {"epochs": -5}, "'epochs' must be ≥ 1, got -5"),
    ("tvae", {"epochs": 2.5}, "'epochs' must be an integer"),
    ("ctgan", {"batch_size": 25}, "multiple of pac"),
    ("gaussian_copula", {"default_distribution": "foo"}, "must be one of"),
    ("smote", {"k_neighbors": 0}, "'k_neighbors' must be ≥ 1"),
    ("random_oversampling", {"ratio": 2}, r"unknown parameter\(s\) \['ratio'\]"),
])
def test_bad_hyperparameters_are_config_errors_naming_them(slot, params, match):
    # Run / Assert
    with pytest.raises(ConfigError, match=match):
        make_generator(slot, params, 0)


def test_valid_hyperparameters_pass_through_to_the_library():
    # Run
    gen = make_generator("ctgan", {"epochs": 1, "batch_size": 20, "pac": 10, "embedding_dim": 8}, 0)
    # Assert
    assert gen.params == {"epochs": 1, "batch_size": 20, "pac": 10, "embedding_dim": 8}
    assert COMMON_RANGES["epochs"].problem(1) is None


@pytest.mark.parametrize("name", ["gaussian_copula", "ctgan", "tvae", "copulagan"])
def test_sdv_parameter_names_read_from_source_equal_the_imported_signature(name):
    # Setup: the names the CLI process reads from SDV's source file, without importing SDV
    from synthaug.generators.params import source_params
    from synthaug.generators.sdv_models import _SOURCES, _synthesizer_class

    # Run
    from_source = source_params("sdv", *_SOURCES[name])
    # Assert: exactly what inspect finds on the imported class (a new SDV release that moves a class fails here)
    assert from_source is not None
    assert set(from_source) == constructor_params(_synthesizer_class(name))


def test_building_an_sdv_generator_does_not_import_sdv(tmp_path):
    # Setup: a fresh interpreter, as the CLI process is before its first fit
    import subprocess
    import sys

    code = ("import sys; from synthaug.generators import make_generator; "
            "make_generator('ctgan', {'epochs': 3}, 0); "
            "print(sorted(m for m in ('sdv', 'torch', 'sdmetrics') if m in sys.modules))")
    # Run
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # Assert: parameters were checked without the heavy imports
    assert out.stdout.strip() == "[]"
