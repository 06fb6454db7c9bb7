"""The main window: Draw, Train and My digits tabs, menus, status bar; wires widgets to
the core.

The window is built and shown before MindSpore is imported; the model loads in a
worker thread right after, and the device probe runs beside it.
"""

from __future__ import annotations

import gc
from pathlib import Path

import shiboken6
from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget

from .. import __version__
from ..core.config import APP_NAME, resource_path, shipped_checkpoint, user_data_dir
from ..core.my_digits import MY_DIGITS_FILE, MyDigits
from .draw_tab import DrawTab
from .my_digits_hub import MyDigitsHub
from .my_digits_view import MyDigitsView
from .train_tab import TrainTab
from .worker import Worker, start_worker, stop_and_wait

MNIST_ATTRIBUTION = ("MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, "
                     "available under the Creative Commons Attribution-Share Alike 3.0 "
                     "licence.")


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        path = resource_path(f"icons/{size}x{size}/lenet-gui.png")
        if path.is_file():
            icon.addFile(str(path))
    svg = resource_path("icons/lenet-gui.svg")
    if icon.isNull() and svg.is_file():
        icon.addFile(str(svg))
    return icon


class MainWindow(QMainWindow):
    model_loaded = Signal(str)  # a description of the model now in use
    model_failed = Signal(str)  # why a checkpoint could not be used

    def __init__(self, checkpoint: Path | None = None, device: str | None = None,
                 settings: QSettings | None = None,
                 my_digits: MyDigits | Path | None = None) -> None:
        """``my_digits``: the store, or its file; default ``user_data_dir()/my_digits.json``."""
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("LeNet5 digit recognizer")
        self.setWindowIcon(app_icon())
        self.settings = settings
        self.device = device
        self.checkpoint: Path | None = None  # the checkpoint in use
        self._jobs: list = []  # (worker, thread) pairs kept alive until they finish

        # The user's own drawings: one store, shared by the Draw tab's teach and the
        # My digits tab (and, later, the Train tab's "Learn my handwriting").
        if not isinstance(my_digits, MyDigits):
            my_digits = MyDigits(Path(my_digits) if my_digits is not None
                                 else user_data_dir() / MY_DIGITS_FILE)
        self.my_digits: MyDigits = my_digits
        self.my_digits_hub = MyDigitsHub(my_digits, self)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self.draw_tab = DrawTab()
        self.draw_tab.set_my_digits(self.my_digits_hub)
        self.train_tab = TrainTab()
        # Learn my handwriting starts from the model in use and learns My digits.
        self.train_tab.personal_source = lambda: (self.my_digits.drawings(), self.checkpoint)
        self.my_digits_hub.changed.connect(self.train_tab.refresh_personal)
        self.my_digits_view = MyDigitsView(self.my_digits_hub)
        self.tabs.addTab(self.draw_tab, "Draw")
        self.tabs.addTab(self.train_tab, "Train")  # indexes 0, 1 as saved by older versions
        self.tabs.addTab(self.my_digits_view, "My digits")
        from .network_view import NetworkView

        self.network_view = NetworkView()  # what LeNet5 computes for the drawing
        self.tabs.addTab(self.network_view, "Network")
        self.draw_tab.reading_changed.connect(self.network_view.show_reading)
        from .data_view import DataView

        self.data_view = DataView()  # MNIST, My digits and stroke files with the answers
        self.data_view.set_my_digits(self.my_digits_hub)
        self.data_view.set_data_dir(self.train_tab.data_dir())
        # The view does nothing until it is shown, so every keystroke here is cheap.
        self.train_tab.data_dir_edit.textChanged.connect(
            lambda _text: self.data_view.set_data_dir(self.train_tab.data_dir()))
        self.data_view.image_chosen.connect(self.put_on_canvas)
        self.tabs.addTab(self.data_view, "Data")
        self.setCentralWidget(self.tabs)

        self.model_label = QLabel("Loading the model…")
        self.model_label.setObjectName("model_label")
        self.training_label = QLabel()
        self.statusBar().addWidget(self.model_label, 1)
        self.statusBar().addPermanentWidget(self.training_label)

        if my_digits.recovered_message:  # once, and never a modal box
            self.statusBar().showMessage(my_digits.recovered_message, 30000)
            self.my_digits_view.show_banner(my_digits.recovered_message)

        self._build_menus()
        self.train_tab.use_checkpoint_requested.connect(self.load_checkpoint)
        self.train_tab.training_state_changed.connect(self._on_training_state)
        self.train_tab.signals.progress_reported.connect(self._on_training_progress)
        self.resize(1100, 720)
        if settings is not None:
            self._restore_settings(settings)
        if device:
            idx = self.train_tab.device_combo.findData(device)
            if idx >= 0:
                self.train_tab.device_combo.setCurrentIndex(idx)

        self._pending_checkpoint = Path(checkpoint) if checkpoint else shipped_checkpoint()
        # Once the window has painted itself: load MindSpore and the model, probe the
        # devices. (Started earlier, the import competes with the first paint for the
        # GIL and the window appears ~0.2 s later.) A window never shown starts them
        # after a second.
        self._jobs_started = False
        QTimer.singleShot(1000, self._start_background_jobs)

    def event(self, event: QEvent) -> bool:  # noqa: N802 - Qt API
        handled = super().event(event)
        if event.type() == QEvent.Type.UpdateRequest and not self._jobs_started:
            QTimer.singleShot(0, self._start_background_jobs)  # painted: now
        return handled

    # ------------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_image_action = QAction("Open &image…", self)
        self.open_image_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_image_action.triggered.connect(self.open_image)
        self.save_drawing_action = QAction("&Save drawing as PNG…", self)
        self.save_drawing_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_drawing_action.triggered.connect(self.save_drawing)
        self.open_checkpoint_action = QAction("Open &checkpoint…", self)
        self.open_checkpoint_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.open_checkpoint_action.triggered.connect(self.open_checkpoint)
        self.shipped_checkpoint_action = QAction("Use the &shipped model", self)
        self.shipped_checkpoint_action.triggered.connect(
            lambda: self.load_checkpoint(shipped_checkpoint()))
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        for a in (self.open_image_action, self.save_drawing_action, None,
                  self.open_checkpoint_action, self.shipped_checkpoint_action, None,
                  quit_action):
            file_menu.addSeparator() if a is None else file_menu.addAction(a)
        from .export_dialog import add_export_action

        self.export_action = add_export_action(self, file_menu)  # File > Export model…

        edit_menu = self.menuBar().addMenu("&Edit")
        undo = QAction("&Undo stroke", self)
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.triggered.connect(self.draw_tab.canvas.undo)
        clear = QAction("&Clear drawing", self)
        clear.triggered.connect(self.draw_tab.canvas.clear)
        eraser = QAction("&Eraser", self)
        eraser.setCheckable(True)
        eraser.toggled.connect(self.draw_tab.eraser_button.setChecked)
        self.draw_tab.eraser_button.toggled.connect(eraser.setChecked)
        for a in (undo, clear, eraser):
            edit_menu.addAction(a)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About lenet-gui", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # ------------------------------------------------------ background jobs
    def _run(self, fn, on_result, on_error, name: str) -> Worker:
        worker, thread = start_worker(fn, self, name)
        worker.returned.connect(on_result)
        worker.errored.connect(on_error)
        self._jobs.append((worker, thread))
        # A bound method of this main-thread object: queued, so it runs here, not in
        # the finishing thread (a lambda would run there).
        thread.finished.connect(self._prune_jobs)
        thread.start()
        return worker

    def _prune_jobs(self) -> None:
        self._jobs = [(w, t) for w, t in self._jobs
                      if shiboken6.isValid(t) and not t.isFinished()]

    def _start_background_jobs(self) -> None:
        if self._jobs_started:
            return
        self._jobs_started = True
        self.load_checkpoint(self._pending_checkpoint)
        from ..core.devices import probe_devices

        self._run(lambda _w: probe_devices(), self._on_devices_probed,
                  self._on_probe_failed, "probe-devices")
        self.train_tab.check_data()

    def _on_devices_probed(self, devices) -> None:
        self.train_tab.set_devices(devices)
        wanted = {d.name: d for d in devices}.get(self.device or "")
        if wanted is not None and not wanted.available:
            self.train_tab.banner.show_message(
                "info", f"--device {wanted.name}: {wanted.reason}; training uses the CPU.")

    def _on_probe_failed(self, message: str) -> None:
        self.train_tab.device_reason.setText(f"Device probe failed: {message}")

    def load_checkpoint(self, path: Path) -> None:
        """Load a checkpoint in a worker; the current model stays until it has loaded."""
        path = Path(path)

        # The recognizer always runs on the CPU (one image at a time is fastest there);
        # training picks its own device, in its own process.
        def job(_worker):
            from ..core.predict import Recognizer

            recognizer = Recognizer(path)
            recognizer.warm_up()
            return recognizer

        if self.draw_tab.recognizer is None:
            self.model_label.setText(f"Loading {path.name}…")
        self._run(job, self._on_model_loaded, self._on_model_failed, "load-model")

    def _on_model_loaded(self, recognizer) -> None:
        self.checkpoint = recognizer.checkpoint
        # MindSpore and the model leave ~700,000 objects that live until exit; a full
        # garbage collection walked them all (165-195 ms: a stall in the middle of
        # drawing). Frozen, the collector skips them (the gc docs' advice for
        # long-lived start-up objects).
        gc.freeze()
        # The graphs for numbers, after the first prediction is possible (not before:
        # it would delay the model by 0.3 s at start-up).
        self._run(lambda _w: recognizer.warm_up((4, 8)), lambda _r: gc.freeze(),
                  lambda _m: None, "warm-up")
        self.network_view.set_recognizer(recognizer)  # first: the re-read reaches it
        self.draw_tab.set_recognizer(recognizer)
        self.data_view.set_recognizer(recognizer)
        text = f"Model: {recognizer.info_text}"
        self.model_label.setText(text)
        self.model_label.setToolTip(str(recognizer.checkpoint))
        self.model_loaded.emit(text)

    def _on_model_failed(self, message: str) -> None:
        if self.draw_tab.recognizer is None:
            self.network_view.set_recognizer(None, error=f"No model: {message}")
            self.draw_tab.set_recognizer(None, error=f"No model: {message}")
            self.model_label.setText("No model loaded: open a checkpoint (File menu)")
            keep = "No model is loaded; open another checkpoint from the File menu."
        else:
            keep = f"The current model ({self.checkpoint.name}) stays in use."
        self.model_failed.emit(message)
        self.show_message("Cannot use this checkpoint", f"{message}\n\n{keep}")

    # -------------------------------------------------------------- actions
    def show_message(self, title: str, text: str,
                     icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
        """A window-modal message that does not block the event loop."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("message_box")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def open_checkpoint(self) -> None:
        start = str(self.checkpoint.parent) if self.checkpoint else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open checkpoint", start,
                                              "MindSpore checkpoints (*.ckpt);;All files (*)")
        if path:
            self.load_checkpoint(Path(path))

    def open_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open image", "", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif "
                                    "*.tiff);;All files (*)")
        if path:
            self.open_image_file(Path(path))

    def open_image_file(self, path: Path) -> bool:
        from ..core.errors import LenetGuiError
        from ..core.preprocess import read_image_ink

        try:
            ink = read_image_ink(path)
        except LenetGuiError as exc:
            self.show_message("Cannot open image", f"{exc}\n\nYour drawing is unchanged.")
            return False
        if not (ink > 0.1 * max(float(ink.max()), 1e-9)).any() or float(ink.max()) <= 0:
            self.show_message("No digit in this image",
                              f"{path}: the image is blank.\n\nYour drawing is unchanged.")
            return False
        self.tabs.setCurrentWidget(self.draw_tab)
        self.draw_tab.canvas.set_ink_image(ink)
        return True

    def save_drawing(self) -> None:
        if self.draw_tab.canvas.is_empty():
            self.show_message("Nothing to save", "The canvas is empty.",
                              QMessageBox.Icon.Information)
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save drawing", "digit.png",
                                              "PNG images (*.png)")
        if path:
            self.save_drawing_to(Path(path))

    def save_drawing_to(self, path: Path) -> bool:
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        if not self.draw_tab.canvas.drawing_image().save(str(path), "PNG"):
            self.show_message("Cannot save", f"{path}: could not write the file.")
            return False
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def show_about(self) -> QMessageBox:
        from importlib import metadata  # 40 ms: not at start-up

        try:
            ms_version = metadata.version("mindspore")
        except metadata.PackageNotFoundError:
            ms_version = "not installed"
        from PySide6 import __version__ as qt_version

        text = (f"<h3>lenet-gui {__version__}</h3>"
                "<p>Draw a digit and a LeNet5 network, built and trained with MindSpore, "
                "recognizes it; train it on MNIST on the device you choose.</p>"
                f"<p>MindSpore {ms_version} · PySide6 {qt_version}</p>"
                "<p>Licence: Apache License 2.0.</p>"
                f"<p>{MNIST_ATTRIBUTION}</p>")
        box = QMessageBox(QMessageBox.Icon.NoIcon, f"About {APP_NAME}", text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("about_box")
        box.setIconPixmap(self.windowIcon().pixmap(96, 96))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # ------------------------------------------------------------ training
    def _on_training_state(self, running: bool) -> None:
        self.training_label.setText("Training…" if running else "")

    def _on_training_progress(self, p) -> None:
        self.training_label.setText(
            f"Training: epoch {p.epoch}/{p.epochs}, {p.global_step / p.total_steps:.0%}")

    # ------------------------------------------------------------- settings
    def _restore_settings(self, settings: QSettings) -> None:
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        tab = settings.value("window/tab")
        try:
            self.tabs.setCurrentIndex(int(tab))
        except (TypeError, ValueError):
            pass
        self.train_tab.restore_settings(settings)

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/tab", self.tabs.currentIndex())
        if self.checkpoint is not None:
            shipped = self.checkpoint.resolve() == shipped_checkpoint().resolve()
            settings.setValue("model/checkpoint", "" if shipped else str(self.checkpoint))
        self.train_tab.save_settings(settings)
        settings.sync()

    def put_on_canvas(self, item) -> None:
        """A Data view item on the Draw tab's canvas: a 28x28 MNIST image or a Drawing."""
        from ..core.strokes import Drawing

        canvas = self.draw_tab.canvas
        if isinstance(item, Drawing):
            canvas.set_strokes(item.strokes)
        else:
            canvas.set_ink_image(item.astype("float32") / 255.0)
        self.tabs.setCurrentWidget(self.draw_tab)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.settings is not None:
            self.save_settings(self.settings)
        self.train_tab.shutdown()
        self.my_digits_view.shutdown()
        self.data_view.shutdown()
        for worker, thread in list(self._jobs):
            stop_and_wait(worker, thread)
        super().closeEvent(event)


__all__ = ["MainWindow", "app_icon"]
