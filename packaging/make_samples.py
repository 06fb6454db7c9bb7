"""Write resources/samples/digit-<d>.png: one MNIST test digit per class, for --self-test.

    python packaging/make_samples.py --mnist /work/mnist_raw CHECKPOINT [CHECKPOINT ...]

Each sample is an MNIST *test* image (never trained on), inverted to dark ink on white
and saved as a 28x28 greyscale PNG, so the self-test reads it the way the app reads a
user's image file (``read_image_ink`` -> ``preprocess_ink``). For each digit the image
chosen is, among the first ``--search`` test images of that class, the one the given
checkpoints agree on most confidently (the largest lowest-probability-of-the-true-
class across checkpoints): a plain, typical digit that any trained LeNet5 gets right.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "resources" / "samples"


def to_png(image28: np.ndarray, path: Path) -> None:
    Image.fromarray(255 - np.asarray(image28, dtype=np.uint8), mode="L").save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", nargs="+", type=Path)
    parser.add_argument("--mnist", type=Path, required=True, help="folder with test/")
    parser.add_argument("--search", type=int, default=300,
                        help="candidates per digit (default %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    from lenet_gui.core.data import load_split
    from lenet_gui.core.predict import Recognizer
    from lenet_gui.core.preprocess import preprocess_ink, read_image_ink

    test = load_split(args.mnist, "test")
    recognizers = [Recognizer(p) for p in args.checkpoints]
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for digit in range(10):
            indices = np.flatnonzero(test.labels == digit)[:args.search]
            inputs = []
            for i in indices:
                # Through the PNG and the app's own reading path, exactly as the self-test.
                png = Path(tmp) / f"{i}.png"
                to_png(test.images[i], png)
                inputs.append(preprocess_ink(read_image_ink(png)))
            x = np.stack(inputs)
            worst = np.min([r.probabilities(x)[:, digit] for r in recognizers], axis=0)
            best = int(np.argmax(worst))
            index = int(indices[best])
            to_png(test.images[index], args.out / f"digit-{digit}.png")
            print(f"digit-{digit}.png: MNIST test image #{index}, lowest probability of "
                  f"{digit} across checkpoints {worst[best]:.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
