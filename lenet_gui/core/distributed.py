"""Data-parallel training over processes started by MindSpore's ``msrun``. No Qt.

``lenet-gui train --workers N`` re-runs itself under msrun, which starts a
scheduler and N workers, each running ``python -m lenet_gui train ...``. Each
worker calls ``init_data_parallel`` first and trains on its ``shard`` of every
epoch's order. Before each update the gradients are averaged over the workers
(``nn.DistributedGradReducer``), so all workers keep the same weights. Measured
with MindSpore 2.10 on CPU (``mccl``): after 2 workers train, their weights are
bit-identical and within 2e-8 of one process trained on the same global
batches. See docs/distributed.md.

What msrun 2.10 does that this code relies on (mindspore/parallel/cluster):

* It starts the task as ``["python", script, *args]``, or ``[task, *args]``
  when the task is ``python``/``python3``. That is whichever ``python`` comes
  first on PATH, so ``msrun_env`` puts this interpreter's folder first.
* The scheduler runs the same command with ``MS_ROLE=MS_SCHED``. It serves
  the cluster inside ``init()`` and then exits, so ``init`` must run before
  any real work (such as loading MNIST).
* A CPU all-reduce waits 30 s for the other workers and then fails ("Ring
  ReduceScatter wait receiving ... failed"). So all workers must run the same
  steps and evaluations, in step with each other.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ._mindspore import import_mindspore
from .errors import ConfigError, DeviceError, first_line

DEFAULT_MASTER_PORT = 8118  # msrun's own default
MAX_WORKERS = 4096  # set_auto_parallel_context(device_num=...) accepts 1..4096
MSRUN_MODULE = "mindspore.parallel.cluster.run"  # what the msrun script runs
TRAIN_ENTRY = ("-m", "lenet_gui", "train")
#: Seconds a CPU all-reduce waits for a late worker (MindSpore's default is 30).
#: MS_CPU_COMM_OP_TIMEOUT is undocumented. Measured here: with 90, a worker
#: waited 40 s and went on. The extra time covers one epoch's evaluation.
CPU_COMM_TIMEOUT_S = 300
ERROR_PREFIX = "lenet-gui: error: "  # what cli.main prints for a LenetGuiError


def launched_by_msrun(env: Mapping[str, str] | None = None) -> bool:
    """Whether this process is one of msrun's (a worker or the scheduler)."""
    env = os.environ if env is None else env
    return env.get("MS_ROLE") in ("MS_WORKER", "MS_SCHED")


def _env_int(env: Mapping[str, str], name: str) -> int | None:
    text = env.get(name, "")
    try:
        return int(text) if text else None
    except ValueError:
        raise ConfigError(f"msrun environment: {name} must be a whole number, "
                          f"got {text!r}") from None


def rank_info(env: Mapping[str, str] | None = None) -> tuple[int, int]:
    """(rank, number of workers). Once ``init`` has run, the answer is MindSpore's.
    Before that, it comes from msrun's environment (RANK_ID, MS_WORKER_NUM or
    RANK_SIZE). Outside msrun it is (0, 1)."""
    if env is None:
        if "mindspore" in sys.modules:
            from mindspore.communication import management as comm

            if comm.GlobalComm.INITED:
                return comm.get_rank(), comm.get_group_size()
        env = os.environ
    if not launched_by_msrun(env):
        return 0, 1
    size = _env_int(env, "MS_WORKER_NUM") or _env_int(env, "RANK_SIZE") or 1
    rank = _env_int(env, "RANK_ID")
    if rank is None:  # multi-node without --node_rank: MindSpore assigns it in init()
        raise ConfigError("msrun has not given this worker a rank yet (no RANK_ID); "
                          "it is known after init_data_parallel()")
    if not 0 <= rank < size:
        raise ConfigError(f"msrun environment: rank {rank} is not in 0..{size - 1}")
    return rank, size


def init_data_parallel(device: str = "CPU") -> tuple[int, int]:
    """Use ``device``. Under msrun, also join the cluster and set data-parallel mode.
    Returns (rank, size), which is (0, 1) outside msrun.

    Call it before loading data, because in msrun's scheduler ``init()`` does
    not return. Raises DeviceError with MindSpore's own first line when
    ``device`` cannot run data parallel here.
    """
    from .devices import use_device

    use_device(device)
    if not launched_by_msrun():
        return 0, 1
    ms = import_mindspore()
    from mindspore.communication import get_group_size, get_rank, init
    from mindspore.communication.management import GlobalComm

    if not GlobalComm.INITED:
        try:
            init()  # backend from the device: hccl (Ascend), nccl (GPU), mccl (CPU)
        except (RuntimeError, ValueError, TypeError) as exc:
            what = ("the msrun scheduler stopped (a worker failed?)"
                    if os.environ.get("MS_ROLE") == "MS_SCHED"
                    else f"data-parallel training cannot start on {device}")
            raise DeviceError(f"{what}: MindSpore says: {first_line(exc)}") from None
        # DATA_PARALLEL: nn.TrainOneStepCell averages gradients by itself; the
        # "fast" train step calls grad_reducer(). Set before any net exists.
        ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL,
                                     gradients_mean=True, device_num=get_group_size())
    return get_rank(), get_group_size()


