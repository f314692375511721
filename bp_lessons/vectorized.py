r"""The matrix form (lesson 10): a whole batch through a layer in one matrix product.

X holds one example per row and W[j, k] is $w_{jk}$ (row j holds neuron j's weights), so

$$Z = X W^T + b, \qquad A = act(Z),$$

and with dA = ∂L/∂A from the layer after, lesson 07's equations for every example at once:

$$dZ = dA \odot act'(Z), \quad dW \mathrel{+}= dZ^T X, \quad db \mathrel{+}= \sum_{batch} dZ,
\quad dX = dZ\,W.$$

$dZ^T X$ sums over the batch: lesson 09's per-example gradients added up in one product.
$dZ\,W$ sums over the neurons j: lesson 05's sum of input gradients. Same activations, loss
convention and initialisation as the neuron-by-neuron engine, in NumPy arrays.
"""

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bp_lessons.activations import LEAKY_SLOPE, get_activation
from bp_lessons.mlp import MLP, check_sizes
from bp_lessons.neuron import check_size

# The activations of `bp_lessons.activations`, elementwise on arrays, and their derivatives with
# respect to z. A derivative may be given A = act(Z) from the forward pass: it then reuses it
# (sigma'(z) = a(1 - a)) instead of computing act again. Arrays are updated in place where that
# saves a temporary: on large batches a new array can cost as much as the arithmetic on it.


def sigmoid(Z: NDArray) -> NDArray:
    r"""$\sigma(z) = 1 / (1 + e^{-z})$, without overflow: z is floored at -709 (e^709 is finite),
    where σ is already below 1e-307, so σ(-1000) gives 1e-308 instead of 0 and no warning."""
    A = np.maximum(Z, -709.0)  # (batch, out), a new array: the steps below work in place
    np.negative(A, out=A)
    np.exp(A, out=A)
    A += 1.0
    return np.reciprocal(A, out=A)


def sigmoid_derivative(Z: NDArray, A: NDArray | None = None) -> NDArray:
    r"""$\sigma'(z) = \sigma(z)(1 - \sigma(z)) = a(1 - a)$"""
    A = sigmoid(Z) if A is None else A
    derivative = 1.0 - A
    derivative *= A
    return derivative


def tanh(Z: NDArray) -> NDArray:
    return np.tanh(Z)


def tanh_derivative(Z: NDArray, A: NDArray | None = None) -> NDArray:
    r"""$1 - \tanh^2(z) = 1 - a^2$"""
    A = np.tanh(Z) if A is None else A
    return 1.0 - A * A


def relu(Z: NDArray) -> NDArray:
    return np.maximum(Z, 0.0)


def relu_derivative(Z: NDArray, A: NDArray | None = None) -> NDArray:
    """1 where z > 0, else 0 (0 at the kink, as the scalar engine and PyTorch)."""
    return (Z > 0).astype(float)


def leaky_relu(Z: NDArray) -> NDArray:
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def leaky_relu_derivative(Z: NDArray, A: NDArray | None = None) -> NDArray:
    return np.where(Z > 0, 1.0, LEAKY_SLOPE)


def identity(Z: NDArray) -> NDArray:
    return Z


def identity_derivative(Z: NDArray, A: NDArray | None = None) -> NDArray:
    return np.ones_like(Z)


ARRAY_ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "identity": (identity, identity_derivative),
}


class DenseLayer:
    """`num_outputs` neurons on `num_inputs` inputs as one matrix; gradients add up until
    `zero_grad()`. The same seed draws the same weights as `Layer(num_inputs, num_outputs)`."""

    def __init__(
        self,
        num_inputs: int,
        num_outputs: int,
        activation: str = "sigmoid",
        seed: int | np.random.Generator | None = 0,
    ):
        check_size(num_inputs, "num_inputs")
        check_size(num_outputs, "num_outputs")
        get_activation(activation)  # the scalar engine's names, and its error for a wrong one
        self.activation = activation
        self.act, self.delta_act = ARRAY_ACTIVATIONS[activation]
        rng = np.random.default_rng(seed)
        # row j is drawn as the scalar engine draws neuron j: w_jk ~ N(0, 1/num_inputs)
        self.W = rng.standard_normal((num_outputs, num_inputs)) / math.sqrt(num_inputs)  # (out, in)
        self.b = np.zeros(num_outputs)  # (out,)
        self.dW = np.zeros_like(self.W)  # (out, in) ∂L/∂W, summed over backward calls
        self.db = np.zeros_like(self.b)  # (out,) ∂L/∂b
        self.X: NDArray | None = None  # (batch, in) of the last forward: ∂Z/∂W
        self.Z: NDArray | None = None  # (batch, out) of the last forward: linear_activation
        self.A: NDArray | None = None  # (batch, out) of the last forward: act(Z)

    def forward(self, X: NDArray) -> NDArray:
        r"""$Z = X W^T + b$, $A = act(Z)$: X (batch, in) -> A (batch, out).

        Keeps X, Z and A for `backward`, so change the returned A only in a copy.
        """
        X = _as_batch(X, self.W.shape[1])
        self.X = X  # (batch, in)
        self.Z = X @ self.W.T  # (batch, in) @ (in, out) -> (batch, out)
        self.Z += self.b  # (out,) added to every row
        self.A = self.act(self.Z)  # (batch, out)
        return self.A

    def backward(self, dA: NDArray, input_gradient: bool = True) -> NDArray | None:
        r"""Add $dW = dZ^T X$ and $db = \sum_{batch} dZ$, where $dZ = dA \odot act'(Z)$.

        dA = ∂L/∂A (batch, out). Returns ∂L/∂X = dZ W (batch, in), or None when
        `input_gradient` is False (the first layer's inputs are data: nothing needs it).
        """
        if self.Z is None:
            raise RuntimeError("backward needs the X and Z of a forward pass: call forward first")
        if type(dA) is not np.ndarray or dA.dtype != np.float64:
            dA = np.asarray(dA, dtype=float)
        if dA.shape != self.Z.shape:
            raise ValueError(
                f"expected an output gradient ∂L/∂A of shape {self.Z.shape} (batch, outputs) "
                f"like the last forward's outputs, got shape {dA.shape}"
            )
        dZ = dA * self.delta_act(self.Z, self.A)  # (batch, out): output * activation gradient
        self.dW += dZ.T @ self.X  # (out, batch) @ (batch, in) -> (out, in): sum over the batch
        self.db += dZ.sum(axis=0)  # (out,): ∂Z/∂b = 1
        return dZ @ self.W if input_gradient else None  # (batch, out) @ (out, in): sum over j

    def step(self, learning_rate: float) -> None:
        r"""SGD: $W \leftarrow W - lr \cdot dW$, $b \leftarrow b - lr \cdot db$."""
        self.W -= learning_rate * self.dW
        self.b -= learning_rate * self.db

    def zero_grad(self) -> None:
        """Reset dW and db to 0 (before each new batch)."""
        self.dW = np.zeros(self.W.shape)
        self.db = np.zeros(self.b.shape)

    def __repr__(self) -> str:
        out, n_in = self.W.shape
        return f"DenseLayer({n_in} inputs, {out} outputs, {self.activation!r})"


