"""Data parallel under msrun: the launch command, the sharding, msrun's environment,
MindSpore's own refusal, and (-m slow, about 50 s) real msrun jobs of two CPU
workers: their weights must match each other and one process, and a failing
worker must fail the job with its one-line error, leaving no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from lenet_gui.core import distributed as dist
from lenet_gui.core.errors import ConfigError, DeviceError, LenetGuiError

PY = sys.executable


# --------------------------------------------------------------------------- command line

def test_msrun_command_runs_this_interpreters_msrun_and_the_train_command(tmp_path):
    cmd = dist.msrun_command(["--epochs", "1", "--limit", "64"], 2, log_dir=tmp_path,
                             master_port=8200)
    i = cmd.index(dist._python_name(PY))
    assert cmd[:3] == [PY, "-m", "mindspore.parallel.cluster.run"]
    assert cmd[3:i] == ["--worker_num=2", "--local_worker_num=2", "--master_addr=127.0.0.1",
                        "--master_port=8200", f"--log_dir={tmp_path}", "--join=True",
                        "--cluster_time_out=600", "--tail_worker_log=0"]
    # msrun runs [task, *args] only when the task is python/python3: otherwise it
    # prepends "python" itself (mindspore/parallel/cluster/process_entity/_utils.py).
    assert cmd[i] in ("python", "python3")
    assert cmd[i + 1:] == ["-m", "lenet_gui", "train", "--epochs", "1", "--limit", "64"]


def test_msrun_command_multi_node_and_options():
    cmd = dist.msrun_command([], 8, local_workers=4, master_addr="10.0.0.1",
                             master_port=9000, node_rank=1, join=False, tail_worker_log=None,
                             entry=("job.py",))
    assert "--worker_num=8" in cmd and "--local_worker_num=4" in cmd
    assert "--master_addr=10.0.0.1" in cmd and "--node_rank=1" in cmd
    assert "--join=False" in cmd
    assert not any(a.startswith("--tail_worker_log") for a in cmd)
    assert cmd[-2:] == [dist._python_name(PY), "job.py"]


@pytest.mark.parametrize("kwargs, words", [
    ({"workers": 0}, "workers must be in 1..4096"),
    ({"workers": 2, "local_workers": 3}, "workers on this node must be in 1..2"),
    ({"workers": 2, "master_port": 80}, "master port must be in 1024..65535"),
    ({"workers": 2, "node_rank": 2}, "node rank must be in 0..1"),
])
def test_msrun_command_rejects_bad_settings(kwargs, words):
    workers = kwargs.pop("workers")
    with pytest.raises(ConfigError, match=words):
        dist.msrun_command([], workers, **kwargs)


def test_msrun_command_needs_a_python_that_msrun_can_find(tmp_path):
    lone = tmp_path / "python3.11"  # neither python nor python3 next to it
    lone.write_text("")
    with pytest.raises(ConfigError, match="'python' or 'python3' from PATH"):
        dist.msrun_command([], 2, python=str(lone))


def test_msrun_env_puts_this_python_first_and_the_package_on_the_path():
    env = dist.msrun_env({"PATH": "/usr/bin", "PYTHONPATH": "/x"})
    assert env["PATH"].split(os.pathsep) == [str(Path(PY).parent), "/usr/bin"]
    root = str(Path(dist.__file__).resolve().parents[2])  # the folder holding lenet_gui
    assert env["PYTHONPATH"].split(os.pathsep) == [root, "/x"]
    assert env["MS_CPU_COMM_OP_TIMEOUT"] == str(dist.CPU_COMM_TIMEOUT_S)
    kept = dist.msrun_env({"PATH": "", "MS_CPU_COMM_OP_TIMEOUT": "7"})
    assert kept["MS_CPU_COMM_OP_TIMEOUT"] == "7" and kept["PATH"] == str(Path(PY).parent)
    assert dist.msrun_available()  # MindSpore 2.10 ships it


# --------------------------------------------------------------------------- sharding

@pytest.mark.parametrize("n, size", [(10, 1), (10, 2), (11, 2), (100, 3), (7, 4), (3, 5)])
def test_shards_are_disjoint_equal_and_cover_all_but_the_remainder(n, size):
    order = np.random.default_rng(n).permutation(n)
    parts = [dist.shard(order, r, size) for r in range(size)]
    assert {len(p) for p in parts} == {n // size}
    joined = np.concatenate(parts)
    assert len(set(joined.tolist())) == len(joined)  # disjoint
    assert set(joined.tolist()) == set(order[:n - n % size].tolist())  # all but the tail


def test_a_step_of_all_workers_is_one_batch_of_a_single_process():
    order = np.random.default_rng(0).permutation(64)
    b, size = 4, 2
    for j in range(64 // (b * size)):
        together = np.concatenate([dist.shard(order, r, size)[j * b:(j + 1) * b]
                                   for r in range(size)])
        assert sorted(together) == sorted(order[j * b * size:(j + 1) * b * size])


def test_shard_and_batch_size_reject_bad_values():
    with pytest.raises(ValueError):
        dist.shard(np.arange(4), 2, 2)
    assert dist.worker_batch_size(32, 2) == 16
    with pytest.raises(ConfigError, match="multiple of the number of workers"):
        dist.worker_batch_size(33, 2)


# --------------------------------------------------------------------------- environment

# What msrun 2.10 exported to a worker and to the scheduler (printed by a probe).
WORKER_ENV = {"MS_ROLE": "MS_WORKER", "MS_WORKER_NUM": "2", "MS_SCHED_HOST": "127.0.0.1",
              "MS_SCHED_PORT": "8137", "MS_NODE_ID": "1", "RANK_ID": "1", "RANK_SIZE": "2",
              "DEVICE_ID": "1", "MS_TOPO_TIMEOUT": "60"}


def test_rank_info_reads_msruns_environment():
    assert dist.rank_info(WORKER_ENV) == (1, 2)
    assert dist.rank_info({**WORKER_ENV, "MS_ROLE": "MS_SCHED", "RANK_ID": "0"}) == (0, 2)
    assert dist.rank_info({"RANK_ID": "3", "RANK_SIZE": "8"}) == (0, 1)  # not msrun's
    assert dist.rank_info({**WORKER_ENV, "MS_WORKER_NUM": ""}) == (1, 2)  # RANK_SIZE
    assert dist.launched_by_msrun(WORKER_ENV) and not dist.launched_by_msrun({})


@pytest.mark.parametrize("change, words", [
    ({"RANK_ID": "two"}, "RANK_ID must be a whole number"),
    ({"RANK_ID": "2"}, r"rank 2 is not in 0\.\.1"),
    ({"RANK_ID": None}, "no RANK_ID"),
])
def test_rank_info_rejects_what_it_cannot_use(change, words):
    env = {k: v for k, v in {**WORKER_ENV, **change}.items() if v is not None}
    with pytest.raises(ConfigError, match=words):
        dist.rank_info(env)


def test_single_process_needs_no_cluster(monkeypatch):
    monkeypatch.delenv("MS_ROLE", raising=False)
    assert dist.init_data_parallel("CPU") == (0, 1)
    assert dist.rank_info() == (0, 1)
    assert dist.grad_reducer(()) is None


def test_mindspores_refusal_is_one_clear_line(monkeypatch):
    # MindSpore 2.10 refuses a CPU data-parallel job in dry-run (simulation) mode
    # before it touches the network, so its refusal is tested here, in-process.
    monkeypatch.setenv("MS_ROLE", "MS_WORKER")
    monkeypatch.setenv("MS_SIMULATION_LEVEL", "1")
    with pytest.raises(DeviceError) as err:
        dist.init_data_parallel("CPU")
    assert str(err.value) == ("data-parallel training cannot start on CPU: MindSpore says: "
                              "Dryrun is not supported on CPU device for a distributed job.")
    assert isinstance(err.value, LenetGuiError) and "\n" not in str(err.value)


def test_first_worker_error_names_the_lowest_rank(tmp_path):
    (tmp_path / "scheduler.log").write_text("lenet-gui: error: the msrun scheduler stopped\n")
    (tmp_path / "worker_10.log").write_text("lenet-gui: error: ten\n")
    (tmp_path / "worker_2.log").write_text("[WARNING] x\nlenet-gui: error: no MNIST in /d\n")
    assert dist.first_worker_error(tmp_path) == "worker 2: no MNIST in /d"
    assert dist.first_worker_error(tmp_path / "missing") is None


# --------------------------------------------------------------------------- real runs

def _run_marked(cmd: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    """Run msrun; kill by pid whatever it leaves (its workers have their own sessions)."""
    marker = uuid.uuid4().hex
    env = {**env, "LENET_GUI_TEST_RUN": marker}
    try:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                              cwd=Path(__file__).resolve().parents[2])
    finally:
        left = _marked_pids(marker)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert not left, f"msrun left processes behind: {left}"


def _marked_pids(marker: str) -> list[int]:
    time.sleep(0.5)
    needle = f"LENET_GUI_TEST_RUN={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A worker: a few data-parallel steps per train-step style on the subset, then its
# weights and losses to files. Run in one process, it writes the reference.
WORKER = """
import json, sys
from pathlib import Path
import numpy as np
from lenet_gui.core import distributed as dist
from lenet_gui.core.errors import LenetGuiError

