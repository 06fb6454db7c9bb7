"""LeNet5 training speed: MindSpore (each step style) against a PyTorch reference.

Both frameworks train the same network (same initial weights, copied from the
MindSpore net) on the same MNIST batches held in memory, in the same process,
interleaved in rounds so that a shared, busy machine slows them alike. Compare
the ratios, not the absolute times.

    python benchmarks/bench_train.py                        # 300 steps per candidate, batch 32
    python benchmarks/bench_train.py --steps 1000 --batch-size 64
    python benchmarks/bench_train.py --full-epoch            # one full epoch each
    python benchmarks/bench_train.py --to-accuracy 0.985     # wall time to 98.5% test accuracy
    python benchmarks/bench_train.py --untuned               # also MindSpore without the env fixes

PyTorch comes from the bench extra (``pip install -e '.[bench]'``); without it
the script says so and exits.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=None,
                   help="MNIST folder (course layout); default: the app's default, then "
                        "/work/mnist_raw")
    p.add_argument("--steps", type=int, default=300, help="steps per candidate per round")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median reported)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--full-epoch", action="store_true",
                   help="time one full epoch per candidate (one round)")
    p.add_argument("--styles", default=None,
                   help="MindSpore step styles, comma-separated (default: cell,fast; with "
                        "--to-accuracy: fast)")
    p.add_argument("--graph-mode", action="store_true",
                   help="mindspore.set_context(mode=GRAPH_MODE) first (default: PyNative)")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--torch-threads", type=int, default=1)
    p.add_argument("--ms-threads", type=int, default=0,
                   help="mindspore.device_context.cpu.op_tuning.threads_num (0: default)")
    p.add_argument("--to-accuracy", type=float, default=None, metavar="ACC",
                   help="instead: wall time until test accuracy >= ACC (MindSpore fast vs torch)")
    p.add_argument("--eval-every", type=int, default=0,
                   help="with --to-accuracy: evaluate every N steps (default: 4 times per epoch)")
    p.add_argument("--max-epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--untuned", action="store_true",
                   help="also time MindSpore without ONEDNN_MAX_CPU_ISA/MS_DEV_HOST_BLOCKING_RUN "
                        "(in a subprocess: they are process-wide)")
    p.add_argument("--no-torch", action="store_true", help="MindSpore only")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# --------------------------------------------------------------------------- data

def load_data(data_dir: Path | None):
    from lenet_gui.core.data import load_split
    from lenet_gui.core.preprocess import normalise

    candidates = [data_dir] if data_dir else []
    if not data_dir:
        try:
            from lenet_gui.core.config import default_data_dir  # type: ignore[attr-defined]

            candidates.append(Path(default_data_dir()))
        except Exception:  # noqa: BLE001 - any failure: fall back
            pass
        candidates += [ROOT / "MNIST", Path("/work/mnist_raw")]
    last = None
    for d in candidates:
        try:
            tr, te = load_split(d, "train"), load_split(d, "test")
            break
        except Exception as exc:  # noqa: BLE001
            last = exc
    else:
        sys.exit(f"no MNIST found ({last}); pass --data-dir")
    return (normalise(tr.images), tr.labels.astype(np.int32),
            normalise(te.images), te.labels.astype(np.int32))


# --------------------------------------------------------------------------- torch

def import_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    import torch

    return torch


def torch_lenet(torch, ms_net):
    """The same LeNet5 in PyTorch, initialised with ``ms_net``'s weights."""
    nn = torch.nn

    class TorchLeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, bias=False)
            self.conv2 = nn.Conv2d(6, 16, 5, bias=False)
            self.fc1 = nn.Linear(400, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            f = torch.nn.functional
            x = f.max_pool2d(f.relu(self.conv1(x)), 2)
            x = f.max_pool2d(f.relu(self.conv2(x)), 2)
            x = x.flatten(1)
            return self.fc3(f.relu(self.fc2(f.relu(self.fc1(x)))))

    net = TorchLeNet5()
    state = {p.name: torch.from_numpy(p.asnumpy().copy()) for p in ms_net.get_parameters()}
    net.load_state_dict(state, strict=True)
    return net


class TorchStep:
    def __init__(self, torch, net, lr, momentum):
        self.torch, self.net = torch, net
        self.opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
        self.loss = torch.nn.CrossEntropyLoss()

    def __call__(self, x, y):
        t = self.torch
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss(self.net(t.from_numpy(x)), t.from_numpy(y).long())
        loss.backward()
        self.opt.step()
        return loss.detach().item()

    def logits(self, x):
        with self.torch.no_grad():
            return self.net(self.torch.from_numpy(np.ascontiguousarray(x))).numpy()


def warm_up_torch(torch):
    """Run one conv step so that PyTorch's own oneDNN fixes its ISA now.

    PyTorch bundles oneDNN too, and it also reads ONEDNN_MAX_CPU_ISA once, at first
    use. The AVX2 cap MindSpore needs costs PyTorch ~20% here, so PyTorch's oneDNN
    is initialised before ``import_mindspore()`` sets the variable (unless the
    user exported it: then both see it).
    """
    x = torch.zeros(2, 1, 32, 32, requires_grad=True)
    w = torch.zeros(6, 1, 5, 5, requires_grad=True)
    y = torch.nn.functional.max_pool2d(torch.nn.functional.conv2d(x, w), 2)
    y.sum().backward()


# --------------------------------------------------------------------------- helpers

def accuracy(logits_fn, x, y, batch=1000):
    right = 0
    for s in range(0, len(x), batch):
        right += int((logits_fn(x[s:s + batch]).argmax(1) == y[s:s + batch]).sum())
    return right / len(x)


def env_line():
    try:
        load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        load = "?"
    return (f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load}, "
            f"ONEDNN_MAX_CPU_ISA={os.environ.get('ONEDNN_MAX_CPU_ISA', '(unset)')}, "
            f"MS_DEV_HOST_BLOCKING_RUN={os.environ.get('MS_DEV_HOST_BLOCKING_RUN', '(unset)')}")


