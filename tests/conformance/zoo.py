"""The conformance zoo: small tables crossing target encodings, column types and class balance.

Every table is built here from a seeded numpy generator (no files in the repository) and written to
CSV (the common user path: labels and dates as text) or Parquet (the only way nullable, pyarrow and
category dtypes reach the loader intact). `ZOO` maps a name to a `Table`; `write(table, folder)`
puts it on disk and returns the path. `experiment(...)` is the tiny grid every zoo table runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TARGET = "label"

# Every tabular generator with the cheapest parameters that still fit and sample (batch sizes are
# multiples of CTGAN's pac = 10).
ALL_GENERATORS: dict[str, dict[str, Any]] = {
    "gaussian_copula": {},
    "ctgan": {"epochs": 2, "batch_size": 20},
    "tvae": {"epochs": 2, "batch_size": 20},
    "copulagan": {"epochs": 2, "batch_size": 20},
    "smote": {},
    "random_oversampling": {},
    "class_weight": {},
}
CLASSIFIERS = ["logistic_regression", "decision_tree"]


@dataclass(frozen=True)
class Table:
    name: str
    build: Callable[[], pd.DataFrame]
    target_encoding: str
    column_types: tuple[str, ...]
    balance: str
    fmt: str = "csv"  # csv | parquet
    strategies: tuple[str, ...] = ("match",)
    repeats: int = 1
    dataset: dict[str, Any] = field(default_factory=dict)  # extra dataset.* settings

    def frame(self) -> pd.DataFrame:
        return self.build()


def write(table: Table, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table.name}.{table.fmt}"
    df = table.frame()
    if table.fmt == "parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    return path


def experiment(root: Path, source: Path, name: str, *, generators: dict[str, dict[str, Any]] | None = None,
               classifiers: list[str] | None = None, strategies: tuple[str, ...] = ("match",), repeats: int = 1,
               dataset: dict[str, Any] | None = None, seed: int = 0) -> dict[str, Any]:
    """The tiny grid: 1 fraction, 1 ratio, few epochs, fidelity/privacy/Data Docs off, no cache, one worker."""
    return {
        "name": name,
        "seed": seed,
        "dataset": {"source": str(source), "target": TARGET, **(dataset or {})},
        "generators": dict(ALL_GENERATORS if generators is None else generators),
        "classifiers": list(classifiers or CLASSIFIERS),
        "protocol": {"repeats": repeats, "fractions": [1.0], "ratios": [1.0], "strategies": list(strategies)},
        "validation": {"fidelity": False, "privacy": False, "data_docs": False},
        "runtime": {"cache": False, "workers": 1, "cache_dir": str(root / "cache")},
        "output": {"dir": str(root / "runs")},
    }


# --- label and column builders ---------------------------------------------------------------------

def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def labels(counts: dict[Any, int], seed: int) -> list[Any]:
    """Labels with exactly these counts, shuffled."""
    out = [label for label, k in counts.items() for _ in range(k)]
    order = _rng(seed).permutation(len(out))
    return [out[i] for i in order]


def signal(y: pd.Series, seed: int, scale: float = 1.0) -> np.ndarray:
    """A numeric feature whose mean depends on the class (so classifiers have something to learn)."""
    codes = pd.factorize(y.astype(str), sort=True)[0].astype(float)
    return np.round(codes * scale + _rng(seed).normal(size=len(y)), 4)


def dates(n: int, seed: int, fmt: str) -> list[str]:
    days = pd.Timestamp("2017-01-01") + pd.to_timedelta(_rng(seed).integers(0, 700, n), unit="D")
    return [d.strftime(fmt) for d in days]


def times_of_day(n: int, seed: int) -> list[str]:
    rng = _rng(seed)
    return [f"{h:02d}:{m:02d}" for h, m in zip(rng.integers(0, 24, n), rng.integers(0, 60, n))]


def choice(values: list[Any], n: int, seed: int) -> list[Any]:
    idx = _rng(seed).integers(0, len(values), n)
    return [values[i] for i in idx]


# --- the tables ------------------------------------------------------------------------------------

def _int01_numeric() -> pd.DataFrame:
    y = pd.Series(labels({0: 50, 1: 50}, 1))
    return pd.DataFrame({"x1": signal(y, 2), "x2": signal(y, 3, 0.5), "x3": _rng(4).normal(size=100),
                         TARGET: y})


def _bool_mixed() -> pd.DataFrame:
    y = pd.Series(labels({True: 55, False: 45}, 11))
    return pd.DataFrame({"amount": signal(y, 12, 2.0), "flag": choice([True, False], 100, 13),
                         "colour": choice(["red", "green", "blue"], 100, 14), TARGET: y})


def _float_coded_multiclass() -> pd.DataFrame:
    y = pd.Series(labels({0.0: 40, 1.0: 35, 2.0: 30}, 21), dtype="float64")
    return pd.DataFrame({"x": signal(y, 22), "grade": choice([1, 2, 3, 4], 105, 23),  # int-coded categorical
                         "score": _rng(24).integers(0, 100, 105), TARGET: y})


def _string_imbalanced() -> pd.DataFrame:
    y = pd.Series(labels({"common": 120, "rare": 6}, 31))  # 1:20
    return pd.DataFrame({"x": signal(y, 32, 3.0), "y2": _rng(33).normal(size=126),
                         "kind": choice(["a", "b", "c"], 126, 34), TARGET: y})


def _category_multiclass() -> pd.DataFrame:
    y = pd.Series(labels({"low": 35, "mid": 35, "high": 35}, 41))
    cat_y = pd.Categorical(y, categories=["low", "mid", "high"])
    return pd.DataFrame({"x": signal(y, 42, 2.0),
                         "shape": pd.Categorical(choice(["square", "circle"], 105, 43)),
                         "n": _rng(44).integers(1, 9, 105), TARGET: cat_y})


def _nullable_int64_missing() -> pd.DataFrame:
    y = pd.Series(labels({1: 50, 2: 50}, 51), dtype="Int64")
    x = pd.Series(signal(y, 52, 2.0), dtype="float64")
    x[::9] = np.nan
    count = pd.Series(_rng(53).integers(0, 20, 100), dtype="Int64")
    count[::7] = pd.NA
    city = pd.Series(choice(["paris", "rome", "oslo"], 100, 54), dtype=object)
    city[::11] = None
    return pd.DataFrame({"x": x, "count": count, "city": city, TARGET: y})


def _nullable_boolean_imbalanced() -> pd.DataFrame:
    y = pd.Series(labels({False: 120, True: 6}, 61), dtype="boolean")  # 1:20
    member = pd.Series(choice([True, False], 126, 62), dtype="boolean")
    member[::10] = pd.NA
    return pd.DataFrame({"x": signal(y, 63, 3.0), "w": pd.Series(_rng(64).normal(size=126), dtype="Float64"),
                         "member": member, TARGET: y})


def _pyarrow_string_multiclass() -> pd.DataFrame:
    y = pd.Series(labels({"cat": 35, "dog": 35, "eel": 35}, 71), dtype="string[pyarrow]")
    return pd.DataFrame({"x": signal(y, 72, 2.0),
                         "owner": pd.Series(choice(["ann", "bob", "cy"], 105, 73), dtype="string[pyarrow]"),
                         "age": _rng(74).integers(1, 15, 105), TARGET: y})


def _datetimes() -> pd.DataFrame:
    y = pd.Series(labels({"late": 50, "early": 50}, 81))
    return pd.DataFrame({"x": signal(y, 82), "iso": dates(100, 83, "%Y-%m-%d"),
                         "slashed": dates(100, 84, "%Y/%m/%d"), "clock": times_of_day(100, 85), TARGET: y})


def _ids_constant_imbalanced() -> pd.DataFrame:
    y = pd.Series(labels({1: 120, -1: 6}, 91))  # int labels that are neither 0/1 nor 0-based; 1:20
    return pd.DataFrame({"row_id": np.arange(1000, 1126), "customer": [f"C{i:05d}" for i in range(126)],
                         "x": signal(y, 92, 3.0), "const_num": 5.0, "const_str": "same", TARGET: y})


def _high_cardinality_multiclass() -> pd.DataFrame:
    y = pd.Series(labels({"a": 30, "b": 30, "c": 30, "d": 30}, 101))
    towns = [f"town_{i:02d}" for i in range(60)]  # 60 values over 120 rows: not unique, not an identifier
    return pd.DataFrame({"x": signal(y, 102, 2.0), "town": choice(towns, 120, 103),
                         "zip": choice(list(range(10000, 10080)), 120, 104), TARGET: y})


def _int_multiclass_imbalanced() -> pd.DataFrame:
    y = pd.Series(labels({0: 100, 1: 20, 2: 5}, 111))  # 1:20 between the largest and the rarest class
    return pd.DataFrame({"x": signal(y, 112, 3.0), "level": choice([0, 1, 2], 125, 113),
                         "z": _rng(114).normal(size=125), TARGET: y})


def _kitchen_sink() -> pd.DataFrame:
    """Every column type at once, with gaps, a string target."""
    n = 110
    y = pd.Series(labels({"yes": 60, "no": 50}, 121))
    x = pd.Series(signal(y, 122, 2.0))
    x[::8] = np.nan
    colour = pd.Series(choice(["red", "green", "blue"], n, 123), dtype=object)
    colour[::9] = None
    return pd.DataFrame({
        "id": np.arange(n), "x": x, "k": choice([1, 2, 3], n, 124), "flag": choice([True, False], n, 125),
        "colour": colour, "when": dates(n, 126, "%Y/%m/%d"), "clock": times_of_day(n, 127),
        "const": 1, "town": choice([f"t{i}" for i in range(50)], n, 128), TARGET: y})


ZOO: dict[str, Table] = {t.name: t for t in [
    Table("int01_numeric", _int01_numeric, "int 0/1", ("numeric",), "binary"),
    Table("bool_mixed", _bool_mixed, "bool", ("numeric", "bool", "string categorical"), "binary",
          strategies=("match", "balance")),
    Table("float_coded_multiclass", _float_coded_multiclass, "float-coded 0.0/1.0/2.0",
          ("numeric", "int-coded categorical (column_kinds)", "int"), "multi-class (3)",
          dataset={"column_kinds": {"grade": "categorical"}}),
    Table("string_imbalanced", _string_imbalanced, "string", ("numeric", "string categorical"), "imbalanced 1:20",
          strategies=("match", "balance")),
    Table("category_multiclass", _category_multiclass, "category", ("numeric", "category", "int"),
          "multi-class (3)", fmt="parquet"),
    Table("nullable_int64_missing", _nullable_int64_missing, "Int64 (1/2)",
          ("numeric with NaN", "Int64 with NA", "string categorical with None"), "binary", fmt="parquet",
          repeats=2),
    Table("nullable_boolean_imbalanced", _nullable_boolean_imbalanced, "boolean",
          ("numeric", "Float64", "boolean with NA"), "imbalanced 1:20", fmt="parquet",
          strategies=("match", "balance")),
    Table("pyarrow_string_multiclass", _pyarrow_string_multiclass, "string[pyarrow]",
          ("numeric", "string[pyarrow] categorical", "int"), "multi-class (3)", fmt="parquet"),
    Table("datetimes", _datetimes, "string", ("numeric", "datetime ISO", "datetime 2017/12/22", "time 13:45"),
          "binary"),
    Table("ids_constant_imbalanced", _ids_constant_imbalanced, "int -1/1",
          ("identifier int", "identifier string", "numeric", "constant numeric", "constant string"),
          "imbalanced 1:20", strategies=("match", "balance")),
    Table("high_cardinality_multiclass", _high_cardinality_multiclass, "string",
          ("numeric", "high-cardinality string", "high-cardinality int"), "multi-class (4)"),
    Table("int_multiclass_imbalanced", _int_multiclass_imbalanced, "int 0/1/2",
          ("numeric", "int-coded categorical"), "multi-class imbalanced 100:20:5", strategies=("match", "balance")),
    Table("kitchen_sink", _kitchen_sink, "string",
          ("identifier", "numeric with NaN", "int-coded categorical", "bool", "string categorical with None",
           "datetime 2017/12/22", "time 13:45", "constant", "high-cardinality string"), "binary", repeats=2),
]}
