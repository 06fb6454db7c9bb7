"""The core: model, data, preprocessing, segmentation, training, prediction, devices,
export. Plain Python + MindSpore + numpy/Pillow; it never imports Qt, the window
(``lenet_gui.ui``) or the command line (``lenet_gui.cli``), and it imports MindSpore
lazily (``_mindspore.import_mindspore``). ``tests/core/test_layering.py`` enforces it.
"""
