"""Convolutional building blocks shared by the conditional VAE and GAN (DCGAN-style stacks).

Any image size works: inputs are zero-padded up to a multiple of 2^n_down and outputs cropped back
(see `image_base.geometry`), so 8×8 digits and 28×28 folders use the same code.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from synthaug.generators.image_base import geometry


def widths(base: int, n: int) -> list[int]:
    """Channel width per stride-2 stage: doubling, capped so large images stay cheap on a CPU."""
    return [min(base * 2**i, base * 8) for i in range(n)]


def pad_to(x: torch.Tensor, h: int, w: int) -> torch.Tensor:
    return F.pad(x, (0, w - x.shape[-1], 0, h - x.shape[-2]))


def label_planes(y_idx: torch.Tensor, n_classes: int, h: int, w: int) -> torch.Tensor:
    """One-hot labels broadcast to constant image planes (the classic cGAN input conditioning)."""
    onehot = F.one_hot(y_idx, n_classes).float()
    return onehot[:, :, None, None].expand(-1, -1, h, w)


class ConvEncoder(nn.Module):
    """Image (+ label planes) -> flat features through stride-2 conv stages.

    `spectral=True` wraps convs in spectral norm instead of batch norm: the GAN discriminator's
    standard stabiliser, and it keeps the critic independent of batch composition.
    """

    def __init__(self, shape: tuple[int, int, int], extra_ch: int, base: int, spectral: bool = False) -> None:
        super().__init__()
        c, h, w = shape
        self.n_down, self.bh, self.bw = geometry(h, w)
        self.ph, self.pw = self.bh * 2**self.n_down, self.bw * 2**self.n_down
        chans = widths(base, self.n_down)
        layers: list[nn.Module] = []
        prev = c + extra_ch
        for i, ch in enumerate(chans):
            conv = nn.Conv2d(prev, ch, 4, stride=2, padding=1)
            if spectral:
                layers += [nn.utils.parametrizations.spectral_norm(conv), nn.LeakyReLU(0.2)]
            else:
                layers += [conv, *([nn.BatchNorm2d(ch)] if i else []), nn.LeakyReLU(0.2)]
            prev = ch
        self.net = nn.Sequential(*layers)
        self.out_dim = prev * self.bh * self.bw

    def forward(self, x: torch.Tensor, planes: torch.Tensor | None = None) -> torch.Tensor:
        x = pad_to(x, self.ph, self.pw)
        if planes is not None:
            x = torch.cat([x, pad_to(planes, self.ph, self.pw)], dim=1)
        return self.net(x).flatten(1)


class ConvDecoder(nn.Module):
    """Vector -> image in [0, 1]: linear to the base grid, transposed-conv stages, crop to the true size."""

    def __init__(self, in_dim: int, shape: tuple[int, int, int], base: int) -> None:
        super().__init__()
        c, self.h, self.w = shape
        n_down, self.bh, self.bw = geometry(self.h, self.w)
        chans = widths(base, n_down)[::-1]
        self.c0 = chans[0]
        self.fc = nn.Sequential(nn.Linear(in_dim, self.c0 * self.bh * self.bw),
                                nn.BatchNorm1d(self.c0 * self.bh * self.bw), nn.ReLU())
        layers: list[nn.Module] = []
        prev = self.c0
        for ch in [*chans[1:], base]:
            layers += [nn.ConvTranspose2d(prev, ch, 4, stride=2, padding=1), nn.BatchNorm2d(ch), nn.ReLU()]
            prev = ch
        layers += [nn.Conv2d(prev, c, 3, padding=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        """Logits (pre-sigmoid), cropped: the VAE wants them for a stable BCE, the GAN applies sigmoid."""
        x = self.fc(v).view(-1, self.c0, self.bh, self.bw)
        return self.net(x)[:, :, : self.h, : self.w]
