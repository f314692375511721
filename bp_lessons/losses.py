"""The mean squared error and its gradient (lesson 03).

The convention for the whole series: the loss is the **mean** over the outputs,

    L = (1/n) Σ_j (a_j − y_j)²,    ∂L/∂a_j = (2/n)(a_j − y_j),

so for one output ∂L/∂a = 2(a − label), exactly as in the notes. Given NumPy arrays of shape
(batch, outputs), both functions take the mean over the batch as well: n is every entry.

For classification (lesson 13) the cross-entropy of the softmax of the logits z, the mean over
the batch of B examples, and its gradient with respect to z (not p):

    L = −(1/B) Σ_e Σ_j y_ej log p_ej,  p = softmax(z),    ∂L/∂z = (p − y)/B.
"""

import math
from collections.abc import Callable, Sequence

import numpy as np

from bp_lessons.activations import _logits, softmax


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


# lesson 13: the cross-entropy of softmax, for classification


def cross_entropy_loss(
    logits: Sequence[float] | np.ndarray, labels: Sequence[float] | np.ndarray
) -> float:
    r"""$L = -\frac{1}{B}\sum_e \sum_j y_{ej} \log p_{ej}$ with $p = softmax(z)$: for one-hot
    labels, the mean over the batch of $-\log$(the probability given to the right class).

    Takes the logits z, not p: $\log p_j = z_j - m - \log \sum_k e^{z_k - m}$ (m the row's max)
    is finite for every finite z, where $\log$ of a p that rounded to 0 would be $-\infty$.
    A vector is one example (B = 1).
    """
    Z, Y = _logits_and_labels(logits, labels)
    shifted = Z - Z.max(axis=1, keepdims=True)  # (B, classes), each row's max now 0
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # log softmax(z)
    return -float(np.vdot(Y, log_p)) / len(Z)  # Σ over the batch and the classes, / B


def cross_entropy_gradient(
    logits: Sequence[float] | np.ndarray, labels: Sequence[float] | np.ndarray
) -> list[float] | np.ndarray:
    r"""$\frac{\partial L}{\partial z} = \frac{p - y}{B}$: the exact gradient of
    `cross_entropy_loss` with respect to the logits, the same shape as them (a list for a list)."""
    Z, Y = _logits_and_labels(logits, labels)
    gradient = (softmax(Z) - Y) / len(Z)  # (B, classes)
    if isinstance(logits, np.ndarray):
        return gradient.reshape(logits.shape)
    return gradient.ravel().tolist() if np.ndim(logits) == 1 else gradient.tolist()


def _logits_and_labels(logits, labels) -> tuple[np.ndarray, np.ndarray]:
    """Both as (B, classes) float arrays, the labels one probability distribution per row."""
    Z = _logits(logits)
    try:
        Y = np.asarray(labels, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"labels must be numbers, one per logit, got {labels!r}") from None
    if Y.shape != Z.shape:
        raise ValueError(
            f"the logits have shape {Z.shape} but the labels have shape {Y.shape}: each "
            "example needs one label per class (one-hot rows)"
        )
    if Z.ndim == 1:  # a vector: one example
        Z, Y = Z.reshape(1, -1), Y.reshape(1, -1)
    row_sums = Y.sum(axis=1)
    if Y.min() < 0 or not np.abs(row_sums - 1).max() <= 1e-9:  # `not <=`: NaN fails it too
        raise ValueError(
            "each row of labels must be one-hot (or probabilities: at least 0, summing to 1), "
            f"got rows summing to {sorted(set(np.round(row_sums, 6).tolist()))}: the gradient "
            "p − y holds only when every row sums to 1"
        )
    return Z, Y


# the losses `bp_lessons.training` can train with, by name
LOSSES: dict[str, tuple[Callable, Callable]] = {
    "mse": (mse_loss, mse_loss_gradient),
    "cross_entropy": (cross_entropy_loss, cross_entropy_gradient),
}


def get_loss(name: str) -> tuple[Callable, Callable]:
    """The pair (loss, its gradient) for a loss name: "mse" or "cross_entropy"."""
    if not isinstance(name, str) or name not in LOSSES:
        known = ", ".join(repr(k) for k in LOSSES)
        raise ValueError(f"unknown loss {name!r}: expected one of {known}")
    return LOSSES[name]
