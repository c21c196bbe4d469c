"""The `auto` cell end to end on tiny data: rows beside the fixed recipes, evidence, honest pairing."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from synthaug.config import build_config
from synthaug.errors import ConfigError
from synthaug.experiment import run_experiment
from synthaug.layout import RunLayout
from synthaug.runner import prepare


@pytest.fixture(scope="module")
def auto_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("auto")
    doc = {"name": "auto", "seed": 5, "dataset": {"source": "iris"},
           "generators": {"gaussian_copula": {}, "smote": {}}, "classifiers": ["logistic_regression", "lda"],
           "protocol": {"repeats": 2, "fractions": [1.0], "tstr": False},
           "validation": {"fidelity": False, "privacy": False, "data_docs": False},
           "recipes": {"ratios": [1.0], "strategies": ["match"], "labels": ["generator", "teacher"],
                       "filters": ["none"], "teacher": [{"classifier": "logistic_regression"}]},
           "runtime": {"cache_dir": str(root / "cache"), "workers": 1}, "output": {"dir": str(root / "runs")}}
    return run_experiment(build_config(doc))


def test_auto_rows_go_through_the_gain_machinery(auto_run):
    # Setup
    layout = RunLayout(auto_run)
    results, summary = pd.read_parquet(layout.table("results")), pd.read_csv(layout.summary)
    # Run
    auto = results[results["generator"] == "auto"]
    # Assert: one chosen recipe per classifier and repeat, 3 competing (real only + 2), paired with the baseline
    assert len(auto) == 2 * 2 * 6 and set(auto["mode"]) == {"augmented"}
    assert (auto["n_recipes"] == 3).all() and auto["recipe"].str.len().gt(0).all()
    assert auto.groupby(["repeat", "classifier"])["recipe"].nunique().eq(1).all()
    rows = summary[(summary["generator"] == "auto") & (summary["metric"] == "macro_f1")]
    assert set(rows["classifier"]) == {"logistic_regression", "lda"} and rows["repeats"].eq(2).all()
    assert math.isnan(rows["ratio"].iloc[0]) and (rows["strategy"] == "auto").all()


def test_auto_leaves_its_evidence(auto_run):
    # Setup
    layout = RunLayout(auto_run)
    # Run
    evidence = pd.read_csv(layout.selection("r0-f1-auto"))
    # Assert: every recipe's inner score per classifier, exactly one pick each
    assert set(evidence["classifier"]) == {"logistic_regression", "lda"}
    assert evidence.groupby("classifier")["chosen"].sum().eq(1).all()
    assert "real_only" in set(evidence["recipe"])


@pytest.mark.parametrize("doc, field", [
    ({"generators": {"smote": {}}, "recipes": {}}, "recipes"),
    ({"recipes": {"generators": ["ctgan"]}}, "recipes.generators"),
    ({"recipes": {"teacher": [{"classifier": "no_such_model"}]}}, "recipes.teacher"),
    ({"recipes": {"detector": {"classifier": "svm", "params": {"bogus": 1}}}}, "recipes.detector"),
    ({"generators": {"auto": {"type": "gaussian_copula"}}, "recipes": {}}, "reserved"),
])
def test_bad_recipes_are_refused_before_any_fit(doc, field):
    cfg = build_config({"dataset": {"source": "iris"}, **doc})
    with pytest.raises(ConfigError, match=field):
        prepare(cfg)


def test_report_leads_with_the_best_recipe(auto_run):
    # Setup
    report = RunLayout(auto_run).report_md.read_text()
    # Run
    section = report.split("Best recipe (auto)", 1)[1].split("\n## ", 1)[0]
    # Assert: auto before the fixed gains, per classifier, with the picks and the classical baseline
    assert report.index("## Best recipe (auto)") < report.index("## Augmentation gain")
    assert "logistic_regression" in section and "lda" in section and "×" in section
    assert "smote:" in section and "recipes competing" in section
    assert "could not be built" not in report


def test_augment_auto_exports_the_choice_with_its_evidence(tmp_path):
    # Setup
    from synthaug.augment import SYNTHETIC_FLAG, augment_auto

    cfg = build_config({"seed": 2, "dataset": {"source": "iris"}, "generators": {"gaussian_copula": {}},
                        "classifiers": ["decision_tree"], "validation": {"fidelity": False, "privacy": False},
                        "recipes": {"ratios": [1.0], "strategies": ["match"], "labels": ["teacher"],
                                    "filters": ["none"], "teacher": [{"classifier": "logistic_regression"}]},
                        "runtime": {"cache": False}})
    out = tmp_path / "aug.csv"
    # Run
    frame, sel = augment_auto(cfg, "decision_tree", out)
    # Assert: the export matches the choice, and the evidence lists both competitors
    evidence = pd.read_csv(out.with_suffix(".selection.csv"))
    assert sel.n_recipes == 2 and len(evidence) == 2 and "real_only" in set(evidence["recipe"])
    assert evidence.loc[evidence["chosen"].astype(bool), "recipe"].tolist() == [str(sel.chosen)]
    n_syn = int(frame[SYNTHETIC_FLAG].sum())
    assert (n_syn == 0) == sel.chosen.is_real_only and len(frame) - n_syn == 150
    assert pd.read_csv(out).shape[0] == len(frame)
    with pytest.raises(Exception, match="classifier"):
        augment_auto(cfg, "svm", None)


def test_gain_tables_and_artifact_text_show_auto(auto_run):
    # Setup
    from synthaug.reporting.sections import gain_parts

    summary = pd.read_csv(RunLayout(auto_run).summary)
    # Run
    parts = gain_parts(summary[summary["metric"] == "macro_f1"], "macro_f1")
    # Assert: the auto rows (ratio NaN) get their own table, not dropped by a NaN group key
    auto = [p for p in parts if "`auto`" in p]
    assert len(auto) == 1 and "| auto |" in auto[0]


# --- the chosen sets in sets.parquet -------------------------------------------------------------------

FORCED = "gaussian_copula x1 match teacher consistency@0.9 w1"  # logistic regression's pick; lda: real only


def _sets_config(root):
    return build_config({
        "name": "auto_sets", "seed": 3, "dataset": {"source": "iris"},
        "generators": {"gaussian_copula": {}, "smote": {}}, "classifiers": ["logistic_regression", "lda"],
        "protocol": {"repeats": 1, "fractions": [1.0], "tstr": False},
        "validation": {"fidelity": False, "data_docs": False},
        "recipes": {"ratios": [1.0], "strategies": ["match"], "labels": ["teacher"], "filters": ["consistency"],
                    "consistency_thresholds": [0.9], "teacher": [{"classifier": "logistic_regression"}]},
        "runtime": {"cache": False, "workers": 1}, "output": {"dir": str(root / "runs")}})


def _force_picks(monkeypatch):
    """Selection runs as usual; the pick is forced so one classifier builds a set and one does not."""
    import dataclasses

    from synthaug import auto as auto_mod
    from synthaug.recipes import REAL_ONLY, parse_recipe

    real_select = auto_mod.select_recipe

    def select(*args, **kwargs):
        sel = real_select(*args, **kwargs)
        picks = {"logistic_regression": parse_recipe(FORCED), "lda": REAL_ONLY}
        return {c: dataclasses.replace(s, chosen=picks[c]) for c, s in sel.items()}

    monkeypatch.setattr(auto_mod, "select_recipe", select)


def test_auto_cell_records_the_chosen_set_with_what_each_filter_dropped(tmp_path, monkeypatch):
    # Setup
    from synthaug.auto import auto_cell
    from synthaug.cellspec import Cell, cell_spec
    from synthaug.records import AUTO, SetHead, SetRecord
    from synthaug.runner import split_cell

    _force_picks(monkeypatch)
    cfg = _sets_config(tmp_path)
    spec = cell_spec(cfg, Cell(0, 1.0, AUTO))
    train, test, ci = split_cell(spec, prepare(cfg))
    # Run
    rows, sets = auto_cell(spec, train, test, SetHead(0, 1.0, ci, len(train), len(test)), None)
    # Assert: one set (real only builds none), counted like a fixed set plus the filter's drops
    assert [(s.classifier, s.recipe) for s in sets] == [("logistic_regression", FORCED)]
    s, row = sets[0], sets[0].as_row()
    trained = {r.head.n_synthetic for r in rows if r.classifier == "logistic_regression"}
    assert (row["generator"], row["generator_type"], row["ratio"], row["strategy"]) == (AUTO, AUTO, 1.0, "match")
    assert row["cell_id"] == spec.id and row["n_requested"] == len(train) and row["generative"]
    assert row["n_requested"] >= row["n_achieved"] >= row["n_kept"] > 0
    assert row["dropped_consistency"] > 0 and row["dropped_fidelity"] == 0
    assert trained == {row["n_synthetic"]} == {row["n_kept"] - row["dropped_consistency"]}
    assert sum(__import__("json").loads(row["requested"]).values()) == row["n_requested"]
    assert set(__import__("json").loads(row["achieved"])) <= {"setosa", "versicolor", "virginica"}
    assert math.isnan(row["dcr_ratio"]) and math.isnan(row["dcr_holdout"]) and row["copy_rate"] >= 0
    assert SetRecord.from_row(row) == s  # the cell cache round trip
    old = {k: v for k, v in row.items() if k not in ("classifier", "recipe", "dropped_consistency",
                                                      "dropped_fidelity")}
    assert SetRecord.from_row(old).classifier == "" and SetRecord.from_row(old).dropped_fidelity == 0


def test_report_and_summary_render_with_auto_sets(tmp_path, monkeypatch):
    # Setup: a forced pick, so the auto cell stores one set
    from synthaug.reporting.recipes_section import SETS_COLUMN

    _force_picks(monkeypatch)
    # Run
    run = run_experiment(_sets_config(tmp_path))
    # Assert: the auto set sits beside the fixed sets in sets.parquet; report and summary still build
    layout = RunLayout(run)
    sets = pd.read_parquet(layout.table("sets"))
    auto = sets[sets["generator"] == "auto"]
    assert len(auto) == 1 and auto["recipe"].tolist() == [FORCED] and auto["dropped_consistency"].gt(0).all()
    fixed = sets[sets["generator"] != "auto"]
    assert set(fixed["generator"]) == {"gaussian_copula", "smote"} and (fixed["recipe"] == "").all()
    assert (fixed[["dropped_consistency", "dropped_fidelity"]] == 0).all().all()
    assert (fixed["n_synthetic"] == fixed["n_kept"]).all()
    report = layout.report_md.read_text()
    assert "could not be built" not in report and "## Best recipe (auto)" in report
    section = report.split("## Best recipe (auto)", 1)[1].split("\n## ", 1)[0]
    assert SETS_COLUMN in section  # the pick's rows trained on / dropped by its filter, from sets.parquet
    lr = next(line for line in section.splitlines() if line.startswith("| logistic_regression"))
    assert lr.endswith(f"| {auto['n_synthetic'].iloc[0]} / {auto['dropped_consistency'].iloc[0]} |")
    assert next(line for line in section.splitlines() if line.startswith("| lda")).endswith("| — |")
    summary = pd.read_csv(layout.summary)
    assert "auto" in set(summary["generator"])


def test_the_runner_stores_the_auto_cells_sets(tmp_path, monkeypatch):
    # Setup
    from synthaug.cellspec import Cell, cell_spec
    from synthaug.records import AUTO
    from synthaug.runner import run_cell

    _force_picks(monkeypatch)
    cfg = _sets_config(tmp_path)
    # Run
    out = run_cell(cell_spec(cfg, Cell(0, 1.0, AUTO)), None)
    # Assert
    assert not out.failed and [s.recipe for s in out.sets] == [FORCED]
