"""The "Best recipe" section: what `auto` chose per classifier, and whether it beat real-only data and
the classical baselines — measured on test rows the selection never saw."""

from __future__ import annotations

import pandas as pd

from synthaug.records import AUTO
from synthaug.reporting.markdown import gain_text, md_table
from synthaug.reporting.report import ReportContext

CLASSICAL = ("smote", "random_oversampling", "class_weight")
SETS_COLUMN = "synthetic rows trained on / filtered out (mean per pick)"

INTRO = ("`auto` picks a recipe (generator × ratio × class strategy × labels × filter × weight, or real "
         "data only) per classifier, train fraction and repeat by {folds}-fold inner validation on that "
         "repeat's training rows only; real only wins unless a recipe beats it by more than one standard "
         "error. The pick is rebuilt on all training rows and scored once on the held-out rows, so its gain "
         "below is as honest as any fixed recipe's. Per-recipe inner scores: `cells/<cell>/selection.csv`.")


def best_recipe_section(ctx: ReportContext) -> tuple[str, str] | None:
    rows = ctx.primary
    if rows.empty or AUTO not in set(rows["generator"]):
        return None
    auto = rows[rows["generator"] == AUTO]
    table = pd.DataFrame([_row(ctx, a) for _, a in auto.sort_values(["fraction", "classifier"]).iterrows()])
    picked = _picked_sets(ctx)
    if not picked.empty:  # the sets the picks built on the training rows (sets.parquet, generator `auto`)
        table[SETS_COLUMN] = [_sets_text(picked, c, f) for c, f in zip(table["classifier"], table["fraction"])]
    folds = ctx.config.recipes.inner_folds if ctx.config.recipes is not None else 3
    return "Best recipe (auto)", f"{INTRO.format(folds=folds)}\n\n{md_table(table)}\n"


def _row(ctx: ReportContext, a: pd.Series) -> dict[str, object]:
    """One classifier × fraction: auto's gain and verdict, the best classical baseline, the picks."""
    picks = ctx.results[(ctx.results["generator"] == AUTO) & (ctx.results["classifier"] == a["classifier"])
                        & (ctx.results["fraction"] == a["fraction"]) & (ctx.results["metric"] == ctx.metric)]
    chosen = picks.drop_duplicates("repeat")["recipe"].value_counts()
    competed = int(picks["n_recipes"].max()) if "n_recipes" in picks and len(picks) else 0
    return {"classifier": a["classifier"], "fraction": a["fraction"],
            f"auto gain ({ctx.metric})": gain_text(a["gain_mean"], a["ci_low"], a["ci_high"]),
            "verdict": a["verdict"], "best classical baseline": _classical(ctx, a),
            "recipes competing": competed,
            "chosen (repeats)": "; ".join(f"`{r}` ×{n}" for r, n in chosen.items())}


def _classical(ctx: ReportContext, a: pd.Series) -> str:
    types = ctx.results.drop_duplicates("generator").set_index("generator")["generator_type"]
    rows = ctx.primary[(ctx.primary["classifier"] == a["classifier"]) & (ctx.primary["fraction"] == a["fraction"])]
    rows = rows[rows["generator"].map(types).isin(CLASSICAL)].dropna(subset=["gain_mean"])
    if rows.empty:
        return "—"
    best = rows.sort_values("gain_mean", ascending=False).iloc[0]
    return f"{best['generator']}: {gain_text(best['gain_mean'], best['ci_low'], best['ci_high'])}"


def _picked_sets(ctx: ReportContext) -> pd.DataFrame:
    sets = ctx.cells if ctx.cells is not None else pd.DataFrame()
    if sets.empty or "classifier" not in sets or "generator" not in sets:
        return pd.DataFrame()
    return sets[(sets["generator"] == AUTO) & (sets["classifier"].fillna("") != "")]


def _sets_text(picked: pd.DataFrame, classifier: str, fraction: float) -> str:
    """Mean synthetic rows the classifier trained on, and mean rows the recipe's filters dropped after
    validation, over the repeats whose pick was not real only."""
    rows = picked[(picked["classifier"] == classifier) & (picked["fraction"] == fraction)]
    if rows.empty:
        return "—"
    dropped = rows["dropped_consistency"] + rows["dropped_fidelity"]
    return f"{rows['n_synthetic'].mean():.0f} / {dropped.mean():.0f}"
