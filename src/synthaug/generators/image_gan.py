"""Class-conditional DCGAN-style GAN (`cgan`) for images, on torch alone.

Generator: z + one-hot label -> linear -> transposed-conv stages with batch norm (DCGAN). Critic:
spectral-normalised conv stages plus a projection term (Miyato & Koyama 2018), which conditions on
the label more reliably than label planes alone on small data sets. Non-saturating logistic loss.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from synthaug.generators import register_generator
from synthaug.generators.image_base import TorchImageGenerator

__all__ = ["ConditionalGAN"]


def _gan_module(shape: tuple[int, int, int], n_classes: int, latent: int, base: int, planes: bool = False,
                refine: bool = False, mbstd: bool = False, ac_head: bool = False, critic_base: int = 0) -> Any:
    """Built inside a function so importing the registry does not import torch. `mbstd` and `ac_head`
    add critic parts built last, so a model without them initialises exactly as before; `critic_base`
    (0: `base`) widens the critic alone."""
    import torch
    from torch import nn

    from synthaug.generators.image_nets import ConvDecoder, ConvEncoder

    class Generator(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.n_classes = n_classes
            self.planes = planes
            self.decoder = ConvDecoder(latent, shape, base, n_classes, refine) if planes else \
                ConvDecoder(latent + n_classes, shape, base)

        def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            onehot = nn.functional.one_hot(y, self.n_classes).float()
            if self.planes:
                return torch.sigmoid(self.decoder(z, onehot))
            return torch.sigmoid(self.decoder(torch.cat([z, onehot], dim=1)))

    class Critic(nn.Module):
        """Projection critic; optionally a minibatch-std feature (a batch of near-copies has a small
        spread the critic can see: Karras et al. 2018) and an AC-GAN class head (Odena et al. 2017)."""

        def __init__(self) -> None:
            super().__init__()
            sn = nn.utils.parametrizations.spectral_norm
            self.features = ConvEncoder(shape, 0, critic_base or base, spectral=True)
            dim = self.features.out_dim
            self.out = sn(nn.Linear(dim + int(mbstd), 1))
            self.embed = sn(nn.Embedding(n_classes, dim))
            self.mbstd = mbstd
            self.cls = sn(nn.Linear(dim, n_classes)) if ac_head else None

        def both(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
            """(real/fake score, class logits or None)."""
            h = self.features(x)
            hs = torch.cat([h, h.std(dim=0).mean().expand(len(h), 1)], dim=1) if self.mbstd else h
            score = self.out(hs).squeeze(1) + (self.embed(y) * h).sum(dim=1)
            return score, (self.cls(h) if self.cls is not None else None)

        def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return self.both(x, y)[0]

    class GAN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.generator = Generator()
            self.critic = Critic()

    return GAN()


@register_generator("cgan", description="class-conditional DCGAN-style GAN with a projection critic (torch; "
                                        "epochs, ...)")
class ConditionalGAN(TorchImageGenerator):
    """Conditional GAN; only the generator is needed to sample, but both nets are saved (resumable).

    There is no validation loss worth stopping on for a GAN, so it trains a fixed budget: `steps`
    updates (derived from the data when unset), or `epochs` when set. Besides the projection critic, the
    generator gets the auxiliary classifier's cross-entropy on its images (`aux_weight`): the
    projection term alone left 0.62 of samples in their class on a 16×16 digit set. `history_` records
    critic and generator losses, the critic's mean outputs on real and fake, and agreement.

    Above 16 px the generator gets the label at every stage but not the VAE's `refine` convs: with them
    it drew one image per class within 150 updates, with or without any class loss (fifth pass,
    benchmarks/results/images_sets.md). Off by default, tried against that collapse before its cause
    was found: `aux_warmup` (ramp the aux loss in), `minibatch_std` (a batch-spread feature in the
    critic), `ac_weight` (an AC-GAN class head on the critic, trained on real images, besides or
    instead of the frozen aux net), `mode_seeking` and `diff_augment` (DiffAugment on what the critic
    sees: 28 px agreement 0.38 → 0.56 in one fit, but the RGB shapes collapsed again with it).

    Sixth-pass knobs, off by default (GPU sweep, three generator seeds, benchmarks/results/images_sets.md):
    `ema` (sample from an exponential moving average of the generator's weights with this decay; see
    `image_ema`): lower Fréchet on 28 px shapes but agreement 0.80 → 0.54 on 32 px RGB shapes, where the
    averaged generator rounds off squares, stars and triangles; `loss` "hinge" (SAGAN / BigGAN) instead
    of the non-saturating logistic loss: agreement unchanged; `d_steps` critic updates per generator
    update (each extra one on another real batch and fresh fakes): +0.02 on 28 px shapes, −0.06 on one
    RGB seed, for 1.5× the time; `critic_channels` (a wider critic than the generator's
    `base_channels`): 28 px shapes 0.72 / 0.74 → 0.79 / 0.79 and Fréchet 96× → 39×, but RGB shapes
    0.85 / 0.81 → 0.83 / 0.60.

    Seventh pass (default above 16 px): the critic is `critic_width` × `base_channels` wide (2 above
    16 px, 1 below; `critic_channels` sets it outright) and the GAN makes 5× the shared updates. Three
    GPU seeds: 28 px shapes 0.64 → 0.87, 32 px RGB shapes 0.67 → 0.87 agreement (at the same fits' 3×
    point with the old width), Fréchet 74× / 124× → 25× / 35× (see `image_defaults.size_defaults`).
    """

    size_prefix: ClassVar[str] = "gan"
    ema_attr: ClassVar[str] = "generator"
    defaults: ClassVar[dict[str, Any]] = {
        "epochs": None, "steps": None, "batch_size": 64, "latent_dim": None, "lr_g": 2e-4, "lr_d": 4e-4,
        "beta1": 0.5, "base_channels": None, "label_smoothing": 0.1, "label_planes": None, "refine": None,
        "aux_weight": None, "aux_warmup": None, "aux_steps": None, "check_steps": None, "mode_seeking": 0.0,
        "minibatch_std": None, "ac_weight": None, "diff_augment": None, "ema": 0.0, "loss": "logistic",
        "d_steps": 1, "critic_channels": None, "critic_width": None, "aux_jitter": 1.0,
        "min_agreement": 0.7, "monitor_every": 5, "device": "auto", "num_threads": None,
    }

    def _load_state(self, path: Any, state: dict[str, Any]) -> None:
        """Models saved before the minibatch-std feature and AC head existed have neither."""
        state["resolved"].setdefault("minibatch_std", False)
        state["resolved"].setdefault("ac_weight", 0.0)
        state["resolved"].setdefault("aux_warmup", 0.0)
        state["resolved"].setdefault("diff_augment", False)
        state["resolved"].setdefault("critic_width", 1)  # before the seventh pass: the generator's width
        super()._load_state(path, state)

    def _build(self) -> Any:
        base = int(self.q("base_channels"))
        critic = int(self.q("critic_channels") or int(self.q("critic_width")) * base)
        return _gan_module(self.image_shape_, len(self.classes_), int(self.q("latent_dim")), base,
                           bool(self.q("label_planes")), bool(self.q("refine")), bool(self.q("minibatch_std")),
                           float(self.q("ac_weight")) > 0, critic)

    def _train(self, X: Any, y: Any) -> None:
        import torch

        self.model_ = self._build().to(self.device_)
        betas = (float(self.q("beta1")), 0.999)
        opt_g = torch.optim.Adam(self.model_.generator.parameters(), lr=float(self.q("lr_g")), betas=betas)
        opt_d = torch.optim.Adam(self.model_.critic.parameters(), lr=float(self.q("lr_d")), betas=betas)
        epochs, per_epoch = self.schedule(len(X))
        self._step, self._warm = 0, float(self.q("aux_warmup")) * epochs * per_epoch
        self._ema_start()
        for epoch in range(1, epochs + 1):
            self.model_.train()
            self._log_epoch(epoch, epochs, self._epoch(X, y, opt_g, opt_d, per_epoch))

    def _critic_step(self, xr: Any, yr: Any, fake: Any, opt_d: Any) -> tuple[Any, Any, Any]:
        """One critic update: logistic loss (smoothed real targets) or hinge loss, plus the AC head's
        cross-entropy on real images when `ac_weight` > 0. Returns (critic loss, real scores, fake scores)."""
        import torch
        import torch.nn.functional as F

        D = self.model_.critic
        (d_real, cls_real), d_fake = D.both(self._augment(xr), yr), D(self._augment(fake.detach()), yr)
        if self.q("loss") == "hinge":
            loss_d = F.relu(1.0 - d_real).mean() + F.relu(1.0 + d_fake).mean()
        else:
            real_target = 1.0 - float(self.q("label_smoothing"))
            loss_d = (F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, real_target))
                      + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
        if cls_real is not None:
            loss_d = loss_d + float(self.q("ac_weight")) * F.cross_entropy(cls_real, yr)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        return loss_d, d_real, d_fake

    def _generator_loss(self, G: Any, z: Any, fake: Any, yr: Any) -> tuple[Any, Any]:
        """Non-saturating loss, plus the frozen aux classifier's cross-entropy (ramped in over `aux_warmup`
        of the updates), the AC head's and the mode-seeking term where set. Returns (loss, aux CE)."""
        import torch
        import torch.nn.functional as F

        g_out, cls_fake = self.model_.critic.both(self._augment(fake), yr)
        aux = self._aux_ce(fake, yr)
        ramp = min(1.0, self._step / self._warm) if self._warm else 1.0
        adv = -g_out.mean() if self.q("loss") == "hinge" else \
            F.binary_cross_entropy_with_logits(g_out, torch.ones_like(g_out))
        loss_g = adv + ramp * float(self.q("aux_weight")) * aux
        if cls_fake is not None:
            loss_g = loss_g + float(self.q("ac_weight")) * F.cross_entropy(cls_fake, yr)
        if float(self.q("mode_seeking")):
            loss_g = loss_g + float(self.q("mode_seeking")) * self._mode_seeking(G, z, fake, yr)
        return loss_g, aux

    def _epoch(self, X: Any, y: Any, opt_g: Any, opt_d: Any, per_epoch: int) -> dict[str, float]:
        import torch

        latent = int(self.q("latent_dim"))
        G = self.model_.generator
        sums = np.zeros(5)
        for idx in self.batches(len(X), per_epoch):
            xr, yr = X[idx], y[idx]
            for _ in range(int(self.q("d_steps")) - 1):
                self._extra_critic_step(X, y, len(idx), opt_d)
            z = torch.randn(len(idx), latent, device=X.device)
            fake = G(z, yr)
            loss_d, d_real, d_fake = self._critic_step(xr, yr, fake, opt_d)
            loss_g, aux = self._generator_loss(G, z, fake, yr)
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            self._ema_step()
            self._step += 1
            sums += [float(loss_d.detach()), float(loss_g.detach()), float(d_real.detach().mean()),
                     float(d_fake.detach().mean()), float(aux.detach())]
        d, g, r, f, a = (float(v) for v in sums / per_epoch)
        return {"loss_d": d, "loss_g": g, "d_real": r, "d_fake": f, "aux_ce": a}

    def _extra_critic_step(self, X: Any, y: Any, n: int, opt_d: Any) -> None:
        """A critic update on a random real batch and fresh fakes (`d_steps` > 1: a critic kept ahead of
        the generator gives it more useful gradients, WGAN / SAGAN practice)."""
        import torch

        j = torch.randint(0, len(X), (n,), device=X.device)
        with torch.no_grad():
            fake = self.model_.generator(torch.randn(n, int(self.q("latent_dim")), device=X.device), y[j])
        self._critic_step(X[j], y[j], fake, opt_d)

    def _augment(self, x: Any) -> Any:
        """What the critic sees: the images, or their DiffAugment copies when `diff_augment` is on."""
        if not self.q("diff_augment"):
            return x
        from synthaug.generators.image_nets import diff_augment

        return diff_augment(x)

    def _mode_seeking(self, G: Any, z: Any, fake: Any, y: Any) -> Any:
        """Mode-seeking term (Mao et al. 2019): for half the batch, a second draw z2 with the same labels;
        the generator is penalised by mean|z − z2| / mean|G(z) − G(z2)|, large when it ignores z (one
        image per class: 28 px shapes with the four-stage aux classifier, diversity 0.16). Off by default
        (`mode_seeking` 0): at 1.0 on those shapes it broke the collapse (diversity 1.23) but drew noisy
        fragments (agreement 0.42 unchanged, Fréchet 170× → 227× the real↔real reference)."""
        import torch

        h = max(1, len(z) // 2)
        z2 = torch.randn_like(z[:h])
        img_gap = (fake[:h] - G(z2, y[:h])).abs().mean()
        return (z[:h] - z2).abs().mean() / (img_gap + 1e-5)

    def _aux_ce(self, fake: Any, y: Any) -> Any:
        import torch
        import torch.nn.functional as F

        if self.aux_ is None or not float(self.q("aux_weight")):
            return torch.zeros((), device=fake.device)
        from synthaug.generators.image_nets import jitter

        return F.cross_entropy(self.aux_(jitter(fake)), y)

    def _decode(self, y_idx: Any, gen: Any) -> Any:
        import torch

        z = torch.randn(len(y_idx), int(self.q("latent_dim")), generator=gen, device=self.device_)
        return self.model_.generator(z, y_idx)
