"""Parallel sweep of image-generator variants (issue 12, fourth to tenth passes; above 16 px until the tenth).

Why a separate script: `images_bench.py` runs the *defaults*, one fit at a time, with the full
validation (Great Expectations included). Choosing the defaults needs many fits of variants, so this
one runs them in parallel worker processes (on a GPU when there is one) and scores each with the same
evaluation as the benchmark: the runner's split (`images_bench.split`), one sample per training image
with the training class mix, the validation reference CNN (`image_fidelity`: agreement, Fréchet
distance beside the real↔real reference, diversity ratio). A variant changes hyperparameters only;
updates and architecture are those a CPU fit with the same parameters would use, so the quality carries
over (the numbers differ from a CPU run's by the random streams, not by the recipe).

Usage (from the repo root):
    python benchmarks/images_sweep.py --workers 12 --out data/bench/sweep.jsonl
    python benchmarks/images_sweep.py --smoke --workers 1 --variants vae_base gan_base   # seconds, CPU
Each finished fit is one JSON line in `--out` (and a summary on stdout), so a run stopped early keeps its
rows. Sixth pass: a fit whose variant sets `ema` is scored with its averaged and its last weights ("raw_"
keys), GAN fits also part-way (`--snapshots`), and `--cpu-workers` runs chosen generator:set pairs in a
CPU pool beside the GPU one; `images_sweep_summary.py` tabulates the rows, `images_sweep_device.sh` is
the GPU machine's command; the variants and per-pass job lists live in `images_sweep_plans.py`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from images_sweep_plans import BIG_SETS, PLANS, VARIANTS  # noqa: E402 - after the path insert

TEMPERATURES = (1.0, 0.7)  # the VAE's prior temperature at sampling: free to vary on one fit


def resolve_params(gen_name: str, params: dict[str, Any], shape: tuple[int, ...], n: int,
                   smoke: bool) -> dict[str, Any]:
    """Turn the multipliers (`steps_x`, `latent_x`) into the parameters a CPU config would set."""
    from synthaug.generators.image_base import size_defaults

    derived = size_defaults(shape, n)
    out = {k: v for k, v in params.items() if k not in ("steps_x", "latent_x", "seed_plus")}
    if "steps_x" in params:
        out["steps"] = int(round(derived["steps"] * params["steps_x"], -2))
    if "latent_x" in params:
        out["latent_dim"] = max(2, int(derived["latent_dim"] * params["latent_x"]))
    if smoke:
        out.update({"steps": 20, "aux_steps": 10, "check_steps": 10})
    return out


def fidelity(train: Any, test: Any, X: np.ndarray, y: np.ndarray, seed: int) -> dict[str, float]:
    """The validation step's image fidelity metrics on raw samples (nothing filtered)."""
    from synthaug.config import ValidationConfig
    from synthaug.data.dataset import Dataset
    from synthaug.validation.image_fidelity import image_fidelity, reference_cnn, same_label

    synth = Dataset(name="synthetic", kind="images", X=X, y=y, target=train.target, meta=train.meta)
    metrics: dict[str, float] = {}
    image_fidelity(train, synth, test, ValidationConfig(policy="warn"), seed + 101, metrics)
    pred = reference_cnn(train, seed + 101).predict(X)
    ok = same_label(pred, y)
    keep = ("agreement", "cnn_test_accuracy", "frechet", "frechet_real_reference", "diversity_ratio")
    out = {k: round(float(metrics[k]), 4) for k in keep}
    out["frechet_x_ref"] = round(out["frechet"] / out["frechet_real_reference"], 2)
    out["per_class"] = {str(c): round(float(ok[y == c].mean()), 2) for c in np.unique(y)}
    return out


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """One fit of one variant on one (set, fraction), scored with its sampler (the averaged weights when
    the variant sets `ema`) and, for `ema` fits, again with the last weights ("raw_" keys); the VAE at
    every temperature in `job["temperatures"]`. GAN fits also score both at `job["snapshots"]` points
    of their training (rows of kind "snapshot", appended to `job["out"]` as they are taken)."""
    import torch
    from images_bench import load_set, split

    from synthaug.generators import class_counts_for, make_generator
    from synthaug.validation.image_fidelity import reference_cnn

    torch.set_num_threads(1)
    started = time.time()
    gen_name, params = VARIANTS[job["variant"]]
    train, test = split(load_set(job["set"]), job["fraction"], job["seed"])
    reference_cnn(train, job["seed"] + 101)  # trained before the fit: a snapshot mid-fit draws no random numbers
    hp = resolve_params(gen_name, params, train.X.shape[1:], len(train), job["smoke"])
    seed_plus = job.get("seed_plus", params.get("seed_plus", 0))
    gen = make_generator(gen_name, {**hp, "device": job["device"]}, job["seed"] + seed_plus)
    counts = class_counts_for("match", len(train), train.class_counts())

    def score(temp: float | None) -> dict[str, float]:
        if temp is not None:
            gen.hp_["temperature"] = temp  # read at sampling time from the resolved hyperparameters
        X, y = gen._sample(counts, job["seed"])
        return fidelity(train, test, X, np.asarray(y), job["seed"])

    if gen_name == "cgan" and job.get("snapshots", 0) > 1:
        gen.on_epoch = _snapshot_hook(gen, job, score, started)
    t0 = time.perf_counter()
    gen.fit(train.X, train.y)
    row = {**job, "kind": "fit", "generator": gen_name, "params": hp, "fit_s": round(time.perf_counter() - t0, 1),
           "steps": getattr(gen, "_step", None) or gen.hp_.get("steps"), "check_agreement": gen.agreement_,
           "aux_agreement": gen.aux_agreement_, "check_accuracy": gen.check_accuracy_,
           "device_name": str(gen.device_)}
    temps = job.get("temperatures", TEMPERATURES) if gen_name == "cvae" else (None,)
    for prefix in ("", "raw_") if gen.ema_ is not None else ("",):
        if prefix:
            gen.ema_.swap(gen)  # the last training weights back in place
        for temp in temps:
            row[prefix + (f"t{temp}" if temp is not None else "g")] = score(temp)
    row["job_s"] = round(time.time() - started, 1)
    return row


