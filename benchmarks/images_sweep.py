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
the GPU machine's command.
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

BIG_SETS = ("shapes28", "shapes32rgb")
VAE_EMA, GAN_EMA = 0.995, 0.998  # half-lives of about 140 and 350 updates: VAE fits make ~2,000, GANs ~6,000
# name -> (generator, parameters); "steps_x" multiplies the shared derived number of updates (`steps`
# of `size_defaults`: 1,800 at 28 px; the GAN's default is 5× that above 16 px since the seventh pass, the
# grayscale VAE's 1.5× since the eighth), "latent_x" the shared `latent_dim` (16 at 28 px). A
# variant changes what it names on top of the defaults of the day: the GAN rows of the fourth pass and
# of round3 ran with the refine convs and the shared updates (each row records its `steps`).
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "vae_base": ("cvae", {}),
    "vae_steps1.3": ("cvae", {"steps_x": 1.3}),
    "vae_klwarm0.3": ("cvae", {"kl_warmup": 0.3}),
    "vae_freebits0.25": ("cvae", {"free_bits": 0.25}),
    "vae_beta1": ("cvae", {"beta": 1.0}),
    "vae_beta0.25": ("cvae", {"beta": 0.25}),
    "vae_aux2_warm0.25": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25}),
    "vae_auxwarm0.2": ("cvae", {"aux_warmup": 0.2}),
    "vae_adv2": ("cvae", {"latent_adversary": 2.0}),
    "vae_lr1e-3": ("cvae", {"lr": 1e-3}),
    "vae_latent_half": ("cvae", {"latent_x": 0.5}),
    "vae_steps1.3_klwarm0.3": ("cvae", {"steps_x": 1.3, "kl_warmup": 0.3}),
    "vae_steps1.3_beta1": ("cvae", {"steps_x": 1.3, "beta": 1.0}),
    "gan_base": ("cgan", {}),
    "gan_aux0.3": ("cgan", {"aux_weight": 0.3}),
    "gan_aux0.1": ("cgan", {"aux_weight": 0.1}),
    "gan_auxwarm0.5": ("cgan", {"aux_warmup": 0.5}),
    "gan_mbstd": ("cgan", {"minibatch_std": True}),
    "gan_mbstd_aux0.3": ("cgan", {"minibatch_std": True, "aux_weight": 0.3}),
    "gan_ac1_noaux": ("cgan", {"ac_weight": 1.0, "aux_weight": 0.0}),
    "gan_ac1_mbstd_noaux": ("cgan", {"ac_weight": 1.0, "aux_weight": 0.0, "minibatch_std": True}),
    "gan_ac1_mbstd_aux0.3": ("cgan", {"ac_weight": 1.0, "aux_weight": 0.3, "minibatch_std": True}),
    "gan_ac0.5_mbstd_aux0.1": ("cgan", {"ac_weight": 0.5, "aux_weight": 0.1, "minibatch_std": True}),
    "gan_steps1.3_mbstd_aux0.3": ("cgan", {"steps_x": 1.3, "minibatch_std": True, "aux_weight": 0.3}),
    "gan_ms0.2_aux0.3": ("cgan", {"mode_seeking": 0.2, "aux_weight": 0.3}),
    "gan_mbstd_auxwarm0.5": ("cgan", {"minibatch_std": True, "aux_warmup": 0.5}),
    # second round, after the first's results (benchmarks/results/images_sets.md, fourth pass)
    "vae_aux2_warm0.25_seed1": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25, "seed_plus": 1}),
    "vae_aux3_warm0.25": ("cvae", {"aux_weight": 3.0, "aux_warmup": 0.25}),
    "vae_aux2_warm0.25_latent_half": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25, "latent_x": 0.5}),
    "vae_aux2_warm0.25_steps1.3": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25, "steps_x": 1.3}),
    "vae_base_seed1": ("cvae", {"seed_plus": 1}),
    "gan_aux0.5": ("cgan", {"aux_weight": 0.5}),
    "gan_ac1_aux0.3": ("cgan", {"ac_weight": 1.0, "aux_weight": 0.3}),
    "gan_steps1.3_aux0.3": ("cgan", {"steps_x": 1.3, "aux_weight": 0.3}),
    # fifth pass: sharper VAE decodes (a perceptual term on the aux net's early features), a wider
    # VAE, and DiffAugment against the GAN critic's memorising of ~1,000 images
    "vae_perc2": ("cvae", {"perceptual": 2.0}),
    "vae_perc5": ("cvae", {"perceptual": 5.0}),
    "vae_base32": ("cvae", {"base_channels": 32}),
    "vae_perc2_base32": ("cvae", {"perceptual": 2.0, "base_channels": 32}),
    "gan_diffaug": ("cgan", {"diff_augment": True}),
    "gan_diffaug_base32": ("cgan", {"diff_augment": True, "base_channels": 32}),
    "gan_diffaug_aux0.3": ("cgan", {"diff_augment": True, "aux_weight": 0.3}),
    "vae_perc0.5": ("cvae", {"perceptual": 0.5}),
    "vae_perc1": ("cvae", {"perceptual": 1.0}),
    "vae_perc0.5_base32": ("cvae", {"perceptual": 0.5, "base_channels": 32}),
    "vae_perc5_base32": ("cvae", {"perceptual": 5.0, "base_channels": 32}),
    # CPU, after round4's probes found the GAN's refine convs collapse it (both at the shared updates)
    "gan_norefine": ("cgan", {"refine": False, "steps_x": 1.0}),
    "gan_diffaug_norefine": ("cgan", {"diff_augment": True, "refine": False, "steps_x": 1.0}),
    "gan_steps3": ("cgan", {"refine": False, "steps_x": 3.0}),  # now the default: is the gap training length?
    # sixth pass: every variant averages its sampler's weights (`ema`), and each fit is scored with both
    # the averaged and its last weights ("raw_" keys), so one fit gives the variant with and without EMA
    "vae_ema": ("cvae", {"ema": VAE_EMA}),
    "vae_aux2_half_ema": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25, "latent_x": 0.5, "ema": VAE_EMA}),
    "vae_nojit_ema": ("cvae", {"aux_jitter": 0.0, "ema": VAE_EMA}),
    "vae_steps2_ema": ("cvae", {"steps_x": 2.0, "ema": VAE_EMA}),
    "gan_ema": ("cgan", {"ema": GAN_EMA}),
    "gan_hinge_ema": ("cgan", {"loss": "hinge", "ema": GAN_EMA}),
    "gan_d2_ema": ("cgan", {"d_steps": 2, "ema": GAN_EMA}),
    "gan_critic32_ema": ("cgan", {"critic_channels": 32, "ema": GAN_EMA}),
    "gan_lr_half_ema": ("cgan", {"lr_g": 1e-4, "lr_d": 2e-4, "ema": GAN_EMA}),
    "gan_steps5_ema": ("cgan", {"refine": False, "steps_x": 5.0, "ema": GAN_EMA}),  # 5/3 of the default's
    "gan_hinge_critic32_ema": ("cgan", {"loss": "hinge", "critic_channels": 32, "ema": GAN_EMA}),
    "vae_aux2_half_nojit_ema": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25, "latent_x": 0.5,
                                         "aux_jitter": 0.0, "ema": VAE_EMA}),
    # seventh pass: the GAN without EMA at 5× the shared updates. Its learning rates are constant, so
    # the snapshot at 3/5 of a 5× fit has made the default's 5,400 / 6,000 updates (on another shuffle
    # stream: epochs are longer), and one fit gives 1×…5×; the wider critic likewise at 3× and 5×
    "gan_steps5": ("cgan", {"steps_x": 5.0}),
    "gan_critic32_steps5": ("cgan", {"critic_channels": 32, "steps_x": 5.0}),
    "vae_aux2_ema": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25, "ema": VAE_EMA}),
    # eighth pass: the VAE above 16 px, one channel-aware default from a grayscale option and a colour one.
    # Grayscale: the seventh pass's candidate (aux 2, warm-up 0.25, half latent, EMA) with a stronger aux
    # loss, longer training or twice the width; colour: the candidate's aux loss with the full latent
    # (half narrowed RGB samples), longer training of the defaults, or both. `vae_base` is the control.
    "vae_aux3_half_ema": ("cvae", {"aux_weight": 3.0, "aux_warmup": 0.25, "latent_x": 0.5, "ema": VAE_EMA}),
    "vae_aux4_half_ema": ("cvae", {"aux_weight": 4.0, "aux_warmup": 0.25, "latent_x": 0.5, "ema": VAE_EMA}),
    "vae_aux2_half_ema_steps1.5": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25, "latent_x": 0.5,
                                            "ema": VAE_EMA, "steps_x": 1.5}),
    "vae_aux2_half_ema_base32": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25, "latent_x": 0.5,
                                          "ema": VAE_EMA, "base_channels": 32}),
    "vae_steps1.5": ("cvae", {"steps_x": 1.5}),  # on colour images `ema` is derived (0.995)
    "vae_aux2_ema_steps1.5": ("cvae", {"aux_weight": 2.0, "aux_warmup": 0.25, "ema": VAE_EMA, "steps_x": 1.5}),
    # ninth pass: the GAN default trained longer. `steps_x` sets `steps` outright, which overrides the
    # derived `gan_steps` (5× the shared count), so 10 is twice the default (18,000 updates at 28 px)
    # and 8 is 1.6× (16,020 at 32 px RGB: 60 epochs of 267); the critic is the default's (width 2)
    "gan_len2": ("cgan", {"steps_x": 10.0}),
    "gan_len1.6": ("cgan", {"steps_x": 8.0}),
    # tenth pass: the VAE's diversity at <= 16 px (digits 0.56 against the 0.6 bound). Each changes one knob
    # of the <= 16 px defaults (latent 16, 1,000 updates, aux 1.0 from the start, no EMA, beta 0.5); with
    # `--temperatures 1.0 1.2 1.5` every fit is also scored at a wider prior (a sampler-only change).
    # `vae_ema` and `vae_beta0.25` above are reused
    "vae_latent2": ("cvae", {"latent_x": 2.0}),  # latent_dim 32
    "vae_freebits0.5": ("cvae", {"free_bits": 0.5}),
    "vae_steps0.6": ("cvae", {"steps_x": 0.6}),  # 600 updates
    "vae_aux0.5": ("cvae", {"aux_weight": 0.5}),
}
_BOTH = [("shapes28", 1.0), ("shapes32rgb", 1.0)]
# (variant, set, fraction[, seed offset[, snapshots]]) lists, in priority order (a pool runs jobs in
# submission order)
PLANS: dict[str, list[tuple[Any, ...]]] = {
    "round2": [
        ("vae_aux2_warm0.25", "shapes28", 0.1), ("vae_aux2_warm0.25", "shapes32rgb", 0.1),
        ("gan_aux0.3", "shapes32rgb", 1.0),
        *[(v, s, f) for v in ("gan_mbstd_aux0.3", "gan_ac1_mbstd_aux0.3", "vae_aux2_warm0.25_seed1",
                              "gan_aux0.5", "vae_aux3_warm0.25", "gan_ac1_mbstd_noaux", "gan_ac1_aux0.3",
                              "vae_aux2_warm0.25_latent_half", "gan_ac0.5_mbstd_aux0.1",
                              "vae_aux2_warm0.25_steps1.3", "gan_steps1.3_aux0.3") for s, f in _BOTH],
    ],
}
# fifth pass: every job on three generator seeds, seed by seed, so a stopped run holds whole seeds
_ROUND3 = ("vae_perc2", "gan_diffaug", "vae_base", "vae_perc5", "gan_diffaug_base32", "vae_base32",
           "vae_perc2_base32", "gan_diffaug_aux0.3")