def main(out, data_dir, steps, batch_size=32):
    rank, size = dist.init_data_parallel("CPU")  # first: msrun's scheduler stops here
    from lenet_gui.core._mindspore import import_mindspore
    from lenet_gui.core.data import load_split
    from lenet_gui.core.model import build_lenet5
    from lenet_gui.core.preprocess import normalise
    from lenet_gui.core.train_step import make_train_step
    ms = import_mindspore()
    split, n = load_split(Path(data_dir), "train"), steps * batch_size
    if len(split) < n:
        raise dist.ConfigError(f"{steps} steps of {batch_size} need {n} images; "
                               f"{data_dir} has {len(split)}")
    x, y = normalise(split.images[:n]), split.labels[:n].astype(np.int32)
    mine = dist.shard(np.random.default_rng(1).permutation(n), rank, size)
    b = dist.worker_batch_size(batch_size, size)
    report = {"rank": rank, "size": size, "styles": {}}
    for style in ("cell", "fast"):
        ms.set_seed(1)  # the same first weights in every worker
        net = build_lenet5()
        step = make_train_step(net, learning_rate=0.01, momentum=0.9, style=style)
        cell = step._cell
        reduced = (bool(cell.reducer_flag) if style == "cell"
                   else getattr(cell, "grad_reducer", None) is not None)
        losses = [step(x[mine[j * b:(j + 1) * b]], y[mine[j * b:(j + 1) * b]])
                  for j in range(steps)]
        np.savez(Path(out) / f"{style}_rank{rank}.npz",
                 **{p.name: p.asnumpy() for p in net.trainable_params()})
        report["styles"][style] = {"losses": losses, "reduced": reduced}
    (Path(out) / f"rank{rank}.json").write_text(json.dumps(report))

