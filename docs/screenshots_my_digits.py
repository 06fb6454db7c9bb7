"""Make the My digits screenshots from the real window (offscreen).

    python docs/screenshots_my_digits.py [--size 1100x720] [--out docs] [--suffix ""]

Fills an in-memory My digits (nothing is written to your own) with drawings from
tests/data/drawn_digits.json, draws a 7 with real mouse events and presses 7, saves
the Draw tab with its "Saved as 7" confirmation, then the My digits tab.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1100x720")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--suffix", default="")
    ap.add_argument("--count", type=int, default=46, help="drawings already in My digits")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))

    from PySide6.QtCore import QItemSelectionModel, Qt
    from PySide6.QtTest import QTest

    import _window as shots

    from lenet_gui.core.my_digits import MyDigits
    from lenet_gui.core.strokes import load_drawings
    from lenet_gui.ui.app import make_application
    from lenet_gui.ui.main_window import MainWindow, app_icon

    app = make_application()
    app.setWindowIcon(app_icon())
    drawings = load_drawings(ROOT / "tests/data/drawn_digits.json")
    store = MyDigits(None)  # in memory only
    for d in drawings[3:3 + args.count * 11:11]:  # every 11th: all ten digits, varied styles
        store.add(d.strokes, d.label)
    window = MainWindow(my_digits=store)
    window.resize(width, height)
    window.show()

    def pump(seconds: float) -> None:
        shots.pump(app, seconds)

    shots.wait_for_model(app, window)
    canvas = window.draw_tab.canvas
    seven = next(d for d in drawings[130:] if d.label == 7)
    shots.drag_strokes(canvas, seven.strokes)
    pump(0.3)
    QTest.keyClick(canvas, Qt.Key.Key_7)
    pump(0.3)
    args.out.mkdir(parents=True, exist_ok=True)
    teach_png = args.out / f"screenshot-teach{args.suffix}.png"
    window.grab().save(str(teach_png))

    view = window.my_digits_view
    window.tabs.setCurrentWidget(view)
    pump(0.3)
    sel = view.list.selectionModel()
    for row in (2, 3):
        sel.select(view.model.index(row), QItemSelectionModel.SelectionFlag.Select)
    view.list.setFocus()
    pump(0.3)
    view_png = args.out / f"screenshot-my-digits{args.suffix}.png"
    window.grab().save(str(view_png))
    window.close()
    print(f"wrote {teach_png} and {view_png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
