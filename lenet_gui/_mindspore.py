"""The one place MindSpore is imported: lazily, quietly and with a fast CPU runtime."""

from __future__ import annotations

import os
import sys
import threading

#: Read by oneDNN and MindSpore at their first operation, so set before any runs.
#: ONEDNN_MAX_CPU_ISA=AVX2: on AVX-512 CPUs MindSpore's bundled oneDNN runs LeNet's
#: plain-layout convolutions with a reference kernel (12-16 ms each at batch 32);
#: capped at AVX2 it uses im2col + JIT GEMM (0.3-0.5 ms). MS_DEV_HOST_BLOCKING_RUN=1:
#: run each compiled graph in the calling thread instead of handing it to a queue
#: thread that the caller busy-waits for (which starves a 2-core machine).
#: Measurements: benchmarks/TRAINING_SPEED.md.
RUNTIME_ENV = {"ONEDNN_MAX_CPU_ISA": "AVX2", "MS_DEV_HOST_BLOCKING_RUN": "1", "GLOG_v": "4"}

#: MindSpore 2.10 cannot compile or run graphs in two threads at once ("Nested
#: execution during JIT execution"). Every graph compile/run (a training step, an
#: inference batch, a checkpoint load) holds this one lock: the window recognizes
#: drawings between the training worker's steps. Re-entrant, per process, as
#: MindSpore's own state is.
LOCK = threading.RLock()


def import_mindspore():
    """Import MindSpore with the runtime settings above, unless the user chose others.

    GLOG_v=4 keeps MindSpore's plugin-probe warnings (no CUDA, no Ascend) off the
    terminal: the app reports device availability itself, in one line.
    """
    if "mindspore" not in sys.modules:
        for key, value in RUNTIME_ENV.items():
            os.environ.setdefault(key, value)
    import mindspore

    return mindspore
