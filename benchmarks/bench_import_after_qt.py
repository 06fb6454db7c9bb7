"""What importing MindSpore after Qt costs, with and without the window's feature check.

PySide6 looks at the source of every module imported after it (``ui/feature_check.py``
says why and what the window does about it). The window imports MindSpore after Qt, in
its model loader, so this is the floor of "first prediction possible" that Qt adds.
Each variant is a fresh ``python -c``, interleaved, timed around ``import mindspore``
only:

* alone: ``import mindspore`` with nothing before it;
* after PySide6: ``import PySide6.QtWidgets`` first, PySide6's own check in place;
* after PySide6, the app's check: the same, then ``feature_check.install()``.

    python benchmarks/bench_import_after_qt.py            # 5 runs each, medians
    python benchmarks/bench_import_after_qt.py --runs 9 --json import.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import _common as C

TIMED = "import time\nt = time.perf_counter()\nimport mindspore\nprint('BENCH_T', time.perf_counter() - t)\n"
VARIANTS = {
    "alone": TIMED,
    "after PySide6": "import PySide6.QtWidgets\n" + TIMED,
    "after PySide6, the app's check": ("import PySide6.QtWidgets\n"
                                       "from lenet_gui.ui import feature_check\n"
                                       "assert feature_check.install() is not None\n" + TIMED),
}


def run(source: str, env: dict, timeout: float) -> float:
    out = subprocess.run([sys.executable, "-c", source], env=env, capture_output=True,
                         text=True, timeout=timeout, check=True).stdout
    return float(next(line for line in out.splitlines() if line.startswith("BENCH_T"))
                 .split()[1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    env = C.child_env()
    print(C.env_line())
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for i in range(args.runs):
        for name, source in VARIANTS.items():
            times[name].append(run(source, env, args.timeout))
        print(f"  run {i + 1}: " + ", ".join(f"{n} {t[-1]:.3f} s" for n, t in times.items())
              + f"  (load {C.loadavg()})", flush=True)
    alone = C.median(times["alone"])
    print(f"\nseconds inside `import mindspore`, median of {args.runs}")
    print(f"{'':34s} median    min    max  x alone")
    for name, ts in times.items():
        print(f"{name:34s} {C.median(ts):6.3f} {min(ts):6.3f} {max(ts):6.3f}  "
              f"{C.median(ts) / alone:6.2f}")
    if args.json:
        args.json.write_text(json.dumps(times, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