PLANS["round3"] = [(v, s, 1.0) for v in _ROUND3 for s, _ in _BOTH]
# after round3: a weaker perceptual term on grayscale, third seeds on RGB (entries name their seed)
PLANS["round4"] = [*[("vae_perc0.5", "shapes28", 1.0, k) for k in range(3)],
                   *[(v, "shapes28", 1.0, k) for v in ("vae_perc1", "vae_perc0.5_base32") for k in range(2)],
                   *[(v, "shapes32rgb", 1.0, 2) for v in ("vae_base", "vae_base32", "vae_perc2_base32", "vae_perc5")],
                   *[("vae_perc5_base32", "shapes32rgb", 1.0, k) for k in range(2)]]
# CPU, after the refine finding: the new GAN default on more generator seeds
PLANS["gan_seeds"] = [("gan_norefine", s, 1.0, k) for k in (1, 2) for s in ("shapes32rgb", "shapes28")]
PLANS["gan_steps3_seed1"] = [("gan_steps3", s, 1.0, 1) for s in ("shapes32rgb", "shapes28")]
# sixth pass: seeds 0 and 1 of every idea first (GAN fits, three times as long, before VAE fits), then seed 2,
# then longer training and two combinations; a run stopped at its limit keeps whole fits of the first jobs
_R6 = ("gan_ema", "vae_ema", "gan_hinge_ema", "vae_aux2_half_ema", "gan_d2_ema", "vae_nojit_ema",
       "gan_critic32_ema", "gan_lr_half_ema")
