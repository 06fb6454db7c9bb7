"""Which system libraries Qt's X11 (xcb) platform plugin lacks, asked before Qt is.

Without them Qt aborts the process with "Could not load the Qt platform plugin 'xcb'
... even though it was found", naming no library. The pip wheel ships Qt but not the
X11 helper libraries it links against (libxcb-icccm4, libxcb-keysyms1, libxcb-cursor0, ...),
so a fresh desktop install can lack some. This module asks the dynamic linker instead,
and names the package to install. It imports no Qt module and creates no QApplication
(that is exactly what would abort), so it is safe to call first.
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Mapping

# soname -> (Debian/Ubuntu package, Fedora package): what libqxcb.so, libQt6XcbQpa.so.6
# and libQt6Gui.so.6 of PySide6 6.11 link against directly (readelf -d), less glibc and
# libstdc++ (Python and MindSpore need those anyway). Qt 6 no longer uses xcb-xinerama.
DIRECT: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libz.so.1": ("zlib1g", "zlib"),
    "libzstd.so.1": ("libzstd1", "libzstd"),
}

# What those pull in (ldd reports them too).
INDIRECT: dict[str, tuple[str, str]] = {
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libpng16.so.16": ("libpng16-16", "libpng"),
    "libexpat.so.1": ("libexpat1", "expat"),
    "libpcre2-8.so.0": ("libpcre2-8-0", "pcre2"),
    "libbsd.so.0": ("libbsd0", "libbsd"),
}

PACKAGES: dict[str, tuple[str, str]] = {**DIRECT, **INDIRECT}

# Tried one by one when ldd is not there.
FALLBACK_LIBRARIES: tuple[str, ...] = tuple(DIRECT)

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)


def pyside6_dir() -> Path | None:
    """The installed PySide6 package folder, found without importing PySide6."""
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _plugin_files(pyside: Path) -> list[Path]:
    """The xcb plugin and its Qt support library, or [] where the plugin is absent."""
    plugin = pyside / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        return []
    qpa = pyside / "Qt" / "lib" / "libQt6XcbQpa.so.6"
    return [plugin, qpa] if qpa.is_file() else [plugin]


def _missing_by_ldd(files: list[Path]) -> list[str] | None:
    """The "=> not found" sonames ldd reports (all levels deep); None if ldd can't say."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        out = subprocess.run([ldd, *map(str, files)], capture_output=True, text=True,
                             timeout=15, env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    if "=>" not in out.stdout:  # not a glibc ldd, or "not a dynamic executable"
        return None
    return list(dict.fromkeys(_NOT_FOUND.findall(out.stdout)))


def _missing_by_loading(names: Iterable[str]) -> list[str]:
    """The libraries the dynamic linker refuses to load into this process."""
    missing = []
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            missing.append(name)
    return missing


def missing_xcb_libraries(pyside: Path | None = None) -> list[str]:
    """The shared libraries Qt's xcb platform plugin needs and this system lacks.

    [] when nothing is missing, or when there is no xcb plugin to check (PySide6 not
    installed, or a build without it): then Qt reports its own problem.
    """
    if not sys.platform.startswith("linux"):
        return []
    pyside = pyside if pyside is not None else pyside6_dir()
    files = _plugin_files(pyside) if pyside is not None else []
    if not files:
        return []
    found = _missing_by_ldd(files)
    return found if found is not None else _missing_by_loading(FALLBACK_LIBRARIES)


def xcb_platform_expected(environ: Mapping[str, str] | None = None,
                          platform: str | None = None) -> bool:
    """Whether Qt will pick the xcb plugin: Linux, an X display, and no other platform
    asked for. A Wayland session (WAYLAND_DISPLAY set, QT_QPA_PLATFORM unset) counts as
    not xcb: Qt 6 prefers its Wayland plugin there, and a false alarm would block a
    window that works."""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux") or not env.get("DISPLAY"):
        return False
    requested = env.get("QT_QPA_PLATFORM", "")
    if requested:
        return requested.split(";")[0].split(":")[0].strip() == "xcb"
    return not env.get("WAYLAND_DISPLAY")


def distro_family(os_release: Path = Path("/etc/os-release")) -> str:
    """"debian", "fedora" or "unknown", from os-release's ID and ID_LIKE."""
    try:
        text = os_release.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "unknown"
    ids: list[str] = []
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("ID", "ID_LIKE"):
            ids += value.strip().strip("\"'").lower().split()
    if any(i in ("debian", "ubuntu") for i in ids):
        return "debian"
    if any(i in ("fedora", "rhel", "centos") for i in ids):
        return "fedora"
    return "unknown"


def _packages(missing: Iterable[str], column: int) -> tuple[list[str], list[str]]:
    """(packages to install, sonames no package is known for), in order, no repeats."""
    packages: dict[str, None] = {}
    unknown = []
    for name in missing:
        if name in PACKAGES:
            packages[PACKAGES[name][column]] = None
        else:
            unknown.append(name)
    return list(packages), unknown


def _pyside_pin() -> str:
    """The PySide6 wheel to reinstall, at the installed version (6.12 is excluded)."""
    try:
        return f"PySide6-Essentials=={importlib.metadata.version('PySide6-Essentials')}"
    except importlib.metadata.PackageNotFoundError:
        return "'PySide6-Essentials<6.12'"


def install_hint(missing: Iterable[str], family: str | None = None) -> str:
    """The one command line that installs the missing libraries on this distribution
    (both the Debian/Ubuntu and the Fedora one where the distribution is unknown)."""
    missing = list(missing)
    family = family or distro_family()
    sudo = "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "
    apt, unknown = _packages(missing, 0)
    dnf, _ = _packages(missing, 1)
    apt_line = f"{sudo}apt-get install {' '.join(apt)}" if apt else ""
    dnf_line = f"{sudo}dnf install {' '.join(dnf)}" if dnf else ""
    if family == "debian":
        hint = apt_line
    elif family == "fedora":
        hint = dnf_line
    else:
        hint = f"{apt_line} (Debian/Ubuntu) or {dnf_line} (Fedora)" if apt else ""
    # Qt's own libraries come with the wheel: missing, the PySide6 install is broken.
    bundled = [n for n in unknown if n.startswith(("libQt6", "libicu"))]
    others = [n for n in unknown if n not in bundled]
    if bundled:
        hint += ("; and " if hint else "") + \
            f"{sys.executable or 'python3'} -m pip install --force-reinstall {_pyside_pin()}"
    if others:
        hint += ("; and " if hint else "") + \
            f"the package that provides {', '.join(others)}"
    return hint


def missing_libraries_message(missing: list[str]) -> str:
    """The one line the user sees instead of Qt's abort."""
    return (f"the window needs system libraries that are missing ({', '.join(missing)}); "
            f"install them with: {install_hint(missing)}")
