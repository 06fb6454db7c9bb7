"""Issue 5's fault matrix, the image rows: odd and damaged image files, a 10000x10000 photo.

docs/robustness.md lists every row with what the user sees and the test that pins it.
Core only: no Qt (tests/ui/test_robustness_ui.py opens the same images in the window).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenet_gui.core.errors import ImageError
from lenet_gui.core.preprocess import read_image_ink

from ..conftest import ROOT
from .test_robustness import GB, ODD_IMAGES, make_odd_images, run_cli, seven_image


@pytest.fixture(scope="module")
def seven_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seven") / "seven.png"
    seven_image().save(path)
    return path


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scratch")


@pytest.fixture(scope="module")
def odd_images(tmp_path_factory) -> dict[str, Path]:
    return make_odd_images(tmp_path_factory.mktemp("odd_images"))


def test_predict_odd_images_gives_a_digit_or_a_clear_refusal(capsys, odd_images):
    names = list(ODD_IMAGES)
    code, out, err = run_cli(capsys, "predict", *(odd_images[n] for n in names))
    assert code == 1 and "Traceback" not in err  # some are refused: non-zero exit
    answers = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in out.splitlines()}
    errors = {}
    for line in err.splitlines():
        assert line.startswith("lenet-gui: error: "), line
        path, message = line[len("lenet-gui: error: "):].split(": ", 1)
        errors[path] = message
    for name, expected in ODD_IMAGES.items():
        path = str(odd_images[name])
        if isinstance(expected, int):
            assert path in answers, f"{name}: refused ({errors.get(path)})"
            assert answers[path].startswith(f"{expected} ("), f"{name}: {answers[path]}"
        else:
            assert path in errors, f"{name}: not refused ({answers.get(path)})"
            assert expected in errors[path], f"{name}: {errors[path]}"
    assert errors[str(odd_images["one_pixel.png"])] == "no digit found (the image is blank)"


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["PNG", "JPEG", "GIF", "BMP", "TIFF"]), st.integers(0, 400),
       st.binary(max_size=40))
def test_damaged_image_files_only_raise_image_error(scratch, fmt, cut, junk):
    """Real image files with bytes overwritten or cut off: a refusal, never a traceback."""
    buf = io.BytesIO()
    seven_image(24).convert("P" if fmt == "GIF" else "L").save(buf, fmt)
    good = buf.getvalue()
    path = scratch / "damaged"
    path.write_bytes(good[:cut] + junk + good[cut + len(junk):])
    try:
        read_image_ink(path)
    except ImageError:
        pass


_RSS_WRAPPER = """
import json, resource, subprocess, sys
proc = subprocess.run([sys.executable, "-m", "lenet_gui", "predict", sys.argv[1]],
                      capture_output=True, text=True, timeout=120)
print(json.dumps({"rc": proc.returncode, "out": proc.stdout, "err": proc.stderr,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def _peak_rss_of_predict(image: Path) -> dict:
    """Run ``python -m lenet_gui predict IMAGE`` as the only child of a fresh process."""
    proc = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, str(image)], cwd=ROOT,
                          capture_output=True, text=True, timeout=180, check=True)
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def huge_image_runs(tmp_path_factory, seven_png) -> dict:
    """Peak RSS of ``predict`` on a 10000x10000 RGB photo of a 7 and on a small one."""
    folder = tmp_path_factory.mktemp("huge")
    big = folder / "big.png"
    image = seven_image(10000, "RGB")
    image.save(big, compress_level=1)
    del image
    return {"big": _peak_rss_of_predict(big), "small": _peak_rss_of_predict(seven_png),
            "big_path": big}


def test_predict_10000x10000_image_without_a_memory_spike(huge_image_runs):
    run = huge_image_runs["big"]
    assert run["rc"] == 0 and "Traceback" not in run["err"], run["err"]
    assert run["out"].startswith(f"{huge_image_runs['big_path']}: 7 (")
    assert run["maxrss_kb"] * 1024 < 1.5 * GB, f"peak RSS {run['maxrss_kb'] / 1024:.0f} MB"


def test_huge_image_is_decoded_only_once(huge_image_runs):
    """The decoded 10000x10000 RGB image is 400 MB (Pillow keeps RGB in 4 bytes a pixel);
    anything much beyond that is a second full-size copy."""
    extra = huge_image_runs["big"]["maxrss_kb"] - huge_image_runs["small"]["maxrss_kb"]
    assert extra * 1024 < 600 * 1024 ** 2, f"{extra / 1024:.0f} MB more than a small image"
