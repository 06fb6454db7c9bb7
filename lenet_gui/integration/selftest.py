"""``lenet-gui --self-test``: is this installation complete and working?

One line per check, ``PASS``, ``FAIL`` or ``SKIP`` (a check that cannot run because
an earlier one failed), then a summary; the exit status is non-zero on any failure.
The checks, in order:

1. package data: the shipped checkpoint, the icons, the desktop file, the sample digits;
2. MindSpore imports (and which version);
3. the checkpoint loads and the network runs;
4. the bundled sample digits (``resources/samples``) are recognized correctly, through
   the same preprocessing as an opened image file;
5. the window builds (offscreen), loads the model in its worker thread, and a stroke
   drawn on its canvas gets a prediction;
6. the training process: this program starts itself as the Train tab's training
   child (``train --report jsonl``) and reads its reports (here: the error for an
   empty MNIST folder, so no data is needed).

``LENET_GUI_CHECKPOINT`` names another checkpoint to test instead of the shipped one
(for development, before a shipped checkpoint exists).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

from ..core.config import resource_path, shipped_checkpoint
from ..core.errors import first_line

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
WINDOW_TIMEOUT_S = 120.0


class CheckFailed(Exception):
    """A check's failure, in one line for the user."""


def sample_digits() -> list[tuple[int, Path]]:
    """(label, path) for the bundled sample images ``samples/digit-<label>[-n].png``."""
    folder = resource_path("samples")
    out = []
    for path in sorted(folder.glob("digit-*.png")) if folder.is_dir() else []:
        label = path.stem.split("-")[1]
        if label.isdigit():
            out.append((int(label), path))
    return out


def _checkpoint() -> Path:
    env = os.environ.get("LENET_GUI_CHECKPOINT")
    return Path(env) if env else shipped_checkpoint()


def _one_line(exc: BaseException) -> str:
    first = first_line(exc, "")
    return first if isinstance(exc, CheckFailed) else f"{type(exc).__name__}: {first}"


class _Runner:
    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out
        self.failed: list[str] = []
        self.passed = 0
        self.skipped = 0

    def check(self, name: str, fn: Callable[[], str], needs: bool = True):
        """Run one check; ``needs`` False means an earlier failure makes it pointless."""
        if not needs:
            self.skipped += 1
            self.out(f"SKIP {name}: an earlier check failed")
            return None
        start = time.perf_counter()
        try:
            detail = fn()
        except Exception as exc:  # noqa: BLE001 - a check reports any failure in one line
            self.failed.append(name)
            self.out(f"FAIL {name}: {_one_line(exc)}")
            if os.environ.get("LENET_GUI_DEBUG"):
                traceback.print_exc()
            return None
        self.passed += 1
        took = time.perf_counter() - start
        self.out(f"PASS {name}: {detail} [{took:.2f} s]")
        return detail or True


def check_package_data(checkpoint: Path) -> str:
    missing = []
    if not checkpoint.is_file():
        missing.append(f"checkpoint {checkpoint}")
    for size in ICON_SIZES:
        if not resource_path(f"icons/{size}x{size}/lenet-gui.png").is_file():
            missing.append(f"icon {size}x{size}")
    for name in ("icons/lenet-gui.svg", "lenet-gui.desktop"):
        if not resource_path(name).is_file():
            missing.append(name)
    samples = sample_digits()
    if len({label for label, _ in samples}) < 10:
        missing.append(f"sample digits (found {len(samples)} in {resource_path('samples')})")
    if missing:
        raise CheckFailed("missing " + "; ".join(missing))
    return (f"checkpoint {checkpoint} ({checkpoint.stat().st_size:,} bytes), "
            f"{len(ICON_SIZES)} icon sizes + SVG, desktop file, {len(samples)} sample digits")


def check_mindspore() -> str:
    from ..core._mindspore import import_mindspore

    ms = import_mindspore()
    return f"MindSpore {ms.__version__} from {Path(ms.__file__).parent}"


