"""Device probing: honest, one line per device, never raises."""

from __future__ import annotations

import pytest

from lenet_gui.core.devices import probe_devices, use_device
from lenet_gui.core.errors import DeviceError


def test_probe_lists_three_devices_with_reasons():
    devices = probe_devices()
    assert [d.name for d in devices] == ["CPU", "GPU", "Ascend"]
    cpu = devices[0]
    assert cpu.available
    for d in devices:
        assert d.reason and "\n" not in d.reason and len(d.reason) < 160


def test_unavailable_device_is_one_clear_line():
    by_name = {d.name: d for d in probe_devices()}
    for name in ("GPU", "Ascend"):
        if by_name[name].available:
            continue
        with pytest.raises(DeviceError) as info:
            use_device(name)
        message = str(info.value)
        assert message.startswith(f"{name} is not available: ") and "\n" not in message
        assert by_name[name].reason in message
    use_device("CPU")  # CPU still works afterwards


def test_unknown_device():
    with pytest.raises(DeviceError, match="unknown device 'TPU'"):
        use_device("TPU")
