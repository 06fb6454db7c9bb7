"""My digits: the user's own labelled drawings, kept in one stroke file.

Why a store of its own: the digits a user draws are the best data there is to
teach the network their handwriting (``lenet-gui finetune --drawings``), and they
are the user's work. So every change is on disk (atomically) before it returns, a
damaged, foreign or newer file is set aside (renamed, never deleted) rather than
overwritten, and an import is merged only once all of it has been read and checked.
The file is the project's ``lenet-gui-strokes`` format (docs/strokes-format.md),
which ``load_drawings`` reads; each digit also carries an ``id`` and an ``added``
time. Reading, checking and writing files: my_digits_file.py.

Not thread-safe: change a store from one thread. ``read_import`` touches no store,
so the window runs it in a worker and merges the result in its own thread.
"""

from __future__ import annotations

import datetime as _dt
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

from . import my_digits_file as _file
from .my_digits_file import (MAX_DRAWINGS, MAX_FILE_BYTES, MAX_POINTS_PER_DRAWING,
                             MAX_TOTAL_POINTS, ImportBatch, MyDigit, MyDigitsError,
                             NewerVersionError, atomic_write_text, check_label,
                             clean_strokes, make_entry, no_gc_pauses, parse_entry,
                             read_import,
                             read_stroke_file, serialise, set_aside)
from .errors import first_line
from .strokes import Drawing, Stroke

MY_DIGITS_FILE = "my_digits.json"


@dataclass
class Removal:
    """What ``remove`` took out, and where, so that ``restore`` can put it back."""

    positions: list[int]
    entries: list[MyDigit]


@dataclass
class ImportResult:
    source: Path
    added: int
    duplicates: int
    invalid: int = 0
    first_problem: str | None = None

    @property
    def message(self) -> str:
        text = (f"Imported {self.source.name}: added {self.added}, "
                f"skipped {self.duplicates} duplicate{'s' if self.duplicates != 1 else ''}")
        if self.invalid:
            text += f", {self.invalid} unusable ({self.first_problem})"
        return text


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _new_id() -> str:
    return secrets.token_hex(6)


