"""Core report sections: what ran, what the generators produced, the gain table, TSTR, recommendations.

The gain and recommendation texts are plain functions of the summary table (`gain_parts`,
`recommendations_text`) so the Prefect artifact shows the very same words without reading report.md.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from synthaug.evaluation.statistics import HELPS, NOT_APPLICABLE
from synthaug.reporting.figures import gain_heatmap
from synthaug.reporting.markdown import gain_text, md_table
from synthaug.reporting.report import ReportContext

GAIN_TITLE = "Augmentation gain"
RECOMMENDATIONS_TITLE = "Recommendations"


def failed_cells_section(ctx: ReportContext) -> tuple[str, str] | None:
    """First in the report when any cell raised: a reader must not take a partial grid for a whole one."""
    runs = ctx.runs
    if runs.empty or "status" not in runs or not (runs["status"] == "failed").any():
        return None
    failed = runs[runs["status"] == "failed"]
    rows = pd.DataFrame({
        "cell": failed["cell_id"], "error type": failed["error_type"],
        "message": failed["error"].fillna("").map(lambda m: m.replace("\n", " ")),
        "traceback": failed["traceback"].fillna("").map(lambda t: f"[{t}]({t})" if t else "not written"),
    })
    others = "No cell finished" if len(failed) == len(runs) else "The other cells finished"
    text = (f"**{len(failed)} of {len(runs)} cells failed.** {others}; every gain that needed a "
            "failed cell is *not applicable* (or has fewer repeats) with the reason in the summary's `note`. "
            "Running the same command again recomputes only these cells: finished cells come from the cell cache.")
    return "Failed cells", text + "\n\n" + md_table(rows)


def overview_section(ctx: ReportContext) -> tuple[str, str]:
    manifest = ctx.manifest
    ds, p = manifest["dataset"], ctx.config.protocol
    dups = ctx.runs.get("duplicates_train_test", pd.Series(dtype=float)).max()
    dups = 0 if pd.isna(dups) else int(dups)  # NaN when no baseline cell finished
    lines = [
        f"Dataset **{ds['name']}** ({ds['kind']}, {ds['rows']} rows, target `{ds['target']}`), "
        f"classes {ds['class_counts']}.",
        f"Protocol: {p.repeats} repeats, test size {p.test_size}, train fractions {p.fractions}, "
        f"synthetic ratios {p.ratios}, class strategies {p.strategies}; primary metric **{p.primary_metric}**; "
        f"seed {ctx.config.seed}.",
        "Split designs: " + ", ".join(
            f"fraction {f:g} → `{m}`" for f, m in ctx.runs.groupby("fraction")["ci_method"].first().items()) + ".",
        f"Exact duplicate rows across a train/test split (max over splits): {dups}.",
        f"Generators: {', '.join(ctx.config.generators)}; classifiers: {', '.join(ctx.config.classifiers)}.",
        f"Git commit `{manifest['git_commit']}`; data fingerprint `{ds['fingerprint']}`.",
    ]
    return "Experiment", "\n\n".join(lines)


def generators_section(ctx: ReportContext) -> tuple[str, str] | None:
    runs = ctx.runs[ctx.runs["generator"] != "real"]
    if runs.empty:
        return None
    fit = _fit_table(runs)
    if ctx.cells.empty:  # every generator cell failed: the failed-cells section says so
        return "Generators", md_table(fit) + "\n\nNo synthetic set was produced."
    sets = ctx.cells.groupby("generator").agg(requested=("n_requested", "sum"), achieved=("n_achieved", "sum"),
                                              kept=("n_kept", "sum")).reset_index()
    table = fit.merge(sets, on="generator", how="left")
    short = ctx.cells[ctx.cells["n_achieved"] < ctx.cells["n_requested"]]
    note = "Every set reached its requested class counts." if short.empty else (
        f"**Shortfall:** {len(short)} sets got fewer rows than requested "
        "(rejection sampling ran out of tries for some class); per-class requested vs achieved counts are in "
        f"`{ctx.layout.table('sets').name}`. Gains are measured on what was achieved.")
    return "Generators", md_table(table) + "\n\n" + note


def _fit_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Fits, mean fit time and cache hits per generator; failed cells are counted apart, never as fits."""
    failed = runs["status"].eq("failed") if "status" in runs else pd.Series(False, index=runs.index)
    ok = runs[~failed]
    fit = ok.groupby("generator").agg(
        fits=("cell_id", "size"), mean_fit_s=("fit_seconds", "mean"),
        cache_hits=("fit_cache_hit", lambda s: int(s.eq(True).sum()))).reset_index() \
        if "fit_seconds" in ok and not ok.empty else pd.DataFrame(columns=["generator", "fits", "mean_fit_s",
                                                                           "cache_hits"])
    if failed.any():  # failed cells are listed at the top; here they only must not count as fits
        lost = runs[failed].groupby("generator").size().rename("failed_cells").reset_index()
        fit = fit.merge(lost, on="generator", how="outer")
        counts = {"fits": 0, "cache_hits": 0, "failed_cells": 0}
        fit = fit.fillna(counts).astype(dict.fromkeys(counts, int))
    return fit