def _snapshot_hook(gen: Any, job: dict[str, Any], score: Any, started: float) -> Any:
    """An `on_epoch` hook scoring the GAN's live and averaged weights at k/`snapshots` of its epochs.
    Nothing in it draws from the global random streams, so the fit goes on exactly as without it."""
    def hook(epoch: int, epochs: int, losses: dict[str, float]) -> None:
        points = {round(epochs * k / job["snapshots"]) for k in range(1, job["snapshots"])}
        if epoch not in points or epoch == epochs:
            return
        row = {**{k: v for k, v in job.items() if k != "out"}, "kind": "snapshot", "epoch": epoch,
               "epochs": epochs, "steps_done": gen._step, "g": score(None)}
        if gen.ema_ is not None:
            gen.ema_.swap(gen)
            row["ema_g"] = score(None)
            gen.ema_.swap(gen)  # the live weights back before the next update
        row["job_s"] = round(time.time() - started, 1)
        _append(Path(job["out"]), row)

    return hook


def _append(path: Path, row: dict[str, Any]) -> None:
    """One JSON line in one write to a file opened for appending: whole lines from concurrent workers."""
    data = (json.dumps(row, default=_plain) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def jobs_for(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Fraction 1.0 of every variant first (what the targets need most), then 0.1 for the VAE."""
    base = {"seed": args.seed, "device": args.device, "smoke": args.smoke, "out": str(args.out),
            "temperatures": tuple(args.temperatures), "snapshots": args.snapshots}
    if args.plan:
        return [{**base, "set": e[1], "fraction": e[2], "variant": e[0], "seed_plus": e[3] if len(e) > 3 else k,
                 **({"snapshots": e[4]} if len(e) > 4 else {})}
                for k in range(args.seeds) for e in PLANS[args.plan]]
    jobs = []
    for fraction in args.fractions:
        for variant in args.variants:
            if VARIANTS[variant][0] == "cgan" and fraction < 1.0:
                continue
            jobs += [{**base, "set": s, "fraction": fraction, "variant": variant} for s in args.sets]
    return jobs


def summarize(paths: list[Path]) -> str:
    """Markdown table of sweep rows (agreement / diversity / Fréchet × reference at temperature 1.0)."""
    rows = [json.loads(line) for path in paths for line in path.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r.get("kind", "fit") == "fit"]  # snapshots: `images_sweep_summary.py`
    lines = ["| variant | set | fraction | seed+ | agreement | diversity | Fréchet × ref | check / aux agreement "
             "| fit s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["variant"][:3], r["fraction"], r["set"], r["variant"],
                                         r.get("seed_plus", 0))):
        if "error" in r:
            lines.append(f"| {r['variant']} | {r['set']} | {r['fraction']:g} | | error: {r['error']} |||||")
            continue
        m = r.get("t1.0") or r["g"]
        lines.append(f"| {r['variant']} | {r['set']} | {r['fraction']:g} | {r.get('seed_plus', 0)} | "
                     f"{m['agreement']:.3f} | "
                     f"{m['diversity_ratio']:.2f} | {m['frechet_x_ref']:.1f} | {r['check_agreement']:.2f} / "
                     f"{r['aux_agreement']:.2f} | {r['fit_s']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=list(BIG_SETS))
    ap.add_argument("--fractions", type=float, nargs="+", default=[1.0, 0.1])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--plan", choices=list(PLANS), default=None, help="an explicit job list instead of the grid")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--cpu-workers", type=int, default=0, help="a second pool on the CPU for the --cpu-route jobs")
    ap.add_argument("--cpu-route", nargs="+", default=["cvae:shapes28"], help="generator:set pairs it takes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", type=int, default=1, help="with --plan: generator seeds per job (seed + 0..k-1)")
    ap.add_argument("--temperatures", type=float, nargs="+", default=list(TEMPERATURES), help="VAE prior scales")
    ap.add_argument("--snapshots", type=int, default=0, help="GAN: also score at k/N of the training, k < N")
    ap.add_argument("--smoke", action="store_true", help="20 updates per fit: checks the script, not the models")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "bench" / "images_sweep.jsonl")
    ap.add_argument("--summarize", type=Path, nargs="+", default=None, help="print a table of these JSONL files")
    args = ap.parse_args()
    if args.summarize:
        print(summarize(args.summarize))
        return
    from images_bench import load_set

    jobs = jobs_for(args)
    for name in sorted({job["set"] for job in jobs}):  # build the folders once, before the workers race
        load_set(name)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    on_cpu = [j for j in jobs if args.cpu_workers and f"{VARIANTS[j['variant']][0]}:{j['set']}" in args.cpu_route]
    pools = [ProcessPoolExecutor(args.workers, mp_context=get_context("spawn"))]
    if on_cpu:
        pools.append(ProcessPoolExecutor(args.cpu_workers, mp_context=get_context("spawn")))
    futures = {(pools[1] if job in on_cpu else pools[0]).submit(
        run_job, {**job, "device": "cpu"} if job in on_cpu else job): job for job in jobs}
    for fut in as_completed(futures):
        try:
            row = fut.result()
        except Exception as exc:  # noqa: BLE001 - one broken variant must not lose the others' rows
            row = {**futures[fut], "kind": "fit", "error": repr(exc)}
        _append(args.out, row)
        m = row.get("t1.0") or row.get("g") or {}
        print(f"{row['variant']} {row['set']} seed+{row.get('seed_plus', 0)} {row.get('device_name', '')}: "
              f"agreement {m.get('agreement')} (raw {(row.get('raw_t1.0') or row.get('raw_g') or {}).get('agreement')})"
              f" job {row.get('job_s')} s {row.get('error', '')}", flush=True)
    for pool in pools:
        pool.shutdown()


def _plain(v: Any) -> Any:
    """JSON for numpy scalars and NaN-safe floats."""
    if isinstance(v, np.generic):
        v = v.item()
    return None if isinstance(v, float) and math.isnan(v) else v


if __name__ == "__main__":
    main()
