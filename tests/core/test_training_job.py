"""Training in a child process: the command line, the report lines, stop, kill, death."""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from lenet_gui.core import train_process
from lenet_gui.cli.main import build_parser
from lenet_gui.cli.train import train_config
from lenet_gui.core.config import TrainConfig
from lenet_gui.core.errors import ConfigError, TrainingError
from lenet_gui.core.job_report import decode_float, encode
from lenet_gui.core.train_process import ChildDied, describe_exit, run_child
from lenet_gui.core.training_job import train_args, train_in_child


@pytest.mark.parametrize("config", [
    TrainConfig(),
    TrainConfig.for_recipe("robust", epochs=2, limit=640, eval_limit=100, nondigits=0.2,
                           lr=0.004, seed=7, select_strokes=("a.json", "b.json"),
                           init_checkpoint="/x/base.ckpt", average_epochs=2,
                           canvas_pen=0.3, teachers=("/x/t1.ckpt", "/x/t2.ckpt"),
                           distill=0.7),
    TrainConfig(epochs=5, lr=1e-3, momentum=0.5, batch_size=64, holdout=100, device="GPU"),
])
def test_the_command_line_rebuilds_the_config(config, tmp_path):
    args = build_parser().parse_args(train_args(config, tmp_path / "o.ckpt", tmp_path))
    assert train_config(args) == config
    assert args.out == tmp_path / "o.ckpt" and args.data_dir == tmp_path


def test_a_field_the_command_cannot_carry_is_refused(tmp_path):
    config = TrainConfig(weight_decay=0.01)
    with pytest.raises(ConfigError, match="weight_decay"):
        train_args(config, tmp_path / "o.ckpt", tmp_path)


def test_report_lines_are_strict_json():
    line = encode("progress", eta_s=math.inf, acc=math.nan, path=Path("/a"), n=[1.5])
    assert "Infinity" not in line and "NaN" not in line
    event = json.loads(line)
    assert event == {"event": "progress", "eta_s": None, "acc": None, "path": "/a", "n": [1.5]}
    assert decode_float(event["eta_s"], math.inf) == math.inf
    assert math.isnan(decode_float(event["acc"]))


def test_exit_descriptions():
    assert describe_exit(-9) == "killed by signal 9 (SIGKILL)"
    assert describe_exit(-11) == "killed by signal 11 (SIGSEGV)"
    assert describe_exit(3) == "exit status 3"


def _config(**kw) -> TrainConfig:
    return TrainConfig(**{"epochs": 1, "limit": 320, "eval_limit": 200, **kw})


def test_train_in_a_child_reports_like_train(subset_dir, tmp_path):
    progress, epochs, logs, loaded = [], [], [], []
    result = train_in_child(_config(epochs=2), tmp_path / "c.ckpt", subset_dir,
                            on_progress=progress.append, on_epoch=epochs.append,
                            on_log=logs.append, on_loaded=lambda: loaded.append(1))
    assert loaded == [1]
    assert [p.global_step for p in progress] == list(range(1, 21))
    assert progress[-1].total_steps == 20 and progress[0].eta_s > 0
    assert [e.epoch for e in epochs] == [1, 2] and 0 <= epochs[0].test_accuracy <= 1
    assert any("training LeNet5 (course recipe) on 320 images" in line for line in logs)
    assert result.checkpoint == tmp_path / "c.ckpt" and result.checkpoint.is_file()
    assert result.steps_done == 20 and not result.stopped and result.best_epoch in (1, 2)
    assert result.evaluation.samples == 200
    assert 100 < result.peak_memory_mb < 4000  # the child's own, not this process's
    assert result.best_accuracy == max(e.test_accuracy for e in epochs)


def test_stop_keeps_the_weights_so_far(subset_dir, tmp_path):
    stop = threading.Event()
    steps = []

    def on_progress(p):
        steps.append(p.global_step)
        if p.global_step == 3:
            stop.set()

    t0 = time.monotonic()
    result = train_in_child(_config(epochs=50, limit=1920), tmp_path / "s.ckpt", subset_dir,
                            on_progress=on_progress, stop=stop)
    assert result.stopped and result.steps_done < 20 and len(steps) == result.steps_done
    assert result.checkpoint is not None and result.checkpoint.is_file()
    assert time.monotonic() - t0 < 60


def test_the_childs_error_is_its_one_line(tmp_path):
    loaded = []
    with pytest.raises(TrainingError, match="MNIST folder not found") as info:
        train_in_child(_config(), tmp_path / "x.ckpt", tmp_path / "nothing",
                       on_loaded=lambda: loaded.append(1))
    assert not isinstance(info.value, ChildDied) and loaded == []
    assert not (tmp_path / "x.ckpt").exists()


def test_an_unavailable_device_is_refused_before_the_data(subset_dir, tmp_path):
    from lenet_gui.core.devices import probe_devices

    if {d.name: d for d in probe_devices()}["GPU"].available:
        pytest.skip("this machine has a GPU")
    loaded = []
    with pytest.raises(TrainingError, match="GPU is not available"):
        train_in_child(_config(device="GPU"), tmp_path / "g.ckpt", subset_dir,
                       on_loaded=lambda: loaded.append(1))
    assert loaded == []


