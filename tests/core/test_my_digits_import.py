"""My digits: import (merge, duplicates, limits, refusals), export, and reading a
stroke file digit by digit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lenet_gui.core.my_digits_file as file_module
from lenet_gui.core.my_digits import MAX_DRAWINGS, MAX_FILE_BYTES, MyDigits, MyDigitsError, \
    read_import
from lenet_gui.core.strokes import STROKES_FORMAT, Drawing, load_drawings, save_drawings

from ..conftest import DRAWN
from .my_digits_samples import ONE, SEVEN, ZERO, path  # noqa: F401 - path: a fixture


# ----------------------------------------------------------- import, export
def test_import_merges_and_skips_exact_duplicates(path, tmp_path):
    store = MyDigits(path)
    mine = store.add(SEVEN, 7)
    other = tmp_path / "other.json"
    save_drawings(other, [Drawing(SEVEN, 7),  # the same label and strokes: a duplicate
                          Drawing(SEVEN, 1),  # the same strokes, another label: new
                          Drawing(ONE, 1), Drawing(ONE, 1),  # a duplicate within the file
                          Drawing(ZERO, 0)])
    result = store.import_file(other)
    assert (result.added, result.duplicates, result.invalid) == (3, 2, 0)
    assert result.message == "Imported other.json: added 3, skipped 2 duplicates"
    assert MyDigits(path).counts() == [1, 2, 0, 0, 0, 0, 0, 1, 0, 0]
    again = store.import_file(other)
    assert (again.added, again.duplicates) == (0, 5)
    assert store.get(mine).label == 7


def test_import_keeps_the_good_digits_and_counts_the_unusable(path, tmp_path):
    store = MyDigits(path)
    other = tmp_path / "mixed.json"
    other.write_text(json.dumps({"format": STROKES_FORMAT, "version": 1, "digits": [
        {"label": 7, "strokes": [[[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]]},
        {"label": None, "strokes": [[[0.5, 0.1], [0.5, 0.9]]]},
        {"label": 1, "strokes": [[[0.5, float("nan")]]]},
        {"label": 3, "strokes": []},
    ]}))
    result = store.import_file(other)
    assert (result.added, result.duplicates, result.invalid) == (1, 0, 3)
    assert "3 unusable (digit 1: label None is not a digit 0..9)" in result.message
    assert store.counts()[7] == 1


def test_import_ids_never_clash(path, tmp_path):
    store = MyDigits(path)
    store.add(SEVEN, 7)
    exported = tmp_path / "exported.json"
    store.export(exported)
    store.relabel(store.entries()[0].id, 3)  # now the exported one is not a duplicate
    assert store.import_file(exported).added == 1
    ids = [e.id for e in store.entries()]
    assert len(set(ids)) == 2 and store.counts()[3] == store.counts()[7] == 1


@pytest.mark.parametrize("content, why", [
    (None, "file not found"),
    (b"{", "not a JSON stroke file"),
    (json.dumps({"format": STROKES_FORMAT, "version": 9, "digits": []}).encode(),
     "newer lenet-gui"),
    (json.dumps({"format": STROKES_FORMAT, "digits": []}).encode(), "no drawings"),
    (json.dumps({"format": STROKES_FORMAT, "digits": [{"label": 3, "strokes": []}]}).encode(),
     "no usable drawings .digit 0: an empty drawing"),
    (json.dumps({"format": "x"}).encode(), "not a lenet-gui stroke file"),
])
def test_refused_imports_change_nothing(path, tmp_path, content, why):
    store = MyDigits(path)
    store.add(SEVEN, 7)
    before = path.read_bytes()
    other = tmp_path / "in.json"
    if content is not None:
        other.write_bytes(content)
    with pytest.raises(MyDigitsError, match=why):
        store.import_file(other)
    assert path.read_bytes() == before and len(store) == 1
    if content is not None:
        assert other.read_bytes() == content  # an import never renames the source


def _many(n: int) -> str:
    """A stroke file of n different small drawings."""
    digit = '{"label":%d,"strokes":[[[%.4f,%.4f],[0.5,0.9]]]}'
    return ('{"format":"lenet-gui-strokes","version":1,"digits":[' +
            ",".join(digit % (i % 10, 0.2 + (i // 1000) * 0.001, 0.1 + (i % 1000) * 0.0005)
                     for i in range(n)) + "]}")


def test_a_100000_drawing_file_is_refused_and_changes_nothing(path, tmp_path):
    store = MyDigits(path)
    store.add(SEVEN, 7)
    before = path.read_bytes()
    huge = tmp_path / "huge.json"
    huge.write_text(_many(100_000))
    assert huge.stat().st_size < MAX_FILE_BYTES  # refused for its count, not its size
    with pytest.raises(MyDigitsError, match="more than 20,000 drawings .a stroke file may "
                                            "have at most 20,000."):
        store.import_file(huge)
    assert path.read_bytes() == before and len(store) == 1


def test_a_file_over_50_mb_is_refused_before_it_is_read(path, tmp_path, monkeypatch):
    store = MyDigits(path)
    store.add(SEVEN, 7)
    before = path.read_bytes()
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:  # sparse: 60 MB on paper, nothing on disk
        fh.truncate(60 * 2**20)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a 60 MB file"))
    with pytest.raises(MyDigitsError, match="60 MB, more than a stroke file may have .50 MB."):
        store.import_file(big)
    monkeypatch.undo()
    assert path.read_bytes() == before


def test_an_import_that_would_overfill_the_store_is_refused(path, tmp_path, monkeypatch):
    monkeypatch.setattr(file_module, "MAX_DRAWINGS", 100)
    store = MyDigits(path)
    store.add(SEVEN, 7)
    before = path.read_bytes()
    many = tmp_path / "many.json"
    many.write_text(_many(100))
    with pytest.raises(MyDigitsError, match="would hold 101 drawings, more than 100"):
        store.import_file(many)
    assert path.read_bytes() == before and len(store) == 1
    many.write_text(_many(99))
    assert store.import_file(many).added == 99
    with pytest.raises(MyDigitsError, match="would hold 101 drawings"):
        store.add(ONE, 1)


def test_a_20000_drawing_file_is_accepted(path, tmp_path):
    store = MyDigits(path)
    big = tmp_path / "big.json"
    big.write_text(_many(MAX_DRAWINGS))
    batch = read_import(big)  # what the window runs in a worker
    assert len(store) == 0  # reading merges nothing
    result = store.merge(batch)
    assert result.added == MAX_DRAWINGS and len(MyDigits(path)) == MAX_DRAWINGS


def test_export_writes_a_stroke_file(path, tmp_path):
    store = MyDigits(path)
    with pytest.raises(MyDigitsError, match="nothing to export"):
        store.export(tmp_path / "empty.json")
    store.add(SEVEN, 7)
    store.add(ONE, 1)
    out = tmp_path / "sub" / "export.json"
    assert store.export(out) == 2
    assert [(d.label, d.strokes) for d in load_drawings(out)] == [(7, SEVEN), (1, ONE)]
    assert MyDigits(tmp_path / "fresh.json").import_file(out).added == 2
    with pytest.raises(MyDigitsError, match="cannot write"):
        store.export(tmp_path)  # a folder


def test_save_rewrites_the_file(path):
    store = MyDigits(path)
    store.add(SEVEN, 7)
    path.unlink()
    store.save()
    assert len(load_drawings(path)) == 1


# ------------------------------------------------------- reading digit by digit
def test_reading_digit_by_digit_agrees_with_the_project_reader(tmp_path):
    batch = read_import(DRAWN)
    reference = load_drawings(DRAWN)
    assert [(e.label, e.strokes) for e in batch.entries] == \
        [(d.label, d.strokes) for d in reference]
    pretty = tmp_path / "pretty.json"  # any whitespace, any member order
    raw = json.loads(DRAWN.read_text())
    pretty.write_text(json.dumps({"digits": raw["digits"][:20], "version": 1,
                                  "format": STROKES_FORMAT}, indent=2))
    store = MyDigits(tmp_path / "my_digits.json")
    assert store.import_file(pretty).added == 20
    assert [d.strokes for d in load_drawings(tmp_path / "my_digits.json")] == \
        [d.strokes for d in reference[:20]]


def test_a_file_cut_anywhere_is_one_clear_refusal(tmp_path):
    text = json.dumps({"format": STROKES_FORMAT, "version": 1, "digits": [
        {"label": 7, "strokes": [[[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]], "id": "a"},
        {"label": 1, "strokes": [{"points": [[0.5, 0.1], [0.5, 0.9]], "erase": False}]}]})
    cut = tmp_path / "cut.json"
    for n in range(len(text)):
        cut.write_text(text[:n])
        with pytest.raises(MyDigitsError) as info:
            read_import(cut)
        assert str(info.value).startswith(f"{cut}: ") and "\n" not in str(info.value)
    cut.write_text(text + " x")
    with pytest.raises(MyDigitsError, match="not a JSON stroke file .extra data"):
        read_import(cut)
    cut.write_text(text + "\n  ")
    assert len(read_import(cut).entries) == 2
