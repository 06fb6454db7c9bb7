"""Learn my handwriting in the Train tab: disabled with the reason, then a real run."""

from __future__ import annotations

from PySide6.QtCore import Qt

from lenet_gui.core.finetune import MIN_PERSONAL_DIGITS, FinetuneConfig, FinetuneResult
from lenet_gui.core.model import read_info
from lenet_gui.core.strokes import load_drawings

from ..conftest import DRAWN


def _choose_personal(tab) -> None:
    tab.recipe_combo.setCurrentIndex(tab.recipe_combo.findData("personal"))


def _teach(window, n_per_digit: int) -> None:
    drawings = load_drawings(DRAWN)
    for digit in range(10):
        for d in [x for x in drawings if x.label == digit][:n_per_digit]:
            window.my_digits_hub.add(d.strokes, digit)


def test_too_few_digits_disable_learning_with_the_reason(window):
    tab = window.train_tab
    _choose_personal(tab)
    assert tab.start_button.text() == "Learn my handwriting"
    assert not tab.start_button.isEnabled()
    assert "empty" in tab.personal_status.text()
    _teach(window, 1)  # 10 digits: not enough
    assert not tab.start_button.isEnabled()
    assert f"at least {MIN_PERSONAL_DIGITS}" in tab.personal_status.text()
    assert f"teach {MIN_PERSONAL_DIGITS - 10} more" in tab.start_button.toolTip()
    _teach(window, 1)  # the same drawings again: the store keeps them (20 now)
    assert tab.start_button.isEnabled(), tab.personal_status.text()
    tab.recipe_combo.setCurrentIndex(tab.recipe_combo.findData("course"))
    assert tab.start_button.text() == "Start training" and tab.start_button.isEnabled()


def test_learn_my_handwriting_then_use_the_model(qtbot, window, subset_dir):
    tab = window.train_tab
    _teach(window, 3)
    tab.data_dir_edit.setText(str(subset_dir))
    _choose_personal(tab)
    recipe = FinetuneConfig()  # the form shows the personal recipe's own settings
    shown = (tab.epochs_spin.value(), tab.lr_spin.value())
    assert shown == (recipe.epochs, recipe.lr) == (4, 0.003)
    tab.epochs_spin.setValue(1)
    qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert tab.is_training() and not tab.start_button.isEnabled()
    with qtbot.waitSignal(tab.training_state_changed, timeout=120000,
                          check_params_cb=lambda running: not running):
        pass
    result = tab._last_result
    assert result is not None and result.checkpoint is not None, tab.banner.label.text()
    assert tab.banner.kind == "success" and "Learned your handwriting" in \
        tab.banner.label.text()
    assert "your held-out digits (10)" in tab.banner.label.text()
    assert tab.loss_plot.point_count == result.steps > 0
    assert "learning your handwriting: 30 digits" in tab.log_view.toPlainText()
    info = read_info(result.checkpoint)
    assert info.personal_digits == 20 and info.train_config["recipe"] == "personal"
    assert "personal" in result.checkpoint.name
    with qtbot.waitSignal(window.model_loaded, timeout=20000):
        qtbot.mouseClick(tab.banner.action_button, Qt.MouseButton.LeftButton)
    assert window.draw_tab.recognizer.checkpoint == result.checkpoint
    assert "20 of your digits" in window.model_label.text()


def test_a_model_that_reads_your_digits_worse_is_flagged_before_use(window, tmp_path):
    """The banner turns to a warning with the reason; "Use this model" stays offered."""
    tab = window.train_tab
    result = FinetuneResult(tmp_path / "mine.ckpt", 50, 40, 10, 0.9, 0.8, 0.9944, 0.9940,
                            10000, 100, 10.0)
    tab._on_personal_finished(result)
    text = tab.banner.label.text()
    assert tab.banner.kind == "warning" and "Careful: it reads your held-out digits worse" \
        in text and "90.0% -> 80.0%" in text
    assert not tab.banner.action_button.isHidden()
    better = FinetuneResult(tmp_path / "mine.ckpt", 50, 40, 10, 0.8, 0.9, 0.9944, 0.9940,
                            10000, 100, 10.0)
    tab._on_personal_finished(better)
    assert tab.banner.kind == "success" and "Careful" not in tab.banner.label.text()
