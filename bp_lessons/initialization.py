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

Then the measurements: the size and spread of $z$, each layer's $\delta$ and gradient, the share
of saturated activations and dead neurons (Karpathy's diagnostics of depth), and the fair
comparison of lesson 09's rule: `sweep_learning_rates` trains a network at many learning rates
at once and `best_on_validation` picks the rate and the number of epochs on validation.
"""

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from bp_lessons.losses import mse_loss_gradient
from bp_lessons.training import as_dataset, iterate_minibatches
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


def started(
    sizes: Sequence[int],
    activation: str,
    variance: str | Callable[[int, int], float] = "1/n",
    seed: int | np.random.Generator | None = 0,
) -> VectorizedMLP:
    r"""Lesson 12's networks: `activation` in the hidden layers, a sigmoid output layer, every $W$
    drawn from $N(0, v)$ with `variance` (a name in `SCHEMES` or a function of (fan_in, fan_out))
    by `initialize`, biases 0."""
    if isinstance(variance, str):
        if variance not in SCHEMES:
            raise ValueError(
                f"variance must be one of {sorted(SCHEMES)} or a function; got {variance!r}"
            )
        variance = SCHEMES[variance]
    return initialize(VectorizedMLP(sizes, activation, "sigmoid"), variance, seed=seed)


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


# Karpathy's diagnostics of depth: how many activations sit where the slope is (nearly) 0

SATURATED = {
    "sigmoid": lambda A: (A < 0.03) | (A > 0.97),  # on the flat tails: σ' < 0.03
    "tanh": lambda A: np.abs(A) > 0.97,  # on the flat tails: tanh' < 0.06
    "relu": lambda A: A <= 0,  # off: relu' = 0, no gradient passes
}


def saturation(layer) -> float:
    r"""The share of a layer's activations (over the examples of its last forward pass and its
    neurons) where the slope is (nearly) 0: a sigmoid outside [0.03, 0.97], a tanh outside
    [-0.97, 0.97], a ReLU that is off ($z \le 0$). No gradient passes back through those."""
    if layer.activation not in SATURATED:
        raise ValueError(
            f"saturation knows {sorted(SATURATED)} activations, got {layer.activation!r}"
        )
    if layer.A is None:
        raise RuntimeError("saturation reads the activations of a forward pass: call forward")
    return float(np.mean(SATURATED[layer.activation](layer.A)))


def dead(layer) -> float:
    """The share of a layer's neurons that are saturated for every example of its last forward
    pass: a ReLU off for all of them passes no gradient back and never learns."""
    if layer.A is None:
        raise RuntimeError("dead reads the activations of a forward pass: call forward")
    return float(np.mean(SATURATED[layer.activation](layer.A).all(axis=0)))


# Comparing networks fairly (lesson 09's rule): each at its own best learning rate, on validation


def accuracy(network: VectorizedMLP, X: NDArray, Y: NDArray) -> float:
    """The share of examples whose largest output is the one their one-hot label marks."""
    return float(np.mean(network.forward(X).argmax(axis=1) == np.asarray(Y).argmax(axis=1)))


def sweep_learning_rates(
    network: VectorizedMLP,
    rates: Sequence[float],
    training: tuple[NDArray, NDArray],
    validation: tuple[NDArray, NDArray],
    *,
    epochs: int,
    batch_size: int,
    seed: int = 0,
) -> NDArray:
    """Train one copy of `network` per learning rate and return the validation accuracy of each
    after each epoch, an array (rates, epochs): NaN from the epoch after which a copy's weights
    are no longer finite numbers (that rate diverged; `train` stops there with an error, or
    sooner, at the first overflow). The network itself is left as it was.

    Each copy takes the steps `train(copy, *training, epochs=epochs, batch_size=batch_size,
    learning_rate=rate, seed=seed)` takes: the same shuffles, the same batches, its own rate.
    The copies are stacked, W (rates, out, in), so that each step is one array operation for
    every rate at once: the same arithmetic, in a fraction of the time of one loop per rate.
    """
    rates = np.asarray(rates, dtype=float)
    if rates.ndim != 1 or not len(rates) or not np.all((rates > 0) & np.isfinite(rates)):
        raise ValueError(f"rates must be a list of positive numbers, got {rates!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number, 1 or more, got {epochs!r}")
    X, Y = as_dataset(*training, network.sizes[0], network.sizes[-1])
    X_val, Y_val = as_dataset(*validation, network.sizes[0], network.sizes[-1])
    count = len(rates)
    Ws = [np.repeat(layer.W[None], count, axis=0) for layer in network.layers]  # (rates, out, in)
    bs = [np.repeat(layer.b[None], count, axis=0) for layer in network.layers]  # (rates, out)
    functions = [(layer.act, layer.delta_act) for layer in network.layers]

    def forward(A):  # A (batch, in) -> every layer's (input, Z, A), each (rates, batch, ...)
        kept = []
        for W, b, (act, _) in zip(Ws, bs, functions):
            Z = A @ W.transpose(0, 2, 1) + b[:, None, :]
            kept.append((A, Z, act(Z)))
            A = kept[-1][2]
        return kept

    rng = np.random.default_rng(seed)  # as in `train`: one generator, a new shuffle each epoch
    found = np.full((count, epochs), np.nan)
    finite = np.ones(count, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging copy must not stop the rest
        for epoch in range(epochs):
            for X_batch, Y_batch in iterate_minibatches(X, Y, batch_size, seed=rng):
                kept = forward(X_batch)
                dA = (kept[-1][2] - Y_batch) * (2.0 / Y_batch.size)  # mse_loss_gradient
                for layer in reversed(range(len(Ws))):
                    A_in, Z, A = kept[layer]
                    dZ = dA * functions[layer][1](Z, A)  # (rates, batch, out)
                    if layer:
                        dA = dZ @ Ws[layer]  # ∂L/∂A of the layer before
                    Ws[layer] -= rates[:, None, None] * (dZ.transpose(0, 2, 1) @ A_in)
                    bs[layer] -= rates[:, None] * dZ.sum(axis=1)
            for W, b in zip(Ws, bs):
                finite &= np.isfinite(W).all(axis=(1, 2)) & np.isfinite(b).all(axis=1)
            for W, b in zip(Ws, bs):  # a diverged copy is set to 0, so it computes no inf
                W[~finite], b[~finite] = 0.0, 0.0
            outputs = forward(X_val)[-1][2]  # (rates, examples, outputs)
            right = np.mean(outputs.argmax(axis=2) == Y_val.argmax(axis=1), axis=1)
            found[:, epoch] = np.where(finite, right, np.nan)
    return found


def best_on_validation(sweep: NDArray, rates: Sequence[float]) -> tuple[float, int, float]:
    """(learning rate, epochs, validation accuracy) of the best cell of a `sweep_learning_rates`
    array; a tie goes to the smaller rate, then to fewer epochs."""
    sweep = np.where(np.isnan(sweep), -1.0, sweep)  # a diverged rate is never chosen
    row, column = np.unravel_index(np.argmax(sweep), sweep.shape)  # the first of the best
    return float(rates[row]), int(column) + 1, float(sweep[row, column])
