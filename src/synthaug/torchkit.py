"""Seeding and device choice shared by every torch (and SDV) fit: the generators and the evaluation CNN.

It sits below both `generators` and `evaluation` so neither imports the other for plumbing; it imports
no project module. Thread counts live in `synthaug.parallel`.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Iterator

import numpy as np

log = logging.getLogger("synthaug")

# Fits of SDV and torch models draw from process-global RNGs; in a thread pool two fits at once
# would interleave draws and break "same config, same numbers". One lock per process keeps each
# seeded section whole; the process task runner gives real parallel fits.
GLOBAL_RNG_LOCK = threading.RLock()
# What a torch training loop imports by its first step (`fit_imports` of the torch-trained generators):
# torch's optimisers import `torch._dynamo` lazily in their constructor, about 1 s of CPU. A worker pool
# imports it once in its seed process, before the workers fork, instead of once per worker mid-cell.
TRAINING_IMPORTS = ("torch", "torch._dynamo")


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed python, numpy and torch global RNGs for a block that only uses those (SDV's fit, torch nets).

    The lock is held for the whole block, so a seeded fit is never interleaved with another's draws."""
    with GLOBAL_RNG_LOCK:
        random.seed(seed)
        np.random.seed(seed % (2**32))
        try:
            import torch

            torch.manual_seed(seed)
        except ImportError:  # pragma: no cover - torch is a hard dependency, but stay importable
            pass
        yield


def resolve_device(device: str | None) -> str:
    """`auto` means CUDA when torch sees a GPU, else CPU; a CUDA request without a GPU falls back to the
    CPU with a warning (a config written on a GPU machine still runs on a laptop)."""
    import torch

    if device in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        log.warning("device 'cuda' requested but torch sees no GPU; using the CPU")
        return "cpu"
    return str(device)