def build_candidates(args, ms, torch, styles):
    from lenet_gui.core.network import LeNet5
    from lenet_gui.core.predict import make_forward
    from lenet_gui.core.train_step import make_train_step

    cands = {}
    first_net = None
    for style in styles:
        ms.set_seed(args.seed)
        net = LeNet5()
        first_net = first_net or net
        step = make_train_step(net, args.lr, args.momentum, style=style)
        cands[f"mindspore {style}"] = (step, make_forward(net))
    if torch is not None:
        if first_net is None:
            ms.set_seed(args.seed)
            first_net = LeNet5()
        tstep = TorchStep(torch, torch_lenet(torch, first_net), args.lr, args.momentum)
        cands["pytorch"] = (tstep, tstep.logits)
    return cands


# --------------------------------------------------------------------------- modes

def run_speed(args, ms, torch, data, styles):
    x, y, _xt, _yt = data
    b = args.batch_size
    cands = build_candidates(args, ms, torch, styles)
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(x))
    n_batches = len(x) // b
    steps = n_batches if args.full_epoch else args.steps
    rounds = 1 if args.full_epoch else args.rounds
    compile_s = {}
    for name, (step, _) in cands.items():  # first call: compile
        t = time.perf_counter()
        step(x[order[:b]], y[order[:b]])
        compile_s[name] = time.perf_counter() - t
    times = {name: [] for name in cands}
    cursor = {name: 0 for name in cands}
    for _ in range(rounds):
        for name, (step, _) in cands.items():
            t = time.perf_counter()
            for _ in range(steps):
                i = cursor[name] % n_batches
                idx = order[i * b:(i + 1) * b]
                step(x[idx], y[idx])
                cursor[name] += 1
            times[name].append(time.perf_counter() - t)
    rows = []
    ref = statistics.median(times["pytorch"]) / steps if "pytorch" in times else None
    for name, ts in times.items():
        per = statistics.median(ts) / steps
        rows.append({"candidate": name, "ms_per_step": per * 1e3, "best_ms_per_step":
                     min(ts) / steps * 1e3, "samples_per_s": b / per,
                     "epoch_s": per * n_batches, "first_call_s": compile_s[name],
                     "vs_pytorch": per / ref if ref else None})
    return {"mode": "full-epoch" if args.full_epoch else "steps", "steps": steps,
            "rounds": rounds, "batch_size": b, "rows": rows}