def check_checkpoint(checkpoint: Path, state: dict) -> str:
    from ..core.predict import Recognizer

    recognizer = Recognizer(checkpoint)
    recognizer.warm_up()
    state["recognizer"] = recognizer
    return recognizer.info_text


def check_samples(state: dict) -> str:
    from ..core.predict import predict_one
    from ..core.preprocess import preprocess_ink, read_image_ink

    recognizer = state["recognizer"]
    wrong = []
    confidences = []
    samples = sample_digits()
    if not samples:
        raise CheckFailed(f"no sample digits in {resource_path('samples')}")
    for label, path in samples:
        model_input = preprocess_ink(read_image_ink(path))
        if model_input is None:
            wrong.append(f"{path.name}: blank")
            continue
        pred = predict_one(recognizer, model_input)
        confidences.append(pred.confidence)
        if pred.digit != label:
            wrong.append(f"{path.name} read as {pred.digit} ({pred.confidence * 100:.0f}%)")
    if wrong:
        raise CheckFailed(f"{len(wrong)} of {len(samples)} wrong: " + ", ".join(wrong))
    return (f"{len(samples)}/{len(samples)} recognized, lowest confidence "
            f"{min(confidences) * 100:.2f}%")


def check_window(checkpoint: Path) -> str:
    """Build the real window offscreen, wait for its model, draw a 1, read the answer."""
    from PySide6.QtCore import QEventLoop, QThread, QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        # Always offscreen: the self-test must run without a display (CI, ssh, a
        # fresh machine) and must not flash a window on one.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from ..ui.app import make_application

    app = make_application()
    from ..core.strokes import Stroke
    from ..ui.main_window import MainWindow

    def quiet(mode, context, message: str) -> None:
        # The offscreen platform warns about window hints it cannot apply: noise here.
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    previous_handler = qInstallMessageHandler(quiet)
    from ..core.my_digits import MyDigits

    # An in-memory My digits: a self-test never reads (or sets aside) the user's file.
    window = MainWindow(checkpoint=checkpoint, settings=None, my_digits=MyDigits(None))
    try:
        if window.windowIcon().isNull():
            raise CheckFailed("the window has no icon (icons not found)")
        outcome: dict = {}
        loop = QEventLoop()

        def loaded(text: str) -> None:
            outcome["loaded"] = text
            loop.quit()

        def failed(message: str) -> None:
            outcome["failed"] = message
            loop.quit()

        window.model_loaded.connect(loaded)
        window.model_failed.connect(failed)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(int(WINDOW_TIMEOUT_S * 1000))
        window.show()
        if window.draw_tab.recognizer is None:
            loop.exec()
        timer.stop()
        if "failed" in outcome:
            raise CheckFailed(f"the window could not load the model: {outcome['failed']}")
        if window.draw_tab.recognizer is None:
            raise CheckFailed(f"the window loaded no model within {WINDOW_TIMEOUT_S:.0f} s")
        # A vertical stroke, slightly slanted: a 1 for any trained LeNet5.
        window.draw_tab.canvas.set_strokes([Stroke([(0.52, 0.18), (0.50, 0.50),
                                                    (0.48, 0.82)])])
        deadline = time.monotonic() + 5.0
        while window.draw_tab.last_prediction is None and time.monotonic() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        prediction = window.draw_tab.last_prediction
        if prediction is None:
            raise CheckFailed("drawing on the canvas gave no prediction")
        digit, probabilities = prediction
        if digit != 1:
            raise CheckFailed(f"a drawn 1 was read as {digit} "
                              f"({probabilities[digit] * 100:.0f}%)")
        about = window.show_about()
        about.close()
        # The Train tab builds its loss plot (pyqtgraph) when first shown.
        window.tabs.setCurrentWidget(window.train_tab)
        plot = None
        deadline = time.monotonic() + 15.0
        while plot is None and time.monotonic() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if "pyqtgraph" in sys.modules:
                plots = window.train_tab.loss_plot.findChildren(
                    sys.modules["pyqtgraph"].PlotWidget)
                plot = plots[0] if plots else None
        if plot is None:
            raise CheckFailed("the Train tab's loss plot (pyqtgraph) was not built")
        window.tabs.setCurrentWidget(window.draw_tab)
        # The window's other background jobs (device probe, MNIST folder check) must
        # end on their own: a thread still running here would block closing the window.
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline:
            running = [t.objectName() or "unnamed" for t in window.findChildren(QThread)
                       if t.isRunning()]
            if not running:
                break
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)
        else:
            raise CheckFailed("background job(s) still running 15 s after the model "
                              f"loaded: {', '.join(running)}")
        return (f"{app.platformName()} window, model loaded in its worker thread; a drawn 1 "
                f"read as {digit} ({probabilities[digit] * 100:.1f}%); loss plot built")
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
        qInstallMessageHandler(previous_handler)


