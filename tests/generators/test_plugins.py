"""Third-party generators through entry points: a plugin distribution is really installed (pip) and a
real experiment runs with it; a broken plugin is listed with its error and refused by name, never a
crash of the listing or of the other generators.

The plugin (tests/generators/plugin_pkg) subclasses `BaseGenerator` and writes only `_fit` and
`_sample`: the template is all a third party needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import synthaug.generators as registry
from synthaug.errors import EXIT_BAD_INPUT, ConfigError

PLUGIN_PKG = Path(__file__).parent / "plugin_pkg"
SYNTHAUG = Path(sys.executable).parent / "synthaug"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin distribution installed with pip into a folder of its own (its .dist-info included)."""
    root = tmp_path_factory.mktemp("plugin")
    shutil.copytree(PLUGIN_PKG, root / "src", ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                    "--disable-pip-version-check", "--quiet", "--target", str(root / "site"), str(root / "src")],
                   check=True, capture_output=True, timeout=120)
    assert list((root / "site").glob("tiny_synth-*.dist-info"))
    return root / "site"


@pytest.fixture
def synthaug_cli(site: Path) -> Callable[..., subprocess.CompletedProcess]:
    """Run the installed `synthaug` command with the plugin's folder on PYTHONPATH."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(SYNTHAUG), *args], capture_output=True, text=True, env=env, timeout=300)

    return run


def _experiment(root: Path, generator: str) -> Path:
    """80 rows, two numeric features, a binary target; one repeat, one classifier, checks off."""
    rng = np.random.default_rng(0)
    y = np.array([0] * 50 + [1] * 30)
    X = rng.normal(size=(80, 2)) + 1.5 * y[:, None]
    pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "label": y}).to_csv(root / "data.csv", index=False)
    doc = {"name": "plugin", "seed": 3, "dataset": {"source": str(root / "data.csv"), "target": "label"},
           "generators": {generator: {}}, "classifiers": ["logistic_regression"], "protocol": {"repeats": 1},
           "validation": {"fidelity": False, "privacy": False, "data_docs": False},
           "runtime": {"cache": False, "workers": 1, "cache_dir": str(root / "cache")},
           "output": {"dir": str(root / "runs")}}
    (root / "config.yaml").write_text(yaml.safe_dump(doc))
    return root / "config.yaml"


def test_installed_plugin_runs_an_experiment(synthaug_cli, tmp_path):
    # Setup
    config = _experiment(tmp_path, "tiny")
    # Run
    out = synthaug_cli("run", str(config), "--direct")
    # Assert
    assert out.returncode == 0, out.stdout + out.stderr
    (run_dir,) = (tmp_path / "runs").iterdir()
    results = pd.read_parquet(run_dir / "results.parquet")
    tiny = results[results["generator"] == "tiny"]
    assert not tiny.empty and set(tiny["mode"]) >= {"augmented"}
    assert tiny["value"].notna().all()


def test_listing_shows_plugins_and_survives_a_broken_one(synthaug_cli, tmp_path):
    # Run
    listing = synthaug_cli("generators")
    refused = synthaug_cli("run", str(_experiment(tmp_path, "broken")), "--direct")
    # Assert
    assert listing.returncode == 0, listing.stderr
    lines = {line.split()[0]: line for line in listing.stdout.splitlines() if line.strip()}
    assert "Gaussian noise around each class mean" in lines["tiny"] and "tabular" in lines["tiny"]
    assert "BROKEN plugin: ModuleNotFoundError" in lines["broken"]
    assert {"gaussian_copula", "smote", "cvae", "class_weight"} <= set(lines)
    assert refused.returncode == EXIT_BAD_INPUT
    assert "generator plugin 'broken'" in refused.stderr and "tiny_synth_missing" in refused.stderr


@pytest.fixture
def fake_plugins(monkeypatch: pytest.MonkeyPatch) -> registry.Registry:
    """A fresh registry whose entry points are given here (the plugin module imported from the source)."""
    monkeypatch.syspath_prepend(str(PLUGIN_PKG))
    eps = [EntryPoint("tiny", "tiny_synth:TinyGenerator", registry.ENTRY_POINT_GROUP),
           EntryPoint("not_a_generator", "json:dumps", registry.ENTRY_POINT_GROUP),
           EntryPoint("missing", "no_such_module_xyz:Gen", registry.ENTRY_POINT_GROUP),
           EntryPoint("smote", "tiny_synth:TinyGenerator", registry.ENTRY_POINT_GROUP)]
    builtins = registry.available_generators()  # a fresh registry cannot re-import them: copy their specs
    monkeypatch.setattr(registry, "entry_points", lambda group: [ep for ep in eps if ep.group == group])
    fresh = registry.Registry()
    for name, spec in builtins.items():
        fresh.define(name, spec)
    monkeypatch.setattr(registry, "GENERATORS", fresh)
    return fresh


def test_plugin_specs_and_errors(fake_plugins):
    # Run
    specs = dict(fake_plugins.items())
    # Assert
    assert specs["tiny"].kinds == ("tabular",) and specs["tiny"].generative and specs["tiny"].error is None
    assert specs["smote"].path.startswith("synthaug.generators.oversamplers:"), "a plugin cannot take a built-in name"
    with pytest.raises(ConfigError, match=r"generator plugin 'not_a_generator' \(json:dumps.*not a subclass"):
        registry.generator_class("not_a_generator")
    with pytest.raises(ConfigError, match=r"generator plugin 'missing'.*No module named 'no_such_module_xyz'"):
        registry.generator_class("missing")
    assert registry.generator_class("tiny").name == "tiny"


def test_template_alone_gives_a_plugin_seeding_and_persistence(fake_plugins, tmp_path):
    # Setup
    X = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0) % 3})
    y = np.array([0] * 12 + [1] * 8)
    gen = registry.make_generator("tiny", {"scale": 0.2}, seed=4).fit(X, y)
    # Run
    gen.save(tmp_path / "t")
    loaded = type(gen).load(tmp_path / "t")
    # Assert
    first, again = gen.sample(10), loaded.sample(10, random_state=4)
    pd.testing.assert_frame_equal(first[0], again[0])
    assert first[1].tolist() == again[1].tolist() == [0] * 6 + [1] * 4
    assert loaded.get_params() == {"random_state": 4, "scale": 0.2}
