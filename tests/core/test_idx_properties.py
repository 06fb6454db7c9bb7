"""MNIST's IDX files, random and crafted: a file is read exactly or refused with a
DataError that names it, never another exception (hypothesis' property tests)."""

from __future__ import annotations

import gzip
import math
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lenet_gui.core.data import parse_idx, read_idx
from lenet_gui.core.errors import DataError


def _beyond_int64(data: bytes) -> bool:
    """An IDX header whose dimensions numpy cannot represent: the known bug that
    test_parse_idx_dims_beyond_int64 pins; the random tests leave it to that test."""
    if len(data) < 4 or data[:3] != b"\x00\x00\x08" or not 1 <= data[3] <= 4:
        return False
    ndim = data[3]
    if len(data) < 4 + 4 * ndim:
        return False
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return math.prod(d for d in dims if d) >= 2 ** 63


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=256))
@example(b"")
@example(b"\x00\x00\x08\x01\x00\x00\x00\x00")  # an empty but well-formed vector
def test_parse_idx_random_bytes_only_raise_data_error(data):
    if _beyond_int64(data):
        return
    try:
        arr = parse_idx(data, "random")
    except DataError:
        return
    assert arr.dtype == np.uint8 and 1 <= arr.ndim <= 4
    assert arr.size == len(data) - 4 - 4 * arr.ndim


_dims = st.one_of(st.integers(0, 6), st.integers(0, 2 ** 32 - 1),
                  st.sampled_from([2 ** 31, 2 ** 32 - 1, 60000, 28]))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.lists(_dims, min_size=n, max_size=n)),
       st.integers(-3, 3))
def test_parse_idx_valid_headers_any_dims_and_lengths(dims, extra):
    """A well-formed header with any dimensions, and a payload too short, exact or long."""
    expected = math.prod(dims)
    # Dimensions numpy cannot represent (their non-zero product past 2**63) are the
    # known bug pinned by test_parse_idx_dims_beyond_int64.
    if math.prod(d for d in dims if d) >= 2 ** 63:
        return
    n = max(0, min(expected, 4096) + extra)
    header = struct.pack(">HBB", 0, 8, len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
    payload = bytes((i * 7 + 3) % 256 for i in range(n))
    try:
        arr = parse_idx(header + payload, "sample")
    except DataError as exc:
        assert n != expected, f"a well-formed file was refused: {exc}"
        return
    assert n == expected and arr.shape == tuple(dims)
    assert arr.tobytes() == payload


@pytest.mark.parametrize("dims", [
    (65536, 65536, 65536, 65536),  # product 2**64 wraps to 0 = the 0 bytes present
    (2 ** 21, 2 ** 21, 2 ** 22, 1),  # the same, another way
    (0, 2 ** 31 + 1, 2 ** 32 - 1),  # truly empty, but numpy refuses the shape
], ids=["wraps_to_zero", "wraps_to_zero_2", "empty_with_huge_dims"])
def test_parse_idx_dims_beyond_int64(dims):
    header = struct.pack(">HBB", 0, 8, len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
    with pytest.raises(DataError):
        parse_idx(header, "crafted")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scratch")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["raw", "corrupt_gz", "gzipped_garbage"]))
def test_read_idx_random_file_content_only_raises_data_error(scratch, data, kind):
    """Random bytes as a raw IDX file, as a corrupt .gz archive, or gzipped garbage."""
    path = scratch / ("x.idx" if kind == "raw" else "x.idx.gz")
    path.write_bytes(gzip.compress(data) if kind == "gzipped_garbage" else data)
    if kind != "corrupt_gz" and _beyond_int64(data):
        return
    try:
        read_idx(path)
    except DataError as exc:
        assert str(path) in str(exc)
