"""Real writers on the canvas: MNIST digits replayed as drawings through the Draw tab's path.

The drawn sets in tests/data are generated; MNIST's are real people's. Each MNIST digit
is thinned to its centre line, traced into strokes and drawn on the canvas with the
canvas's pen (``lenet_gui.core.mnist_strokes``), then read the way the Draw tab reads
a lone digit (``evaluation.drawings_to_inputs``). The same digits as MNIST images are
read in the same run, so the gap between the two columns is what the canvas's single
pen width costs on real shapes. A third column reads each drawing the way the Draw tab
reads a canvas (``reading.read_strokes``: segmentation, the size redraw, verdicts): right
means one segment, read as the label and not refused ("not a digit").

The MNIST test set's writers wrote none of the training digits; ``--split holdout``
replays the robust recipe's 5,000 held-out training images instead (what a recipe
choice may be judged on: the test set chooses nothing).

    python benchmarks/bench_replay.py --data-dir ../shared/MNIST
    python benchmarks/bench_replay.py --split holdout --checkpoints a.ckpt b.ckpt
    python benchmarks/bench_replay.py --mistakes replay_mistakes.png --json replay.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _common import CHECKPOINTS, SHARED_MNIST  # noqa: E402

HOLDOUT = 5000  # the robust recipe's held-out training images (the last ones)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoints", type=Path, nargs="+", default=list(CHECKPOINTS))
    p.add_argument("--data-dir", type=Path, default=SHARED_MNIST)
    p.add_argument("--split", choices=("test", "holdout"), default="test")
    p.add_argument("--limit", type=int, help="the first N digits of the split only")
    p.add_argument("--mistakes", type=Path,
                   help="PNG of the last checkpoint's mistakes: MNIST digit over its replay")
    p.add_argument("--sample", type=Path,
                   help="PNG of the first 40 digits: MNIST's image over what the model saw")
    p.add_argument("--no-window", action="store_true",
                   help="skip the Draw tab's reading (segmentation and verdicts)")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def load(args):
    from lenet_gui.core.data import load_split

    if args.split == "test":
        split = load_split(args.data_dir, "test")
        images, labels = split.images, split.labels
    else:
        split = load_split(args.data_dir, "train")
        images, labels = split.images[-HOLDOUT:], split.labels[-HOLDOUT:]
    if args.limit:
        images, labels = images[:args.limit], labels[:args.limit]
    return images, labels


def sheet(path: Path, which, images, inputs, labels, predictions) -> None:
    """Digits ``which``: the MNIST image above what the model saw; label>answer in red
    where the answer is wrong."""
    import numpy as np
    from PIL import Image, ImageDraw

    tiles = []
    for i in which:
        seen = inputs[i, 0, 2:30, 2:30]
        seen = (seen - seen.min()) / max(float(seen.max() - seen.min()), 1e-6) * 255
        tile = np.kron(np.concatenate([images[i].astype(np.float32), seen]), np.ones((3, 3)))
        im = Image.fromarray(tile.astype(np.uint8)).convert("RGB")
        if predictions[i] != labels[i]:
            ImageDraw.Draw(im).text((2, 1), f"{labels[i]}>{predictions[i]}", fill=(255, 70, 70))
        tiles.append(np.asarray(im))
    if not tiles:
        return
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % 20)
    rows = [np.concatenate(tiles[j:j + 20], 1) for j in range(0, len(tiles), 20)]
    Image.fromarray(np.concatenate(rows)).save(path)


def main(argv=None) -> int:
    args = parse_args(argv)
    import numpy as np

    from lenet_gui.core.evaluation import drawings_to_inputs
    from lenet_gui.core.mnist_strokes import as_drawings
    from lenet_gui.core.predict import Recognizer, score
    from lenet_gui.core.preprocess import normalise

    if not (args.data_dir / "test").is_dir():
        print(f"skipped: no MNIST in {args.data_dir} (pass --data-dir)")
        return 0
    images, labels = load(args)
    t0 = time.perf_counter()
    drawings, kept = as_drawings(images, labels)
    inputs = drawings_to_inputs(drawings)
    convert = time.perf_counter() - t0
    print(f"{len(drawings):,} of {len(images):,} MNIST {args.split} digits traced and drawn on "
          f"the canvas in {convert:.1f} s ({len(images) - len(drawings)} traced to nothing)")
    from lenet_gui.core.reading import read_strokes
    from lenet_gui.core.strokes import render_strokes

    inks = None if args.no_window else [render_strokes(d.strokes) for d in drawings]
    rows = []
    for ckpt in args.checkpoints:
        r = Recognizer(ckpt)
        as_images = score(labels, r.probabilities(normalise(images)))
        probs = r.probabilities(inputs)
        replayed = score(labels[kept], probs)
        rows.append({"checkpoint": str(ckpt), "images": as_images.accuracy,
                     "replayed": replayed.accuracy, "replayed_per_class": replayed.per_class,
                     "replayed_lowest_class": float(np.nanmin(replayed.per_class)),
                     "replayed_confident_mistakes": replayed.confident_mistakes(0.9),
                     "n": len(kept)})
        if inks is not None:
            readings = [read_strokes(r, d.strokes, ink=ink) for d, ink in zip(drawings, inks)]
            rows[-1]["window"] = float(np.mean([x is not None and x.text == str(d.label)
                                                for x, d in zip(readings, drawings)]))
            rows[-1]["window_split"] = int(sum(x is not None and len(x.digits) > 1
                                               for x in readings))
        last = (probs.argmax(1), kept)
    print(f"| checkpoint | MNIST {args.split} as images | drawn on the canvas | lowest class | "
          "wrong at p > 0.9 | read by the Draw tab (split into several digits) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        path = Path(row["checkpoint"])
        name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        worst = int(np.nanargmin(row["replayed_per_class"]))
        print(f"| {name} | {row['images'] * 100:.2f}% | {row['replayed'] * 100:.2f}% | "
              f"{row['replayed_lowest_class'] * 100:.1f}% ({worst}s) | "
              f"{row['replayed_confident_mistakes']} | "
              + (f"{row['window'] * 100:.2f}% ({row['window_split']}) |" if "window" in row
                 else "n/a |"))
    predictions, kept = last
    if args.mistakes:
        wrong = np.flatnonzero(predictions != labels[kept])[:100]
        sheet(args.mistakes, wrong, images[kept], inputs, labels[kept], predictions)
        print(f"mistakes of {args.checkpoints[-1].name}: {args.mistakes}")
    if args.sample:
        sheet(args.sample, range(min(40, len(kept))), images[kept], inputs, labels[kept],
              predictions)
    if args.json:
        args.json.write_text(json.dumps({"split": args.split, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
