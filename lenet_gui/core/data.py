"""MNIST on disk: IDX reading (raw or .gz), checksums, and datasets (download: ``download``).

The folder layout is the course's: ``DIR/train/train-*-ubyte`` and
``DIR/test/t10k-*-ubyte``, each file raw or gzipped. No Qt, no MindSpore at import.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .errors import DataError, first_line


@dataclass(frozen=True)
class MnistFile:
    split: str  # "train" or "test"
    name: str  # raw file name, without ".gz"
    kind: str  # "images" or "labels"
    count: int
    raw_size: int
    raw_md5: str


FILES: tuple[MnistFile, ...] = (
    MnistFile("train", "train-images-idx3-ubyte", "images", 60000, 47040016,
              "6bbc9ace898e44ae57da46a324031adb"),
    MnistFile("train", "train-labels-idx1-ubyte", "labels", 60000, 60008,
              "a25bea736e30d166cdddb491f175f624"),
    MnistFile("test", "t10k-images-idx3-ubyte", "images", 10000, 7840016,
              "2646ac647ad5339dbf082846283269ea"),
    MnistFile("test", "t10k-labels-idx1-ubyte", "labels", 10000, 10008,
              "27ae3e4e09519cfbb04c329615203637"),
)

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
_MAX_IDX_BYTES = 1 << 31


@dataclass
class Split:
    """One split in memory: uint8 images (N, 28, 28) and uint8 labels (N,)."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def head(self, limit: int | None) -> "Split":
        if limit is None or limit >= len(self):
            return self
        return Split(self.images[:limit], self.labels[:limit])


@dataclass(frozen=True)
class FileStatus:
    file: MnistFile
    path: Path | None  # where it was found; None when missing
    ok: bool
    message: str


def find_file(data_dir: Path, f: MnistFile) -> Path | None:
    """The file in the course layout (or flat), raw preferred over .gz."""
    data_dir = Path(data_dir)
    for cand in (data_dir / f.split / f.name, data_dir / f.split / (f.name + ".gz"),
                 data_dir / f.name, data_dir / (f.name + ".gz")):
        if cand.is_file():
            return cand
    return None


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _read(path: Path, size: int) -> bytes:
    """Up to ``size`` bytes of a raw or .gz file; DataError naming the file."""
    try:
        with _open(path) as fh:
            return fh.read(size)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataError(f"{path}: cannot read ({first_line(exc)}); the file is corrupt or "
                        "truncated, delete it and download again") from None


def read_bytes(path: Path) -> bytes:
    """The raw content of an IDX file, decompressing .gz; DataError names the file."""
    path = Path(path)
    data = _read(path, _MAX_IDX_BYTES + 1)
    if len(data) > _MAX_IDX_BYTES:
        raise DataError(f"{path}: larger than any MNIST file")
    return data


def _ndim(data: bytes, name: str) -> int:
    """The dimension count from an IDX magic number; DataError if it is not MNIST's."""
    if len(data) < 4:
        raise DataError(f"{name}: too short to be an IDX file ({len(data)} bytes)")
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08 or not 1 <= ndim <= 4:
        raise DataError(f"{name}: not an MNIST IDX file (wrong magic number "
                        f"0x{data[:4].hex()})")
    return ndim


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """Parse IDX bytes (unsigned-byte data only, as MNIST uses) into an array.

    Raises DataError for anything that is not a well-formed IDX file.
    """
    ndim = _ndim(data, name)
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{name}: truncated header")
    dims = struct.unpack(">" + "I" * ndim, data[4:header])
    expected = math.prod(dims)  # exact: np.prod could wrap around for crafted headers
    got = len(data) - header
    if got < expected:
        raise DataError(f"{name}: truncated: {got} data bytes, header promises {expected}")
    if got > expected:
        raise DataError(f"{name}: {got - expected} unexpected bytes after the data")
    try:
        return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)
    except ValueError:
        raise DataError(f"{name}: dimensions {dims} are not a usable array") from None


def read_idx(path: Path) -> np.ndarray:
    path = Path(path)
    return parse_idx(read_bytes(path), str(path))


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def check_file(data_dir: Path, f: MnistFile, verify: bool = True) -> FileStatus:
    """Is this file present, complete and the genuine MNIST file?"""
    path = find_file(data_dir, f)
    if path is None:
        return FileStatus(f, None, False, f"{f.split}/{f.name}: missing")
    if not verify:
        return FileStatus(f, path, True, f"{path}: found")
    try:
        data = read_bytes(path)
    except DataError as exc:
        return FileStatus(f, path, False, str(exc))
    if len(data) != f.raw_size:
        return FileStatus(f, path, False, f"{path}: {len(data):,} bytes, expected "
                          f"{f.raw_size:,} (truncated or not MNIST)")
    if md5(data) != f.raw_md5:
        return FileStatus(f, path, False, f"{path}: checksum mismatch (corrupt or not "
                          "the original MNIST file)")
    return FileStatus(f, path, True, f"{path}: OK")


