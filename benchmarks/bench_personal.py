"""Learn my handwriting, simulated: does fine-tuning on a few drawings fix a writer's style?

For each style family (each drawn set in tests/data: neat, hard, international), a
simulated user teaches 5 drawings per digit of that family; the personal recipe
(``lenet_gui.core.finetune``, as the Train tab and ``lenet-gui finetune`` run it) fine-tunes
the checkpoint on them mixed with MNIST, and the family's other drawings are read
before and after. Targets (issue 10): the family's error rate at least halves, MNIST
test drops by at most 0.2 points; 100 personal digits fine-tune in under 60 s.

``--writer mixed`` (the default, the target's figure): the 5 drawings per digit are
drawn from all of the family's styles, and so are the drawings read; a user whose
hand is the whole family. ``--writer consistent``: each user writes every digit in one
style of the family (a drawing's ``style``, e.g. ``1-flag`` or ``7-bar``, chosen at
random among those with enough drawings), teaches 5 of it and reads the other
drawings of those styles: how a person writes.

    python benchmarks/bench_personal.py --data-dir ../shared/MNIST
    python benchmarks/bench_personal.py --data-dir ../shared/MNIST --json out.json
    python benchmarks/bench_personal.py --data-dir ../shared/MNIST --seeds 3 --timing-digits 0
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _common import DRAWN_SETS, recipe_settings  # noqa: E402

# The style families a simulated user writes in (the held-out set chooses nothing).
FAMILIES = {name: DRAWN_SETS[name] for name in ("neat", "hard", "international")}
NONDIGITS = ROOT / "tests" / "data" / "nondigits.json"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "MNIST",
                   help="MNIST folder (course layout)")
    p.add_argument("--checkpoint", type=Path, default=ROOT / "checkpoints" / "lenet5_mnist.ckpt")
    p.add_argument("--per-digit", type=int, default=5, help="drawings taught per digit")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--seeds", type=int, default=1,
                   help="simulated users per family (seeds --seed, --seed + 1, ...: other "
                        "drawings taught); the wrong counts are summed over them")
    p.add_argument("--timing-digits", type=int, default=100,
                   help="also time a fine-tune on this many personal digits (0: skip)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="a personal-recipe setting other than the default (FinetuneConfig's "
                        "field, e.g. lr=0.003); repeatable")
    p.add_argument("--writer", choices=("mixed", "consistent"), default="mixed",
                   help="mixed: taught and read drawings from all of a family's styles "
                        "(default); consistent: one style per digit per user")
    p.add_argument("--wrong", action="store_true",
                   help="list each user's wrong drawings before and after (index in the "
                        "family's file, label, style, p(label))")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from lenet_gui.core.data import load_split
    from lenet_gui.core.finetune import FinetuneConfig, finetune
    from lenet_gui.core.evaluation import drawings_to_inputs
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.strokes import load_drawings

    train, test = load_split(args.data_dir, "train"), load_split(args.data_dir, "test")
    base = Recognizer(args.checkpoint)
    # Each personal model is also asked to refuse the generated non-digits, read as
    # lone drawings, as the shipped model does.
    args.scribbles = drawings_to_inputs(load_drawings(NONDIGITS)) if NONDIGITS.is_file() else None
    if args.scribbles is not None:
        print(f"non-digits refused by {args.checkpoint.name}: "
              f"{refused(base, args.scribbles) * 100:.1f}% of {len(args.scribbles)}")
    tmp = Path(tempfile.mkdtemp(prefix="lenet-gui-personal-"))
    rows = []
    for name, path in FAMILIES.items():
        if not path.is_file():
            print(f"{name}: {path} missing, skipped")
            continue
        drawings = load_drawings(path)
        for seed in range(args.seed, args.seed + args.seeds):
            rows.append(simulate_user(name, drawings, seed, args, base, train, test, tmp))
    if args.seeds > 1:
        for name in FAMILIES:
            mine = [r for r in rows if r["family"] == name]
            if mine:
                b, a = sum(r["wrong_before"] for r in mine), sum(r["wrong_after"] for r in mine)
                drop = max(r["mnist_drop_points"] for r in mine)
                shares = [r["nondigits_refused"] for r in mine
                          if r["nondigits_refused"] is not None]
                print(f"{name:>13}: {len(mine)} users: {b} -> {a} wrong in all "
                      f"({'halved' if 2 * a <= b else 'NOT halved'}); MNIST test drop at most "
                      f"{drop:+.2f} points" + (f"; non-digits refused {min(shares) * 100:.1f}-"
                                               f"{max(shares) * 100:.1f}%" if shares else ""))
    timing = None
    if args.timing_digits:
        pool = [d for p in FAMILIES.values() if p.is_file() for d in load_drawings(p)]
        rng = np.random.default_rng(args.seed + 1)
        pick = [pool[i] for i in rng.choice(len(pool), args.timing_digits, replace=False)]
        t0 = time.perf_counter()
        finetune(args.checkpoint, pick, train, test, tmp / "timing.ckpt", FinetuneConfig())
        timing = time.perf_counter() - t0
        print(f"fine-tune on {args.timing_digits} personal digits (default recipe, with the "
              f"before/after measurements): {timing:.1f} s")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "timing_s": timing,
                                         "machine": platform.processor() or platform.machine(),
                                         "checkpoint": str(args.checkpoint)}, indent=2))
    return 0


def refused(recognizer, images) -> float:
    """The share of ``images`` the recognizer calls "not a digit"."""
    from lenet_gui.core.verdict import NOT_A_DIGIT

    return float(np.mean([recognizer.thresholds.verdict(p) == NOT_A_DIGIT
                          for p in recognizer.probabilities(images)]))


def one_style(drawings, per_digit: int, rng) -> list:
    """The drawings of one style, chosen at random among those with at least
    ``per_digit`` + 3 drawings (taught and read); none when no style has enough."""
    by_style: dict[str, list] = {}
    for d in drawings:
        by_style.setdefault(d.style, []).append(d)
    names = sorted(n for n, ds in by_style.items() if n and len(ds) >= per_digit + 3)
    return by_style[names[int(rng.integers(len(names)))]] if names else []


def simulate_user(name, drawings, seed, args, base, train, test, tmp) -> dict:
    """One user of a family: ``--per-digit`` drawings per digit taught, the rest read."""
    from lenet_gui.core.evaluation import drawings_to_inputs
    from lenet_gui.core.finetune import FinetuneConfig, finetune
    from lenet_gui.core.predict import Recognizer, score

    rng = np.random.default_rng(seed)
    taught, rest, styles = [], [], []
    for digit in range(10):
        mine = [d for d in drawings if d.label == digit]
        if args.writer == "consistent":
            mine = one_style(mine, args.per_digit, rng)
            styles += [mine[0].style] if mine else []
        order = rng.permutation(len(mine))
        taught += [mine[i] for i in order[:args.per_digit]]
        rest += [mine[i] for i in order[args.per_digit:]]
    # Rendered once: read by the base, then by the personal model.
    inputs, labels = drawings_to_inputs(rest), np.array([d.label for d in rest])
    p_before = base.probabilities(inputs)
    before = score(labels, p_before)
    t0 = time.perf_counter()
    result = finetune(args.checkpoint, taught, train, test, tmp / f"{name}.ckpt",
                      FinetuneConfig(holdout_share=0.0, seed=seed, **recipe_settings(args.set)))
    seconds = time.perf_counter() - t0
    mine = Recognizer(result.checkpoint)
    p_after = mine.probabilities(inputs)
    after = score(labels, p_after)
    row = {"family": name, "seed": seed, "writer": args.writer, "styles": styles,
           "taught": len(taught), "evaluated": len(rest),
           "error_before": 1 - before.accuracy, "error_after": 1 - after.accuracy,
           "mnist_before": result.mnist_before, "mnist_after": result.mnist_after,
           "seconds": seconds}
    wrong_before = round(row["error_before"] * len(rest))
    wrong_after = round(row["error_after"] * len(rest))
    row.update(wrong_before=wrong_before, wrong_after=wrong_after,
               halved=2 * wrong_after <= wrong_before)
    row["mnist_drop_points"] = (result.mnist_before - result.mnist_after) * 100
    row["nondigits_refused"] = (refused(mine, args.scribbles)
                                if args.scribbles is not None else None)
    print(f"{name:>13}: seed {seed}, taught {len(taught)}, read {len(rest)}: error "
          f"{row['error_before'] * 100:.2f}% -> {row['error_after'] * 100:.2f}% "
          f"({wrong_before} -> {wrong_after} wrong, "
          f"{'halved' if row['halved'] else 'NOT halved'}); MNIST test "
          f"{result.mnist_before * 100:.2f}% -> {result.mnist_after * 100:.2f}% "
          f"({row['mnist_drop_points']:+.2f} points drop); {seconds:.1f} s"
          + (f"; non-digits refused {row['nondigits_refused'] * 100:.1f}%"
             if row["nondigits_refused"] is not None else "")
          + (f"; styles {', '.join(styles)}" if styles else ""), flush=True)
    if args.wrong:
        print_wrong(drawings, rest, p_before, p_after)
    return row


def print_wrong(drawings, rest, before, after) -> None:
    """Each drawing read wrong before or after (``before``, ``after``: the two models'
    probabilities for ``rest``): where the family's errors come from."""
    index = {id(d): i for i, d in enumerate(drawings)}
    for i, d in enumerate(rest):
        if before[i].argmax() != d.label or after[i].argmax() != d.label:
            print(f"    #{index[id(d)]} {d.label} {d.style or '-'}: before {before[i].argmax()} "
                  f"(p({d.label}) {before[i][d.label]:.2f}), after {after[i].argmax()} "
                  f"(p({d.label}) {after[i][d.label]:.2f})")


if __name__ == "__main__":
    sys.exit(main())