try:
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
except LenetGuiError as exc:
    print(dist.ERROR_PREFIX + str(exc), flush=True)
    sys.exit(1)
"""


def _worker(tmp_path: Path, out: str, subset_dir: Path, steps: int = 4) -> list[str]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    (tmp_path / out).mkdir(exist_ok=True)
    return [str(script), str(tmp_path / out), str(subset_dir), str(steps)]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_two_cpu_workers_average_their_gradients(tmp_path, subset_dir):
    """About 20 s on 2 cores: msrun, mccl all-reduce, 4 steps per step style."""
    ref = subprocess.run([PY, *_worker(tmp_path, "ref", subset_dir)],
                         capture_output=True, text=True, timeout=60)
    assert ref.returncode == 0, ref.stderr[-2000:]
    cmd = dist.msrun_command(_worker(tmp_path, "dp", subset_dir)[1:], 2,
                             master_port=_free_port(), log_dir=tmp_path / "logs",
                             cluster_time_out=60, entry=(str(tmp_path / "worker.py"),))
    # No venv on PATH: msrun_env alone must make msrun's "python" this one.
    run = _run_marked(cmd, dist.msrun_env({**os.environ, "PATH": "/usr/bin:/bin"}), 100)
    assert run.returncode == 0, run.stderr[-2000:]
    reports = [json.loads((tmp_path / "dp" / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [(r["rank"], r["size"]) for r in reports] == [(0, 2), (1, 2)]
    for style in ("cell", "fast"):
        w0, w1, one = (np.load(tmp_path / d / f"{style}_rank{r}.npz")
                       for d, r in (("dp", 0), ("dp", 1), ("ref", 0)))
        diff = max(float(np.abs(w0[k] - w1[k]).max()) for k in w0.files)
        if reports[0]["styles"][style]["reduced"]:
            assert diff == 0.0, style  # the same averaged gradients in both workers
            assert max(float(np.abs(w0[k] - one[k]).max()) for k in w0.files) < 1e-6
            # Each worker's loss is on its half of the global batch: their mean is
            # one process's loss on the whole batch.
            mean = np.mean([r["styles"][style]["losses"] for r in reports], axis=0)
            ref_losses = json.loads((tmp_path / "ref" / "rank0.json").read_text())
            np.testing.assert_allclose(mean, ref_losses["styles"][style]["losses"], rtol=1e-5)
        else:  # no all-reduce in this step style: the workers drift apart
            assert diff > 1e-4, style
    assert reports[0]["styles"]["cell"]["reduced"]  # DATA_PARALLEL wraps TrainOneStepCell


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_failing_worker_fails_the_launch_with_its_one_line(tmp_path, subset_dir):
    """About 20 s: every worker refuses (too few images); msrun stops them all."""
    cmd = dist.msrun_command(_worker(tmp_path, "dp", subset_dir, steps=1000)[1:], 2,
                             master_port=_free_port(), log_dir=tmp_path / "logs",
                             cluster_time_out=60, entry=(str(tmp_path / "worker.py"),))
    # MS_NODE_TIMEOUT: the scheduler gives up on the dead workers after 10 s, not 30.
    run = _run_marked(cmd, dist.msrun_env({**os.environ, "MS_NODE_TIMEOUT": "10"}), 100)
    assert run.returncode != 0
    assert "Distributed job exited with exception" in run.stderr
    assert dist.first_worker_error(tmp_path / "logs") == (
        "worker 0: 1000 steps of 32 need 32000 images; "
        f"{subset_dir} has 2000")
