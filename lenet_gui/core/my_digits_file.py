"""Reading, checking and writing the stroke files behind My digits (no Qt).

Why not ``strokes.load_drawings``: My digits needs more than it gives. Every value
is checked (labels 0..9, finite coordinates, sizes; docs/strokes-format.md has the
limits) so that one bad drawing is one clear line; files are read digit by digit,
so a worker reading a 50 MB import lets the window's thread run (``json.loads`` of
the whole file would hold the GIL for a second); and each drawing keeps its strokes'
text and a digest, so saving 20,000 drawings is a join and finding duplicates is a
set lookup. Writing is atomic: a temporary file beside the target, fsync, rename.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import numbers
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from . import json_scan
from .errors import LenetGuiError
from .files import atomic_write
from .strokes import STROKES_FORMAT, Drawing, Stroke, render_strokes

FORMAT_VERSION = 1
GENERATOR = "lenet-gui my-digits"
# A drawing from the canvas has ~100-300 points and takes ~16 bytes a point in the
# file, so 2.5 million points stay below the 50 MB a file may have: a store never
# grows past what it can read back.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DRAWINGS = 20_000
MAX_POINTS_PER_DRAWING = 10_000
MAX_TOTAL_POINTS = 2_500_000
COORD_LIMIT = 10.0  # unit-box coordinates (the canvas is 0..1): ten canvases away is absurd
DECIMALS = 4  # what the file keeps: 1/10,000 of the canvas side


class MyDigitsError(LenetGuiError):
    """A drawing, label or file My digits cannot use, or a save that failed."""


class NewerVersionError(MyDigitsError):
    """A file written by a newer lenet-gui: never overwritten by this one."""


@dataclass
class MyDigit:
    """One saved drawing. ``strokes`` are checked and rounded; treat them as read-only."""

    id: str
    label: int
    strokes: list[Stroke]
    added: str = ""
    digest: bytes = field(default=b"", repr=False, compare=False)
    _strokes_json: str | None = field(default=None, repr=False, compare=False)

    def strokes_json(self) -> str:
        """The strokes as the file has them (kept from the file, or made once)."""
        if self._strokes_json is None:
            self._strokes_json = json.dumps(
                [s.points if not s.erase else {"points": s.points, "erase": True}
                 for s in self.strokes], separators=(",", ":"))
        return self._strokes_json

    def key(self) -> tuple[int, bytes]:
        """Same label and same (rounded) strokes: an exact duplicate."""
        if not self.digest:
            self.digest = _clean(self.strokes)[1]
        return self.label, self.digest

    def n_points(self) -> int:
        return sum(len(s.points) for s in self.strokes)

    def drawing(self) -> Drawing:
        return Drawing([Stroke(list(s.points), s.erase) for s in self.strokes], self.label)

    def to_json(self) -> str:
        extra = json.dumps({"id": self.id, "added": self.added}, separators=(",", ":"))
        return f'{{"label":{self.label},"strokes":{self.strokes_json()},{extra[1:]}'


@dataclass
class ImportBatch:
    """A stroke file read and checked (``read_import``), not yet merged."""

    source: Path
    entries: list[MyDigit]
    invalid: int = 0
    first_problem: str | None = None


# ------------------------------------------------------------------- checks
def check_label(label: object) -> int:
    """A digit 0..9 as an int; bools, floats and strings are refused."""
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, numbers.Integral) \
            or not 0 <= int(label) <= 9:
        raise MyDigitsError(f"label {label!r} is not a digit 0..9")
    return int(label)


def _coordinate(v: object) -> float:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        raise MyDigitsError(f"coordinate {v!r} is not a number")
    f = float(v)
    if not -COORD_LIMIT <= f <= COORD_LIMIT:  # NaN fails this too
        if not math.isfinite(f):
            raise MyDigitsError("non-finite coordinates (NaN or infinity)")
        raise MyDigitsError(f"coordinate {f:g} is far outside the canvas "
                            f"(at most ±{COORD_LIMIT:g} canvas sides)")
    return f


def _stroke(raw: object) -> tuple[Stroke, np.ndarray]:
    """One stroke checked and rounded, and its points as an (n, 2) float64 array."""
    if isinstance(raw, Stroke):
        points, erase = raw.points, raw.erase
    elif isinstance(raw, dict):
        if "points" not in raw:
            raise MyDigitsError("a stroke object without 'points'")
        points, erase = raw["points"], raw.get("erase", False)
        if not isinstance(erase, bool):
            raise MyDigitsError(f"stroke 'erase' must be true or false, got {erase!r}")
    else:
        points, erase = raw, False
    if isinstance(points, (str, bytes)) or not isinstance(points, (list, tuple)):
        raise MyDigitsError("a stroke must be a list of [x, y] points")
    if len(points) > MAX_POINTS_PER_DRAWING:
        raise MyDigitsError(f"more than {MAX_POINTS_PER_DRAWING:,} points in one drawing")
    if not points:
        return Stroke([], bool(erase)), np.zeros((0, 2))
    try:  # one array per stroke: the fast path
        arr = np.asarray(points)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.dtype.kind not in "fi" or arr.ndim != 2 or arr.shape[1] != 2 \
            or not (np.abs(arr) <= COORD_LIMIT).all():
        for p in points:  # something is refused: find it, and say what
            if isinstance(p, (str, bytes, dict)) or not hasattr(p, "__len__") or len(p) != 2:
                raise MyDigitsError(f"point {p!r} is not [x, y]")
            _coordinate(p[0]), _coordinate(p[1])
        raise MyDigitsError("a stroke must be a list of [x, y] points")
    arr = np.round(arr.astype(np.float64), DECIMALS) + 0.0  # + 0.0: no "-0.0" in the file
    return Stroke(list(map(tuple, arr.tolist())), bool(erase)), arr


def _digest(arrays: Iterable[tuple[bool, np.ndarray]]) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for erase, arr in arrays:
        h.update(b"E" if erase else b"I")
        h.update(len(arr).to_bytes(4, "little"))
        h.update(arr.tobytes())
    return h.digest()


def _clean(strokes: object) -> tuple[list[Stroke], bytes]:
    if isinstance(strokes, (str, bytes, dict)) or not isinstance(strokes, (list, tuple)):
        raise MyDigitsError("a drawing's strokes must be a list")
    out: list[Stroke] = []
    arrays = []
    n = 0
    for raw in strokes:
        stroke, arr = _stroke(raw)
        n += len(stroke.points)
        if n > MAX_POINTS_PER_DRAWING:
            raise MyDigitsError(f"more than {MAX_POINTS_PER_DRAWING:,} points in one drawing")
        if stroke.points:
            out.append(stroke)
            arrays.append((stroke.erase, arr))
    if not any(not s.erase for s in out):
        raise MyDigitsError("an empty drawing (no strokes)")
    # An anti-aliased halo of what was erased is not a drawing: look for real ink.
    if any(s.erase for s in out) and render_strokes(out, size=56).max() < 0.5:
        raise MyDigitsError("an empty drawing (everything is erased)")
    return out, _digest(arrays)


def clean_strokes(strokes: Iterable[object]) -> list[Stroke]:
    """Check and round a drawing's strokes; refuse empty, absurd or non-finite ones."""
    return _clean(strokes)[0]


