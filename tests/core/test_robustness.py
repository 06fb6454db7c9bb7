"""Issue 5: the fault and bad-input matrix, the rows no other test covered yet.

docs/robustness.md lists every row with what the user sees and the test that
pins it; rows already tested elsewhere are mapped there, not repeated here.
Core only: no Qt in this file (tests/ui/test_robustness_ui.py has the window's side).
"""

from __future__ import annotations

import gzip
import os
import shutil
import struct
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image, ImageDraw

import lenet_gui.core.model as model_module
from lenet_gui.cli.main import main
from lenet_gui.core.data import check_file, read_idx, write_idx
from lenet_gui.core.download import download
from lenet_gui.core.errors import CheckpointError, DownloadError
from lenet_gui.core.model import CheckpointInfo, build_lenet5, metadata_path, save_checkpoint

from ..httpserver import LocalServer, serve_subset

GB = 1024 ** 3


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """main(args) -> (exit code, stdout, stderr), argparse's own exits included."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, fragment: str) -> None:
    """What every refused input must look like on the command line."""
    assert code == 1, err
    assert "Traceback" not in err
    assert err.startswith("lenet-gui: error: ") and err.count("\n") == 1, err
    assert fragment in err, err


# --------------------------------------------------------------- shared makers
# (tests/ui/test_robustness_ui.py imports these to put the same files in the window)

def seven_image(size: int = 100, mode: str = "L") -> Image.Image:
    """A clear, thick 7 in dark ink on white."""
    im = Image.new(mode, (size, size), "white")
    draw = ImageDraw.Draw(im)
    draw.line([(size * 0.3, size * 0.2), (size * 0.7, size * 0.2), (size * 0.45, size * 0.85)],
              fill="black", width=max(1, size // 12))
    return im


#: name -> expected outcome: an int is the digit predicted, a str a fragment of the
#: refusal message (CLI: "lenet-gui: error: PATH: ..."; window: a message box).
ODD_IMAGES: dict[str, int | str] = {
    "zero_bytes.png": "not an image file Pillow can read",
    "one_pixel.png": "blank",
    "all_black.png": "blank",
    "transparent_ink.png": 7,
    "transparent_empty.png": "blank",
    "grey16.png": 7,
    "cmyk.jpg": 7,
    "palette.gif": 7,
    "huge_header.png": "image too large (12000x12000 pixels; at most 120 megapixels)",
    "bomb_header.png": "could be decompression bomb",
}


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: a few hundred bytes on disk, never decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def make_odd_images(folder: Path) -> dict[str, Path]:
    """Write the odd image files of the matrix into ``folder``; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    p = {name: folder / name for name in ODD_IMAGES}
    p["zero_bytes.png"].write_bytes(b"")
    Image.new("L", (1, 1), 0).save(p["one_pixel.png"])
    Image.new("L", (100, 100), 0).save(p["all_black.png"])
    ink = 255 - np.asarray(seven_image())
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[..., 3] = ink  # black ink on a transparent sheet
    Image.fromarray(rgba, "RGBA").save(p["transparent_ink.png"])
    Image.fromarray(np.zeros((100, 100, 4), np.uint8), "RGBA").save(p["transparent_empty.png"])
    grey16 = Image.fromarray((np.asarray(seven_image()).astype("<u2") * 257))
    assert grey16.mode == "I;16"
    grey16.save(p["grey16.png"])
    seven_image().convert("CMYK").save(p["cmyk.jpg"])
    seven_image().convert("P").save(p["palette.gif"])
    p["huge_header.png"].write_bytes(_png_header_only(12000, 12000))
    p["bomb_header.png"].write_bytes(_png_header_only(30000, 30000))
    with Image.open(p["cmyk.jpg"]) as im:
        assert im.mode == "CMYK"
    with Image.open(p["palette.gif"]) as im:
        assert im.mode == "P"
    return p


