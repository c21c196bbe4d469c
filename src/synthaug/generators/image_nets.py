"""Torch parts shared by the conditional VAE and GAN: DCGAN-style conv stacks, the auxiliary
classifier that keeps them conditional and the check classifier that judges their samples.

Any image size works: inputs are zero-padded up to a multiple of 2^n_down and outputs cropped back
(see `geometry`), so 8×8 digits and 28×28 folders use the same code.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def geometry(h: int, w: int) -> tuple[int, int, int]:
    """(n_down, base_h, base_w): stride-2 stages so the smallest side ends near 2, capped at 4 stages.

    Inputs are zero-padded to (base_h·2^n, base_w·2^n) and decoder outputs cropped back, so any size works.
    """
    n_down = max(1, min(4, int(math.floor(math.log2(max(min(h, w), 2) / 2)))))
    f = 2**n_down
    return n_down, math.ceil(h / f), math.ceil(w / f)


def widths(base: int, n: int) -> list[int]:
    """Channel width per stride-2 stage: doubling, capped at 4× so 32 px images stay cheap on a CPU."""
    return [min(base * 2**i, base * 4) for i in range(n)]


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
    """Vector -> image in [0, 1]: linear to the base grid, transposed-conv stages, crop to the true size.

    With `cond_dim` > 0, `forward(v, c)` also concatenates `c` (the one-hot label) as constant planes to
    every stage's input, not just the first linear layer: above 16 px a decoder fed the label once
    learned to ignore it (28 px shapes: samples 0.15 in their class without the aux loss).
    `refine` adds a 3×3 conv after each upsampling stage (more depth per resolution, same size).
    """

    def __init__(self, in_dim: int, shape: tuple[int, int, int], base: int, cond_dim: int = 0,
                 refine: bool = False) -> None:
        super().__init__()
        c, self.h, self.w = shape
        n_down, self.bh, self.bw = geometry(self.h, self.w)
        chans = widths(base, n_down)[::-1]
        self.c0, self.cond_dim = chans[0], cond_dim
        self.fc = nn.Sequential(nn.Linear(in_dim + cond_dim, self.c0 * self.bh * self.bw),
                                nn.BatchNorm1d(self.c0 * self.bh * self.bw), nn.ReLU())
        self.stages = nn.ModuleList()
        prev = self.c0
        for ch in [*chans[1:], base]:
            layers: list[nn.Module] = [nn.ConvTranspose2d(prev + cond_dim, ch, 4, stride=2, padding=1),
                                       nn.BatchNorm2d(ch), nn.ReLU()]
            if refine:
                layers += [nn.Conv2d(ch, ch, 3, padding=1), nn.BatchNorm2d(ch), nn.ReLU()]
            self.stages.append(nn.Sequential(*layers))
            prev = ch
        self.out = nn.Conv2d(prev + cond_dim, c, 3, padding=1)

    def forward(self, v: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (pre-sigmoid), cropped: the VAE wants them for a stable BCE, the GAN applies sigmoid."""
        def with_planes(x: torch.Tensor) -> torch.Tensor:
            if not self.cond_dim:
                return x
            return torch.cat([x, cond[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])], dim=1)

        x = self.fc(torch.cat([v, cond], dim=1) if self.cond_dim else v).view(-1, self.c0, self.bh, self.bw)
        for stage in self.stages:
            x = stage(with_planes(x))
        return self.out(with_planes(x))[:, :, : self.h, : self.w]