def run_to_accuracy(args, ms, torch, data, styles):
    x, y, xt, yt = data
    b = args.batch_size
    cands = build_candidates(args, ms, torch, styles)
    n_batches = len(x) // b
    every = args.eval_every or max(1, n_batches // 4)
    state = {}
    for name in cands:
        state[name] = {"rng": np.random.default_rng(args.seed), "order": None, "i": n_batches,
                       "steps": 0, "train_s": 0.0, "eval_s": 0.0, "acc": [], "done": False}
    max_steps = args.max_epochs * n_batches
    while not all(s["done"] for s in state.values()):
        for name, (step, logits) in cands.items():
            s = state[name]
            if s["done"]:
                continue
            t = time.perf_counter()
            for _ in range(min(every, max_steps - s["steps"])):
                if s["i"] >= n_batches:
                    s["order"], s["i"] = s["rng"].permutation(len(x)), 0
                idx = s["order"][s["i"] * b:(s["i"] + 1) * b]
                step(x[idx], y[idx])
                s["i"] += 1
                s["steps"] += 1
            t1 = time.perf_counter()
            acc = accuracy(logits, xt, yt)
            s["train_s"] += t1 - t
            s["eval_s"] += time.perf_counter() - t1
            s["acc"].append((s["steps"] / n_batches, acc))
            if acc >= args.to_accuracy or s["steps"] >= max_steps:
                s["done"] = True
                s["reached"] = acc >= args.to_accuracy
            print(f"  {name:20s} epoch {s['steps'] / n_batches:5.2f}: test accuracy "
                  f"{acc * 100:.2f}%  (train {s['train_s']:.1f} s, eval {s['eval_s']:.1f} s)",
                  flush=True)
    rows = []
    for name, s in state.items():
        rows.append({"candidate": name, "reached": s["reached"], "epochs": s["steps"] / n_batches,
                     "train_s": s["train_s"], "eval_s": s["eval_s"],
                     "wall_s": s["train_s"] + s["eval_s"], "final_accuracy": s["acc"][-1][1]})
    ref = next((r for r in rows if r["candidate"] == "pytorch"), None)
    for r in rows:
        r["vs_pytorch"] = r["wall_s"] / ref["wall_s"] if ref else None
    return {"mode": "to-accuracy", "target": args.to_accuracy, "batch_size": b,
            "eval_every": every, "rows": rows}


def print_table(res):
    rows = res["rows"]
    if res["mode"] == "to-accuracy":
        print(f"\ntime to {res['target'] * 100:.1f}% test accuracy, batch {res['batch_size']}, "
              f"evaluating every {res['eval_every']} steps (10,000 test images)")
        print(f"{'candidate':28s} {'reached':>7s} {'epochs':>7s} {'train s':>8s} {'eval s':>7s} "
              f"{'wall s':>7s} {'x torch':>8s}")
        for r in rows:
            vs = f"{r['vs_pytorch']:.2f}" if r.get("vs_pytorch") else "-"
            print(f"{r['candidate']:28s} {str(r['reached']):>7s} {r['epochs']:7.2f} "
                  f"{r['train_s']:8.1f} {r['eval_s']:7.1f} {r['wall_s']:7.1f} {vs:>8s}")
        return
    what = "one full epoch" if res["mode"] == "full-epoch" else \
        f"{res['steps']} steps x {res['rounds']} rounds (median)"
    print(f"\nbatch {res['batch_size']}, {what}")
    print(f"{'candidate':28s} {'ms/step':>8s} {'best':>7s} {'samples/s':>10s} {'epoch s':>8s} "
          f"{'1st call s':>10s} {'x torch':>8s}")
    for r in rows:
        vs = f"{r['vs_pytorch']:.2f}" if r.get("vs_pytorch") else "-"
        print(f"{r['candidate']:28s} {r['ms_per_step']:8.2f} {r['best_ms_per_step']:7.2f} "
              f"{r['samples_per_s']:10.0f} {r['epoch_s']:8.1f} {r['first_call_s']:10.2f} "
              f"{vs:>8s}")


def run_untuned_child(args):
    """MindSpore without the env fixes, in a subprocess (the variables are process-wide)."""
    env = dict(os.environ, ONEDNN_MAX_CPU_ISA="ALL", MS_DEV_HOST_BLOCKING_RUN="0")
    steps = max(10, min(args.steps, 40))  # untuned is 10-30x slower
    cmd = [sys.executable, __file__, "--child", "--no-torch", "--steps", str(steps),
           "--rounds", "1", "--batch-size", str(args.batch_size), "--styles", args.styles,
           "--json", "/dev/stdout"]
    if args.graph_mode:
        cmd.append("--graph-mode")
    if args.data_dir:
        cmd += ["--data-dir", str(args.data_dir)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    try:
        line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1]
        res = json.loads(line)
    except (IndexError, json.JSONDecodeError):
        print("untuned run failed:", out.stderr[-2000:], file=sys.stderr)
        return []
    for r in res["rows"]:
        r["candidate"] += " (untuned)"
    return res["rows"]


def main(argv=None) -> int:
    args = parse_args(argv)
    torch = None
    if not args.no_torch:
        torch = import_torch()
        if torch is None:
            print("PyTorch is not installed: this benchmark compares against it. Install the "
                  "bench extra (pip install -e '.[bench]'), or pass --no-torch.")
            return 0
        torch.set_num_threads(args.torch_threads)
        warm_up_torch(torch)
    # Sets the runtime variables unless exported (the untuned child exports others).
    from lenet_gui.core._mindspore import import_mindspore

    ms = import_mindspore()
    if args.graph_mode:
        ms.set_context(mode=ms.GRAPH_MODE)
    if args.ms_threads:
        ms.device_context.cpu.op_tuning.threads_num(args.ms_threads)
    if args.styles is None:
        args.styles = "fast" if args.to_accuracy is not None else "cell,fast"
    styles = [s.strip() for s in args.styles.split(",") if s.strip()]
    data = load_data(args.data_dir)
    if not args.child:
        print(env_line())
        print(f"mindspore {ms.__version__} ({'GRAPH' if args.graph_mode else 'PyNative'} mode"
              f"{', threads_num %d' % args.ms_threads if args.ms_threads else ''})"
              + (f", torch {torch.__version__} ({args.torch_threads} thread"
                 f"{'s' if args.torch_threads != 1 else ''})" if torch else ""), flush=True)
    if args.to_accuracy is not None:
        res = run_to_accuracy(args, ms, torch, data, styles)
    else:
        res = run_speed(args, ms, torch, data, styles)
        if args.untuned:
            res["rows"] += run_untuned_child(args)
            ref = next((r for r in res["rows"] if r["candidate"] == "pytorch"), None)
            for r in res["rows"]:
                r["vs_pytorch"] = r["ms_per_step"] / ref["ms_per_step"] if ref else None
    if args.json:
        text = json.dumps(res)
        if str(args.json) == "/dev/stdout":
            print(text)
        else:
            args.json.write_text(text + "\n")
    if not args.child:
        print_table(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