def check_dir(data_dir: Path, verify: bool = True) -> list[FileStatus]:
    return [check_file(data_dir, f, verify) for f in FILES]


def require_files(data_dir: Path, split: str | None = None) -> dict[str, Path]:
    """The split's files (both splits when None) by name; DataError if any is missing."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: MNIST folder not found; run 'lenet-gui download' "
                        "or pass --data-dir")
    found = {}
    for f in FILES:
        if split is not None and f.split != split:
            continue
        path = find_file(data_dir, f)
        if path is None:
            raise DataError(f"{data_dir / f.split / f.name}: missing (also looked for "
                            ".gz); run 'lenet-gui download'")
        found[f.name] = path
    return found


def count_items(path: Path) -> int:
    """The item count in an IDX file's header: reads 8 bytes, not the file."""
    head = _read(Path(path), 8)
    _ndim(head, str(path))
    if len(head) < 8:
        raise DataError(f"{path}: truncated header")
    return struct.unpack(">I", head[4:8])[0]


def load_split(data_dir: Path, split: str, verify: bool = False) -> Split:
    """Read one split. ``verify`` insists on the genuine full files (MD5).

    Without ``verify`` any well-formed IDX pair is accepted, so subsets (tests,
    quick experiments) load too.
    """
    data_dir = Path(data_dir)
    paths = require_files(data_dir, split)
    arrays = {}
    for f in FILES:
        if f.split != split:
            continue
        if verify:
            status = check_file(data_dir, f)
            if not status.ok:
                raise DataError(status.message)
        path = paths[f.name]
        arr = read_idx(path)
        want_ndim = 3 if f.kind == "images" else 1
        if arr.ndim != want_ndim or (f.kind == "images" and arr.shape[1:] != (28, 28)):
            raise DataError(f"{path}: shape {arr.shape} is not MNIST {f.kind}")
        if f.kind == "labels" and arr.size and arr.max() > 9:
            raise DataError(f"{path}: labels outside 0..9")
        arrays[f.kind] = (arr, path)
    images, ipath = arrays["images"]
    labels, lpath = arrays["labels"]
    if images.shape[0] != labels.shape[0]:
        raise DataError(f"{ipath} has {images.shape[0]} images but {lpath} has "
                        f"{labels.shape[0]} labels")
    if images.shape[0] == 0:
        raise DataError(f"{ipath}: no images")
    return Split(images, labels)


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write uint8 data as an IDX file (gzipped when the name ends in .gz)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 0x08, array.ndim)
    header += struct.pack(">" + "I" * array.ndim, *array.shape)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as fh:
        fh.write(header + array.tobytes())


# --------------------------------------------------------------------------- datasets

def create_dataset(split: Split, batch_size: int = 32, shuffle: bool = True,
                   seed: int | None = None, drop_remainder: bool = True,
                   transform: Callable[[np.ndarray], np.ndarray] | None = None):
    """A ``mindspore.dataset`` pipeline with the course's transforms.

    Images go through ``preprocess.normalise`` (resize 28->32, rescale, normalise,
    HWC->CHW), the same function the recognizer uses; labels become int32;
    shuffled, batched, remainder dropped. ``transform`` (augmentation) runs on the
    28x28 uint8 image first.
    """
    import mindspore.dataset as ds  # lazy: importing MindSpore takes a second

    from .preprocess import normalise

    if seed is not None:
        ds.config.set_seed(seed)

    def _map(image: np.ndarray, label: np.ndarray):
        if transform is not None:
            image = transform(image)
        return normalise(image), label.astype(np.int32)

    source = ds.NumpySlicesDataset(
        {"image": split.images, "label": split.labels}, shuffle=shuffle)
    source = source.map(operations=_map, input_columns=["image", "label"])
    return source.batch(batch_size, drop_remainder=drop_remainder)


# --------------------------------------------------------------------------- download

def make_subset(source_dir: Path, out_dir: Path, n_train: int, n_test: int,
                seed: int = 0) -> None:
    """Write a class-balanced random subset of MNIST in the course layout (gzipped)."""
    rng = np.random.default_rng(seed)
    for split, n in (("train", n_train), ("test", n_test)):
        full = load_split(source_dir, split)
        idx = np.sort(rng.choice(len(full), size=n, replace=False))
        prefix = "train" if split == "train" else "t10k"
        write_idx(Path(out_dir) / split / f"{prefix}-images-idx3-ubyte.gz", full.images[idx])
        write_idx(Path(out_dir) / split / f"{prefix}-labels-idx1-ubyte.gz", full.labels[idx])


__all__ = [
    "FILES", "MnistFile", "Split", "FileStatus", "find_file", "read_idx",
    "require_files", "count_items",
    "parse_idx", "check_file", "check_dir", "load_split", "write_idx", "create_dataset",
    "make_subset",
]
