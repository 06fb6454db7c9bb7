"""Configuration dataclasses and well-known locations. No import-time side effects."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from .errors import ConfigError

APP_NAME = "lenet-gui"
ORGANISATION = "lenet-gui"
DEVICES = ("CPU", "GPU", "Ascend")
RECIPES = ("course", "robust")
SHIPPED_CHECKPOINT = "lenet5_mnist.ckpt"


@dataclass
class TrainConfig:
    """Hyperparameters; the defaults are the course's recipe."""

    epochs: int = 3
    lr: float = 0.01
    momentum: float = 0.9
    batch_size: int = 32
    seed: int = 1
    limit: int | None = None  # train on the first N samples only
    device: str = "CPU"
    recipe: str = "course"
    weight_decay: float = 0.0
    augment: bool = False
    eval_limit: int | None = None  # evaluate on the first N test samples only
    holdout: int = 0  # last N training images held out to choose the best epoch
    styles: bool = False  # style synthesis: slashed 0, continental 1, crossed 7 (robust)
    # Stroke files of drawn digits that also judge the best epoch (with the holdout).
    select_strokes: tuple[str, ...] = ()
    # Outlier exposure: this share of every batch is generated non-digits (target:
    # the uniform distribution), so the network can say "not a digit".
    nondigits: float = 0.0
    init_checkpoint: str = ""  # start from these weights instead of random ones
    # Also try the mean of the last N epochs' weights (stochastic weight averaging;
    # all epochs when there are fewer).
    average_epochs: int = 0
    # This share of the training digits is swapped, each time it is drawn, for the same
    # digit drawn with the canvas's pen (``mnist_strokes``): real writers' shapes as
    # the Draw tab sees a drawing.
    canvas_pen: float = 0.0
    # Knowledge distillation: each training digit's target is ``(1 - distill) * label +
    # distill * the mean answer of these checkpoints`` (``core.distill``).
    teachers: tuple[str, ...] = ()
    distill: float = 0.0

    def validate(self, n_train: int | None = None) -> None:
        """Reject values training cannot use, with the reason, before anything runs."""
        def bad(msg: str) -> None:
            raise ConfigError(msg)

        for name in ("epochs", "batch_size", "seed", "average_epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                bad(f"{name} must be a whole number, got {value!r}")
        if self.epochs < 1:
            bad(f"epochs must be at least 1, got {self.epochs}")
        if self.epochs > 1000:
            bad(f"epochs must be at most 1000, got {self.epochs}")
        if self.batch_size < 1:
            bad(f"batch size must be at least 1, got {self.batch_size}")
        if self.batch_size > 4096:
            bad(f"batch size must be at most 4096, got {self.batch_size}")
        if self.seed < 0:
            bad(f"seed must not be negative, got {self.seed}")
        if self.average_epochs < 0:
            bad(f"epochs to average must not be negative, got {self.average_epochs}")
        for name in ("lr", "momentum", "weight_decay"):
            value = getattr(self, name)
            try:
                value = float(value)
            except (TypeError, ValueError):
                bad(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                bad(f"{name} must be a finite number, got {value}")
        if not 0 < self.lr <= 10.0:
            bad(f"learning rate must be in (0, 10], got {self.lr}")
        if not 0 <= self.momentum <= 0.999:
            bad(f"momentum must be in [0, 0.999], got {self.momentum}")
        if not 0 <= self.weight_decay <= 0.1:
            bad(f"weight decay must be in [0, 0.1], got {self.weight_decay}")
        if self.limit is not None:
            if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1:
                bad(f"limit must be a positive whole number, got {self.limit!r}")
            if self.limit < self.batch_size:
                bad(f"limit ({self.limit}) is smaller than one batch ({self.batch_size})")
        if isinstance(self.holdout, bool) or not isinstance(self.holdout, int) \
                or self.holdout < 0:
            bad(f"holdout must be a whole number >= 0, got {self.holdout!r}")
        if self.eval_limit is not None and self.eval_limit < 1:
            bad(f"eval limit must be positive, got {self.eval_limit}")
        if not isinstance(self.nondigits, (int, float)) or not 0 <= self.nondigits <= 0.5:
            bad(f"non-digit share must be in [0, 0.5], got {self.nondigits!r}")
        if isinstance(self.canvas_pen, bool) or not isinstance(self.canvas_pen, (int, float)) \
                or not 0 <= self.canvas_pen <= 1:
            bad(f"canvas-pen share must be in [0, 1], got {self.canvas_pen!r}")
        if isinstance(self.distill, bool) or not isinstance(self.distill, (int, float)) \
                or not 0 <= self.distill <= 1:
            bad(f"distillation weight must be in [0, 1], got {self.distill!r}")
        if self.distill > 0 and not self.teachers:
            bad("distillation needs at least one teacher checkpoint")
        if self.teachers and not self.distill > 0:
            bad("teacher checkpoints need a distillation weight above 0 (--distill W)")
        if self.device not in DEVICES:
            bad(f"device must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if self.recipe not in RECIPES:
            bad(f"recipe must be one of {', '.join(RECIPES)}, got {self.recipe!r}")
        if n_train is not None:
            if self.holdout and self.holdout >= n_train:
                bad(f"holdout ({self.holdout}) leaves no training data ({n_train} images)")
            usable = n_train - self.holdout
            usable = min(usable, self.limit) if self.limit else usable
            if self.batch_size > usable:
                bad(f"batch size ({self.batch_size}) is larger than the training data "
                    f"({usable} samples)")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["select_strokes"] = list(self.select_strokes)
        d["teachers"] = list(self.teachers)
        return d

    @classmethod
    def for_recipe(cls, recipe: str, **overrides) -> "TrainConfig":
        """The named recipe's defaults, then the caller's overrides."""
        if recipe == "robust":
            base = cls(recipe="robust", epochs=20, lr=0.02, momentum=0.9, batch_size=64,
                       weight_decay=1e-4, augment=True, holdout=5000, styles=True)
        elif recipe == "course":
            base = cls()
        else:
            raise ConfigError(f"recipe must be one of {', '.join(RECIPES)}, got {recipe!r}")
        for key, value in overrides.items():
            if value is not None:
                setattr(base, key, value)
        return base


def user_data_dir() -> Path:
    """Where the app keeps what it makes: trained checkpoints, downloaded MNIST."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / APP_NAME


def default_data_dir() -> Path:
    """``./MNIST`` when it exists (the course's layout), else the user data folder."""
    env = os.environ.get("LENET_GUI_DATA")
    if env:
        return Path(env)
    local = Path.cwd() / "MNIST"
    if (local / "train").is_dir() or (local / "test").is_dir():
        return local
    return user_data_dir() / "MNIST"


def default_checkpoint_dir() -> Path:
    return user_data_dir() / "checkpoints"


def default_checkpoint_path(config: TrainConfig) -> Path:
    """A new file for a training run: ``lenet5-<recipe>-<date>-<time>.ckpt``."""
    import datetime

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return default_checkpoint_dir() / f"lenet5-{config.recipe}-{stamp}.ckpt"


def _package_data(*parts: str) -> Path:
    """A file shipped with the package (wheel: lenet_gui/_data; checkout: top level)."""
    packaged = resources.files("lenet_gui").joinpath("_data", *parts)
    if packaged.is_file() or packaged.is_dir():
        return Path(str(packaged))
    # Running from a source checkout: the files live at the repository's top level.
    return Path(__file__).resolve().parents[2].joinpath(*parts)


def shipped_checkpoint() -> Path:
    return _package_data("checkpoints", SHIPPED_CHECKPOINT)


def resource_path(name: str) -> Path:
    return _package_data("resources", name)
