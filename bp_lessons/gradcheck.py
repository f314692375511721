r"""Checking gradients against central differences (lessons 03 and 07).

$$\frac{df}{dx} \approx \frac{f(x + \epsilon) - f(x - \epsilon)}{2\epsilon}$$

The error of central differences shrinks like $\epsilon^2$ (one-sided differences only like
$\epsilon$). Rounding in float64 adds an error of about $10^{-16} / \epsilon$, so the best
$\epsilon$ is near $\sqrt[3]{10^{-16}} \approx 10^{-5}$: then a correct gradient agrees to about
$10^{-9}$ in absolute terms, and to better than $10^{-5}$ relative for gradients above $10^{-4}$.
"""

from collections.abc import Callable, Sequence

import numpy as np

from bp_lessons.losses import mse_loss, mse_loss_gradient
from bp_lessons.vectorized import VectorizedMLP

EPSILON = 1e-5
FLOOR = 1e-4  # gradients smaller than this are compared absolutely: rounding noise lives there


def numerical_gradient(f: Callable[[float], float], x: float, epsilon: float = EPSILON) -> float:
    r"""$\frac{f(x + \epsilon) - f(x - \epsilon)}{2\epsilon}$, the slope of f at x."""
    if epsilon <= 0:
        raise ValueError(f"epsilon must be positive, got {epsilon}")
    return (f(x + epsilon) - f(x - epsilon)) / (2 * epsilon)


def relative_error(analytic: float, numeric: float) -> float:
    r"""$\frac{|a - n|}{\max(|a|, |n|, 10^{-4})}$: how far apart two gradients are, scale-free."""
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric), FLOOR)


def numerical_slopes(f: Callable[[list[float]], float], values: Sequence[float]) -> list[float]:
    r"""$\frac{\partial f}{\partial v_k}$ for each entry $v_k$ of the list in turn, by central
    differences, the other entries held fixed (lessons 03 to 05): the one row of
    `numerical_jacobian`, for a function of a list."""
    return numerical_jacobian(lambda v: f(v.tolist()), values)[0].tolist()


def gradient_check(
    model, inputs: Sequence[float], labels: Sequence[float], epsilon: float = EPSILON
) -> float:
    """The largest relative error between backward's gradient and central differences of
    `mse_loss(model.forward(inputs), labels)`, over every weight and bias of the model.

    Leaves the weights as they were and the gradients those of this one example. For a
    `VectorizedMLP`, inputs and labels are a batch: arrays of shape (batch, inputs/outputs).
    """
    if isinstance(model, VectorizedMLP):
        return _gradient_check_matrix_form(model, inputs, labels, epsilon)

    def loss() -> float:
        return mse_loss(model.forward(inputs), labels)

    def loss_with_weight(neuron, k: int, value: float) -> float:
        original, neuron.weights[k] = neuron.weights[k], value
        try:
            return loss()
        finally:
            neuron.weights[k] = original

    def loss_with_bias(neuron, value: float) -> float:
        original, neuron.bias = neuron.bias, value
        try:
            return loss()
        finally:
            neuron.bias = original

    model.zero_grad()
    model.backward(mse_loss_gradient(model.forward(inputs), labels))
    worst = 0.0
    for layer in model.layers:
        for neuron in layer.neurons:
            for k, analytic in enumerate(neuron.gradients):
                numeric = numerical_gradient(
                    lambda w, n=neuron, k=k: loss_with_weight(n, k, w), neuron.weights[k], epsilon
                )
                worst = max(worst, relative_error(analytic, numeric))
            numeric = numerical_gradient(
                lambda b, n=neuron: loss_with_bias(n, b), neuron.bias, epsilon
            )
            worst = max(worst, relative_error(neuron.bias_gradient, numeric))
    model.forward(inputs)  # leave each neuron's z and inputs as backward computed them
    return worst


def _gradient_check_matrix_form(model: VectorizedMLP, X, Y, epsilon: float) -> float:
    """`gradient_check` for the matrix form: every entry of every W and b, on a whole batch."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)

    def loss_with_entry(array: np.ndarray, index: tuple, value: float) -> float:
        original, array[index] = array[index], value
        try:
            return mse_loss(model.forward(X), Y)
        finally:
            array[index] = original

    model.zero_grad()
    model.backward(mse_loss_gradient(model.forward(X), Y))
    worst = 0.0
    for layer in model.layers:
        for array, gradient in ((layer.W, layer.dW), (layer.b, layer.db)):
            for index in np.ndindex(array.shape):
                numeric = numerical_gradient(
                    lambda v, a=array, i=index: loss_with_entry(a, i, v),
                    float(array[index]),
                    epsilon,
                )
                worst = max(worst, relative_error(float(gradient[index]), numeric))
    model.forward(X)  # leave each layer's X, Z and A as backward computed them
    return worst


# lesson 13: the slope of a function of an array, entry by entry


def numerical_jacobian(
    f: Callable[[np.ndarray], np.ndarray | float], Z, epsilon: float = EPSILON
) -> np.ndarray:
    r"""Central differences of f along each entry of Z: one column per entry of Z (flattened),
    $\frac{f(Z + \epsilon e_i) - f(Z - \epsilon e_i)}{2\epsilon}$, itself flattened. For an f whose
    value is one number, the one row is f's gradient."""
    Z = np.asarray(Z, dtype=float)
    columns = []
    for direction in np.eye(Z.size):
        step = direction.reshape(Z.shape)
        columns.append(
            np.ravel(numerical_gradient(lambda t, step=step: f(Z + t * step), 0.0, epsilon))
        )
    return np.column_stack(columns)
