"""Add lenet-gui to (or remove it from) the desktop's application menu, for this user.

``lenet-gui --install-desktop`` writes, under ``$XDG_DATA_HOME`` (``~/.local/share``):

- ``applications/lenet-gui.desktop``, its ``Exec`` pointing at this installation
  (the frozen app's binary, the ``lenet-gui`` script of this environment, or
  ``python -m lenet_gui`` with this interpreter);
- ``icons/hicolor/NxN/apps/lenet-gui.png`` for every shipped size and
  ``icons/hicolor/scalable/apps/lenet-gui.svg``.

Then it refreshes the desktop's caches with ``update-desktop-database`` and
``gtk-update-icon-cache`` where those tools exist; their absence or failure is
reported, never fatal. Plain Python: no Qt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..core.config import APP_NAME, resource_path

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DESKTOP_FILE = f"{APP_NAME}.desktop"
# Characters that make the desktop entry spec require a quoted Exec argument.
_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when unset or not absolute (as the spec says)."""
    env = os.environ.get("XDG_DATA_HOME", "")
    return Path(env) if env and os.path.isabs(env) else Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """The command that starts this installation of lenet-gui, as an argument list."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.executable).parent / APP_NAME
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which(APP_NAME)
    if found:
        return [str(Path(found).absolute())]
    command = [str(Path(sys.executable)), "-m", "lenet_gui"]
    package_parent = Path(__file__).resolve().parents[2]
    if not _installed(package_parent):
        # A source checkout run without installing: the menu starts it from the home
        # folder, where ``lenet_gui`` is not importable unless its folder is on the path.
        command = ["env", f"PYTHONPATH={package_parent}", *command]
    return command


def _installed(folder: Path) -> bool:
    """Whether ``folder`` is one of this interpreter's site-packages folders."""
    import site
    import sysconfig

    dirs = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    try:
        dirs.update(site.getsitepackages())
        dirs.add(site.getusersitepackages())
    except AttributeError:  # some embedded/virtualenv builds lack these
        pass
    return any(Path(d).resolve() == folder for d in dirs if d)


def _quote_exec_arg(arg: str) -> str:
    """One argument of an ``Exec`` key, quoted and escaped per the desktop entry spec."""
    arg = arg.replace("%", "%%")
    if any(c in _RESERVED for c in arg):
        inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        arg = f'"{inner}"'
    # The value is itself a desktop-file string: its backslashes are escaped once more.
    return arg.replace("\\", "\\\\")


def desktop_entry(command: list[str] | None = None) -> str:
    """The shipped ``lenet-gui.desktop`` with Exec/TryExec pointing at ``command``."""
    command = command or launch_command()
    template = resource_path(DESKTOP_FILE).read_text(encoding="utf-8")
    exec_value = " ".join(_quote_exec_arg(a) for a in command)
    lines = []
    for line in template.splitlines():
        key = line.split("=", 1)[0].strip()
        if key == "Exec":
            line = f"Exec={exec_value}"
        elif key == "TryExec":
            # TryExec takes a path, not a command line: no quoting, spec escapes only.
            program = next((a for a in command if os.path.isabs(a)), command[0])
            line = "TryExec=" + program.replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


def _targets(base: Path) -> list[tuple[Path, Path | None]]:
    """(installed path, shipped source) for every icon; the source is None if missing."""
    pairs = []
    for size in ICON_SIZES:
        src = resource_path(f"icons/{size}x{size}/{APP_NAME}.png")
        dst = base / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_NAME}.png"
        pairs.append((dst, src if src.is_file() else None))
    svg = resource_path(f"icons/{APP_NAME}.svg")
    pairs.append((base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_NAME}.svg",
                  svg if svg.is_file() else None))
    return pairs


def _run_tool(args: list[str]) -> str:
    """Run a cache tool if it is installed; one line saying what happened."""
    tool = shutil.which(args[0])
    if tool is None:
        return f"skipped {args[0]} (not installed)"
    try:
        proc = subprocess.run([tool, *args[1:]], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"warning: {args[0]} failed: {exc}"
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        return (f"warning: {args[0]} exited with {proc.returncode}"
                + (f": {detail[0]}" if detail else ""))
    return f"ran {' '.join(args)}"


def _refresh_caches(base: Path) -> list[str]:
    lines = [_run_tool(["update-desktop-database", "-q", str(base / "applications")])]
    hicolor = base / "icons" / "hicolor"
    if (hicolor / "icon-theme.cache").is_file():
        lines.append(_run_tool(["gtk-update-icon-cache", "-q", "-f", "-t", str(hicolor)]))
    elif hicolor.is_dir():
        # No cache there: icon themes scan the folders themselves. Creating one would
        # hide icons that other programs later install without refreshing it, so
        # only bump the theme folder's time, which tells loaders to look again.
        os.utime(hicolor)
        lines.append(f"touched {hicolor} (no icon cache there to update)")
    return lines


def install_desktop(base: Path | None = None) -> list[str]:
    """Install the menu entry and icons for this user; one line per action."""
    base = Path(base) if base is not None else data_home()
    lines = []
    entry = base / "applications" / DESKTOP_FILE
    entry.parent.mkdir(parents=True, exist_ok=True)
    text = desktop_entry()
    tmp = entry.with_name(f".{entry.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o644)
    os.replace(tmp, entry)
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    lines.append(f"installed {entry} ({exec_line})")
    for dst, src in _targets(base):
        if src is None:
            lines.append(f"skipped {dst.name} for {dst.parent.parent.name}: not shipped")
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        dst.chmod(0o644)
        lines.append(f"installed {dst}")
    lines.extend(_refresh_caches(base))
    return lines


def uninstall_desktop(base: Path | None = None) -> list[str]:
    """Remove what ``install_desktop`` wrote; one line per action."""
    base = Path(base) if base is not None else data_home()
    lines = []
    for path in [base / "applications" / DESKTOP_FILE] + [dst for dst, _ in _targets(base)]:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        lines.append(f"removed {path}")
    if not lines:
        lines.append(f"nothing to remove: lenet-gui is not installed under {base}")
        return lines
    lines.extend(_refresh_caches(base))
    return lines


__all__ = ["install_desktop", "uninstall_desktop", "desktop_entry", "launch_command",
           "data_home"]
