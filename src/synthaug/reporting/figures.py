"""Figures of the report (matplotlib, Agg backend: runs headless, in threads and in worker processes).

Every figure shows uncertainty where there is any: gains carry their 95% interval, so a reader
never sees a bare mean that looks like a finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthaug.reporting.figure_cache import reused
from synthaug.reporting.markdown import ci_text, signed


def load_pyplot() -> Any:
    """`matplotlib.pyplot` on the Agg backend (headless, in threads and worker processes)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    return matplotlib.pyplot


class _Pyplot:
    """`matplotlib.pyplot`, imported on first use: a re-run whose figures all come from the figure cache
    draws nothing and so skips the import (about 0.5 s of CPU beside the flow's start)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(load_pyplot(), name)


plt = _Pyplot()

_MARKS = {"helps": "▲", "hurts": "▼"}


def _save(fig: plt.Figure, path: Path) -> Path:
    """`tight_layout`, not `bbox_inches="tight"`: the latter draws every figure twice (once only to
    measure it), the larger part of a cached re-run's report time. Legends sit inside their axes and
    the colour bar is an axes of its own, so the layout keeps every label in the frame."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


@reused
def gain_heatmap(summary: pd.DataFrame, path: Path, title: str) -> Path:
    """Generator × classifier grid of mean gain, each cell annotated with its 95% CI and verdict mark.

    Colour is symmetric around zero so "helps" and "hurts" weigh the same to the eye.
    """
    # dropna=False: a generator whose repeats failed (all NaN) still gets its row of "n/a" cells
    mean = summary.pivot_table(index="generator", columns="classifier", values="gain_mean", aggfunc="first",
                               dropna=False)
    lo = summary.pivot_table(index="generator", columns="classifier", values="ci_low", aggfunc="first",
                             dropna=False).reindex_like(mean)
    hi = summary.pivot_table(index="generator", columns="classifier", values="ci_high", aggfunc="first",
                             dropna=False).reindex_like(mean)
    ver = summary.pivot(index="generator", columns="classifier", values="verdict").reindex_like(mean)
    vmax = float(np.nanmax(np.abs(mean.to_numpy()))) if np.isfinite(mean.to_numpy()).any() else 0.01
    vmax = max(vmax, 1e-3)
    fig, ax = plt.subplots(figsize=(1.6 + 1.5 * mean.shape[1], 0.9 + 0.7 * mean.shape[0]))
    im = ax.imshow(mean.to_numpy(dtype=float), cmap="RdBu", vmin=-vmax, vmax=vmax, aspect="auto")
    for i, g in enumerate(mean.index):
        for j, c in enumerate(mean.columns):
            m = mean.loc[g, c]
            if pd.isna(m):
                text = "n/a"
            else:
                ci = "" if pd.isna(lo.loc[g, c]) else "\n" + ci_text(lo.loc[g, c], hi.loc[g, c])
                text = f"{signed(m)}{_MARKS.get(str(ver.loc[g, c]), '')}{ci}"
            dark = not pd.isna(m) and abs(m) > 0.6 * vmax  # white text on the saturated cells
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black")
    ax.set_xticks(range(mean.shape[1]), mean.columns, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(mean.shape[0]), mean.index, fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, label="gain (augmented − real only)")
    return _save(fig, path)


@reused
def learning_curves(summary: pd.DataFrame, path: Path, metric: str) -> Path:
    """One panel per classifier: gain vs train fraction per generator, with 95% CI bands, zero line drawn."""
    summary = summary[summary["gain_mean"].notna()]
    classifiers = sorted(summary["classifier"].unique())
    cols = min(3, len(classifiers))
    rows = int(np.ceil(len(classifiers) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False, sharey=True)
    for ax, clf in zip(axes.flat, classifiers):
        sub = summary[summary["classifier"] == clf]
        for gen, g in sub.groupby("generator"):
            g = g.sort_values("fraction")
            ax.plot(g["fraction"], g["gain_mean"], marker="o", label=str(gen))
            ax.fill_between(g["fraction"], g["ci_low"].astype(float), g["ci_high"].astype(float), alpha=0.15)
        ax.axhline(0.0, color="black", lw=0.8)
        if len(sub):
            ax.set_xscale("log")
        ax.set_title(clf, fontsize=9)
        ax.set_xlabel("train fraction")
    for ax in axes.flat[len(classifiers):]:
        ax.set_visible(False)
    axes[0, 0].set_ylabel(f"gain in {metric}")
    axes[0, 0].legend(fontsize=7)
    return _save(fig, path)


@reused
def family_curves(baseline: pd.DataFrame, path: Path, metric: str) -> Path:
    """Real-only score vs train fraction per classifier; generative models (P(X|Y)) dashed.

    The Ng & Jordan picture: generative classifiers tend to reach their (lower) asymptote with fewer
    rows, discriminative ones overtake as data grows.
    """
    fig, ax = plt.subplots(figsize=(6.5, 4.0))
    for (clf, fam), g in baseline.groupby(["classifier", "family"]):
        g = g.sort_values("fraction")
        ax.errorbar(g["fraction"], g["mean"], yerr=g["sd"].fillna(0.0), marker="o", capsize=2,
                    linestyle="--" if fam == "generative" else "-", label=f"{clf} ({fam[:3]}.)")
    ax.set_xscale("log")
    ax.set_xlabel("train fraction")
    ax.set_ylabel(f"real-only {metric} (mean ± sd over repeats)")
    ax.legend(fontsize=7, ncol=2)
    return _save(fig, path)


@reused
def distributions(real: pd.DataFrame, synthetic: dict[str, pd.DataFrame], columns: list[str],
                  kinds: dict[str, str], path: Path) -> Path:
    """Real vs each generator's synthetic rows, one panel per column: histograms or category shares."""
    fig, axes = plt.subplots(1, len(columns), figsize=(4.0 * len(columns), 3.0), squeeze=False)
    for ax, col in zip(axes.flat, columns):
        sets = {"real": real, **synthetic}
        if kinds.get(col) == "numeric":
            vals = pd.to_numeric(real[col], errors="coerce").dropna()
            bins = np.histogram_bin_edges(vals, bins=20) if len(vals) else 10
            for name, df in sets.items():
                x = pd.to_numeric(df[col], errors="coerce").dropna()
                ax.hist(x, bins=bins, density=True, histtype="step", lw=1.5 if name == "real" else 1.0, label=name)
        else:
            top = real[col].astype(str).value_counts().index[:8]
            width = 0.8 / len(sets)
            for k, (name, df) in enumerate(sets.items()):
                share = df[col].astype(str).value_counts(normalize=True).reindex(top).fillna(0.0)
                ax.bar(np.arange(len(top)) + k * width, share.to_numpy(), width=width, label=name)
            ax.set_xticks(np.arange(len(top)) + 0.4 - width / 2, [t[:12] for t in top], rotation=40,
                          ha="right", fontsize=7)
        ax.set_title(col, fontsize=9)
    axes[0, 0].legend(fontsize=7)
    return _save(fig, path)
