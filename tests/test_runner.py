"""The plain driver end to end on tiny data: contract files, determinism, protocol bookkeeping."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from synthaug.config import build_config
from synthaug.evaluation.splits import CORRECTED_T, PAIRED_T
from synthaug.experiment import run_experiment
from synthaug.grid import plan
from synthaug.runner import Cell

CONTRACT_FILES = ["config.yaml", "manifest.json", "results.parquet", "validation.parquet", "summary.csv",
                  "report.md", "report.html", "COMPLETE"]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """One tiny run shared by the assertions below (and a second identical run for determinism)."""
    root = tmp_path_factory.mktemp("runner")
    doc = {
        "name": "tiny", "seed": 7, "dataset": {"source": "iris"},
        "generators": {"gaussian_copula": {}, "smote": {}},
        "classifiers": ["logistic_regression", "decision_tree"],
        "protocol": {"repeats": 2, "fractions": [0.5, 1.0], "strategies": ["match", "balance"]},
        "validation": {"fidelity": False, "data_docs": False},
        "runtime": {"cache_dir": str(root / "cache")}, "output": {"dir": str(root / "runs")},
    }
    cfg = build_config(doc)
    uncached = build_config({**doc, "runtime": {"cache": False}})  # the second run recomputes everything
    return cfg, run_experiment(cfg), run_experiment(uncached)


def test_plan_lists_baselines_and_generator_cells_costliest_first():
    # Setup
    cfg = build_config({"dataset": {"source": "iris"}, "generators": {"smote": {}, "ctgan": {"epochs": 5}},
                        "protocol": {"repeats": 3, "fractions": [0.2, 1.0]}})
    # Run
    cells = plan(cfg, 1000)
    # Assert
    assert len(cells) == 18 and len({c.cell for c in cells}) == 18
    assert [c.cell for c in cells[:3]] == [Cell(r, 1.0, "ctgan") for r in range(3)]  # the deep model on all rows first
    assert cells[-1].generator is None and cells[-1].cell.fraction == 0.2  # the cheapest baseline last
    assert {c.generator for c in cells} == {None, "smote", "ctgan"}


def test_run_folder_holds_the_contract(finished):
    # Setup
    _, run_dir, _ = finished
    # Assert
    for name in CONTRACT_FILES:
        assert (run_dir / name).is_file(), name
    assert any((run_dir / "synthetic").glob("*.parquet"))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["dataset"]["fingerprint"]
    assert manifest["packages"]["sdv"].startswith("2.0")
    assert yaml.safe_load((run_dir / "config.yaml").read_text())["protocol"]["repeats"] == 2


def test_results_rows_and_designs(finished):
    # Setup
    _, run_dir, _ = finished
    # Run
    res = pd.read_parquet(run_dir / "results.parquet")
    # Assert: 2 repeats × 2 fractions × (baseline + 2 generators × 2 strategies × 2 modes) × 2 clf × 6 metrics
    assert len(res) == 2 * 2 * (1 + 2 * 2 * 2) * 2 * 6
    assert set(res["mode"]) == {"baseline", "augmented", "tstr"}
    assert dict(res.groupby("fraction")["ci_method"].first()) == {0.5: PAIRED_T, 1.0: CORRECTED_T}
    aug = res[(res["mode"] == "augmented")]
    assert (aug["n_synthetic"] > 0).all()
    assert res["value"].between(0, 1).all()


def test_same_config_same_numbers(finished):
    # Setup
    _, first, second = finished
    cols = ["repeat", "fraction", "generator", "strategy", "classifier", "mode", "metric", "value"]
    # Run
    a = pd.read_parquet(first / "results.parquet")[cols]
    b = pd.read_parquet(second / "results.parquet")[cols]
    # Assert
    assert first != second
    pd.testing.assert_frame_equal(a, b)


def test_summary_has_ci_and_verdicts(finished):
    # Setup
    cfg, run_dir, _ = finished
    # Run
    summary = pd.read_csv(run_dir / "summary.csv")
    report = (run_dir / "report.md").read_text()
    # Assert
    assert {"gain_mean", "ci_low", "ci_high", "p_value", "win_rate", "verdict", "n_cells_tested"} <= set(summary)
    primary = summary[summary["metric"] == cfg.protocol.primary_metric]
    assert len(primary) == 2 * 2 * 2 * 2  # fractions × strategies × generators × classifiers
    assert (primary["ci_low"] <= primary["gain_mean"]).all() and (primary["gain_mean"] <= primary["ci_high"]).all()
    assert "## Augmentation gain" in report and "## Recommendations" in report
    assert "data:image/png;base64" in (run_dir / "report.html").read_text() or "<table>" in (
        run_dir / "report.html").read_text()


def test_without_the_model_cache_ctgan_and_tvae_share_a_transformer_through_the_run_scratch(tmp_path):
    # Setup: one repeat and fraction (CTGAN and TVAE see the same rows), the model cache off
    from pathlib import Path

    from synthaug.generators import transformer_share
    from synthaug.layout import RunLayout
    from synthaug.outputs import finalize, start_run
    from synthaug.runner import prepare, run_cell

    cfg = build_config({"name": "share", "dataset": {"source": "iris"}, "classifiers": ["logistic_regression"],
                        "generators": {"ctgan": {"epochs": 1}, "tvae": {"epochs": 1}},
                        "protocol": {"repeats": 2, "fractions": [1.0]},
                        "validation": {"fidelity": False, "privacy": False, "data_docs": False},
                        "runtime": {"cache": False}, "output": {"dir": str(tmp_path / "runs")}})
    run_dir = start_run(cfg, prepare(cfg))
    specs = [s for s in plan(cfg) if s.cell.repeat == 0]
    # Run: each cell as a fresh worker would run it (nothing remembered in this process)
    results = []
    for spec in specs:
        transformer_share._MEMO.clear()
        results.append(run_cell(spec, Path(run_dir)))
    stored = sorted((RunLayout(run_dir).scratch / "transformers").glob("*.pkl"))
    finalize(cfg, Path(run_dir), results)
    # Assert: one transformer for the two models' rows, and no scratch left in the finished run
    assert [r.failed for r in results] == [False] * len(specs) and len(stored) == 1
    assert not RunLayout(run_dir).scratch.exists() and (Path(run_dir) / "COMPLETE").is_file()


@pytest.mark.parametrize("workers, held", [(1, 1), (2, 0)])
def test_driver_holds_the_data_only_when_it_computes_the_cells(tmp_path, workers, held):
    # Setup: with process workers each worker loads its own copy; the driver's would sit idle
    from synthaug import warmup

    doc = {"name": "held", "seed": 1, "dataset": {"source": "iris"}, "generators": {"smote": {}},
           "classifiers": ["logistic_regression"], "protocol": {"repeats": 1, "fractions": [1.0]},
           "validation": {"fidelity": False, "data_docs": False},
           "runtime": {"cache": False, "workers": workers}, "output": {"dir": str(tmp_path)}}
    warmup.release_data()

    # Run
    run_dir = run_experiment(build_config(doc))

    # Assert
    assert (run_dir / "COMPLETE").is_file()
    assert warmup._load_cached.cache_info().currsize == held


def test_the_fitted_generator_is_freed_before_the_last_set_is_scored(tmp_path, monkeypatch):
    # Setup: one gaussian_copula cell with two sets (match, balance); spies on the real functions
    import gc
    import weakref

    from synthaug import runner

    cfg = build_config({"name": "free", "seed": 3, "dataset": {"source": "iris"},
                        "generators": {"gaussian_copula": {}}, "classifiers": ["logistic_regression"],
                        "protocol": {"repeats": 1, "fractions": [1.0], "strategies": ["match", "balance"]},
                        "validation": {"fidelity": False, "data_docs": False}, "runtime": {"cache": False},
                        "output": {"dir": str(tmp_path)}})
    spec = next(s for s in plan(cfg, 150) if s.generator == "gaussian_copula")
    refs, alive = [], []
    fit, evaluate = runner.fit_generator, runner.evaluate_classifiers

    def fit_spy(*args, **kwargs):
        out = fit(*args, **kwargs)
        refs.append(weakref.ref(out[0]))
        return out

    def evaluate_spy(spec, train, synthetic, *args, **kwargs):
        gc.collect()
        alive.append(refs[0]() is not None)
        return evaluate(spec, train, synthetic, *args, **kwargs)

    monkeypatch.setattr(runner, "fit_generator", fit_spy)
    monkeypatch.setattr(runner, "evaluate_classifiers", evaluate_spy)
    # Run
    out = runner.run_cell(spec)
    # Assert: the model lives while it still samples, not while the last set's classifiers fit
    # (each set is scored twice: augmented, then train-on-synthetic)
    assert not out.failed and len(out.sets) == 2
    assert alive == [True, True, False, False]


PRELOAD_THEN_FIT = """
import importlib, json, sys
from sklearn.datasets import load_iris
from synthaug.config import build_config
from synthaug.generators import make_generator
from synthaug.warmup import worker_modules
cfg = build_config({"name": "t", "dataset": {"source": "iris"}, "generators": {sys.argv[1]: {"epochs": 1}}})
for module in worker_modules(cfg):
    importlib.import_module(module)
before = set(sys.modules)
X, y = load_iris(return_X_y=True, as_frame=True)
make_generator(sys.argv[1], {"epochs": 1}, 0).fit(X, y)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


@pytest.mark.parametrize("generator", ["ctgan", "tvae"])
def test_worker_preload_covers_what_a_neural_fit_imports(generator):
    """A worker pool imports `worker_modules` once before its workers fork; what a fit imports after
    that is paid again by every worker (torch's optimiser pulling in `torch._dynamo` was 1 s each)."""
    import subprocess
    import sys

    # Setup / Run: preload as the pool's seed does, then one short fit
    out = subprocess.run([sys.executable, "-c", PRELOAD_THEN_FIT, generator], capture_output=True, text=True,
                         timeout=300, check=True)
    late = json.loads(out.stdout.strip().splitlines()[-1])
    # Assert: no torch or SDV package is imported by the fit itself (a stray submodule or two at most)
    late_libs = [m for m in late if m.startswith(("torch", "sdv", "ctgan", "rdt"))]
    assert not [m for m in late_libs if m.startswith("torch._dynamo")] and len(late_libs) < 5, late_libs
