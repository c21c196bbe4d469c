"""What `images_sweep.py` can run: the variants (a generator and the hyperparameters it changes) and the
explicit job lists of each pass (`--plan`), kept apart from the runner so that a pass adds its rows here
without touching how fits are run and scored.

A plan entry is (variant, set, fraction, generator seed offset[, GAN snapshots]).
"""

from __future__ import annotations

from typing import Any

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
