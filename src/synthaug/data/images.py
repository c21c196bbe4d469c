"""Image datasets: scikit-learn's digits, class-folder image sets and `.npz` arrays.

Every loader ends in the same form (float32 N×C×H×W in [0, 1] plus labels) and records how pixels
were scaled (`original = X * pixel_scale + pixel_offset`), so synthetic samples map back to the
source range. Every failure is a `DataError` that names the file and the problem.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from synthaug.config import DatasetConfig
from synthaug.data.dataset import Dataset
from synthaug.errors import DataError

IMAGE_BUILTINS: dict[str, str] = {
    "digits": "scikit-learn handwritten digits (1,797 images, 8×8 grayscale, 16 grey levels, 10 classes)",
}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def load_images(cfg: DatasetConfig) -> Dataset:
    """Dispatch on the source: a built-in name, a class folder or an `.npz` file."""
    if cfg.source in IMAGE_BUILTINS:
        X, y, meta = _load_digits()
        name = cfg.source
    else:
        path = Path(cfg.source)
        if not path.exists():
            raise DataError(f"image source {cfg.source!r} does not exist; give a class folder, an .npz file "
                            f"or a built-in name ({', '.join(IMAGE_BUILTINS)})")
        if path.is_dir():
            X, y, meta = _load_folder(path, cfg)
        elif path.suffix.lower() == ".npz":
            X, y, meta = _load_npz(path)
        else:
            raise DataError(f"image source {cfg.source!r} is a single file with suffix {path.suffix!r}; give a "
                            "folder with one subfolder per class or an .npz file with arrays X and y")
        name = path.stem or path.name
    X = _conform(X, cfg, cfg.source)
    _check_classes(y, cfg.source)
    if cfg.max_rows is not None and len(y) > cfg.max_rows:
        keep = np.sort(np.random.default_rng(0).choice(len(y), cfg.max_rows, replace=False))
        X, y = X[keep], y[keep]
        _check_classes(y, f"{cfg.source} (after max_rows={cfg.max_rows})")
    meta = {**meta, "source": cfg.source, "image_shape": tuple(int(s) for s in X.shape[1:]), "color": cfg.color}
    return Dataset(name=name, kind="images", X=np.ascontiguousarray(X, dtype=np.float32), y=y,
                   target="label", meta=meta)


def _load_digits() -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    X = (bunch.images.astype(np.float32) / 16.0)[:, None, :, :]
    return X, bunch.target.astype(np.int64), {"pixel_scale": 16.0, "pixel_offset": 0.0}


def _check_classes(y: np.ndarray, source: str) -> None:
    if len(y) == 0:
        raise DataError(f"image source {source!r} holds no images")
    classes = np.unique(y)
    if len(classes) < 2:
        only = classes[0].item() if isinstance(classes[0], np.generic) else classes[0]
        raise DataError(f"image source {source!r} has a single class ({only!r}); a classification "
                        "experiment needs at least two")


# ---------------------------------------------------------------- class folders
def _load_folder(root: Path, cfg: DatasetConfig) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """One subfolder per class; non-image files are skipped with a warning naming them."""
    entries = sorted(p for p in root.iterdir() if not p.name.startswith("."))
    if not entries:
        raise DataError(f"image folder {str(root)!r} is empty; expected one subfolder per class")
    class_dirs = [p for p in entries if p.is_dir()]
    loose = [p for p in entries if p.is_file()]
    loose_images = [p for p in loose if p.suffix.lower() in IMAGE_SUFFIXES]
    if not class_dirs:
        what = f"{len(loose_images)} image file(s)" if loose_images else "no subfolders"
        raise DataError(f"image folder {str(root)!r} has {what} at the top level and no class subfolders; "
                        "put each class's images in a subfolder named after the class")
    if loose:
        warnings.warn(f"image folder {str(root)!r}: skipping files outside class subfolders: "
                      f"{', '.join(p.name for p in loose)}", stacklevel=3)
    files = _labelled_files(class_dirs)
    if not files:
        raise DataError(f"image folder {str(root)!r} has class subfolders but no image files in them")
    labels = np.array([label for _, label in files])
    if len(np.unique(labels)) < 2:
        raise DataError(f"image folder {str(root)!r} has images for a single class ({str(labels[0])!r}); "
                        "a classification experiment needs at least two class subfolders with images")
    images = [_open_image(f, cfg.color) for f, _ in files]
    size = _target_size(images, [f for f, _ in files], cfg)
    arrays = [np.asarray(img.resize(size, _resample()) if img.size != size else img, dtype=np.float32)
              for img in images]
    X = np.stack(arrays) / 255.0
    X = X[:, None, :, :] if X.ndim == 3 else X.transpose(0, 3, 1, 2)
    return X.astype(np.float32), labels, {"pixel_scale": 255.0, "pixel_offset": 0.0, "files": len(files)}


def _labelled_files(class_dirs: list[Path]) -> list[tuple[Path, str]]:
    files: list[tuple[Path, str]] = []
    for d in class_dirs:
        found = _class_files(d)
        if not found:
            warnings.warn(f"class folder {str(d)!r} holds no image files; class {d.name!r} is left out", stacklevel=4)
        files.extend((f, d.name) for f in found)
    return files


def _class_files(folder: Path) -> list[Path]:
    files, skipped = [], []
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.name.startswith("."):
            continue
        (files if p.suffix.lower() in IMAGE_SUFFIXES else skipped).append(p)
    if skipped:
        warnings.warn(f"skipping non-image files in {str(folder)!r}: {', '.join(str(p.name) for p in skipped)}",
                      stacklevel=5)
    return files


def _open_image(path: Path, color: str) -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            return img.convert("L" if color == "grayscale" else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DataError(f"image file {str(path)!r} is corrupt or not a readable image: {exc}") from exc


def _target_size(images: list[Any], paths: list[Path], cfg: DatasetConfig) -> tuple[int, int]:
    """PIL (width, height) every image ends at: the configured size, else the most common one."""
    if cfg.image_size is not None:
        target = (int(cfg.image_size[1]), int(cfg.image_size[0]))
    else:
        target = Counter(img.size for img in images).most_common(1)[0][0]
    if cfg.on_size_mismatch == "reject":
        bad = [(p, img.size) for p, img in zip(paths, images) if img.size != target]
        if bad:
            listed = "; ".join(f"{str(p)!r} is {w}×{h}" for p, (w, h) in bad[:5])
            more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
            raise DataError(f"mixed image sizes with dataset.on_size_mismatch=reject: expected "
                            f"{target[0]}×{target[1]} (width×height), but {listed}{more}; "
                            "set on_size_mismatch: resize or dataset.image_size to resize them")
    return target


def _resample() -> Any:
    from PIL import Image

    return Image.Resampling.BILINEAR


# ---------------------------------------------------------------- npz arrays
def _load_npz(path: Path) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            keys = set(npz.files)
            missing = [k for k in ("X", "y") if k not in keys]
            if missing:
                raise DataError(f"npz file {str(path)!r} lacks array(s) {missing}; it has {sorted(keys)} "
                                "(expected X: N×H×W or N×C×H×W images and y: N labels)")
            X, y = np.asarray(npz["X"]), np.asarray(npz["y"])
    except DataError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"npz file {str(path)!r} could not be read: {exc}") from exc
    if y.ndim != 1:
        raise DataError(f"npz file {str(path)!r}: y must be 1-D labels, got shape {y.shape}")
    if len(X) != len(y):
        raise DataError(f"npz file {str(path)!r}: X has {len(X)} images but y has {len(y)} labels")
    X = _channels_first(X, path)
    if X.dtype == np.bool_:
        X = X.astype(np.float32)
    if not np.issubdtype(X.dtype, np.number):
        raise DataError(f"npz file {str(path)!r}: X must be numeric, got dtype {X.dtype}")
    if np.issubdtype(X.dtype, np.floating) and not np.all(np.isfinite(X)):
        raise DataError(f"npz file {str(path)!r}: X holds {int((~np.isfinite(X)).sum())} NaN or infinite pixels")
    X, meta = _scale(X)
    return X, _labels(y, path), meta


def _channels_first(X: np.ndarray, path: Path) -> np.ndarray:
    if X.ndim == 3:
        return X[:, None, :, :]
    if X.ndim == 4:
        if X.shape[1] in (1, 3):
            return X
        if X.shape[-1] in (1, 3):
            return X.transpose(0, 3, 1, 2)
        raise DataError(f"npz file {str(path)!r}: X has shape {X.shape}; expected 1 or 3 channels (N×C×H×W)")
    raise DataError(f"npz file {str(path)!r}: X has shape {X.shape}; expected N×H×W or N×C×H×W")


def _scale(X: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Map pixels to [0, 1]: uint8 by 255, floats already in [0, 1] as they are, others by their range."""
    Xf = X.astype(np.float32)
    if X.dtype == np.uint8:
        offset, scale = 0.0, 255.0
    else:
        lo, hi = float(Xf.min()), float(Xf.max())
        if lo >= 0.0 and hi <= 1.0:
            offset, scale = 0.0, 1.0
        else:
            offset = min(lo, 0.0)
            scale = (hi - offset) or 1.0
    return (Xf - offset) / scale, {"pixel_scale": scale, "pixel_offset": offset}


