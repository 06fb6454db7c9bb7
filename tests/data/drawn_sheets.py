"""Contact sheets of the drawn-digit sets (need Pillow): a row per class or per style."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lenet_gui.core.strokes import render_strokes


def contact_sheet(drawings, path: Path, per_class: int = 10, cell: int = 112) -> None:
    from PIL import Image, ImageDraw  # only needed for the picture

    pad = 4
    by_label = {d: [x for x in drawings if x.label == d][:per_class] for d in range(10)}
    w = per_class * (cell + pad) + pad
    h = 10 * (cell + pad) + pad
    sheet = Image.new("L", (w, h), 200)
    draw = ImageDraw.Draw(sheet)
    for row in range(10):
        for col, d in enumerate(by_label[row]):
            ink = render_strokes(d.strokes, size=cell)
            tile = Image.fromarray((255 - ink * 225).astype(np.uint8), "L")
            x0, y0 = pad + col * (cell + pad), pad + row * (cell + pad)
            sheet.paste(tile, (x0, y0))
            draw.text((x0 + 3, y0 + 2), str(row), fill=150)
    sheet.save(path, optimize=True)


def style_sheet(drawings, path: Path, per_style: int = 6, cell: int = 96, names=None) -> None:
    """One row per style (``names``, or in the order they first appear), the style's
    name on the left."""
    from PIL import Image, ImageDraw

    pad, name_w = 4, 140
    names = names or list(dict.fromkeys(d.style for d in drawings))
    w = name_w + per_style * (cell + pad) + pad
    h = len(names) * (cell + pad) + pad
    sheet = Image.new("L", (w, h), 200)
    draw = ImageDraw.Draw(sheet)
    for row, name in enumerate(names):
        y0 = pad + row * (cell + pad)
        draw.text((pad, y0 + cell // 2 - 6), name, fill=0)
        for col, d in enumerate([x for x in drawings if x.style == name][:per_style]):
            ink = render_strokes(d.strokes, size=cell)
            tile = Image.fromarray((255 - ink * 225).astype(np.uint8), "L")
            sheet.paste(tile, (name_w + col * (cell + pad), y0))
    sheet.save(path, optimize=True)
