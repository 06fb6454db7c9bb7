"""``lenet-gui finetune``: learn a user's handwriting from a stroke file (the personal recipe)."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path


def add_parser(sub, positive_int, device_type) -> None:
    p = sub.add_parser(
        "finetune", help="fine-tune a checkpoint on your own drawings (personal recipe)",
        description="Fine-tune a checkpoint on labelled drawings from a lenet-gui-strokes "
                    "file (the My digits file, docs/strokes-format.md), mixed with MNIST. "
                    "Part of each digit's drawings is held out and measured before and after.")
    p.add_argument("--drawings", type=Path, required=True, nargs="+", metavar="FILE",
                   help="stroke file(s) with labelled drawings")
    p.add_argument("--checkpoint", type=Path, help="the model to start from (default: the "
                   "shipped checkpoint)")
    p.add_argument("--out", type=Path, required=True, help="checkpoint to write")
    p.add_argument("--data-dir", "--data_url", dest="data_dir", type=Path,
                   help="MNIST folder (its training images are mixed in; its test images "
                        "are measured)")
    p.add_argument("--epochs", type=positive_int)
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--holdout-share", type=float, help="share of each digit's drawings kept "
                   "to measure on (default 0.2)")
    p.add_argument("--eval-limit", type=positive_int, help="MNIST test images to measure on")
    p.add_argument("--device", type=device_type, default="CPU")
    p.add_argument("--seed", type=int)
    p.add_argument("--json", action="store_true", help="print one JSON object at the end")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    from .arguments import add_report_argument, add_threads_argument

    add_threads_argument(p, positive_int)
    add_report_argument(p)
    p.set_defaults(func=cmd_finetune)


def cmd_finetune(args: argparse.Namespace) -> int:
    from ..core.config import default_data_dir, shipped_checkpoint
    from ..core.data import load_split
    from ..core.finetune import FinetuneConfig, finetune
    from ..core.strokes import load_drawings

    config = FinetuneConfig(device=args.device)
    for name in ("epochs", "lr", "holdout_share", "eval_limit", "seed"):
        if getattr(args, name) is not None:
            setattr(config, name, getattr(args, name))
    if args.report == "jsonl":
        from ..core.training_job import report_finetune

        return report_finetune(args.checkpoint or shipped_checkpoint(), list(args.drawings),
                               args.data_dir or default_data_dir(), args.out, config,
                               args.threads)
    config.validate()
    if args.threads:
        from ..core._mindspore import set_cpu_threads

        set_cpu_threads(args.threads)
    drawings = [d for path in args.drawings for d in load_drawings(path)]
    data_dir = args.data_dir or default_data_dir()
    train_split = load_split(data_dir, "train")
    test_split = load_split(data_dir, "test")
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(unit="step", dynamic_ncols=True, file=sys.stderr)

    def on_progress(p) -> None:
        if bar is not None:
            bar.total = p.total_steps
            bar.update(1)
            bar.set_postfix_str(f"epoch {p.epoch}/{p.epochs} loss {p.loss:.4f}", refresh=False)

    def log(line: str) -> None:
        if not args.json:
            (bar.write if bar is not None else print)(line)

    stop = threading.Event()
    try:
        result = finetune(args.checkpoint or shipped_checkpoint(), drawings, train_split,
                          test_split, args.out, config, on_progress=on_progress, on_log=log,
                          stop=stop)
    except KeyboardInterrupt:
        stop.set()
        raise
    finally:
        if bar is not None:
            bar.close()
    caution = result.caution()
    if args.json:
        print(json.dumps({
            "checkpoint": str(result.checkpoint) if result.checkpoint else None,
            "personal_total": result.personal_total, "personal_trained": result.personal_trained,
            "personal_heldout": result.personal_heldout,
            "personal_before": result.personal_before, "personal_after": result.personal_after,
            "mnist_before": result.mnist_before, "mnist_after": result.mnist_after,
            "mnist_samples": result.mnist_samples, "steps": result.steps,
            "elapsed_s": round(result.elapsed_s, 2), "caution": caution}))
    else:
        print(f"checkpoint: {result.checkpoint} [{result.elapsed_s:.0f} s]")
        if caution:
            print(f"careful: {caution}", file=sys.stderr)
    return 0 if result.checkpoint else 1
