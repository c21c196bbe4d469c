"""Image loading: built-in digits, class folders, npz, and every bad-input case of issue 3 item 8."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from imagekit import write_png

from synthaug.data import builtin_datasets, load_dataset
from synthaug.data.images import load_images, to_original_scale
from synthaug.errors import DataError


def test_digits_builtin(digits):
    assert digits.X.shape == (1797, 1, 8, 8) and digits.X.dtype == np.float32
    assert digits.X.min() == 0.0 and digits.X.max() == 1.0
    assert len(digits.classes) == 10 and digits.kind == "images"
    assert digits.meta["pixel_scale"] == 16.0 and digits.meta["image_shape"] == (1, 8, 8)
    assert to_original_scale(digits.X, digits.meta).max() == 16.0
    assert builtin_datasets()["digits"][0] == "images"


def test_digits_resized_rgb_subsampled(images_cfg):
    d = load_dataset(images_cfg("digits", image_size=(12, 10), color="rgb", max_rows=50))
    assert d.X.shape == (50, 3, 12, 10) and 0.0 <= d.X.min() and d.X.max() <= 1.0


def test_class_folder(image_folder, images_cfg):
    root = image_folder(("cat", "dog"), per_class=3)
    write_png(root / "dog" / "extra.jpg", (8, 8), seed=9, mode="RGB", fmt="JPEG")
    d = load_images(images_cfg(root))
    assert d.X.shape == (7, 1, 8, 8) and sorted(d.class_counts().items()) == [("cat", 3), ("dog", 4)]
    assert d.meta["pixel_scale"] == 255.0
    rgb = load_images(images_cfg(root, color="rgb", image_size=(4, 6)))
    assert rgb.X.shape == (7, 3, 4, 6)


def test_empty_folder(tmp_path, images_cfg):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"empty.*is empty; expected one subfolder per class"):
        load_images(images_cfg(tmp_path / "empty"))


def test_single_class(image_folder, images_cfg):
    root = image_folder(("only",), per_class=3)
    with pytest.raises(DataError, match=rf"{root.name}.*single class \('only'\)"):
        load_images(images_cfg(root))


def test_top_level_images_without_class_folders(tmp_path, images_cfg):
    for i in range(3):
        write_png(tmp_path / "flat" / f"{i}.png", seed=i)
    with pytest.raises(DataError, match=r"flat.*3 image file\(s\) at the top level and no class subfolders"):
        load_images(images_cfg(tmp_path / "flat"))


def test_corrupt_image(image_folder, images_cfg):
    root = image_folder()
    (root / "cat" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    with pytest.raises(DataError, match=r"broken\.png.*corrupt or not a readable image"):
        load_images(images_cfg(root))


def test_mixed_sizes_rejected_or_resized(image_folder, images_cfg):
    root = image_folder(per_class=3, size=(8, 8))
    write_png(root / "cat" / "big.png", size=(16, 12))
    with pytest.raises(DataError, match=r"mixed image sizes.*expected 8×8.*big\.png' is 16×12"):
        load_images(images_cfg(root, on_size_mismatch="reject"))
    d = load_images(images_cfg(root, on_size_mismatch="resize"))
    assert d.X.shape == (7, 1, 8, 8)


def test_non_image_files_skipped_with_warning(image_folder, images_cfg):
    root = image_folder()
    (root / "cat" / "notes.txt").write_text("hello")
    (root / "README.md").write_text("top-level readme")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d = load_images(images_cfg(root))
    text = " ".join(str(w.message) for w in caught)
    assert "notes.txt" in text and "README.md" in text
    assert len(d) == 6


def test_missing_source(tmp_path, images_cfg):
    with pytest.raises(DataError, match=r"nope.*does not exist"):
        load_images(images_cfg(tmp_path / "nope"))


def _npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def test_npz_shapes_and_scaling(tmp_path, images_cfg):
    rng = np.random.default_rng(0)
    p = _npz(tmp_path / "a.npz", X=rng.integers(0, 256, (10, 6, 6), dtype=np.uint8), y=np.repeat([0, 1], 5))
    d = load_images(images_cfg(p))
    assert d.X.shape == (10, 1, 6, 6) and d.meta["pixel_scale"] == 255.0 and d.y.dtype.kind == "i"
    p = _npz(tmp_path / "b.npz", X=rng.random((6, 3, 5, 5)) * 4.0 - 1.0, y=np.array(list("aabbcc")))
    d = load_images(images_cfg(p, color="rgb"))
    assert d.X.shape == (6, 3, 5, 5) and d.X.min() >= 0.0 and d.X.max() <= 1.0
    assert d.meta["pixel_offset"] < 0 and d.y.tolist() == list("aabbcc")


@pytest.mark.parametrize(("arrays", "pattern"), [
    ({"images": np.zeros((4, 8, 8)), "y": np.arange(4)}, r"bad\.npz.*lacks array\(s\) \['X'\]"),
    ({"X": np.zeros((4, 8, 8))}, r"bad\.npz.*lacks array\(s\) \['y'\]"),
    ({"X": np.zeros((4, 8, 8)), "y": np.arange(3)}, r"bad\.npz.*X has 4 images but y has 3 labels"),
    ({"X": np.zeros((4, 8)), "y": np.arange(4)}, r"bad\.npz.*expected N×H×W or N×C×H×W"),
    ({"X": np.full((4, 8, 8), np.nan), "y": np.arange(4)}, r"bad\.npz.*NaN or infinite"),
    ({"X": np.zeros((4, 8, 8)), "y": np.zeros(4)}, r"bad\.npz.*single class"),
])
def test_npz_bad_input(tmp_path, images_cfg, arrays, pattern):
    p = _npz(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DataError, match=pattern):
        load_images(images_cfg(p))


def test_unreadable_npz_and_wrong_file_type(tmp_path, images_cfg):
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"junk\.npz.*could not be read"):
        load_images(images_cfg(tmp_path / "junk.npz"))
    write_png(tmp_path / "one.png")
    with pytest.raises(DataError, match=r"one\.png.*single file"):
        load_images(images_cfg(tmp_path / "one.png"))
