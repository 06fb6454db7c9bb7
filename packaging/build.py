"""Build the frozen one-folder app with PyInstaller: dist/lenet-gui/lenet-gui.

    pip install -e ".[package]"          # PyInstaller (and build, for wheels)
    python packaging/build.py            # -> dist/lenet-gui/ (runs with no Python installed)
    python packaging/build.py --test     # ... then run its --self-test from a copy
                                         #     outside the checkout, in a clean environment

The folder is self-contained: copy ``dist/lenet-gui`` anywhere (or tar it) and run
``lenet-gui/lenet-gui`` (the window), ``lenet-gui/lenet-gui --self-test``,
``lenet-gui/lenet-gui --install-desktop`` (menu entry + icons for this user), or any
command of the ``lenet-gui`` CLI. What the spec leaves out, and why: packaging/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "lenet-gui.spec"
APP = "lenet-gui"


def folder_size(path: Path) -> int:
    """Bytes on disk (like ``du``), symlinks not followed."""
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            st = p.stat()
            total += getattr(st, "st_blocks", 0) * 512 or st.st_size
    return total


def build(dist: Path, work: Path, checkpoint: Path | None = None, akg: bool = False,
          clean: bool = False) -> Path:
    """Run PyInstaller on the spec; returns the app folder (``dist/lenet-gui``)."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit('build: PyInstaller is not installed here: pip install -e ".[package]"'
                         ' (or pip install pyinstaller)') from None
    env = dict(os.environ)
    ckpt = checkpoint or ROOT / "checkpoints" / "lenet5_mnist.ckpt"
    if not ckpt.is_file():
        raise SystemExit(f"build: no checkpoint to ship at {ckpt} (train one, or pass "
                         "--checkpoint)")
    env["LENET_GUI_BUILD_CHECKPOINT"] = str(ckpt.resolve())
    env["LENET_GUI_BUILD_AKG"] = "1" if akg else "0"
    env.setdefault("GLOG_v", "4")  # MindSpore's import-time warnings, while hooks import it
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    if clean:
        cmd.insert(3, "--clean")
    print("build: " + " ".join(cmd), flush=True)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    app = dist / APP
    exe = app / APP
    if not exe.is_file():
        raise SystemExit(f"build: PyInstaller finished but {exe} is missing")
    print(f"build: {exe} built in {time.perf_counter() - start:.0f} s; folder "
          f"{folder_size(app) / 2**20:,.0f} MiB", flush=True)
    return app


def frozen_self_test(app: Path, runs: int = 1) -> int:
    """Copy the app outside the checkout and run its self-test with a clean environment."""
    with tempfile.TemporaryDirectory(prefix="lenet-gui-frozen-") as tmp:
        copy = Path(tmp) / APP
        shutil.copytree(app, copy, symlinks=True)
        env = {"HOME": os.environ.get("HOME", tmp), "PATH": "/usr/bin:/bin"}
        rc = 0
        for i in range(runs):
            start = time.perf_counter()
            proc = subprocess.run([str(copy / APP), "--self-test"], env=env, cwd=tmp,
                                  capture_output=True, text=True, timeout=600)
            took = time.perf_counter() - start
            if i == 0 or proc.returncode != 0:
                sys.stdout.write(proc.stdout)
                sys.stderr.write(proc.stderr)
            print(f"build: frozen self-test run {i + 1}: exit {proc.returncode}, "
                  f"{took:.1f} s wall", flush=True)
            rc = rc or proc.returncode
        return rc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="where the app folder goes (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: %(default)s)")
    parser.add_argument("--checkpoint", type=Path,
                        help="ship this checkpoint as lenet5_mnist.ckpt (default: "
                             "checkpoints/lenet5_mnist.ckpt)")
    parser.add_argument("--with-akg", action="store_true",
                        help="also ship MindSpore's CPU graph-kernel compiler (libakg, "
                             "113 MB; only used with graph kernel fusion enabled)")
    parser.add_argument("--clean", action="store_true", help="ignore PyInstaller's cache")
    parser.add_argument("--test", action="store_true",
                        help="then run the frozen --self-test from a copy outside the "
                             "checkout, with a clean environment")
    parser.add_argument("--runs", type=int, default=1,
                        help="with --test: how many times (start-up timing)")
    parser.add_argument("--test-only", action="store_true",
                        help="do not build; test the app already in --dist")
    args = parser.parse_args(argv)
    if args.test_only:
        app = args.dist / APP
    else:
        app = build(args.dist.resolve(), args.work.resolve(), args.checkpoint, args.with_akg,
                    args.clean)
    if args.test or args.test_only:
        return frozen_self_test(app, max(1, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