# ---------------------------------------------------------------- auxiliary classifier
class AuxClassifier(nn.Module):
    """Small all-conv classifier the generators train on the real training images and then use as a
    loss on generated images (the decoder must draw the class it is given) and as a training monitor.

    Deliberately a different architecture (no batch norm, global pooling) and seed from the
    evaluation CNN (`evaluation.cnn.SmallCNN`), so validation agreement is not scored by the net the
    generator was optimised against.
    """

    def __init__(self, shape: tuple[int, int, int], n_classes: int, width: int = 16, pool: bool = False) -> None:
        super().__init__()
        c = shape[0]
        if pool:  # the check classifier's variant: 3×3 convs and max pooling, so it does not share the
            # aux net's blind spots (a generator fooling one net of an architecture often fools its twin)
            self.net = nn.Sequential(
                nn.Conv2d(c, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.ReLU(),
                nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(2 * width, n_classes))
            return
        if max(shape[1:]) > 16:  # four stages and global max pooling: the three-stage net below sees 12 px
            # at most and averages it, so on 28 px shapes it was 0.47 accurate on real test images after 400
            # updates (0.66 after 1,200): a teacher that weak steers the generator to the wrong class. This
            # one: 0.87 after 400 updates, 0.97 after 800, at the same cost per update.
            self.net = nn.Sequential(
                nn.Conv2d(c, width, 3, padding=1), nn.LeakyReLU(0.2),
                nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
                nn.Conv2d(2 * width, 4 * width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
                nn.Conv2d(4 * width, 4 * width, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
                nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(4 * width, n_classes))
            return
        # three cheap stages (about 3.5M multiply-adds per 28×28 image): it runs in every generator step
        self.net = nn.Sequential(
            nn.Conv2d(c, width, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 4 * width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(4 * width, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def jitter(x: torch.Tensor, max_shift: float = 0.1, max_rot: float = 10.0, noise: float = 0.03) -> torch.Tensor:
    """Random small shift + rotation + noise per image: the aux classifier must not key on exact pixels."""
    n = len(x)
    a = (torch.rand(n, device=x.device) * 2 - 1) * (max_rot * torch.pi / 180)
    theta = torch.zeros(n, 2, 3, device=x.device)
    theta[:, 0, 0], theta[:, 0, 1] = torch.cos(a), -torch.sin(a)
    theta[:, 1, 0], theta[:, 1, 1] = torch.sin(a), torch.cos(a)
    theta[:, :, 2] = (torch.rand(n, 2, device=x.device) * 2 - 1) * (2 * max_shift)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return (out + noise * torch.randn_like(out)).clamp(0.0, 1.0)


def train_aux_classifier(X: torch.Tensor, y: torch.Tensor, n_classes: int, steps: int,
                         batch_size: int = 64, lr: float = 2e-3, pool: bool = False,
                         jitter_scale: float = 1.0) -> AuxClassifier:
    """Fit an AuxClassifier on (jittered) real images for `steps` updates; returned frozen, in eval mode.

    The caller seeds torch around it. Cosine-decayed Adam: the net must be good, not just fit.
    `jitter_scale` scales the shift, rotation and noise of `jitter` (0: clean images, as the evaluation
    CNN trains; a net trained on resampled images also accepts a blurred square with rounded corners).
    """
    net = AuxClassifier(tuple(X.shape[1:]), n_classes, pool=pool).to(X.device)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, steps))
    bs = max(2, min(batch_size, len(X)))
    net.train()
    for _ in range(steps):
        idx = torch.randint(0, len(X), (bs,), device=X.device)
        xb = X[idx] if jitter_scale == 0 else jitter(X[idx], 0.1 * jitter_scale, 10.0 * jitter_scale,
                                                      0.03 * jitter_scale)
        loss = F.cross_entropy(net(xb), y[idx], label_smoothing=0.05)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def train_aux(X: torch.Tensor, y: torch.Tensor, n_classes: int, steps: int, batch_size: int,
              jitter_scale: float = 1.0) -> nn.Module | None:
    """The auxiliary classifier a generator trains against (None when `aux_steps` is 0)."""
    if steps <= 0:
        return None
    return train_aux_classifier(X, y, n_classes, steps, batch_size, jitter_scale=jitter_scale)


def train_check(X: torch.Tensor, y: torch.Tensor, n_classes: int, steps: int, batch_size: int,
                seed: int) -> tuple[nn.Module | None, float]:
    """(check classifier, its accuracy on held-out real images): a max-pooling net trained on a seeded
    80% of the images, scored on the other 20% (all images and NaN accuracy when a class has < 5)."""
    if steps <= 0:
        return None, float("nan")
    rng = np.random.default_rng(seed + 104729)
    y_np = y.cpu().numpy()
    held = np.zeros(len(y_np), dtype=bool)
    if np.bincount(y_np, minlength=n_classes).min() >= 5:
        for k in range(n_classes):
            idx = np.flatnonzero(y_np == k)
            held[rng.choice(idx, max(1, len(idx) // 5), replace=False)] = True
    fit = torch.as_tensor(np.flatnonzero(~held), device=X.device)
    net = train_aux_classifier(X[fit], y[fit], n_classes, steps, batch_size, pool=True)
    if not held.any():
        return net, float("nan")
    out = torch.as_tensor(np.flatnonzero(held), device=X.device)
    with torch.no_grad():
        acc = float((net(X[out]).argmax(dim=1) == y[out]).float().mean())
    return net, acc


def diff_augment(x: torch.Tensor, color: bool = True) -> torch.Tensor:
    """Differentiable augmentation (Zhao et al. 2020, "DiffAugment"): the same random brightness,
    contrast (and, for RGB, saturation) change, shift by up to 1/8 of the side and a cutout of half the
    side, applied to real and generated images before the critic sees them. With about a thousand
    images a critic memorises the real set and the generator collapses onto what still passes; the
    augmentations keep the critic from memorising without changing what the generator must draw
    (they apply to both sides, never to the samples)."""
    n, c, h, w = x.shape
    if color:
        x = x + (torch.rand(n, 1, 1, 1, device=x.device) - 0.5) * 0.5
        if c > 1:
            mean = x.mean(dim=1, keepdim=True)
            x = (x - mean) * (torch.rand(n, 1, 1, 1, device=x.device) * 2) + mean
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) * (torch.rand(n, 1, 1, 1, device=x.device) + 0.5) + mean
    sh, sw = int(h / 8 + 0.5), int(w / 8 + 0.5)
    b, gy, gx = torch.meshgrid(torch.arange(n, device=x.device), torch.arange(h, device=x.device),
                               torch.arange(w, device=x.device), indexing="ij")
    ty = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    tx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    padded = F.pad(x, [1, 1, 1, 1]).permute(0, 2, 3, 1)
    x = padded[b, (gy + ty + 1).clamp(0, h + 1), (gx + tx + 1).clamp(0, w + 1)].permute(0, 3, 1, 2)
    ch, cw = int(h / 2 + 0.5), int(w / 2 + 0.5)
    oy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)
    ox = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
    b, gy, gx = torch.meshgrid(torch.arange(n, device=x.device), torch.arange(ch, device=x.device),
                               torch.arange(cw, device=x.device), indexing="ij")
    mask = torch.ones(n, h, w, device=x.device, dtype=x.dtype)
    mask[b, (gy + oy - ch // 2).clamp(0, h - 1), (gx + ox - cw // 2).clamp(0, w - 1)] = 0
    return x * mask.unsqueeze(1)


def feature_distance(net: nn.Module, a: torch.Tensor, b: torch.Tensor, layers: int = 4) -> torch.Tensor:
    """Perceptual distance: squared difference of the frozen aux classifier's early activations (its
    first `layers` modules: two conv stages with their activations), summed per image and averaged over
    the batch. A pixel likelihood rewards blurred means (rounded corners, soft strokes); early conv
    features respond to edges and corners, so matching them pushes the decoder towards sharp shapes
    (Hou et al. 2017, "deep feature consistent VAE")."""
    head = net.net[:layers]
    return (head(a) - head(b)).pow(2).sum() / len(a)
