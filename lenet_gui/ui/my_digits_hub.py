"""The window's one My digits store, with a signal, so every view of it agrees.

The Draw tab's teach and the My digits view both change the store through this
object; ``changed`` tells the others to refresh. Changes run in the main thread
(an import is read in a worker and merged here), so the store needs no lock.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from PySide6.QtCore import QObject, Signal

from ..core.my_digits import ImportBatch, ImportResult, MyDigits, Removal
from ..core.strokes import Stroke


class MyDigitsHub(QObject):
    """Thin: every method is the store's, plus ``changed`` after a change that stuck.

    Each raises ``MyDigitsError`` (one line for the user) and then changes nothing.
    """

    changed = Signal()

    def __init__(self, store: MyDigits, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store

    def counts(self) -> list[int]:
        return self.store.counts()

    def add(self, strokes: Sequence[Stroke], label: int) -> str:
        ident = self.store.add(strokes, label)
        self.changed.emit()
        return ident

    def remove(self, ids: str | Iterable[str]) -> Removal:
        removal = self.store.remove(ids)
        if removal.entries:
            self.changed.emit()
        return removal

    def restore(self, removal: Removal) -> None:
        self.store.restore(removal)
        self.changed.emit()

    def relabel(self, ids: str | Iterable[str], label: int) -> int:
        n = self.store.relabel(ids, label)
        if n:
            self.changed.emit()
        return n

    def merge(self, batch: ImportBatch) -> ImportResult:
        result = self.store.merge(batch)
        if result.added:
            self.changed.emit()
        return result


__all__ = ["MyDigitsHub"]
