r"""Starting weights for deep networks, and the measurements that judge them (lesson 12).

A neuron's $z = \sum_k w_k a_k$ adds up $n$ products, $n$ the layer's fan-in. With weights drawn
independently of the inputs, with mean 0 and variance $v$, the cross terms average out and

$$E[z^2] = n\, v\, E[a^2],$$

so the variance $v$ decides whether $z$ grows, shrinks or keeps its size from layer to layer. On
the way back, $\partial L/\partial a_k = \sum_j w_{jk}\, \delta_j$ adds up fan-out terms, and the
same argument gives $E[(\partial L/\partial a_k)^2] = n_{out}\, v\, E[\delta^2]$. Each scheme is a
variance $v$ as a function of (fan_in, fan_out):

- `lecun`, the 1/n scale of every earlier lesson: $v = 1/n_{in}$ keeps $E[z^2] = E[a^2]$;
- `glorot` (Glorot and Bengio, 2010): $v = 2/(n_{in} + n_{out})$, between the forward pass's
  $1/n_{in}$ and the backward pass's $1/n_{out}$;
- `he` (He et al., 2015): $v = 2/n_{in}$, for ReLU, which passes on half of $E[z^2]$.
"""

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from bp_lessons.losses import mse_loss_gradient
from bp_lessons.vectorized import VectorizedMLP


def lecun(fan_in: int, fan_out: int) -> float:
    r"""$v = 1/n_{in}$: the 1/n scale that `MLP` and `VectorizedMLP` draw by default."""
    return 1 / fan_in


def glorot(fan_in: int, fan_out: int) -> float:
    r"""$v = 2/(n_{in} + n_{out})$: the mean of the forward pass's $n_{in}$ and the backward
    pass's $n_{out}$, inverted."""
    return 2 / (fan_in + fan_out)


def he(fan_in: int, fan_out: int) -> float:
    r"""$v = 2/n_{in}$: ReLU zeroes half of the $z$, so $E[a^2] = \frac12 E[z^2]$; twice the
    1/n scale makes up for it."""
    return 2 / fan_in


SCHEMES: dict[str, Callable[[int, int], float]] = {"1/n": lecun, "glorot": glorot, "he": he}


def initialize(
    network: VectorizedMLP,
    variance: Callable[[int, int], float],
    seed: int | np.random.Generator | None = 0,
) -> VectorizedMLP:
    r"""Draw every layer's $W$ afresh from $N(0, v)$ with $v$ = variance(fan_in, fan_out), layer 1
    first from one generator, set the biases to 0 and the gradients to 0; return the network.

    `initialize(network, lecun, seed)` draws the weights `VectorizedMLP(sizes, seed=seed)` starts
    with (to rounding: there $w = x/\sqrt{n}$, here $w = x\sqrt{1/n}$).
    """
    rng = np.random.default_rng(seed)
    for layer in network.layers:
        fan_out, fan_in = layer.W.shape  # W (out, in): one row per neuron
        v = variance(fan_in, fan_out)
        if not (isinstance(v, (int, float)) and 0 <= v < math.inf):
            raise ValueError(f"a variance must be a number, 0 or more; got {v!r}")
        layer.W[:] = rng.standard_normal((fan_out, fan_in)) * math.sqrt(v)
        layer.b[:] = 0.0
    network.zero_grad()
    return network


def rms(values: NDArray) -> float:
    r"""The size of a set of numbers: the root mean square $\sqrt{\text{mean}(z^2)}$."""
    return float(np.sqrt(np.mean(np.square(values))))


def spread(Z: NDArray) -> float:
    """How much each neuron's value varies over the examples (lesson 06): the root mean square,
    over the neurons, of each column's standard deviation. Z (examples, neurons)."""
    return float(np.sqrt(np.mean(np.asarray(Z).var(axis=0))))


def deltas(network: VectorizedMLP, X: NDArray, Y: NDArray) -> list[NDArray]:
    r"""$\delta^{(l)} = \partial L/\partial Z^{(l)}$ of every layer, layer 1 first, each of shape
    (batch, out), for the mean squared error of the batch. The network's dW and db then hold the
    batch's gradients (they are zeroed first)."""
    network.zero_grad()
    dA = mse_loss_gradient(network.forward(X), Y)  # ∂L/∂A of the output layer
    found = []
    for layer in reversed(network.layers):
        found.append(dA * layer.delta_act(layer.Z, layer.A))  # δ = ∂L/∂A ⊙ act'(Z)
        dA = layer.backward(dA)  # ∂L/∂A of the layer before: δ W
    return found[::-1]


def gradient_norms(network: VectorizedMLP, X: NDArray, Y: NDArray) -> list[float]:
    r"""$\lVert \partial L/\partial W^{(l)} \rVert$ of every layer, layer 1 first: the square root
    of the sum of the squares of its entries, for the mean squared error of the batch."""
    deltas(network, X, Y)
    return [float(np.linalg.norm(layer.dW)) for layer in network.layers]
