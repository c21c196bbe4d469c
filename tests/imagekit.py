"""Image fixtures (a pytest plugin loaded by tests/conftest.py, so the image tests live beside the packages they
test): tiny class folders, npz files and a small digits split, all in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from synthaug.config import DatasetConfig
from synthaug.data.dataset import Dataset


def write_png(path: Path, size: tuple[int, int] = (8, 8), seed: int = 0, mode: str = "L", fmt: str = "PNG") -> Path:
    """A random image of `size` (width, height) written with Pillow."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    shape = (size[1], size[0]) if mode == "L" else (size[1], size[0], 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(path, fmt)
    return path


@pytest.fixture
def image_folder(tmp_path: Path) -> Callable[..., Path]:
    """Build `root/<class>/<i>.png` for the given classes; returns the root."""

    def build(classes: tuple[str, ...] = ("cat", "dog"), per_class: int = 3, size: tuple[int, int] = (8, 8),
              name: str = "imgs") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        for ci, c in enumerate(classes):
            for i in range(per_class):
                write_png(root / c / f"{i}.png", size, seed=ci * 100 + i)
        return root

    return build


@pytest.fixture
def images_cfg() -> Callable[..., DatasetConfig]:
    def build(source: str | Path, **kw: object) -> DatasetConfig:
        return DatasetConfig(source=str(source), kind="images", **kw)

    return build


@pytest.fixture(scope="session")
def digits() -> Dataset:
    from synthaug.data.images import load_images

    return load_images(DatasetConfig(source="digits", kind="images"))


@pytest.fixture(scope="session")
def digits_split(digits: Dataset) -> tuple[Dataset, Dataset]:
    """A small stratified train (400 images) / test (300 images) split of digits."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(digits))
    tr, te = train_test_split(idx, train_size=400, test_size=300, random_state=0, stratify=digits.y)
    return digits.take(tr), digits.take(te)


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread() -> None:
    """Tiny nets run fastest on one thread, and the test machine's cores are shared."""
    import torch

    torch.set_num_threads(1)
