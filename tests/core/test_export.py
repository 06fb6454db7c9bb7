"""Exported models (issue 13): ONNX and MindIR give MindSpore's outputs, the JSON beside
them describes input and output, and every failure is one line that leaves nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

import numpy as np
import pytest

from lenet_gui.core import export as export_mod
from lenet_gui.cli.main import main
from lenet_gui.core.data import load_split
from lenet_gui.core.errors import CheckpointError
from lenet_gui.core.export import ExportError, export_model, metadata_path_for
from lenet_gui.core.model import read_info
from lenet_gui.core.preprocess import MEAN, PREPROCESSING_ID, STD, normalise

from ..conftest import SUBSET

N_IMAGES = 200


@pytest.fixture(scope="module")
def exported(tmp_path_factory, shipped_ckpt):
    folder = tmp_path_factory.mktemp("exported")
    return {fmt: export_model(shipped_ckpt, fmt, folder / f"lenet.{fmt}")
            for fmt in ("onnx", "mindir")}


@pytest.fixture(scope="module")
def images():
    test = load_split(SUBSET, "test").head(N_IMAGES)
    return normalise(test.images), test.labels


@pytest.fixture(scope="module")
def reference(shipped_ckpt, images):
    from lenet_gui.core.predict import Recognizer

    return Recognizer(shipped_ckpt).forward(images[0])


@pytest.fixture()
def stage_root(tmp_path, monkeypatch):
    """The system temp folder the exporter stages in, private to the test."""
    root = tmp_path / "systmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def _fake_exporter(monkeypatch, behaviour):
    """Replace MindSpore's ONNX exporter (fast; no graph compiled)."""
    import mindspore.onnx

    monkeypatch.setattr(mindspore.onnx, "export", behaviour)


# ------------------------------------------------------------- the exported models

def test_onnx_gives_mindspore_outputs(exported, images, reference):
    import onnxruntime as ort

    x, labels = images
    session = ort.InferenceSession(str(exported["onnx"].model),
                                   providers=["CPUExecutionProvider"])
    (inp,), (outp,) = session.get_inputs(), session.get_outputs()
    assert (inp.name, inp.shape, inp.type) == ("input", [1, 1, 32, 32], "tensor(float)")
    assert (outp.name, outp.shape) == ("logits", [1, 10])
    got = np.concatenate([session.run(None, {inp.name: x[i:i + 1]})[0]
                          for i in range(len(x))])
    assert got.shape == (N_IMAGES, 10)
    assert np.abs(got - reference).max() < 1e-4
    # The real weights, not random ones: the reference is a trained network.
    assert (got.argmax(1) == labels).mean() > 0.95
    assert reference.std() > 1.0


def test_mindir_loads_back_with_graphcell(exported, images, reference):
    from lenet_gui.core._mindspore import import_mindspore

    ms = import_mindspore()
    cell = ms.nn.GraphCell(ms.load(str(exported["mindir"].model)))
    x = images[0]
    got = np.concatenate([cell(ms.Tensor(x[i:i + 1])).asnumpy() for i in range(len(x))])
    assert got.shape == (N_IMAGES, 10)
    assert np.abs(got - reference).max() < 1e-5


@pytest.mark.parametrize("fmt", ["onnx", "mindir"])
def test_metadata_describes_input_output_and_source(exported, shipped_ckpt, fmt):
    from lenet_gui.core._mindspore import import_mindspore

    result = exported[fmt]
    assert result.format == fmt and result.model.suffix == f".{fmt}"
    assert result.metadata == result.model.with_name(f"lenet.{fmt}.json")
    assert result.bytes == result.model.stat().st_size > 100_000
    meta = json.loads(result.metadata.read_text())
    assert meta["format"] == fmt and meta["file"] == result.model.name
    assert meta["input"]["shape"] == [1, 1, 32, 32]
    assert (meta["input"]["dtype"], meta["input"]["layout"]) == ("float32", "NCHW")
    assert meta["input"]["name"] == ("input" if fmt == "onnx" else meta["input"]["name"])
    if fmt == "mindir":
        assert meta["input"]["name"].endswith(":x")
    assert meta["output"]["shape"] == [1, 10] and "softmax" in meta["output"]["meaning"]
    pre = meta["preprocessing"]
    assert (pre["id"], pre["mean"], pre["std"]) == (PREPROCESSING_ID, MEAN, STD)
    steps = " ".join(pre["steps"])
    for words in ("20x20", "aspect", "centre of mass", "28x28", "bilinear", "32x32", "255",
                  "(x - mean) / std"):
        assert words in steps, words
    assert "white" in pre["ink"] and "black" in pre["ink"]
    info = read_info(shipped_ckpt)
    source = meta["checkpoint"]
    assert Path(source["path"]) == shipped_ckpt.absolute()
    assert source["test_accuracy"] == info.test_accuracy
    assert source["test_samples"] == info.test_samples
    assert source["reject_threshold"] == info.reject_threshold  # the shipped one has one
    assert "not a digit" in source["reject_threshold_meaning"]
    assert meta["mindspore_version"] == import_mindspore().__version__
    assert dt.datetime.fromisoformat(meta["created"]).tzinfo is not None


