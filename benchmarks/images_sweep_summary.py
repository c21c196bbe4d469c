"""Tables of the sixth to tenth passes' sweep rows (`images_sweep.py --plan round6` / `round7`):
mean [min–max] over generator seeds per variant and set (and fraction where not 1), with the averaged
(EMA) and the last ("raw") weights of each fit side by side, and the GAN's snapshots part-way through
training.

Why apart from `images_sweep.summarize`: that one lists fits one per line; choosing a default needs the
spread over seeds, and an EMA fit holds two samplers.

Usage: python benchmarks/images_sweep_summary.py data/bench/images_sweep_round7.jsonl
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

METRICS = (("agreement", "{:.2f}"), ("diversity_ratio", "{:.2f}"), ("frechet_x_ref", "{:.0f}×"))


def spread(values: list[float], fmt: str) -> str:
    """'mean [min–max] (n)', or the single value."""
    if not values:
        return "–"
    mean = sum(values) / len(values)
    if len(values) == 1:
        return fmt.format(mean) + " (1)"
    return f"{fmt.format(mean)} [{fmt.format(min(values))}–{fmt.format(max(values))}] ({len(values)})"


def cell(scores: list[dict[str, Any]], metrics: tuple[tuple[str, str], ...] = METRICS) -> str:
    """Agreement / diversity / Fréchet × reference of one sampler over seeds."""
    return " / ".join(spread([s[k] for s in scores if s.get(k) is not None], fmt) for k, fmt in metrics)


def set_label(r: dict[str, Any]) -> str:
    """The set, with the training fraction where it is not 1."""
    frac = float(r.get("fraction", 1.0))
    return r["set"] if frac == 1.0 else f"{r['set']} ({frac:g})"


def fit_table(rows: list[dict[str, Any]]) -> str:
    """One line per variant: per set, the raw weights and the averaged ones, mean [min–max] over seeds."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("kind", "fit") == "fit" and "error" not in r:
            groups[(r["variant"], set_label(r))].append(r)
    sets = sorted({s for _, s in groups})
    head = "| variant | weights | " + " | ".join(f"{s}: agreement / diversity / Fréchet" for s in sets) + " |"
    lines = [head, "|---|---|" + "---|" * len(sets)]
    for variant in sorted({v for v, _ in groups}):
        for label, prefix in (("last", "raw_"), ("EMA", "")):
            cells = []
            for s in sets:
                fits = groups.get((variant, s), [])
                key = "t1.0" if fits and "t1.0" in fits[0] else "g"
                scores = [f.get(prefix + key) for f in fits if f.get(prefix + key)]
                if prefix == "raw_" and not scores:  # a fit without EMA: its own weights are the last ones
                    scores = [f.get(key) for f in fits if f.get(key) and not f.get("raw_" + key)]
                elif not prefix:  # averaged weights exist only where the fit also holds its last ones
                    scores = [f.get(key) for f in fits if f.get(key) and f.get("raw_" + key)]
                cells.append(cell(scores))
            if prefix or any(c != cell([]) for c in cells):  # no EMA row for variants without EMA
                lines.append(f"| {variant} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def temperature_table(rows: list[dict[str, Any]]) -> str:
    """VAE fits scored at several prior temperatures (tenth pass): one line per variant, set and weights,
    one column per temperature; Fréchet with a decimal (it is small at <= 16 px). Empty with one temperature."""
    fits = [r for r in rows if r.get("kind", "fit") == "fit" and "error" not in r and r.get("generator") == "cvae"]
    temps = sorted({k for r in fits for k in r if k.startswith("t") and k[1:].replace(".", "", 1).isdigit()},
                   key=lambda k: float(k[1:]))
    if len(temps) < 2:
        return ""
    fine = (("agreement", "{:.2f}"), ("diversity_ratio", "{:.2f}"), ("frechet_x_ref", "{:.1f}×"))
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in fits:
        groups[(set_label(r), r["variant"])].append(r)
    lines = ["| set | variant | weights | " + " | ".join(f"T {k[1:]}: agreement / diversity / Fréchet" for k in temps)
             + " |", "|---|---|---|" + "---|" * len(temps)]
    for (s, variant), rs in sorted(groups.items()):
        for label, prefix in (("sampler", ""), ("last", "raw_")):
            if prefix and not any(prefix + temps[0] in r for r in rs):
                continue
            cells = [cell([r[prefix + k] for r in rs if r.get(prefix + k)], fine) for k in temps]
            lines.append(f"| {s} | {variant} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def snapshot_table(rows: list[dict[str, Any]]) -> str:
    """GAN agreement / diversity / Fréchet part-way (snapshots) and at the end, last and averaged weights."""
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("kind") == "snapshot":
            groups[(r["variant"], r["set"], r["steps_done"])].append(r)
        elif r.get("generator") == "cgan" and "error" not in r:
            groups[(r["variant"], r["set"], r["steps"])].append(
                {"g": r["raw_g"], "ema_g": r["g"]} if "raw_g" in r else {"g": r["g"]})
    lines = ["| variant | set | updates | last weights | EMA |", "|---|---|---|---|---|"]
    for (variant, s, steps), rs in sorted(groups.items()):
        lines.append(f"| {variant} | {s} | {steps:,} | {cell([r['g'] for r in rs])} | "
                     f"{cell([r['ema_g'] for r in rs if 'ema_g' in r])} |")
    return "\n".join(lines)


def per_fit(rows: list[dict[str, Any]]) -> str:
    """Every fit: seed, agreement of the last and averaged weights, fit and job seconds."""
    lines = ["| variant | set | seed+ | device | agreement last → EMA | Fréchet last → EMA | fit s | job s |",
             "|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["variant"], set_label(r), r.get("seed_plus", 0))):
        if r.get("kind", "fit") != "fit":
            continue
        if "error" in r:
            lines.append(f"| {r['variant']} | {set_label(r)} | {r.get('seed_plus', 0)} | | error: {r['error']} | | | |")
            continue
        key = "t1.0" if "t1.0" in r else "g"
        last, ema = r.get("raw_" + key, r[key]), r[key]
        lines.append(f"| {r['variant']} | {set_label(r)} | {r.get('seed_plus', 0)} | {r.get('device_name', '')} | "
                     f"{last['agreement']:.3f} → {ema['agreement']:.3f} | {last['frechet_x_ref']:.0f}× → "
                     f"{ema['frechet_x_ref']:.0f}× | {r['fit_s']:.0f} | {r.get('job_s', '')} |")
    return "\n".join(lines)


def main() -> None:
    rows = [json.loads(line) for p in sys.argv[1:] for line in Path(p).read_text().splitlines() if line.strip()]
    print(temperature_table(rows), "", fit_table(rows), "", snapshot_table(rows), "", per_fit(rows), sep="\n")


if __name__ == "__main__":
    main()