PLANS["round6"] = [*[(v, s, 1.0, k) for k in (0, 1) for v in _R6 for s, _ in _BOTH],
                   *[(v, s, 1.0, 2) for v in _R6 for s, _ in _BOTH],
                   *[("gan_steps5_ema", s, 1.0, k) for k in (0, 1) for s, _ in _BOTH],
                   *[(v, s, 1.0, k) for k in range(3) for v in ("vae_steps2_ema", "gan_hinge_critic32_ema",
                                                                "vae_aux2_half_nojit_ema") for s, _ in _BOTH]]
# seventh pass: the GAN's length and wider critic on three seeds of both sets (and one 28 px strokes fit),
# started first as the longest jobs; then the grayscale VAE candidate (aux 2 + half latent + EMA, scored
# also without EMA) beside the defaults (`vae_ema`'s last weights) on a second grayscale set, `strokes28`,
# and on more shapes28 seeds, then at 10%, then filler
_GRAY = ("shapes28", "strokes28")
PLANS["round7"] = [*[(v, s, 1.0, k) for k in range(3) for s, _ in _BOTH for v in ("gan_steps5", "gan_critic32_steps5")],
                   ("gan_steps5", "strokes28", 1.0, 0),
                   *[(v, "strokes28", 1.0, k) for k in range(3) for v in ("vae_ema", "vae_aux2_half_ema")],
                   *[(v, "shapes28", 1.0, k) for k in (3, 4) for v in ("vae_ema", "vae_aux2_half_ema")],
                   *[(v, s, 0.1, 0) for s in _GRAY for v in ("vae_ema", "vae_aux2_half_ema")],
                   *[(v, "strokes28", 1.0, k) for k in (3, 4) for v in ("vae_ema", "vae_aux2_half_ema")],
                   *[("vae_aux2_ema", s, 1.0, k) for k in range(3) for s in _GRAY]]
