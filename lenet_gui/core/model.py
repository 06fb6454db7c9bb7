"""LeNet5 as the course defines it, and checkpoints with metadata beside them.

A checkpoint is two files a user can move together: ``NAME.ckpt`` (MindSpore
weights) and ``NAME.json`` (what the weights need to be used correctly: the
architecture, the input preprocessing, how they were trained and how well they
do). Both are written atomically.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ._mindspore import import_mindspore
from .errors import CheckpointError, first_line
from .preprocess import INPUT_SIZE, MEAN, PREPROCESSING_ID, STD

ARCHITECTURE = "LeNet5"
PARAM_SHAPES = {
    "conv1.weight": (6, 1, 5, 5),
    "conv2.weight": (16, 6, 5, 5),
    "fc1.weight": (120, 400),
    "fc1.bias": (120,),
    "fc2.weight": (84, 120),
    "fc2.bias": (84,),
    "fc3.weight": (10, 84),
    "fc3.bias": (10,),
}


def build_lenet5():
    """A freshly initialised LeNet5 (imports MindSpore on first use)."""
    from .network import LeNet5

    return LeNet5()


@dataclass
class CheckpointInfo:
    """The metadata stored beside the weights (``NAME.json``)."""

    architecture: str = ARCHITECTURE
    preprocessing: str = PREPROCESSING_ID
    input_size: int = INPUT_SIZE
    mean: float = MEAN
    std: float = STD
    train_config: dict[str, Any] = field(default_factory=dict)
    test_accuracy: float | None = None  # on the MNIST test set (or the part evaluated)
    test_samples: int | None = None
    epochs_done: float | None = None  # fractional when stopped mid-epoch
    created: str = ""
    mindspore_version: str = ""
    name: str = ""
    notes: str = ""
    personal_digits: int | None = None  # how many of the user's drawings it learned from
    # Below this top probability a drawing is "not a digit" (verdict.choose_reject).
    reject_threshold: float | None = None

    def describe(self) -> str:
        acc = (f"{self.test_accuracy * 100:.2f}% on {self.test_samples:,} MNIST test digits"
               if self.test_accuracy is not None and self.test_samples else "accuracy unknown")
        mine = f", {self.personal_digits} of your digits" if self.personal_digits else ""
        return f"{self.name or ARCHITECTURE} ({acc}{mine})"


def metadata_path(ckpt: Path) -> Path:
    return Path(ckpt).with_suffix(".json")


def _stage(path: Path, write) -> str:
    """Write a complete, synced temporary file beside ``path``; return its name."""
    path = Path(path)
    # Same suffix as the target: MindSpore appends ".ckpt" to names without it.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}",
                               dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        # mkstemp (and MindSpore) make owner-only files; a checkpoint is for sharing.
        os.chmod(tmp, 0o644)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(name: str | None) -> None:
    if name is not None:
        try:
            os.unlink(name)
        except OSError:
            pass


def save_checkpoint(net, path: Path, info: CheckpointInfo) -> Path:
    """Save weights + metadata atomically; the previous files survive any failure."""
    ms = import_mindspore()
    path = Path(path)
    if path.suffix != ".ckpt":
        path = path.with_suffix(".ckpt")
    info = CheckpointInfo(**asdict(info))
    info.created = info.created or _dt.datetime.now(_dt.timezone.utc).isoformat(
        timespec="seconds")
    info.mindspore_version = ms.__version__
    info.name = info.name or path.stem
    text = json.dumps(asdict(info), indent=2, sort_keys=True) + "\n"
    weights = meta = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Both files complete on disk before either replaces anything, so a failure
        # (disk full, no permission) leaves the previous pair as it was.
        weights = _stage(path, lambda tmp: ms.save_checkpoint(net, tmp))
        meta = _stage(metadata_path(path), lambda tmp: Path(tmp).write_text(text))
        os.replace(weights, path)
        weights = None
        os.replace(meta, metadata_path(path))
        meta = None
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot save the checkpoint "
                              f"({exc.strerror or exc}); nothing was overwritten") from None
    except (RuntimeError, ValueError) as exc:
        raise CheckpointError(f"{path}: cannot save the checkpoint ({_first_line(exc)})") from None
    finally:
        _remove(weights)
        _remove(meta)
    return path


def read_info(path: Path) -> CheckpointInfo | None:
    """The metadata beside a checkpoint; None when there is none.

    Raises CheckpointError when it exists but is unreadable or describes weights
    this app cannot use (another network, another preprocessing).
    """
    meta = metadata_path(path)
    if not meta.is_file():
        return None
    try:
        raw = json.loads(meta.read_text())
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        known = {k: v for k, v in raw.items() if k in CheckpointInfo.__dataclass_fields__}
        info = CheckpointInfo(**known)
    except (OSError, ValueError, TypeError) as exc:
        raise CheckpointError(f"{meta}: unreadable metadata ({_first_line(exc)})") from None
    if info.architecture != ARCHITECTURE:
        raise CheckpointError(f"{path}: a {info.architecture} checkpoint, not {ARCHITECTURE}")
    if info.preprocessing != PREPROCESSING_ID:
        raise CheckpointError(f"{path}: trained with another input preprocessing "
                              f"({info.preprocessing!r}); this app's is {PREPROCESSING_ID!r}")
    return info


def load_checkpoint(path: Path, net=None):
    """Load a LeNet5 checkpoint; return (net, info). Never returns half-loaded weights.

    MindSpore silently keeps random weights for parameters it does not find, so
    both of ``load_param_into_net``'s "not loaded" lists are checked here.
    """
    ms = import_mindspore()
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: empty file, not a checkpoint")
    info = read_info(path)
    try:
        params = ms.load_checkpoint(str(path))
    except (ValueError, RuntimeError, OSError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a readable MindSpore checkpoint "
                              f"({_first_line(exc)})") from None
    weights = {k: v for k, v in params.items() if not k.startswith("moments.")
               and k not in ("learning_rate", "global_step", "momentum")}
    missing = sorted(set(PARAM_SHAPES) - set(weights))
    if missing:
        raise CheckpointError(f"{path}: not a LeNet5 checkpoint (missing "
                              f"{', '.join(missing[:3])}{'...' if len(missing) > 3 else ''})")
    for name, shape in PARAM_SHAPES.items():
        got = tuple(weights[name].shape)
        if got != shape:
            raise CheckpointError(f"{path}: {name} has shape {got}, LeNet5 needs {shape}")
    import numpy as np
    for name in PARAM_SHAPES:
        if not np.isfinite(weights[name].asnumpy()).all():
            raise CheckpointError(f"{path}: {name} contains NaN or infinite values")
    if net is None:
        net = build_lenet5()
    not_loaded, _ = ms.load_param_into_net(
        net, {k: weights[k] for k in PARAM_SHAPES}, strict_load=True)
    if not_loaded:
        raise CheckpointError(f"{path}: parameters not loaded: {', '.join(not_loaded)}")
    if info is None:
        info = CheckpointInfo(name=path.stem, notes="no metadata file beside the weights")
    return net, info


def _first_line(exc: BaseException) -> str:
    return first_line(exc)[:200]