def gains_section(ctx: ReportContext) -> tuple[str, str]:
    def heatmap(fraction: float, rows: pd.DataFrame) -> str:
        path, link = ctx.figure(f"gain_heatmap_f{fraction:g}.png")
        title = f"gain in {ctx.metric}, train fraction {fraction:g} (95% CI)"
        gain_heatmap(_one_recipe_per_generator(rows), path, title)
        return f"![gain heatmap, fraction {fraction:g}]({link})"

    return GAIN_TITLE, "\n\n".join(gain_parts(ctx.primary, ctx.metric, heatmap))


def gain_parts(s: pd.DataFrame, metric: str,
               figure: Callable[[float, pd.DataFrame], str] | None = None) -> list[str]:
    """The gain section's paragraphs from the primary-metric summary rows; `figure` (fraction, rows) adds a
    figure after each fraction's tables (the report draws heatmaps, the Prefect artifact has none)."""
    if s.empty:
        return ["No gains were computed."]
    parts = [f"Gain = real+synthetic − real-only on held-out real rows, metric **{metric}**,"
             f" mean over repeats with a 95% CI ({', '.join(sorted(s['ci_method'].unique()))}). "
             "Verdict *helps* / *hurts* only when the interval excludes 0."]
    for f, by_f in s.groupby("fraction"):
        for (ratio, strategy), grp in by_f.groupby(["ratio", "strategy"], dropna=False):
            table = grp.assign(cell=grp.apply(_gain_cell, axis=1)).pivot(
                index="generator", columns="classifier", values="cell").reset_index()
            what = "`auto` (recipe chosen per classifier and repeat)" if pd.isna(ratio) else \
                f"ratio {ratio:g}×, strategy {strategy}"
            parts.append(f"**Train fraction {f:g}, {what}**\n\n{md_table(table)}")
        if figure is not None:
            parts.append(figure(f, by_f))
    counts = s["verdict"].value_counts().to_dict()
    parts.append("Verdicts over all cells: " + ", ".join(f"{k}: {v}" for k, v in counts.items()) +
                 ". ▲ helps, ▼ hurts, · no significant effect; † generator failed a quality gate; "
                 "n/a (not applicable): the classifier cannot take the recipe (e.g. `class_weight` on LDA) "
                 "or no repeat produced a score. "
                 "`class_weight` adds no rows: it refits with `class_weight=\"balanced\"` (ratio 0).")
    return parts


def _mark(verdict: str) -> str:
    return {"helps": "▲", "hurts": "▼"}.get(verdict, "·")


def _row_gain(r: pd.Series) -> str:
    return gain_text(r["gain_mean"], r["ci_low"], r["ci_high"])


def _gain_cell(r: pd.Series) -> str:
    if r["verdict"] == NOT_APPLICABLE:
        return "n/a"
    return f"{_row_gain(r)} {_mark(r['verdict'])}{'†' if r['gated'] else ''}"


