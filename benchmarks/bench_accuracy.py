"""Accuracy of checkpoints on MNIST test and on every drawn-digit set (issue 10's targets).

For each checkpoint: MNIST test accuracy; accuracy, lowest per-class accuracy and
confident mistakes (wrong with probability > 0.9) on the neat, hard, international and
held-out drawn sets (tests/data; the held-out set is never used to choose anything).

    python benchmarks/bench_accuracy.py --data-dir ../shared/MNIST
    python benchmarks/bench_accuracy.py --checkpoints checkpoints/*.ckpt --json out.json
    python benchmarks/bench_accuracy.py --shipped-history   # every checkpoint ever shipped

``--shipped-history`` reads each version of ``checkpoints/lenet5_mnist.ckpt`` in the
git history (``git show``), oldest first, labelled by its commit: what each change to
the recipe cost or gained on MNIST against the drawings.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _common import CHECKPOINTS, DRAWN_SETS, SHARED_MNIST  # noqa: E402
TARGETS = {"mnist": 0.995, "neat": 0.995, "hard": 0.995, "international": 0.98,
           "class": 0.97}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoints", type=Path, nargs="+", default=list(CHECKPOINTS))
    p.add_argument("--data-dir", type=Path, default=SHARED_MNIST)
    p.add_argument("--shipped-history", action="store_true",
                   help="also every version of checkpoints/lenet5_mnist.ckpt in the git "
                        "history, oldest first")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


SHIPPED = Path("checkpoints/lenet5_mnist.ckpt")
HISTORY_PREFIX = "lenet-gui-shipped-"  # the folder shipped_history writes into


def shipped_history(folder: Path) -> list[Path]:
    """Each committed version of the shipped checkpoint (and its metadata), written
    to ``folder`` as ``<date>-<commit>.ckpt``, oldest first."""
    def git(*cmd: str) -> bytes:
        return subprocess.run(["git", "-C", str(ROOT), *cmd], check=True,
                              capture_output=True).stdout

    try:
        log = git("log", "--reverse", "--format=%h %ad", "--date=short", "--",
                  SHIPPED.as_posix())
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit(f"--shipped-history needs a git checkout with git installed: {e}")
    paths = []
    for line in log.decode().split("\n"):
        if not line.strip():
            continue
        commit, date = line.split()
        path = folder / f"{date}-{commit}.ckpt"
        path.write_bytes(git("show", f"{commit}:{SHIPPED.as_posix()}"))
        try:
            path.with_suffix(".json").write_bytes(
                git("show", f"{commit}:{SHIPPED.with_suffix('.json').as_posix()}"))
        except subprocess.CalledProcessError:
            pass  # the first checkpoints had no metadata file
        paths.append(path)
    return paths


def main(argv=None) -> int:
    args = parse_args(argv)
    from lenet_gui.core.data import load_split
    from lenet_gui.core.evaluation import evaluate_drawings
    from lenet_gui.core.predict import Recognizer, evaluate
    from lenet_gui.core.strokes import load_drawings

    test = load_split(args.data_dir, "test") if (args.data_dir / "test").is_dir() else None
    sets = {name: load_drawings(path) for name, path in DRAWN_SETS.items() if path.is_file()}
    rows = []
    checkpoints = list(args.checkpoints)
    if args.shipped_history:
        checkpoints += shipped_history(Path(tempfile.mkdtemp(prefix=HISTORY_PREFIX)))
    for ckpt in checkpoints:
        r = Recognizer(ckpt)
        row = {"checkpoint": str(ckpt)}
        if test is not None:
            row["mnist"] = evaluate(r, test.images, test.labels).accuracy
        confident = wrong = 0
        for name, drawings in sets.items():
            ev = evaluate_drawings(r, drawings)
            lowest = min(a for a in ev.per_class if not math.isnan(a))
            row[name] = {"accuracy": ev.accuracy, "lowest_class": lowest,
                         "confident_mistakes": ev.confident_mistakes(0.9),
                         "per_class": ev.per_class}
            if name != "holdout":
                confident += ev.confident_mistakes(0.9)
                wrong += round((1 - ev.accuracy) * ev.samples)
        row["confident_mistakes_tuning_sets"] = confident
        row["wrong_tuning_sets"] = wrong
        rows.append(row)
    head = ["checkpoint", "MNIST test"] + [f"{n} (lowest class)" for n in sets] + [
        "wrong (neat+hard+intl)", "wrong at p>0.9 (neat+hard+intl)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        path = Path(row["checkpoint"])
        if path.is_relative_to(ROOT):
            name = str(path.relative_to(ROOT))
        elif path.parent.name.startswith(HISTORY_PREFIX):
            name = f"shipped {path.stem}"
        else:
            name = str(path)
        cells = [name,
                 f"{row['mnist'] * 100:.2f}%" if "mnist" in row else "n/a"]
        for n in sets:
            s = row[n]
            cells.append(f"{s['accuracy'] * 100:.2f}% ({s['lowest_class'] * 100:.0f}%)")
        cells += [str(row["wrong_tuning_sets"]), str(row["confident_mistakes_tuning_sets"])]
        print("| " + " | ".join(cells) + " |")
    print("targets: MNIST test >= 99.5%, neat and hard >= 99.5%, international >= 98%, every "
          "class >= 97% on every set, confident mistakes <= half of the previous checkpoint's")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
