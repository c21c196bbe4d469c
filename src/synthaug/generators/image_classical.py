"""Classical image augmentation (`classical_augment`): small shifts, rotations and pixel noise.

The baseline every image generator must beat: it learns nothing, it perturbs training images of the
requested class. Not generative (quality gates do not apply; its samples are near-copies by design).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from synthaug.generators import register_generator
from synthaug.generators.base import BaseGenerator, read_array, write_array
from synthaug.generators.image_base import check_images

__all__ = ["ClassicalAugment", "augment_images"]


@register_generator("classical_augment",
                    description="classical image augmentation: small shifts, rotations, noise")
class ClassicalAugment(BaseGenerator):
    """Random affine jitter (shift up to `max_shift` of the side, rotation up to `max_rotation` degrees)
    plus Gaussian noise of `noise_std`, clipped to [0, 1]. `fit` only stores the training images."""

    kinds: ClassVar[tuple[str, ...]] = ("images",)
    generative: ClassVar[bool] = False
    # `device` is accepted (the runner passes runtime.device to every image generator) and unused: numpy/CPU
    defaults: ClassVar[dict[str, Any]] = {"max_shift": 0.125, "max_rotation": 15.0, "noise_std": 0.03,
                                          "device": "auto"}

    def _fit(self, X: Any, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        self.X_, self.y_ = check_images(X, y, self.name)
        self.image_shape_ = tuple(int(s) for s in self.X_.shape[1:])
        self.history_: list[dict[str, float]] = []

    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        picks: list[np.ndarray] = []
        for c, k in class_counts.items():
            if k <= 0:
                continue
            pool = np.flatnonzero(self.y_ == c)
            if len(pool) == 0:
                raise ValueError(f"{self.name}: cannot sample class {c!r} absent from the training labels")
            picks.append(rng.choice(pool, size=int(k), replace=True))
        if not picks:
            return np.zeros((0, *self.image_shape_), dtype=np.float32), self.y_[:0]
        idx = np.concatenate(picks)
        X = augment_images(self.X_[idx], rng, float(self.p("max_shift")), float(self.p("max_rotation")),
                           float(self.p("noise_std")))
        return X, self.y_[idx]

    def _save_state(self, path: Path) -> dict[str, Any]:
        np.save(path / "X.npy", self.X_, allow_pickle=False)
        write_array(path, "y", self.y_)
        return {}

    def _load_state(self, path: Path, state: dict[str, Any]) -> None:
        self.X_ = np.load(path / "X.npy")
        self.y_ = read_array(path, "y").astype(self.label_dtype_)
        self.image_shape_ = tuple(int(s) for s in self.X_.shape[1:])
        self.history_ = []


def augment_images(X: np.ndarray, rng: np.random.Generator, max_shift: float, max_rotation: float,
                   noise_std: float) -> np.ndarray:
    """Rotate and shift each image by a random small affine map (bilinear, zero fill), then add noise.

    Written on torch's `affine_grid`/`grid_sample` because torchvision is not available here.
    """
    import torch
    import torch.nn.functional as F

    n = len(X)
    angle = np.deg2rad(rng.uniform(-max_rotation, max_rotation, n))
    # affine_grid works in [-1, 1] coordinates: a shift of s·side pixels is 2·s there
    shift = rng.uniform(-max_shift, max_shift, (n, 2)) * 2.0
    theta = np.zeros((n, 2, 3), dtype=np.float32)
    theta[:, 0, 0], theta[:, 0, 1] = np.cos(angle), -np.sin(angle)
    theta[:, 1, 0], theta[:, 1, 1] = np.sin(angle), np.cos(angle)
    theta[:, :, 2] = shift
    x = torch.as_tensor(np.ascontiguousarray(X, dtype=np.float32))
    grid = F.affine_grid(torch.as_tensor(theta), list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False).numpy()
    if noise_std > 0:
        out = out + rng.normal(0.0, noise_std, out.shape).astype(np.float32)
    return np.clip(out, 0.0, 1.0).astype(np.float32)