def grad_reducer(params):
    """A ``nn.DistributedGradReducer`` that averages ``params``' gradients over the
    workers. None in a single process, where there is nothing to build."""
    size = rank_info()[1]
    if size == 1:
        return None
    import_mindspore()
    from mindspore import nn

    return nn.DistributedGradReducer(params, mean=True, degree=size)


def shard(indices: np.ndarray, rank: int, size: int) -> np.ndarray:
    """This worker's part of one epoch's order: every ``size``-th index from ``rank``.

    The last ``len % size`` indices are dropped so that all workers run the same
    number of steps (each all-reduce waits for all of them). With a per-worker
    batch of ``b``, batch ``j`` of all workers together is
    ``indices[j*b*size:(j+1)*b*size]``, exactly one process's batch ``j``.
    """
    if size < 1 or not 0 <= rank < size:
        raise ValueError(f"rank {rank} is not in 0..{size - 1}")
    indices = np.asarray(indices)
    return indices[:len(indices) - len(indices) % size][rank::size]


def worker_batch_size(batch_size: int, size: int) -> int:
    """Each worker's batch for a total ``batch_size``, so the learning rate keeps its meaning."""
    if batch_size % size:
        raise ConfigError(f"batch size ({batch_size}) must be a multiple of the number "
                          f"of workers ({size})")
    return batch_size // size


def _python_name(python: str) -> str:
    """The name to give msrun (``python`` or ``python3``) that is ``python`` itself."""
    if getattr(sys, "frozen", False):
        raise ConfigError("--workers needs lenet-gui installed with pip, not the frozen "
                          "app: msrun starts each worker with 'python'")
    folder = Path(python).parent
    for name in ("python", "python3"):
        if (folder / name).exists() and os.path.samefile(folder / name, python):
            return name
    raise ConfigError(f"msrun starts workers as 'python' or 'python3' from PATH, but "
                      f"neither in {folder} is {python}")


def msrun_command(argv_for_train: Sequence[str], workers: int, *,
                  local_workers: int | None = None, master_addr: str = "127.0.0.1",
                  master_port: int = DEFAULT_MASTER_PORT, node_rank: int | None = None,
                  log_dir: str | os.PathLike = "msrun_log", join: bool = True,
                  cluster_time_out: int = 600, tail_worker_log: int | None = 0,
                  python: str | None = None,
                  entry: Sequence[str] = TRAIN_ENTRY) -> list[str]:
    """The msrun command that runs ``lenet-gui train ARGS`` as ``workers`` processes.

    Run it with ``env=msrun_env()``. msrun runs as ``python -m`` so that it uses
    this interpreter's MindSpore. ``local_workers`` is the number of processes
    on this node (default: all of them). For a multi-node job, run the same
    command on every node with that node's ``node_rank`` and the first node's
    address as ``master_addr``. ``tail_worker_log=0`` shows only rank 0's log.
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
    """The environment for ``msrun_command``. This interpreter comes first on PATH,
    because msrun runs ``python``. This package is importable from any folder."""
    env = dict(os.environ if env is None else env)
    python = python or sys.executable
    env["PATH"] = os.pathsep.join(p for p in (str(Path(python).parent), env.get("PATH")) if p)
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    env.setdefault("MS_CPU_COMM_OP_TIMEOUT", str(CPU_COMM_TIMEOUT_S))
    env.setdefault("GLOG_v", "3")  # msrun's own warnings off; errors stay in the logs
    return env


def msrun_available() -> bool:
    """Whether this MindSpore ships msrun. Checked without importing MindSpore."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("mindspore")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    root = Path(list(spec.submodule_search_locations)[0])
    return (root / "parallel" / "cluster" / "run.py").is_file()


def first_worker_error(log_dir: str | os.PathLike) -> str | None:
    """The first one-line error (``lenet-gui: error: ...``) in msrun's worker logs,
    lowest rank first. cmd_train shows it in place of msrun's traceback."""
    logs = sorted(Path(log_dir).glob("worker_*.log"),
                  key=lambda p: (len(p.name), p.name))  # worker_2 before worker_10
    for path in logs:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(ERROR_PREFIX):
                return f"worker {path.stem.split('_')[-1]}: {line[len(ERROR_PREFIX):]}"
    return None


__all__ = ["launched_by_msrun", "rank_info", "init_data_parallel", "grad_reducer", "shard",
           "worker_batch_size", "msrun_command", "msrun_env", "msrun_available",
           "first_worker_error"]
