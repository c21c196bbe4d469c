"""Datasets: built-in names, CSV/Parquet tables, class-folder image sets and `.npz` arrays."""

from __future__ import annotations

from synthaug.config import DatasetConfig
from synthaug.data.dataset import Dataset
from synthaug.data.tables import TABLE_BUILTINS, load_table

__all__ = ["Dataset", "builtin_datasets", "load_dataset"]


def load_dataset(cfg: DatasetConfig) -> Dataset:
    """Dispatch on `kind`; both loaders raise `DataError` naming the file and problem."""
    if cfg.kind == "images":
        from synthaug.data.images import load_images

        return load_images(cfg)
    return load_table(cfg)


def builtin_datasets() -> dict[str, tuple[str, str]]:
    """name -> (kind, description) for `synthaug datasets`."""
    out = {name: ("tabular", desc) for name, desc in TABLE_BUILTINS.items()}
    try:
        from synthaug.data.images import IMAGE_BUILTINS
    except ImportError:
        IMAGE_BUILTINS = {}
    out.update({name: ("images", desc) for name, desc in IMAGE_BUILTINS.items()})
    return out