def make_bad_checkpoints(folder: Path, good: Path) -> dict[str, tuple[Path, str]]:
    """Every kind of unusable checkpoint; name -> (path, fragment of the message)."""
    import mindspore as ms

    folder.mkdir(parents=True, exist_ok=True)
    raw = good.read_bytes()
    meta = metadata_path(good).read_text()
    out: dict[str, tuple[Path, str]] = {}

    def put(name: str, message: str, data: bytes | None = None, meta_text: str | None = None):
        path = folder / f"{name}.ckpt"
        if data is not None:
            path.write_bytes(data)
        if meta_text is not None:
            metadata_path(path).write_text(meta_text)
        out[name] = (path, message)
        return path

    put("missing", "checkpoint not found")
    put("empty", "empty file, not a checkpoint", b"")
    put("truncated", "not a readable MindSpore checkpoint", raw[:len(raw) // 2])
    put("random_bytes", "not a readable MindSpore checkpoint",
        bytes(np.random.default_rng(5).integers(0, 256, 4096, dtype=np.uint8)))
    params = ms.load_checkpoint(str(good))
    other = put("other_network", "not a LeNet5 checkpoint (missing conv1.weight")
    ms.save_checkpoint([{"name": "encoder.weight", "data": ms.Tensor(np.ones((4, 3), np.float32))},
                        {"name": "encoder.bias", "data": ms.Tensor(np.zeros(4, np.float32))}],
                       str(other))
    wrong = put("wrong_shapes", "fc3.weight has shape (26, 84), LeNet5 needs (10, 84)")
    weights = {k: v.asnumpy() for k, v in params.items() if k.startswith(("conv", "fc"))}
    weights["fc3.weight"] = np.zeros((26, 84), np.float32)
    weights["fc3.bias"] = np.zeros(26, np.float32)
    ms.save_checkpoint([{"name": k, "data": ms.Tensor(v)} for k, v in weights.items()],
                       str(wrong))
    put("other_preprocessing", "trained with another input preprocessing", raw,
        meta.replace('"preprocessing": "', '"preprocessing": "raw28-'))
    put("other_architecture_metadata", "a ResNet50 checkpoint, not LeNet5", raw,
        meta.replace('"LeNet5"', '"ResNet50"'))
    put("unreadable_metadata", "unreadable metadata", raw, "{ not json")
    return out


# ----------------------------------------------------------------- checkpoints

@pytest.fixture(scope="module")
def nets():
    """Two LeNet5s with different weights: saving B over A must be visible in the bytes."""
    import mindspore as ms

    a, b = build_lenet5(), build_lenet5()
    bias = b.fc3.bias
    bias.set_data(ms.Tensor(bias.asnumpy() + 1.0))
    return a, b


@pytest.fixture()
def previous(nets, tmp_path):
    """A checkpoint saved before; (path, its two files' bytes)."""
    path = save_checkpoint(nets[0], tmp_path / "m.ckpt", CheckpointInfo(test_accuracy=0.5))
    return path, (path.read_bytes(), metadata_path(path).read_bytes())


def _survives(path: Path, before: tuple[bytes, bytes]) -> None:
    assert (path.read_bytes(), metadata_path(path).read_bytes()) == before, \
        "the previous checkpoint was changed"
    assert sorted(p.name for p in path.parent.iterdir()) == ["m.ckpt", "m.json"], \
        "temporary files were left behind"


def _permission_denied(*_args, **_kwargs):
    raise PermissionError(13, "Permission denied")


def test_save_into_read_only_folder_keeps_previous(nets, previous, monkeypatch):
    """As root chmod does not stop us: simulate the folder refusing new files."""
    path, before = previous
    monkeypatch.setattr(model_module, "tempfile",
                        SimpleNamespace(mkstemp=_permission_denied))
    with pytest.raises(CheckpointError, match=r"cannot save the checkpoint \(Permission "
                                              r"denied\); nothing was overwritten"):
        save_checkpoint(nets[1], path, CheckpointInfo(test_accuracy=0.9))
    _survives(path, before)


def test_save_when_rename_is_refused_keeps_previous(nets, previous, monkeypatch):
    """The temporary file is written but cannot replace the old one (read-only target)."""
    path, before = previous

    class OsRefusingReplace:
        replace = staticmethod(_permission_denied)

        def __getattr__(self, name):
            return getattr(os, name)

    monkeypatch.setattr(model_module, "os", OsRefusingReplace())
    with pytest.raises(CheckpointError, match=r"\(Permission denied\); nothing was "
                                              r"overwritten"):
        save_checkpoint(nets[1], path, CheckpointInfo(test_accuracy=0.9))
    _survives(path, before)


def test_metadata_write_failing_midway_keeps_previous(nets, previous, monkeypatch):
    path, before = previous
    real_write_text = Path.write_text

    def half_then_fail(self, text, *args, **kwargs):
        real_write_text(self, text[:len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    with pytest.raises(CheckpointError, match="No space left on device"):
        save_checkpoint(nets[1], path, CheckpointInfo(test_accuracy=0.9))
    monkeypatch.undo()
    _survives(path, before)


@pytest.fixture(scope="module")
def bad_checkpoints(tmp_path_factory, shipped_ckpt):
    return make_bad_checkpoints(tmp_path_factory.mktemp("bad_ckpts"), shipped_ckpt)


@pytest.fixture(scope="module")
def seven_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seven") / "seven.png"
    seven_image().save(path)
    return path


@pytest.mark.parametrize("kind", ["missing", "empty", "truncated", "random_bytes",
                                  "other_network", "wrong_shapes", "other_preprocessing",
                                  "other_architecture_metadata", "unreadable_metadata"])
def test_cli_refuses_bad_checkpoint_in_one_line(capsys, bad_checkpoints, seven_png, kind):
    path, message = bad_checkpoints[kind]
    code, out, err = run_cli(capsys, "predict", "--checkpoint", path, seven_png)
    # The message names the file (the .json beside it for metadata faults).
    assert_one_line_error(code, err, f"lenet-gui: error: {path.with_suffix('')}.")
    assert message in err
    assert out == ""


# ----------------------------------------------------------------- MNIST data

def _copy_subset(subset_dir: Path, dest: Path) -> Path:
    shutil.copytree(subset_dir, dest)
    return dest


def _wrong_magic(d: Path) -> str:
    f = d / "train" / "train-images-idx3-ubyte.gz"
    raw = bytearray(gzip.decompress(f.read_bytes()))
    raw[2] = 0x0D  # float data, as in another IDX dataset
    f.write_bytes(gzip.compress(bytes(raw)))
    return "train-images-idx3-ubyte.gz: not an MNIST IDX file (wrong magic number 0x00000d03)"


def _one_file_missing(d: Path) -> str:
    (d / "test" / "t10k-labels-idx1-ubyte.gz").unlink()
    return "test/t10k-labels-idx1-ubyte: missing (also looked for .gz); run 'lenet-gui download'"


def _truncated_gz(d: Path) -> str:
    f = d / "train" / "train-images-idx3-ubyte.gz"
    f.write_bytes(f.read_bytes()[:10_000])
    return "the file is corrupt or truncated, delete it and download again"


def _truncated_raw(d: Path) -> str:
    f = d / "train" / "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(f.read_bytes())
    f.unlink()
    f.with_suffix("").write_bytes(raw[:100_016])
    return "train-images-idx3-ubyte: truncated: 100000 data bytes, header promises 1568000"


def _count_mismatch(d: Path) -> str:
    labels = read_idx(d / "train" / "train-labels-idx1-ubyte.gz")
    write_idx(d / "train" / "train-labels-idx1-ubyte.gz", labels[:-1])
    return "has 2000 images but"


@pytest.mark.parametrize("fault", [_one_file_missing, _truncated_gz, _truncated_raw,
                                   _wrong_magic, _count_mismatch],
                         ids=lambda f: f.__name__.lstrip("_"))
def test_cli_train_refuses_broken_data_before_training(capsys, subset_dir, tmp_path, fault):
    d = _copy_subset(subset_dir, tmp_path / "mnist")
    message = fault(d)
    out_ckpt = tmp_path / "never.ckpt"
    code, out, err = run_cli(capsys, "train", "--data-dir", d, "--epochs", "1",
                             "--out", out_ckpt, "--quiet")
    assert_one_line_error(code, err, message)
    assert "training LeNet5" not in out and not out_ckpt.exists()




class _AlwaysDrop(dict):
    """``ServerState.drop_after`` that cuts every response, not just the first."""

    def pop(self, key, default=None):
        return self.get(key, default)


def test_download_cut_off_every_time_then_resumed_next_run(subset_dir, tmp_path):
    root, files = serve_subset(subset_dir, tmp_path)
    data = tmp_path / "data"
    target = data / "train" / "train-images-idx3-ubyte.gz"
    part = target.with_name(target.name + ".part")
    with LocalServer(root) as srv:
        srv.state.drop_after = _AlwaysDrop({"train-images-idx3-ubyte.gz": 60_000})
        with pytest.raises(DownloadError) as info:
            download(data, mirrors=[srv.url], files=files, retries=2, timeout=5)
        ranges = [r for p, r in srv.state.requests if "train-images" in p]
    message = str(info.value)
    assert message.startswith("train-images-idx3-ubyte.gz: no mirror worked: ")
    assert "interrupted (connection closed at 180000 of " in message
    assert "after 2 retries; run download again to resume" in message
    assert ranges == [None, "bytes=60000-", "bytes=120000-"]  # retried, resuming each time
    assert not target.exists() and part.stat().st_size == 180_000  # nothing half-written
    with LocalServer(root) as srv:  # the next run picks up where the last one stopped
        download(data, mirrors=[srv.url], files=files, timeout=5)
        ranges = [r for p, r in srv.state.requests if "train-images" in p]
    assert ranges == ["bytes=180000-"]
    assert all(check_file(data, f).ok for f in files) and not part.exists()


def test_cli_download_offline(capsys, tmp_path):
    # Port 9 on 127.0.0.1 refuses connections: "offline" without touching any network.
    code, out, err = run_cli(capsys, "download", "--data-dir", tmp_path / "d",
                             "--mirror", "http://127.0.0.1:9/", "--quiet")
    assert_one_line_error(code, err, "lenet-gui: error: train-images-idx3-ubyte.gz: no mirror "
                                     "worked: you seem to be offline; connect to the internet "
                                     f"or copy the four MNIST files into {tmp_path / 'd'}")
    assert not list((tmp_path / "d").rglob("*.gz"))


# ------------------------------------------------------------- hyperparameters

@pytest.mark.parametrize("args, message", [
    (["--lr", "0"], "learning rate must be in (0, 10], got 0.0"),
    (["--lr", "1e6"], "learning rate must be in (0, 10], got 1000000.0"),
    (["--lr", "inf"], "argument --lr: must be a finite number, got inf"),
    (["--lr", "abc"], "argument --lr: not a number: 'abc'"),
    (["--epochs", "-2"], "argument --epochs: must be at least 1, got -2"),
    (["--epochs", "1.5"], "argument --epochs: not a whole number: '1.5'"),
    (["--batch-size", "0"], "argument --batch-size: must be at least 1, got 0"),
    (["--batch-size", "5000"], "batch size must be at most 4096, got 5000"),
    (["--batch-size", "4000"], "batch size (4000) is larger than the training data "
                               "(2000 samples)"),
    (["--limit", "0"], "argument --limit: must be at least 1, got 0"),
    (["--momentum", "1.5"], "momentum must be in [0, 0.999], got 1.5"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_cli_more_bad_hyperparameters(capsys, subset_dir, tmp_path, args, message):
    """Beyond tests/core/test_cli.py::test_bad_hyperparameters: rejected before training."""
    out_ckpt = tmp_path / "never.ckpt"
    code, out, err = run_cli(capsys, "train", "--data-dir", subset_dir, "--out", out_ckpt,
                             "--quiet", *args)
    assert code in (1, 2), err  # 2: argparse's usage error; 1: rejected by validation
    assert message in err and "Traceback" not in err
    assert "training LeNet5" not in out and not out_ckpt.exists()


# -------------------------------------------------------------------- training

def test_cli_diverging_training_keeps_the_old_checkpoint(capsys, subset_dir, tmp_path,
                                                         shipped_ckpt):
    out_ckpt = tmp_path / "mine.ckpt"
    shutil.copy(shipped_ckpt, out_ckpt)
    shutil.copy(metadata_path(shipped_ckpt), metadata_path(out_ckpt))
    before = out_ckpt.read_bytes(), metadata_path(out_ckpt).read_bytes()
    code, out, err = run_cli(capsys, "train", "--data-dir", subset_dir, "--lr", "10",
                             "--momentum", "0.99", "--epochs", "1", "--out", out_ckpt,
                             "--quiet")
    assert_one_line_error(code, err, "training diverged (learning rate 10.0 too high?); "
                                     "no checkpoint was written")
    assert "lenet-gui: error: the loss became " in err
    assert (out_ckpt.read_bytes(), metadata_path(out_ckpt).read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.ckpt", "mine.json"]
