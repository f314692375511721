r"""Activation functions $a = act(z)$ and their derivatives $\frac{da}{dz}$ (lessons 01 and 04).

Every derivative is taken with respect to $z$, the neuron's `linear_activation`.
The source notes write the sigmoid derivative as $z \cdot \sigma(z)(1 - \sigma(z))$; that is wrong.
It is $\sigma(z)(1 - \sigma(z))$, and lesson 04 shows the wrong one failing the numerical check.
"""

import math
from collections.abc import Callable

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
