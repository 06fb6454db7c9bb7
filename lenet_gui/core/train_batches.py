"""Training batches: MNIST digits, some drawn with the canvas pen, augmented, with
generated non-digits mixed in, and the digits' targets part teachers' answers
(``distill``). Apart from ``train`` so that what a batch holds is
one file's job; each source has its own random stream, so turning one on leaves the
others' draws unchanged."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .config import TrainConfig, user_data_dir
from .data import Split
from .preprocess import normalise

OUTLIER_POOL = 20000  # generated non-digits kept for outlier exposure


class BatchMaker:
    """``make(idx) -> (inputs (N, 1, 32, 32), targets)``: labels, or soft targets when
    outlier exposure or distillation is on (the non-digits' target is the uniform
    distribution; a digit's is part label, part the teachers' answer)."""

    def __init__(self, config: TrainConfig, train_split: Split, rank: int = 0,
                 workers: int = 1, log: Callable[[str], None] = lambda _line: None) -> None:
        self.config, self.split = config, train_split
        self.labels = train_split.labels.astype(np.int32)
        stream = [rank] if workers > 1 else []
        self.augment = None
        if config.augment:
            from .augment import AugmentConfig, Augmenter
            from .styles import StyleConfig

            self.augment = Augmenter(seed=config.seed + 1000 * rank, config=AugmentConfig(
                styles=StyleConfig() if config.styles else None))
        self.outlier_rng = np.random.default_rng([config.seed, 7] + stream)
        self.outlier_pool = None
        if config.nondigits > 0:
            from .nondigits import nondigit_images

            # Drawn once (rendering is the slow part); each batch then re-augments them.
            size = min(OUTLIER_POOL, max(1000, int(2 * len(train_split) * config.nondigits)))
            log(f"generating {size:,} non-digits for outlier exposure")
            self.outlier_pool = nondigit_images(size, self.outlier_rng)
        self.pen_images = None
        if config.canvas_pen > 0:
            from .mnist_strokes import cached_canvas_pen_images

            self.pen_images = cached_canvas_pen_images(train_split.images,
                                                       user_data_dir() / "cache", log)
        self.pen_rng = np.random.default_rng([config.seed, 13] + stream)
        self.teacher = None
        if config.teachers:  # validated: with a weight above 0
            from .distill import Teacher
            from .distributed import worker_batch_size

            log(f"digits' targets: {1 - config.distill:g} label + {config.distill:g} the "
                f"mean answer of {len(config.teachers)} teacher network(s)")
            batch = worker_batch_size(config.batch_size, workers)
            digits = batch - (self._nondigit_rows(batch) if config.nondigits > 0 else 0)
            self.teacher = Teacher.load(config.teachers, batch=digits)

    def _nondigit_rows(self, batch: int) -> int:
        return max(1, int(round(batch * self.config.nondigits)))

    @property
    def soft_targets(self) -> bool:
        """Targets are distributions (N, 10), not labels."""
        return self.outlier_pool is not None or self.teacher is not None

    def __call__(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Normalised per batch, beside the step: all of MNIST at once would hold 245 MB
        # and delay the first step.
        config, augment = self.config, self.augment
        images = self.split.images[idx]
        if self.pen_images is not None:
            swap = self.pen_rng.random(len(idx)) < config.canvas_pen
            images = np.where(swap[:, None, None], self.pen_images[idx], images)
        x = normalise(augment(images, self.split.labels[idx]) if augment else images)
        if self.outlier_pool is None:
            if self.teacher is None:
                return x, self.labels[idx]
            return x, self.teacher.soften(x, self.labels[idx], config.distill)
        # Outlier exposure (Hendrycks et al. 2019): the last part of each batch is
        # generated non-digits with the uniform distribution as their target.
        k = self._nondigit_rows(len(idx))
        extra = self.outlier_pool[self.outlier_rng.integers(0, len(self.outlier_pool), k)]
        if augment is not None:
            extra = augment(extra)
        x = x.copy()
        x[-k:] = normalise(extra)
        y = np.eye(10, dtype=np.float32)[self.labels[idx]]
        y[-k:] = 0.1
        if self.teacher is not None:
            y = self.teacher.soften(x, y, config.distill, rows=slice(0, len(idx) - k))
        return x, y
