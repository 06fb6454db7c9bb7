"""Train tab: hyperparameters, data folder, device picker, start/stop, progress, plot, log.

Training runs ``lenet_gui.train.train`` in a QThread worker; its reports are
throttled (every 100 ms) so the event loop keeps the window fluid.
"""

from __future__ import annotations

import threading
from pathlib import Path

import shiboken6

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QFrame, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPlainTextEdit, QProgressBar, QPushButton,
                               QSizePolicy, QSpinBox, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..config import DEVICES, RECIPES, TrainConfig, default_data_dir
from ..finetune import FinetuneConfig, check_enough
from ..devices import DeviceStatus
from ..errors import ConfigError
from .loss_plot import LossPlot
from .worker import Throttle, TrainingSignals, Worker, start_worker, stop_and_wait

REPORT_INTERVAL_S = 0.1
PERSONAL = "personal"  # the recipe that learns the user's handwriting (lenet_gui.finetune)
TAB_RECIPES = RECIPES + (PERSONAL,)


def format_duration(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):
        return "–"
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _fingerprint(data_dir: Path) -> tuple:
    """Which MNIST files a folder holds, and their sizes and times: cheap to compute."""
    from ..data import FILES, find_file

    out = []
    for f in FILES:
        path = find_file(data_dir, f)
        if path is None:
            out.append(None)
            continue
        st = path.stat()
        out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def _check_and_read(data_dir: Path):
    """(file statuses, (fingerprint, train, test) or (fingerprint, why not readable))."""
    from ..data import check_dir, load_split
    from ..errors import LenetGuiError

    statuses = check_dir(data_dir)
    fingerprint = _fingerprint(data_dir)
    try:
        return statuses, (fingerprint, load_split(data_dir, "train"),
                          load_split(data_dir, "test"))
    except LenetGuiError as exc:
        return statuses, (fingerprint, str(exc))


