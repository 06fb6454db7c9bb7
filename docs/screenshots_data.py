"""Make the Data view screenshot from the real window (offscreen).

    python docs/screenshots_data.py [--size 1100x720] [--out docs] [--data-dir DIR]

The MNIST test images (../shared/MNIST when present, else the committed subset)
with the shipped model's answers, filtered to its mistakes, beside the confusion
matrix. Uses an in-memory My digits and prediction cache: nothing is written to
your own files.
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
SHARED = ROOT.parent / "shared" / "MNIST"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1100x720")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--data-dir", type=Path,
                    default=SHARED if (SHARED / "test").is_dir() else
                    ROOT / "tests" / "data" / "mnist_subset")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))

    from lenet_gui.core.prediction_cache import PredictionCache
    from lenet_gui.core.my_digits import MyDigits
    from lenet_gui.ui.app import make_application
    from lenet_gui.ui.data_view import DataView
    from lenet_gui.ui.main_window import MainWindow, app_icon

    app = make_application()
    app.setWindowIcon(app_icon())
    window = MainWindow(my_digits=MyDigits(None))
    view = getattr(window, "data_view", None)
    if view is None:  # before the window has its Data tab: add it as the window will
        view = DataView(cache=PredictionCache(None))
        view.set_my_digits(window.my_digits_hub)
        window.tabs.addTab(view, "Data")
    window.resize(width, height)
    window.show()

    def pump(seconds: float, until=None) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not (until and until()):
            app.processEvents()
            time.sleep(0.01)

    pump(60, lambda: window.draw_tab.recognizer is not None)
    view.set_data_dir(args.data_dir)
    view.set_recognizer(window.draw_tab.recognizer)
    window.tabs.setCurrentWidget(view)
    pump(120, lambda: view.predictions is not None and not view.busy())
    view.filter_combo.setCurrentIndex(view.filter_combo.findText("Mistakes"))
    pump(0.5)
    args.out.mkdir(parents=True, exist_ok=True)
    png = args.out / "screenshot-data.png"
    window.grab().save(str(png))
    view.shutdown()
    window.close()
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
