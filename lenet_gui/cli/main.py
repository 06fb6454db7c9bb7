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
import threading
from pathlib import Path
from typing import Sequence

from .. import __version__
from ..core.config import DEVICES, RECIPES, TrainConfig, default_data_dir, shipped_checkpoint
from ..core.errors import LenetGuiError, StopRequested, first_line

EXIT_ERROR = 1
EXIT_USAGE = 2


def _int_at_least(minimum: int):
    """An argparse type: a whole number >= ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"must be at least 1, got {value}" if minimum == 1 else
                f"must not be negative, got {value}" if minimum == 0 else
                f"must be at least {minimum}, got {value}")
        return value

    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def _device(text: str) -> str:
    for name in DEVICES:
        if text.lower() == name.lower():
            return name
    raise argparse.ArgumentTypeError(f"choose one of {', '.join(DEVICES)}, got {text!r}")


def add_threads_argument(p: argparse.ArgumentParser, positive_int) -> None:
    p.add_argument("--threads", type=positive_int, metavar="N",
                   help="MindSpore CPU threads (default: MindSpore's choice; the window's "
                        "training process uses 1, which is as fast for LeNet5)")


def add_report_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--report", choices=("jsonl",),
                   help="jsonl: machine-readable progress on stdout, one JSON object per "
                        "line; 'stop' or 'abandon' on stdin stops (the window's training "
                        "process; docs/training-process.md)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lenet-gui",
        description="Draw a digit and let a MindSpore LeNet5 recognize it; train it on MNIST. "
                    "With no command, opens the window.")
    parser.add_argument("--version", action="version", version=f"lenet-gui {__version__}")
    parser.add_argument("--checkpoint", type=Path, help="window: the model to start with")
    parser.add_argument("--device", type=_device, help="window: the device to train on "
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

    p = sub.add_parser("train", help="train LeNet5 on MNIST",
                       description="Train LeNet5 on MNIST. The defaults are the course's "
                                   "recipe (Momentum lr 0.01 / 0.9, batch 32, 3 epochs).")
    p.add_argument("--data-dir", "--data_url", dest="data_dir", type=Path,
                   help="MNIST folder with train/ and test/ (default: %(default)s)",
                   default=None)
    p.add_argument("--recipe", choices=RECIPES, default="course",
                   help="course: the course's exact recipe; robust: augmentation, "
                        "cosine learning rate, weight decay, more epochs")
    p.add_argument("--epochs", type=_positive_int)
    p.add_argument("--lr", type=_finite_float, help="learning rate")
    p.add_argument("--momentum", type=_finite_float)
    p.add_argument("--batch-size", type=_positive_int)
    p.add_argument("--device", "--device_target", dest="device", type=_device, default="CPU")
    p.add_argument("--seed", type=_non_negative_int)
    p.add_argument("--limit", type=_positive_int, help="train on the first N images only")
    p.add_argument("--eval-limit", type=_positive_int,
                   help="evaluate on the first N test images only")
    p.add_argument("--holdout", type=_non_negative_int,
                   help="hold out the last N training images to choose the best epoch "
                        "(robust recipe: 5000; course: 0 = choose on the test set)")
    p.add_argument("--nondigits", type=_finite_float, metavar="SHARE",
                   help="outlier exposure: this share of every batch is generated "
                        "non-digits with a uniform target (e.g. 0.1), so the model can say "
                        "'not a digit'")
    p.add_argument("--init-checkpoint", type=Path, metavar="CKPT",
                   help="start from these weights instead of random ones")
    p.add_argument("--average-epochs", type=_non_negative_int, metavar="N",
                   help="also try the mean of the last N epochs' weights (stochastic "
                        "weight averaging); kept if it judges better than every epoch")
    p.add_argument("--select-strokes", type=Path, nargs="+", metavar="FILE",
                   help="stroke files of drawn digits that judge the best epoch too "
                        "(with the held-out images)")
    p.add_argument("--out", type=Path, help="checkpoint to write (default: a new file in "
                   "the user data folder)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_threads_argument(p, _positive_int)
    add_report_argument(p)
    p.add_argument("--workers", type=_positive_int, default=1, metavar="N",
                   help="data-parallel training in N processes started by MindSpore's "
                        "msrun (one per GPU/NPU); --batch-size is the total of all workers")
    p.add_argument("--local-workers", type=_positive_int, metavar="N",
                   help="with --workers, on a cluster: the processes on this node")
    p.add_argument("--master-addr", default="127.0.0.1", metavar="HOST",
                   help="with --workers, on a cluster: the address of node 0")
    p.add_argument("--master-port", type=_positive_int, default=8118, metavar="PORT")
    p.add_argument("--node-rank", type=_non_negative_int, metavar="K",
                   help="with --workers, on a cluster: this node's number (0 on node 0)")
    p.add_argument("--msrun-log-dir", type=Path, metavar="DIR",
                   help="with --workers: each worker's log (default: a new temporary folder)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("eval", help="accuracy, per-class accuracy and confusion matrix")
    p.add_argument("--checkpoint", type=Path, help="default: the shipped checkpoint")
    p.add_argument("--data-dir", "--data_url", dest="data_dir", type=Path)
    p.add_argument("--strokes", type=Path, nargs="+", metavar="FILE",
                   help="evaluate drawn digits from stroke files (JSON) instead of MNIST")
    p.add_argument("--limit", type=_positive_int, help="first N test images only")
    p.add_argument("--mistakes", type=Path, metavar="PNG",
                   help="with --strokes: save a picture of the ten most confident mistakes")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_eval)

    from .finetune import add_parser as add_finetune_parser

    add_finetune_parser(sub, _positive_int, _device)
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


def train_config(args: argparse.Namespace) -> TrainConfig:
    """The ``train`` command's options as a config (the recipe's defaults first)."""
    return TrainConfig.for_recipe(
        args.recipe, epochs=args.epochs, lr=args.lr, momentum=args.momentum,
        batch_size=args.batch_size, device=args.device, seed=args.seed, limit=args.limit,
        eval_limit=args.eval_limit, holdout=args.holdout,
        select_strokes=tuple(str(p) for p in args.select_strokes or ()) or None,
        nondigits=args.nondigits, average_epochs=args.average_epochs,
        init_checkpoint=str(args.init_checkpoint) if args.init_checkpoint else None)


def _launch_workers(args: argparse.Namespace) -> int:
    """Run this same command as ``args.workers`` msrun workers and wait for them."""
    import signal
    import subprocess
    import tempfile

    from ..core.config import default_checkpoint_path
    from ..core.distributed import (first_worker_error, msrun_available, msrun_command, msrun_env,
                              worker_batch_size)
    from ..core.errors import ConfigError, TrainingError

    if args.report:
        raise ConfigError("--workers cannot be combined with --report")
    if not msrun_available():
        raise LenetGuiError("--workers needs MindSpore's msrun launcher "
                            "(mindspore.parallel.cluster.run), which this MindSpore lacks")
    config = train_config(args)
    config.validate()
    worker_batch_size(config.batch_size, args.workers)  # refuse before starting anything
    out = args.out or default_checkpoint_path(config)  # one name for every worker
    log_dir = args.msrun_log_dir or Path(tempfile.mkdtemp(prefix="lenet-gui-msrun-"))
    cmd = msrun_command([*args.argv, "--out", str(out)], args.workers,
                        local_workers=args.local_workers, master_addr=args.master_addr,
                        master_port=args.master_port, node_rank=args.node_rank,
                        log_dir=log_dir, entry=("-m", "lenet_gui"))
    msrun = subprocess.Popen(cmd, env=msrun_env())
    try:
        code = msrun.wait()
    except KeyboardInterrupt:
        # Not subprocess.run: it would SIGKILL msrun, whose workers (own sessions)
        # would then run on. On SIGINT msrun kills them all, then exits 0.
        msrun.send_signal(signal.SIGINT)
        msrun.wait(timeout=60)
        raise
    if code != 0:
        raise TrainingError(first_worker_error(log_dir) or
                            f"data-parallel training failed (msrun exit status {code}); "
                            f"the workers' logs are in {log_dir}")
    if args.node_rank in (None, 0) and not Path(out).is_file():
        raise TrainingError(f"data-parallel training stopped before worker 0 wrote "
                            f"{out}; the workers' logs are in {log_dir}")
    print(f"checkpoint: {out}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from ..core.distributed import init_data_parallel, launched_by_msrun

    if args.workers > 1 and not launched_by_msrun():
        return _launch_workers(args)
    # Under msrun, before anything else: in msrun's scheduler this never returns.
    rank, size = init_data_parallel(args.device) if launched_by_msrun() else (0, 1)
    from ..core.config import default_checkpoint_path
    from ..core.data import load_split
    from ..core.train import train

    data_dir = args.data_dir or default_data_dir()
    if args.report == "jsonl":
        from ..core.training_job import report_train

        def prepare():
            config = train_config(args)
            return config, args.out or default_checkpoint_path(config)

        return report_train(prepare, data_dir, args.threads)
    config = train_config(args)
    config.validate()
    if args.threads:
        from ..core._mindspore import set_cpu_threads

        set_cpu_threads(args.threads)
    train_split = load_split(data_dir, "train")
    test_split = load_split(data_dir, "test")
    config.validate(len(train_split))
    out = args.out or default_checkpoint_path(config)
    stop = threading.Event()
    bar = None
    if not args.quiet and rank == 0:
        from tqdm import tqdm

        bar = tqdm(total=config.epochs * (min(len(train_split), config.limit or 10**9)
                                          // config.batch_size),
                   unit="step", dynamic_ncols=True, file=sys.stderr)

    def on_progress(p) -> None:
        if bar is not None:
            bar.update(1)
            if p.global_step % 10 == 0 or p.step == p.steps_per_epoch:
                bar.set_postfix_str(f"epoch {p.epoch}/{p.epochs} loss {p.loss:.4f} "
                                    f"{p.samples_per_s:,.0f} img/s", refresh=False)

    def log(line: str) -> None:
        (bar.write if bar is not None else print)(line)

    try:
        result = train(config, out, train_split=train_split, test_split=test_split,
                       on_progress=on_progress, on_log=log, stop=stop)
    except KeyboardInterrupt:
        stop.set()
        raise
    finally:
        if bar is not None:
            bar.close()
    if rank != 0:
        return 0  # rank 0 writes the checkpoint and reports
    if result.checkpoint is None:
        print("no checkpoint written")
        return EXIT_ERROR
    acc = f"{result.best_accuracy * 100:.2f}%" if result.best_accuracy is not None else "n/a"
    print(f"best test accuracy {acc} (epoch {result.best_epoch}); checkpoint: "
          f"{result.checkpoint} [{result.elapsed_s:.0f} s]")
    return 0


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
    from ..core.data import MIRRORS, download

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