def check_training_process() -> str:
    import tempfile

    from ..core.errors import TrainingError
    from ..core.train_process import ChildDied, run_child

    events: list = []
    with tempfile.TemporaryDirectory(prefix="lenet-gui-self-test-") as tmp:
        try:
            run_child(["train", "--data-dir", str(Path(tmp) / "MNIST"), "--limit", "32",
                       "--epochs", "1", "--out", str(Path(tmp) / "x.ckpt")], events.append)
        except ChildDied as exc:
            raise CheckFailed(f"{exc}; its last error output: "
                              f"{' | '.join(exc.stderr_tail[-3:]) or 'none'}") from None
        except TrainingError as exc:
            if "MNIST folder not found" not in str(exc):
                raise CheckFailed(f"the training process reported: {exc}") from None
        else:
            raise CheckFailed("the training process trained without MNIST data")
    hello = next((e for e in events if e.get("event") == "hello"), None)
    if hello is None:
        raise CheckFailed("the training process sent no hello line")
    return (f"started itself as a training process (pid {hello['pid']}, protocol "
            f"{hello['protocol']}); its reports arrived")


def run_self_test(out: Callable[[str], None] | None = None,
                  checkpoint: Path | None = None) -> int:
    """Run every check, print one line each; 0 if all passed, 1 otherwise.

    ``checkpoint``: test this one instead of ``LENET_GUI_CHECKPOINT`` / the shipped one.
    """
    if out is None:
        def out(line: str) -> None:
            print(line, flush=True)

    from .. import __version__

    start = time.perf_counter()
    frozen = " (frozen app)" if getattr(sys, "frozen", False) else ""
    out(f"lenet-gui {__version__} self-test{frozen}, Python {sys.version.split()[0]} "
        f"on {sys.platform}")
    checkpoint = Path(checkpoint) if checkpoint is not None else _checkpoint()
    state: dict = {}
    r = _Runner(out)
    r.check("package data", lambda: check_package_data(checkpoint))
    ms_ok = r.check("MindSpore imports", check_mindspore)
    model_ok = r.check("checkpoint loads", lambda: check_checkpoint(checkpoint, state),
                       needs=bool(ms_ok) and checkpoint.is_file())
    r.check("sample digits", lambda: check_samples(state), needs=bool(model_ok))
    r.check("window", lambda: check_window(checkpoint), needs=bool(model_ok))
    r.check("training process", check_training_process, needs=bool(ms_ok))
    total = time.perf_counter() - start
    if r.failed:
        out(f"FAILED: {len(r.failed)} of {r.passed + len(r.failed) + r.skipped} checks "
            f"({', '.join(r.failed)}), {r.skipped} skipped [{total:.1f} s]")
        return 1
    if r.skipped:
        out(f"FAILED: {r.skipped} checks skipped [{total:.1f} s]")
        return 1
    out(f"OK: all {r.passed} checks passed [{total:.1f} s]")
    return 0


__all__ = ["run_self_test", "sample_digits", "CheckFailed"]
