"""Synthetic class-folder image sets for the image benchmark and tests (no downloads).

Why these three: the image generators' first defaults were tuned on scikit-learn's 8×8 digits and
failed on a 16×16 binary digit set. These sets cover the shapes of data a new user brings:
- `strokes16`: 16×16 binary-looking handwritten-style digits (10 classes, pen strokes with jitter);
- `shapes28`: 28×28 grayscale outlines and solids (8 classes, random size, place, rotation, grey level);
- `shapes32rgb`: 32×32 RGB coloured shapes on tinted, noisy backgrounds (6 classes; colour is random,
  so only the shape tells the class).
`strokes28` (seventh pass, benchmark only: in `SWEEP_BUILDERS`, not `BUILDERS`, so the tests' end-to-end
runs stay at three sets) is a second grayscale set above 16 px: the same glyphs at 28×28 with strokes
scaled to the size and grey anti-aliased edges (MNIST-like), so a grayscale rule is not fitted to
`shapes28` alone.
Each builder returns uint8 arrays (N×H×W or N×H×W×3) and string labels; `write_class_folder` writes
them as `root/<class>/<i>.png`, the layout `dataset: {kind: images}` reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

SCALE = 4  # draw at 4× and downsample: anti-aliased strokes like a real scan

_GLYPHS: dict[str, list[list[tuple[float, float]]]] = {
    "0": [[(0.5 + 0.3 * math.cos(t), 0.5 + 0.4 * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 17)]],
    "1": [[(0.35, 0.25), (0.55, 0.1), (0.55, 0.9)]],
    "2": [[(0.2, 0.3), (0.35, 0.12), (0.65, 0.12), (0.8, 0.32), (0.2, 0.88), (0.82, 0.88)]],
    "3": [[(0.2, 0.12), (0.8, 0.12), (0.5, 0.45), (0.8, 0.65), (0.62, 0.9), (0.2, 0.85)]],
    "4": [[(0.65, 0.9), (0.65, 0.1), (0.15, 0.65), (0.85, 0.65)]],
    "5": [[(0.8, 0.1), (0.28, 0.1), (0.22, 0.45), (0.7, 0.45), (0.8, 0.7), (0.6, 0.9), (0.2, 0.85)]],
    "6": [[(0.7, 0.1), (0.32, 0.4), (0.22, 0.7), (0.4, 0.9), (0.7, 0.85), (0.75, 0.62), (0.45, 0.5), (0.25, 0.65)]],
    "7": [[(0.2, 0.1), (0.82, 0.1), (0.42, 0.9)]],
    "8": [[(0.5 + 0.22 * math.cos(t), 0.3 + 0.2 * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 13)],
          [(0.5 + 0.28 * math.cos(t), 0.7 + 0.2 * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 13)]],
    "9": [[(0.75, 0.32), *[(0.5 + 0.25 * math.cos(t), 0.32 + 0.22 * math.sin(t))
                            for t in np.linspace(0, 2 * math.pi, 13)], (0.72, 0.9)]],
}
SHAPES28 = ("disk", "ring", "square", "frame", "triangle", "cross", "x_mark", "bars")
SHAPES32 = ("disk", "ring", "square", "triangle", "cross", "star")


def _affine(points: np.ndarray, rng: np.random.Generator, rot: float, jitter: float) -> np.ndarray:
    """Random rotation, anisotropic scale, shear and shift about the centre, plus per-vertex jitter."""
    a = np.deg2rad(rng.uniform(-rot, rot))
    sx, sy, sh = rng.uniform(0.75, 1.05), rng.uniform(0.8, 1.05), rng.uniform(-0.25, 0.25)
    m = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]) @ np.array([[sx, sh], [0, sy]])
    p = (points - 0.5) @ m.T + 0.5 + rng.uniform(-0.08, 0.08, 2)
    return p + rng.normal(0, jitter, p.shape)


def _strokes_image(label: str, rng: np.random.Generator, size: int, binary: bool = True) -> np.ndarray:
    from PIL import Image, ImageDraw

    big = size * SCALE
    img = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(img)
    width = int(round(rng.uniform(1.3, 2.3) * SCALE * (size / 16 if size > 16 else 1)))
    for stroke in _GLYPHS[label]:
        p = _affine(np.array(stroke), rng, 12.0, 0.025) * (big * 0.8) + big * 0.1
        draw.line([tuple(q) for q in p], fill=255, width=width, joint="curve")
    small = np.asarray(img.resize((size, size), Image.Resampling.BOX), dtype=np.float32)
    if not binary:
        return np.clip(np.round(small), 0, 255).astype(np.uint8)
    return np.where(small > 100, 255, 0).astype(np.uint8)  # binary-looking, like thresholded scans


def strokes16(per_class: int = 160, seed: int = 0, size: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """16×16 binary handwritten-style digits, 10 classes."""
    rng = np.random.default_rng(seed)
    labels = sorted(_GLYPHS)
    X = np.stack([_strokes_image(c, rng, size) for c in labels for _ in range(per_class)])
    return X, np.repeat(np.array(labels), per_class)


def strokes28(per_class: int = 160, seed: int = 0, size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """28×28 grayscale handwritten-style digits with anti-aliased edges, 10 classes (sweep only)."""
    rng = np.random.default_rng(seed)
    labels = sorted(_GLYPHS)
    X = np.stack([_strokes_image(c, rng, size, binary=False) for c in labels for _ in range(per_class)])
    return X, np.repeat(np.array(labels), per_class)


def _polygon(kind: str, cx: float, cy: float, r: float, a: float) -> list[tuple[float, float]]:
    n, radii = {"square": (4, [r]), "frame": (4, [r]), "triangle": (3, [r]), "star": (10, [r, r * 0.45])}[kind]
    return [(cx + radii[i % len(radii)] * math.cos(a + 2 * math.pi * i / n),
             cy + radii[i % len(radii)] * math.sin(a + 2 * math.pi * i / n)) for i in range(n)]


def _draw_shape(draw: object, kind: str, rng: np.random.Generator, big: int, fill: object) -> None:
    """One shape of `kind` at a random place, size and angle (PIL drawing in the 4× canvas)."""
    r = rng.uniform(0.22, 0.34) * big
    cx, cy = rng.uniform(r + 1, big - r - 1, 2)
    a = rng.uniform(0, 2 * math.pi)
    w = max(2, int(rng.uniform(0.07, 0.12) * big))
    box = [cx - r, cy - r, cx + r, cy + r]
    if kind == "disk":
        draw.ellipse(box, fill=fill)
    elif kind == "ring":
        draw.ellipse(box, outline=fill, width=w)
    elif kind in ("square", "triangle", "star"):
        draw.polygon(_polygon(kind, cx, cy, r, a), fill=fill)
    elif kind == "frame":
        pts = _polygon(kind, cx, cy, r, a)
        draw.line([*pts, pts[0]], fill=fill, width=w, joint="curve")
    else:  # cross (upright), x_mark (diagonal), bars: two strokes; ±10° so cross and x never meet
        b = {"cross": 0.0, "x_mark": math.pi / 4}.get(kind, a) + rng.uniform(-0.17, 0.17)
        dx, dy = r * math.cos(b), r * math.sin(b)
        if kind == "bars":
            ox, oy = -dy * 0.4, dx * 0.4
            draw.line([(cx - dx + ox, cy - dy + oy), (cx + dx + ox, cy + dy + oy)], fill=fill, width=w)
            draw.line([(cx - dx - ox, cy - dy - oy), (cx + dx - ox, cy + dy - oy)], fill=fill, width=w)
        else:
            draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=fill, width=w)
            draw.line([(cx + dy, cy - dx), (cx - dy, cy + dx)], fill=fill, width=w)


def _shape_image(kind: str, rng: np.random.Generator, size: int, rgb: bool) -> np.ndarray:
    from PIL import Image, ImageDraw

    big = size * SCALE
    if rgb:
        bg = tuple(int(v) for v in rng.integers(0, 90, 3))
        fill = tuple(int(v) for v in rng.integers(110, 256, 3))
        img = Image.new("RGB", (big, big), bg)
    else:
        fill = int(rng.integers(140, 256))
        img = Image.new("L", (big, big), 0)
    _draw_shape(ImageDraw.Draw(img), kind, rng, big, fill)
    small = np.asarray(img.resize((size, size), Image.Resampling.BOX), dtype=np.float32)
    small = small + rng.normal(0, 8.0 if rgb else 4.0, small.shape)
    return np.clip(small, 0, 255).astype(np.uint8)


def _shapes(kinds: tuple[str, ...], per_class: int, seed: int, size: int, rgb: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.stack([_shape_image(k, rng, size, rgb) for k in kinds for _ in range(per_class)])
    return X, np.repeat(np.array(kinds), per_class)


def shapes28(per_class: int = 200, seed: int = 0, size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """28×28 grayscale shapes, 8 classes."""
    return _shapes(SHAPES28, per_class, seed, size, rgb=False)


def shapes32rgb(per_class: int = 250, seed: int = 0, size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """32×32 RGB coloured shapes on tinted noisy backgrounds, 6 classes."""
    return _shapes(SHAPES32, per_class, seed, size, rgb=True)


BUILDERS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "strokes16": strokes16, "shapes28": shapes28, "shapes32rgb": shapes32rgb,
}
SWEEP_BUILDERS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {**BUILDERS, "strokes28": strokes28}


def write_class_folder(root: Path, X: np.ndarray, y: np.ndarray) -> Path:
    """`root/<label>/<i>.png` for every image; returns `root`."""
    from PIL import Image

    root = Path(root)
    for i, (img, label) in enumerate(zip(X, y)):
        path = root / str(label) / f"{i:05d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img, "RGB" if img.ndim == 3 else "L").save(path)
    return root


def build_folder(name: str, root: Path, per_class: int | None = None, seed: int = 0) -> Path:
    """Write image set `name` under `root/name` (skipped when already there with the same count)."""
    kwargs = {"seed": seed} | ({"per_class": per_class} if per_class else {})
    X, y = SWEEP_BUILDERS[name](**kwargs)
    folder = Path(root) / name
    if folder.exists() and sum(1 for _ in folder.rglob("*.png")) == len(X):
        return folder
    return write_class_folder(folder, X, y)
