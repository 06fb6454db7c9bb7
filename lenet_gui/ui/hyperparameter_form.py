"""The Train tab's hyperparameter form: recipe, spin boxes, device picker, personal status.

It turns the widgets' values into a validated ``TrainConfig`` (or, for the personal
recipe, a ``FinetuneConfig``), fills in a recipe's defaults when the recipe changes,
fills the device picker from the device probe, and saves and restores its fields.
It starts no jobs: the Train tab does.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QSpinBox, QWidget)

from ..core.config import DEVICES, RECIPES, TrainConfig
from ..core.devices import DeviceStatus
from ..core.finetune import FinetuneConfig

PERSONAL = "personal"  # the recipe that learns the user's handwriting (lenet_gui.core.finetune)
TAB_RECIPES = RECIPES + (PERSONAL,)


class HyperparameterForm(QGroupBox):
    """The "Hyperparameters" box; ``recipe_changed`` after a recipe's defaults are set."""

    recipe_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Hyperparameters", parent)
        self.recipe_combo = QComboBox()
        self.recipe_combo.setObjectName("recipe_combo")
        for name in TAB_RECIPES:
            self.recipe_combo.addItem(name.capitalize(), name)
        self.recipe_combo.setToolTip("Course: the course's recipe (Momentum SGD, 3 epochs).\n"
                                     "Robust: augmentation (rotation, scale, shear, elastic, "
                                     "stroke width, the slashed 0, continental 1 and crossed "
                                     "7), cosine learning rate, weight decay.\n"
                                     "Personal: learn my handwriting — fine-tune the model in "
                                     "use on My digits mixed with MNIST.")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("epochs_spin")
        self.epochs_spin.setRange(1, 1000)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setObjectName("lr_spin")
        self.lr_spin.setDecimals(4)
        self.lr_spin.setRange(0.0001, 10.0)
        self.lr_spin.setSingleStep(0.001)
        self.momentum_spin = QDoubleSpinBox()
        self.momentum_spin.setObjectName("momentum_spin")
        self.momentum_spin.setDecimals(3)
        self.momentum_spin.setRange(0.0, 0.999)
        self.momentum_spin.setSingleStep(0.01)
        self.batch_spin = QSpinBox()
        self.batch_spin.setObjectName("batch_spin")
        self.batch_spin.setRange(1, 4096)
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seed_spin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.limit_spin = QSpinBox()
        self.limit_spin.setObjectName("limit_spin")
        self.limit_spin.setRange(0, 60000)
        self.limit_spin.setSingleStep(1000)
        self.limit_spin.setSpecialValueText("all 60,000")
        self.limit_spin.setToolTip("Train on the first N images only, for a quick run")
        self.average_spin = QSpinBox()
        self.average_spin.setObjectName("average_spin")
        self.average_spin.setRange(0, 1000)
        self.average_spin.setSpecialValueText("off")
        self.average_spin.setToolTip(
            "Stochastic weight averaging: also try the mean of the last N epochs' weights; "
            "it is kept if it judges better than every epoch")
        self.device_combo = QComboBox()
        self.device_combo.setObjectName("device_combo")
        self.device_combo.setToolTip("The device MindSpore trains on")
        self.device_reason = QLabel()
        self.device_reason.setObjectName("device_reason")
        self.device_reason.setWordWrap(True)
        self.device_reason.setStyleSheet("color: palette(mid);")

        form = QFormLayout()
        form.addRow("Recipe", self.recipe_combo)
        # Averaging belongs to the epochs, and a row of its own would make the tab taller.
        epochs_row = QHBoxLayout()
        epochs_row.setContentsMargins(0, 0, 0, 0)
        epochs_row.addWidget(self.epochs_spin, 1)
        epochs_row.addWidget(QLabel("average last"))
        epochs_row.addWidget(self.average_spin, 1)
        form.addRow("Epochs", epochs_row)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("Momentum", self.momentum_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Training images", self.limit_spin)
        form.addRow("Device", self.device_combo)
        form.addRow("", self.device_reason)
        self.personal_status = QLabel()
        self.personal_status.setObjectName("personal_status")
        self.personal_status.setWordWrap(True)
        self.personal_status.hide()
        form.addRow("", self.personal_status)
        self.setLayout(form)

        self.set_config(TrainConfig())
        self.recipe_combo.currentIndexChanged.connect(self._on_recipe_changed)
        self.set_devices(None)

    def fields(self) -> tuple[QWidget, ...]:
        """The widgets a running job locks, in order."""
        return (self.recipe_combo, self.epochs_spin, self.lr_spin, self.momentum_spin,
                self.batch_spin, self.seed_spin, self.limit_spin, self.average_spin,
                self.device_combo)

    # ------------------------------------------------------------- config
    def set_config(self, config: TrainConfig) -> None:
        self.recipe_combo.blockSignals(True)
        self.recipe_combo.setCurrentIndex(max(0, self.recipe_combo.findData(config.recipe)))
        self.recipe_combo.blockSignals(False)
        self.epochs_spin.setValue(config.epochs)
        self.lr_spin.setValue(config.lr)
        self.momentum_spin.setValue(config.momentum)
        self.batch_spin.setValue(config.batch_size)
        self.seed_spin.setValue(config.seed)
        self.limit_spin.setValue(config.limit or 0)
        self.average_spin.setValue(config.average_epochs)

    def _on_recipe_changed(self) -> None:
        recipe = self.recipe_combo.currentData()
        limit, seed = self.limit_spin.value() or None, self.seed_spin.value()
        if recipe == PERSONAL:
            p = FinetuneConfig()
            self.epochs_spin.setValue(p.epochs)
            self.lr_spin.setValue(p.lr)
            self.momentum_spin.setValue(p.momentum)
            self.batch_spin.setValue(p.batch_size)
            self.average_spin.setValue(0)
        else:
            self.set_config(TrainConfig.for_recipe(recipe, limit=limit, seed=seed))
        self.recipe_changed.emit()

    def is_personal(self) -> bool:
        return self.recipe_combo.currentData() == PERSONAL

    def personal_config(self) -> FinetuneConfig:
        """The widgets' values as the personal recipe's config, validated."""
        config = FinetuneConfig(epochs=self.epochs_spin.value(),
                                lr=round(self.lr_spin.value(), 6),
                                momentum=round(self.momentum_spin.value(), 6),
                                batch_size=self.batch_spin.value(), seed=self.seed_spin.value(),
                                device=self.device_combo.currentData() or "CPU")
        config.validate()
        return config

    def config(self) -> TrainConfig:
        """The widgets' values as a TrainConfig, validated (ConfigError with the reason)."""
        device = self.device_combo.currentData() or "CPU"
        config = TrainConfig.for_recipe(
            self.recipe_combo.currentData() or "course",
            epochs=self.epochs_spin.value(), lr=round(self.lr_spin.value(), 6),
            momentum=round(self.momentum_spin.value(), 6),
            batch_size=self.batch_spin.value(), seed=self.seed_spin.value(),
            limit=self.limit_spin.value() or None, device=device,
            average_epochs=self.average_spin.value())
        config.validate()
        return config

    def set_personal_status(self, text: str, warning: bool) -> None:
        """What the personal recipe would learn from; red when it is too little."""
        self.personal_status.setText(text)
        self.personal_status.setStyleSheet("color: #c62828;" if warning else "")

    # ------------------------------------------------------------- settings
    def write_settings(self, settings: QSettings) -> None:
        """Save the recipe and the spin boxes into the caller's current group."""
        settings.setValue("recipe", self.recipe_combo.currentData())
        for key, spin in (("epochs", self.epochs_spin), ("lr", self.lr_spin),
                          ("momentum", self.momentum_spin), ("batch_size", self.batch_spin),
                          ("seed", self.seed_spin), ("limit", self.limit_spin),
                          ("average_epochs", self.average_spin)):
            settings.setValue(key, spin.value())

    def read_settings(self, settings: QSettings) -> None:
        """Restore what ``write_settings`` saved; bad or missing values are skipped."""
        recipe = settings.value("recipe")
        if recipe in TAB_RECIPES:
            self.recipe_combo.blockSignals(True)
            self.recipe_combo.setCurrentIndex(self.recipe_combo.findData(recipe))
            self.recipe_combo.blockSignals(False)
        for key, spin, cast in (("epochs", self.epochs_spin, int),
                                ("lr", self.lr_spin, float),
                                ("momentum", self.momentum_spin, float),
                                ("batch_size", self.batch_spin, int),
                                ("seed", self.seed_spin, int),
                                ("limit", self.limit_spin, int),
                                ("average_epochs", self.average_spin, int)):
            value = settings.value(key)
            if value is not None:
                try:
                    spin.setValue(cast(value))
                except (TypeError, ValueError):
                    pass

    # -------------------------------------------------------------- devices
    def set_devices(self, devices: list[DeviceStatus] | None) -> None:
        """Fill the picker; None while the probe runs."""
        current = self.device_combo.currentData() or "CPU"
        self.device_combo.clear()
        model = self.device_combo.model()
        reasons = []
        if devices is None:
            devices = [DeviceStatus(d, d == "CPU", "checking…") for d in DEVICES]
        for i, d in enumerate(devices):
            text = d.name if d.available else f"{d.name} (unavailable)"
            self.device_combo.addItem(text, d.name)
            self.device_combo.setItemData(i, d.reason, Qt.ItemDataRole.ToolTipRole)
            item = model.item(i)
            item.setEnabled(d.available)
            if not d.available:
                reasons.append(f"{d.name}: {d.reason}")
        idx = self.device_combo.findData(current)
        if idx < 0 or not model.item(idx).isEnabled():
            idx = self.device_combo.findData("CPU")
        self.device_combo.setCurrentIndex(max(idx, 0))
        self.device_reason.setText("\n".join(reasons))
        self.device_statuses = devices
