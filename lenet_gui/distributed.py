"""Data-parallel training over processes started by MindSpore's ``msrun``. No Qt.

``lenet-gui train --workers N`` re-runs itself under msrun: msrun starts a
scheduler and N workers, each running ``python -m lenet_gui train ...``. Each
worker calls ``init_data_parallel`` first, trains on its ``shard`` of every
epoch's order, and the gradients are averaged over the workers
(``nn.DistributedGradReducer``) before each update, so all workers keep the same
weights. Measured with MindSpore 2.10 on CPU (``mccl`` backend): 2 workers give
weights bit-identical to each other and within 2e-8 of one process on the same
global batches. See docs/distributed.md.

Facts from msrun 2.10 this relies on (mindspore/parallel/cluster/process_entity):

* It starts the task as ``["python", script, *args]``, or ``[task, *args]``
  when the task is ``python``/``python3``/``pytest``, whichever ``python`` is
  first on PATH: ``msrun_env`` puts this interpreter's folder first.
* The scheduler runs the same command with ``MS_ROLE=MS_SCHED``; inside
  ``init()`` it serves the cluster and the process exits, so ``init`` must come
  before any real work (loading MNIST).
* A CPU all-reduce waits about 30 s for the other workers, then fails
  ("Ring ReduceScatter wait receiving ... failed"): every worker must run the
  same steps and the same evaluations, in step.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ._mindspore import import_mindspore
from .errors import ConfigError, DeviceError, first_line

DEFAULT_MASTER_PORT = 8118  # msrun's own default
MAX_WORKERS = 4096  # set_auto_parallel_context(device_num=...) accepts 1..4096
#: Launcher of the same MindSpore as this interpreter (what ``msrun`` runs).
MSRUN_MODULE = "mindspore.parallel.cluster.run"
TRAIN_ENTRY = ("-m", "lenet_gui", "train")
CPU_COMM_TIMEOUT_S = 300


def launched_by_msrun(env: Mapping[str, str] | None = None) -> bool:
    """Whether this process is one of msrun's (a worker or the scheduler)."""
    env = os.environ if env is None else env
    return env.get("MS_ROLE") in ("MS_WORKER", "MS_SCHED")


def _env_int(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    text = env.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"msrun environment: {name} must be a whole number, "
                          f"got {text!r}") from None


def rank_info(env: Mapping[str, str] | None = None) -> tuple[int, int]:
    """(rank, number of workers): MindSpore's answer once ``init`` ran, else msrun's
    environment (RANK_ID, MS_WORKER_NUM / RANK_SIZE); (0, 1) outside msrun.

    Before ``init`` a multi-node job started without ``--node_rank`` has no
    RANK_ID yet (MindSpore assigns ranks while the cluster forms): rank 0 then.
    """
    if env is None:
        from_ms = _initialised_rank()
        if from_ms is not None:
            return from_ms
        env = os.environ
    if not launched_by_msrun(env):
        return 0, 1
    size = _env_int(env, "MS_WORKER_NUM", None) or _env_int(env, "RANK_SIZE", 1)
    rank = _env_int(env, "RANK_ID", 0)
    if size < 1 or not 0 <= rank < size:
        raise ConfigError(f"msrun environment: rank {rank} is not in 0..{size - 1}")
    return rank, size


def _initialised_rank() -> tuple[int, int] | None:
    if "mindspore" not in sys.modules:
        return None
    from mindspore.communication.management import GlobalComm, get_group_size, get_rank

    if not GlobalComm.INITED:
        return None
    return get_rank(), get_group_size()


def init_data_parallel(device: str = "CPU") -> tuple[int, int]:
    """Join msrun's cluster and set data-parallel mode; (0, 1) when not under msrun.

    Call it first, before loading data: in msrun's scheduler process ``init()``
    does not return. DeviceError with MindSpore's own first line when the
    device or its collective library cannot run data parallel here.
    """
    if not launched_by_msrun():
        return 0, 1
    from .devices import use_device

    use_device(device)
    ms = import_mindspore()
    from mindspore.communication import get_group_size, get_rank, init

    try:
        init()  # backend from the device: hccl (Ascend), nccl (GPU), mccl (CPU)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise DeviceError(f"data-parallel training cannot start on {device}: MindSpore "
                          f"says: {first_line(exc)}") from None
    rank, size = get_rank(), get_group_size()
    # DATA_PARALLEL makes nn.TrainOneStepCell average gradients by itself; the
    # "fast" step uses grad_reducer() below.
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL,
                                 gradients_mean=True, device_num=size)
    return rank, size