class Banner(QFrame):
    """An inline message with an optional action, like KDE's KMessageWidget."""

    action_triggered = Signal()

    STYLES = {
        "info": ("#e8f1fd", "#2f6fde"),
        "success": ("#e7f6ec", "#2e8540"),
        "error": ("#fdecea", "#c62828"),
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.setObjectName("use_model_button")
        self.close_button = QPushButton("Dismiss")
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self.action_button.clicked.connect(self.action_triggered)
        self.close_button.clicked.connect(self.hide)
        self.kind = "info"
        self.hide()

    def show_message(self, kind: str, text: str, action: str | None = None) -> None:
        bg, fg = self.STYLES[kind]
        self.kind = kind
        self.setStyleSheet(f"#banner {{ background: {bg}; border: 1px solid {fg}; "
                           f"border-radius: 4px; }} #banner QLabel {{ color: #1b1b1b; }}")
        self.label.setText(text)
        self.action_button.setVisible(action is not None)
        if action:
            self.action_button.setText(action)
        self.show()


class TrainTab(QWidget):
    use_checkpoint_requested = Signal(Path)
    training_state_changed = Signal(bool)  # True while a training job runs

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker: Worker | None = None
        self._thread = None
        self._download_worker: Worker | None = None
        self._download_thread = None
        self._abandon = threading.Event()
        self._aux_jobs: list = []  # (worker, thread) of folder checks
        self.mirrors: tuple[str, ...] | None = None  # None: lenet_gui.data.MIRRORS
        self._last_result = None
        # From check_data: (fingerprint, train split, test split) or (fingerprint, error)
        self._data_cache = None
        self._loading = {"done": True}
        # Set by the window: () -> (My digits drawings, the checkpoint in use).
        self.personal_source = None
        self.signals = TrainingSignals(self)
        self.signals.losses_reported.connect(self._on_losses)
        self.signals.progress_reported.connect(self._on_progress)
        self.signals.epoch_finished.connect(self._on_epoch)
        self.signals.log_reported.connect(self.append_log)
        self.signals.download_reported.connect(self._on_download_progress)
        self._build()
        self.set_devices(None)
        self._set_running(False)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        course = TrainConfig()
        self.recipe_combo = QComboBox()
        self.recipe_combo.setObjectName("recipe_combo")
        for name in TAB_RECIPES:
            self.recipe_combo.addItem(name.capitalize(), name)
        self.recipe_combo.setToolTip("Course: the course's recipe (Momentum SGD, 3 epochs).\n"
                                     "Robust: augmentation (rotation, scale, shear, elastic, "
                                     "stroke width, the slashed 0, continental 1 and crossed "
                                     "7), cosine learning rate, weight decay.\n"
                                     "Personal: learn my handwriting — fine-tune the model in "
                                     "use on My digits mixed with MNIST.")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("epochs_spin")
        self.epochs_spin.setRange(1, 1000)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setObjectName("lr_spin")
        self.lr_spin.setDecimals(4)
        self.lr_spin.setRange(0.0001, 10.0)
        self.lr_spin.setSingleStep(0.001)
        self.momentum_spin = QDoubleSpinBox()
        self.momentum_spin.setObjectName("momentum_spin")
        self.momentum_spin.setDecimals(3)
        self.momentum_spin.setRange(0.0, 0.999)
        self.momentum_spin.setSingleStep(0.01)
        self.batch_spin = QSpinBox()
        self.batch_spin.setObjectName("batch_spin")
        self.batch_spin.setRange(1, 4096)
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seed_spin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.limit_spin = QSpinBox()
        self.limit_spin.setObjectName("limit_spin")
        self.limit_spin.setRange(0, 60000)
        self.limit_spin.setSingleStep(1000)
        self.limit_spin.setSpecialValueText("all 60,000")
        self.limit_spin.setToolTip("Train on the first N images only, for a quick run")
        self.device_combo = QComboBox()
        self.device_combo.setObjectName("device_combo")
        self.device_combo.setToolTip("The device MindSpore trains on")
        self.device_reason = QLabel()
        self.device_reason.setObjectName("device_reason")
        self.device_reason.setWordWrap(True)
        self.device_reason.setStyleSheet("color: palette(mid);")

        form = QFormLayout()
        form.addRow("Recipe", self.recipe_combo)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("Momentum", self.momentum_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Training images", self.limit_spin)
        form.addRow("Device", self.device_combo)
        form.addRow("", self.device_reason)
        self.personal_status = QLabel()
        self.personal_status.setObjectName("personal_status")
        self.personal_status.setWordWrap(True)
        self.personal_status.hide()
        form.addRow("", self.personal_status)
        hyper = QGroupBox("Hyperparameters")
        hyper.setLayout(form)

        self.data_dir_edit = QLineEdit(str(default_data_dir()))
        self.data_dir_edit.setObjectName("data_dir_edit")
        self.browse_button = QPushButton("Browse…")
        self.data_status = QLabel()
        self.data_status.setObjectName("data_status")
        self.data_status.setWordWrap(True)
        self.download_button = QPushButton("Download MNIST")
        self.download_button.setObjectName("download_button")
        self.download_progress = QProgressBar()
        self.download_progress.setObjectName("download_progress")
        self.download_progress.hide()
        row = QHBoxLayout()
        row.addWidget(self.data_dir_edit, 1)
        row.addWidget(self.browse_button)
        data_box = QGroupBox("MNIST data folder")
        data_layout = QVBoxLayout(data_box)
        data_layout.addLayout(row)
        data_layout.addWidget(self.data_status)
        dl_row = QHBoxLayout()
        dl_row.addWidget(self.download_button)
        dl_row.addWidget(self.download_progress, 1)
        data_layout.addLayout(dl_row)

        self.start_button = QPushButton("Start training")
        self.start_button.setObjectName("start_button")
        self.start_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stop_button")
        self.stop_button.setToolTip("Stop after the current step; the best weights so far "
                                    "are kept")
        run_row = QHBoxLayout()
        run_row.addWidget(self.start_button, 1)
        run_row.addWidget(self.stop_button)

        left = QVBoxLayout()
        left.addWidget(hyper)
        left.addWidget(data_box)
        left.addLayout(run_row)
        left.addStretch(1)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setMinimumWidth(280)
        left_box.setMaximumWidth(400)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progress_bar")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Ready to train")
        self.progress_bar.setTextVisible(True)
        self.progress_label = QLabel(" ")
        self.progress_label.setObjectName("progress_label")
        self.banner = Banner(self)
        self.loss_plot = LossPlot()
        self.accuracy_table = QTableWidget(0, 4)
        self.accuracy_table.setObjectName("accuracy_table")
        self.accuracy_table.setHorizontalHeaderLabels(["Epoch", "Loss", "Test acc.", "Time"])
        self.accuracy_table.setToolTip("Per epoch: mean training loss, accuracy on the MNIST "
                                       "test set, time. ★ marks the saved weights.")
        self.accuracy_table.verticalHeader().hide()
        self.accuracy_table.setWordWrap(False)
        self.accuracy_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.accuracy_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)
        self.accuracy_table.horizontalHeader().setMinimumSectionSize(40)
        self.accuracy_table.setMinimumWidth(260)
        self.log_view = QPlainTextEdit()
        self.log_view.setObjectName("log_view")
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(5000)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.log_view.setPlaceholderText("Training log")
        mono = self.log_view.font()
        mono.setFamily("monospace")
        mono.setStyleHint(mono.StyleHint.Monospace)
        self.log_view.setFont(mono)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.accuracy_table)
        bottom.addWidget(self.log_view)
        bottom.setSizes([320, 480])
        bottom.setChildrenCollapsible(False)
        vsplit = QSplitter(Qt.Orientation.Vertical)
        vsplit.addWidget(self.loss_plot)
        vsplit.addWidget(bottom)
        vsplit.setStretchFactor(0, 3)
        vsplit.setStretchFactor(1, 2)
        right = QVBoxLayout()
        right.addWidget(self.banner)
        right.addWidget(self.progress_bar)
        right.addWidget(self.progress_label)
        right.addWidget(vsplit, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(left_box)
        layout.addLayout(right, 1)
        left_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

        self.set_config(course)
        self.recipe_combo.currentIndexChanged.connect(self._on_recipe_changed)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.browse_button.clicked.connect(self._browse)
        self.download_button.clicked.connect(self._download_clicked)
        self.data_dir_edit.editingFinished.connect(self.check_data)
        self.banner.action_triggered.connect(self._use_model)

    # ------------------------------------------------------------- settings
    def set_config(self, config: TrainConfig) -> None:
        self.recipe_combo.blockSignals(True)
        self.recipe_combo.setCurrentIndex(max(0, self.recipe_combo.findData(config.recipe)))
        self.recipe_combo.blockSignals(False)
        self.epochs_spin.setValue(config.epochs)
        self.lr_spin.setValue(config.lr)
        self.momentum_spin.setValue(config.momentum)
        self.batch_spin.setValue(config.batch_size)
        self.seed_spin.setValue(config.seed)
        self.limit_spin.setValue(config.limit or 0)

    def _on_recipe_changed(self) -> None:
        recipe = self.recipe_combo.currentData()
        limit, seed = self.limit_spin.value() or None, self.seed_spin.value()
        if recipe == PERSONAL:
            p = FinetuneConfig()
            self.epochs_spin.setValue(p.epochs)
            self.lr_spin.setValue(p.lr)
            self.momentum_spin.setValue(p.momentum)
            self.batch_spin.setValue(p.batch_size)
        else:
            self.set_config(TrainConfig.for_recipe(recipe, limit=limit, seed=seed))
        self.refresh_personal()

    def is_personal(self) -> bool:
        return self.recipe_combo.currentData() == PERSONAL

    def personal_config(self) -> FinetuneConfig:
        """The widgets' values as the personal recipe's config, validated."""
        config = FinetuneConfig(epochs=self.epochs_spin.value(),
                                lr=round(self.lr_spin.value(), 6),
                                momentum=round(self.momentum_spin.value(), 6),
                                batch_size=self.batch_spin.value(), seed=self.seed_spin.value(),
                                device=self.device_combo.currentData() or "CPU")
        config.validate()
        return config

    def refresh_personal(self) -> None:
        """Show what the personal recipe would learn from; disable Start if too little."""
        personal = self.is_personal()
        self.personal_status.setVisible(personal)
        self.limit_spin.setEnabled(not personal and not self.is_training())
        self.start_button.setText("Learn my handwriting" if personal else "Start training")
        if not personal:
            self.start_button.setEnabled(not self.is_training())
            self.start_button.setToolTip("")
            return
        drawings = self.personal_source()[0] if self.personal_source else []
        reason = check_enough(drawings)
        counts = [sum(1 for d in drawings if d.label == k) for k in range(10)]
        text = (f"{len(drawings)} of your digits in My digits ("
                + ", ".join(f"{k}: {c}" for k, c in enumerate(counts) if c) + ")"
                if drawings else "My digits is empty: teach digits in the Draw tab "
                "(draw one, then press its key)")
        self.personal_status.setText(text + (f". Learning {reason}." if reason else
                                             ". Fine-tunes the model in use on them, mixed "
                                             "with MNIST."))
        self.personal_status.setStyleSheet("color: #c62828;" if reason else "")
        self.start_button.setEnabled(reason is None and not self.is_training())
        self.start_button.setToolTip(f"Learning {reason}" if reason else "")

    def config(self) -> TrainConfig:
        """The widgets' values as a TrainConfig, validated (ConfigError with the reason)."""
        device = self.device_combo.currentData() or "CPU"
        config = TrainConfig.for_recipe(
            self.recipe_combo.currentData() or "course",
            epochs=self.epochs_spin.value(), lr=round(self.lr_spin.value(), 6),
            momentum=round(self.momentum_spin.value(), 6),
            batch_size=self.batch_spin.value(), seed=self.seed_spin.value(),
            limit=self.limit_spin.value() or None, device=device)
        config.validate()
        return config

    def save_settings(self, settings: QSettings) -> None:
        settings.beginGroup("train")
        settings.setValue("recipe", self.recipe_combo.currentData())
        for key, spin in (("epochs", self.epochs_spin), ("lr", self.lr_spin),
                          ("momentum", self.momentum_spin), ("batch_size", self.batch_spin),
                          ("seed", self.seed_spin), ("limit", self.limit_spin)):
            settings.setValue(key, spin.value())
        settings.setValue("data_dir", self.data_dir_edit.text())
        settings.endGroup()

    def restore_settings(self, settings: QSettings) -> None:
        settings.beginGroup("train")
        try:
            recipe = settings.value("recipe")
            if recipe in TAB_RECIPES:
                self.recipe_combo.blockSignals(True)
                self.recipe_combo.setCurrentIndex(self.recipe_combo.findData(recipe))
                self.recipe_combo.blockSignals(False)
            for key, spin, cast in (("epochs", self.epochs_spin, int),
                                    ("lr", self.lr_spin, float),
                                    ("momentum", self.momentum_spin, float),
                                    ("batch_size", self.batch_spin, int),
                                    ("seed", self.seed_spin, int),
                                    ("limit", self.limit_spin, int)):
                value = settings.value(key)
                if value is not None:
                    try:
                        spin.setValue(cast(value))
                    except (TypeError, ValueError):
                        pass
            data_dir = settings.value("data_dir")
            if isinstance(data_dir, str) and data_dir:
                self.data_dir_edit.setText(data_dir)
        finally:
            settings.endGroup()
        self.refresh_personal()

    # -------------------------------------------------------------- devices
    def set_devices(self, devices: list[DeviceStatus] | None) -> None:
        """Fill the picker; None while the probe runs."""
        current = self.device_combo.currentData() or "CPU"
        self.device_combo.clear()
        model = self.device_combo.model()
        reasons = []
        if devices is None:
            devices = [DeviceStatus(d, d == "CPU", "checking…") for d in DEVICES]
        for i, d in enumerate(devices):
            text = d.name if d.available else f"{d.name} (unavailable)"
            self.device_combo.addItem(text, d.name)
            self.device_combo.setItemData(i, d.reason, Qt.ItemDataRole.ToolTipRole)
            item = model.item(i)
            item.setEnabled(d.available)
            if not d.available:
                reasons.append(f"{d.name}: {d.reason}")
        idx = self.device_combo.findData(current)
        if idx < 0 or not model.item(idx).isEnabled():
            idx = self.device_combo.findData("CPU")
        self.device_combo.setCurrentIndex(max(idx, 0))
        self.device_reason.setText("\n".join(reasons))
        self.device_statuses = devices

    # ----------------------------------------------------------------- data
    def data_dir(self) -> Path:
        return Path(self.data_dir_edit.text().strip() or str(default_data_dir()))

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "MNIST data folder", str(self.data_dir()))
        if path:
            self.data_dir_edit.setText(path)
            self.check_data()

    def check_data(self) -> None:
        """Check the folder (sizes and MD5s) in a worker; the result fills the status line.

        The worker also reads the images, so that Start need not (155 ms for MNIST,
        a visible freeze in the GUI thread).
        """
        if self._abandon.is_set():  # the window is closing
            return
        data_dir = self.data_dir()
        self.data_status.setText("Checking…")
        worker, thread = start_worker(lambda _w: _check_and_read(data_dir), self,
                                      "check-data")
        worker.returned.connect(self._on_data_checked)
        worker.errored.connect(self.data_status.setText)
        # Keep the Python worker alive too: a collected worker crashes its thread.
        self._aux_jobs.append((worker, thread))
        thread.finished.connect(self._prune_aux_jobs)
        thread.start()

    def _prune_aux_jobs(self) -> None:
        self._aux_jobs = [(w, t) for w, t in self._aux_jobs
                          if shiboken6.isValid(t) and not t.isFinished()]

    def _on_data_checked(self, checked) -> None:
        statuses, self._data_cache = checked
        missing = [s for s in statuses if s.path is None]
        bad = [s for s in statuses if s.path is not None and not s.ok]
        if not missing and not bad:
            text, color = "✔ Found: all four MNIST files, checksums OK", "#2e8540"
        elif len(missing) == len(statuses):
            text, color = "✘ Missing: no MNIST files here. Download them or pick a folder.", \
                "#c62828"
        elif missing:
            text = "✘ Missing: " + ", ".join(s.file.name for s in missing)
            color = "#c62828"
        else:
            text = ("⚠ Checksum wrong: " + "; ".join(s.message for s in bad[:2]) +
                    " — training still works on well-formed subsets")
            color = "#b7791f"
        self.data_status.setText(text)
        self.data_status.setStyleSheet(f"color: {color};")
        self.data_statuses = statuses

    def _download_clicked(self) -> None:
        if self._download_worker is not None:
            self._download_worker.stop()
            self.download_button.setEnabled(False)
            self.download_button.setText("Cancelling…")
            return
        from ..data import MIRRORS, download

        data_dir = self.data_dir()
        signals = self.signals
        mirrors = self.mirrors or MIRRORS

        def job(worker: Worker):
            throttle = Throttle(REPORT_INTERVAL_S)

            started: set[str] = set()

            def progress(name: str, got: int, total: int | None) -> None:
                if name not in started:
                    started.add(name)
                    size = f" ({total / 1e6:.1f} MB)" if total else ""
                    signals.log_reported.emit(f"downloading {name}{size}")
                if throttle.ready(force=total is not None and got >= total):
                    signals.download_reported.emit(name, got, total or 0)

            return download(data_dir, mirrors=mirrors, progress=progress,
                            stop=worker.stop_event)

        worker, thread = start_worker(job, self, "download")
        worker.returned.connect(self._on_download_done)
        worker.errored.connect(self._on_download_error)
        worker.cancelled.connect(self._on_download_cancelled)
        thread.finished.connect(self._on_download_thread_finished)
        self._download_worker, self._download_thread = worker, thread
        self.download_button.setText("Cancel download")
        self.download_progress.setRange(0, 0)
        self.download_progress.show()
        thread.start()

    def _on_download_progress(self, name: str, got: int, total: int) -> None:
        if total > 0:
            self.download_progress.setRange(0, total)
            self.download_progress.setValue(min(got, total))
            self.download_progress.setFormat(f"{name}: %p%")
        else:
            self.download_progress.setRange(0, 0)
        self.download_progress.setToolTip(f"{name}: {got / 1e6:.1f} MB")

    def _on_download_done(self, _paths) -> None:
        self.banner.show_message("success", f"MNIST downloaded to {self.data_dir()}.")
        self.check_data()

    def _on_download_error(self, message: str) -> None:
        self.banner.show_message("error", f"Download failed: {message}")

    def _on_download_cancelled(self) -> None:
        self.banner.show_message("info", "Download cancelled; run it again to resume.")

    def _on_download_thread_finished(self) -> None:
        self._download_worker = self._download_thread = None
        self.download_progress.hide()
        self.download_button.setEnabled(True)
        self.download_button.setText("Download MNIST")

    # ------------------------------------------------------------- training
    def is_training(self) -> bool:
        return self._worker is not None

    def start(self) -> bool:
        """Validate and start training in a worker thread; False (with a message) if not."""
        if self._worker is not None:
            return False
        if self.is_personal():
            return self._start_personal()
        try:
            config = self.config()
        except ConfigError as exc:
            self.banner.show_message("error", f"Cannot start: {exc}")
            return False
        from ..data import count_items, require_files
        from ..errors import LenetGuiError

        # Only cheap checks here (the GUI thread): files present, counts from the
        # headers. The images come from the folder check's cache, or are read by
        # the worker (155 ms for MNIST: a visible freeze here).
        data_dir = self.data_dir()
        cache = self._data_cache
        try:
            if cache is not None and cache[0] == _fingerprint(data_dir):
                if isinstance(cache[1], str):
                    raise LenetGuiError(cache[1])  # the check found it unreadable
                train_split, test_split = cache[1], cache[2]
                config.validate(len(train_split))
            else:
                train_split = test_split = None
                files = require_files(data_dir)
                config.validate(count_items(files["train-images-idx3-ubyte"]))
        except LenetGuiError as exc:
            self.banner.show_message("error", f"Cannot start: {exc}")
            return False

        from ..data import load_split
        from ..train import default_checkpoint_path, train

        out = default_checkpoint_path(config)
        signals = self.signals
        abandon = self._abandon

        loading = {"done": train_split is not None}
        self._loading = loading

        def job(worker: Worker):
            nonlocal train_split, test_split
            if train_split is None:
                train_split = load_split(data_dir, "train")
                test_split = load_split(data_dir, "test")
                config.validate(len(train_split))
            loading["done"] = True
            pending: list[tuple[int, float]] = []
            throttle = Throttle(REPORT_INTERVAL_S)

            def flush(progress=None) -> None:
                if pending:
                    signals.losses_reported.emit(list(pending))
                    pending.clear()
                if progress is not None:
                    signals.progress_reported.emit(progress)

            def on_progress(p) -> None:
                pending.append((p.global_step, p.loss))
                if throttle.ready(force=p.step == p.steps_per_epoch):
                    flush(p)
                if p.step % 100 == 0:
                    signals.log_reported.emit(p.log_line())

            def on_epoch(e) -> None:
                flush()
                signals.epoch_finished.emit(e)

            try:
                return train(config, out, train_split=train_split, test_split=test_split,
                             on_progress=on_progress, on_epoch=on_epoch,
                             on_log=signals.log_reported.emit, stop=worker.stop_event,
                             abandon=abandon)
            finally:
                flush()

        self.append_log(f"— training started: {config.recipe} recipe, {config.epochs} "
                        f"epochs, lr {config.lr}, batch {config.batch_size} —")
        self._launch(job, self._on_finished)
        return True

    def _cached_splits(self, data_dir: Path):
        """(train, test) from the folder check, or None (the worker reads them)."""
        from ..data import require_files
        from ..errors import LenetGuiError

        cache = self._data_cache
        if cache is not None and cache[0] == _fingerprint(data_dir):
            if isinstance(cache[1], str):
                raise LenetGuiError(cache[1])
            return cache[1], cache[2]
        require_files(data_dir)
        return None

    def _start_personal(self) -> bool:
        """Learn my handwriting: fine-tune the model in use on My digits, in a worker."""
        from ..errors import LenetGuiError
        from ..finetune import default_personal_path
        from .personal_job import make_personal_job

        drawings, base = self.personal_source() if self.personal_source else ([], None)
        reason = check_enough(drawings)
        try:
            if reason:
                raise LenetGuiError(f"learning {reason}")
            if base is None:
                raise LenetGuiError("no model is loaded yet to start from")
            config = self.personal_config()
            data_dir = self.data_dir()
            splits = self._cached_splits(data_dir)
        except (ConfigError, LenetGuiError) as exc:
            self.banner.show_message("error", f"Cannot start: {exc}")
            return False
        loading = {"done": splits is not None}
        self._loading = loading
        job = make_personal_job(Path(base), list(drawings), data_dir, splits, config,
                                self.signals, default_personal_path(), loading)
        self.append_log(f"— learning your handwriting: {len(drawings)} digits, starting "
                        f"from {Path(base).name}, {config.epochs} epochs, lr {config.lr} —")
        self._launch(job, self._on_personal_finished)
        return True

    def _launch(self, job, on_returned) -> None:
        self._last_result = None
        self.loss_plot.clear()
        self.accuracy_table.setRowCount(0)
        self.banner.hide()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("starting… (MindSpore compiles the network)")
        self.progress_label.setText(" ")
        worker, thread = start_worker(job, self, "train")
        worker.returned.connect(on_returned)
        worker.errored.connect(self._on_error)
        thread.finished.connect(self._on_thread_finished)
        self._worker, self._thread = worker, thread
        self._set_running(True)
        thread.start()

    def _on_personal_finished(self, result) -> None:
        from .personal_job import personal_summary

        self._last_result = result
        self.banner.show_message("success" if result.checkpoint else "info",
                                 personal_summary(result),
                                 action="Use this model" if result.checkpoint else None)

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self.stop_button.setEnabled(False)
            self.progress_bar.setFormat("stopping after this step…")

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Stop every job now (nothing more is saved) and wait for the threads."""
        self._abandon.set()
        ok = True
        for worker, thread in ((self._worker, self._thread),
                               (self._download_worker, self._download_thread),
                               *self._aux_jobs):
            ok = stop_and_wait(worker, thread, timeout_ms) and ok
        return ok

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for w in (self.recipe_combo, self.epochs_spin, self.lr_spin, self.momentum_spin,
                  self.batch_spin, self.seed_spin, self.limit_spin, self.device_combo,
                  self.data_dir_edit, self.browse_button):
            w.setEnabled(not running)
        self.refresh_personal()
        if running:
            self.start_button.setEnabled(False)
        self.training_state_changed.emit(running)

    def _on_losses(self, points: list) -> None:
        self.loss_plot.add_points(points)

    def _on_progress(self, p) -> None:
        self.progress_bar.setRange(0, p.total_steps)
        self.progress_bar.setValue(p.global_step)
        self.progress_bar.setFormat(f"epoch {p.epoch}/{p.epochs} · step "
                                    f"{p.global_step:,}/{p.total_steps:,} (%p%)")
        self.progress_label.setText(
            f"loss {p.loss:.4f} · {p.samples_per_s:,.0f} images/s · elapsed "
            f"{format_duration(p.elapsed_s)} · ETA {format_duration(p.eta_s)}")

    def _on_epoch(self, e) -> None:
        row = self.accuracy_table.rowCount()
        self.accuracy_table.insertRow(row)
        acc = f"{e.test_accuracy * 100:.2f}%" if e.test_samples else "–"
        for col, text in enumerate((str(e.epoch), f"{e.mean_loss:.4f}",
                                    acc + (" ★" if e.saved else ""),
                                    format_duration(e.elapsed_s))):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.accuracy_table.setItem(row, col, item)
        self.loss_plot.mark_epoch(self.loss_plot.point_count)

    def _on_finished(self, result) -> None:
        self._last_result = result
        if result.checkpoint is None:
            self.banner.show_message("info", "Training stopped before any weights were "
                                             "saved.")
            return
        acc = (f"{result.best_accuracy * 100:.2f}% test accuracy"
               if result.best_accuracy is not None else "accuracy not measured")
        verb = "stopped" if result.stopped else "finished"
        self.banner.show_message(
            "success", f"Training {verb}: best model {acc} (epoch "
                       f"{result.best_epoch:g}), saved to {result.checkpoint}.",
            action="Use this model")

    def _on_error(self, message: str) -> None:
        self.append_log(f"error: {message}")
        before = not self._loading["done"]  # the data could not be read: nothing ran
        self.banner.show_message("error", f"{'Cannot start' if before else 'Training failed'}"
                                          f": {message}")

    def _on_thread_finished(self) -> None:
        self._worker = self._thread = None
        self._set_running(False)
        if self.progress_bar.maximum() <= 1:
            self.progress_bar.setRange(0, 1)
        self.progress_bar.setFormat("Done (%p%)" if self._last_result else "Ready to train")

    def _use_model(self) -> None:
        if self._last_result is not None and self._last_result.checkpoint is not None:
            self.use_checkpoint_requested.emit(self._last_result.checkpoint)
            self.banner.hide()

    def append_log(self, line: str) -> None:
        self.log_view.appendPlainText(line)
