"""Report sections on how gains move with data size, what the synthetic rows look like, and the
generative-vs-discriminative contrast of the real-only baselines."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from synthaug.reporting.figures import distributions, family_curves, learning_curves
from synthaug.reporting.report import ReportContext
from synthaug.reporting.sections import md_table

log = logging.getLogger("synthaug")
TOP_COLUMNS = 4


def _primary(ctx: ReportContext) -> pd.DataFrame:
    s = ctx.summary
    return s[s["metric"] == ctx.config.protocol.primary_metric] if not s.empty else s


def learning_curves_section(ctx: ReportContext) -> tuple[str, str] | None:
    """Gain vs train fraction: the literature expects gains, if any, at the smallest fractions."""
    s = _primary(ctx)
    if s.empty or s["fraction"].nunique() < 2:
        return None
    metric = ctx.config.protocol.primary_metric
    curves = s[s["gain_mean"].notna()]
    if curves.empty:
        return None
    recipes = curves.groupby("generator")[["ratio", "strategy"]].nunique().max(axis=1)
    if (recipes > 1).any():
        label = curves["generator"] + " ×" + curves["ratio"].map("{:g}".format) + " " + curves["strategy"]
        curves = curves.assign(generator=label)
    learning_curves(curves, ctx.figures / "learning_curves.png", metric)
    parts = ["![learning curves](figures/learning_curves.png)"]
    helps = s[s["verdict"] == "helps"].groupby("fraction").size()
    per_f = ", ".join(f"fraction {f:g}: {int(helps.get(f, 0))} of {int((s['fraction'] == f).sum())}"
                      for f in sorted(s["fraction"].unique()))
    intro = (f"Gain in {metric} against the share of training rows used (log scale), 95% CI bands; the "
             f"black line is zero gain. Cells called *helps* per fraction — {per_f}.")
    return "Learning curves", intro + "\n\n" + "\n\n".join(parts)


def generative_vs_discriminative_section(ctx: ReportContext) -> tuple[str, str] | None:
    """Each classifier's real-only score across fractions, by family (Ng & Jordan 2001)."""
    metric = ctx.config.protocol.primary_metric
    r = ctx.results
    base = r[(r["mode"] == "baseline") & (r["metric"] == metric)]
    if base.empty:
        return None
    agg = base.groupby(["classifier", "family", "fraction"])["value"].agg(["mean", "std"]).reset_index()
    agg = agg.rename(columns={"std": "sd"})
    table = agg.assign(cell=agg.apply(lambda x: f"{x['mean']:.3f} ± {0 if pd.isna(x['sd']) else x['sd']:.3f}",
                                      axis=1))
    table = table.pivot(index=["family", "classifier"], columns="fraction", values="cell")
    table.columns = [f"fraction {c:g}" for c in table.columns]
    text = (f"Real-only {metric} (mean ± sd over repeats) per classifier and train fraction. LDA, QDA and "
            "naive Bayes model P(X|Y) (generative); the others model P(Y|X) (discriminative). Generative "
            "classifiers are expected to approach their asymptote with fewer rows and be overtaken as the "
            "training set grows — one reason augmentation tends to matter most for them at small fractions.\n\n"
            + md_table(table.reset_index()))
    if agg["fraction"].nunique() >= 2:
        family_curves(agg, ctx.figures / "generative_vs_discriminative.png", metric)
        text += "\n\n![generative vs discriminative](figures/generative_vs_discriminative.png)"
    return "Generative vs discriminative classifiers", text


def important_columns(X: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], k: int = TOP_COLUMNS) -> list[str]:
    """Columns with the highest mutual information with the label (on real training rows)."""
    from sklearn.feature_selection import mutual_info_classif

    cols = [c for c in X.columns if kinds.get(c) in ("numeric", "categorical", "boolean")]
    if not cols:
        return []
    enc = pd.DataFrame(index=X.index)
    discrete = []
    for c in cols:
        if kinds.get(c) == "numeric":
            v = pd.to_numeric(X[c], errors="coerce")
            enc[c] = v.fillna(v.median() if v.notna().any() else 0.0)
            discrete.append(False)
        else:
            enc[c] = X[c].astype(str).astype("category").cat.codes
            discrete.append(True)
    mi = mutual_info_classif(enc.to_numpy(dtype=float), np.asarray(y).astype(str), discrete_features=discrete,
                             random_state=0)
    return [cols[i] for i in np.argsort(-mi)[:k]]


def distributions_section(ctx: ReportContext) -> tuple[str, str] | None:
    """Real training rows vs each generator's synthetic rows (repeat 0, largest fraction, first recipe)."""
    from synthaug.runner import Cell, prepare, split_cell

    if ctx.config.dataset.kind != "tabular":
        return None
    folder = ctx.run_dir / "synthetic"
    if not folder.is_dir():
        return None
    f_max = max(ctx.config.protocol.fractions)
    sets: dict[str, pd.DataFrame] = {}
    for gen in ctx.config.generators:
        files = sorted(folder.glob(f"r0-f{f_max:g}-{gen}-x*.parquet"))
        if files:
            df = pd.read_parquet(files[0])
            if len(df):
                sets[gen] = df
    if not sets:
        return None
    data = prepare(ctx.config)
    train, _, _ = split_cell(ctx.config, data, Cell(0, f_max))
    cols = important_columns(train.X, train.y, train.columns)
    if not cols:
        return None
    real = train.frame()
    distributions(real, sets, cols, train.columns, ctx.figures / "distributions.png")
    return ("Real vs synthetic distributions",
            f"The {len(cols)} columns most informative about the label (mutual information on the real training "
            f"rows): {', '.join(f'`{c}`' for c in cols)}. Real training rows of repeat 0 at fraction {f_max:g} "
            "against the synthetic rows each generator produced from them (after validation).\n\n"
            "![real vs synthetic](figures/distributions.png)")
