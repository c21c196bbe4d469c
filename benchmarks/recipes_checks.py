"""Issue 11's no-loss check: per classifier and fraction, `auto`'s gain with its CI from a finished run.

Why a reader over run folders, not a runner of its own: the check is "does `auto`, through the
pipeline's own gain, CI and verdict machinery, lose significantly anywhere?", so it reads exactly what
`synthaug run` wrote (`summary.csv`, `results.parquet`, `cells.parquet`) and computes nothing new.

    .venv/bin/python benchmarks/recipes_checks.py data/runs/<run> [data/runs/<run> ...]

prints one markdown table per run (paste into benchmarks/results/recipes_checks.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import yaml

CLASSICAL = ("smote", "random_oversampling", "class_weight")


def gain(row: pd.Series) -> str:
    if pd.isna(row["gain_mean"]):
        return "n/a"
    lo, hi = row["ci_low"], row["ci_high"]
    ci = "n/a" if pd.isna(lo) else f"{lo:+.3f}, {hi:+.3f}"
    return f"{row['gain_mean']:+.3f} [{ci}]"


def table(run: Path) -> str:
    summary = pd.read_csv(run / "summary.csv")
    results = pd.read_parquet(run / "results.parquet")
    metric = yaml.safe_load((run / "config.yaml").read_text())["protocol"]["primary_metric"]
    s = summary[(summary["metric"] == metric) & (summary["mode"] == "augmented")]
    types = results.drop_duplicates("generator").set_index("generator")["generator_type"]
    rows = []
    for _, a in s[s["generator"] == "auto"].sort_values(["fraction", "classifier"]).iterrows():
        same = s[(s["classifier"] == a["classifier"]) & (s["fraction"] == a["fraction"])]
        classical = same[same["generator"].map(types).isin(CLASSICAL)].dropna(subset=["gain_mean"])
        best = classical.sort_values("gain_mean", ascending=False).iloc[0] if len(classical) else None
        picks = results[(results["generator"] == "auto") & (results["classifier"] == a["classifier"])
                        & (results["fraction"] == a["fraction"]) & (results["metric"] == metric)]
        chosen = picks.drop_duplicates("repeat")["recipe"]
        loss = bool(a["ci_high"] < 0) if pd.notna(a["ci_high"]) else False
        rows.append({"classifier": a["classifier"], "fraction": f"{a['fraction']:g}", "repeats": int(a["repeats"]),
                     "baseline": f"{a['baseline_mean']:.3f}", f"auto gain ({metric}) [95% CI]": gain(a),
                     "p": f"{a['p_value']:.2f}" if pd.notna(a["p_value"]) else "n/a", "verdict": a["verdict"],
                     "significant loss": "**yes**" if loss else "no",
                     "best classical baseline": f"{best['generator']}: {gain(best)}" if best is not None else "—",
                     "repeats augmented": f"{int((chosen != 'real_only').sum())}/{len(chosen)}",
                     "recipes competing": int(picks["n_recipes"].max())})
    frame = pd.DataFrame(rows)
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    return head + "\n".join("| " + " | ".join(str(v) for v in r) + " |" for r in frame.itertuples(index=False))


def costs(run: Path) -> str:
    cells = pd.read_parquet(run / "cells.parquet")
    per = cells.groupby("generator")["seconds"].agg(["count", "mean", "sum"]).round(1)
    return "| cell type | cells | mean s | total s |\n|---|---|---|---|\n" + "\n".join(
        f"| {g} | {int(r['count'])} | {r['mean']:.1f} | {r['sum']:.0f} |" for g, r in per.iterrows())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    for run in parser.parse_args().runs:
        print(f"### {run.name}\n\n{table(run)}\n\n{costs(run)}\n")


if __name__ == "__main__":
    main()
