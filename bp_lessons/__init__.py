"""bp_lessons: the reference implementations the backpropagation lessons import.

from bp_lessons import Neuron, Layer, MLP
"""

from bp_lessons.layer import Layer
from bp_lessons.mlp import MLP
from bp_lessons.neuron import Neuron

__version__ = "0.1.0"
__all__ = ["Layer", "MLP", "Neuron", "__version__"]
