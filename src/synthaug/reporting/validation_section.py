"""Report section: validity, fidelity, privacy and gate decisions per generator, linked to Data Docs."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

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
    if "success" in records:  # parquet stores the True/False/None mix as text
        records = records.assign(success=records["success"].map(_as_bool))
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
    exp = _rows(records, "family", "expectation")
    keys = [k for k in SET_KEYS if k in cells]
    out = []
    for key, grp in cells.groupby(keys, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        sel = exp
        for k, val in zip(keys, key):
            sel = sel[sel[k] == val] if k in sel else sel
        out.append({
            **{k: f"{v:g}" if isinstance(v, float) else v for k, v in zip(keys, key)}, "sets": len(grp),
            "expectations passed/failed": f"{int((sel['success'] == True).sum())}/"  # noqa: E712
                                          f"{int((sel['success'] == False).sum())}",  # noqa: E712
            "rows in": _sum(grp, "rows_in"), "rows dropped": _sum(grp, "rows_dropped"),
            "validity": _mean(grp, "validity_rate"), "quality": _mean(grp, "quality_score"),
            "diagnostic": _mean(grp, "diagnostic_score"), "detection AUC": _mean(grp, "detection_auc"),
            "copy rate": _mean(grp, "copy_rate"),
            "DCR syn / holdout (ratio)": f"{_fmt(_mean(grp, 'dcr_synthetic'))} / {_fmt(_mean(grp, 'dcr_holdout'))}"
                                         f" ({_fmt(_mean(grp, 'dcr_ratio'))})",
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
    exp = _rows(records, "family", "expectation")
    failed = exp[exp["success"] == False] if "success" in exp else exp.iloc[:0]  # noqa: E712
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
    for _, row in failed.head(20).iterrows():
        where = ", ".join(f"{k} {row[k]}" for k in ("repeat", *SET_KEYS) if k in row)
        lines.append(f"- {row.get('generator', '?')} ({where}): {row['gate_failures']}")
    if len(failed) > 20:
        lines.append(f"- … and {len(failed) - 20} more (see `sets.parquet`).")
    return "\n".join(lines)


def _image_checks(records: pd.DataFrame) -> str:
    # the GX checks on the per-image summary table are expectations; the grid is an image record
    img = records[records["family"].isin(["expectation", "image"])] if "family" in records else records.iloc[:0]
    if img.empty:
        return "*(no image checks were recorded)*"
    img = img.assign(observed=pd.to_numeric(img["observed"], errors="coerce"))
    tab = (img.assign(passed=img["success"] == True, failed=img["success"] == False)  # noqa: E712
           .groupby(["generator", "check"]).agg(sets=("check", "size"), passed=("passed", "sum"),
                                                 failed=("failed", "sum"), mean_value=("observed", "mean"))
           .reset_index())
    return md_table(tab)


def _as_bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    return True if text == "true" else False if text == "false" else None


def _sum(df: pd.DataFrame, col: str) -> int:
    return int(pd.to_numeric(df[col], errors="coerce").fillna(0).sum()) if col in df else 0


def _mean(df: pd.DataFrame, col: str) -> float:
    if col not in df:
        return float("nan")
    return float(pd.to_numeric(df[col], errors="coerce").mean())


def _fmt(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:.3f}"


def md_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "*(no rows)*"
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_fmt(v) if isinstance(v, float) else str(v).replace("|", "/")
                                       for v in row) + " |")
    return "\n".join(lines)
