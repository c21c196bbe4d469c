"""Report section: validity, fidelity, privacy and gate decisions per generator, linked to Data Docs."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from synthaug.reporting.markdown import capped, md_table, num
from synthaug.validation.checks import (
    COPY_RATE,
    DCR_HOLDOUT,
    DCR_RATIO,
    DCR_SYNTHETIC,
    DETECTION_AUC,
    DIAGNOSTIC_SCORE,
    EXPECTATION,
    IMAGE,
    QUALITY_SCORE,
    ROWS_DROPPED,
    ROWS_IN,
    VALIDITY_RATE,
)

SET_KEYS = ["fraction", "ratio", "strategy"]
PRIVACY_NOTE = ("Copy rate and DCR are *checks, not a privacy guarantee*: passing them does not show that "
                "no real record can be inferred from the synthetic data (no differential privacy is applied).")
EXPLAIN = (
    "Per generator, one row per (train fraction, ratio, class strategy), averaged over repeats. "
    "*Expectations* counts passed/failed Great Expectations checks over all sets (row-level checks on every "
    "generated row; distribution checks — KL divergence on binned numerics and category frequencies, means, "
    "null fractions with `mostly` — on the kept rows; these never drop rows). *Validity* is the share of "
    "generated rows passing every row-level check. *Quality*/*Diagnostic* are SDMetrics report scores (0–1, "
    "higher is closer to the training rows). *Detection AUC* is the cross-validated ROC AUC of a classifier "
    "telling real training rows from synthetic ones (0.5 = indistinguishable, 1.0 = trivially told apart). "
    "*Copy rate* is the share of generated rows identical to a training row; *DCR ratio* is the median "
    "Gower distance of synthetic rows to their closest training row divided by the same for held-out real "
    "rows (about 1 or more is expected; well below 1 means the generator sits on its training rows)."
)
IMAGE_NOTE = (
    "This is an image run: the tabular checks (column suite, SDMetrics reports, Gower DCR) do not apply and "
    "are not shown as failures. The checks that apply are the image checks listed below."
)


def validation_section(ctx: Any) -> tuple[str, str] | None:
    """(title, markdown), or None when the run sampled no synthetic data."""
    cells: pd.DataFrame = ctx.cells if ctx.cells is not None else pd.DataFrame()
    records: pd.DataFrame = ctx.validation if ctx.validation is not None else pd.DataFrame()
    if cells.empty and records.empty:
        return None
    if "success" in records:  # True/False/None (in memory) or a nullable boolean (from parquet): one dtype
        records = records.assign(success=records["success"].astype("boolean"))
    if "unexpected" in records:
        records = records.assign(unexpected=pd.to_numeric(records["unexpected"], errors="coerce").fillna(0))
    parts = [_intro(ctx)]
    if getattr(ctx.config.dataset, "kind", "tabular") == "images":
        parts += [IMAGE_NOTE, _image_checks(records)]
    else:
        parts.append(EXPLAIN)
        for gen in _generators(cells, records):
            parts.append(_generator_block(gen, _rows(cells, "generator", gen), _rows(records, "generator", gen)))
        parts.append(PRIVACY_NOTE)
    parts.append(_gate_block(cells))
    return "Validation, fidelity and privacy", "\n\n".join(p for p in parts if p)


def _intro(ctx: Any) -> str:
    v = ctx.config.validation
    gates = {k: val for k, val in v.gate.model_dump().items() if val is not None}
    gate_text = ", ".join(f"`{k}` {val}" for k, val in gates.items()) or "none configured"
    text = (f"Policy **{v.policy}** (`filter` drops rows failing row-level checks, `warn` keeps them, `fail` "
            f"stops the run). Quality gate: {gate_text}; gates apply to generative models only, not to "
            "oversampling baselines, and a gated set is still scored but left out of recommendations.")
    index = getattr(ctx, "datadocs_index", None)
    if index:
        rel = os.path.relpath(index, ctx.run_dir)
        text += f" Evidence per sampled set: [Great Expectations Data Docs]({rel})."
    else:
        text += " (Data Docs were not built for this run.)"
    return text


def _generators(cells: pd.DataFrame, records: pd.DataFrame) -> list[str]:
    names = list(cells["generator"].unique()) if "generator" in cells else []
    if "generator" in records:
        names += [g for g in records["generator"].unique() if g not in names]
    return [str(g) for g in names]


def _rows(df: pd.DataFrame, col: str, value: Any) -> pd.DataFrame:
    return df[df[col] == value] if col in df else df.iloc[:0]


def _generator_block(gen: str, cells: pd.DataFrame, records: pd.DataFrame) -> str:
    baseline = "generative" in cells and not cells["generative"].astype(bool).any()
    title = f"**{gen}**" + (" (oversampling baseline: gates not applicable)" if baseline else "")
    table = _set_table(cells, records)
    worst = _worst_checks(records)
    return "\n\n".join(x for x in (title, table, worst) if x)


def _set_table(cells: pd.DataFrame, records: pd.DataFrame) -> str:
    if cells.empty:
        return "*(no sampled sets)*"
    exp = _rows(records, "family", EXPECTATION)
    keys = [k for k in SET_KEYS if k in cells]
    out = []
    for key, grp in cells.groupby(keys, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        sel = exp
        for k, val in zip(keys, key):
            sel = sel[sel[k] == val] if k in sel else sel
        out.append({
            **{k: f"{v:g}" if isinstance(v, float) else v for k, v in zip(keys, key)}, "sets": len(grp),
            "expectations passed/failed": f"{int(_is(sel, True).sum())}/{int(_is(sel, False).sum())}",
            "rows in": _sum(grp, ROWS_IN), "rows dropped": _sum(grp, ROWS_DROPPED),
            "validity": _mean(grp, VALIDITY_RATE), "quality": _mean(grp, QUALITY_SCORE),
            "diagnostic": _mean(grp, DIAGNOSTIC_SCORE), "detection AUC": _mean(grp, DETECTION_AUC),
            "copy rate": _mean(grp, COPY_RATE),
            "DCR syn / holdout (ratio)": f"{num(_mean(grp, DCR_SYNTHETIC))} / {num(_mean(grp, DCR_HOLDOUT))}"
                                         f" ({num(_mean(grp, DCR_RATIO))})",
            "gate": _gate_word(grp),
        })
    return md_table(pd.DataFrame(out))


def _gate_word(grp: pd.DataFrame) -> str:
    if "generative" in grp and not grp["generative"].astype(bool).any():
        return "n/a"
    gated = int(grp["gated"].astype(bool).sum()) if "gated" in grp else 0
    return f"FAILED in {gated}/{len(grp)}" if gated else "passed"


def _worst_checks(records: pd.DataFrame) -> str:
    """The expectations that failed most often, with rows they flagged: where to look in Data Docs."""
    exp = _rows(records, "family", EXPECTATION)
    failed = exp[_is(exp, False)]
    if failed.empty:
        return "No expectation failed." if not exp.empty else ""
    top = (failed.groupby("check").agg(sets=("check", "size"), rows_flagged=("unexpected", "sum"))
           .sort_values(["sets", "rows_flagged"], ascending=False).head(5))
    items = [f"`{c}` failed in {int(r.sets)} set(s), {int(r.rows_flagged)} rows flagged" for c, r in top.iterrows()]
    return "Most frequent failures: " + "; ".join(items) + "."


def _gate_block(cells: pd.DataFrame) -> str:
    if "gate_failures" not in cells:
        return ""
    failed = cells[cells["gate_failures"].fillna("").astype(str) != ""]
    if failed.empty:
        return "**Gate decisions:** no sampled set failed a configured gate."
    lines = ["**Gate decisions** (these sets are flagged and left out of recommendations):"]
    shown, more = capped(failed, 20, "`sets.parquet`")
    for _, row in shown.iterrows():
        where = ", ".join(f"{k} {row[k]}" for k in ("repeat", *SET_KEYS) if k in row)
        lines.append(f"- {row.get('generator', '?')} ({where}): {row['gate_failures']}")
    if more:
        lines.append(f"- {more}")
    return "\n".join(lines)


def _image_checks(records: pd.DataFrame) -> str:
    # the GX checks on the per-image summary table are expectations; the grid is an image record
    img = records[records["family"].isin([EXPECTATION, IMAGE])] if "family" in records else records.iloc[:0]
    if img.empty:
        return "*(no image checks were recorded)*"
    img = img.assign(observed=pd.to_numeric(img["observed"], errors="coerce"))
    tab = (img.assign(passed=_is(img, True), failed=_is(img, False))
           .groupby(["generator", "check"]).agg(sets=("check", "size"), passed=("passed", "sum"),
                                                 failed=("failed", "sum"), mean_value=("observed", "mean"))
           .reset_index())
    return md_table(tab)


def _is(records: pd.DataFrame, success: bool) -> pd.Series:
    """Mask of the records whose `success` is exactly `success` (None, not applicable, is neither)."""
    if "success" not in records:
        return pd.Series(False, index=records.index)
    return records["success"].eq(success).fillna(False).astype(bool)


def _sum(df: pd.DataFrame, col: str) -> int:
    return int(pd.to_numeric(df[col], errors="coerce").fillna(0).sum()) if col in df else 0


def _mean(df: pd.DataFrame, col: str) -> float:
    if col not in df:
        return float("nan")
    return float(pd.to_numeric(df[col], errors="coerce").mean())
