"""Report sections on how gains move with data size, what the synthetic rows look like, and the
generative-vs-discriminative contrast of the real-only baselines."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from synthaug.reporting.figures import distributions, family_curves, learning_curves
from synthaug.reporting.markdown import md_table
from synthaug.reporting.report import ReportContext
from synthaug.reporting.sections import recipe_labels

log = logging.getLogger("synthaug")
TOP_COLUMNS = 4


def learning_curves_section(ctx: ReportContext) -> tuple[str, str] | None:
    """Gain vs train fraction: the literature expects gains, if any, at the smallest fractions."""
    s, metric = ctx.primary, ctx.metric
    if s.empty or s["fraction"].nunique() < 2:
        return None
    curves = s[s["gain_mean"].notna()]
    if curves.empty:
        return None
    recipes = curves.groupby("generator")[["ratio", "strategy"]].nunique().max(axis=1)
    if (recipes > 1).any():
        curves = curves.assign(generator=recipe_labels(curves))
    path, link = ctx.figure("learning_curves.png")
    learning_curves(curves, path, metric)
    parts = [f"![learning curves]({link})"]
    helps = s[s["verdict"] == "helps"].groupby("fraction").size()
    per_f = ", ".join(f"fraction {f:g}: {int(helps.get(f, 0))} of {int((s['fraction'] == f).sum())}"
                      for f in sorted(s["fraction"].unique()))
    intro = (f"Gain in {metric} against the share of training rows used (log scale), 95% CI bands; the "
             f"black line is zero gain. Cells called *helps* per fraction — {per_f}.")
    return "Learning curves", intro + "\n\n" + "\n\n".join(parts)


def generative_vs_discriminative_section(ctx: ReportContext) -> tuple[str, str] | None:
    """Each classifier's real-only score across fractions, by family (Ng & Jordan 2001)."""
    metric = ctx.metric
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
        path, link = ctx.figure("generative_vs_discriminative.png")
        family_curves(agg, path, metric)
        text += f"\n\n![generative vs discriminative]({link})"
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
    """Real training rows vs each generator's synthetic rows (repeat 0, largest fraction, first recipe).

    Both sides come from the run folder (`real_sample.parquet`, `synthetic/`): the report never reloads
    or re-splits the dataset, so it shows what the run saw even if the source file changed since."""
    if ctx.config.dataset.kind != "tabular":
        return None
    f_max = max(ctx.config.protocol.fractions)
    sets = _first_sets(ctx, f_max)
    if not sets:
        return None
    if not ctx.layout.real_sample.is_file():
        return ("Real vs synthetic distributions", "*Not drawn: this run folder holds no sample of the real "
                f"training rows (`{ctx.link(ctx.layout.real_sample)}`; runs made before it was written).*")
    ds = ctx.manifest["dataset"]
    real = pd.read_parquet(ctx.layout.real_sample)
    kinds: dict[str, str] = dict(ds.get("columns") or {})
    features = real[[c for c in real.columns if c in kinds and c != ds["target"]]]
    cols = important_columns(features, real[ds["target"]].to_numpy(), kinds)
    if not cols:
        return None
    path, link = ctx.figure("distributions.png")
    distributions(real, sets, cols, kinds, path)
    return ("Real vs synthetic distributions",
            f"The {len(cols)} columns most informative about the label (mutual information on the real training "
            f"rows): {', '.join(f'`{c}`' for c in cols)}. {len(real)} real training rows of repeat 0 at fraction "
            f"{f_max:g} against the synthetic rows each generator produced from them (after validation).\n\n"
            f"![real vs synthetic]({link})")


def _first_sets(ctx: ReportContext, fraction: float) -> dict[str, pd.DataFrame]:
    """Per generator (config order), the first non-empty saved set of its repeat-0 cell at `fraction`."""
    runs = ctx.runs
    if runs.empty or not {"cell_id", "repeat", "fraction", "generator"} <= set(runs.columns):
        return {}
    picked = runs[(runs["repeat"] == 0) & np.isclose(runs["fraction"].astype(float), fraction)]
    owner = dict(zip(picked["cell_id"], picked["generator"]))
    sets: dict[str, pd.DataFrame] = {}
    for cell_id, _, path in ctx.layout.synthetic_sets():
        gen = owner.get(cell_id)
        if gen is None or gen in sets:  # a tabular run saves its sets as Parquet
            continue
        df = pd.read_parquet(path)
        if len(df):
            sets[gen] = df
    return {g: sets[g] for g in ctx.config.generators if g in sets}
