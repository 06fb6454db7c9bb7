"""Which MindSpore device targets really work here, and a one-line reason for the rest.

Probing never raises and never hangs: MindSpore's own ``is_available()`` answers
in milliseconds; the reason for a "no" comes from looking for the driver
libraries and the plugin files, not from MindSpore's multi-line log text.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from dataclasses import dataclass
from pathlib import Path

from ._mindspore import import_mindspore
from .config import DEVICES
from .errors import DeviceError, first_line


@dataclass(frozen=True)
class DeviceStatus:
    name: str  # "CPU", "GPU" or "Ascend"
    available: bool
    reason: str  # why not, in one line; what it is, when available


def _can_load(*names: str) -> str | None:
    for name in names:
        try:
            ctypes.CDLL(name)
            return name
        except OSError:
            found = ctypes.util.find_library(name.split(".so")[0].removeprefix("lib"))
            if found:
                try:
                    ctypes.CDLL(found)
                    return found
                except OSError:
                    pass
    return None


def _plugin_dir() -> Path | None:
    try:
        import importlib.util

        spec = importlib.util.find_spec("mindspore")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "lib" / "plugin"


def _gpu_reason() -> str:
    if _can_load("libcuda.so.1", "libcuda.so") is None:
        return "no NVIDIA GPU driver found (libcuda.so.1 cannot be loaded)"
    plugin = _plugin_dir()
    if plugin is not None and not any(plugin.glob("*gpu*")):
        return "this MindSpore build has no GPU plugin (install a GPU build of MindSpore)"
    if _can_load("libcudart.so", "libcudart.so.12", "libcudart.so.11.0") is None:
        return "NVIDIA driver found but no CUDA runtime (libcudart) MindSpore can use"
    if _can_load("libcudnn.so", "libcudnn.so.9", "libcudnn.so.8") is None:
        return "NVIDIA driver found but cuDNN (libcudnn) is missing"
    return "MindSpore cannot use the GPU (CUDA/cuDNN version mismatch?)"


def _ascend_reason() -> str:
    home = os.environ.get("ASCEND_HOME_PATH") or "/usr/local/Ascend"
    if not Path(home).exists():
        return "no Ascend NPU software (CANN) installed"
    if _can_load("libge_runner.so") is None:
        return "Ascend CANN found but its libraries are not on the library path " \
               "(source set_env.sh)"
    return "MindSpore cannot use the Ascend NPU (driver or CANN version mismatch?)"


def probe_devices() -> list[DeviceStatus]:
    """CPU, GPU and Ascend, each with whether it works here and why (not)."""
    try:
        ms = import_mindspore()
        from mindspore import device_context as dc
    except Exception as exc:  # noqa: BLE001 - a broken install must not crash a probe
        return [DeviceStatus(d, False, f"MindSpore cannot be imported ({first_line(exc)})")
                for d in DEVICES]
    results = []
    for name, mod, why in (("CPU", "cpu", None), ("GPU", "gpu", _gpu_reason),
                           ("Ascend", "ascend", _ascend_reason)):
        try:
            ok = bool(getattr(dc, mod).is_available())
        except Exception:  # noqa: BLE001 - probing must never raise
            ok = False
        if ok:
            detail = "available"
            if name == "CPU":
                detail = f"available ({os.cpu_count()} cores)"
            results.append(DeviceStatus(name, True, detail))
        else:
            results.append(DeviceStatus(name, False, why() if why else "not available"))
    del ms
    return results


def use_device(name: str) -> None:
    """Run this process's MindSpore work on ``name``; DeviceError in one line if not."""
    if name not in DEVICES:
        raise DeviceError(f"unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    ms = import_mindspore()
    current = ms.get_current_device()
    current_name = current[0] if isinstance(current, tuple) else str(current)
    if current_name == name:
        return
    status = {d.name: d for d in probe_devices()}[name]
    if not status.available:
        raise DeviceError(f"{name} is not available: {status.reason}")
    try:
        ms.set_device(name)
    except (RuntimeError, ValueError) as exc:
        raise DeviceError(f"cannot switch MindSpore to {name} in this process "
                          f"({first_line(exc)}); "
                          f"restart lenet-gui with --device {name}") from None
