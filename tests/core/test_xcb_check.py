"""Issue 12: missing X11 libraries are named in one line, with the command that installs
them, instead of Qt's "Could not load the Qt platform plugin 'xcb'" abort.

No test here creates a QApplication or a widget: ``run_app`` is replaced wherever a
command could reach it, so a check that fails to fire fails the test, not the process.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lenet_gui.cli.main import main
from lenet_gui.ui import xcb_check
from lenet_gui.ui.xcb_check import (FALLBACK_LIBRARIES, PACKAGES, distro_family,
                                    install_hint, missing_xcb_libraries, xcb_platform_expected)

# What ldd printed on a Debian 12 without libxcb-icccm4 and libxcb-keysyms1 (shortened).
LDD_TWO_MISSING = """\
/x/PySide6/Qt/plugins/platforms/libqxcb.so:
\tlinux-vdso.so.1 (0x00007ffd1b7f5000)
\tlibQt6XcbQpa.so.6 => /x/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x1)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007fa1afc19000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007fa1afc11000)
\tlibxcb-keysyms.so.1 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fa1ade1e000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007fa1afdd3000)
/x/PySide6/Qt/lib/libQt6XcbQpa.so.6:
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
"""
TWO = ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def fake_pyside(root: Path, plugin: bool = True) -> Path:
    """A PySide6 folder with (empty) xcb plugin files, or without the plugin."""
    (root / "Qt" / "lib").mkdir(parents=True)
    (root / "Qt" / "lib" / "libQt6XcbQpa.so.6").write_bytes(b"")
    if plugin:
        (root / "Qt" / "plugins" / "platforms").mkdir(parents=True)
        (root / "Qt" / "plugins" / "platforms" / "libqxcb.so").write_bytes(b"")
    return root


def fake_ldd(monkeypatch, stdout: str, returncode: int = 0) -> list[list[str]]:
    """ldd "exists" and prints ``stdout``; returns the list of command lines it ran."""
    calls: list[list[str]] = []

    def run(cmd, **kwargs):
        calls.append(list(cmd))
        return subprocess.CompletedProcess(cmd, returncode, stdout, "")

    monkeypatch.setattr(xcb_check.shutil, "which", lambda name: "/usr/bin/ldd")
    monkeypatch.setattr(xcb_check.subprocess, "run", run)
    return calls


@pytest.fixture
def no_window(monkeypatch) -> list[tuple]:
    """run_app replaced: a command that got past the check records a call, opens nothing."""
    import lenet_gui.ui.app as app_module

    calls: list[tuple] = []
    monkeypatch.setattr(app_module, "run_app", lambda *a, **k: calls.append((a, k)) or 0)
    return calls


@pytest.fixture
def x11_session(monkeypatch) -> None:
    """Linux with an X display, no platform asked for, a Debian-like system, no root."""
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":12345")  # no such display: nothing could open there
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(xcb_check, "distro_family", lambda *a: "debian")
    monkeypatch.setattr(xcb_check.os, "geteuid", lambda: 1000, raising=False)


# ------------------------------------------------------------------ the real system

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux only")
def test_real_system_answers_fast_and_agrees_with_the_loader():
    start = time.perf_counter()
    missing = missing_xcb_libraries()
    elapsed = time.perf_counter() - start
    assert isinstance(missing, list) and all(isinstance(n, str) for n in missing)
    assert elapsed < 3.0, f"the check runs before every window start: {elapsed:.2f} s"
    for name in missing:  # whatever it names, the dynamic linker really cannot load
        with pytest.raises(OSError):
            ctypes.CDLL(name)
    if shutil.which("ldd"):  # the fallback finds the same among the libraries it knows
        assert set(xcb_check._missing_by_loading(FALLBACK_LIBRARIES)) == \
            set(missing) & set(FALLBACK_LIBRARIES)


@pytest.mark.skipif(shutil.which("ldd") is None, reason="needs ldd")
def test_real_ldd_output_is_parsed(tmp_path):
    """The real plugin copied without Qt's libraries: real ldd names those as not found."""
    pyside = xcb_check.pyside6_dir()
    plugin = pyside / "Qt" / "plugins" / "platforms" / "libqxcb.so" if pyside else None
    if plugin is None or not plugin.is_file():
        pytest.skip("this PySide6 has no xcb plugin")
    platforms = tmp_path / "Qt" / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    shutil.copy2(plugin, platforms / "libqxcb.so")
    missing = missing_xcb_libraries(tmp_path)
    assert {"libQt6XcbQpa.so.6", "libQt6Gui.so.6", "libQt6Core.so.6"} <= set(missing)
    assert "--force-reinstall PySide6-Essentials" in install_hint(missing, "debian")


