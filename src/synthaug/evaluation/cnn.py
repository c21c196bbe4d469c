"""A small CNN with the scikit-learn classifier interface, for image datasets.

It sits in the classifier zoo next to the flattened-pixel models and is also the reference
network for image fidelity (agreement, Fréchet features), so it must be quick on a CPU and seeded.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from synthaug.parallel import set_torch_threads
from synthaug.torchkit import resolve_device, seeded

log = logging.getLogger("synthaug")


def _network(shape: tuple[int, int, int], n_classes: int, width: int, feature_dim: int, dropout: float) -> Any:
    """Built inside a function so torch is imported only when a CNN is fitted (listing and preflight stay fast)."""
    import torch
    from torch import nn

    c, h, w = shape

    def block(cin: int, cout: int, pool: bool) -> list[nn.Module]:
        layers = [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                  nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
        return layers + ([nn.MaxPool2d(2)] if pool else [])

    class Net(nn.Module):
        """Two conv blocks, adaptive pooling to 2×2 (any input size), a feature layer, a linear head."""

        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(*block(c, width, min(h, w) >= 4), *block(width, 2 * width, min(h, w) >= 8),
                                      nn.AdaptiveAvgPool2d(2), nn.Flatten(),
                                      nn.Linear(8 * width, feature_dim), nn.ReLU())
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(feature_dim, n_classes))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.body(x))

    return Net()


class SmallCNN(ClassifierMixin, BaseEstimator):
    """Seeded conv net on N×C×H×W float arrays in [0, 1] (2-D rows are reshaped with `image_shape`).

    Trains for `epochs`, or more when the training set is small: at least `min_steps` optimiser
    steps, so a 10% learning-curve point is not judged on a handful of updates.
    """

    def __init__(self, epochs: int = 15, batch_size: int = 64, lr: float = 2e-3, weight_decay: float = 1e-4,
                 width: int = 32, feature_dim: int = 64, dropout: float = 0.25, min_steps: int = 300,
                 image_shape: tuple[int, ...] | None = None, device: str = "auto",
                 num_threads: int | None = None, random_state: int | None = 0, verbose: bool = False) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.width = width
        self.feature_dim = feature_dim
        self.dropout = dropout
        self.min_steps = min_steps
        self.image_shape = image_shape
        self.device = device
        self.num_threads = num_threads
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------ data
    def _images(self, X: Any) -> np.ndarray:
        """N×C×H×W float32; flat rows (the zoo's tabular view of images) are folded back."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim == 4:
            return X
        if X.ndim == 3:
            return X[:, None]
        if X.ndim == 2:
            if self.image_shape is not None:
                return X.reshape(len(X), *self.image_shape)
            side = int(round(math.sqrt(X.shape[1])))
            if side * side == X.shape[1]:
                return X.reshape(len(X), 1, side, side)
        raise ValueError(f"SmallCNN expects N×C×H×W images (or flat rows with image_shape set), got {X.shape}")

    # ------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any) -> SmallCNN:
        """Seeded under the process-wide RNG lock (`torchkit.seeded`): the same seed gives the same net in
        any driver, even beside generator fits in other threads."""
        import torch

        X = self._images(X)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"SmallCNN needs at least two classes, got {self.classes_.tolist()}")
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        self.device_ = resolve_device(self.device)
        set_torch_threads(self.num_threads)
        seed = 0 if self.random_state is None else int(self.random_state)
        with seeded(seed):
            self.model_ = _network(self.input_shape_, len(self.classes_), self.width, self.feature_dim,
                                   self.dropout).to(self.device_)
            self._train(torch.as_tensor(X, device=self.device_),
                        torch.as_tensor(np.searchsorted(self.classes_, y), dtype=torch.long, device=self.device_))
        self.model_.eval()
        return self

    def _train(self, X: Any, y: Any) -> None:
        """AdamW with a one-cycle schedule: a short, fixed budget that converges without tuning per dataset."""
        import torch
        import torch.nn.functional as F

        bs = max(2, min(int(self.batch_size), len(X)))
        epochs, steps_per_epoch = self.schedule(len(X))
        opt = torch.optim.AdamW(self.model_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.lr, total_steps=epochs * steps_per_epoch)
        self.history_: list[float] = []
        for epoch in range(epochs):
            self.model_.train()
            perm = torch.randperm(len(X), device=X.device)
            total = 0.0
            for i in range(steps_per_epoch):  # drop the ragged last batch: batch norm dislikes a batch of one
                idx = perm[i * bs:(i + 1) * bs]
                loss = F.cross_entropy(self.model_(X[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss.detach())
            self.history_.append(total / steps_per_epoch)
            if self.verbose:
                log.info("SmallCNN epoch %d/%d loss=%.4f", epoch + 1, epochs, self.history_[-1])
        self.n_epochs_ = epochs

    def schedule(self, n: int) -> tuple[int, int]:
        """(epochs, updates per epoch) for `n` training images; the dry-run estimate uses it too."""
        steps_per_epoch = max(1, n // max(2, min(int(self.batch_size), n)))
        return max(int(self.epochs), math.ceil(int(self.min_steps) / steps_per_epoch)), steps_per_epoch

    # ------------------------------------------------------------ predict
    def _forward(self, X: Any, features: bool = False) -> np.ndarray:
        """Logits (or penultimate features) in batches of 2048, so scoring a large test set fits in memory."""
        import torch

        check_is_fitted(self, "model_")
        X = self._images(X)
        outs = []
        self.model_.eval()
        with torch.no_grad():
            for start in range(0, len(X), 2048):
                xb = torch.as_tensor(X[start:start + 2048], device=self.device_)
                out = self.model_.body(xb) if features else self.model_(xb)
                outs.append(out.float().cpu().numpy())
        width = self.feature_dim if features else len(self.classes_)
        return np.concatenate(outs) if outs else np.zeros((0, width), dtype=np.float32)

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits; for two classes the logit difference, as scikit-learn's ROC AUC expects."""
        logits = self._forward(X)
        return logits[:, 1] - logits[:, 0] if len(self.classes_) == 2 else logits

    def predict_proba(self, X: Any) -> np.ndarray:
        """Softmax of the logits, in float64 so the probabilities of a row sum to 1 within 1e-15."""
        return softmax(self._forward(X).astype(np.float64), axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The class of the largest logit, in the original label type."""
        return self.classes_[np.argmax(self._forward(X), axis=1)]

    def transform_features(self, X: Any) -> np.ndarray:
        """Penultimate-layer activations: the feature space for Fréchet distances between image sets."""
        return self._forward(X, features=True)
