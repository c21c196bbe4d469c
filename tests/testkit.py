"""Shared test data builders (importable from any test folder: `tests/` is on sys.path via conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def tiny_doc(root: Path, name: str = "tiny", **runtime: Any) -> dict[str, Any]:
    """A whole experiment that runs in seconds: iris, GaussianCopula + SMOTE, two classifiers, fidelity off."""
    return {
        "name": name,
        "seed": 7,
        "dataset": {"source": "iris"},
        "generators": {"gaussian_copula": {}, "smote": {}},
        "classifiers": ["logistic_regression", "decision_tree"],
        "protocol": {"repeats": 2, "fractions": [0.5, 1.0], "ratios": [1.0], "strategies": ["match"]},
        "validation": {"fidelity": False, "data_docs": False},
        "runtime": {"task_runner": "threads", "workers": 2, "cache_dir": str(root / "cache"), **runtime},
        "output": {"dir": str(root / "runs")},
    }
