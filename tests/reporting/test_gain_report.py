"""The report's gain sections: all present on a real tiny run, figures embedded, recommendations honest."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from synthaug.config import build_config
from synthaug.reporting.report import ReportContext
from synthaug.reporting.sections import recommendations_section

TITLES = ["Real vs synthetic distributions", "Augmentation gain", "Learning curves",
          "Train on synthetic, test on real (TSTR)", "Generative vs discriminative classifiers", "Recommendations"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from synthaug.experiment import run_experiment

    tmp = tmp_path_factory.mktemp("report")
    cfg = build_config({
        "name": "tiny", "seed": 7, "dataset": {"source": "iris"},
        "generators": {"gaussian_copula": {}, "smote": {}, "class_weight": {}},
        "classifiers": ["logistic_regression", "lda", "decision_tree"],
        "protocol": {"repeats": 2, "fractions": [0.5, 1.0]},
        "validation": {"fidelity": False, "privacy": False, "data_docs": False},
        "runtime": {"cache_dir": str(tmp / "cache")}, "output": {"dir": str(tmp / "runs")}})
    return run_experiment(cfg)


def test_all_gain_sections_render_in_order_with_figures(tiny_run: Path) -> None:
    md = (tiny_run / "report.md").read_text()
    positions = [md.find(f"## {t}") for t in TITLES]
    assert all(p >= 0 for p in positions), [t for t, p in zip(TITLES, positions) if p < 0]
    assert positions == sorted(positions)
    assert "could not be built" not in md
    figures = {"gain_heatmap_f0.5.png", "gain_heatmap_f1.png", "learning_curves.png", "distributions.png",
               "generative_vs_discriminative.png"}
    assert figures <= {p.name for p in (tiny_run / "figures").glob("*.png")}
    html = (tiny_run / "report.html").read_text()
    assert html.count('src="data:image/png;base64,') >= len(figures)
    assert 'src="figures/' not in html


def test_class_weight_is_na_for_lda_and_scored_for_the_others(tiny_run: Path) -> None:
    s = pd.read_csv(tiny_run / "summary.csv")
    cw = s[(s["generator"] == "class_weight") & (s["metric"] == "macro_f1")].set_index(["fraction", "classifier"])
    assert (cw.xs("lda", level="classifier")["verdict"] == "not applicable").all()
    assert cw.drop(index="lda", level="classifier")["gain_mean"].notna().all()
    r = pd.read_parquet(tiny_run / "results.parquet")
    assert r[(r["generator"] == "class_weight") & (r["mode"] == "tstr")].empty
    assert set(r.loc[r["generator"] == "class_weight", "ratio"]) == {0.0}


def _ctx(tmp_path: Path, rows: list[dict]) -> ReportContext:
    cfg = build_config({"dataset": {"source": "iris"}})
    base = {"fraction": 0.1, "ratio": 1.0, "strategy": "match", "metric": "macro_f1", "p_value": 0.01,
            "win_rate": 1.0, "ci_low": 0.01, "ci_high": 0.05, "gated": False}
    summary = pd.DataFrame([{**base, **r} for r in rows])
    empty = pd.DataFrame()
    return ReportContext(tmp_path, cfg, empty, summary, empty, empty, empty)


def test_recommendations_use_only_significant_ungated_helps(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, [
        {"generator": "ctgan", "classifier": "lda", "gain_mean": 0.09, "verdict": "helps", "gated": True},
        {"generator": "smote", "classifier": "lda", "gain_mean": 0.03, "verdict": "helps"},
        {"generator": "tvae", "classifier": "lda", "gain_mean": 0.20, "verdict": "no significant effect",
         "ci_low": -0.1},
        {"generator": "class_weight", "classifier": "naive_bayes", "gain_mean": float("nan"),
         "verdict": "not applicable"},
    ])
    _, body = recommendations_section(ctx)
    assert "1 of 3 cells tested" in body
    assert "| lda | 0.100 | smote |" in body
    assert "ctgan" not in body.split("Best recipe")[1] and "tvae" not in body
    assert "quality gate" in body


def test_recommendations_say_nothing_helped(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, [{"generator": "ctgan", "classifier": "lda", "gain_mean": 0.01, "ci_low": -0.02,
                           "verdict": "no significant effect"}])
    _, body = recommendations_section(ctx)
    assert body.startswith("**Nothing helped.**") and "1 generator × classifier cells" in body


def test_report_rebuilds_from_the_run_folder_alone(tiny_run: Path) -> None:
    """Everything the report shows is read back from the folder: the same Markdown comes out."""
    from synthaug.reporting.report import render_markdown

    assert render_markdown(ReportContext.from_run(tiny_run)) == (tiny_run / "report.md").read_text()


def test_gain_artifact_is_built_from_tables_with_the_reports_words(tiny_run: Path, tmp_path: Path) -> None:
    from synthaug_pipelines.summaries import gain_markdown, headline

    from synthaug.layout import RunLayout

    copy = tmp_path / "run"
    shutil.copytree(tiny_run, copy)
    report = (copy / "report.md").read_text()
    (copy / "report.md").unlink()  # the artifact must not need it
    ctx = ReportContext.from_run(copy)
    text = gain_markdown(RunLayout(copy), ctx.config)
    sections, link = text.rsplit("\n\n", 1)
    for title in ("Augmentation gain", "Recommendations"):
        in_report = _section(report, title)
        assert in_report and _section(sections, title) == re.sub(r"\n{3,}", "\n\n", _IMAGE.sub("", in_report)), title
    assert "![" not in text and link == f"Report: `{(copy / 'report.html').resolve()}`"
    best = headline(ctx.summary, ctx.metric).rsplit(" × ", 1)[1].split(" ", 1)[1]
    assert best in text  # the headline's gain is written as the table writes it, so it can be found there


def test_distributions_need_the_stored_real_sample(tiny_run: Path, tmp_path: Path) -> None:
    """The figure is drawn from real_sample.parquet, never by reloading the data; without it, a note."""
    from synthaug.reporting.curves import distributions_section

    copy = tmp_path / "run"
    shutil.copytree(tiny_run, copy)
    ctx = ReportContext.from_run(copy)
    title, body = distributions_section(ctx)
    assert "figures/distributions.png" in body and "real training rows of repeat 0" in body
    (copy / "real_sample.parquet").unlink()
    title, body = distributions_section(ctx)
    assert title == "Real vs synthetic distributions" and "Not drawn" in body and "real_sample.parquet" in body


_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$", re.MULTILINE)


def _section(md: str, title: str) -> str:
    """The body of one `## title` section (up to the next `## `)."""
    start = md.find(f"## {title}")
    if start < 0:
        return ""
    end = md.find("\n## ", start + 3)
    return md[start:end if end > 0 else None].strip()
