"""`lenet-gui train` with every style-synthesis rate scaled: does less style buy MNIST?

Style synthesis (``lenet_gui.core.styles.StyleConfig``) adds a slash to 30% of the 0s, a
flag to 40% of the 1s, a crossbar to 30% of the 7s and so on. This runs the normal
``lenet-gui train`` command line with each of those rates multiplied by ``--scale``
(``based_one`` is kept: it is the share of flagged 1s that also get a base), to measure
the trade between MNIST test and the international drawn set (benchmarks/README.md,
"MNIST against the drawings"). An experiment, not a recipe: the app has no such option.

    python benchmarks/train_style_rates.py --scale 0.5 -- --recipe robust --epochs 40 \\
        --average-epochs 10 --data-dir ../shared/MNIST --out s1_half.ckpt \\
        --select-strokes tests/data/drawn_digits.json tests/data/drawn_digits_hard.json
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, required=True,
                   help="multiply every style rate by this (1: the recipe as shipped)")
    p.add_argument("train_args", nargs=argparse.REMAINDER,
                   help="after --: the arguments of lenet-gui train")
    args = p.parse_args(argv)
    import lenet_gui.core.styles as styles

    base = styles.StyleConfig()
    rates = {f.name: getattr(base, f.name) * (1 if f.name == "based_one" else args.scale)
             for f in dataclasses.fields(base)}
    if not all(0 <= r <= 1 for r in rates.values()):
        p.error(f"--scale {args.scale}: every style rate must stay within 0..1")
    print("style rates: " + ", ".join(f"{k} {v:g}" for k, v in rates.items()), flush=True)
    # The batch maker builds StyleConfig() when it starts; give it the scaled one
    # (frozen, so one instance serves every call).
    scaled = dataclasses.replace(base, **rates)
    styles.StyleConfig = lambda: scaled
    from lenet_gui.cli.main import main as cli_main

    train_args = args.train_args[1:] if args.train_args[:1] == ["--"] else args.train_args
    return cli_main(["train", *train_args])


if __name__ == "__main__":
    sys.exit(main())