def test_the_check_imports_no_qt():
    """Safe to call before anything else: Qt's modules stay unloaded."""
    code = ("import sys, lenet_gui.ui.xcb_check as x\nx.missing_xcb_libraries()\n"
            "x.install_hint(['libxcb-icccm.so.4'])\n"
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ ldd, faked

def test_two_missing_in_ldd_output_give_those_names_and_the_apt_command(tmp_path,
                                                                        monkeypatch):
    calls = fake_ldd(monkeypatch, LDD_TWO_MISSING)
    monkeypatch.setattr(xcb_check.os, "geteuid", lambda: 1000, raising=False)
    missing = missing_xcb_libraries(fake_pyside(tmp_path))
    assert missing == TWO  # once each, in ldd's order
    assert calls == [["/usr/bin/ldd",
                      str(tmp_path / "Qt" / "plugins" / "platforms" / "libqxcb.so"),
                      str(tmp_path / "Qt" / "lib" / "libQt6XcbQpa.so.6")]]
    assert install_hint(missing, "debian") == \
        "sudo apt-get install libxcb-icccm4 libxcb-keysyms1"
    assert install_hint(missing, "fedora") == "sudo dnf install xcb-util-wm xcb-util-keysyms"


def test_nothing_missing_is_an_empty_list(tmp_path, monkeypatch):
    fake_ldd(monkeypatch, LDD_TWO_MISSING.replace("not found", "/lib/x.so (0x1)"))
    assert missing_xcb_libraries(fake_pyside(tmp_path)) == []


def test_no_plugin_means_nothing_to_check(tmp_path, monkeypatch):
    calls = fake_ldd(monkeypatch, LDD_TWO_MISSING)
    assert missing_xcb_libraries(fake_pyside(tmp_path, plugin=False)) == []
    assert missing_xcb_libraries(tmp_path / "nowhere") == []
    assert calls == []


def test_no_pyside6_means_nothing_to_check(monkeypatch):
    calls = fake_ldd(monkeypatch, LDD_TWO_MISSING)
    monkeypatch.setattr(xcb_check.importlib.util, "find_spec", lambda name: None)
    assert xcb_check.pyside6_dir() is None
    assert missing_xcb_libraries() == [] and calls == []


@pytest.mark.parametrize("ldd", ["absent", "not dynamic", "fails"])
def test_without_a_usable_ldd_the_known_libraries_are_loaded(tmp_path, monkeypatch, ldd):
    if ldd == "absent":
        monkeypatch.setattr(xcb_check.shutil, "which", lambda name: None)
    elif ldd == "not dynamic":
        fake_ldd(monkeypatch, "\tnot a dynamic executable\n", returncode=1)
    else:
        def run(cmd, **kwargs):
            raise subprocess.TimeoutExpired(cmd, 15)

        monkeypatch.setattr(xcb_check.shutil, "which", lambda name: "/usr/bin/ldd")
        monkeypatch.setattr(xcb_check.subprocess, "run", run)
    tried: list[str] = []

    def cdll(name):
        tried.append(name)
        if name in TWO:
            raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(xcb_check.ctypes, "CDLL", cdll)
    assert missing_xcb_libraries(fake_pyside(tmp_path)) == TWO
    assert tried == list(FALLBACK_LIBRARIES)


def test_the_fallback_list_is_what_qt_links_against():
    """Every library the task's list named, less xinerama (Qt 6 dropped it), is tried."""
    named = {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1",
             "libxcb-image.so.0", "libxcb-render-util.so.0", "libxcb-xkb.so.1",
             "libxkbcommon-x11.so.0", "libxcb-randr.so.0", "libxcb-shape.so.0",
             "libxcb-xfixes.so.0", "libxcb-sync.so.1", "libxcb-util.so.1", "libX11-xcb.so.1",
             "libEGL.so.1", "libfontconfig.so.1", "libdbus-1.so.3", "libGL.so.1"}
    assert named <= set(FALLBACK_LIBRARIES)
    assert "libxcb-xinerama.so.0" not in PACKAGES
    assert all(len(PACKAGES[n]) == 2 and all(PACKAGES[n]) for n in PACKAGES)


# ------------------------------------------------------------------ the hint

def test_hint_names_each_package_once_and_says_what_it_cannot_map(monkeypatch):
    monkeypatch.setattr(xcb_check.os, "geteuid", lambda: 1000, raising=False)
    hint = install_hint(["libglib-2.0.so.0", "libgthread-2.0.so.0", "libxcb-shm.so.0",
                         "libfoo.so.3"], "debian")
    assert hint == ("sudo apt-get install libglib2.0-0 libxcb-shm0; "
                    "and the package that provides libfoo.so.3")
    assert install_hint(["libxcb-shm.so.0", "libxcb-xkb.so.1"], "fedora") == \
        "sudo dnf install libxcb"


def test_hint_for_an_unknown_distribution_gives_both(monkeypatch):
    monkeypatch.setattr(xcb_check.os, "geteuid", lambda: 1000, raising=False)
    assert install_hint(TWO, "unknown") == (
        "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 (Debian/Ubuntu) or "
        "sudo dnf install xcb-util-wm xcb-util-keysyms (Fedora)")


def test_root_gets_no_sudo(monkeypatch):
    monkeypatch.setattr(xcb_check.os, "geteuid", lambda: 0, raising=False)
    assert install_hint(TWO, "debian") == "apt-get install libxcb-icccm4 libxcb-keysyms1"


@pytest.mark.parametrize("text, family", [
    ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n', "debian"),
    ("ID=ubuntu\nID_LIKE=debian\n", "debian"),
    ('ID=linuxmint\nID_LIKE="ubuntu debian"\n', "debian"),
    ("ID=fedora\nVERSION_ID=40\n", "fedora"),
    ('ID="rocky"\nID_LIKE="rhel centos fedora"\n', "fedora"),
    ("ID=arch\n", "unknown"),
    ("", "unknown"),
])
def test_distro_family(tmp_path, text, family):
    path = tmp_path / "os-release"
    path.write_text(text)
    assert distro_family(path) == family


def test_distro_family_without_os_release(tmp_path):
    assert distro_family(tmp_path / "missing") == "unknown"


# ------------------------------------------------------------------ when it applies

@pytest.mark.parametrize("env, expected", [
    ({"DISPLAY": ":0"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nomitshm"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, False),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, False),  # Qt 6 picks Wayland
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({}, False),
    ({"QT_QPA_PLATFORM": "xcb"}, False),
])
def test_xcb_platform_expected(env, expected):
    assert xcb_platform_expected(env, "linux") is expected
    assert xcb_platform_expected(env, "darwin") is False


# ------------------------------------------------------------------ the commands

def test_gui_with_missing_libraries_is_one_line_with_the_command(capsys, monkeypatch,
                                                                 x11_session, no_window):
    monkeypatch.setattr(xcb_check, "missing_xcb_libraries", lambda *a: list(TWO))
    code = main(["gui"])
    out, err = capsys.readouterr()
    assert code == 1 and no_window == [] and out == ""
    assert err.count("\n") == 1 and err.startswith("lenet-gui: error: ")
    assert "apt-get install" in err
    assert ("(libxcb-icccm.so.4, libxcb-keysyms.so.1); install them with: "
            "sudo apt-get install libxcb-icccm4 libxcb-keysyms1\n") in err


def test_gui_with_nothing_missing_opens_the_window(capsys, monkeypatch, x11_session,
                                                   no_window):
    monkeypatch.setattr(xcb_check, "missing_xcb_libraries", lambda *a: [])
    assert main(["gui"]) == 0 and len(no_window) == 1


def test_gui_on_another_platform_skips_the_check(capsys, monkeypatch, x11_session,
                                                 no_window):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(xcb_check, "missing_xcb_libraries", lambda *a: list(TWO))
    assert main([]) == 0 and len(no_window) == 1


def test_window_script_with_missing_libraries_is_one_line(capsys, monkeypatch,
                                                          x11_session, no_window):
    import lenet_gui.ui.app as app_module

    monkeypatch.setattr(xcb_check, "missing_xcb_libraries", lambda *a: list(TWO))
    assert app_module.main() == 1 and no_window == []
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in err
