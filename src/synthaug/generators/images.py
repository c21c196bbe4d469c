"""Image generators: class-conditional conv VAE (`cvae`) here; the GAN (`image_gan`) and the classical
baseline (`image_classical`) beside it. Each registers by its decorator when the registry imports it.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from synthaug.generators import register_generator
from synthaug.generators.image_base import TorchImageGenerator

__all__ = ["ConditionalVAE"]


def _vae_module(shape: tuple[int, int, int], n_classes: int, latent: int, base: int, planes: bool = False,
                refine: bool = False, adversary: bool = False) -> Any:
    """Built inside a function so importing the registry does not import torch."""
    import torch
    from torch import nn

    from synthaug.generators.image_nets import ConvDecoder, ConvEncoder, label_planes

    class CVAE(nn.Module):
        """Encoder sees image + label planes; decoder sees z + one-hot label, so z need not carry the class."""

        def __init__(self) -> None:
            super().__init__()
            self.n_classes = n_classes
            self.encoder = ConvEncoder(shape, n_classes, base)
            self.mu = nn.Linear(self.encoder.out_dim + n_classes, latent)
            self.logvar = nn.Linear(self.encoder.out_dim + n_classes, latent)
            self.decoder = ConvDecoder(latent, shape, base, n_classes, refine) if planes else \
                ConvDecoder(latent + n_classes, shape, base)
            self.planes = planes
            # built last, and only when used, so models without it initialise exactly as before
            self.latent_clf = nn.Sequential(nn.Linear(latent, 64), nn.ReLU(), nn.Linear(64, n_classes)) \
                if adversary else None

        def onehot(self, y: torch.Tensor) -> torch.Tensor:
            return nn.functional.one_hot(y, self.n_classes).float()

        def encode(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            planes = label_planes(y, self.n_classes, x.shape[2], x.shape[3])
            h = torch.cat([self.encoder(x, planes), self.onehot(y)], dim=1)
            return self.mu(h), self.logvar(h).clamp(-10.0, 10.0)

        def decode(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            if self.planes:
                return self.decoder(z, self.onehot(y))
            return self.decoder(torch.cat([z, self.onehot(y)], dim=1))

        def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            mu, logvar = self.encode(x, y)
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
            return self.decode(z, y), mu, logvar

    return CVAE()


@register_generator("cvae", description="class-conditional convolutional VAE (torch; epochs, latent_dim, beta, "
                                        "patience)")
class ConditionalVAE(TorchImageGenerator):
    """Class-conditional convolutional VAE (Sohn et al. 2015), Bernoulli decoder on [0, 1] pixels, plus
    an auxiliary-classifier loss on images decoded from the prior.

    Why the extra loss: the encoder sees the image, so the latent code can carry the class and the
    decoder learns to ignore its label. On a 16×16 binary digit set the plain model drew the asked class
    for 0.41 of samples (0.52 at 10% of the images; 0.36 on 32 px RGB shapes). A frozen classifier
    trained on the real images, applied to decodes of z ~ N(0, I) with random labels, makes the label
    the only route to the right class; the weight scales with the pixel count because the
    reconstruction term does.

    `aux_warmup` (a share of the updates) ramps that loss in linearly, so the decoder first learns to
    reconstruct. Both are derived when unset: weight 1.0, from the start up to 16 px and ramped over
    half the updates above (28 px shapes: 0.64 agreement at weight 0.25, 0.75 at 1.0; see `size_defaults`);
    on grayscale images above 16 px weight 2.0 ramped over a quarter, with half the latent dimensions,
    `ema` and 1.5× the updates (eighth pass: 28 px shapes 0.74 → 0.82 over four GPU seeds).
    `kl_warmup` (a share of the updates: beta ramps from 0) and `free_bits` (nats per latent dimension
    below which the KL term does not push) are off by default: on 28 px and 32 px RGB shapes neither
    moved agreement beyond the spread between seeds (benchmarks/results/images_sets.md, fourth pass).

    `latent_adversary` (derived: 0 up to 16 px, 1.0 above; scaled by pixels/64 like the aux loss): a
    small classifier learns to tell the class from the posterior means while the encoder is penalised
    for letting it (cross-entropy against the uniform class mix), so the code carries position, size
    and colour but not the class, and the decoder has to take the class from its label. On 28 px shapes
    the plain model's decodes of a real image's code with another label followed the label 0.30 and the
    image 0.27 of the time; with the adversary 0.49 and 0.11 (evaluation-CNN agreement of prior samples
    0.61 → 0.64 at aux weight 0.25, with the four-stage aux classifier of `image_nets.AuxClassifier`).
    Trains a fixed budget (`steps` updates, or `epochs` when set); `patience` > 0 turns on early stopping
    on the loss of a seeded validation split and keeps the best weights. Samples are decoder means for
    z ~ N(0, I) times `temperature` (derived: 1.2 up to 16 px, else 1.0; see `size_defaults`).

    `ema` (derived: 0.995 above 16 px, else 0; see `size_defaults`): decode with an
    exponential moving average of the decoder's weights, this decay (`image_ema`). `aux_jitter` (scale
    of the shifts, rotations and noise the aux classifier trains on; 0 trains it on clean images, as
    the evaluation CNN is) stays at 1: at 0 agreement fell on both big sets (sixth pass).
    """

    size_prefix: ClassVar[str] = "vae"
    ema_attr: ClassVar[str] = "decoder"
    defaults: ClassVar[dict[str, Any]] = {
        "epochs": None, "steps": None, "batch_size": 64, "latent_dim": None, "lr": 2e-3, "beta": 0.5,
        "base_channels": None, "weight_decay": 0.0, "val_fraction": 0.1, "patience": 0, "temperature": None,
        "label_planes": None, "refine": None, "aux_weight": None, "aux_warmup": None, "aux_steps": None,
        "check_steps": None, "min_agreement": 0.7, "monitor_every": 5, "latent_adversary": None,
        "kl_warmup": 0.0, "free_bits": 0.0, "perceptual": None, "ema": None, "aux_jitter": 1.0,
        "device": "auto", "num_threads": None,
    }

    def _build(self) -> Any:
        return _vae_module(self.image_shape_, len(self.classes_), int(self.q("latent_dim")),
                           int(self.q("base_channels")), bool(self.q("label_planes")), bool(self.q("refine")),
                           bool(self.q("latent_adversary")))

    def _train(self, X: Any, y: Any) -> None:
        import torch

        tr, va = _split(len(X), float(self.q("val_fraction")), self.random_state)
        self.model_ = self._build().to(self.device_)
        clf = self.model_.latent_clf
        main = [p for n, p in self.model_.named_parameters() if not n.startswith("latent_clf.")]
        opt = torch.optim.Adam(main, lr=float(self.q("lr")), weight_decay=float(self.q("weight_decay")))
        self.clf_opt_ = torch.optim.Adam(clf.parameters(), lr=float(self.q("lr"))) if clf is not None else None
        epochs, per_epoch = self.schedule(len(tr))
        total = epochs * per_epoch
        # OneCycleLR divides by zero when its warm-up is exactly one update (10 updates: a cost probe)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=float(self.q("lr")), pct_start=0.1,
                                                    total_steps=total) if total >= 20 else \
            torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
        self._ema_start()
        self._loop(opt, sched, X, y, tr, va, epochs, per_epoch)
        self.clf_opt_ = None

    def _loop(self, opt: Any, sched: Any, X: Any, y: Any, tr: np.ndarray, va: np.ndarray, epochs: int,
              per_epoch: int) -> None:
        import torch

        patience = int(self.q("patience") or 0)
        best, best_state, stale = float("inf"), None, 0
        tr_t = torch.as_tensor(tr, device=self.device_)
        warm = float(self.q("aux_warmup")) * epochs * per_epoch
        kl_warm = float(self.q("kl_warmup")) * epochs * per_epoch
        for epoch in range(1, epochs + 1):
            self.model_.train()
            sums = np.zeros(3)
            for i, b in enumerate(self.batches(len(tr), per_epoch)):
                idx = tr_t[b]
                step = (epoch - 1) * per_epoch + i
                self.kl_scale_ = min(1.0, step / kl_warm) if kl_warm else 1.0
                elbo, mu = self._loss(X[idx], y[idx], with_mu=True)
                aux = self._aux_loss(len(idx))
                ramp = min(1.0, step / warm) if warm else 1.0
                total = elbo + ramp * self._aux_scale() * aux
                if self.clf_opt_ is not None:
                    total = total + self._adversary_scale() * self._latent_penalty(mu)
                opt.zero_grad()
                total.backward()
                opt.step()
                sched.step()
                self._ema_step()
                lat_ce = self._fit_latent_clf(mu.detach(), y[idx]) if self.clf_opt_ is not None else 0.0
                sums += [float(elbo.detach()), float(aux.detach()), lat_ce]
            losses = {"loss": sums[0] / per_epoch, "aux_ce": sums[1] / per_epoch}
            if self.clf_opt_ is not None:
                losses["latent_ce"] = sums[2] / per_epoch
            if len(va):
                losses["val_loss"] = self._val_loss(X, y, va)
            self._log_epoch(epoch, epochs, losses)
            if not (patience and len(va)):
                continue
            if losses["val_loss"] < best - 1e-4:
                best, stale = losses["val_loss"], 0
                best_state = {k: v.detach().clone() for k, v in self.model_.state_dict().items()}
            elif (stale := stale + 1) >= patience:
                self.stopped_epoch_ = epoch
                break
        if best_state is not None:
            self.model_.load_state_dict(best_state)

    def _load_state(self, path: Any, state: dict[str, Any]) -> None:
        """Models saved before the latent adversary existed have none (their state has no `latent_clf`)."""
        state["resolved"].setdefault("latent_adversary", 0.0)
        state["resolved"].setdefault("perceptual", 0.0)
        state["resolved"].setdefault("ema", 0.0)
        super()._load_state(path, state)

    def _aux_scale(self) -> float:
        return float(self.q("aux_weight")) * float(np.prod(self.image_shape_)) / 64.0

    def _loss(self, x: Any, y: Any, with_mu: bool = False) -> Any:
        """Negative ELBO per image: pixel BCE summed over the image plus beta·KL (and the posterior means),
        plus `perceptual` × the aux classifier's feature distance where set."""
        import torch
        import torch.nn.functional as F

        logits, mu, logvar = self.model_(x, y)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / len(x)
        fb = float(self.q("free_bits"))
        if fb > 0:  # free bits (Kingma et al. 2016): no pressure on a latent dimension below `fb` nats
            kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp())).mean(dim=0).clamp(min=fb).sum()
        else:
            kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum() / len(x)
        loss = rec + getattr(self, "kl_scale_", 1.0) * float(self.q("beta")) * kl
        if float(self.q("perceptual")) and self.aux_ is not None:
            from synthaug.generators.image_nets import feature_distance

            loss = loss + float(self.q("perceptual")) * feature_distance(self.aux_, torch.sigmoid(logits), x)
        return (loss, mu) if with_mu else loss

    def _adversary_scale(self) -> float:
        return float(self.q("latent_adversary")) * float(np.prod(self.image_shape_)) / 64.0

    def _latent_penalty(self, mu: Any) -> Any:
        """Cross-entropy of the latent classifier's prediction against the uniform class mix, minus its
        floor log(k): zero when the code `mu` tells nothing about the class. The encoder minimises it, so
        the class has to come from the label (the decoder cannot ignore it); only the main optimiser steps
        on it (the classifier's own parameters are stepped by `_fit_latent_clf`)."""
        import math

        import torch.nn.functional as F

        logp = F.log_softmax(self.model_.latent_clf(mu), dim=1)
        return -logp.mean(dim=1).mean() - math.log(logp.shape[1])

    def _fit_latent_clf(self, mu: Any, y: Any) -> float:
        """One update of the latent classifier (the adversary): predict the class from the posterior means."""
        import torch.nn.functional as F

        loss = F.cross_entropy(self.model_.latent_clf(mu), y)
        self.clf_opt_.zero_grad()
        loss.backward()
        self.clf_opt_.step()
        return float(loss.detach())

    def _aux_loss(self, n: int) -> Any:
        """Cross-entropy of the frozen aux classifier on images decoded from the prior with random labels,
    randomly shifted and rotated first: a decoder cannot please the classifier with a pixel pattern
    that does not survive a small move (on 32 px RGB shapes it did: 0.89 aux vs 0.33 CNN agreement)."""
        import torch
        import torch.nn.functional as F

        from synthaug.generators.image_nets import jitter

        if self.aux_ is None or not float(self.q("aux_weight")):
            return torch.zeros((), device=self.device_)
        yr = torch.randint(0, len(self.classes_), (n,), device=self.device_)
        z = torch.randn(n, int(self.q("latent_dim")), device=self.device_)
        return F.cross_entropy(self.aux_(jitter(torch.sigmoid(self.model_.decode(z, yr)))), yr)

    def _val_loss(self, X: Any, y: Any, va: np.ndarray) -> float:
        import torch

        self.model_.eval()
        with torch.no_grad():
            idx = torch.as_tensor(va)
            return float(self._loss(X[idx], y[idx]))

    def _decode(self, y_idx: Any, gen: Any) -> Any:
        import torch

        latent = int(self.q("latent_dim"))
        z = torch.randn(len(y_idx), latent, generator=gen, device=self.device_) * float(self.q("temperature"))
        return torch.sigmoid(self.model_.decode(z, y_idx))


def _split(n: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/validation index split; no validation split when too few images to spare."""
    perm = np.random.default_rng(seed).permutation(n)
    n_val = int(round(n * val_fraction)) if val_fraction > 0 else 0
    if n_val < 2 or n - n_val < 2:
        return np.sort(perm), np.array([], dtype=int)
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])
