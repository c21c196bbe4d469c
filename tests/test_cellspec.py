"""The cell key changes exactly for the config fields a cell's spec holds: every field of the config is
listed here with the cells it must invalidate, so a new field cannot slip past the cache unnoticed."""

from __future__ import annotations

from typing import Any

import pytest

from synthaug.cellspec import COMPONENTS, Cell, cell_key, cell_spec, component_hash
from synthaug.config import apply_overrides, build_config

BASE: dict[str, Any] = {
    "name": "keys", "seed": 3, "dataset": {"source": "iris"},
    "generators": {"smote": {}, "gaussian_copula": {}}, "classifiers": ["logistic_regression", "lda"],
    "protocol": {"repeats": 2, "fractions": [0.5, 1.0]},
}
BASELINE, SMOTE, COPULA = Cell(0, 1.0), Cell(0, 1.0, "smote"), Cell(0, 1.0, "gaussian_copula")
ALL, GEN, NONE = {BASELINE, SMOTE, COPULA}, {SMOTE, COPULA}, set()

# field -> (a different valid value, the cells whose key must change)
EFFECTS: dict[str, tuple[Any, set[Cell]]] = {
    "name": ("other", NONE),
    "seed": (4, ALL),
    "dataset.source": ("wine", ALL), "dataset.target": ("label", ALL), "dataset.kind": ("images", ALL),
    "dataset.column_kinds": ({"petal_width": "categorical"}, ALL), "dataset.missing_values": (["?"], ALL),
    "dataset.encoding": ("latin-1", ALL), "dataset.drop_columns": (["petal_width"], ALL),
    "dataset.group": ("g", ALL), "dataset.max_rows": (100, ALL), "dataset.image_size": ((8, 8), ALL),
    "dataset.color": ("rgb", ALL), "dataset.on_size_mismatch": ("reject", ALL),
    "generators": ({"smote": {"k_neighbors": 3}, "gaussian_copula": {}}, {SMOTE}),
    "classifiers": (["logistic_regression"], ALL),
    "protocol.repeats": (3, ALL), "protocol.test_size": (0.3, ALL), "protocol.fractions": ([1.0], NONE),
    "protocol.ratios": ([2.0], GEN), "protocol.strategies": (["balance"], GEN),
    "protocol.primary_metric": ("accuracy", NONE), "protocol.tstr": (False, GEN), "protocol.alpha": (0.1, NONE),
    "validation.policy": ("warn", GEN), "validation.range_margin": (0.1, GEN), "validation.fidelity": (False, GEN),
    "validation.privacy": (False, GEN), "validation.data_docs": (False, NONE),
    "validation.max_fidelity_rows": (10, GEN), "validation.max_fidelity_columns": (3, GEN),
    "validation.drop_copies": (False, GEN), "validation.distribution_checks": (False, GEN),
    "validation.kl_bins": (5, GEN), "validation.kl_threshold": (0.5, GEN), "validation.mean_tolerance": (1.0, GEN),
    "validation.null_tolerance": (0.1, GEN), "validation.detection_folds": (4, GEN),
    **{f"validation.gate.{g}": (0.5 if g != "max_aggregate_failures" else 2, GEN)
       for g in ("min_validity", "max_detection_auc", "max_copy_rate", "min_dcr_ratio", "min_quality",
                 "max_aggregate_failures")},
    "runtime.task_runner": ("processes", NONE), "runtime.workers": (3, NONE),
    "runtime.dask_address": ("tcp://127.0.0.1:8786", NONE), "runtime.device": ("cpu", ALL),
    "runtime.cache": (False, NONE), "runtime.cache_dir": ("elsewhere", NONE), "runtime.cache_max_gb": (1.0, NONE),
    "output.dir": ("elsewhere", NONE), "output.save_synthetic": (False, GEN),
    "recipes": ({}, NONE),  # adds auto cells; the fixed cells' keys stay
}


def _leaves(doc: dict[str, Any], prefix: str = "") -> set[str]:
    """Every setting of the config; mappings a user fills freely (generators, classifiers, column kinds) are one."""
    out = set()
    for k, v in doc.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict) and path not in ("generators", "classifiers", "dataset.column_kinds"):
            out |= _leaves(v, path + ".")
        else:
            out.add(path)
    return out


def _keys(cfg_doc: dict[str, Any]) -> dict[Cell, str]:
    cfg = build_config(cfg_doc)
    return {c: cell_key(cell_spec(cfg, c), "fingerprint") for c in ALL}


def test_every_config_field_is_declared() -> None:
    assert _leaves(build_config(BASE).model_dump(mode="json")) == set(EFFECTS)


@pytest.mark.parametrize("field", sorted(EFFECTS))
def test_cell_key_changes_exactly_for_the_fields_the_spec_holds(field: str) -> None:
    # Setup
    value, expected = EFFECTS[field]
    before = _keys(BASE)
    # Run
    after = _keys(apply_overrides(build_config(BASE).model_dump(mode="json"), {field: value}))
    # Assert
    assert {c for c in ALL if after[c] != before[c]} == expected


def test_auto_cell_key_follows_the_search_space_and_the_metric() -> None:
    # Setup
    auto = Cell(0, 1.0, "auto")
    doc = {**BASE, "recipes": {"ratios": [1.0]}}

    def key(d: dict[str, Any]) -> str:
        return cell_key(cell_spec(build_config(d), auto), "fingerprint")

    # Run / Assert: what the auto cell reads changes its key; the fixed grid's sampling does not
    assert key({**doc, "recipes": {"ratios": [2.0]}}) != key(doc)
    assert key({**doc, "protocol": {**BASE["protocol"], "primary_metric": "accuracy"}}) != key(doc)
    assert key({**doc, "protocol": {**BASE["protocol"], "ratios": [3.0]}}) == key(doc)
    assert set(cell_spec(build_config(doc), auto).generators) == {"gaussian_copula"}  # generative slots only


def test_component_hashes_cover_distinct_code() -> None:
    hashes = {name: component_hash(name) for name in COMPONENTS}
    assert len(set(hashes.values())) == len(COMPONENTS)
    assert "reporting" not in " ".join(p for sources, _ in COMPONENTS.values() for p in sources)
