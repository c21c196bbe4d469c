"""Property-based conformance (issue 9): random tables and config mutations through `synthaug run --direct`.

Every example ends in exit 0 with COMPLETE and a report, in exit 2 with a one-paragraph message and
no run folder, or in one of the documented failure codes with its evidence (see `outcomes`); never a
traceback, never a hang. Examples are kept tiny: one cheap generator, one classifier, one repeat.
Most mutations exercise the cheap load/preflight path; the rest go end to end.

Profiles (conftest): `ci` is derandomized (the same examples every run); HYPOTHESIS_PROFILE=dev draws new ones.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, note, settings
from hypothesis import strategies as st
from outcomes import bad_input_message, complete_run, documented_outcome, run_config
from zoo import TARGET, experiment

EXAMPLES = 60  # ~80% refused in ~20 ms each; the rest run end to end in ~1 s each
EXAMPLE_LIMIT_S = 90.0  # a single tiny example taking longer than this is a hang

# --- random tables ---------------------------------------------------------------------------------

ENCODINGS = {  # name -> (class values, dtype or None, needs parquet)
    "int01": ([0, 1, 2], "int64", False),
    "int_odd": ([-1, 7, 42], "int64", False),
    "bool": ([False, True], "bool", False),
    "float": ([0.0, 1.0, 2.0], "float64", False),
    "string": (["alpha", "beta", "gamma"], None, False),
    "numeric_text": (["1", "10", "2"], None, False),  # numbers as text sort differently from numbers
    "category": (["lo", "mid", "hi"], "category", True),
    "Int64": ([1, 2, 3], "Int64", True),
    "boolean": ([False, True], "boolean", True),
    "string_pyarrow": (["x", "y", "z"], "string[pyarrow]", True),
}
FILE_FORMATS = {  # name -> (suffix, DataFrame.to_csv options); delimiters are sniffed (README)
    "csv": (".csv", {}),
    "csv_semicolon": (".csv", {"sep": ";"}),
    "csv_bom": (".csv", {"encoding": "utf-8-sig"}),
    "tsv": (".tsv", {"sep": "\t"}),
    "parquet": (".parquet", {}),
}
CLEAN_KINDS = ["float", "int", "int_coded", "bool", "category", "date_iso", "date_slash", "clock", "constant",
               "high_card", "float_gaps", "text_gaps"]
ODD_KINDS = ["all_missing", "inf", "identifier", "text_id", "mixed_text_numbers", "single_value_gaps"]


@dataclass(frozen=True)
class TableSpec:
    encoding: str
    n_classes: int
    counts: tuple[int, ...]
    kinds: tuple[str, ...]
    fmt: str
    missing_target: int
    seed: int
    target_first: bool = False

    @property
    def clean(self) -> bool:
        """A table every conforming build must run to COMPLETE (no odd column, enough rows per class)."""
        return not set(self.kinds) & set(ODD_KINDS) and bool(self.kinds) and min(self.counts) >= 8


@st.composite
def table_specs(draw: st.DrawFn, clean: bool = False) -> TableSpec:
    """Random tables; `clean` ones have no odd column, at least one feature and 8+ rows per class."""
    encoding = draw(st.sampled_from(sorted(ENCODINGS)))
    values, _, parquet_only = ENCODINGS[encoding]
    n_classes = draw(st.integers(2, min(3, len(values))))
    majority = draw(st.integers(30, 60))
    minority = st.integers(15, majority) if clean else st.one_of(st.integers(2, 6), st.integers(15, majority))
    counts = [majority] + [draw(minority) for _ in range(n_classes - 1)]
    no_features = not clean and draw(st.sampled_from([False] * 9 + [True]))  # a target-only table, now and then
    kinds = [] if no_features else draw(st.lists(st.sampled_from(CLEAN_KINDS if clean else CLEAN_KINDS + ODD_KINDS),
                                                 min_size=1, max_size=4))
    fmt = "parquet" if parquet_only else draw(st.sampled_from(sorted(FILE_FORMATS)))
    return TableSpec(encoding, n_classes, tuple(counts), tuple(kinds), fmt,
                     draw(st.sampled_from([0, 0, 0, 3])), draw(st.integers(0, 2**16)), draw(st.booleans()))


def _column(kind: str, y_codes: np.ndarray, rng: np.random.Generator) -> pd.Series:
    n = len(y_codes)
    if kind == "float":
        return pd.Series(np.round(y_codes + rng.normal(size=n), 3))
    if kind == "int":
        return pd.Series(rng.integers(0, 50, n) + 10 * y_codes)
    if kind == "int_coded":
        return pd.Series(rng.integers(1, 5, n))
    if kind == "bool":
        return pd.Series(rng.random(n) < 0.4)
    if kind == "category":
        return pd.Series(rng.choice(["red", "green", "blue"], n))
    if kind in ("date_iso", "date_slash"):
        days = pd.Timestamp("2017-12-22") + pd.to_timedelta(rng.integers(-400, 400, n), unit="D")
        return pd.Series(days.strftime("%Y-%m-%d" if kind == "date_iso" else "%Y/%m/%d"))
    if kind == "clock":
        return pd.Series([f"{h:02d}:{m:02d}" for h, m in zip(rng.integers(0, 24, n), rng.integers(0, 60, n))])
    if kind == "constant":
        return pd.Series(np.full(n, 3.5))
    if kind == "high_card":
        return pd.Series([f"v{i}" for i in rng.integers(0, max(2, n // 2), n)])
    if kind == "float_gaps":
        s = pd.Series(rng.normal(size=n) + y_codes)
        return s.mask(rng.random(n) < 0.2)
    if kind == "text_gaps":
        return pd.Series(rng.choice(["p", "q"], n).astype(object)).mask(rng.random(n) < 0.2)
    if kind == "all_missing":
        return pd.Series(np.full(n, np.nan))
    if kind == "inf":
        s = pd.Series(rng.normal(size=n))
        s[rng.random(n) < 0.1] = np.inf
        s[rng.random(n) < 0.05] = -np.inf
        return s
    if kind == "identifier":
        return pd.Series(np.arange(n) + 1000)
    if kind == "text_id":
        return pd.Series([f"ID-{i:06d}" for i in rng.permutation(n)])
    if kind == "mixed_text_numbers":
        return pd.Series([str(v) if rng.random() < 0.8 else "n/a" for v in rng.integers(0, 9, n)])
    if kind == "single_value_gaps":
        return pd.Series(np.where(rng.random(n) < 0.5, 1.0, np.nan))
    raise AssertionError(kind)


def build_table(spec: TableSpec) -> pd.DataFrame:
    rng = np.random.default_rng(spec.seed)
    values, dtype, _ = ENCODINGS[spec.encoding]
    codes = np.concatenate([np.full(k, i) for i, k in enumerate(spec.counts)])
    codes = codes[rng.permutation(len(codes))]
    y = pd.Series([values[i] for i in codes], dtype=object)
    if spec.missing_target:
        y[rng.choice(len(y), spec.missing_target, replace=False)] = None
    if dtype is not None:
        y = y.astype(dtype) if not spec.missing_target or dtype in ("category", "Int64", "boolean", "string[pyarrow]") \
            else y.astype("float64" if dtype in ("int64", "float64") else object)
    frame = pd.DataFrame({f"{kind}_{i}": _column(kind, codes, rng) for i, kind in enumerate(spec.kinds)})
    frame[TARGET] = y
    return frame[[TARGET, *frame.columns[:-1]]] if spec.target_first else frame


def write_table(spec: TableSpec, frame: pd.DataFrame, folder: Path) -> Path:
    suffix, options = FILE_FORMATS[spec.fmt]
    path = folder / f"table{suffix}"
    frame.to_parquet(path, index=False) if suffix == ".parquet" else frame.to_csv(path, index=False, **options)
    return path


CLI = "__cli__"  # a mutation key holding extra command-line arguments

# --- config mutations ------------------------------------------------------------------------------

# (name, how the config changes, what a conforming build must do: "bad" = exit 2 naming one of the
# fragments; "any" = any documented outcome)
MUTATIONS: list[tuple[str, dict[str, Any], str, tuple[str, ...]]] = [
    ("none", {}, "any", ()),
    ("balance", {"protocol.strategies": ["balance"]}, "any", ()),
    ("half_ratio_both", {"protocol.ratios": [0.5], "protocol.strategies": ["match", "balance"]}, "any", ()),
    ("policy_warn", {"validation.policy": "warn"}, "any", ()),
    ("policy_fail", {"validation.policy": "fail"}, "any", ()),
    ("fraction_half", {"protocol.fractions": [0.5]}, "any", ()),
    ("unknown_top_key", {"protocl": {"repeats": 2}}, "bad", ("protocl",)),
    ("repeats_zero", {"protocol.repeats": 0}, "bad", ("repeats",)),
    ("fraction_big", {"protocol.fractions": [1.5]}, "bad", ("fractions", "1.5")),
    ("ratio_negative", {"protocol.ratios": [-1]}, "bad", ("ratios", "-1")),
    ("strategy_unknown", {"protocol.strategies": ["oversample"]}, "bad", ("strategies", "oversample")),
    ("metric_unknown", {"protocol.primary_metric": "f2"}, "bad", ("primary_metric", "f2")),
    ("generator_unknown", {"generators": {"gan9000": {}}}, "bad", ("gan9000",)),
    ("classifier_unknown", {"classifiers": ["xgboostish"]}, "bad", ("xgboostish",)),
    ("ctgan_epochz", {"generators": {"ctgan": {"epochz": 2}}}, "bad", ("epochz",)),
    ("ctgan_negative_epochs", {"generators": {"ctgan": {"epochs": -5}}}, "bad", ("epochs",)),
    ("ctgan_batch_not_pac", {"generators": {"ctgan": {"epochs": 1, "batch_size": 15}}}, "bad", ("batch_size",)),
    ("tvae_unknown_param", {"generators": {"tvae": {"epochs": 1, "learning_rate": 0.1}}}, "bad",
     ("learning_rate",)),
    ("smote_unknown_param", {"generators": {"smote": {"k": 3}}}, "bad", ("'k'",)),
    ("smote_zero_k", {"generators": {"smote": {"k_neighbors": 0}}}, "any", ()),
    ("copula_bad_distribution", {"generators": {"gaussian_copula": {"default_distribution": "wobbly"}}}, "any", ()),
    ("target_missing", {"dataset.target": "no_such_column"}, "bad", ("no_such_column",)),
    ("drop_target", {"dataset.drop_columns": [TARGET]}, "bad", ("drop_columns",)),
    ("drop_unknown", {"dataset.drop_columns": ["ghost"]}, "bad", ("ghost",)),
    ("kinds_unknown_column", {"dataset.column_kinds": {"ghost": "numeric"}}, "bad", ("ghost",)),
    ("kinds_bad_kind", {"dataset.column_kinds": {TARGET: "colour"}}, "bad", ("column_kinds",)),
    ("group_is_target", {"dataset.group": TARGET}, "bad", ("group",)),
    ("source_missing", {"dataset.source": "/nonexistent/table.csv"}, "bad", ("table.csv",)),
    ("max_rows_zero", {"dataset.max_rows": 0}, "bad", ("max_rows",)),
    ("seed_text", {"seed": "abc"}, "bad", ("seed",)),
    ("policy_unknown", {"validation.policy": "maybe"}, "bad", ("policy",)),
    ("no_generators", {"generators": {}}, "bad", ("generators",)),
    ("no_classifiers", {"classifiers": []}, "bad", ("classifiers",)),
    ("image_classifier", {"classifiers": ["cnn"]}, "bad", ("cnn",)),
    ("test_size_one", {"protocol.test_size": 1.0}, "bad", ("test_size",)),
    # through the command line instead of the YAML
    ("cli_set_no_equals", {CLI: ["--set", "protocol.repeats"]}, "bad", ("--set", "protocol.repeats")),
    ("cli_set_bad_value", {CLI: ["--set", "protocol.repeats=many"]}, "bad", ("repeats", "many")),
    ("cli_set_unknown_key", {CLI: ["--set", "protocol.repeatz=2"]}, "bad", ("repeatz",)),
    ("cli_set_ratio", {CLI: ["--set", "protocol.ratios=[0.5]"]}, "any", ()),
]
BAD = [m for m in MUTATIONS if m[2] == "bad"]
BENIGN = [m for m in MUTATIONS if m[2] == "any"]  # listed after the bad ones: drawn less often (the costly path)
BASES = [("gaussian_copula", "logistic_regression"), ("smote", "decision_tree"),
         ("random_oversampling", "logistic_regression"), ("class_weight", "decision_tree")]


def mutate(doc: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if key == CLI:
            continue
        node = doc
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return doc


def base_doc(root: Path, source: Path, base: tuple[str, str]) -> dict[str, Any]:
    generator, classifier = base
    return experiment(root, source, "prop", generators={generator: {}}, classifiers=[classifier])


def run_example(spec: TableSpec, mutation: tuple, base: tuple[str, str]) -> tuple[str, Any]:
    name, changes, _, _ = mutation
    note(f"table {spec}\nmutation {name}: {changes}\nbase {base}")
    with tempfile.TemporaryDirectory(prefix="synthaug-prop-") as tmp:
        root = Path(tmp)
        frame = build_table(spec)
        source = write_table(spec, frame, root)
        doc = mutate(base_doc(root, source, base), changes)
        outcome = run_config(doc, root, *changes.get(CLI, []), limit_s=EXAMPLE_LIMIT_S)
        note(outcome.describe())
        kind = documented_outcome(outcome)
        event(f"outcome: {kind}")
        event(f"mutation: {'bad' if mutation[2] == 'bad' else 'benign'}")
        return kind, outcome


# --- the properties --------------------------------------------------------------------------------

@settings(max_examples=EXAMPLES)
@given(spec=table_specs(), mutation=st.sampled_from(BAD + BENIGN), base=st.sampled_from(BASES))
def test_any_table_and_config_ends_in_a_documented_outcome(spec: TableSpec, mutation: tuple,
                                                           base: tuple[str, str]) -> None:
    # Run
    kind, _ = run_example(spec, mutation, base)
    # Assert
    if mutation[2] == "bad":
        assert kind == "bad_input", f"mutation {mutation[0]} must be refused with exit 2, got {kind}"


@pytest.mark.parametrize("mutation", BAD, ids=[m[0] for m in BAD])
@settings(max_examples=3)
@given(spec=table_specs(clean=True), base=st.sampled_from(BASES))
def test_bad_config_is_refused_naming_the_setting(mutation: tuple, spec: TableSpec, base: tuple[str, str]) -> None:
    """Cheap path only: on a valid table, a bad setting is exit 2 with a message naming it."""
    # Setup
    name, changes, _, fragments = mutation
    note(f"table {spec}\nmutation {name}: {changes}\nbase {base}")
    with tempfile.TemporaryDirectory(prefix="synthaug-prop-") as tmp:
        root = Path(tmp)
        source = write_table(spec, build_table(spec), root)
        doc = mutate(base_doc(root, source, base), changes)
        # Run
        outcome = run_config(doc, root, *changes.get(CLI, []), limit_s=EXAMPLE_LIMIT_S)
        note(outcome.describe())
        # Assert
        message = bad_input_message(outcome)
        assert any(f in message for f in fragments), f"{name}: message does not name {fragments}: {message}"


@settings(max_examples=8)
@given(spec=table_specs(clean=True), mutation=st.sampled_from(BENIGN[:4]),
       base=st.sampled_from(BASES))
def test_clean_table_with_a_valid_config_completes(spec: TableSpec, mutation: tuple, base: tuple[str, str]) -> None:
    """No odd column, at least 8 rows per class: a conforming build finishes with exit 0 and COMPLETE."""
    # Run
    with tempfile.TemporaryDirectory(prefix="synthaug-prop-") as tmp:
        root = Path(tmp)
        source = write_table(spec, build_table(spec), root)
        doc = mutate(base_doc(root, source, base), mutation[1])
        outcome = run_config(doc, root, limit_s=EXAMPLE_LIMIT_S)
        note(outcome.describe())
        # Assert
        complete_run(outcome)
