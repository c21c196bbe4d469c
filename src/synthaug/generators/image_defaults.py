"""Hyperparameters of the torch image generators derived from the data (image size, channels, number of
images), with the measurements that chose each: apart from the generator template (`image_base`) so the
reasons stay next to the numbers without crowding the code.
"""

from __future__ import annotations

import math
from typing import Any


def size_defaults(shape: tuple[int, ...], n_images: int) -> dict[str, Any]:
    """Hyperparameters derived from the data instead of tuned on 8×8 digits.

    - `base_channels`: 32 up to 16 px, 16 above (a 32 px RGB fit at 32 channels cost 0.12 s per step
      on one core; on 28 px shapes 32 channels gained 0.07 agreement at 300 updates for 1.6× the time);
      the VAE keeps 32 on colour images of any size (`vae_base_channels`): on 32 px RGB shapes, three
      generator seeds each, agreement 0.57 → 0.80 and Fréchet 137× → 37× the real↔real reference, for
      2× the CPU time per update (0.15 → 0.31 s); on 28 px grayscale shapes it changed nothing
      (0.74 → 0.73), so grayscale stays at 16 (fifth pass, benchmarks/results/images_sets.md);
    - `latent_dim`: grows with the pixel count (16 for 8×8 … 32 for 32×32×3), capped at 64;
    - `steps`: optimiser updates, not epochs, so a 10% learning-curve point (a few batches per epoch)
      trains as long as the full set: 1,000 up to 16×16 (800 already gave 1.0 agreement on 16×16
      strokes at 10%), then growing with the square root of the pixel count, capped at 2,000 (28×28:
      1,750; 32×32 RGB: 2,000). 1,000 updates did not learn 28 px shapes at all (agreement 0.34);
    - above 16 px, `label_planes` (the label fed to every decoder stage) and `refine` (a 3×3 conv after
      each upsampling): 28 px shapes, 1,000 updates, 0.34 → 0.46 agreement;
    - the VAE's aux loss: `aux_weight` 1.0; above 16 px ramped in over half the updates (`aux_warmup`
      0.5). With the four-stage aux net, 1,800 updates and the latent adversary: weight 0.25 → 0.64
      evaluation agreement on 28 px shapes, 1.0 → 0.75. Weight 2.0 ramped over a quarter (fourth pass)
      read +0.08 / +0.02 on 28 / 32 px RGB shapes in one GPU fit, +0.02 / −0.12 in CPU fits, with less
      diverse samples each time: within the spread between seeds (up to 0.2), not adopted.
    - the GAN (`gan_*`): aux weight 1.0, no warm-up, minibatch-std feature or AC-GAN head: none of them,
      nor a weight of 0.1–0.5, nor DiffAugment, stopped its collapse on 32 px RGB shapes (diversity
      ≤ 0.10). The collapse came from the `refine` convs (3×3 conv + batch norm after each upsampling),
      so the GAN's generator has label planes without them (`gan_refine`): diversity 0.08 → 0.60–0.73
      on 32 px RGB shapes and 0.16 → 0.72–0.81 on 28 px shapes (three CPU seeds, fifth pass), with
      agreement about where it was (0.55–0.70 and 0.38–0.48). Its remaining gap was training length:
      the fifth pass gave it 3× the shared updates above 16 px (5,400 at 28 px, 6,000 at 32 px RGB): on
      28 px shapes agreement 0.38 / 0.41 → 0.58 / 0.58 and Fréchet 369× / 246× → 239× / 91×
      (generator seeds 0 / 1, CPU); on RGB shapes 0.70 / 0.61 → 0.80 / 0.59, Fréchet 134× / 145× →
      55× / 160×; for 3× the fit time (fifth pass). Seventh pass: 5× (`gan_steps`: 9,000 at 28 px,
      10,000 at 32 px RGB) with a critic twice the generator's width (`gan_critic_width` 2:
      `critic_channels` = 2 × `base_channels`, 32 by default). GPU sweep, three generator seeds each:
      agreement on 28 px shapes 0.64 [0.57–0.75] → 0.87 [0.85–0.90], on 32 px RGB shapes 0.67
      [0.49–0.77] → 0.87 [0.85–0.88] (the same fits at 3×; against the sixth pass's defaults, 0.68 /
      0.80, seed by seed +0.18, +0.12, +0.28 / +0.00, +0.08, +0.13),
      Fréchet 74× / 124× → 25× / 35× the real↔real reference, diversity 0.84 / 0.80 → 0.94 / 0.92.
      Each part alone gained less: the wider critic at 3× read 0.77 / 0.79 (Fréchet 45× / 63×), the 5×
      length at the generator's width 0.76 [0.64–0.89] / 0.75 [0.52–0.88] (an RGB seed lost its rings).
      Cost: a wider critic's update costs 1.4× on one CPU thread (32 px RGB 0.076 → 0.109 s, 28 px
      0.064 → 0.087 s), so a CPU fit takes about 2.3× as long as at 3× (13 / 18 min of CPU time).
    - `aux_steps` 1,000 above 16 px (400 below): the aux classifier is the generators' only class signal
      beyond the label input, and above 16 px it is a four-stage net (see `AuxClassifier`) that needs
      the updates (28 px shapes, real test images: 0.87 accurate after 400, 0.97 after 800);
    - the VAE's `latent_adversary` above 16 px (see `ConditionalVAE`);
    - the VAE's `ema` 0.995 on colour images above 16 px (`vae_ema`: decode with an exponential moving
      average of the decoder's weights, `image_ema`): on 32 px RGB shapes, three generator seeds on the
      GPU, agreement 0.78 → 0.85 (every seed gained: +0.10, +0.04, +0.07; a CPU fit 0.66 → 0.77) and
      Fréchet 37× → 31× the real↔real reference, diversity 0.77 → 0.65, no measurable cost per update;
      on 28 px grayscale shapes it changed nothing on its own (0.75 →
      0.76, −0.004 to +0.025; sixth pass). The GAN keeps `ema` 0: its averaged weights lost agreement
      on both sets (0.80 → 0.54 on RGB shapes).
    - the grayscale VAE above 16 px (eighth pass, `c == 1`): aux weight 2.0 ramped over a quarter of
      the updates, half the latent dimensions (`vae_latent_dim`: 8 at 28 px), `ema` 0.995 and 1.5× the
      shared updates (`vae_steps`: 2,700 at 28 px). GPU sweep, four generator seeds in one call, 28 px
      shapes: agreement 0.74 [0.70–0.78] → 0.82 [0.78–0.90] (every seed gained: +0.12, +0.06, +0.04,
      +0.08), diversity 0.83 → 0.73, Fréchet 49× → 44× the real↔real reference; 28 px strokes 0.99 →
      1.00 (two seeds), 0.83 → 0.83 at 10% of shapes28. The same settings at the shared 1,800 updates
      read 0.78 [0.66–0.91] (0.79 over five seeds in the seventh pass); aux 3.0 instead of longer
      training 0.81 [0.74–0.92], diversity 0.68; 32 base channels 0.82 [0.72–0.90] (one seed lost).
      Colour keeps aux 1.0 / warm-up 0.5 / full latent / the shared updates: there aux 2.0 cut diversity
      to 0.53–0.56 and 1.5× the updates raised Fréchet (35× → 65×), while the defaults read 0.87–0.91 on
      the same four seeds. Cost: 1.5× the updates at about the same cost per update (training a CPU fit
      at 28 px: about 8 min of one core instead of 5.3, at the fourth pass's 0.178 s per update).
    - the VAE's sampling `temperature` 1.2 up to 16 px (tenth pass; z ~ N(0, I) × 1.2 at sampling, the
      fit is unchanged): its decodes at 1.0 were too alike on 8×8 digits (diversity 0.556 [0.549–0.562],
      three GPU seeds, target 0.6). At 1.2: digits 0.627 [0.619–0.636] with agreement 1.000 and Fréchet
      2.9× → 2.2× the reference; 16 px strokes agreement 0.993 → 0.984, diversity 0.71 → 0.78, Fréchet
      4.2× → 4.6× [4.1–4.9]; digits at 10% 0.67 → 0.74. At 1.5 strokes read Fréchet 7.0×. No training
      knob met all three (beta 0.25 lifted digits to 0.631 but strokes' Fréchet to 7.2×; free bits 0.5
      0.603 with a seed at 0.596; a larger latent, EMA, fewer updates and aux 0.5 did not reach 0.6).
      Above 16 px the VAE keeps 1.0 (its samples there are diverse enough: 0.63–0.89).
    """
    c, h, w = (int(s) for s in shape)
    pixels = c * h * w
    big = max(h, w) > 16
    gray_big = big and c == 1  # the grayscale VAE's eighth-pass settings
    steps = int(round(1000 * min(2.0, max(1.0, math.sqrt(pixels / 256))), -2)) if big else 1000
    latent = int(min(64, max(16, 2 ** round(math.log2(max(pixels, 1)) / 2) // 2)))
    return {"base_channels": 16 if big else 32, "vae_base_channels": 32 if c >= 3 or not big else 16,
            "latent_dim": latent, "vae_latent_dim": max(2, latent // 2) if gray_big else latent,
            "steps": steps, "vae_steps": int(round(1.5 * steps, -2)) if gray_big else steps,
            "gan_steps": 5 * steps if big else steps, "gan_critic_width": 2 if big else 1,
            "aux_steps": 1000 if big else 400 if n_images < 5000 else 800,
            "label_planes": big, "refine": big,
            "vae_aux_weight": 2.0 if gray_big else 1.0,
            "vae_aux_warmup": 0.25 if gray_big else 0.5 if big else 0.0,
            "vae_latent_adversary": 1.0 if big else 0.0, "vae_perceptual": 0.0,
            "vae_ema": 0.995 if big else 0.0, "vae_temperature": 1.0 if big else 1.2,
            "gan_aux_weight": 1.0, "gan_aux_warmup": 0.0, "gan_minibatch_std": False, "gan_ac_weight": 0.0,
            "gan_diff_augment": False, "gan_refine": False}