# ------------------------------------------------------------------- store
class MyDigits:
    """The user's labelled drawings; every change is on disk before it returns.

    ``path=None`` keeps them in memory only (self-test, screenshots). A file that
    cannot be used at start is renamed aside and the store starts empty, with
    ``recovered_message`` saying so; if it cannot even be renamed, the store refuses
    to save (``blocked``) rather than overwrite it.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self.recovered_message: str | None = None
        self.blocked: str | None = None
        self._entries: list[MyDigit] = []
        self._by_id: dict[str, MyDigit] = {}
        self._keys: set[tuple[int, bytes]] | None = None  # built when first needed
        self._added: list[str] = []  # ids added by this session, for undo
        if self.path is not None:
            self._load()

    # ------------------------------------------------------------- reading
    def _load(self) -> None:
        path = self.path
        assert path is not None
        if not path.exists() and not path.is_symlink():
            return
        try:
            with no_gc_pauses():
                text, digits = read_stroke_file(path)
                entries = [parse_entry(text, item, i) for i, item in enumerate(digits)]
                del text, digits
            if sum(e.n_points() for e in entries) > MAX_TOTAL_POINTS:
                raise MyDigitsError(f"{path}: more than {MAX_TOTAL_POINTS:,} points in all")
        except MyDigitsError as exc:
            self._recover(exc)
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not keep the window from opening
            self._recover(MyDigitsError(f"{path}: unreadable ({type(exc).__name__}: "
                                        f"{first_line(exc, '')})"))
            return
        seen: set[str] = set()
        for e in entries:
            if not e.id or e.id in seen:
                e.id = _new_id()
            seen.add(e.id)
        self._set(entries)

    def _recover(self, exc: MyDigitsError) -> None:
        newer = isinstance(exc, NewerVersionError)
        try:
            kept = set_aside(self.path, "newer" if newer else "corrupt")
        except OSError as err:
            self.blocked = (f"My digits: {exc}; it could not be moved aside "
                            f"({err.strerror or err}), so nothing will be saved until it "
                            f"is fixed or removed")
            self.recovered_message = self.blocked
            return
        what = "use that lenet-gui to read it" if newer else \
            "import it from My digits to recover what is usable"
        self.recovered_message = (f"My digits: {exc}. The file was kept as {kept.name} "
                                  f"({what}); starting with an empty collection.")

    # -------------------------------------------------------------- queries
    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[MyDigit]:
        return list(self._entries)

    def get(self, ident: str) -> MyDigit:
        try:
            return self._by_id[ident]
        except KeyError:
            raise MyDigitsError(f"My digits has no drawing {ident!r}") from None

    def counts(self) -> list[int]:
        """How many drawings of each digit 0..9."""
        out = [0] * 10
        for e in self._entries:
            out[e.label] += 1
        return out

    def drawings(self) -> list[Drawing]:
        """Labelled copies, for training and ``eval``."""
        return [e.drawing() for e in self._entries]

    def total_points(self) -> int:
        return sum(e.n_points() for e in self._entries)

    # -------------------------------------------------------------- changes
    def _set(self, entries: list[MyDigit]) -> None:
        self._entries = entries
        self._by_id = {e.id: e for e in entries}
        self._keys = None

    def _keyset(self) -> set[tuple[int, bytes]]:
        if self._keys is None:
            self._keys = {e.key() for e in self._entries}
        return self._keys

    def _commit(self, entries: list[MyDigit]) -> None:
        """Write ``entries``, then make them the store's; a failure changes nothing."""
        if self.blocked:
            raise MyDigitsError(self.blocked)
        if self.path is not None:
            try:
                atomic_write_text(self.path, serialise(entries))
            except OSError as exc:
                raise MyDigitsError(f"{self.path}: cannot save My digits "
                                    f"({exc.strerror or exc}); nothing was changed") from None
        self._set(entries)

    def _check_room(self, n_new: int, new_points: int) -> None:
        limit, points = _file.MAX_DRAWINGS, _file.MAX_TOTAL_POINTS  # (tests lower them)
        if len(self._entries) + n_new > limit:
            raise MyDigitsError(f"My digits would hold {len(self._entries) + n_new:,} "
                                f"drawings, more than {limit:,}; delete or export some")
        if self.total_points() + new_points > points:
            raise MyDigitsError(f"My digits would hold more than {points:,} "
                                f"points; delete or export some drawings")

    def add(self, drawing: Drawing | Sequence[Stroke], label: int) -> str:
        """Save a drawing with its label; returns its id."""
        strokes = drawing.strokes if isinstance(drawing, Drawing) else drawing
        entry = make_entry(_new_id(), label, strokes, _now())
        while entry.id in self._by_id:
            entry.id = _new_id()
        self._check_room(1, entry.n_points())
        self._commit(self._entries + [entry])
        if self._keys is not None:
            self._keys.add(entry.key())
        self._added.append(entry.id)
        return entry.id

    def remove(self, ids: str | Iterable[str]) -> Removal:
        """Delete drawings by id; the returned Removal undoes it (``restore``)."""
        wanted = {ids} if isinstance(ids, str) else set(ids)
        for ident in wanted:
            self.get(ident)
        removal = Removal([], [])
        kept = []
        for i, e in enumerate(self._entries):
            if e.id in wanted:
                removal.positions.append(i)
                removal.entries.append(e)
            else:
                kept.append(e)
        if removal.entries:
            self._commit(kept)
        return removal

    def restore(self, removal: Removal) -> None:
        """Put removed drawings back where they were (the Undo of a delete)."""
        back = [e for e in removal.entries if e.id not in self._by_id]
        if not back:
            return
        self._check_room(len(back), sum(e.n_points() for e in back))
        back_ids = {e.id for e in back}
        entries = list(self._entries)
        for pos, e in zip(removal.positions, removal.entries):
            if e.id in back_ids:
                entries.insert(min(pos, len(entries)), e)
        self._commit(entries)

    def relabel(self, ids: str | Iterable[str], label: int) -> int:
        """Give drawings another label; returns how many changed."""
        label = check_label(label)
        wanted = {ids} if isinstance(ids, str) else set(ids)
        for ident in wanted:
            self.get(ident)
        changed = 0
        entries = []
        for e in self._entries:
            if e.id in wanted and e.label != label:
                e = replace(e, label=label)
                changed += 1
            entries.append(e)
        if changed:
            self._commit(entries)
        return changed

    def undo_last_add(self) -> MyDigit | None:
        """Remove the drawing this session added last (still there); None if none."""
        while self._added:
            ident = self._added.pop()
            if ident in self._by_id:
                return self.remove(ident).entries[0]
        return None

    def merge(self, batch: ImportBatch) -> ImportResult:
        """Add a read file's drawings; exact duplicates (label and strokes) skipped."""
        keys = set(self._keyset())
        new: list[MyDigit] = []
        ids = set(self._by_id)
        duplicates = 0
        for e in batch.entries:
            if e.key() in keys:
                duplicates += 1
                continue
            keys.add(e.key())
            e = replace(e, added=e.added or _now())
            if not e.id or e.id in ids:
                e.id = _new_id()
                while e.id in ids:
                    e.id = _new_id()
            ids.add(e.id)
            new.append(e)
        if new:
            self._check_room(len(new), sum(e.n_points() for e in new))
            self._commit(self._entries + new)
        return ImportResult(batch.source, len(new), duplicates, batch.invalid,
                            batch.first_problem)

    def import_file(self, path: Path) -> ImportResult:
        """Read and merge a stroke file; a refused file changes nothing."""
        return self.merge(read_import(path))

    def export(self, path: Path) -> int:
        """Write all drawings to ``path`` in the same format; returns how many."""
        if not self._entries:
            raise MyDigitsError("My digits is empty: nothing to export")
        path = Path(path)
        try:
            atomic_write_text(path, serialise(self._entries))
        except OSError as exc:
            raise MyDigitsError(f"{path}: cannot write ({exc.strerror or exc})") from None
        return len(self._entries)

    def save(self) -> None:
        """Write the store as it is (every change already does)."""
        self._commit(list(self._entries))


__all__ = ["MAX_DRAWINGS", "MAX_FILE_BYTES", "MAX_POINTS_PER_DRAWING", "MAX_TOTAL_POINTS",
           "MY_DIGITS_FILE", "ImportBatch", "ImportResult", "MyDigit", "MyDigits",
           "MyDigitsError", "NewerVersionError", "Removal", "check_label",
           "clean_strokes", "read_import"]
