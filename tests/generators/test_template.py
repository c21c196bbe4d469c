"""The generator template: `BaseGenerator` does the shared work once for every built-in generator.

Seed default, class-count default, labels and their save/load are checked through the public API of
each built-in tabular generator (tiny data, one epoch), plus the declarations the registry reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthaug.generators import (
    BUILTIN_MODULES,
    GENERATORS,
    BaseGenerator,
    available_generators,
    class_counts_for,
    generator_class,
    make_generator,
)

FAST = {"ctgan": {"epochs": 1}, "tvae": {"epochs": 1}, "copulagan": {"epochs": 1}}
BUILTIN_TABULAR = [name for name, spec in available_generators().items()
                   if spec.path.split(":")[0] in BUILTIN_MODULES and "tabular" in spec.kinds]


@pytest.fixture(scope="module")
def table() -> tuple[pd.DataFrame, np.ndarray, dict[str, str]]:
    """60 rows, a numeric and a categorical column, object labels (the JSON path of label persistence)."""
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"num": rng.normal(size=60), "cat": rng.choice(["a", "b"], 60).astype(object)})
    y = np.array(["no"] * 40 + ["yes"] * 20, dtype=object)
    return X, y, {"num": "numeric", "cat": "categorical"}


def _same(a: tuple[Any, np.ndarray], b: tuple[Any, np.ndarray]) -> None:
    pd.testing.assert_frame_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[1].dtype == b[1].dtype


def test_every_builtin_tabular_generator_is_covered():
    # Assert
    assert {"gaussian_copula", "ctgan", "tvae", "copulagan", "smote", "random_oversampling",
            "class_weight"} <= set(BUILTIN_TABULAR)


@pytest.mark.parametrize("name", BUILTIN_TABULAR)
def test_template_defaults_and_round_trip(name, table, tmp_path, monkeypatch):
    # Setup
    X, y, kinds = table
    gen = make_generator(name, FAST.get(name, {}), seed=5)
    # Run
    assert gen.fit(X, y, column_kinds=kinds) is gen
    default = gen.sample(30)
    explicit = gen.sample(30, class_counts_for("match", 30, {"no": 40, "yes": 20}), random_state=5)
    asked = gen.sample(20, {"no": 5, "yes": 15}, random_state=9)
    gen.save(tmp_path / "g")
    loaded = type(gen).load(tmp_path / "g")
    seen: list[tuple[dict, int]] = []
    hook = loaded._sample
    monkeypatch.setattr(loaded, "_sample", lambda counts, seed: seen.append((counts, seed)) or hook(counts, seed))
    again = loaded.sample(20, {"no": 5, "yes": 15}, random_state=9)
    loaded.sample(30)
    # Assert: shared state set by `fit`, restored by `load`
    assert gen.classes_.tolist() == ["no", "yes"] and gen.class_counts_ == {"no": 40, "yes": 20}
    assert gen.label_dtype_ == np.dtype(object) and gen.column_kinds_ == kinds
    assert loaded.classes_.tolist() == ["no", "yes"] and loaded.class_counts_ == gen.class_counts_
    assert loaded.label_dtype_ == gen.label_dtype_ and loaded.column_kinds_ == kinds
    assert json.loads((tmp_path / "g" / "params.json").read_text())["params"]["random_state"] == 5
    # Assert: seed and class counts default in the base; save/load gives the same rows
    _same(default, explicit)
    _same(asked, again)
    assert seen == [({"no": 5, "yes": 15}, 9), ({"no": 20, "yes": 10}, 5)]


def test_a_failed_fit_does_not_look_fitted(table):
    # Setup
    class Broken(BaseGenerator):
        def _fit(self, X: Any, y: np.ndarray, column_kinds: dict[str, str]) -> None:
            raise ValueError("no")

    X, y, kinds = table
    gen = Broken()
    # Run / Assert
    with pytest.raises(RuntimeError, match="not fitted"):
        gen.sample(3)
    with pytest.raises(ValueError, match="no"):
        gen.fit(X, y, kinds)
    with pytest.raises(RuntimeError, match="not fitted"):
        gen.sample(3)


@pytest.mark.parametrize("name", sorted(n for n, s in available_generators().items()
                                        if s.path.split(":")[0] in BUILTIN_MODULES))
def test_registry_reads_the_class_declarations(name):
    # Run
    cls, spec = generator_class(name), GENERATORS[name]
    # Assert: one declaration, on the class; the public methods live in the base only
    assert cls.name == name and spec.description and spec.description == cls.description
    assert (spec.kinds, spec.generative, spec.adds_rows) == (cls.kinds, cls.generative, cls.adds_rows)
    for klass in cls.__mro__[:cls.__mro__.index(BaseGenerator)]:
        assert not {"fit", "sample", "save", "load"} & set(vars(klass)), klass


def test_importing_the_package_registers_nothing_and_help_imports_no_models():
    # Setup: a fresh interpreter, so nothing this test session imported counts
    code = ("import sys\n"
            "import synthaug.generators\n"
            "assert not [m for m in sys.modules if m.endswith(('sdv_models', 'oversamplers', 'class_weight'))]\n"
            "from synthaug_pipelines.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "main(['generators'])\n"
            "heavy = [m for m in ('sdv', 'torch', 'imblearn', 'synthaug.evaluation') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    # Run
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).parent)
    # Assert
    assert out.returncode == 0, out.stderr
    assert "class_weight" in out.stdout and "cvae" in out.stdout