class VectorizedMLP:
    """`VectorizedMLP([64, 30, 10])`: `MLP` as DenseLayers, a batch at a time.

    The same constructor as `MLP`, and the same seed gives exactly the same weights.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        seed: int | np.random.Generator | None = 0,
    ):
        check_sizes(sizes)
        rng = np.random.default_rng(seed)  # one generator, drawn layer by layer as MLP draws
        activations = [activation] * (len(sizes) - 2) + [output_activation or activation]
        self.layers = [
            DenseLayer(num_inputs, num_outputs, act, seed=rng)
            for num_inputs, num_outputs, act in zip(sizes[:-1], sizes[1:], activations)
        ]

    @classmethod
    def from_scalar(cls, mlp: MLP) -> "VectorizedMLP":
        """The matrix form of a neuron-by-neuron `MLP`, with exactly its weights and biases."""
        first, last = mlp.layers[0].neurons[0].activation, mlp.layers[-1].neurons[0].activation
        vectorized = cls(mlp.sizes, first, last)
        for layer, dense in zip(mlp.layers, vectorized.layers):
            if any(neuron.activation != dense.activation for neuron in layer.neurons):
                raise ValueError(f"{layer} mixes activations: a DenseLayer has one for all rows")
            dense.W[:] = [neuron.weights for neuron in layer.neurons]  # row j = neuron j
            dense.b[:] = [neuron.bias for neuron in layer.neurons]
        return vectorized

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].W.shape[1]] + [layer.W.shape[0] for layer in self.layers]

    def forward(self, X: NDArray) -> NDArray:
        """X (batch, inputs) -> Y (batch, outputs): each layer's A is the next layer's X."""
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, dY: NDArray, input_gradient: bool = True) -> NDArray | None:
        """dY = ∂L/∂Y (batch, outputs). Adds ∂L/∂W and ∂L/∂b into every layer; returns ∂L/∂X
        (batch, inputs), or None with `input_gradient=False`, which saves the largest product
        when only the weights' gradients are needed (training)."""
        for layer in reversed(self.layers[1:]):
            dY = layer.backward(dY)
        return self.layers[0].backward(dY, input_gradient)

    def step(self, learning_rate: float) -> None:
        for layer in self.layers:
            layer.step(learning_rate)

    def zero_grad(self) -> None:
        for layer in self.layers:
            layer.zero_grad()

    def __repr__(self) -> str:
        hidden, output = self.layers[0].activation, self.layers[-1].activation
        return f"VectorizedMLP({self.sizes}, activation={hidden!r}, output_activation={output!r})"


def _as_batch(X: NDArray, num_inputs: int) -> NDArray:
    """X as a float array of shape (batch, num_inputs), or an error saying what came instead.

    Only the shape is checked, so the hot loop stays lean: `train` checks its data once.
    """
    if type(X) is np.ndarray and X.dtype == np.float64 and X.shape[1:] == (num_inputs,) and len(X):
        return X  # the common case, without a copy or a conversion
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"X must be a table of numbers of shape (batch, {num_inputs})") from None
    if X.ndim == 2 and X.shape[1] == num_inputs and len(X) > 0:
        return X
    message = f"expected X of shape (batch, {num_inputs}), one example per row; got {X.shape}"
    if X.ndim == 1:
        message += ": for one example use X.reshape(1, -1), or pass a batch"
    elif X.ndim == 2 and len(X) == 0:
        message += ": the batch is empty"
    raise ValueError(message)