def test_files_are_shareable_and_the_folder_is_left_alone(exported):
    for result in exported.values():
        for path in (result.model, result.metadata):
            assert stat.S_IMODE(path.stat().st_mode) == 0o644
    folder = exported["onnx"].model.parent
    assert sorted(p.name for p in folder.iterdir()) == [
        "lenet.mindir", "lenet.mindir.json", "lenet.onnx", "lenet.onnx.json"]


def test_suffix_added_path_with_spaces_and_reject_threshold(shipped_ckpt, tmp_path,
                                                            stage_root):
    # A fine-tuned checkpoint with a reject threshold, in a folder MindSpore's own
    # exporter would refuse (space, non-ASCII).
    folder = tmp_path / "my models é"
    folder.mkdir()
    ckpt = folder / "mine.ckpt"
    shutil.copyfile(shipped_ckpt, ckpt)
    meta = json.loads(shipped_ckpt.with_suffix(".json").read_text())
    ckpt.with_suffix(".json").write_text(json.dumps({**meta, "reject_threshold": 0.42}))
    mode = stat.S_IMODE(folder.stat().st_mode)
    result = export_model(ckpt, "MINDIR", folder / "mine")
    assert result.model == folder / "mine.mindir" and result.model.is_file()
    assert result.metadata == folder / "mine.mindir.json"
    source = json.loads(result.metadata.read_text())["checkpoint"]
    assert source["reject_threshold"] == 0.42
    assert "not a digit" in source["reject_threshold_meaning"]
    assert stat.S_IMODE(folder.stat().st_mode) == mode
    assert sorted(p.name for p in folder.iterdir()) == [
        "mine.ckpt", "mine.json", "mine.mindir", "mine.mindir.json"]
    assert list(stage_root.iterdir()) == []  # the staging folder is gone


# ------------------------------------------------------------------------ refusals

def _refused(match, *args, error=ExportError):
    with pytest.raises(error, match=match) as info:
        export_model(*args)
    assert "\n" not in str(info.value)
    return info


