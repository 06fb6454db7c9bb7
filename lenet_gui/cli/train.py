"""``lenet-gui train``: the course's recipe or the robust one, here, in msrun workers, or as
the window's training process (``--report jsonl``)."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from ..core.config import RECIPES, TrainConfig, default_data_dir
from ..core.errors import LenetGuiError
from .arguments import (EXIT_ERROR, add_report_argument, add_threads_argument, device,
                        finite_float, non_negative_int, positive_int)


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train LeNet5 on MNIST",
                       description="Train LeNet5 on MNIST. The defaults are the course's "
                                   "recipe (Momentum lr 0.01 / 0.9, batch 32, 3 epochs).")
    p.add_argument("--data-dir", "--data_url", dest="data_dir", type=Path,
                   help="MNIST folder with train/ and test/ (default: %(default)s)",
                   default=None)
    p.add_argument("--recipe", choices=RECIPES, default="course",
                   help="course: the course's exact recipe; robust: augmentation, "
                        "cosine learning rate, weight decay, more epochs")
    p.add_argument("--epochs", type=positive_int)
    p.add_argument("--lr", type=finite_float, help="learning rate")
    p.add_argument("--momentum", type=finite_float)
    p.add_argument("--batch-size", type=positive_int)
    p.add_argument("--device", "--device_target", dest="device", type=device, default="CPU")
    p.add_argument("--seed", type=non_negative_int)
    p.add_argument("--limit", type=positive_int, help="train on the first N images only")
    p.add_argument("--eval-limit", type=positive_int,
                   help="evaluate on the first N test images only")
    p.add_argument("--holdout", type=non_negative_int,
                   help="hold out the last N training images to choose the best epoch "
                        "(robust recipe: 5000; course: 0 = choose on the test set)")
    p.add_argument("--nondigits", type=finite_float, metavar="SHARE",
                   help="outlier exposure: this share of every batch is generated "
                        "non-digits with a uniform target (e.g. 0.1), so the model can say "
                        "'not a digit'")
    p.add_argument("--canvas-pen", type=finite_float, metavar="SHARE",
                   help="swap this share of the training digits for the same digits drawn "
                        "with the canvas's pen (e.g. 0.3; converted once, then cached)")
    p.add_argument("--init-checkpoint", type=Path, metavar="CKPT",
                   help="start from these weights instead of random ones")
    p.add_argument("--average-epochs", type=non_negative_int, metavar="N",
                   help="also try the mean of the last N epochs' weights (stochastic "
                        "weight averaging); kept if it judges better than every epoch")
    p.add_argument("--select-strokes", type=Path, nargs="+", metavar="FILE",
                   help="stroke files of drawn digits that judge the best epoch too "
                        "(with the held-out images)")
    p.add_argument("--teachers", type=Path, nargs="+", metavar="CKPT",
                   help="knowledge distillation: each digit's target is part the mean "
                        "answer of these checkpoints (with --distill)")
    p.add_argument("--distill", type=finite_float, metavar="W",
                   help="with --teachers: the teachers' share of each digit's target "
                        "(above 0, at most 1; e.g. 0.5)")
    p.add_argument("--out", type=Path, help="checkpoint to write (default: a new file in "
                   "the user data folder)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_threads_argument(p, positive_int)
    add_report_argument(p)
    p.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="data-parallel training in N processes started by MindSpore's "
                        "msrun (one per GPU/NPU); --batch-size is the total of all workers")
    p.add_argument("--local-workers", type=positive_int, metavar="N",
                   help="with --workers, on a cluster: the processes on this node")
    p.add_argument("--master-addr", default="127.0.0.1", metavar="HOST",
                   help="with --workers, on a cluster: the address of node 0")
    p.add_argument("--master-port", type=positive_int, default=8118, metavar="PORT")
    p.add_argument("--node-rank", type=non_negative_int, metavar="K",
                   help="with --workers, on a cluster: this node's number (0 on node 0)")
    p.add_argument("--msrun-log-dir", type=Path, metavar="DIR",
                   help="with --workers: each worker's log (default: a new temporary folder)")
    p.set_defaults(func=cmd_train)


def train_config(args: argparse.Namespace) -> TrainConfig:
    """The ``train`` command's options as a config (the recipe's defaults first)."""
    return TrainConfig.for_recipe(
        args.recipe, epochs=args.epochs, lr=args.lr, momentum=args.momentum,
        batch_size=args.batch_size, device=args.device, seed=args.seed, limit=args.limit,
        eval_limit=args.eval_limit, holdout=args.holdout,
        select_strokes=tuple(str(p) for p in args.select_strokes or ()) or None,
        nondigits=args.nondigits, average_epochs=args.average_epochs,
        canvas_pen=args.canvas_pen,
        teachers=tuple(str(p) for p in args.teachers or ()) or None,
        distill=args.distill,
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
