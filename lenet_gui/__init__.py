"""lenet-gui: draw a digit, a MindSpore LeNet5 recognizes it; train it on MNIST."""

__version__ = "0.1.0"
