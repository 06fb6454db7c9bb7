"""How MNIST-like is a drawing after preprocessing? Statistics and a picture.

Compares MNIST digits with the project's drawn digits (tests/data/drawn_digits*.json,
rendered with the canvas pen and made MNIST-style by ``preprocess.mnist_style``):
stroke width, ink coverage, ink box, centre of mass, share of grey (anti-aliased)
pixels. The canvas pen width (``strokes.PEN_WIDTH``) was chosen with ``--sweep``:
the width whose drawn digits match MNIST's median stroke width.

    python benchmarks/fidelity.py [--data-dir ../shared/MNIST] [--picture docs/preprocessing.png]
    python benchmarks/fidelity.py --sweep      # stroke width for several pen widths
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lenet_gui.core.data import load_split  # noqa: E402
from lenet_gui.core.preprocess import ink_box, mnist_style  # noqa: E402
from lenet_gui.core.strokes import PEN_WIDTH, load_drawings, render_strokes  # noqa: E402


def stroke_width(img: np.ndarray) -> float:
    """Mean stroke width of a 28x28 digit: 2 x ink area / ink perimeter (pixels > 127)."""
    m = img > 127
    area = m.sum()
    perimeter = ((m[1:] != m[:-1]).sum() + (m[:, 1:] != m[:, :-1]).sum()
                 + m[0].sum() + m[-1].sum() + m[:, 0].sum() + m[:, -1].sum())
    return 2.0 * area / max(int(perimeter), 1)


def stats(images) -> dict[str, float]:
    """Median statistics of a list of 28x28 digits (0..255)."""
    width, coverage, grey, side, cy, cx = [], [], [], [], [], []
    ys, xs = np.mgrid[0:28, 0:28]
    for img in images:
        img = np.asarray(img, dtype=np.float64)
        width.append(stroke_width(img))
        coverage.append(img.sum() / 255.0)
        inked = img > 25
        grey.append(((img > 25) & (img < 230)).sum() / max(inked.sum(), 1))
        top, bottom, left, right = ink_box(img)
        side.append(max(bottom - top, right - left))
        total = img.sum()
        cy.append((ys * img).sum() / total)
        cx.append((xs * img).sum() / total)
    return {"stroke width (px)": float(np.median(width)),
            "ink coverage (full pixels)": float(np.median(coverage)),
            "grey share of inked pixels": float(np.median(grey)),
            "ink box, longer side (px)": float(np.median(side)),
            "centre of mass, row": float(np.mean(cy)),
            "centre of mass, column": float(np.mean(cx))}


def drawn_digits(pen_width: float = PEN_WIDTH, files=None) -> tuple[list, list]:
    files = files or [ROOT / "tests/data/drawn_digits.json",
                      ROOT / "tests/data/drawn_digits_hard.json"]
    images, labels = [], []
    for f in files:
        for d in load_drawings(f):
            images.append(mnist_style(render_strokes(d.strokes, pen_width=pen_width)))
            labels.append(d.label)
    return images, labels


def picture(path: Path, mnist, mnist_labels, drawn, drawn_labels, per_class: int = 6) -> None:
    """Rows 0-9: MNIST digits (left) beside drawn digits after preprocessing (right)."""
    from PIL import Image

    def row_of(images, labels, digit):
        picks = [im for im, y in zip(images, labels) if y == digit][:per_class]
        return [np.pad(np.asarray(im, np.uint8), 1, constant_values=90) for im in picks]

    rows = []
    for digit in range(10):
        left = row_of(mnist, mnist_labels, digit)
        right = row_of(drawn, drawn_labels, digit)
        gap = np.full((30, 10), 255, np.uint8)
        rows.append(np.concatenate(left + [gap] + right, axis=1))
    sheet = np.concatenate(rows, axis=0)
    Image.fromarray(sheet).resize((sheet.shape[1] * 3, sheet.shape[0] * 3),
                                  Image.Resampling.NEAREST).save(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "MNIST")
    ap.add_argument("--picture", type=Path, help="write the MNIST-vs-drawn picture here")
    ap.add_argument("--sweep", action="store_true", help="stroke width per pen width")
    args = ap.parse_args(argv)
    if not (args.data_dir / "test").is_dir():
        args.data_dir = ROOT / "tests/data/mnist_subset"
    test = load_split(args.data_dir, "test")
    mnist = list(test.images.astype(np.float32))
    ref = stats(mnist)
    if args.sweep:
        print(f"MNIST test ({len(mnist):,}): stroke width {ref['stroke width (px)']:.2f} px, "
              f"coverage {ref['ink coverage (full pixels)']:.1f}")
        for pw in (0.05, 0.06, 0.07, 0.075, 0.08, 0.09, 0.10):
            s = stats(drawn_digits(pw)[0])
            print(f"pen {pw:.3f}: stroke width {s['stroke width (px)']:.2f} px, "
                  f"coverage {s['ink coverage (full pixels)']:.1f}, grey share "
                  f"{s['grey share of inked pixels']:.2f}")
        return 0
    drawn, drawn_labels = drawn_digits()
    got = stats(drawn)
    print(f"| statistic | MNIST test ({len(mnist):,}) | drawn, preprocessed ({len(drawn):,}) |")
    print("|---|---|---|")
    for key in ref:
        print(f"| {key} | {ref[key]:.2f} | {got[key]:.2f} |")
    if args.picture:
        picture(args.picture, mnist, list(test.labels), drawn, drawn_labels)
        print(f"wrote {args.picture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
