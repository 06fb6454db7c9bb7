"""LeNet5 shapes and checkpoints: round trip, metadata, atomic writes, bad files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from lenet_gui.core.errors import CheckpointError
from lenet_gui.core.model import (PARAM_SHAPES, CheckpointInfo, build_lenet5, load_checkpoint,
                             metadata_path, read_info, save_checkpoint)
from lenet_gui.core.predict import make_forward


@pytest.fixture(scope="module")
def net():
    return build_lenet5()


def test_lenet5_shapes(net):
    import mindspore as ms

    shapes = {p.name: tuple(p.shape) for p in net.trainable_params()}
    assert shapes == PARAM_SHAPES  # the course's LeNet5: no conv bias, 400->120->84->10
    x = ms.Tensor(np.zeros((3, 1, 32, 32), np.float32))
    assert tuple(net(x).shape) == (3, 10)
    assert sum(int(np.prod(s)) for s in shapes.values()) == 61_684


def test_round_trip_with_metadata(net, tmp_path):
    info = CheckpointInfo(train_config={"epochs": 3, "lr": 0.01}, test_accuracy=0.987,
                          test_samples=10000, epochs_done=3)
    path = save_checkpoint(net, tmp_path / "m.ckpt", info)
    assert path == tmp_path / "m.ckpt" and metadata_path(path).is_file()
    meta = json.loads(metadata_path(path).read_text())
    for key in ("architecture", "preprocessing", "mean", "std", "input_size",
                "train_config", "test_accuracy", "created", "mindspore_version"):
        assert key in meta
    assert meta["mean"] == 0.1307 and meta["std"] == 0.3081 and meta["input_size"] == 32
    loaded, info2 = load_checkpoint(path)
    assert info2.test_accuracy == 0.987 and "98.70%" in info2.describe()
    x = np.random.default_rng(0).normal(size=(4, 1, 32, 32)).astype(np.float32)
    assert np.allclose(make_forward(net)(x), make_forward(loaded)(x), atol=1e-6)
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_atomic_save_keeps_the_old_checkpoint(net, tmp_path, monkeypatch):
    import mindspore as ms

    path = save_checkpoint(net, tmp_path / "m.ckpt", CheckpointInfo(test_accuracy=0.5))
    before = path.read_bytes(), metadata_path(path).read_bytes()
    real_save = ms.save_checkpoint

    def half_then_fail(obj, name, *a, **k):
        real_save(obj, name, *a, **k)
        with open(name, "r+b") as fh:  # a write that dies midway
            fh.truncate(1000)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ms, "save_checkpoint", half_then_fail)
    with pytest.raises(CheckpointError, match="No space left.*nothing was overwritten"):
        save_checkpoint(net, path, CheckpointInfo(test_accuracy=0.9))
    assert (path.read_bytes(), metadata_path(path).read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.ckpt", "m.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(net, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(CheckpointError, match="cannot save"):
            save_checkpoint(net, folder / "m.ckpt", CheckpointInfo())
    finally:
        folder.chmod(0o755)


def test_unwritable_target_folder(net, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(CheckpointError, match="cannot save"):
        save_checkpoint(net, blocker / "m.ckpt", CheckpointInfo())


@pytest.fixture()
def good_ckpt(net, tmp_path) -> Path:
    return save_checkpoint(net, tmp_path / "good.ckpt", CheckpointInfo(test_accuracy=0.9))


@pytest.mark.parametrize("content, message", [
    (None, "checkpoint not found"),
    (b"", "empty file"),
    (b"hello, I am text\n" * 10, "not a readable MindSpore checkpoint"),
    (bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8)),
     "not a readable MindSpore checkpoint"),
])
def test_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.ckpt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)


def test_truncated_checkpoint(good_ckpt, tmp_path):
    bad = tmp_path / "trunc.ckpt"
    bad.write_bytes(good_ckpt.read_bytes()[:100_000])
    with pytest.raises(CheckpointError, match="not a readable MindSpore checkpoint"):
        load_checkpoint(bad)


def test_other_network_is_refused(tmp_path):
    """MindSpore itself loads nothing and says nothing here; we must refuse."""
    import mindspore as ms
    from mindspore import nn

    other = nn.SequentialCell([nn.Dense(4, 3), nn.ReLU(), nn.Dense(3, 2)])
    path = tmp_path / "other.ckpt"
    ms.save_checkpoint(other, str(path))
    with pytest.raises(CheckpointError, match="not a LeNet5 checkpoint"):
        load_checkpoint(path)


def test_wrong_shapes_are_refused(tmp_path):
    import mindspore as ms
    from mindspore import nn

    class Wide(nn.Cell):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, pad_mode="valid")
            self.conv2 = nn.Conv2d(6, 16, 5, pad_mode="valid")
            self.fc1 = nn.Dense(400, 120)
            self.fc2 = nn.Dense(120, 84)
            self.fc3 = nn.Dense(84, 26)  # letters, not digits

        def construct(self, x):
            return x

    path = tmp_path / "wide.ckpt"
    ms.save_checkpoint(Wide(), str(path))
    with pytest.raises(CheckpointError, match=r"fc3.weight has shape \(26, 84\)"):
        load_checkpoint(path)


def test_nan_weights_are_refused(net, tmp_path):
    import mindspore as ms

    path = tmp_path / "nan.ckpt"
    params = {p.name: p.asnumpy().copy() for p in net.trainable_params()}
    params["fc2.bias"][:] = np.nan
    ms.save_checkpoint([{"name": k, "data": ms.Tensor(v)} for k, v in params.items()],
                       str(path))
    with pytest.raises(CheckpointError, match="fc2.bias contains NaN"):
        load_checkpoint(path)


def test_metadata_missing_or_foreign(good_ckpt):
    meta = metadata_path(good_ckpt)
    saved = meta.read_text()
    meta.unlink()
    _, info = load_checkpoint(good_ckpt)
    assert info.test_accuracy is None and "no metadata" in info.notes
    assert "accuracy unknown" in info.describe()

    meta.write_text(saved.replace('"preprocessing": "', '"preprocessing": "raw28-'))
    with pytest.raises(CheckpointError, match="another input preprocessing"):
        load_checkpoint(good_ckpt)
    meta.write_text(saved.replace('"LeNet5"', '"ResNet50"'))
    with pytest.raises(CheckpointError, match="a ResNet50 checkpoint"):
        read_info(good_ckpt)
    meta.write_text("{ not json")
    with pytest.raises(CheckpointError, match="unreadable metadata"):
        load_checkpoint(good_ckpt)


def test_shipped_checkpoint_is_complete(shipped_ckpt):
    net, info = load_checkpoint(shipped_ckpt)
    assert info.test_accuracy is not None and info.test_accuracy >= 0.99
    assert info.test_samples == 10000
    assert info.train_config  # how it was made travels with it
    assert metadata_path(shipped_ckpt).is_file()
