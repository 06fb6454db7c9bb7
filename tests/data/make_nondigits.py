"""Generate the non-digit evaluation set (tests/data/nondigits.json).

What the app should refuse ("not a digit"): every kind of ``lenet_gui/core/nondigits.py``
(PER_KIND each) plus HELD_OUT kinds that exist only here, so the set measures
whether refusing generalises to shapes training never saw, not whether it remembers
its generator. Held out: the letter P, beamed musical notes, a smiley face, a cloud,
a lightning bolt and the infinity sign (each kept unlike a digit: see the docstrings).

All drawings go through the same mouse hand as training (``lenet_gui.core.hand``), with
their own seed (EVAL_SEED) and their own per-sample generators
``default_rng([EVAL_SEED, kind_index, sample_index])``; training uses
``lenet_gui.core.nondigits.SEED`` or the training seed and never reads this file.

Usage (from the repository root; the contact sheet needs Pillow):

    python tests/data/make_nondigits.py --out tests/data/nondigits.json \\
        --sheet docs/nondigits_sample.png
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lenet_gui.core.hand import arc, glyph, line, mouse_strokes  # noqa: E402
from lenet_gui.core.nondigits import KINDS, generate_nondigit  # noqa: E402
from lenet_gui.core.strokes import Drawing, render_strokes, save_drawings  # noqa: E402

EVAL_SEED = 20250917  # never used by training (lenet_gui.core.nondigits.SEED is 20250601)
GENERATOR = "tests/data/make_nondigits.py v1"
PER_KIND = 10  # of each kind of lenet_gui/core/nondigits.py
PER_HELD_OUT = 25  # of each kind that only this file has


def letter_p(rng):
    """A capital P: a stem and a bowl on its upper half (its bowl is on the right and
    its stem goes to the bottom, unlike a 9 whose stem hangs from the bowl's right)."""
    return [p * [0.7, 1.0] for p in glyph(rng, ["L 0,1 0,0 .5,0 C .85,.1 .85,.4 .5,.52 L 0,.52"])]


def notes(rng):
    """Two beamed eighth notes: filled heads, stems, one or two beams (a single note
    with a flag is left out: it can pass for a d or a 9)."""
    out = []
    dx, drop = rng.uniform(0.6, 0.9), rng.uniform(-0.15, 0.15)
    tops = []
    for x, y in ((0.0, 1.0), (dx, 1.0 + drop)):
        r = rng.uniform(0.1, 0.14)
        t = np.linspace(0, 2 * math.pi * rng.uniform(2.5, 3.5), 120)
        k = np.linspace(1.0, 0.2, len(t))  # a small inward spiral: a filled head
        out.append(np.column_stack([x + 1.3 * r * k * np.cos(t), y + r * k * np.sin(t)]))
        top = (x + 1.2 * r, y - rng.uniform(0.85, 1.05))
        out.append(line((x + 1.2 * r, y - 0.02), top))
        tops.append(np.array(top))
    for j in range(1 + int(rng.random() < 0.5)):
        off = np.array([0.0, 0.12 * j])
        out.append(line(tops[0] + off, tops[1] + off + rng.normal(0, 0.02, 2)))
    return out


def smiley(rng):
    """A face: a round outline, two eyes (dots or short strokes) and a smile."""
    a0 = rng.uniform(0, 360)
    out = [arc(0, 0, 1, rng.uniform(0.9, 1.1), a0, a0 + rng.uniform(350, 380),
               spiral=rng.normal(0, 0.03))]
    ex, ey = rng.uniform(0.3, 0.45), rng.uniform(-0.45, -0.25)
    for sx in (-1, 1):
        e = np.array([sx * ex, ey]) + rng.normal(0, 0.03, 2)
        out.append(e[None] if rng.random() < 0.5 else line(e, e + [0, rng.uniform(0.1, 0.2)]))
    r = rng.uniform(0.45, 0.65)
    out.append(arc(0, rng.uniform(0.0, 0.15), r, r * rng.uniform(0.6, 0.9),
                   rng.uniform(15, 35), rng.uniform(145, 165)))
    return out


def cloud(rng):
    """A cloud: one closed outline of 5-8 deep bumps, mostly with a flat bottom (shallow
    or few bumps would make a lumpy oval: a 0)."""
    n = int(rng.integers(5, 9))
    t = np.linspace(0, 2 * math.pi, 40 * n) + rng.uniform(0, 2 * math.pi)
    r = 1 + rng.uniform(0.3, 0.45) * np.abs(np.sin(n * t / 2))
    p = np.column_stack([1.4 * r * np.cos(t), 0.8 * r * np.sin(t)])
    if rng.random() < 0.85:
        p[:, 1] = np.minimum(p[:, 1], rng.uniform(0.45, 0.7))
    return [np.vstack([p, p[:3] + rng.normal(0, 0.02, 2)])]


def lightning(rng):
    """A lightning bolt drawn as a closed zig-zag outline."""
    c = np.array([[0.55, 0], [0.12, 0.58], [0.45, 0.55], [0.28, 1.0], [0.88, 0.38],
                  [0.55, 0.42], [0.8, 0.0]]) + rng.normal(0, 0.03, (7, 2))
    k = int(rng.integers(len(c)))
    c = np.roll(c, -k, axis=0)
    return [line(*np.vstack([c, c[:1] + (c[1] - c[0]) * rng.uniform(-0.05, 0.1)]))]


def infinity(rng):
    """The infinity sign, kept wide and level (stood up, it would be an 8)."""
    t = np.linspace(0, 2 * math.pi * rng.uniform(1.0, 1.06), 160) + rng.uniform(0, 2 * math.pi)
    d = 1 + np.sin(t) ** 2
    return [np.column_stack([np.cos(t) / d * rng.uniform(1.1, 1.5), np.sin(t) * np.cos(t) / d])]


HELD_OUT = {
    "letter_P": (letter_p, dict(spin=5, slant=9, size=(0.45, 0.9))),
    "notes": (notes, dict(spin=6, slant=6, size=(0.5, 0.9))),
    "smiley": (smiley, dict(spin=8, size=(0.45, 0.9))),
    "cloud": (cloud, dict(spin=6, slant=4, size=(0.6, 0.92))),
    "lightning": (lightning, dict(spin=10, slant=6, size=(0.5, 0.92))),
    "infinity": (infinity, dict(spin=4, slant=4, aspect_sd=0.08, size=(0.5, 0.92))),
}


def make_set(seed: int = EVAL_SEED) -> list[Drawing]:
    """Every kind of lenet_gui.core.nondigits PER_KIND times, then every held-out kind
    PER_HELD_OUT times; drawing i of kind k from default_rng([seed, k, i])."""
    drawings = []
    for k, kind in enumerate(KINDS):
        for i in range(PER_KIND):
            rng = np.random.default_rng([seed, k, i])
            drawings.append(Drawing(generate_nondigit(rng, kind), None, kind))
    for k, (kind, (template, hand)) in enumerate(HELD_OUT.items(), start=len(KINDS)):
        for i in range(PER_HELD_OUT):
            rng = np.random.default_rng([seed, k, i])
            drawings.append(Drawing(mouse_strokes(rng, template(rng), **hand), None, kind))
    return drawings


def contact_sheet(drawings, path: Path, per_kind: int = 6, cell: int = 64,
                  columns: int = 2) -> None:
    """``per_kind`` drawings of every kind, ``columns`` kinds a row, names at the left;
    held-out kinds are marked with a *."""
    from PIL import Image, ImageDraw

    pad, name_w = 3, 92
    kinds = list(dict.fromkeys(d.style for d in drawings))
    block = name_w + per_kind * (cell + pad) + 2 * pad
    rows = math.ceil(len(kinds) / columns)
    sheet = Image.new("L", (columns * block, rows * (cell + pad) + pad), 200)
    draw = ImageDraw.Draw(sheet)
    for n, kind in enumerate(kinds):
        x0, y0 = (n % columns) * block + pad, (n // columns) * (cell + pad) + pad
        label = kind + (" *" if kind in HELD_OUT else "")
        draw.text((x0, y0 + cell // 2 - 6), label, fill=0)
        for j, d in enumerate([x for x in drawings if x.style == kind][:per_kind]):
            ink = render_strokes(d.strokes, size=cell)
            tile = Image.fromarray((255 - ink * 225).astype(np.uint8), "L")
            sheet.paste(tile, (x0 + name_w + j * (cell + pad), y0))
    sheet.save(path, optimize=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "nondigits.json")
    ap.add_argument("--seed", type=int, default=EVAL_SEED)
    ap.add_argument("--sheet", type=Path, help="also write a contact sheet PNG (needs Pillow)")
    args = ap.parse_args(argv)
    drawings = make_set(args.seed)
    save_drawings(args.out, drawings, generator=GENERATOR, seed=args.seed,
                  held_out_kinds=list(HELD_OUT))
    print(f"wrote {len(drawings)} non-digits ({len(KINDS)} kinds x {PER_KIND}, "
          f"{len(HELD_OUT)} held-out kinds x {PER_HELD_OUT}) to {args.out}")
    if args.sheet:
        contact_sheet(drawings, args.sheet)
        print(f"wrote contact sheet {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