def grad_reducer(params):
    """``nn.DistributedGradReducer`` averaging ``params``' gradients over the workers,
    or None in a single process (no communication to build)."""
    rank_size = rank_info()[1]
    if rank_size == 1:
        return None
    import_mindspore()
    from mindspore import nn

    return nn.DistributedGradReducer(params, mean=True, degree=rank_size)


def shard(indices: np.ndarray, rank: int, size: int) -> np.ndarray:
    """This worker's part of one epoch's order: every ``size``-th index from ``rank``.

    The last ``len % size`` indices are dropped so that every worker runs the
    same number of steps (an all-reduce waits for all). With per-worker batch
    ``b``, batch ``j`` of all workers together is ``indices[j*b*size:(j+1)*b*size]``,
    exactly one process's batch ``j`` of size ``b*size``.
    """
    if size < 1 or not 0 <= rank < size:
        raise ValueError(f"rank {rank} is not in 0..{size - 1}")
    indices = np.asarray(indices)
    return indices[:len(indices) - len(indices) % size][rank::size]


def worker_batch_size(batch_size: int, size: int) -> int:
    """Per-worker batch for a global ``batch_size`` (the learning rate keeps its meaning)."""
    if batch_size % size:
        raise ConfigError(f"batch size ({batch_size}) must be a multiple of the number "
                          f"of workers ({size})")
    return batch_size // size


def _python_name(python: str) -> str:
    """The name msrun must be given (python or python3) that is ``python`` itself."""
    if getattr(sys, "frozen", False):
        raise ConfigError("--workers needs lenet-gui installed in Python (pip), not the "
                          "frozen app: msrun starts each worker with 'python'")
    folder = Path(python).parent
    for name in ("python", "python3"):
        candidate = folder / name
        if candidate.exists() and os.path.samefile(candidate, python):
            return name
    raise ConfigError(f"msrun starts workers as 'python' or 'python3' from PATH, and "
                      f"neither in {folder} is {python}")


def msrun_command(argv_for_train: Sequence[str], workers: int, *,
                  local_workers: int | None = None, master_addr: str = "127.0.0.1",
                  master_port: int = DEFAULT_MASTER_PORT, node_rank: int | None = None,
                  log_dir: str | os.PathLike = "msrun_log", join: bool = True,
                  cluster_time_out: int = 120, tail_worker_log: int | None = 0,
                  python: str | None = None,
                  entry: Sequence[str] = TRAIN_ENTRY) -> list[str]:
    """The msrun command that runs ``lenet-gui train ARGS`` as ``workers`` processes.

    Run it with ``env=msrun_env()``. msrun is run as ``python -m`` so that it is
    this interpreter's MindSpore. ``local_workers``: processes on this node
    (default: all); multi-node jobs run the same command on every node with its
    ``node_rank`` and the first node's address as ``master_addr``.
    """
    python = python or sys.executable
    local = workers if local_workers is None else local_workers
    if not 1 <= workers <= MAX_WORKERS:
        raise ConfigError(f"workers must be in 1..{MAX_WORKERS}, got {workers}")
    if not 1 <= local <= workers:
        raise ConfigError(f"workers on this node must be in 1..{workers}, got {local}")
    if not 1024 <= master_port <= 65535:
        raise ConfigError(f"master port must be in 1024..65535, got {master_port}")
    if node_rank is not None and not 0 <= node_rank < workers:
        raise ConfigError(f"node rank must be in 0..{workers - 1}, got {node_rank}")
    cmd = [python, "-m", MSRUN_MODULE, f"--worker_num={workers}",
           f"--local_worker_num={local}", f"--master_addr={master_addr}",
           f"--master_port={master_port}"]
    if node_rank is not None:
        cmd.append(f"--node_rank={node_rank}")
    cmd += [f"--log_dir={os.fspath(log_dir)}", f"--join={join}",
            f"--cluster_time_out={cluster_time_out}"]
    if tail_worker_log is not None:
        cmd.append(f"--tail_worker_log={tail_worker_log}")
    return cmd + [_python_name(python), *entry, *argv_for_train]