def test_a_killed_child_is_reported_in_one_line(subset_dir, tmp_path):
    children = []

    def on_progress(p):
        if p.global_step == 2:
            os.kill(children[0].pid, signal.SIGKILL)

    with pytest.raises(ChildDied, match=r"^training process ended unexpectedly: killed by "
                                        r"signal 9 \(SIGKILL\)$"):
        train_in_child(_config(epochs=20, limit=1920), tmp_path / "k.ckpt", subset_dir,
                       on_progress=on_progress, on_start=children.append)
    assert children[0].proc.poll() == -signal.SIGKILL


def test_end_of_stdin_stops_the_child(subset_dir, tmp_path):
    """The window gone (its end of the pipe closed): the child stops, saving nothing."""
    child = train_process.ChildProcess(
        [*train_args(_config(epochs=50, limit=1920), tmp_path / "e.ckpt", subset_dir),
         "--report", "jsonl"])
    events = []
    while not any(e.get("event") == "progress" for e in events):
        event = child.next_event(30)
        assert event, "the child ended or went quiet before its first step"
        events.append(event)
    t0 = time.monotonic()
    child.proc.stdin.close()
    assert child.proc.wait(10) == 0
    assert time.monotonic() - t0 < 5
    while (event := child.next_event(5)) not in (None, False):
        events.append(event)
    result = [e for e in events if e["event"] == "result"]
    assert result and result[0]["stopped"] and result[0]["checkpoint"] is None


# A stand-in child (``python -c``) for what the real one never does on purpose.
def _fake(monkeypatch, code: str) -> None:
    monkeypatch.setattr(train_process, "child_command",
                        lambda args: [sys.executable, "-c", code])


def test_stray_output_and_a_bad_exit_status(monkeypatch):
    _fake(monkeypatch, "import sys; print('a library talks'); "
                       "print('Traceback: boom', file=sys.stderr); sys.exit(3)")
    seen = []
    with pytest.raises(ChildDied, match="exit status 3") as info:
        run_child(["train"], seen.append)
    assert seen == [{"event": "log", "line": "a library talks"}]
    assert info.value.stderr_tail == ["Traceback: boom"]


def test_a_child_that_ignores_stop_is_killed(monkeypatch, tmp_path):
    monkeypatch.setattr(train_process, "STOP_GRACE_S", 0.5)
    ckpt = tmp_path / "kept.ckpt"
    _fake(monkeypatch, "import json, time; print(json.dumps({'event': 'checkpoint', "
                       f"'path': {str(ckpt)!r}, 'epoch': 2}}), flush=True); time.sleep(60)")
    stop = threading.Event()
    t0 = time.monotonic()
    result = train_in_child(TrainConfig(), tmp_path / "o.ckpt", tmp_path,
                            on_log=lambda _l: stop.set(), stop=stop,
                            on_start=lambda _c: stop.set())
    assert time.monotonic() - t0 < 10
    assert result.stopped and result.checkpoint == ckpt and result.best_epoch == 2


def test_a_standby_process_runs_the_job_it_is_given(subset_dir, tmp_path):
    standby = train_process.spawn_standby()
    children = []
    result = train_in_child(_config(), tmp_path / "sb.ckpt", subset_dir,
                            on_start=children.append, standby=standby)
    assert children == [standby] and not standby.standby
    assert result.checkpoint.is_file() and result.steps_done == 10
    assert standby.proc.returncode == 0


def test_a_standby_process_exits_at_the_end_of_its_input():
    standby = train_process.spawn_standby()
    standby.proc.stdin.close()
    assert standby.proc.wait(60) == 0


def test_a_dead_standby_is_replaced(subset_dir, tmp_path):
    standby = train_process.spawn_standby()
    standby.kill()
    standby.proc.wait(10)
    children = []
    result = train_in_child(_config(), tmp_path / "d.ckpt", subset_dir,
                            on_start=children.append, standby=standby)
    assert children and children[0] is not standby and result.checkpoint.is_file()


def test_the_windows_training_process_uses_one_cpu_thread(tmp_path):
    from lenet_gui.core.training_job import TRAIN_THREADS, finetune_args
    from lenet_gui.core.finetune import FinetuneConfig

    args = build_parser().parse_args(train_args(TrainConfig(), tmp_path / "o.ckpt", tmp_path,
                                                TRAIN_THREADS))
    assert TRAIN_THREADS == 1 and args.threads == 1
    assert build_parser().parse_args(train_args(TrainConfig(), tmp_path / "o.ckpt",
                                                tmp_path)).threads is None
    fargs = build_parser().parse_args(finetune_args(tmp_path / "b.ckpt", tmp_path / "d.json",
                                                    tmp_path, tmp_path / "o.ckpt",
                                                    FinetuneConfig()))
    assert fargs.threads == 1 and fargs.command == "finetune"
