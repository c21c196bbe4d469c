"""Classical image augmentation (`classical_augment`): small shifts, rotations and pixel noise.

The baseline every image generator must beat: it learns nothing, it perturbs training images of the
requested class. Not generative (quality gates do not apply; its samples are near-copies by design).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from synthaug.generators.base import BaseGenerator, class_counts_for, label_counts
from synthaug.generators.image_base import check_images, labels_from_json, labels_to_json

__all__ = ["ClassicalAugment", "augment_images"]


class ClassicalAugment(BaseGenerator):
    """Random affine jitter (shift up to `max_shift` of the side, rotation up to `max_rotation` degrees)
    plus Gaussian noise of `noise_std`, clipped to [0, 1]. `fit` only stores the training images."""

    name = "classical_augment"
    kinds: ClassVar[tuple[str, ...]] = ("images",)
    generative: ClassVar[bool] = False
    # `device` is accepted (the runner passes runtime.device to every image generator) and unused: numpy/CPU
    defaults: ClassVar[dict[str, Any]] = {"max_shift": 0.125, "max_rotation": 15.0, "noise_std": 0.03,
                                          "device": "auto"}

    def fit(self, X: Any, y: np.ndarray, columns: dict[str, str] | None = None) -> ClassicalAugment:
        self.X_, self.y_ = check_images(X, y, self.name)
        self.classes_ = np.unique(self.y_)
        self.class_counts_ = label_counts(self.y_)
        self.image_shape_ = tuple(int(s) for s in self.X_.shape[1:])
        self.history_: list[dict[str, float]] = []
        return self

    def sample(self, n: int, class_counts: dict[Any, int] | None = None,
               random_state: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        self.check_fitted()
        seed = self.random_state if random_state is None else random_state
        rng = np.random.default_rng(seed)
        wanted = class_counts or class_counts_for("match", n, self.class_counts_)
        picks: list[np.ndarray] = []
        for c, k in wanted.items():
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

    def save(self, path: Path) -> None:
        self.check_fitted()
        path = Path(path)
        self._write_params(path, labels_to_json(self.classes_))
        np.save(path / "X.npy", self.X_, allow_pickle=False)
        if self.y_.dtype.kind == "O":
            (path / "y.json").write_text(json.dumps(self.y_.tolist()))
        else:
            np.save(path / "y.npy", self.y_, allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> ClassicalAugment:
        path = Path(path)
        gen, doc = cls._restore(path)
        y = np.load(path / "y.npy") if (path / "y.npy").exists() else \
            np.array(json.loads((path / "y.json").read_text()), dtype=labels_from_json(doc).dtype)
        return gen.fit(np.load(path / "X.npy"), y)


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

