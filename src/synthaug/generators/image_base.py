"""Shared plumbing for the torch image generators: labels, devices, conv shapes, size-aware defaults,
the auxiliary classifier that keeps them conditional, progress hooks, save/load, sampling.

Kept apart from the models so the VAE and GAN modules hold only what differs between them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from synthaug.errors import DataError
from synthaug.generators.base import BaseGenerator, seeded
from synthaug.generators.image_defaults import size_defaults
from synthaug.generators.params import OneOf, Range
from synthaug.parallel import set_torch_threads
from synthaug.torchkit import TRAINING_IMPORTS, resolve_device

log = logging.getLogger("synthaug")

# Largest image side the torch generators accept. Above it a CPU fit takes hours and these small
# DCGAN-style stacks do not model photos well; resizing to 32 or 64 px is the documented path.
MAX_SIDE = 64
MAX_EPOCHS = 60  # logged epochs per fit when training by `steps` (see `TorchImageGenerator.schedule`)
EpochHook = Callable[[str, int, int, dict[str, float]], None]
EPOCH_HOOKS: list[EpochHook] = []


def add_epoch_hook(hook: EpochHook) -> Callable[[], None]:
    """Call `hook(generator_name, epoch, epochs, losses)` after every epoch of every torch image fit in
    this process (e.g. to update a Prefect progress artifact); returns a function that removes it."""
    EPOCH_HOOKS.append(hook)
    return lambda: EPOCH_HOOKS.remove(hook) if hook in EPOCH_HOOKS else None


def check_images(X: Any, y: Any, who: str, max_side: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Generators take float arrays N×C×H×W in [0, 1]; anything else is a caller bug worth a clear message."""
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y)
    if X.ndim != 4:
        raise ValueError(f"{who} expects images N×C×H×W, got an array of shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"{who}: {len(X)} images but {len(y)} labels")
    if len(X) == 0:
        raise ValueError(f"{who}: no training images")
    if max_side and max(X.shape[2:]) > max_side:
        raise DataError(f"{who} takes images up to {max_side} px per side, got {X.shape[2]}×{X.shape[3]}; "
                        f"resize them when loading (dataset.image_size: [32, 32], or [{max_side}, {max_side}] "
                        "at about 4× the fit time) or use classical_augment, which takes any size")
    return X, y


class TorchImageGenerator(BaseGenerator):
    """Base for generators whose fitted state is one torch module plus JSON-able metadata.

    Subclasses define `defaults`, `_build()` (the module for the fitted shape and classes),
    `_train(X, y_idx)` (fills `model_` and `history_`) and `_decode(y_idx, gen)` (images for labels);
    the `_fit`/`_sample` hooks of the `BaseGenerator` template are written here once for both.
    Hyperparameters left at None are derived from the data (`size_defaults`); the values used are in
    `hp_` and saved. Before training, an auxiliary classifier (`aux_`, not saved) is fitted on the real
    images: it scores every epoch's samples ("agreement" in `history_`, a warning when it stays below
    `min_agreement`) and, with `aux_weight` > 0, is a loss that makes the model draw the asked class.
    `on_epoch` may be set to a callable(epoch, epochs, losses) for progress displays (a Prefect
    progress artifact, a bar); it is not a hyperparameter and is never saved. See also `add_epoch_hook`.
    """

    kinds: ClassVar[tuple[str, ...]] = ("images",)
    defaults: ClassVar[dict[str, Any]] = {}
    size_prefix: ClassVar[str] = ""  # this model's own entries in `size_defaults` ("vae", "gan")
    fit_imports: ClassVar[tuple[str, ...]] = TRAINING_IMPORTS
    ema_attr: ClassVar[str] = ""  # the submodule of `model_` that draws samples (averaged when `ema` > 0)
    ema_: Any = None  # `image_ema.SamplerEma` during and after a fit with `ema` > 0 (not saved)
    _derived = Range(1, integer=True, allow_none=True)  # None: derived from the data (`size_defaults`)
    ranges: ClassVar[dict[str, Any]] = {
        "epochs": _derived, "steps": _derived, "latent_dim": _derived, "base_channels": _derived,
        "aux_steps": Range(0, integer=True, allow_none=True), "check_steps": Range(0, integer=True, allow_none=True),
        "patience": Range(0, integer=True),
        "aux_weight": Range(0, allow_none=True), "aux_warmup": Range(0, 1, allow_none=True),
        "latent_adversary": Range(0, allow_none=True), "mode_seeking": Range(0),
        "ac_weight": Range(0, allow_none=True), "perceptual": Range(0, allow_none=True),
        "kl_warmup": Range(0, 1), "free_bits": Range(0),
        "minibatch_std": OneOf((None, True, False)), "diff_augment": OneOf((None, True, False)),
        "min_agreement": Range(0, 1), "ema": Range(0, 1, allow_none=True), "aux_jitter": Range(0),
        "loss": OneOf(("logistic", "hinge")), "d_steps": Range(1, integer=True),
        "critic_channels": Range(1, integer=True, allow_none=True),
        "critic_width": Range(1, integer=True, allow_none=True),
        "monitor_every": Range(0, integer=True)}
    on_epoch: Callable[[int, int, dict[str, float]], None] | None = None

    # ------------------------------------------------------------ fit
    def _fit(self, X: Any, y: np.ndarray, column_kinds: dict[str, str]) -> None:
        import torch

        from synthaug.generators.image_nets import train_aux, train_check

        X, y = check_images(X, y, self.name, MAX_SIDE)
        self.image_shape_ = tuple(int(s) for s in X.shape[1:])
        self.device_ = resolve_device(self.p("device"))
        self.hp_ = self._resolve(len(X))
        set_torch_threads(self.p("num_threads"))
        y_idx = np.searchsorted(self.classes_, y)
        self.history_: list[dict[str, float]] = []
        Xt = torch.as_tensor(X, device=self.device_)
        yt = torch.as_tensor(y_idx, dtype=torch.long, device=self.device_)
        with seeded(self.random_state + 7919):  # the aux net's own stream: changing it leaves the model's alone
            self.aux_ = train_aux(Xt, yt, len(self.classes_), int(self.q("aux_steps")), int(self.q("batch_size")),
                                  float(self.q("aux_jitter")))
        with seeded(self.random_state + 104729):  # the check net: another seed, split and architecture
            self.check_, self.check_accuracy_ = train_check(Xt, yt, len(self.classes_), self._check_steps(),
                                                            int(self.q("batch_size")), self.random_state)
        with seeded(self.random_state):
            self._train(Xt, yt)
        if self.ema_ is not None:  # sample from the averaged weights from here on (and save those)
            self.ema_.swap(self)
        self.model_.eval()
        self._check_agreement()

    def q(self, key: str) -> Any:
        """A resolved hyperparameter: configured, else derived from the data, else the declared default."""
        return self.hp_[key]

    def _resolve(self, n_images: int) -> dict[str, Any]:
        """Each unset hyperparameter from `size_defaults`: the model's own entry (`<size_prefix>_<key>`,
        e.g. `gan_steps`) where there is one, else the shared one (`steps`)."""
        derived = size_defaults(self.image_shape_, n_images)
        own = f"{self.size_prefix}_"
        derived |= {k.removeprefix(own): v for k, v in derived.items() if self.size_prefix and k.startswith(own)}
        hp = {k: self.p(k) for k in self.defaults}
        return {k: derived[k] if v is None and k in derived else v for k, v in hp.items()}

    def schedule(self, n_train: int) -> tuple[int, int]:
        """(epochs, updates per epoch). Configured `epochs` are passes over the data; otherwise `steps`
        updates are split into at most `MAX_EPOCHS` logged epochs of equal size, so a 10% fraction's
        thousand updates do not pay per-epoch overhead (validation, logging, hooks) a thousand times,
        and every epoch costs the same (the dry-run estimate and progress bars rely on that)."""
        per_pass = max(1, math.ceil(n_train / self.batch_size_for(n_train)))
        if self.q("epochs"):
            return int(self.q("epochs")), per_pass
        total = int(self.q("steps"))
        per_epoch = max(per_pass, math.ceil(total / MAX_EPOCHS))
        return max(1, math.ceil(total / per_epoch)), per_epoch

    def batch_size_for(self, n_train: int) -> int:
        return max(2, min(int(self.q("batch_size")), n_train))

    def batches(self, n_train: int, per_epoch: int) -> Any:
        """`per_epoch` index batches of equal size from back-to-back shuffles of the training rows."""
        import torch

        bs = self.batch_size_for(n_train)
        need = per_epoch * bs
        perm = torch.cat([torch.randperm(n_train) for _ in range(math.ceil(need / n_train))])[:need]
        return perm.view(per_epoch, bs).to(self.device_)

    def _monitor_labels(self) -> Any:
        import torch

        k = len(self.classes_)
        return torch.arange(k, device=self.device_).repeat(max(4, 256 // k))

    def _check_steps(self) -> int:
        """Updates of the check classifier: `check_steps`, else as many as the aux classifier's."""
        steps = self.q("check_steps")
        return int(self.q("aux_steps") if steps is None else steps)

    def _agreement(self, net: Any = None) -> float:
        """Share of a fixed, seeded batch of samples (every class alike) that `net` (default: the aux
        classifier, the training-time monitor) assigns to their class."""
        import torch

        net = getattr(self, "aux_", None) if net is None else net
        if net is None:
            return float("nan")
        y = self._monitor_labels()
        gen = torch.Generator(device=self.device_).manual_seed(int(self.random_state) + 1)
        was_training = self.model_.training
        self.model_.eval()
        with torch.no_grad():
            pred = net(self._decode(y, gen).float()).argmax(dim=1)
        self.model_.train(was_training)
        return float((pred == y).float().mean())

    def _check_agreement(self) -> None:
        """Warn when the samples do not look like their class to a classifier the model never trained against.

        The aux classifier is a loss: a generator that cannot draw the images learns to fool it (28 px
        shapes: 0.75 aux agreement vs 0.34 on the evaluation CNN), so its agreement cannot raise the
        alarm. The check classifier (`check_`: its own seed, max-pooling architecture, trained on 80% of
        the real images and scored on the other 20% for `check_accuracy_`) judges the final samples.
        """
        recent = [h["agreement"] for h in self.history_[-3:] if "agreement" in h]
        self.aux_agreement_ = float(np.mean(recent)) if recent else float("nan")
        check = getattr(self, "check_", None)
        self.agreement_ = self._agreement(check) if check is not None else self.aux_agreement_
        if self.history_ and check is not None:
            self.history_[-1]["check_agreement"] = self.agreement_
            self.history_[-1]["check_accuracy"] = self.check_accuracy_
        floor = float(self.q("min_agreement"))
        acc = getattr(self, "check_accuracy_", float("nan"))
        if check is not None and not math.isnan(acc):
            if acc < 0.5:
                log.warning("%s: the check classifier is only %.2f accurate on held-out real images, so sample "
                            "agreement (%.2f) says little; give it more check_steps", self.name, acc, self.agreement_)
                return
            floor *= min(1.0, acc)  # calibrated: samples cannot look more like their class than real images do
        if math.isnan(self.agreement_) or self.agreement_ >= floor:
            return
        judge = ("the auxiliary classifier" if check is None else
                 f"a check classifier it never trained against ({acc:.2f} accurate on held-out "
                 f"real images; the auxiliary classifier it trained against says {self.aux_agreement_:.2f})")
        log.warning("%s: only %.2f of its samples look like their conditioning class to %s (threshold %.2f: "
                    "min_agreement × the check's accuracy): the model ignores its labels or does not draw the "
                    "images yet. Try more steps, more base_channels or a larger aux_weight",
                    self.name, self.agreement_, judge, floor)

    def _train(self, X: np.ndarray, y_idx: np.ndarray) -> None:
        raise NotImplementedError

    def _ema_start(self) -> None:
        """Called by `_train` once `model_` is built: an averaged copy of the sampler when `ema` > 0."""
        from synthaug.generators.image_ema import SamplerEma

        decay = float(self.q("ema") or 0.0)
        self.ema_ = SamplerEma(getattr(self.model_, self.ema_attr), self.ema_attr, decay) if decay > 0 else None

    def _ema_step(self) -> None:
        """Called by `_train` after every optimiser step of the sampler."""
        if self.ema_ is not None:
            self.ema_.update(getattr(self.model_, self.ema_attr))

    def _build(self) -> Any:
        raise NotImplementedError

    def _decode(self, y_idx: Any, gen: Any) -> Any:
        raise NotImplementedError

    def _log_epoch(self, epoch: int, epochs: int, losses: dict[str, float], monitor: bool = True) -> None:
        """History, a log line, the hooks; agreement is measured on the last epoch and every
        `monitor_every`-th (a batch of 256 samples: cheap, but not free on 32 px images)."""
        every = int(self.q("monitor_every"))
        if monitor and (epoch == epochs or (every and epoch % every == 0)):
            losses = {**losses, "agreement": self._agreement()}
        self.history_.append({"epoch": epoch, **losses})
        text = " ".join(f"{k}={v:.4f}" for k, v in losses.items())
        log.info("%s epoch %d/%d %s", self.name, epoch, epochs, text)
        for hook in [*EPOCH_HOOKS, *([self.on_epoch] if self.on_epoch is not None else [])]:
            try:
                hook(self.name, epoch, epochs, losses) if hook in EPOCH_HOOKS else hook(epoch, epochs, losses)
            except Exception as exc:  # noqa: BLE001 - a broken progress display must not kill a fit
                log.warning("%s: epoch hook %r failed: %s", self.name, hook, exc)

    # ------------------------------------------------------------ sample
    def _sample(self, class_counts: dict[Any, int], seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Decode `class_counts` with an explicit seeded torch generator (the global RNG is untouched)."""
        import torch

        known = set(self.classes_.tolist())
        unknown = [c for c, k in class_counts.items() if k > 0 and c not in known]
        if unknown:
            raise ValueError(f"{self.name}: cannot sample classes {unknown} absent from the training labels")
        labels = [c for c, k in class_counts.items() for _ in range(int(k))]
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
    def _save_state(self, path: Path) -> dict[str, Any]:
        """`state_dict` as tensors (`model.pt`); shape, history and resolved hyperparameters as JSON.
        No pickled Python objects."""
        import torch

        state = {k: v.detach().cpu() for k, v in self.model_.state_dict().items()}
        torch.save(state, path / "model.pt")
        return {"image_shape": list(self.image_shape_), "history": self.history_, "resolved": self.hp_}

    def _load_state(self, path: Path, state: dict[str, Any]) -> None:
        import torch

        self.image_shape_ = tuple(state["image_shape"])
        self.history_ = state.get("history", [])
        self.device_ = resolve_device(self.p("device"))
        self.hp_ = {**self._resolve(0), **state["resolved"]}
        model = self._build()
        model.load_state_dict(torch.load(path / "model.pt", map_location=self.device_, weights_only=True))
        self.model_ = model.to(self.device_).eval()
