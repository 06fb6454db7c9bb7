"""Make the README's screenshots from the real window (offscreen).

    python docs/screenshots.py [--size 1280x800] [--data-dir ../shared/MNIST] [--out docs]

Draws a digit from tests/data/drawn_digits.json with real mouse events, saves the
Draw tab, then trains on MNIST (6,000 images, 3 epochs) in the Train tab and saves it
mid-training, with a real loss curve.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "MNIST")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--digit", type=int, default=130, help="index in drawn_digits.json")
    ap.add_argument("--suffix", default="")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))

    import _window as shots

    from lenet_gui.core.strokes import load_drawings
    from lenet_gui.ui.app import make_application
    from lenet_gui.ui.main_window import MainWindow, app_icon

    app = make_application()
    app.setWindowIcon(app_icon())
    window = MainWindow()
    window.resize(width, height)
    window.show()

    def pump(seconds: float) -> None:
        shots.pump(app, seconds)

    shots.wait_for_model(app, window)
    canvas = window.draw_tab.canvas
    drawing = load_drawings(ROOT / "tests/data/drawn_digits.json")[args.digit]
    shots.drag_strokes(canvas, drawing.strokes)
    pump(0.3)
    args.out.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out / f"screenshot-draw{args.suffix}.png"))

    tab = window.train_tab
    window.tabs.setCurrentWidget(tab)
    data_dir = args.data_dir if (args.data_dir / "train").is_dir() else \
        ROOT / "tests/data/mnist_subset"
    tab.data_dir_edit.setText(str(data_dir))
    tab.check_data()
    tab.limit_spin.setValue(6000 if data_dir == args.data_dir else 2000)
    tab.epochs_spin.setValue(3)
    pump(0.5)
    tab.start()
    end = time.monotonic() + 300
    while tab.accuracy_table.rowCount() < 2 and time.monotonic() < end:
        pump(0.1)
    pump(1.5)
    window.grab().save(str(args.out / f"screenshot-train{args.suffix}.png"))
    window.close()
    print(f"wrote {args.out}/screenshot-draw{args.suffix}.png and "
          f"screenshot-train{args.suffix}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
