"""Shared plumbing for the torch image generators: labels, devices, conv shapes, save/load, sampling.

Kept apart from the models so the VAE and GAN modules hold only what differs between them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from synthaug.generators.base import BaseGenerator, class_counts_for, label_counts

log = logging.getLogger("synthaug")


def resolve_device(device: str | None) -> str:
    """`auto` means CUDA when torch sees a GPU, else CPU."""
    import torch

    if device in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        log.warning("device 'cuda' requested but torch sees no GPU; using the CPU")
        return "cpu"
    return str(device)


def check_images(X: Any, y: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Generators take float arrays N×C×H×W in [0, 1]; anything else is a caller bug worth a clear message."""
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y)
    if X.ndim != 4:
        raise ValueError(f"{who} expects images N×C×H×W, got an array of shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"{who}: {len(X)} images but {len(y)} labels")
    if len(X) == 0:
        raise ValueError(f"{who}: no training images")
    return X, y


def geometry(h: int, w: int) -> tuple[int, int, int]:
    """(n_down, base_h, base_w): stride-2 stages so the smallest side ends near 2, capped at 4 stages.

    Inputs are zero-padded to (base_h·2^n, base_w·2^n) and decoder outputs cropped back, so any size works.
    """
    n_down = max(1, min(4, int(math.floor(math.log2(max(min(h, w), 2) / 2)))))
    f = 2**n_down
    return n_down, math.ceil(h / f), math.ceil(w / f)


def labels_to_json(classes: np.ndarray) -> dict[str, Any]:
    return {"classes": [c.item() if isinstance(c, np.generic) else c for c in classes],
            "label_dtype": str(classes.dtype)}


def labels_from_json(doc: dict[str, Any]) -> np.ndarray:
    return np.array(doc["classes"], dtype=np.dtype(doc["label_dtype"]))


class TorchImageGenerator(BaseGenerator):
    """Base for generators whose fitted state is one torch module plus JSON-able metadata.

    Subclasses define `defaults`, `_build()` (the module for the fitted shape and classes),
    `_train(X, y_idx)` (fills `model_` and `history_`) and `_decode(y_idx, gen)` (images for labels).
    `on_epoch` may be set to a callable(epoch, epochs, losses) for progress displays (a Prefect
    progress artifact, a bar); it is not a hyperparameter and is never saved.
    """

    kinds: ClassVar[tuple[str, ...]] = ("images",)
    defaults: ClassVar[dict[str, Any]] = {}
    on_epoch: Callable[[int, int, dict[str, float]], None] | None = None

    # ------------------------------------------------------------ fit
    def fit(self, X: Any, y: np.ndarray, columns: dict[str, str] | None = None) -> TorchImageGenerator:
        import torch

        X, y = check_images(X, y, self.name)
        self.classes_ = np.unique(y)
        self.class_counts_ = label_counts(y)
        self.image_shape_ = tuple(int(s) for s in X.shape[1:])
        self.device_ = resolve_device(self.p("device"))
        if self.p("num_threads"):
            torch.set_num_threads(int(self.p("num_threads")))
        y_idx = np.searchsorted(self.classes_, y)
        self.history_: list[dict[str, float]] = []
        self._train(X, y_idx)
        self.model_.eval()
        return self

    def _train(self, X: np.ndarray, y_idx: np.ndarray) -> None:
        raise NotImplementedError

    def _build(self) -> Any:
        raise NotImplementedError

    def _decode(self, y_idx: Any, gen: Any) -> Any:
        raise NotImplementedError

    def _log_epoch(self, epoch: int, epochs: int, losses: dict[str, float]) -> None:
        self.history_.append({"epoch": epoch, **losses})
        text = " ".join(f"{k}={v:.4f}" for k, v in losses.items())
        log.info("%s epoch %d/%d %s", self.name, epoch, epochs, text)
        if self.on_epoch is not None:
            self.on_epoch(epoch, epochs, losses)

    # ------------------------------------------------------------ sample
    def sample(self, n: int, class_counts: dict[Any, int] | None = None,
               random_state: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Decode `class_counts` (default: the training mix) with an explicit seeded torch generator."""
        import torch

        self.check_fitted()
        seed = self.random_state if random_state is None else random_state
        wanted = class_counts or class_counts_for("match", n, self.class_counts_)
        known = set(self.classes_.tolist())
        unknown = [c for c, k in wanted.items() if k > 0 and c not in known]
        if unknown:
            raise ValueError(f"{self.name}: cannot sample classes {unknown} absent from the training labels")
        labels = [c for c, k in wanted.items() for _ in range(int(k))]
        y = np.array(labels, dtype=self.classes_.dtype) if labels else self.classes_[:0]
        if len(y) == 0:
            return np.zeros((0, *self.image_shape_), dtype=np.float32), y
        y_idx = torch.as_tensor(np.searchsorted(self.classes_, y), dtype=torch.long)
        gen = torch.Generator(device=self.device_).manual_seed(int(seed))
        outs = []
        self.model_.eval()
        with torch.no_grad():
            for start in range(0, len(y_idx), 1024):
                outs.append(self._decode(y_idx[start:start + 1024].to(self.device_), gen).float().cpu())
        X = torch.cat(outs).clamp(0.0, 1.0).numpy().astype(np.float32)
        return X, y

    # ------------------------------------------------------------ persistence
    def save(self, path: Path) -> None:
        """`state_dict` as tensors (`model.pt`) plus `params.json`; no pickled Python objects."""
        import torch

        self.check_fitted()
        path = Path(path)
        counts = [[k.item() if isinstance(k, np.generic) else k, v] for k, v in self.class_counts_.items()]
        self._write_params(path, {**labels_to_json(self.classes_), "class_counts": counts,
                                  "image_shape": list(self.image_shape_), "history": self.history_})
        state = {k: v.detach().cpu() for k, v in self.model_.state_dict().items()}
        torch.save(state, path / "model.pt")

    @classmethod
    def load(cls, path: Path) -> TorchImageGenerator:
        import torch

        path = Path(path)
        gen, doc = cls._restore(path)
        gen.classes_ = labels_from_json(doc)
        gen.class_counts_ = {gen.classes_.dtype.type(k).item(): int(v) for k, v in doc["class_counts"]}
        gen.image_shape_ = tuple(doc["image_shape"])
        gen.history_ = doc.get("history", [])
        gen.device_ = resolve_device(gen.p("device"))
        model = gen._build()
        model.load_state_dict(torch.load(path / "model.pt", map_location=gen.device_, weights_only=True))
        gen.model_ = model.to(gen.device_).eval()
        return gen
