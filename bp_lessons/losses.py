"""The mean squared error and its gradient (lesson 03).

The convention for the whole series: the loss is the **mean** over the outputs,

    L = (1/n) Σ_j (a_j − y_j)²,    ∂L/∂a_j = (2/n)(a_j − y_j),

so for one output ∂L/∂a = 2(a − label), exactly as in the notes. Given NumPy arrays of shape
(batch, outputs), both functions take the mean over the batch as well: n is every entry.
"""

import math
from collections.abc import Sequence

import numpy as np


def mse_loss(outputs: Sequence[float] | np.ndarray, labels: Sequence[float] | np.ndarray) -> float:
    """L = (1/n) Σ_j (a_j − y_j)², the mean over all outputs."""
    if isinstance(outputs, np.ndarray):
        difference = outputs - _label_array(outputs, labels)
        return float(np.vdot(difference, difference)) / difference.size  # Σ d² / n
    labels = _label_list(outputs, labels)
    return math.fsum((a - y) * (a - y) for a, y in zip(outputs, labels)) / len(labels)


def mse_loss_gradient(
    outputs: Sequence[float] | np.ndarray, labels: Sequence[float] | np.ndarray
) -> list[float] | np.ndarray:
    """∂L/∂a_j = (2/n)(a_j − y_j): the exact gradient of `mse_loss`."""
    if isinstance(outputs, np.ndarray):
        return (outputs - _label_array(outputs, labels)) * (2.0 / outputs.size)
    labels = _label_list(outputs, labels)
    n = len(labels)
    return [2.0 * (a - y) / n for a, y in zip(outputs, labels)]


def _label_list(outputs: Sequence[float], labels: Sequence[float]) -> list[float]:
    """The labels as floats, one per output, or a clear error."""
    if isinstance(outputs, str) or not isinstance(outputs, Sequence):
        raise TypeError(f"outputs must be a list of numbers, got {type(outputs).__name__}")
    if isinstance(labels, str) or not hasattr(labels, "__len__"):
        raise TypeError(
            f"labels must be a list with one number per output ({len(outputs)}), "
            f"got {type(labels).__name__} {labels!r}; for one output write [label]"
        )
    if len(outputs) != len(labels):
        raise ValueError(
            f"the network gives {len(outputs)} outputs but there are {len(labels)} labels: "
            "each output needs exactly one label"
        )
    if len(labels) == 0:
        raise ValueError("outputs and labels are empty: the loss needs at least one output")
    return [float(y) for y in labels]


def _label_array(outputs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The labels as an array of the outputs' shape, or a clear error."""
    if type(labels) is np.ndarray and labels.shape == outputs.shape and outputs.size:
        return labels  # already right: the training loop's case, kept cheap
    labels = np.asarray(labels, dtype=float)
    if labels.shape != outputs.shape:
        raise ValueError(
            f"outputs have shape {outputs.shape} but labels have shape {labels.shape}: "
            "each output needs exactly one label"
        )
    if outputs.size == 0:
        raise ValueError("outputs and labels are empty: the loss needs at least one output")
    return labels
