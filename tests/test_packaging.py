"""Packaging: icons, the desktop entry and its installer, the self-test, the frozen app, the wheel.

The frozen build (``-m frozen``) and the wheel build (``-m slow``) take minutes and are
skipped by default.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lenet_gui.integration import desktop
from lenet_gui.core.config import resource_path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


# ------------------------------------------------------------------ icons, desktop file

def test_icons_are_shipped_at_every_size():
    from PIL import Image

    assert resource_path("icons/lenet-gui.svg").is_file()
    for size in SIZES:
        path = resource_path(f"icons/{size}x{size}/lenet-gui.png")
        with Image.open(path) as image:
            assert image.size == (size, size), path
            assert image.mode == "RGBA", path
            # A rounded tile: transparent corners, opaque middle.
            assert image.getpixel((0, 0))[3] == 0
            assert image.getpixel((size // 2, size // 2))[3] == 255


def test_app_icon_loads_every_size(qapp):
    from lenet_gui.ui.main_window import app_icon

    icon = app_icon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= set(SIZES)


def _validate(path: Path) -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (desktop-file-utils)")
    proc = subprocess.run([tool, str(path)], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_desktop_file_validates():
    _validate(resource_path("lenet-gui.desktop"))


def test_install_and_uninstall_desktop(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    lines = desktop.install_desktop()
    entry = tmp_path / "applications" / "lenet-gui.desktop"
    icons = [tmp_path / "icons" / "hicolor" / f"{s}x{s}" / "apps" / "lenet-gui.png"
             for s in SIZES]
    svg = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "lenet-gui.svg"
    for path in [entry, *icons, svg]:
        assert path.is_file(), path
        assert any(str(path) in line for line in lines), path
    assert icons[0].read_bytes() == resource_path("icons/16x16/lenet-gui.png").read_bytes()
    _validate(entry)
    text = entry.read_text()
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    command = desktop.launch_command()
    assert exec_line == "Exec=" + " ".join(desktop._quote_exec_arg(a) for a in command)
    program = next(a for a in command if os.path.isabs(a))
    assert os.access(program, os.X_OK)
    assert f"TryExec={program}" in text.splitlines()
    assert "Icon=lenet-gui" in text.splitlines()

    lines = desktop.uninstall_desktop()
    for path in [entry, *icons, svg]:
        assert not path.exists(), path
        assert any(f"removed {path}" == line for line in lines), path
    assert desktop.uninstall_desktop() == [
        f"nothing to remove: lenet-gui is not installed under {tmp_path}"]


def test_install_desktop_without_cache_tools(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    lines = desktop.install_desktop(tmp_path / "data")
    assert "skipped update-desktop-database (not installed)" in lines
    assert (tmp_path / "data" / "applications" / "lenet-gui.desktop").is_file()
    assert any(line.startswith("removed ")
               for line in desktop.uninstall_desktop(tmp_path / "data"))


def test_install_desktop_refreshes_an_existing_icon_cache(tmp_path, monkeypatch):
    if shutil.which("gtk-update-icon-cache") is None:
        pytest.skip("gtk-update-icon-cache is not installed")
    hicolor = tmp_path / "icons" / "hicolor"
    hicolor.mkdir(parents=True)
    (hicolor / "icon-theme.cache").write_bytes(b"")
    lines = desktop.install_desktop(tmp_path)
    assert any(line.startswith("ran gtk-update-icon-cache") for line in lines), lines
    desktop.uninstall_desktop(tmp_path)


@pytest.mark.parametrize("arg, quoted", [
    ("/usr/bin/lenet-gui", "/usr/bin/lenet-gui"),
    ("/opt/my apps/lenet-gui", '"/opt/my apps/lenet-gui"'),
    ('/a"b$c`d\\e', '"/a\\\\"b\\\\$c\\\\`d\\\\\\\\e"'),
    ("/100%/lenet-gui", "/100%%/lenet-gui"),
])
def test_exec_arguments_are_quoted_per_the_spec(arg, quoted):
    assert desktop._quote_exec_arg(arg) == quoted


def test_launch_command_starts_lenet_gui_from_anywhere(tmp_path):
    """What the menu runs works from the home folder, with a desktop's bare environment."""
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(desktop.launch_command() + ["--version"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("lenet-gui ")


def test_launch_command_in_a_frozen_app(monkeypatch, tmp_path):
    exe = tmp_path / "lenet-gui"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert desktop.launch_command() == [str(exe)]


# ------------------------------------------------------------------------ self-test

def test_samples_cover_every_digit():
    from lenet_gui.integration.selftest import sample_digits

    assert sorted(label for label, _ in sample_digits()) == list(range(10))


def test_self_test_passes(qapp, shipped_ckpt, monkeypatch):
    from lenet_gui.integration.selftest import run_self_test

    monkeypatch.delenv("LENET_GUI_CHECKPOINT", raising=False)
    lines: list[str] = []
    rc = run_self_test(out=lines.append)
    text = "\n".join(lines)
    assert rc == 0, text
    checks = [line for line in lines if line.split(" ", 1)[0] in ("PASS", "FAIL", "SKIP")]
    assert len(checks) == 6 and all(line.startswith("PASS ") for line in checks), text
    assert lines[-1].startswith("OK: all 6 checks passed"), text


def test_self_test_fails_without_a_checkpoint(tmp_path, monkeypatch, capsys):
    from lenet_gui.cli.main import main

    monkeypatch.setenv("LENET_GUI_CHECKPOINT", str(tmp_path / "missing.ckpt"))
    assert main(["--self-test"]) == 1
    out = capsys.readouterr().out
    assert "FAIL package data: missing checkpoint" in out
    assert "SKIP checkpoint loads" in out and "SKIP window" in out
    assert out.rstrip().splitlines()[-1].startswith("FAILED:")


def test_self_test_checkpoint_argument(tmp_path):
    from lenet_gui.integration.selftest import run_self_test

    lines: list[str] = []
    assert run_self_test(out=lines.append, checkpoint=tmp_path / "other.ckpt") == 1
    assert any(str(tmp_path / "other.ckpt") in line for line in lines if line.startswith("FAIL"))


def test_frozen_entry_point_environment(monkeypatch):
    spec = importlib.util.spec_from_file_location("lenet_gui_entry",
                                                  ROOT / "packaging" / "entry.py")
    entry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(entry)
    monkeypatch.setenv("MS_JIT_MODULES", "mine")
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        monkeypatch.delenv(var, raising=False)
    entry._frozen_environment()
    assert os.environ["MS_JIT_MODULES"] == "mine,lenet_gui"
    assert os.environ["LC_CTYPE"] == "C.UTF-8"
    entry._frozen_environment()
    assert os.environ["MS_JIT_MODULES"] == "mine,lenet_gui"


# ---------------------------------------------------------------- frozen app, wheel

@pytest.mark.frozen
def test_frozen_app_builds_and_passes_its_self_test(tmp_path, shipped_ckpt):
    pytest.importorskip("PyInstaller")
    proc = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"),
                           "--dist", str(tmp_path / "dist"), "--test"],
                          capture_output=True, text=True, timeout=1800, cwd=ROOT)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    assert "(frozen app)" in out and "OK: all 6 checks passed" in out, out[-5000:]
    internal = tmp_path / "dist" / "lenet-gui" / "_internal"
    assert (internal / "lenet_gui" / "_data" / "checkpoints" / "lenet5_mnist.ckpt").is_file()
    # Lean: no GPU/Ascend plugins, no unused Qt modules.
    plugin = internal / "mindspore" / "lib" / "plugin"
    assert sorted(p.name for p in plugin.iterdir()) == ["libmindspore_ops_cpu.so"]
    qt_libs = {p.name.split(".so")[0] for p in (internal / "PySide6" / "Qt" / "lib").iterdir()}
    for unused in ("libQt6WebEngineCore", "libQt6Quick", "libQt6Qml", "libQt63DCore",
                   "libQt6Network", "libQt6Pdf", "libQt6Multimedia"):
        assert unused not in qt_libs
    assert not (internal / "tkinter").exists() and not (internal / "torch").exists()


@pytest.mark.slow
def test_wheel_contains_package_data(tmp_path, shipped_ckpt):
    pytest.importorskip("build")
    cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)]
    if importlib.util.find_spec("hatchling") is not None:
        cmd.insert(4, "--no-isolation")  # no download needed
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    (wheel,) = tmp_path.glob("lenet_gui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = "lenet_gui/_data/"
    expected = {data + "checkpoints/lenet5_mnist.ckpt", data + "resources/icons/lenet-gui.svg",
                data + "resources/lenet-gui.desktop", "lenet_gui/integration/selftest.py",
                "lenet_gui/integration/desktop.py"}
    expected |= {f"{data}resources/icons/{s}x{s}/lenet-gui.png" for s in SIZES}
    expected |= {f"{data}resources/samples/digit-{d}.png" for d in range(10)}
    assert expected <= names, sorted(expected - names)
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read(data + "checkpoints/lenet5_mnist.ckpt") == shipped_ckpt.read_bytes()
