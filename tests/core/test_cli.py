"""The command line: each command, its JSON, and one-line errors with non-zero exits."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from lenet_gui.cli.main import main
from lenet_gui.core.data import load_split
from lenet_gui.core.strokes import load_drawings, render_strokes

from ..conftest import DRAWN


def run(capsys, *args) -> tuple[int, str, str]:
    """main(args) -> (exit code, stdout, stderr); argparse's own exits included."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def digit_pngs(tmp_path_factory, subset_dir):
    """MNIST test digits as ordinary pictures: dark ink on white, enlarged, off-centre."""
    folder = tmp_path_factory.mktemp("pngs")
    test = load_split(subset_dir, "test")
    paths, labels = [], []
    for i in range(10):
        img = 255 - test.images[i]
        big = Image.fromarray(img).resize((200, 200), Image.Resampling.BICUBIC)
        canvas = Image.new("L", (400, 300), 255)
        canvas.paste(big, (150, 60))
        path = folder / f"digit{i}.png"
        canvas.convert("RGB").save(path)
        paths.append(path)
        labels.append(int(test.labels[i]))
    return paths, labels


def test_predict_json(capsys, digit_pngs):
    paths, labels = digit_pngs
    code, out, err = run(capsys, "predict", "--json", *map(str, paths))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 10
    assert sum(r["digit"] == y for r, y in zip(rows, labels)) >= 9
    for r in rows:
        assert len(r["probabilities"]) == 10 and abs(sum(r["probabilities"]) - 1) < 1e-4


def test_predict_light_on_dark_and_text(capsys, tmp_path):
    drawing = load_drawings(DRAWN)[0]
    ink = render_strokes(drawing.strokes)
    Image.fromarray((ink * 255).astype(np.uint8)).save(tmp_path / "white_on_black.png")
    code, out, _ = run(capsys, "predict", str(tmp_path / "white_on_black.png"))
    assert code == 0 and out.startswith(f"{tmp_path / 'white_on_black.png'}: "
                                        f"{drawing.label} (")


def test_predict_errors_are_one_line(capsys, tmp_path, digit_pngs):
    (tmp_path / "text.png").write_text("not an image")
    Image.new("L", (50, 50), 255).save(tmp_path / "blank.png")
    code, out, err = run(capsys, "predict", str(tmp_path / "text.png"), str(tmp_path / "no.png"),
                         str(tmp_path / "blank.png"), str(digit_pngs[0][0]))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("lenet-gui: error: ") for line in lines)
    assert "not an image file" in lines[0] and "file not found" in lines[1]
    assert "blank" in lines[2]
    assert out.count("\n") == 1  # the good image still got its answer
    assert "Traceback" not in err


def test_eval_json_on_subset(capsys, subset_dir):
    code, out, err = run(capsys, "eval", "--data-dir", str(subset_dir), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["accuracy"] > 0.97 and result["samples"] == 500
    assert len(result["per_class"]) == 10
    assert np.array(result["confusion"]).sum() == 500


def test_eval_text_and_strokes(capsys):
    code, out, _ = run(capsys, "eval", "--strokes", str(DRAWN), "--limit", "40")
    assert code == 0
    assert "accuracy" in out and "confusion (rows: true digit" in out
    assert "misclassified with probability > 0.9:" in out


def test_train_then_eval_that_checkpoint(capsys, subset_dir, tmp_path):
    ckpt = tmp_path / "mine.ckpt"
    code, out, err = run(capsys, "train", "--data_url", str(subset_dir), "--epochs", "1",
                         "--limit", "320", "--device_target", "CPU", "--lr", "0.05",
                         "--out", str(ckpt), "--quiet")
    assert code == 0, err
    assert "epoch 1: mean loss" in out and f"checkpoint: {ckpt}" in out
    code, out, _ = run(capsys, "eval", "--checkpoint", str(ckpt), "--data-dir",
                       str(subset_dir), "--json")
    assert code == 0 and json.loads(out)["checkpoint"] == str(ckpt)


@pytest.mark.parametrize("args, message", [
    (["train", "--lr", "-1"], "learning rate must be in"),
    (["train", "--lr", "nan"], "must be a finite number"),
    (["train", "--epochs", "0"], "must be at least 1"),
    (["train", "--batch-size", "abc"], "not a whole number"),
    (["train", "--device", "TPU"], "choose one of CPU, GPU, Ascend"),
    (["train", "--limit", "10"], "smaller than one batch"),
])
def test_bad_hyperparameters(capsys, args, message, subset_dir):
    code, out, err = run(capsys, *args, "--data-dir", str(subset_dir))
    assert code in (1, 2)  # 2: argparse's usage error; 1: rejected by validation
    assert message in err and "Traceback" not in err and "epoch" not in out


def test_missing_data_and_bad_checkpoint(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--data-dir", str(tmp_path / "none"))
    assert code == 1 and "MNIST folder not found" in err
    (tmp_path / "bad.ckpt").write_bytes(b"\0" * 100)
    code, _, err = run(capsys, "eval", "--checkpoint", str(tmp_path / "bad.ckpt"))
    assert code == 1 and err.startswith("lenet-gui: error: ") and err.count("\n") == 1


def test_unavailable_device(capsys, subset_dir):
    from lenet_gui.core.devices import probe_devices

    gpu = {d.name: d for d in probe_devices()}["GPU"]
    if gpu.available:
        pytest.skip("this machine has a usable GPU")
    code, _, err = run(capsys, "train", "--device", "GPU", "--data-dir", str(subset_dir),
                       "--limit", "64", "--epochs", "1", "--quiet")
    assert code == 1 and "GPU is not available: " in err and err.count("\n") == 1


def test_devices_json(capsys):
    code, out, _ = run(capsys, "devices", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["device"] for r in rows] == ["CPU", "GPU", "Ascend"]
    assert rows[0]["available"] is True


def test_download_from_local_mirror(capsys, tmp_path, subset_dir):
    """The real files' checksums reject the subset: a clear error, nothing kept."""
    from ..httpserver import LocalServer

    www = tmp_path / "www"
    www.mkdir()
    for f in subset_dir.rglob("*.gz"):
        (www / f.name).write_bytes(f.read_bytes())
    with LocalServer(www) as srv:
        code, _, err = run(capsys, "download", "--data-dir", str(tmp_path / "d"),
                           "--mirror", srv.url, "--quiet")
    assert code == 1 and "checksum mismatch" in err
    assert not list((tmp_path / "d").rglob("*.gz"))


def test_python_dash_m_and_version():
    out = subprocess.run([sys.executable, "-m", "lenet_gui", "--version"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("lenet-gui ")
    out = subprocess.run([sys.executable, "-m", "lenet_gui", "devices"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stderr == ""  # no MindSpore log noise


def test_no_display_is_one_line(capsys, monkeypatch):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    code, _, err = run(capsys)
    assert code == 1 and "no display to open the window on" in err and err.count("\n") == 1