def _labels(y: np.ndarray, path: Path) -> np.ndarray:
    """Labels are ints or strings, never floats (a float label would not round-trip through configs)."""
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise DataError(f"npz file {str(path)!r}: y holds NaN or infinite labels")
        if np.all(np.mod(y, 1) == 0):
            return y.astype(np.int64)
        return y.astype(str)
    if y.dtype.kind == "b":
        return y.astype(np.int64)
    if y.dtype.kind in "US":
        return y.astype(str)
    return y


# ---------------------------------------------------------------- shared
def _conform(X: np.ndarray, cfg: DatasetConfig, source: str) -> np.ndarray:
    """Apply `color` and `image_size` to arrays (folders already did so while reading)."""
    if X.shape[1] == 3 and cfg.color == "grayscale":
        X = np.einsum("nchw,c->nhw", X, _LUMA)[:, None]
    elif X.shape[1] == 1 and cfg.color == "rgb":
        X = np.repeat(X, 3, axis=1)
    if cfg.image_size is not None and tuple(X.shape[2:]) != tuple(cfg.image_size):
        if cfg.on_size_mismatch == "reject":
            raise DataError(f"images in {source!r} are {X.shape[2]}×{X.shape[3]} (height×width) but "
                            f"dataset.image_size is {tuple(cfg.image_size)} and on_size_mismatch is reject")
        import torch
        import torch.nn.functional as F

        t = F.interpolate(torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)),
                          size=tuple(int(s) for s in cfg.image_size), mode="bilinear", align_corners=False)
        X = t.clamp(0.0, 1.0).numpy()
    return X.astype(np.float32)


def to_original_scale(X: np.ndarray, meta: dict[str, Any]) -> np.ndarray:
    """Map [0, 1] pixels back to the source range recorded at load time."""
    return X * float(meta.get("pixel_scale", 1.0)) + float(meta.get("pixel_offset", 0.0))
