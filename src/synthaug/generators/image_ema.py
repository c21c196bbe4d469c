"""Exponential moving average (EMA) of a torch image generator's sampling weights.

Why: a GAN's generator weights wander from update to update, and its samples with them; sampling from a
running average of the weights (Karras et al. 2018, Yazıcı et al. 2019) is the usual cheap remedy for
sample quality (Fréchet distance) and it costs one in-place blend per update. The average is kept of
the module that draws samples (the GAN's generator, the VAE's decoder), never of what only trains.
Opt-in through the generators' `ema` hyperparameter (the decay; 0 is off, and then nothing here runs,
so a default fit draws the random numbers it always drew).
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn


class SamplerEma:
    """The averaged copy of one submodule of a generator's `model_` (named by `attr`).

    `update()` after every optimiser step of the live module; `swap(owner)` exchanges the live and the
    averaged module objects in `owner.model_` (the optimiser keeps pointing at the live parameters, so a
    swap in the middle of training must be undone before the next update). The averaged module's
    batch-norm statistics are recomputed on every swap that makes it live: the live module's running
    statistics belong to its own weights, not to the average.
    """

    def __init__(self, live: nn.Module, attr: str, decay: float) -> None:
        self.attr, self.decay, self.updates = attr, float(decay), 0
        self.other = copy.deepcopy(live).requires_grad_(False)
        self.averaged_is_live = False

    def update(self, live: nn.Module) -> None:
        """Blend the live parameters in; the decay ramps up over the first updates ((1 + n) / (10 + n)),
        so the average does not remember the random initial weights for thousands of updates."""
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        with torch.no_grad():
            for avg, cur in zip(self.other.parameters(), live.parameters(), strict=True):
                avg.lerp_(cur, 1.0 - d)

    def swap(self, owner: Any) -> None:
        """Put the other module (averaged or live) into `owner.model_`; recalibrate it when it is the average."""
        current = getattr(owner.model_, self.attr)
        setattr(owner.model_, self.attr, self.other)
        self.other = current
        self.averaged_is_live = not self.averaged_is_live
        if self.averaged_is_live:
            recalibrate_batch_norm(owner)


def recalibrate_batch_norm(owner: Any, batches: int = 16, size: int = 256) -> None:
    """Batch-norm running statistics of `owner`'s sampler recomputed from its own prior samples
    (`owner._decode` in training mode, cumulative averages), with a seeded generator of its own so the
    global random stream, and with it the rest of a fit, is untouched."""
    sampler = getattr(owner.model_, owner.ema_attr)
    bns = [m for m in sampler.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    momenta = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    was_training = owner.model_.training
    owner.model_.train()
    gen = torch.Generator(device=owner.device_).manual_seed(int(owner.random_state) + 31)
    k = len(owner.classes_)
    with torch.no_grad():
        for _ in range(batches):
            owner._decode(torch.randint(0, k, (size,), generator=gen, device=owner.device_), gen)
    for m, mom in zip(bns, momenta, strict=True):
        m.momentum = mom
    owner.model_.train(was_training)