def _one_recipe_per_generator(s: pd.DataFrame) -> pd.DataFrame:
    """The heatmap has one row per generator: where several ratios/strategies ran, label rows by recipe."""
    if s.groupby(["generator", "classifier"]).size().max() <= 1:
        return s
    return s.assign(generator=recipe_labels(s))


def recipe_labels(s: pd.DataFrame) -> pd.Series:
    """`ctgan ×1 match`: a generator with its ratio and class strategy, for plots with one line per recipe."""
    return s["generator"] + " ×" + s["ratio"].map("{:g}".format) + " " + s["strategy"]


def tstr_section(ctx: ReportContext) -> tuple[str, str] | None:
    """Machine-learning efficacy (CTGAN paper): fit on synthetic only; identity is fit on the real rows."""
    if not ctx.config.protocol.tstr:
        return None
    r = ctx.results[ctx.results["metric"] == ctx.metric]
    t = r[r["mode"].isin(["baseline", "tstr"])]
    if t[t["mode"] == "tstr"].empty:
        return None
    t = t.assign(source=t["generator"].where(t["mode"] == "tstr", "real (identity)"),
                 recipe=np.where(t["mode"] == "tstr", "×" + t["ratio"].map("{:g}".format) + " " + t["strategy"], ""))
    table = t.groupby(["fraction", "source", "recipe", "classifier"])["value"].mean().unstack("classifier")
    table["mean"] = table.mean(axis=1)
    ident = table.xs("real (identity)", level="source")["mean"].droplevel("recipe")
    table["gap to identity"] = table["mean"] - ident.reindex(table.index.get_level_values("fraction")).to_numpy()
    return ("Train on synthetic, test on real (TSTR)",
            f"Each classifier fitted on synthetic rows only, scored on held-out real rows ({ctx.metric}, mean over "
            "repeats). *Identity* is training on the real rows; *gap to identity* is the mean over classifiers "
            "minus identity's (the CTGAN paper's Table 6 reads the same way).\n\n" + md_table(table.reset_index()))


def recommendations_section(ctx: ReportContext) -> tuple[str, str]:
    return RECOMMENDATIONS_TITLE, recommendations_text(ctx.primary, ctx.metric)


def recommendations_text(s: pd.DataFrame, metric: str) -> str:
    """Best recipe per classifier among significant, non-gated "helps" cells only; else say nothing helped."""
    tested = s[s["verdict"] != NOT_APPLICABLE] if len(s) else s
    n = len(tested)
    good = tested[(tested["verdict"] == HELPS) & ~tested["gated"].astype(bool)] if n else tested
    gated_helps = int(((tested["verdict"] == HELPS) & tested["gated"].astype(bool)).sum()) if n else 0
    note = (f" ({gated_helps} further *helps* cell(s) came from generators that failed a quality gate and are "
            "not recommended.)") if gated_helps else ""
    if good.empty:
        return (f"**Nothing helped.** None of the {n} generator × classifier cells tested showed a significant "
                f"gain in {metric} at the 95% level; keep training on the real data alone.{note}")
    best = good.sort_values("gain_mean", ascending=False).groupby(["classifier", "fraction"]).head(1)
    best = best.sort_values(["classifier", "fraction"])
    table = best[["classifier", "fraction", "generator", "ratio", "strategy"]].assign(
        gain=best.apply(_row_gain, axis=1), p_value=best["p_value"], win_rate=best["win_rate"])
    expected = 0.025 * n
    return (f"{len(good)} of {n} cells tested show a significant gain in {metric} (95% CI above zero; quality-gated "
            f"generators excluded). With no true effect anywhere about {expected:.1f} of {n} would still come out "
            f"*helps* by chance, so weigh a lone win accordingly.{note} Best recipe per classifier and train fraction "
            "(export it with `synthaug augment CONFIG --recipe generator=G,ratio=R,strategy=S`):\n\n" + md_table(table))