# eighth pass (the VAE only): every grayscale option on shapes28 and every colour option on shapes32rgb,
# seeds 0-2, longest jobs first within a seed; then the grayscale options on strokes28 (seeds 0-1), at 10%
# of shapes28 (seed 0), and a fourth seed of every option last (a run stopped at its limit loses those)
_R8_GRAY = ("vae_aux2_half_ema_steps1.5", "vae_aux2_half_ema_base32", "vae_base", "vae_aux2_half_ema",
            "vae_aux3_half_ema", "vae_aux4_half_ema")
_R8_RGB = ("vae_steps1.5", "vae_aux2_ema_steps1.5", "vae_base", "vae_aux2_ema")
PLANS["round8"] = [*[e for k in range(3) for e in [*[("vae_steps1.5", "shapes32rgb", 1.0, k),
                                                      ("vae_aux2_ema_steps1.5", "shapes32rgb", 1.0, k)],
                                                    *[(v, "shapes28", 1.0, k) for v in _R8_GRAY],
                                                    *[(v, "shapes32rgb", 1.0, k) for v in _R8_RGB[2:]]]],
                   *[(v, "strokes28", 1.0, k) for k in range(2) for v in _R8_GRAY],
                   *[(v, "shapes28", 0.1, 0) for v in _R8_GRAY],
                   *[(v, "shapes28", 1.0, 3) for v in _R8_GRAY],
                   *[(v, "shapes32rgb", 1.0, 3) for v in _R8_RGB]]
# ninth pass (the GAN only): the default trained 2× as long on shapes28 and 1.6× on shapes32rgb, three
# generator seeds, RGB first (the longer fits). A fifth entry sets the job's snapshot count: k/10 of a 2×
# fit at 28 px is k× the shared updates (1,800 each); k/8 of the RGB fit is ~k× (2,000; epochs of 267 land
# at 1.07×, 2×, 2.94×, 4×, 5.07×, 6×, 6.94×)
PLANS["round9"] = [*[("gan_len1.6", "shapes32rgb", 1.0, k, 8) for k in range(3)],
                   *[("gan_len2", "shapes28", 1.0, k, 10) for k in range(3)]]
# tenth pass (the VAE at <= 16 px): the control and six one-knob options on digits (8x8) and strokes16, three
# generator seeds, seed by seed (a run stopped at its limit keeps whole seeds); then five at 10% of digits
_R10 = ("vae_base", "vae_latent2", "vae_ema", "vae_freebits0.5", "vae_steps0.6", "vae_beta0.25", "vae_aux0.5")
_SMALL = ("digits", "strokes16")
PLANS["round10"] = [*[(v, s, 1.0, k) for k in range(3) for s in _SMALL for v in _R10],
                    *[(v, "digits", 0.1, 0) for v in ("vae_base", "vae_latent2", "vae_beta0.25", "vae_freebits0.5",
                                                      "vae_aux0.5")]]
# eleventh pass: the grayscale VAE default on 28 px shapes over eight more generator seeds (4-11), to pin its
# mean agreement (four seeds read 0.82 [0.78-0.90] in the eighth pass)
PLANS["round11"] = [("vae_base", "shapes28", 1.0, k) for k in range(4, 12)]
# a local check of the device script (with --smoke: seconds per job on the CPU)
PLANS["round7_smoke"] = [("gan_critic32_steps5", "shapes28", 1.0, 0), ("vae_aux2_half_ema", "strokes28", 0.1, 0)]
PLANS["round9_smoke"] = [("gan_len1.6", "shapes32rgb", 1.0, 0, 8)]
PLANS["round10_smoke"] = [("vae_ema", "digits", 1.0, 0), ("vae_latent2", "strokes16", 0.1, 0)]
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
