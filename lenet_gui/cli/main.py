"""``lenet-gui``: the window with no argument, or train / eval / finetune / predict / download /
devices.

A thin layer over the core: argparse in, one clear line and a non-zero exit
for any error. ``--debug`` shows the traceback of an unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from .. import __version__
from ..core.config import default_data_dir, shipped_checkpoint
from ..core.errors import LenetGuiError, StopRequested, first_line
from .arguments import EXIT_ERROR, device, positive_int
__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lenet-gui",
        description="Draw a digit and let a MindSpore LeNet5 recognize it; train it on MNIST. "
                    "With no command, opens the window.")
    parser.add_argument("--version", action="version", version=f"lenet-gui {__version__}")
    parser.add_argument("--checkpoint", type=Path, help="window: the model to start with")
    parser.add_argument("--device", type=device, help="window: the device to train on "
                        "(CPU, GPU, Ascend)")
    parser.add_argument("--self-test", action="store_true",
                        help="check the model, sample digits and the window; exit non-zero "
                             "on any failure")
    parser.add_argument("--install-desktop", action="store_true",
                        help="add lenet-gui to the desktop's application menu")
    parser.add_argument("--uninstall-desktop", action="store_true",
                        help="remove lenet-gui from the desktop's application menu")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("gui", help="open the window (the default)")
    p.set_defaults(func=cmd_gui)

    from .train import add_parser as add_train_parser

    add_train_parser(sub)

    p = sub.add_parser("eval", help="accuracy, per-class accuracy and confusion matrix")
    p.add_argument("--checkpoint", type=Path, help="default: the shipped checkpoint")
    p.add_argument("--data-dir", "--data_url", dest="data_dir", type=Path)
    p.add_argument("--strokes", type=Path, nargs="+", metavar="FILE",
                   help="evaluate drawn digits from stroke files (JSON) instead of MNIST")
    p.add_argument("--limit", type=positive_int, help="first N test images only")
    p.add_argument("--mistakes", type=Path, metavar="PNG",
                   help="with --strokes: save a picture of the ten most confident mistakes")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_eval)

    from .finetune import add_parser as add_finetune_parser

    add_finetune_parser(sub, positive_int, device)
    from .export import add_parser as add_export_parser

    add_export_parser(sub)

    p = sub.add_parser("predict", help="read the digit or number in image files")
    p.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    p.add_argument("--checkpoint", type=Path, help="default: the shipped checkpoint")
    p.add_argument("--json", action="store_true", help="one JSON object per image")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("download", help="download MNIST (checksummed, resumable)")
    p.add_argument("--data-dir", type=Path, help="where to put it")
    p.add_argument("--mirror", action="append", metavar="URL",
                   help="mirror base URL to try (repeatable; default: the usual mirrors)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_download)

    p = sub.add_parser("devices", help="which devices MindSpore can use here")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_devices)
    return parser


# --------------------------------------------------------------------------- commands

def cmd_gui(args: argparse.Namespace) -> int:
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        # Qt would abort the process with a multi-line message.
        raise LenetGuiError("no display to open the window on (neither DISPLAY nor "
                            "WAYLAND_DISPLAY is set); the train, eval, predict, download "
                            "and devices commands work without one")
    from ..ui.xcb_check import missing_libraries_message, missing_xcb_libraries, \
        xcb_platform_expected

    # Qt aborts without naming them when its X11 plugin's libraries are missing.
    if xcb_platform_expected() and (missing := missing_xcb_libraries()):
        raise LenetGuiError(missing_libraries_message(missing))
    from ..ui.app import run_app

    return run_app(checkpoint=args.checkpoint, device=args.device)


def _recognizer(path: Path | None):
    from ..core.predict import Recognizer

    return Recognizer(path or shipped_checkpoint())


def _print_eval(result, title: str) -> None:
    print(f"{title}: accuracy {result.accuracy * 100:.2f}% on {result.samples:,} digits")
    print("per class: " + "  ".join(f"{c}: {a * 100:.1f}%" for c, a in
                                    enumerate(result.per_class)))
    print("confusion (rows: true digit, columns: predicted):")
    print("      " + "".join(f"{c:>6}" for c in range(10)))
    for c, row in enumerate(result.confusion):
        print(f"{c:>6}" + "".join(f"{v:>6}" for v in row))


def cmd_eval(args: argparse.Namespace) -> int:
    recognizer = _recognizer(args.checkpoint)
    if args.strokes is not None:
        from ..core.evaluation import evaluate_drawings
        from ..core.strokes import load_drawings

        drawings = [d for path in args.strokes for d in load_drawings(path)]
        if args.limit:
            drawings = drawings[:args.limit]
        result = evaluate_drawings(recognizer, drawings)
        title = f"drawn digits ({', '.join(p.name for p in args.strokes)})"
        extra = {"confident_mistakes": result.confident_mistakes(0.9)}
        if args.mistakes:
            from ..core.evaluation import mistakes_picture

            shown = mistakes_picture(drawings, result, args.mistakes)
            if not args.json:
                print(f"{shown} mistakes shown in {args.mistakes}" if shown
                      else "no mistakes: no picture written")
    else:
        from ..core.data import load_split
        from ..core.predict import evaluate

        test = load_split(args.data_dir or default_data_dir(), "test").head(args.limit)
        result = evaluate(recognizer, test.images, test.labels)
        title = "MNIST test set"
        extra = {}
    if args.json:
        print(json.dumps({**result.to_dict(), **extra, "checkpoint":
                          str(recognizer.checkpoint)}))
    else:
        print(f"model: {recognizer.checkpoint}")
        _print_eval(result, title)
        if extra:
            print(f"misclassified with probability > 0.9: {extra['confident_mistakes']}")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from .predict import cmd_predict as run

    return run(args, _recognizer(args.checkpoint))


def cmd_download(args: argparse.Namespace) -> int:
    from ..core.download import MIRRORS, download

    data_dir = args.data_dir or default_data_dir()
    bars: dict = {}

    def progress(name: str, got: int, total: int | None) -> None:
        if args.quiet:
            return
        from tqdm import tqdm

        bar = bars.get(name)
        if bar is None:
            bar = bars[name] = tqdm(total=total, unit="B", unit_scale=True, desc=name,
                                    file=sys.stderr, dynamic_ncols=True)
        bar.update(got - bar.n)

    try:
        paths = download(data_dir, mirrors=args.mirror or MIRRORS, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
    print(f"MNIST is complete in {data_dir} ({len(paths)} files, checksums OK)")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from ..core.devices import probe_devices

    devices = probe_devices()
    if args.json:
        print(json.dumps([{"device": d.name, "available": d.available, "reason": d.reason}
                          for d in devices]))
    else:
        for d in devices:
            print(f"{d.name:<7} {'yes' if d.available else 'no ':<4} {d.reason}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from ..core.train_process import STANDBY_FLAG

    if list(sys.argv[1:] if argv is None else argv) == [STANDBY_FLAG]:
        # The Train tab's training process, started ahead of Start (not for users).
        from ..core.job_report import run_standby
        from ..core.training_job import warm_up_training

        return run_standby(main, warm_up_training)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # train --workers re-runs it
    try:
        if args.self_test:
            from ..integration.selftest import run_self_test

            return run_self_test(checkpoint=args.checkpoint)
        if args.install_desktop or args.uninstall_desktop:
            from ..integration.desktop import install_desktop, uninstall_desktop

            for line in (install_desktop() if args.install_desktop else uninstall_desktop()):
                print(line)
            return 0
        func = getattr(args, "func", cmd_gui)
        return func(args)
    except StopRequested as exc:
        print(f"lenet-gui: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except LenetGuiError as exc:
        print(f"lenet-gui: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("lenet-gui: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
        if args.debug or os.environ.get("LENET_GUI_DEBUG"):
            raise
        print(f"lenet-gui: unexpected error: {type(exc).__name__}: {first_line(exc, '')} "
              "(run with --debug for details)", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
