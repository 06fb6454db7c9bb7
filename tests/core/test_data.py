"""MNIST IDX reading, checking and downloading (against a server on 127.0.0.1)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from lenet_gui.core.data import (MnistFile, check_dir, check_file, load_split, parse_idx,
                                 read_idx, write_idx)
from lenet_gui.core.download import download
from lenet_gui.core.errors import DataError, DownloadError

from ..httpserver import LocalServer, serve_subset


def _copy_subset(subset_dir: Path, dest: Path, gz: bool = True) -> Path:
    shutil.copytree(subset_dir, dest)
    if not gz:
        for f in dest.rglob("*.gz"):
            f.with_suffix("").write_bytes(gzip.decompress(f.read_bytes()))
            f.unlink()
    return dest


def test_subset_reads_raw_and_gz_alike(subset_dir, tmp_path):
    raw = _copy_subset(subset_dir, tmp_path / "raw", gz=False)
    a = load_split(subset_dir, "train")
    b = load_split(raw, "train")
    assert a.images.shape == (2000, 28, 28) and a.labels.shape == (2000,)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.labels, b.labels)
    assert a.images.dtype == np.uint8 and set(np.unique(a.labels)) == set(range(10))


def test_idx_round_trip(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "x.idx", arr)
    write_idx(tmp_path / "x.idx.gz", arr)
    assert np.array_equal(read_idx(tmp_path / "x.idx"), arr)
    assert np.array_equal(read_idx(tmp_path / "x.idx.gz"), arr)


@pytest.mark.parametrize("data, fragment", [
    (b"", "too short"),
    (b"\x00\x00\x08", "too short"),
    (b"\x12\x34\x08\x03" + b"\x00" * 12, "wrong magic number"),
    (b"\x00\x00\x0d\x01\x00\x00\x00\x01" + b"\x00" * 4, "wrong magic number"),  # float data
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated header"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", "truncated"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01ab", "unexpected bytes"),
])
def test_parse_idx_rejects_malformed(data, fragment):
    with pytest.raises(DataError, match=fragment):
        parse_idx(data, "sample")


def test_errors_name_the_file(subset_dir, tmp_path):
    d = _copy_subset(subset_dir, tmp_path / "d", gz=False)
    images = d / "train" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:5000])  # truncated
    with pytest.raises(DataError, match="train-images-idx3-ubyte.*truncated"):
        load_split(d, "train")


def test_corrupt_gzip_is_reported(subset_dir, tmp_path):
    d = _copy_subset(subset_dir, tmp_path / "d")
    gz = d / "test" / "t10k-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:1000])
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz.*corrupt or truncated"):
        load_split(d, "test")


def test_missing_folder_and_file(subset_dir, tmp_path):
    with pytest.raises(DataError, match="MNIST folder not found.*download"):
        load_split(tmp_path / "nowhere", "train")
    d = _copy_subset(subset_dir, tmp_path / "d")
    (d / "train" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="train-labels-idx1-ubyte: missing"):
        load_split(d, "train")


def test_count_mismatch(subset_dir, tmp_path):
    d = _copy_subset(subset_dir, tmp_path / "d")
    labels = load_split(d, "test").labels
    write_idx(d / "test" / "t10k-labels-idx1-ubyte.gz", labels[:-1])
    with pytest.raises(DataError, match="500 images but .* 499 labels"):
        load_split(d, "test")


def test_labels_out_of_range(subset_dir, tmp_path):
    d = _copy_subset(subset_dir, tmp_path / "d")
    labels = load_split(d, "test").labels.copy()
    labels[3] = 12
    write_idx(d / "test" / "t10k-labels-idx1-ubyte.gz", labels)
    with pytest.raises(DataError, match="labels outside 0..9"):
        load_split(d, "test")


def test_check_dir_reports_each_problem(subset_dir, tmp_path):
    d = _copy_subset(subset_dir, tmp_path / "d")
    (d / "test" / "t10k-labels-idx1-ubyte.gz").unlink()
    statuses = {s.file.name: s for s in check_dir(d)}
    assert not statuses["t10k-labels-idx1-ubyte"].ok
    assert "missing" in statuses["t10k-labels-idx1-ubyte"].message
    # The subset is well-formed but not the genuine files: sizes differ.
    assert "expected 47,040,016" in statuses["train-images-idx3-ubyte"].message
    assert not any(s.ok for s in statuses.values())
    with pytest.raises(DataError, match="expected"):
        load_split(d, "train", verify=True)


def test_checksum_mismatch_same_size(tmp_path):
    f = MnistFile("test", "t10k-labels-idx1-ubyte", "labels", 3, 11, "0" * 32)
    write_idx(tmp_path / "test" / "t10k-labels-idx1-ubyte", np.array([1, 2, 3], np.uint8))
    status = check_file(tmp_path, f)
    assert not status.ok and "checksum mismatch" in status.message


def test_full_mnist_checksums(full_mnist_dir):
    statuses = check_dir(full_mnist_dir)
    assert all(s.ok for s in statuses), [s.message for s in statuses]
    train = load_split(full_mnist_dir, "train", verify=True)
    assert len(train) == 60000


# ------------------------------------------------------------------ download



def test_download_from_local_server(subset_dir, tmp_path):
    root, files = serve_subset(subset_dir, tmp_path)
    seen = []
    with LocalServer(root) as srv:
        paths = download(tmp_path / "data", mirrors=[srv.url], files=files,
                         progress=lambda n, got, total: seen.append((n, got, total)))
    assert len(paths) == 4
    assert np.array_equal(load_split(tmp_path / "data", "train").images,
                          load_split(subset_dir, "train").images)
    assert seen and seen[-1][1] == seen[-1][2]
    assert not list((tmp_path / "data").rglob("*.part"))


def test_download_tries_next_mirror(subset_dir, tmp_path):
    root, files = serve_subset(subset_dir, tmp_path)
    (tmp_path / "empty_www").mkdir()
    with LocalServer(tmp_path / "empty_www") as dead, LocalServer(root) as good:
        download(tmp_path / "data", mirrors=[dead.url, good.url], files=files)
        assert len(dead.state.requests) == 4  # each file: 404, then the next mirror
    assert all(s.ok for s in [check_file(tmp_path / "data", f) for f in files])


def test_download_resumes_after_cut_connection(subset_dir, tmp_path):
    root, files = serve_subset(subset_dir, tmp_path)
    with LocalServer(root) as srv:
        srv.state.drop_after["train-images-idx3-ubyte.gz"] = 100_000
        download(tmp_path / "data", mirrors=[srv.url], files=files)
        ranges = [r for p, r in srv.state.requests if "train-images" in p]
    assert ranges == [None, "bytes=100000-"]
    assert check_file(tmp_path / "data", files[0]).ok


def test_download_without_range_support_starts_over(subset_dir, tmp_path):
    root, files = serve_subset(subset_dir, tmp_path)
    with LocalServer(root) as srv:
        srv.state.support_range = False
        srv.state.drop_after["train-images-idx3-ubyte.gz"] = 50_000
        download(tmp_path / "data", mirrors=[srv.url], files=files)
    assert check_file(tmp_path / "data", files[0]).ok


def test_download_rejects_wrong_content(subset_dir, tmp_path):
    root, files = serve_subset(subset_dir, tmp_path)
    bad = root / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07"))
    with LocalServer(root) as srv, pytest.raises(DownloadError, match="checksum mismatch"):
        download(tmp_path / "data", mirrors=[srv.url], files=files)
    assert not (tmp_path / "data" / "test" / "t10k-labels-idx1-ubyte.gz").exists()
    assert not list((tmp_path / "data").rglob("*.part"))


def test_download_offline_message(tmp_path):
    # Port 9 on 127.0.0.1 refuses connections: what "offline" looks like, without
    # touching any network.
    with pytest.raises(DownloadError, match="offline"):
        download(tmp_path / "data", mirrors=["http://127.0.0.1:9/"], timeout=2)


def test_download_skips_complete_files(subset_dir, tmp_path):
    root, files = serve_subset(subset_dir, tmp_path)
    with LocalServer(root) as srv:
        download(tmp_path / "data", mirrors=[srv.url], files=files)
        n = len(srv.state.requests)
        download(tmp_path / "data", mirrors=[srv.url], files=files)
        assert len(srv.state.requests) == n


def test_create_dataset_uses_shared_preprocessing(subset_dir):
    from lenet_gui.core.data import create_dataset
    from lenet_gui.core.preprocess import normalise

    split = load_split(subset_dir, "test").head(64)
    ds = create_dataset(split, batch_size=32, shuffle=False)
    batches = list(ds.create_tuple_iterator(output_numpy=True))
    assert len(batches) == 2
    x, y = batches[0]
    assert x.shape == (32, 1, 32, 32) and x.dtype == np.float32
    assert y.dtype == np.int32
    assert np.allclose(x, normalise(split.images[:32]), atol=1e-6)
    assert np.array_equal(y, split.labels[:32])
