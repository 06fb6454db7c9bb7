"""Render resources/icons/lenet-gui.svg to the PNG sizes the app and desktops use.

    python packaging/make_icons.py            # writes resources/icons/NxN/lenet-gui.png
    python packaging/make_icons.py --sheet /tmp/icons.png   # also a contact sheet to look at

Uses Qt's own SVG renderer (PySide6 QtSvg, in PySide6-Essentials), so no extra tool
is needed. At 32 px and below the elements whose id starts with ``detail-`` (grid,
network, shading) are dropped and the digit's stroke is thickened: at that size
they are only blur, and a bold plain glyph reads better.
"""

from __future__ import annotations

import argparse
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "lenet-gui.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SMALL = 32  # sizes up to this one get the simplified drawing
SVG_NS = "http://www.w3.org/2000/svg"


def svg_for_size(svg_text: str, size: int) -> bytes:
    """The icon's SVG as drawn at ``size`` pixels: simplified for small sizes."""
    if size > SMALL:
        return svg_text.encode()
    ET.register_namespace("", SVG_NS)
    root = ET.fromstring(svg_text)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.get("id", "").startswith("detail-"):
                parent.remove(child)
    widths = {16: "34", 24: "32", 32: "30"}
    for el in root.iter():
        if el.get("id") == "digit":
            for g in el.iter():
                if g.get("stroke-width"):
                    g.set("stroke-width", widths.get(size, "30"))
    return ET.tostring(root, encoding="utf-8")


def render(svg_bytes: bytes, size: int):
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg_bytes))
    if not renderer.isValid():
        raise SystemExit("make_icons: the SVG is not valid for Qt's renderer")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def contact_sheet(images: dict, path: Path) -> None:
    """Every size on a light and a dark strip, small ones also magnified 8x."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    width = sum(images[s].width() for s in SIZES if s <= 256) + 20 * 9
    zoom = 8
    height = 2 * (256 + 20) + 32 * zoom + 40
    sheet = QImage(width, height, QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#ffffff"))
    p = QPainter(sheet)
    p.fillRect(0, 276, width, 276, QColor("#2b2b2b"))
    for row, top in enumerate((10, 286)):
        x = 10
        for s in SIZES:
            if s > 256:
                continue
            p.drawImage(QPoint(x, top + (256 - s) // 2), images[s])
            x += s + 20
    x = 10
    for s in (16, 24, 32):
        big = images[s].scaled(s * zoom, s * zoom, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.FastTransformation)
        p.drawImage(QPoint(x, 2 * 276 + 20), big)
        x += s * zoom + 20
    p.end()
    sheet.save(str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SVG)
    parser.add_argument("--out", type=Path, default=ICONS, help="default: %(default)s")
    parser.add_argument("--sheet", type=Path, help="also write a contact sheet PNG here")
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    svg_text = args.svg.read_text(encoding="utf-8")
    images = {}
    for size in SIZES:
        image = render(svg_for_size(svg_text, size), size)
        target = args.out / f"{size}x{size}" / "lenet-gui.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"make_icons: cannot write {target}")
        images[size] = image
        print(f"{target} ({size}x{size})")
    if args.sheet:
        contact_sheet(images, args.sheet)
        print(f"contact sheet: {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
