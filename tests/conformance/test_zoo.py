"""Every zoo table runs end to end through every tabular generator on a tiny grid: exit 0, COMPLETE,
no failed cell, every report section built (issue 9). Each table runs once per session; the checks
on its run folder are separate tests so one defect does not hide another."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from outcomes import Outcome, complete_run, report_sections_built, run_config
from zoo import ALL_GENERATORS, CLASSIFIERS, TARGET, ZOO, experiment, write

ROBUST_METRICS = ("accuracy", "balanced_accuracy", "macro_f1")  # defined for every fitted classifier


@pytest.fixture(scope="session")
def zoo_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Outcome]:
    """name -> the outcome of running that table through every generator (computed once)."""
    done: dict[str, Outcome | AssertionError] = {}

    def run(name: str) -> Outcome:
        if name not in done:
            table = ZOO[name]
            root = tmp_path_factory.mktemp(f"zoo-{name}")
            source = write(table, root / "data")
            doc = experiment(root, source, name, strategies=table.strategies, repeats=table.repeats,
                             dataset=table.dataset)
            try:
                done[name] = run_config(doc, root)
            except AssertionError as exc:  # a traceback or a hang: every check of this table reports it
                done[name] = exc
        if isinstance(done[name], AssertionError):
            raise done[name]
        return done[name]

    return run


def test_zoo_crosses_encodings_columns_and_balance() -> None:
    """The zoo itself covers what issue 9 asks for (so a trimmed zoo fails here, not silently)."""
    # Setup
    frames = {name: t.frame() for name, t in ZOO.items()}
    dtypes = {str(f[TARGET].dtype) for f in frames.values()}
    # Assert
    assert len(ZOO) >= 12
    assert {"int64", "bool", "float64", "object", "category", "Int64", "boolean", "string"} <= dtypes
    assert any(f[TARGET].nunique() > 2 for f in frames.values())
    ratios = [f[TARGET].value_counts().max() / f[TARGET].value_counts().min() for f in frames.values()]
    assert max(ratios) >= 20
    described = " ".join(" ".join(t.column_types) for t in ZOO.values())
    for kind in ("numeric", "int-coded categorical", "bool", "string categorical", "datetime", "2017/12/22",
                 "13:45", "identifier", "NaN", "constant", "high-cardinality"):
        assert kind in described, kind


@pytest.mark.parametrize("name", list(ZOO))
def test_zoo_table_dry_run_lists_the_grid(name: str, tmp_path: Path) -> None:
    """`--dry-run` reads the table, checks the grid and fits nothing: exit 0, no run folder."""
    # Setup
    table = ZOO[name]
    source = write(table, tmp_path / "data")
    doc = experiment(tmp_path, source, name, strategies=table.strategies, repeats=table.repeats,
                     dataset=table.dataset)
    # Run
    outcome = run_config(doc, tmp_path, "--dry-run")
    # Assert
    assert outcome.rc == 0, outcome.describe()
    assert "Traceback" not in outcome.err and not outcome.run_dirs()
    assert "ctgan" in outcome.out and "class_weight" in outcome.out, outcome.out


@pytest.mark.parametrize("name", list(ZOO))
def test_zoo_table_completes_with_every_generator(name: str, zoo_run: Callable[[str], Outcome]) -> None:
    # Setup
    table = ZOO[name]
    # Run
    outcome = zoo_run(name)
    # Assert
    run = complete_run(outcome)
    cells = pd.read_parquet(run / "cells.parquet")
    assert len(cells) == table.repeats * (1 + len(ALL_GENERATORS)), cells.get("cell_id")
    results = pd.read_parquet(run / "results.parquet")
    assert set(results["generator"]) == {"real", *ALL_GENERATORS}
    assert set(results["classifier"]) == set(CLASSIFIERS)
    scored = results[results["mode"].isin(["baseline", "augmented"]) & results["metric"].isin(ROBUST_METRICS)]
    errors = scored[scored["error"].astype(str).str.len() > 0] if "error" in scored else scored.iloc[:0]
    assert errors.empty, errors[["generator", "strategy", "classifier", "mode", "error"]].drop_duplicates()
    assert np.isfinite(scored["value"].to_numpy(dtype=float)).all(), scored[~np.isfinite(scored["value"])]
    for generator in ALL_GENERATORS:
        modes = set(results.loc[results["generator"] == generator, "mode"])
        assert "augmented" in modes, (generator, modes)
    adding = results[(results["mode"] == "augmented") & ~results["generator"].isin(["real", "class_weight"])]
    assert set(adding["strategy"]) == set(table.strategies)


@pytest.mark.parametrize("name", list(ZOO))
def test_zoo_table_report_builds_every_section(name: str, zoo_run: Callable[[str], Outcome]) -> None:
    # Run
    outcome = zoo_run(name)
    # Assert
    assert outcome.run_dirs(), outcome.describe()
    run = outcome.run_dirs()[0]
    assert (run / "report.md").is_file(), outcome.describe()
    report_sections_built(run)


@pytest.mark.parametrize("name", list(ZOO))
def test_zoo_table_saved_synthetic_sets_keep_labels_and_dtypes(name: str, zoo_run: Callable[[str], Outcome]) -> None:
    """Saved synthetic sets show the original label values in the original dtype, and every kept
    feature column in its input dtype (labels are int codes only inside)."""
    # Setup
    table = ZOO[name]
    outcome = zoo_run(name)
    assert outcome.run_dirs(), outcome.describe()
    run = outcome.run_dirs()[0]
    source = next(p for p in (outcome.runs.parent / "data").iterdir() if p.stem == name)
    original = pd.read_parquet(source) if table.fmt == "parquet" else pd.read_csv(source)
    classes = set(original[TARGET].dropna().tolist())
    sets = pd.read_parquet(run / "sets.parquet")
    kept = {f"{r.cell_id}-x{r.ratio:g}-{r.strategy}": r.n_kept for r in sets.itertuples()}
    saved = sorted((run / "synthetic").glob("*.parquet"))
    # Assert
    assert {k for k, n in kept.items() if n > 0} <= {p.stem for p in saved}
    for path in saved:
        synth = pd.read_parquet(path)
        assert len(synth) == kept.get(path.stem, len(synth)), (path.name, len(synth), kept[path.stem])
        labels = synth[TARGET]
        assert labels.notna().all(), f"{path.name}: {int(labels.isna().sum())} synthetic rows without a label"
        assert set(labels.tolist()) <= classes, (path.name, set(labels.tolist()) - classes)
        assert str(labels.dtype) == str(original[TARGET].dtype), (path.name, labels.dtype, original[TARGET].dtype)
        wrong = {c: (str(synth[c].dtype), str(original[c].dtype)) for c in synth.columns
                 if c in original and str(synth[c].dtype) != str(original[c].dtype)}
        assert not wrong, f"{path.name}: dtypes changed (saved, input): {wrong}"
