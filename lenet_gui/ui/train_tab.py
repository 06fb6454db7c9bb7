"""Train tab: hyperparameters, data folder, device picker, start/stop, progress, plot, log.

The tab composes three parts: the hyperparameter form (``hyperparameter_form``), the
MNIST data-folder box (``data_panel``) and what a run shows (``run_panel``); it owns
the training jobs. A job runs in a child process (``lenet-gui train`` or, for the
personal recipe, ``lenet-gui finetune``, through ``training_job``) that a QThread
worker starts and listens to; its reports are throttled (every 250 ms) so the
event loop keeps the window fluid, and the window's own MindSpore (the Draw tab's
recognizer) never waits for a training step.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ..core.config import TrainConfig
from ..core.devices import DeviceStatus
from ..core.errors import ConfigError
from ..core.finetune import FinetuneConfig, check_enough
from .data_panel import DataPanel
from .hyperparameter_form import PERSONAL, TAB_RECIPES, HyperparameterForm
from .run_panel import Banner, RunPanel, format_duration
from .standby import StandbyKeeper
from .worker import REPORT_INTERVAL_S, TrainingSignals, Worker, start_worker, stop_and_wait

__all__ = ["PERSONAL", "REPORT_INTERVAL_S", "TAB_RECIPES", "Banner", "TrainTab",
           "format_duration"]


class TrainTab(QWidget):
    """The Train tab; its parts' widgets are its attributes too (``tab.epochs_spin``)."""

    use_checkpoint_requested = Signal(Path)
    training_state_changed = Signal(bool)  # True while a training job runs

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker: Worker | None = None
        self._thread = None
        self._abandon = threading.Event()
        self._last_result = None
        self._loading = {"done": True}
        self._child = None  # the training process (train_process.ChildProcess)
        self.standby = StandbyKeeper(self, lambda: not self.is_training()
                                     and not self._abandon.is_set())
        # Set by the window: () -> (My digits drawings, the checkpoint in use).
        self.personal_source = None
        self.signals = TrainingSignals(self)
        self._build()
        self._set_running(False)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.form = HyperparameterForm()
        self.recipe_combo = self.form.recipe_combo
        self.epochs_spin = self.form.epochs_spin
        self.lr_spin = self.form.lr_spin
        self.momentum_spin = self.form.momentum_spin
        self.batch_spin = self.form.batch_spin
        self.seed_spin = self.form.seed_spin
        self.limit_spin = self.form.limit_spin
        self.device_combo = self.form.device_combo
        self.device_reason = self.form.device_reason
        self.personal_status = self.form.personal_status

        self.data_panel = DataPanel(self.signals, self._abandon)
        self.data_dir_edit = self.data_panel.data_dir_edit
        self.browse_button = self.data_panel.browse_button
        self.data_status = self.data_panel.data_status
        self.download_button = self.data_panel.download_button
        self.download_progress = self.data_panel.download_progress

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
        left.addWidget(self.form)
        left.addWidget(self.data_panel)
        left.addLayout(run_row)
        left.addStretch(1)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setMinimumWidth(280)
        left_box.setMaximumWidth(400)

        self.run_panel = RunPanel()
        self.banner = self.run_panel.banner
        self.progress_bar = self.run_panel.progress_bar
        self.progress_label = self.run_panel.progress_label
        self.loss_plot = self.run_panel.loss_plot
        self.accuracy_table = self.run_panel.accuracy_table
        self.log_view = self.run_panel.log_view
        self.run_panel.follow(self.signals)

        layout = QHBoxLayout(self)
        layout.addWidget(left_box)
        layout.addWidget(self.run_panel, 1)
        left_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

        self.form.recipe_changed.connect(self.refresh_personal)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.data_panel.message.connect(self.banner.show_message)
        self.banner.action_triggered.connect(self._use_model)

    # ---------------------------------------------- the parts' state, delegated
    @property
    def device_statuses(self) -> list[DeviceStatus]:
        return self.form.device_statuses

    @property
    def data_statuses(self) -> list:
        return self.data_panel.data_statuses

    @property
    def mirrors(self) -> tuple[str, ...] | None:
        """Where Download MNIST downloads from; None: lenet_gui.core.download.MIRRORS."""
        return self.data_panel.mirrors

    @mirrors.setter
    def mirrors(self, value: tuple[str, ...] | None) -> None:
        self.data_panel.mirrors = value

    @property
    def _download_worker(self) -> Worker | None:
        return self.data_panel._download_worker

    @property
    def _download_thread(self):
        return self.data_panel._download_thread

    @property
    def _aux_jobs(self) -> list:
        return self.data_panel._aux_jobs

    def set_config(self, config: TrainConfig) -> None:
        self.form.set_config(config)

    def config(self) -> TrainConfig:
        """The widgets' values as a TrainConfig, validated (ConfigError with the reason)."""
        return self.form.config()

    def personal_config(self) -> FinetuneConfig:
        """The widgets' values as the personal recipe's config, validated."""
        return self.form.personal_config()

    def is_personal(self) -> bool:
        return self.form.is_personal()

    def set_devices(self, devices: list[DeviceStatus] | None) -> None:
        """Fill the picker; None while the probe runs."""
        self.form.set_devices(devices)

    def data_dir(self) -> Path:
        return self.data_panel.data_dir()

    def check_data(self) -> None:
        """Check the data folder in a worker; the result fills the status line."""
        self.data_panel.check_data()

    def append_log(self, line: str) -> None:
        self.run_panel.append_log(line)

    # ------------------------------------------------------------- settings
    def save_settings(self, settings: QSettings) -> None:
        settings.beginGroup("train")
        self.form.write_settings(settings)
        settings.setValue("data_dir", self.data_dir_edit.text())
        settings.endGroup()

    def restore_settings(self, settings: QSettings) -> None:
        settings.beginGroup("train")
        try:
            self.form.read_settings(settings)
            data_dir = settings.value("data_dir")
            if isinstance(data_dir, str) and data_dir:
                self.data_dir_edit.setText(data_dir)
        finally:
            settings.endGroup()
        self.refresh_personal()

    def refresh_personal(self) -> None:
        """Show what the personal recipe would learn from; disable Start if too little."""
        personal = self.is_personal()
        self.personal_status.setVisible(personal)
        for spin in (self.limit_spin, self.form.average_spin):  # not in the personal recipe
            spin.setEnabled(not personal and not self.is_training())
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
        self.form.set_personal_status(
            text + (f". Learning {reason}." if reason else
                    ". Fine-tunes the model in use on them, mixed with MNIST."),
            warning=bool(reason))
        self.start_button.setEnabled(reason is None and not self.is_training())
        self.start_button.setToolTip(f"Learning {reason}" if reason else "")

    # ------------------------------------------------------------- training
    def is_training(self) -> bool:
        return self._worker is not None

    def training_pid(self) -> int | None:
        """The training process's id while one runs (tests, diagnostics)."""
        child = self._child
        return child.pid if child is not None and child.proc.poll() is None else None

    def _child_started(self, child) -> None:
        """From the job's thread, as soon as the training process exists."""
        self._child = child

    # The standby training process (ui/standby.py).
    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.standby.schedule()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().hideEvent(event)
        self.standby.tab_hidden()

    def standby_pid(self) -> int | None:
        """The waiting training process's id, if one waits (tests, diagnostics)."""
        return self.standby.pid()

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
        from ..core.errors import LenetGuiError

        # Only cheap checks here (the GUI thread); the worker reads the images if the
        # folder check has not (155 ms for MNIST: a visible freeze here).
        data_dir = self.data_dir()
        try:
            self.data_panel.check_start(data_dir, config)
        except LenetGuiError as exc:
            self.banner.show_message("error", f"Cannot start: {exc}")
            return False

        from ..core.config import default_checkpoint_path
        from ..core.training_job import command_text, train_args
        from .train_jobs import make_training_job

        out = default_checkpoint_path(config)
        try:
            args = train_args(config, out, data_dir)
        except ConfigError as exc:
            self.banner.show_message("error", f"Cannot start: {exc}")
            return False
        loading = {"done": False}
        self._loading = loading
        job = make_training_job(config, out, data_dir, self.signals, loading, self._abandon,
                                on_start=self._child_started, standby=self.standby.take())
        self.append_log(f"— {command_text(args)} —")
        self._launch(job, self._on_finished)
        return True

    def _start_personal(self) -> bool:
        """Learn my handwriting: fine-tune the model in use on My digits, in a worker."""
        from ..core.errors import LenetGuiError
        from ..core.finetune import default_personal_path
        from .train_jobs import make_personal_job

        drawings, base = self.personal_source() if self.personal_source else ([], None)
        reason = check_enough(drawings)
        try:
            if reason:
                raise LenetGuiError(f"learning {reason}")
            if base is None:
                raise LenetGuiError("no model is loaded yet to start from")
            config = self.personal_config()
            data_dir = self.data_dir()
            self.data_panel.check_start(data_dir)
        except (ConfigError, LenetGuiError) as exc:
            self.banner.show_message("error", f"Cannot start: {exc}")
            return False
        loading = {"done": False}
        self._loading = loading
        job = make_personal_job(Path(base), list(drawings), data_dir, config, self.signals,
                                default_personal_path(), loading, self._abandon,
                                on_start=self._child_started, standby=self.standby.take())
        self.append_log(f"— learning your handwriting: {len(drawings)} digits, starting "
                        f"from {Path(base).name}, {config.epochs} epochs, lr {config.lr} —")
        self._launch(job, self._on_personal_finished)
        return True

    def _launch(self, job, on_returned) -> None:
        self._last_result = None
        self.run_panel.begin_run()
        worker, thread = start_worker(job, self, "train")
        worker.returned.connect(on_returned)
        worker.errored.connect(self._on_error)
        thread.finished.connect(self._on_thread_finished)
        self._worker, self._thread = worker, thread
        self._set_running(True)
        thread.start()

    def _on_personal_finished(self, result) -> None:
        from .train_jobs import personal_banner

        self._last_result = result
        self.banner.show_message(*personal_banner(result),
                                 action="Use this model" if result.checkpoint else None)

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self.stop_button.setEnabled(False)
            self.progress_bar.setFormat("stopping after this step…")

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Stop every job now (nothing more is saved) and wait for the threads."""
        self._abandon.set()
        self.standby.close()
        ok = True
        for worker, thread in ((self._worker, self._thread), *self.data_panel.jobs()):
            ok = stop_and_wait(worker, thread, timeout_ms) and ok
        return ok

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for w in (*self.form.fields(), self.data_dir_edit, self.browse_button):
            w.setEnabled(not running)
        self.refresh_personal()
        if running:
            self.start_button.setEnabled(False)
        self.training_state_changed.emit(running)

    def _on_finished(self, result) -> None:
        self._last_result = result
        if result.peak_memory_mb:
            self.append_log(f"training process: {result.steps_done:,} steps in "
                            f"{result.elapsed_s:.1f} s, peak memory "
                            f"{result.peak_memory_mb:,.0f} MB")
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
        self._worker = self._thread = self._child = None
        self.standby.schedule()
        self._set_running(False)
        self.run_panel.end_run(bool(self._last_result))

    def _use_model(self) -> None:
        if self._last_result is not None and self._last_result.checkpoint is not None:
            self.use_checkpoint_requested.emit(self._last_result.checkpoint)
            self.banner.hide()