def make_entry(ident: str, label: object, strokes: object, added: str = "") -> MyDigit:
    """A checked MyDigit (MyDigitsError, one line, if anything is unusable)."""
    label = check_label(label)
    clean, digest = _clean(strokes)
    return MyDigit(ident, label, clean, added, digest)


def _usable_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64 and value.isprintable()


# ------------------------------------------------------- reading, digit by digit
def read_stroke_file(path: Path) -> tuple[str, list]:
    """A stroke file's text and its digits (``json_scan.members`` dicts), checked."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise MyDigitsError(f"{path}: file not found") from None
    except OSError as exc:
        raise MyDigitsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if size > MAX_FILE_BYTES:
        raise MyDigitsError(f"{path}: {size / 2**20:.0f} MB, more than a stroke file may "
                            f"have ({MAX_FILE_BYTES // 2**20} MB)")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise MyDigitsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise MyDigitsError(f"{path}: not a JSON stroke file (not UTF-8 text)") from None

    def digit(i: int, pos: int):  # each digit read member by member, to keep its text
        if i >= MAX_DRAWINGS:
            raise MyDigitsError(f"{path}: more than {MAX_DRAWINGS:,} drawings (a stroke "
                                f"file may have at most {MAX_DRAWINGS:,})")
        return json_scan.members(text, pos) if text.startswith("{", pos) else None

    def top_member(key: str, pos: int):
        return json_scan.elements(text, pos, digit) \
            if key == "digits" and text.startswith("[", pos) else None

    pos = json_scan.skip(text, 0)
    try:
        if not text.startswith("{", pos):
            json.loads(text)  # valid JSON but not an object is "foreign", not "broken"
            raise MyDigitsError(f"{path}: not a lenet-gui stroke file (format must be "
                                f"{STROKES_FORMAT!r})")
        top, end = json_scan.members(text, pos, top_member)
        if json_scan.skip(text, end) != len(text):
            raise ValueError(f"extra data at char {json_scan.skip(text, end)}")
    except (ValueError, RecursionError) as exc:
        raise MyDigitsError(f"{path}: not a JSON stroke file ({str(exc)[:80]})") from None
    if top.get("format", (None,))[0] != STROKES_FORMAT:
        raise MyDigitsError(f"{path}: not a lenet-gui stroke file (format must be "
                            f"{STROKES_FORMAT!r})")
    version = top.get("version", (1,))[0]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise MyDigitsError(f"{path}: version {version!r} is not a format version")
    if version > FORMAT_VERSION:
        raise NewerVersionError(f"{path}: written by a newer lenet-gui (format version "
                                f"{version}; this one reads version {FORMAT_VERSION})")
    digits = top.get("digits", (None,))[0]
    if not isinstance(digits, list):
        raise MyDigitsError(f"{path}: malformed stroke file (no 'digits' list)")
    return text, digits


def parse_entry(text: str, item: object, i: int) -> MyDigit:
    """Digit ``i`` of a file (a ``json_scan.members`` dict) as a checked MyDigit."""
    if not isinstance(item, dict):
        raise MyDigitsError(f"digit {i}: not an object")
    get = {k: v[0] for k, v in item.items()}.get
    try:
        entry = make_entry("", get("label"), get("strokes"))
    except MyDigitsError as exc:
        raise MyDigitsError(f"digit {i}: {exc}") from None
    ident, added = get("id"), get("added")
    entry.id = ident if _usable_id(ident) else ""
    entry.added = added if isinstance(added, str) and len(added) <= 40 else ""
    _, start, end = item["strokes"]
    entry._strokes_json = text[start:end]  # already on disk, in this format: reuse it
    return entry


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Reading makes ~10 objects a point, and each of Python's full collections then
    scans the whole heap (~0.2 s with MindSpore's objects on it) while holding every
    thread, the window's too. What is read here forms no cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_import(path: Path) -> ImportBatch:
    """Read a stroke file to merge: the whole file or nothing; unusable digits counted.

    Touches no store, so it can run in a worker thread; ``MyDigits.merge`` adds it.
    """
    path = Path(path)
    with no_gc_pauses():
        return _read_import(path)


def _read_import(path: Path) -> ImportBatch:
    text, digits = read_stroke_file(path)
    batch = ImportBatch(path, [])
    total = 0
    for i, item in enumerate(digits):
        try:
            entry = parse_entry(text, item, i)
        except MyDigitsError as exc:
            batch.invalid += 1
            batch.first_problem = batch.first_problem or str(exc)
            continue
        total += entry.n_points()
        if total > MAX_TOTAL_POINTS:
            raise MyDigitsError(f"{path}: more than {MAX_TOTAL_POINTS:,} points in all")
        batch.entries.append(entry)
    if not batch.entries:
        if batch.invalid:
            raise MyDigitsError(f"{path}: no usable drawings ({batch.first_problem})")
        raise MyDigitsError(f"{path}: no drawings in the file")
    return batch


# ------------------------------------------------------------------ writing
def serialise(entries: Sequence[MyDigit]) -> str:
    head = json.dumps({"format": STROKES_FORMAT, "version": FORMAT_VERSION,
                       "generator": GENERATOR}, separators=(",", ":"))
    return head[:-1] + ',"digits":[' + ",".join(e.to_json() for e in entries) + "]}\n"


def atomic_write_text(path: Path, text: str) -> None:
    """``text`` as UTF-8, written atomically (``files.atomic_write``). Raises OSError."""
    atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def set_aside(path: Path, tag: str) -> Path:
    """Rename ``path`` to ``path.TAG-YYYYmmdd-HHMMSS`` (never over another file)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{tag}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{tag}-{stamp}-{n}")
    os.rename(path, target)
    return target
