"""The My digits tab: the user's saved drawings as a grid, to check, relabel, delete,
import and export.

A QListView in IconMode over a list model that paints each thumbnail only when the
view asks for it (``my_digits_model``: thousands of drawings, no widget per drawing).
Imports are read in a worker; the merge is quick and runs here.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout,
                               QLabel, QListView, QMenu, QPushButton, QStackedLayout,
                               QToolButton, QVBoxLayout, QWidget)

from ..core.errors import LenetGuiError
from ..core.my_digits import ImportBatch, read_import
from .my_digits_hub import MyDigitsHub
from .my_digits_model import THUMB, DigitsListView, DigitsModel
from .worker import start_worker, stop_and_wait

GREY = "#5f6368"
HINT = "Select drawings, then press a digit to relabel them or Delete to delete them."
EMPTY_TEXT = ("No drawings yet.\n\nIn the Draw tab, draw a digit and press its key (0-9), "
              "or click its bar,\nto save it here. Import… adds the drawings of a stroke "
              "file.")


class MyDigitsView(QWidget):
    """Grid + filter + counts; delete, relabel, import, export; a line for each answer."""

    import_finished = Signal(str)  # the line shown when an import ended (either way)

    def __init__(self, hub: MyDigitsHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("my_digits_view")
        self.hub = hub
        self._last_removal = None
        self._import_job: tuple | None = None  # (worker, thread) while an import runs

        self.counts_label = QLabel()
        self.counts_label.setObjectName("my_digits_view_counts")
        self.counts_label.setWordWrap(True)
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("my_digits_filter")
        self.filter_combo.setToolTip("Show the drawings of one digit only")
        self.filter_combo.addItem("All digits", None)
        for d in range(10):
            self.filter_combo.addItem(str(d), d)
        self.filter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.relabel_button = QToolButton()
        self.relabel_button.setObjectName("my_digits_relabel")
        self.relabel_button.setText("Relabel as…")
        self.relabel_button.setToolTip("Give the selected drawings another digit "
                                       "(or press the digit's key)")
        self.relabel_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.relabel_menu = QMenu(self.relabel_button)
        for d in range(10):
            action = QAction(str(d), self.relabel_menu)
            action.setData(d)
            self.relabel_menu.addAction(action)
        self.relabel_menu.triggered.connect(lambda a: self.relabel_selected(a.data()))
        self.relabel_button.setMenu(self.relabel_menu)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("my_digits_delete")
        self.delete_button.setToolTip("Delete the selected drawings (Delete key)")
        self.import_button = QPushButton("Import…")
        self.import_button.setObjectName("my_digits_import")
        self.import_button.setToolTip("Add the drawings of a stroke file (lenet-gui-strokes "
                                      "JSON); exact duplicates are skipped")
        self.export_button = QPushButton("Export…")
        self.export_button.setObjectName("my_digits_export")
        self.export_button.setToolTip("Write all My digits to a stroke file (for "
                                      "'lenet-gui eval --strokes' or another computer)")

        self.banner = QLabel()
        self.banner.setObjectName("my_digits_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff4e5; color: #8a4b00; padding: 6px; "
                                  "border: 1px solid #f0c36d; border-radius: 3px;")
        self.banner.hide()
        self.message_label = QLabel()
        self.message_label.setObjectName("my_digits_message")
        self.message_label.setWordWrap(True)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("my_digits_undo")
        self.undo_button.setToolTip("Put the deleted drawings back")
        self.undo_button.hide()

        self.model = DigitsModel(hub, self)
        self.list = DigitsListView()
        self.list.setObjectName("my_digits_list")
        self.list.setModel(self.model)
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 18, THUMB + 26))
        self.list.setUniformItemSizes(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setLayoutMode(QListView.LayoutMode.Batched)  # 20,000 items lay out in steps
        self.list.setBatchSize(500)
        self.list.setWrapping(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("my_digits_empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet(f"color: {GREY};")
        self.stack = QStackedLayout()
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty_label)

        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.filter_combo)
        top.addSpacing(12)
        top.addWidget(self.counts_label, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.relabel_button)
        actions.addWidget(self.delete_button)
        actions.addSpacing(12)
        actions.addWidget(self.message_label, 1)
        actions.addWidget(self.undo_button)
        actions.addSpacing(12)
        actions.addWidget(self.import_button)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addLayout(self.stack, 1)
        layout.addLayout(actions)

        self.filter_combo.currentIndexChanged.connect(self._on_filter)
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_button.clicked.connect(self.undo_delete)
        self.import_button.clicked.connect(self.import_dialog)
        self.export_button.clicked.connect(self.export_dialog)
        self.list.delete_pressed.connect(self.delete_selected)
        self.list.digit_pressed.connect(self.relabel_selected)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.selectionModel().selectionChanged.connect(self._update_buttons)
        hub.changed.connect(self._on_store_changed)
        self._on_store_changed()
        self.show_message(None)

    # --------------------------------------------------------------- state
    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.list.selectionModel().selectedIndexes())
        return [self.model.entry(r).id for r in rows]

    def select_ids(self, ids: list[str]) -> None:
        sel = self.list.selectionModel()
        sel.clearSelection()
        for ident in ids:
            row = self.model.row_of(ident)
            if row >= 0:
                sel.select(self.model.index(row),
                           QItemSelectionModel.SelectionFlag.Select)

    def _on_store_changed(self) -> None:
        keep = self.selected_ids() if self.model.rowCount() else []
        self.model.refresh()
        self.select_ids(keep)
        counts = self.hub.counts()
        total = sum(counts)
        self.counts_label.setText(
            f"{total} drawing{'s' if total != 1 else ''}:   " +
            "   ".join(f"{d}: {n}" for d, n in enumerate(counts)))
        self.filter_combo.setItemText(0, f"All digits ({total})")
        for d in range(10):
            self.filter_combo.setItemText(d + 1, f"{d}  ({counts[d]})")
        self.stack.setCurrentWidget(self.list if self.model.rowCount() or total
                                    else self.empty_label)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_selection = self.list.selectionModel().hasSelection()
        importing = self._import_job is not None
        self.relabel_button.setEnabled(has_selection)
        self.delete_button.setEnabled(has_selection)
        self.import_button.setEnabled(not importing)
        self.export_button.setEnabled(len(self.hub.store) > 0 and not importing)

    def _on_filter(self, index: int) -> None:
        self.model.set_filter(self.filter_combo.itemData(index))
        self._update_buttons()

    def show_message(self, text: str | None, warn: bool = False, undo: bool = False) -> None:
        """An answer line (``None``: the default hint)."""
        self.message_label.setText(text or HINT)
        self.message_label.setStyleSheet("color: #b3261e;" if warn else f"color: {GREY};")
        self.undo_button.setVisible(undo)

    def show_banner(self, text: str) -> None:
        """A lasting note, e.g. that a damaged file was set aside at start."""
        self.banner.setText(text)
        self.banner.show()

    # ------------------------------------------------------------- actions
    def _context_menu(self, pos) -> None:
        if not self.list.indexAt(pos).isValid():
            return
        if not self.list.selectionModel().isSelected(self.list.indexAt(pos)):
            self.list.setCurrentIndex(self.list.indexAt(pos))
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sub = menu.addMenu("Relabel as…")
        for d in range(10):
            sub.addAction(str(d)).setData(d)
        sub.triggered.connect(lambda a: self.relabel_selected(a.data()))
        menu.addAction("Delete", self.delete_selected)
        menu.popup(self.list.viewport().mapToGlobal(pos))

    def delete_selected(self) -> int:
        ids = self.selected_ids()
        if not ids:
            self.show_message("Select drawings to delete first.")
            return 0
        try:
            self._last_removal = self.hub.remove(ids)
        except LenetGuiError as exc:
            self.show_message(str(exc), warn=True)
            return 0
        n = len(self._last_removal.entries)
        self.show_message(f"Deleted {n} drawing{'s' if n != 1 else ''}.", undo=True)
        return n

    def undo_delete(self) -> None:
        removal, self._last_removal = self._last_removal, None
        if removal is None:
            return
        try:
            self.hub.restore(removal)
        except LenetGuiError as exc:
            self.show_message(str(exc), warn=True)
            return
        self.select_ids([e.id for e in removal.entries])
        n = len(removal.entries)
        self.show_message(f"Put back {n} drawing{'s' if n != 1 else ''}.")

    def relabel_selected(self, label: int) -> int:
        ids = self.selected_ids()
        if not ids:
            self.show_message("Select drawings to relabel first.")
            return 0
        try:
            n = self.hub.relabel(ids, label)
        except LenetGuiError as exc:
            self.show_message(str(exc), warn=True)
            return 0
        self.show_message(f"Relabelled {n} drawing{'s' if n != 1 else ''} as {label}."
                          if n else f"Already {label}.")
        return n

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export My digits", "my_digits-export.json",
                                              "Stroke files (*.json);;All files (*)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        try:
            n = self.hub.store.export(Path(path))
        except LenetGuiError as exc:
            self.show_message(str(exc), warn=True)
            return False
        self.show_message(f"Exported {n} drawing{'s' if n != 1 else ''} to {path}.")
        return True

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import drawings", "",
                                              "Stroke files (*.json);;All files (*)")
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> bool:
        """Read ``path`` in a worker, then merge; False if an import is already running."""
        if self._import_job is not None:
            self.show_message("An import is already running.")
            return False
        path = Path(path)
        worker, thread = start_worker(lambda _worker: read_import(path), self,
                                      "import-my-digits")
        worker.returned.connect(self._on_import_read)
        worker.errored.connect(self._on_import_failed)
        thread.finished.connect(self._on_import_done)
        self._import_job = (worker, thread)
        self.show_message(f"Importing {path.name}…")
        self._update_buttons()
        thread.start()
        return True

    def _on_import_read(self, batch: ImportBatch) -> None:
        try:
            result = self.hub.merge(batch)
        except LenetGuiError as exc:
            self._on_import_failed(str(exc))
            return
        self.show_message(result.message + ".")
        self.import_finished.emit(self.message_label.text())

    def _on_import_failed(self, message: str) -> None:
        self.show_message(f"Not imported: {message}", warn=True)
        self.import_finished.emit(self.message_label.text())

    def _on_import_done(self) -> None:
        self._import_job = None
        self._update_buttons()

    def shutdown(self) -> None:
        """Wait for an import still reading (the window is closing)."""
        if self._import_job is not None:
            worker, thread = self._import_job
            if shiboken6.isValid(thread):
                stop_and_wait(worker, thread)
            self._import_job = None


__all__ = ["MyDigitsView"]
