r"""Activation functions $a = act(z)$ and their derivatives $\frac{da}{dz}$ (lessons 01 and 04).

Every derivative is taken with respect to $z$, the neuron's `linear_activation`.
The source notes write the sigmoid derivative as $z \cdot \sigma(z)(1 - \sigma(z))$; that is wrong.
It is $\sigma(z)(1 - \sigma(z))$, and lesson 04 shows the wrong one failing the numerical check.
`softmax` (lesson 13) works on a whole output layer at once, so it is not in `ACTIVATIONS`.
"""

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

LEAKY_SLOPE = 0.01  # the slope of leaky ReLU for z < 0 (PyTorch's default too)


def sigmoid(z: float) -> float:
    r"""$\sigma(z) = \frac{1}{1 + e^{-z}}$, without overflow at $z = \pm 1000$."""
    e = math.exp(-abs(z))  # at most 1: exp never sees a large positive number
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


def sigmoid_derivative(z: float) -> float:
    r"""$\sigma'(z) = \sigma(z)(1 - \sigma(z))$, not $z \sigma(z)(1 - \sigma(z))$."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: float) -> float:
    r"""$\tanh(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}$"""
    return math.tanh(z)


def tanh_derivative(z: float) -> float:
    r"""$\tanh'(z) = 1 - \tanh^2(z)$"""
    t = math.tanh(z)
    return 1.0 - t * t


def relu(z: float) -> float:
    r"""$\mathrm{relu}(z) = \max(0, z)$"""
    return z if z > 0 else 0.0


def relu_derivative(z: float) -> float:
    r"""$\mathrm{relu}'(z) = 1$ if $z > 0$ else $0$; at the kink $z = 0$: 0, as in PyTorch."""
    return 1.0 if z > 0 else 0.0


def leaky_relu(z: float) -> float:
    r"""$z$ if $z > 0$ else $0.01 z$"""
    return z if z > 0 else LEAKY_SLOPE * z


def leaky_relu_derivative(z: float) -> float:
    r"""$1$ if $z > 0$ else $0.01$ (at $z = 0$ the left slope, as PyTorch does)."""
    return 1.0 if z > 0 else LEAKY_SLOPE


def identity(z: float) -> float:
    r"""$z$: no activation, for an output that may take any value."""
    return z


def identity_derivative(z: float) -> float:
    r"""$1$"""
    return 1.0


ActivationPair = tuple[Callable[[float], float], Callable[[float], float]]

ACTIVATIONS: dict[str, ActivationPair] = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "identity": (identity, identity_derivative),
}


def get_activation(name: str) -> ActivationPair:
    """The pair (act, delta_act) for an activation name such as "sigmoid" or "relu"."""
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name such as 'sigmoid', got {type(name).__name__}")
    if name not in ACTIVATIONS:
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}: expected one of {known}")
    return ACTIVATIONS[name]


# lesson 13: the output layer of a classifier


def softmax(z: Sequence[float] | NDArray) -> NDArray:
    r"""$p_j = \frac{e^{z_j}}{\sum_k e^{z_k}}$ over the last axis: of a vector, or of each row of a
    batch (batch, classes). Every $p_j$ is positive and each row sums to 1.

    Each row's max is subtracted first, which changes nothing, $softmax(z - c) = softmax(z)$,
    but keeps every $e^{z_j - max} \le 1$ (no overflow at $z = 1000$) and the largest one 1
    (the sum is at least 1: no 0/0 at $z = -1000$). Not an elementwise activation: each $p_j$
    depends on every $z_k$, so its gradient is taken with the loss (`cross_entropy_gradient`).
    """
    z = _logits(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # the same shape as z, every entry in (0, 1]
    return e / e.sum(axis=-1, keepdims=True)


def _logits(z: Sequence[float] | NDArray) -> NDArray:
    """z as a float array of shape (classes,) or (batch, classes), or an error saying why not."""
    try:
        array = z if type(z) is np.ndarray and z.dtype == np.float64 else np.asarray(z, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"softmax needs a vector of numbers or a (batch, classes) table, got {z!r}"
        ) from None
    if array.ndim not in (1, 2) or array.shape[-1] == 0 or array.size == 0:
        raise ValueError(
            "softmax needs a vector of numbers (classes,) or a table (batch, classes) with at "
            f"least one class, got shape {array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"softmax got NaN or inf in {array.tolist()!r}: every z must be finite")
    return array