@pytest.mark.parametrize("fmt, name, match", [
    ("tflite", "m.onnx", "unknown export format 'tflite'"),
    ("onnx", "m.mindir", r"onnx model is written to a \.onnx file"),
    ("mindir", "m.pt", r"mindir model is written to a \.mindir file"),
    (None, "m", "say which format"),
])
def test_bad_format_or_suffix(shipped_ckpt, tmp_path, fmt, name, match):
    _refused(match, shipped_ckpt, fmt, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_not_created(shipped_ckpt, tmp_path):
    _refused("folder does not exist", shipped_ckpt, "onnx", tmp_path / "no" / "m.onnx")
    assert not (tmp_path / "no").exists()


def test_out_is_a_folder(shipped_ckpt, tmp_path):
    (tmp_path / "m.onnx").mkdir()
    _refused("is a folder", shipped_ckpt, "onnx", tmp_path / "m.onnx")
    _refused("is a folder", shipped_ckpt, "onnx", tmp_path)
    (tmp_path / "n.onnx.json").mkdir()
    _refused("n.onnx.json: is a folder", shipped_ckpt, "onnx", tmp_path / "n.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx", "n.onnx.json"]


def test_unwritable_folder(shipped_ckpt, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a 0o500 folder is writable anyway")
        _refused("no permission to write", shipped_ckpt, "onnx", folder / "m.onnx")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_broken_or_missing_checkpoint(tmp_path):
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"\x00garbage" * 100)
    out = tmp_path / "out"
    out.mkdir()
    _refused("not a readable MindSpore checkpoint", bad, "onnx", out / "m.onnx",
             error=CheckpointError)
    _refused("checkpoint not found", tmp_path / "none.ckpt", "onnx", out / "m.onnx",
             error=CheckpointError)
    assert list(out.iterdir()) == []


def test_exporter_failure_is_one_line_and_leaves_nothing(shipped_ckpt, tmp_path, stage_root,
                                                         monkeypatch):
    from lenet_gui.core._mindspore import import_mindspore

    ms = import_mindspore()
    level = ms.get_context("jit_syntax_level")

    def failing(net, *inputs, file_name, **kwargs):
        Path(file_name).write_bytes(b"half a model")
        ms.set_context(jit_syntax_level=ms.STRICT if level != ms.STRICT else ms.LAX)
        raise RuntimeError("Unsupported op Foo in graph\n----\n- C++ Call Stack:\nx.cc:1")

    _fake_exporter(monkeypatch, failing)
    out = tmp_path / "out"
    out.mkdir()
    info = _refused("could not export the model as onnx: Unsupported op Foo in graph$",
                    shipped_ckpt, "onnx", out / "m.onnx")
    assert "C++" not in str(info.value)
    assert list(out.iterdir()) == [] and list(stage_root.iterdir()) == []
    assert ms.get_context("jit_syntax_level") == level  # restored for the app's graphs


def test_exporter_writing_nothing_is_caught(shipped_ckpt, tmp_path, stage_root, monkeypatch):
    # mindspore.onnx.export logs a failed write and returns normally.
    _fake_exporter(monkeypatch, lambda net, *inputs, file_name, **kw: None)
    _refused("wrote no model file", shipped_ckpt, "onnx", tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == [stage_root]
    assert list(stage_root.iterdir()) == []


def test_failed_write_keeps_the_previous_export(shipped_ckpt, tmp_path, stage_root,
                                                monkeypatch):
    _fake_exporter(monkeypatch, lambda net, *inputs, file_name, **kw:
                   Path(file_name).write_bytes(b"new model"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "m.onnx").write_bytes(b"previous model")
    real_replace = os.replace

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_mod.os, "replace", disk_full)
    _refused("cannot write the model .No space left on device.; nothing was written",
             shipped_ckpt, "onnx", out / "m.onnx")
    assert sorted(p.name for p in out.iterdir()) == ["m.onnx"]  # no temporary files
    assert (out / "m.onnx").read_bytes() == b"previous model"
    assert list(stage_root.iterdir()) == []
    monkeypatch.setattr(export_mod.os, "replace", real_replace)
    result = export_model(shipped_ckpt, "onnx", out / "m.onnx")  # overwrites when it can
    assert result.model.read_bytes() == b"new model" and metadata_path_for(result.model).is_file()


# --------------------------------------------------------------------------- the CLI

def _cli(capsys, *args):
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json(capsys, tmp_path, shipped_ckpt):
    code, out, err = _cli(capsys, "export", "--format", "onnx", "--out", str(tmp_path / "m"),
                          "--json")
    assert code == 0, err
    (line,) = out.splitlines()
    result = json.loads(line)
    assert result["model"] == str(tmp_path / "m.onnx")
    assert result["metadata"] == str(tmp_path / "m.onnx.json")
    assert result["format"] == "onnx"
    assert result["bytes"] == (tmp_path / "m.onnx").stat().st_size
    assert Path(result["checkpoint"]) == shipped_ckpt  # the default


def test_cli_text_format_from_suffix(capsys, tmp_path, shipped_ckpt):
    code, out, err = _cli(capsys, "export", "--checkpoint", str(shipped_ckpt),
                          "--out", str(tmp_path / "m.mindir"))
    assert code == 0, err
    assert out.startswith(f"exported mindir model: {tmp_path / 'm.mindir'}")
    assert (tmp_path / "m.mindir.json").is_file()


@pytest.mark.parametrize("args, match", [
    (["--format", "pt", "--out", "{d}/m"], "unknown export format 'pt'"),
    (["--out", "{d}/m.pt"], "say which format"),
    (["--out", "{d}/missing/m.onnx"], "folder does not exist"),
    (["--out", "{d}"], "is a folder"),
    (["--checkpoint", "{d}/none.ckpt", "--out", "{d}/m.onnx"], "checkpoint not found"),
])
def test_cli_errors_are_one_line(capsys, tmp_path, args, match):
    code, out, err = _cli(capsys, "export", *[a.format(d=tmp_path) for a in args])
    assert code == 1 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("lenet-gui: error: ") and match in line
    assert list(tmp_path.iterdir()) == []
