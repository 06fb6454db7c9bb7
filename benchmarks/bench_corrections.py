"""Teach a correction, write it again: is that way of writing read right afterwards?

The way a user meets "Learn my handwriting": the app misreads a drawing, the user
presses the right digit (the drawing joins My digits, labelled), and after learning
writes that digit again the same way. Simulated per drawn set in tests/data: every
drawing the checkpoint misreads is taught with its right label, with ``--per-digit``
other drawings per digit of the set (a user's My digits holds more than mistakes, and
fine-tuning needs 20); the personal recipe (``lenet_gui.core.finetune``, as the Train
tab and ``lenet-gui finetune`` run it) fine-tunes on them mixed with MNIST. "Writing it
again" is ``--rewrites`` variants of each corrected drawing from the stroke
augmentation (``stroke_augment.augment_strokes``: a small rotation, shear, squeeze and
wobble), rendered with the canvas pen. The fine-tune trains on variants from the same
augmentation, other random draws: this measures whether one writer's shape is learnt,
not whether other writers' are (``bench_personal.py`` measures that). Also reported:
the set's untaught drawings, and MNIST test, before and after.

    python benchmarks/bench_corrections.py --data-dir ../shared/MNIST
    python benchmarks/bench_corrections.py --data-dir ../shared/MNIST \\
        --checkpoint checkpoints/lenet5_course.ckpt      # more mistakes to correct
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _common import DRAWN_SETS, recipe_settings  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "MNIST",
                   help="MNIST folder (course layout)")
    p.add_argument("--checkpoint", type=Path, default=ROOT / "checkpoints" / "lenet5_mnist.ckpt")
    p.add_argument("--per-digit", type=int, default=2,
                   help="other drawings of the set taught per digit, beside the corrections "
                        "(more where a set has too few digits to make the 20 fine-tuning needs)")
    p.add_argument("--rewrites", type=int, default=20,
                   help="variants of each corrected drawing read before and after")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="a personal-recipe setting other than the default (FinetuneConfig's "
                        "field, e.g. lr=0.003); repeatable")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def wrong_indices(result) -> list[int]:
    return [i for i, (y, p) in enumerate(zip(result.labels, result.predictions)) if y != p]


def correct_and_rewrite(name: str, drawings: list, args, base, train, test, tmp: Path) -> dict:
    """One user writing in the style of one drawn set: teach its mistakes, read rewrites."""
    from lenet_gui.core.evaluation import evaluate_drawings
    from lenet_gui.core.finetune import MIN_PERSONAL_DIGITS, FinetuneConfig, finetune
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.stroke_augment import augment_strokes
    from lenet_gui.core.strokes import Drawing

    rng = np.random.default_rng(args.seed)
    before = evaluate_drawings(base, drawings)
    corrected = wrong_indices(before)
    digits = sorted({d.label for d in drawings})  # a set of styles may lack some digits
    per_digit = max(args.per_digit,
                    -(-(MIN_PERSONAL_DIGITS - len(corrected)) // len(digits)))
    others = []
    for digit in digits:
        right = [i for i, d in enumerate(drawings) if d.label == digit and i not in corrected]
        others += [right[i] for i in rng.permutation(len(right))[:per_digit]]
    taught = set(corrected) | set(others)
    rest = [d for i, d in enumerate(drawings) if i not in taught]
    rewrites = [Drawing(augment_strokes(drawings[i].strokes, rng)[0], drawings[i].label)
                for i in corrected for _ in range(args.rewrites)]
    row = {"set": name, "corrected": len(corrected), "taught": len(taught),
           "rewrites": len(rewrites), "untaught": len(rest)}
    if not corrected:
        print(f"{name:>13}: nothing misread, nothing to correct", flush=True)
        return row
    rw_before = evaluate_drawings(base, rewrites)
    rest_before = evaluate_drawings(base, rest)
    config = FinetuneConfig(holdout_share=0.0, seed=args.seed, **recipe_settings(args.set))
    result = finetune(args.checkpoint, [drawings[i] for i in sorted(taught)], train, test,
                      tmp / f"{name}.ckpt", config)
    mine = Recognizer(result.checkpoint)
    rw_after = evaluate_drawings(mine, rewrites)
    rest_after = evaluate_drawings(mine, rest)
    again = evaluate_drawings(mine, [drawings[i] for i in corrected])
    row.update(rewrites_right_before=rw_before.accuracy, rewrites_right_after=rw_after.accuracy,
               corrected_right_after=again.accuracy,
               untaught_wrong_before=len(wrong_indices(rest_before)),
               untaught_wrong_after=len(wrong_indices(rest_after)),
               mnist_before=result.mnist_before, mnist_after=result.mnist_after,
               seconds=result.elapsed_s)
    print(f"{name:>13}: {len(corrected)} corrected (+{len(others)} others taught); their "
          f"rewrites ({len(rewrites)}) read right {rw_before.accuracy * 100:.0f}% -> "
          f"{rw_after.accuracy * 100:.0f}%, the corrected drawings themselves "
          f"{again.accuracy * 100:.0f}%; the set's {len(rest)} untaught drawings "
          f"{row['untaught_wrong_before']} -> {row['untaught_wrong_after']} wrong; MNIST test "
          f"{result.mnist_before * 100:.2f}% -> {result.mnist_after * 100:.2f}%; "
          f"{result.elapsed_s:.1f} s", flush=True)
    return row


def main(argv=None) -> int:
    args = parse_args(argv)
    from lenet_gui.core.data import load_split
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.strokes import load_drawings

    train, test = load_split(args.data_dir, "train"), load_split(args.data_dir, "test")
    base = Recognizer(args.checkpoint)
    tmp = Path(tempfile.mkdtemp(prefix="lenet-gui-corrections-"))
    print(f"checkpoint {args.checkpoint.name}; {args.per_digit} others per digit taught; "
          f"{args.rewrites} rewrites per corrected drawing; recipe settings "
          f"{recipe_settings(args.set) or 'the defaults'}", flush=True)
    rows = []
    for name, path in DRAWN_SETS.items():
        if not path.is_file():
            print(f"{name}: {path} missing, skipped")
            continue
        rows.append(correct_and_rewrite(name, load_drawings(path), args, base, train, test, tmp))
    done = [r for r in rows if r.get("rewrites")]
    if done:
        n = sum(r["rewrites"] for r in done)
        b = sum(r["rewrites_right_before"] * r["rewrites"] for r in done) / n
        a = sum(r["rewrites_right_after"] * r["rewrites"] for r in done) / n
        print(f"all sets: rewrites of {sum(r['corrected'] for r in done)} corrected drawings "
              f"({n}) read right {b * 100:.1f}% -> {a * 100:.1f}%; untaught drawings "
              f"{sum(r['untaught_wrong_before'] for r in done)} -> "
              f"{sum(r['untaught_wrong_after'] for r in done)} wrong; MNIST test drop at most "
              f"{max((r['mnist_before'] - r['mnist_after']) * 100 for r in done):+.2f} points")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "checkpoint": str(args.checkpoint),
                                         "args": {k: str(v) for k, v in vars(args).items()}},
                                        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