def msrun_env(env: Mapping[str, str] | None = None, python: str | None = None) -> dict:
    """The environment for ``msrun_command``: this interpreter first on PATH (msrun
    runs ``python``) and this package importable, whatever the working folder."""
    env = dict(os.environ if env is None else env)
    python = python or sys.executable
    env["PATH"] = os.pathsep.join([str(Path(python).parent), env.get("PATH", "")])
    here = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    # A CPU all-reduce waits 30 s for a late worker, then fails; not documented,
    # measured: 90 let a worker wait 40 s. Room for one epoch's evaluation.
    env.setdefault("MS_CPU_COMM_OP_TIMEOUT", str(CPU_COMM_TIMEOUT_S))
    return env


def msrun_available() -> bool:
    """Whether this MindSpore ships msrun, found without importing MindSpore."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("mindspore")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    root = Path(list(spec.submodule_search_locations)[0])
    return (root / "parallel" / "cluster" / "run.py").is_file()


def check(out_dir: Path, data_dir: Path, steps: int = 4, batch_size: int = 32,
          seed: int = 1) -> dict:
    """A few data-parallel steps with each step style, for a new cluster and the tests.

    Every worker writes ``<style>_rank<r>.npz`` (its weights) and ``rank<r>.json``
    (losses, whether the gradients were averaged). Run in one process it writes
    the reference: same global batches, no communication.
    """
    rank, size = init_data_parallel("CPU")
    from .data import load_split
    from .model import build_lenet5
    from .preprocess import normalise
    from .train_step import make_train_step

    ms = import_mindspore()
    split = load_split(data_dir, "train")
    n = steps * batch_size
    if len(split) < n:
        raise ConfigError(f"{steps} steps of {batch_size} need {n} images; {data_dir} "
                          f"has {len(split)}")
    x, y = normalise(split.images[:n]), split.labels[:n].astype(np.int32)
    mine, b = shard(np.random.default_rng(seed).permutation(n), rank, size), \
        worker_batch_size(batch_size, size)
    report = {"rank": rank, "size": size, "styles": {}}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for style in ("cell", "fast"):
        ms.set_seed(seed)  # every worker starts from the same weights
        net = build_lenet5()
        step = make_train_step(net, learning_rate=0.01, momentum=0.9, style=style)
        cell = step._cell
        reduced = bool(cell.reducer_flag) if style == "cell" else \
            getattr(cell, "grad_reducer", None) is not None
        losses = [step(x[idx], y[idx]) for idx in (mine[j * b:(j + 1) * b]
                                                   for j in range(steps))]
        np.savez(out_dir / f"{style}_rank{rank}.npz",
                 **{p.name: p.asnumpy() for p in net.trainable_params()})
        report["styles"][style] = {"losses": losses, "reduced": reduced}
    (out_dir / f"rank{rank}.json").write_text(json.dumps(report) + "\n", encoding="utf-8")
    return report


def _main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from .errors import LenetGuiError

    parser = argparse.ArgumentParser(prog="python -m lenet_gui.distributed",
                                     description="data-parallel self-check (run under msrun)")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args(argv)
    try:
        report = check(args.out_dir, args.data_dir, steps=args.steps)
    except LenetGuiError as exc:
        print(f"lenet-gui: error: {exc}", file=sys.stderr)
        return 1
    print(f"rank {report['rank']} of {report['size']}: " + "; ".join(
        f"{k} loss {v['losses'][-1]:.5f}" for k, v in report["styles"].items()), flush=True)
    return 0


__all__ = ["launched_by_msrun", "rank_info", "init_data_parallel", "grad_reducer", "shard",
           "worker_batch_size", "msrun_command", "msrun_env", "msrun_available", "check"]


if __name__ == "__main__":
    sys.exit(_main())
