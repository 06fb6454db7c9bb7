"""The Train tab's MNIST data-folder box: pick, check and download the data.

``check_data`` checks the folder (sizes and MD5s) in a worker and reads the images
there too, so that Start knows in the GUI thread, from ``cache``, whether they are
readable and how many training images there are. (The images themselves are read
by the training process.) The download runs in a worker and reports through the tab's
``TrainingSignals``; what the user should know goes out as ``message(kind, text)``
for the tab's banner.
"""

from __future__ import annotations

import threading
from pathlib import Path

import shiboken6

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFileDialog, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QVBoxLayout, QWidget)

from ..core.config import TrainConfig, default_data_dir
from .worker import REPORT_INTERVAL_S, Throttle, TrainingSignals, Worker, start_worker


def _fingerprint(data_dir: Path) -> tuple:
    """Which MNIST files a folder holds, and their sizes and times: cheap to compute."""
    from ..core.data import FILES, find_file

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
    """(file statuses, (fingerprint, training images) or (fingerprint, why not readable)).

    Both splits are read, so that a truncated or inconsistent file is found here;
    only their size is kept: the training process reads the images itself.
    """
    from ..core.data import check_dir, load_split
    from ..core.errors import LenetGuiError

    statuses = check_dir(data_dir)
    fingerprint = _fingerprint(data_dir)
    try:
        n_train = len(load_split(data_dir, "train"))
        load_split(data_dir, "test")
    except LenetGuiError as exc:
        return statuses, (fingerprint, str(exc))
    return statuses, (fingerprint, n_train)


class DataPanel(QGroupBox):
    """The "MNIST data folder" box and its folder-check and download jobs."""

    message = Signal(str, str)  # banner kind ("info", "success", "error"), text

    def __init__(self, signals: TrainingSignals, abandon: threading.Event,
                 parent: QWidget | None = None) -> None:
        """``abandon``: set when the window closes; no new folder check starts then."""
        super().__init__("MNIST data folder", parent)
        self._signals = signals
        self._abandon = abandon
        self._download_worker: Worker | None = None
        self._download_thread = None
        self._aux_jobs: list = []  # (worker, thread) of folder checks
        self.mirrors: tuple[str, ...] | None = None  # None: lenet_gui.core.download.MIRRORS
        # From check_data: (fingerprint, train split, test split) or (fingerprint, error)
        self.cache = None

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
        data_layout = QVBoxLayout(self)
        data_layout.addLayout(row)
        data_layout.addWidget(self.data_status)
        dl_row = QHBoxLayout()
        dl_row.addWidget(self.download_button)
        dl_row.addWidget(self.download_progress, 1)
        data_layout.addLayout(dl_row)

        signals.download_reported.connect(self._on_download_progress)
        self.browse_button.clicked.connect(self._browse)
        self.download_button.clicked.connect(self._download_clicked)
        self.data_dir_edit.editingFinished.connect(self.check_data)

    def data_dir(self) -> Path:
        return Path(self.data_dir_edit.text().strip() or str(default_data_dir()))

    def jobs(self) -> list[tuple]:
        """(worker, thread) of the download and of every folder check, to stop them."""
        return [(self._download_worker, self._download_thread), *self._aux_jobs]

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "MNIST data folder", str(self.data_dir()))
        if path:
            self.data_dir_edit.setText(path)
            self.check_data()

    # ---------------------------------------------------------------- check
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
        statuses, self.cache = checked
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

    def check_start(self, data_dir: Path, config: TrainConfig | None = None) -> None:
        """Refuse what Start cannot train on, cheaply enough for the GUI thread.

        Raises LenetGuiError if files are missing, the folder check found them
        unreadable, or ``config`` does not fit the number of training images (from the
        check, else from the file's header).
        """
        from ..core.data import count_items, require_files
        from ..core.errors import LenetGuiError

        cache = self.cache
        if cache is not None and cache[0] == _fingerprint(data_dir):
            if isinstance(cache[1], str):
                raise LenetGuiError(cache[1])  # the check found it unreadable
            n_train = cache[1]
        else:
            files = require_files(data_dir)
            n_train = (None if config is None
                       else count_items(files["train-images-idx3-ubyte"]))
        if config is not None:
            config.validate(n_train)

    # ------------------------------------------------------------- download
    def _download_clicked(self) -> None:
        if self._download_worker is not None:
            self._download_worker.stop()
            self.download_button.setEnabled(False)
            self.download_button.setText("Cancelling…")
            return
        from ..core.download import MIRRORS, download

        data_dir = self.data_dir()
        signals = self._signals
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
        self.message.emit("success", f"MNIST downloaded to {self.data_dir()}.")
        self.check_data()

    def _on_download_error(self, message: str) -> None:
        self.message.emit("error", f"Download failed: {message}")

    def _on_download_cancelled(self) -> None:
        self.message.emit("info", "Download cancelled; run it again to resume.")

    def _on_download_thread_finished(self) -> None:
        self._download_worker = self._download_thread = None
        self.download_progress.hide()
        self.download_button.setEnabled(True)
        self.download_button.setText("Download MNIST")
