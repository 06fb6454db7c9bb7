"""My digits: the store of the user's labelled drawings (no Qt)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import lenet_gui.core.my_digits_file as file_module
from lenet_gui.core.errors import LenetGuiError
from lenet_gui.core.my_digits import MAX_POINTS_PER_DRAWING, MyDigits, MyDigitsError
from lenet_gui.core.strokes import STROKES_FORMAT, Drawing, Stroke, load_drawings

from ..conftest import DRAWN
from .my_digits_samples import ONE, SEVEN, ZERO, aside, path  # noqa: F401 - path: a fixture


# ------------------------------------------------------------------ round trip
def test_round_trip_and_the_file_is_a_stroke_file(path):
    store = MyDigits(path)
    assert len(store) == 0 and store.recovered_message is None and not path.exists()
    a = store.add(SEVEN, 7)
    b = store.add(Drawing(ONE), 1)
    c = store.add(ZERO + [Stroke([(0.5, 0.5), (0.5, 0.52)], erase=True)], 0)
    assert len({a, b, c}) == 3
    raw = json.loads(path.read_text())
    assert raw["format"] == STROKES_FORMAT and raw["version"] == 1
    assert [d["id"] for d in raw["digits"]] == [a, b, c]
    assert all(d["added"].endswith("+00:00") for d in raw["digits"])
    # the project's reader (eval --strokes, finetune --drawings) reads it as it is
    read = load_drawings(path)
    assert [d.label for d in read] == [7, 1, 0]
    assert read[0].strokes == SEVEN and read[2].strokes[-1].erase

    again = MyDigits(path)
    assert again.recovered_message is None
    assert [e.id for e in again.entries()] == [a, b, c]
    assert [(d.label, d.strokes) for d in again.drawings()] == \
        [(d.label, d.strokes) for d in store.drawings()]
    assert again.counts() == [1, 1, 0, 0, 0, 0, 0, 1, 0, 0]


def test_points_are_rounded_as_the_file_keeps_them(path):
    store = MyDigits(path)
    ident = store.add([Stroke([(0.123456789, 0.5), (np.float32(0.7), -0.000001)])], 4)
    assert store.get(ident).strokes[0].points == [(0.1235, 0.5), (0.7, 0.0)]
    assert MyDigits(path).get(ident).strokes == store.get(ident).strokes
    assert "-0.0" not in path.read_text()


def test_drawings_are_copies(path):
    store = MyDigits(path)
    strokes = [Stroke(list(SEVEN[0].points))]
    ident = store.add(strokes, 7)
    strokes[0].points.clear()  # the canvas clears its own list after a teach
    store.drawings()[0].strokes[0].points.clear()
    assert len(store.get(ident).strokes[0].points) == 3


def test_counts_remove_relabel_and_undo(path):
    store = MyDigits(path)
    ids = [store.add(SEVEN, 7), store.add(ONE, 1), store.add(ONE, 1), store.add(ZERO, 0)]
    assert store.counts() == [1, 2, 0, 0, 0, 0, 0, 1, 0, 0]
    assert store.relabel(ids[1], 7) == 1
    assert store.relabel([ids[1], ids[0]], 7) == 0  # already 7: nothing written
    assert MyDigits(path).counts() == [1, 1, 0, 0, 0, 0, 0, 2, 0, 0]

    removal = store.remove([ids[0], ids[3]])
    assert [e.id for e in removal.entries] == [ids[0], ids[3]]
    assert [e.id for e in MyDigits(path).entries()] == [ids[1], ids[2]]
    store.restore(removal)
    assert [e.id for e in MyDigits(path).entries()] == ids  # back in place

    undone = store.undo_last_add()
    assert undone.id == ids[3] and ids[3] not in [e.id for e in MyDigits(path).entries()]
    store.remove(ids[2])
    assert store.undo_last_add().id == ids[1]  # ids[2] is gone already: skipped
    assert store.undo_last_add().id == ids[0]
    assert store.undo_last_add() is None and len(store) == 0
    assert load_drawings(path) == []

    with pytest.raises(MyDigitsError, match="no drawing 'nope'"):
        store.remove("nope")


# ----------------------------------------------------------------- refusals
@pytest.mark.parametrize("label", [10, -1, True, False, 3.0, "3", None])
def test_labels_outside_0_to_9_are_refused(path, label):
    store = MyDigits(path)
    with pytest.raises(MyDigitsError, match="is not a digit 0..9"):
        store.add(SEVEN, label)
    ident = store.add(SEVEN, np.int64(7))  # a numpy integer is a digit too
    with pytest.raises(MyDigitsError, match="is not a digit 0..9"):
        store.relabel(ident, label)
    assert store.counts()[7] == 1 and MyDigits(path).counts()[7] == 1


@pytest.mark.parametrize("strokes, message", [
    ([], "empty drawing"),
    ([Stroke([])], "empty drawing"),
    ([Stroke([(0.5, 0.5)], erase=True)], "empty drawing"),
    ([Stroke([(0.5, 0.2), (0.5, 0.8)]), Stroke([(0.5, 0.2), (0.5, 0.8)], erase=True)],
     "everything is erased"),
    ([Stroke([(0.5, float("nan")), (0.5, 0.6)])], "non-finite"),
    ([Stroke([(0.5, 0.5), (float("inf"), 0.6)])], "non-finite"),
    ([Stroke([(0.5, 0.5), (1e9, 0.6)])], "far outside the canvas"),
    ([Stroke([(0.5, 0.5)] * (MAX_POINTS_PER_DRAWING + 1))], "more than 10,000 points"),
    ([Stroke([(0.5, 0.5)] * 6000), Stroke([(0.5, 0.6)] * 6000)], "more than 10,000 points"),
    ([Stroke([(0.5, "a")])], "is not a number"),
    ([Stroke([(0.5, 0.5, 0.5)])], r"is not \[x, y\]"),
    ("1234", "must be a list"),
])
def test_unusable_drawings_are_refused_and_nothing_changes(path, strokes, message):
    store = MyDigits(path)
    store.add(SEVEN, 7)
    before = path.read_bytes()
    with pytest.raises(MyDigitsError, match=message) as info:
        store.add(strokes, 3)
    assert "\n" not in str(info.value)
    assert path.read_bytes() == before and len(store) == 1


def test_errors_are_lenet_gui_errors():
    assert issubclass(MyDigitsError, LenetGuiError)


# ------------------------------------------------------------ atomic writing
def test_a_failed_write_leaves_the_old_file_and_the_store_as_they_were(path, monkeypatch):
    store = MyDigits(path)
    first = store.add(SEVEN, 7)
    before = path.read_bytes()

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(file_module.os, "replace", refuse)
    for change in (lambda: store.add(ONE, 1), lambda: store.relabel(first, 2),
                   lambda: store.remove(first), lambda: store.import_file(DRAWN)):
        with pytest.raises(MyDigitsError, match="cannot save My digits .No space left on "
                                                "device.; nothing was changed"):
            change()
        assert path.read_bytes() == before
        assert [(e.id, e.label) for e in store.entries()] == [(first, 7)]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files


def test_a_write_cut_midway_leaves_the_old_file(path, monkeypatch):
    store = MyDigits(path)
    store.add(SEVEN, 7)
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(file_module.os, "fsync", disk_full)
    with pytest.raises(MyDigitsError, match="nothing was changed"):
        store.add(ONE, 1)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_writes_go_through_a_synced_temporary_file(path, monkeypatch):
    calls = []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(file_module.os, "fsync",
                        lambda fd: (calls.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(file_module.os, "replace",
                        lambda a, b: (calls.append(("replace", Path(a).parent, Path(b))),
                                      real_replace(a, b)))
    MyDigits(path).add(SEVEN, 7)
    assert calls[0] == "fsync" and calls[1] == ("replace", path.parent, path)


def test_in_memory_store_writes_nothing(tmp_path):
    store = MyDigits(None)
    store.add(SEVEN, 7)
    assert store.counts()[7] == 1 and list(tmp_path.iterdir()) == []


# ----------------------------------------------- files that cannot be used
@pytest.mark.parametrize("content, why", [
    (b"{not json", "not a JSON stroke file"),
    (b"", "not a JSON stroke file"),
    (b"\xff\xfe\x00garbage", "not a JSON stroke file"),
    (json.dumps({"format": "something-else", "digits": []}).encode(), "not a lenet-gui"),
    (json.dumps([1, 2, 3]).encode(), "not a lenet-gui"),
    (json.dumps({"format": STROKES_FORMAT, "version": 1}).encode(), "no 'digits' list"),
    (json.dumps({"format": STROKES_FORMAT, "version": "one", "digits": []}).encode(),
     "not a format version"),
    (json.dumps({"format": STROKES_FORMAT, "digits": [{"label": 3, "strokes": []}]}).encode(),
     "digit 0: an empty drawing"),
    (json.dumps({"format": STROKES_FORMAT, "digits": [
        {"label": 12, "strokes": [[[0.1, 0.2]]]}]}).encode(), "digit 0: label 12"),
])
def test_a_corrupt_or_foreign_file_is_set_aside(path, content, why):
    path.write_bytes(content)
    store = MyDigits(path)
    assert len(store) == 0 and not path.exists()
    kept = aside(path)
    assert len(kept) == 1 and kept[0].read_bytes() == content  # never deleted
    assert why in store.recovered_message and kept[0].name in store.recovered_message
    assert "starting with an empty collection" in store.recovered_message
    store.add(SEVEN, 7)  # and the store works, in a new file
    assert len(load_drawings(path)) == 1 and kept[0].read_bytes() == content


def test_setting_aside_never_overwrites_an_earlier_copy(path):
    for n in range(3):
        path.write_text(f"broken {n}")
        MyDigits(path)
    assert sorted(p.read_text() for p in aside(path)) == ["broken 0", "broken 1", "broken 2"]


def test_a_file_from_a_newer_version_is_never_overwritten(path):
    newer = json.dumps({"format": STROKES_FORMAT, "version": 2, "digits": [],
                        "something_new": True}).encode()
    path.write_bytes(newer)
    store = MyDigits(path)
    kept = aside(path, "newer")
    assert len(kept) == 1 and kept[0].read_bytes() == newer
    assert "newer lenet-gui (format version 2" in store.recovered_message
    store.add(SEVEN, 7)
    assert kept[0].read_bytes() == newer


def test_a_file_that_cannot_be_set_aside_is_never_overwritten(path, monkeypatch):
    path.write_text("broken")

    def refuse(src, dst):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(file_module.os, "rename", refuse)
    store = MyDigits(path)
    assert store.blocked and "could not be moved aside (Permission denied)" in store.blocked
    assert store.recovered_message == store.blocked
    with pytest.raises(MyDigitsError, match="nothing will be saved"):
        store.add(SEVEN, 7)
    assert path.read_text() == "broken"


def test_the_shipped_stroke_files_load_as_my_digits(tmp_path):
    """A file from eval --strokes (no ids, a style field) is a usable My digits file."""
    target = tmp_path / "my_digits.json"
    target.write_bytes(DRAWN.read_bytes())
    store = MyDigits(target)
    assert store.recovered_message is None and len(store) == 500
    assert len({e.id for e in store.entries()}) == 500  # ids given to those without


def test_the_core_modules_never_import_qt():
    import subprocess
    import sys

    code = ("import lenet_gui.core.my_digits, lenet_gui.core.my_digits_file, "
            "lenet_gui.core.json_scan, sys;"
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', "
            "'lenet_gui.ui', 'mindspore'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_a_damaged_file_never_stops_the_store_from_opening(tmp_path):
    """Random byte damage: the store opens, loaded or with the file set aside; never raises."""
    rng = np.random.default_rng(5)
    good = MyDigits(tmp_path / "good.json")
    good.add(SEVEN, 7)
    good.add(ZERO + [Stroke([(0.5, 0.5), (0.5, 0.52)], erase=True)], 0)
    original = (tmp_path / "good.json").read_bytes()
    for n in range(150):
        data = bytearray(original)
        for i in rng.integers(0, len(data), size=rng.integers(1, 4)):
            data[i] = int(rng.integers(0, 256))
        path = tmp_path / f"damaged{n}.json"
        path.write_bytes(bytes(data))
        store = MyDigits(path)
        if store.recovered_message is None:
            assert path.exists() and all(0 <= e.label <= 9 for e in store.entries())
        else:
            assert not path.exists() and len(aside(path)) == 1 and len(store) == 0
            assert "\n" not in store.recovered_message
