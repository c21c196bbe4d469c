"""Cost model of the torch image generators for dry-run estimates: planned updates and measured unit costs.

Apart from the nets (`image_nets`) and the generator template (`image_base`) because it needs both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from synthaug.generators.image_base import TorchImageGenerator
from synthaug.generators.image_nets import train_aux_classifier


def fit_plan(gen: TorchImageGenerator, shape: tuple[int, ...], n_classes: int, n_train: int) -> dict[str, int]:
    """Updates a fit of `gen` (unfitted, configured) will make on `n_train` images of `shape`."""
    gen.image_shape_ = tuple(int(s) for s in shape)
    gen.classes_ = np.arange(n_classes)
    gen.hp_ = gen._resolve(n_train)
    val = float(gen.hp_.get("val_fraction", 0.0) or 0.0)
    n_fit = n_train - (int(round(n_train * val)) if val > 0 and round(n_train * val) >= 2 else 0)
    epochs, per_epoch = gen.schedule(max(2, n_fit))
    every = int(gen.hp_["monitor_every"])
    # "aux_steps" counts the check classifier's updates too (a net of about the same cost)
    return {"epochs": epochs, "steps": epochs * per_epoch, "aux_steps": int(gen.hp_["aux_steps"]) + gen._check_steps(),
            "monitors": (epochs // every if every else 0) + 1}


def measure_step_costs(gen_cls: type[TorchImageGenerator], params: dict[str, Any], X: np.ndarray,
                       y: np.ndarray, probe: tuple[int, int] = (5, 25)) -> dict[str, float]:
    """CPU seconds per generator update, per aux-classifier update, per agreement check and fixed per
    fit, with real images: two short fits differing only in `steps`. CPU time, not wall time, so a
    busy machine does not inflate the unit costs (the caller scales by the CPU share it expects)."""
    quiet = {"monitor_every": 0, "min_agreement": 0.0, "epochs": None, "aux_steps": 2, "check_steps": 0}
    times, gen = [], None
    for steps in (1, *probe):  # the first fit pays one-off warm-up (allocator, kernels): not timed
        gen = gen_cls(random_state=0, **{**params, **quiet, "steps": steps})
        times.append(_cpu_seconds(lambda g=gen: g.fit(X, y)))
    times = times[1:]
    per_step = max(0.0, (times[1] - times[0]) / (probe[1] - probe[0]))
    Xt, yt = torch.as_tensor(X), torch.as_tensor(np.searchsorted(gen.classes_, y), dtype=torch.long)
    aux_step = _cpu_seconds(lambda: train_aux_classifier(Xt, yt, len(gen.classes_), 10,
                                                         int(gen.hp_["batch_size"]))) / 10
    return {"step": per_step, "aux_step": aux_step, "monitor": _cpu_seconds(gen._agreement),
            "fixed": max(0.0, times[0] - probe[0] * per_step - 2 * aux_step)}


def _cpu_seconds(fn: Callable[[], Any]) -> float:
    """CPU time of `fn` in this process, with the synthaug log quieted (probe fits log every epoch)."""
    import time

    log = logging.getLogger("synthaug")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        start = time.process_time()
        fn()
        return time.process_time() - start
    finally:
        log.setLevel(level)
