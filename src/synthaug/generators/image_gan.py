"""Class-conditional DCGAN-style GAN (`cgan`) for images, on torch alone.

Generator: z + one-hot label -> linear -> transposed-conv stages with batch norm (DCGAN). Critic:
spectral-normalised conv stages plus a projection term (Miyato & Koyama 2018), which conditions on
the label more reliably than label planes alone on small data sets. Non-saturating logistic loss.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from synthaug.generators.base import seeded
from synthaug.generators.image_base import TorchImageGenerator

__all__ = ["ConditionalGAN"]


def _gan_module(shape: tuple[int, int, int], n_classes: int, latent: int, base: int) -> Any:
    import torch
    from torch import nn

    from synthaug.generators.image_nets import ConvDecoder, ConvEncoder

    class Generator(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.n_classes = n_classes
            self.decoder = ConvDecoder(latent + n_classes, shape, base)

        def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            onehot = nn.functional.one_hot(y, self.n_classes).float()
            return torch.sigmoid(self.decoder(torch.cat([z, onehot], dim=1)))

    class Critic(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = ConvEncoder(shape, 0, base, spectral=True)
            self.out = nn.utils.parametrizations.spectral_norm(nn.Linear(self.features.out_dim, 1))
            self.embed = nn.utils.parametrizations.spectral_norm(nn.Embedding(n_classes, self.features.out_dim))

        def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            h = self.features(x)
            return self.out(h).squeeze(1) + (self.embed(y) * h).sum(dim=1)

    class GAN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.generator = Generator()
            self.critic = Critic()

    return GAN()


class ConditionalGAN(TorchImageGenerator):
    """Conditional GAN; only the generator is needed to sample, but both nets are saved (resumable).

    There is no validation loss worth stopping on for a GAN, so it trains the configured `epochs`, or
    more on small training sets: at least `min_steps` updates (a 10% learning-curve point has a couple
    of batches per epoch, and a GAN needs about a thousand updates on digits). `history_` records
    critic and generator losses and the critic's mean outputs on real and fake.
    """

    name = "cgan"
    defaults: ClassVar[dict[str, Any]] = {
        "epochs": 60, "min_steps": 1500, "batch_size": 64, "latent_dim": 32, "lr_g": 2e-4, "lr_d": 4e-4, "beta1": 0.5,
        "base_channels": 32, "label_smoothing": 0.1, "device": "auto", "num_threads": None,
    }

    def _build(self) -> Any:
        return _gan_module(self.image_shape_, len(self.classes_), int(self.p("latent_dim")),
                           int(self.p("base_channels")))

    def _train(self, X: np.ndarray, y_idx: np.ndarray) -> None:
        import torch

        with seeded(self.random_state):
            self.model_ = self._build().to(self.device_)
            betas = (float(self.p("beta1")), 0.999)
            opt_g = torch.optim.Adam(self.model_.generator.parameters(), lr=float(self.p("lr_g")), betas=betas)
            opt_d = torch.optim.Adam(self.model_.critic.parameters(), lr=float(self.p("lr_d")), betas=betas)
            Xt = torch.as_tensor(X, device=self.device_)
            yt = torch.as_tensor(y_idx, dtype=torch.long, device=self.device_)
            steps = max(1, len(X) // max(2, min(int(self.p("batch_size")), len(X))))
            epochs = max(int(self.p("epochs")), -(-int(self.p("min_steps")) // steps))
            for epoch in range(1, epochs + 1):
                self.model_.train()
                self._log_epoch(epoch, epochs, self._epoch(Xt, yt, opt_g, opt_d))

    def _epoch(self, X: Any, y: Any, opt_g: Any, opt_d: Any) -> dict[str, float]:
        import torch
        import torch.nn.functional as F

        bs = max(2, min(int(self.p("batch_size")), len(X)))
        latent = int(self.p("latent_dim"))
        real_target = 1.0 - float(self.p("label_smoothing"))
        G, D = self.model_.generator, self.model_.critic
        perm = torch.randperm(len(X), device=X.device)
        sums = np.zeros(4)
        steps = max(1, len(X) // bs)
        for i in range(steps):
            idx = perm[i * bs:(i + 1) * bs]
            xr, yr = X[idx], y[idx]
            z = torch.randn(len(idx), latent, device=X.device)
            fake = G(z, yr)
            d_real, d_fake = D(xr, yr), D(fake.detach(), yr)
            loss_d = (F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, real_target))
                      + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            g_out = D(fake, yr)
            loss_g = F.binary_cross_entropy_with_logits(g_out, torch.ones_like(g_out))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            sums += [float(loss_d.detach()), float(loss_g.detach()), float(d_real.detach().mean()),
                     float(d_fake.detach().mean())]
        d, g, r, f = (float(v) for v in sums / steps)
        return {"loss_d": d, "loss_g": g, "d_real": r, "d_fake": f}

    def _decode(self, y_idx: Any, gen: Any) -> Any:
        import torch

        z = torch.randn(len(y_idx), int(self.p("latent_dim")), generator=gen, device=self.device_)
        return self.model_.generator(z, y_idx)
