"""The Data view's memory: predictions per (checkpoint, source), so switching sources,
tabs or back to a checkpoint is instant.

In memory (the newest few), and optionally on disk as .npz files written atomically;
a file that cannot be read back exactly (damaged, foreign, another checkpoint) is
simply computed again. No Qt.
"""

from __future__ import annotations

import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .browse import NO_INK, Predictions, ProgressFn, Source, digest, predict_source
from .config import user_data_dir
from .files import atomic_write

CACHE_FORMAT = 1


@dataclass(frozen=True)
class CacheKey:
    """Which checkpoint (path and the file's mtime and size) judged which source."""

    checkpoint: str
    mtime_ns: int
    size: int
    source: str

    def file_name(self) -> str:
        h = digest(repr((CACHE_FORMAT, self.checkpoint, self.mtime_ns, self.size,
                          self.source)).encode())
        return f"predictions-{h}.npz"


def cache_key(checkpoint: Path, source_id: str) -> CacheKey | None:
    """The key, or None when the checkpoint cannot be stat'ed (nothing is cached)."""
    try:
        path = Path(checkpoint).resolve()
        st = path.stat()
    except OSError:
        return None
    return CacheKey(str(path), st.st_mtime_ns, st.st_size, source_id)


def default_cache_dir() -> Path:
    return user_data_dir() / "cache"


class PredictionCache:
    """Predictions per (checkpoint, source): the newest ``max_items`` in memory, and
    in ``folder`` (None: memory only) as .npz files written atomically. Any file that
    cannot be read back exactly is ignored (and recomputed). Thread-safe."""

    def __init__(self, folder: Path | None = None, max_items: int = 8,
                 max_files: int = 64) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.max_items = max_items
        self.max_files = max_files
        self.hits = 0
        self.misses = 0
        self._memory: OrderedDict[CacheKey, Predictions] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey | None) -> Predictions | None:
        if key is None:
            return None
        with self._lock:
            found = self._memory.get(key)
            if found is not None:
                self._memory.move_to_end(key)
        if found is None and self.folder is not None:
            found = self._read(key)
            if found is not None:
                self._remember(key, found)
        with self._lock:
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
        return found

    def peek(self, key: CacheKey | None) -> Predictions | None:
        """From memory only (never touches the disk): cheap enough for the GUI thread."""
        if key is None:
            return None
        with self._lock:
            return self._memory.get(key)

    def put(self, key: CacheKey | None, predictions: Predictions) -> None:
        if key is None:
            return
        self._remember(key, predictions)
        if self.folder is not None:
            try:
                self._write(key, predictions)
            except OSError:
                pass  # a cache that cannot be written only costs time

    def _remember(self, key: CacheKey, predictions: Predictions) -> None:
        with self._lock:
            self._memory[key] = predictions
            self._memory.move_to_end(key)
            while len(self._memory) > self.max_items:
                self._memory.popitem(last=False)

    def _read(self, key: CacheKey) -> Predictions | None:
        assert self.folder is not None
        path = self.folder / key.file_name()
        try:
            with np.load(path, allow_pickle=False) as z:
                stored = (str(z["checkpoint"]), int(z["mtime_ns"]), int(z["size"]),
                          str(z["source"]), int(z["format"]))
                labels = z["labels"].astype(np.int16)
                predicted = z["predicted"].astype(np.int8)
                confidences = z["confidences"].astype(np.float32)
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            return None
        n = len(labels)
        if stored != (key.checkpoint, key.mtime_ns, key.size, key.source, CACHE_FORMAT) \
                or labels.shape != (n,) or predicted.shape != (n,) \
                or confidences.shape != (n,) or (predicted > 9).any() \
                or (predicted < NO_INK).any() or (labels > 9).any() \
                or not np.isfinite(confidences).all():
            return None
        return Predictions(labels, predicted, confidences)

    def _write(self, key: CacheKey, predictions: Predictions) -> None:
        assert self.folder is not None
        atomic_write(self.folder / key.file_name(), lambda fh: np.savez(
            fh, checkpoint=key.checkpoint, mtime_ns=key.mtime_ns, size=key.size,
            source=key.source, format=CACHE_FORMAT, labels=predictions.labels,
            predicted=predictions.predicted, confidences=predictions.confidences))
        self._prune()

    def _prune(self) -> None:
        """Keep the newest ``max_files`` cache files."""
        assert self.folder is not None
        files = sorted(self.folder.glob("predictions-*.npz"),
                       key=lambda p: p.stat().st_mtime_ns if p.exists() else 0)
        for old in files[:-self.max_files]:
            old.unlink(missing_ok=True)


def source_key(recognizer, source: Source) -> CacheKey | None:
    """The cache key of this recognizer's checkpoint judging this source."""
    checkpoint = getattr(recognizer, "checkpoint", None)
    if checkpoint is None or not source.fingerprint:
        return None
    return cache_key(checkpoint, source.fingerprint)


def cached_predictions(cache: PredictionCache, recognizer, source: Source,
                       progress: ProgressFn | None = None,
                       stop: threading.Event | None = None) -> tuple[Predictions, bool]:
    """From the cache when this checkpoint has judged this source before, else
    computed and stored; (predictions, whether they came from the cache)."""
    key = source_key(recognizer, source)
    found = cache.get(key)
    if found is not None and len(found) == len(source):
        return found, True
    result = predict_source(recognizer, source, progress=progress, stop=stop)
    cache.put(key, result)
    return result, False


__all__ = ["PredictionCache", "CacheKey", "cache_key", "source_key", "cached_predictions",
           "default_cache_dir"]
