"""One neuron: z = Σ_k w_k i_k + b, a = act(z) (lesson 01), and its gradients (lesson 04).

The names are the notes' names: `linear_activation` is z, `input_activation` holds the inputs
i_k (which are ∂z/∂w_k), `output_gradient` is ∂L/∂a and `activation_gradient` is da/dz; their
product, ∂L/∂z, is the `error` (δ). Plain Python floats and lists, so the code reads like the
equations.

The sum over the inputs is `math.fsum`, the correctly rounded sum: the same bits on every Python
(`sum` of floats is compensated since Python 3.12 and plain before), so a lesson's training run
prints the same numbers everywhere.
"""

import math
from collections.abc import Sequence
from operator import mul

import numpy as np

from bp_lessons.activations import get_activation


def neuron_forward(
    inputs: Sequence[float], weights: Sequence[float], bias: float, activation: str = "sigmoid"
) -> float:
    """a = act(Σ_k w_k i_k + b), the notes' `neuron_forward` as one function."""
    act, _ = get_activation(activation)
    inputs = check_inputs(inputs, len(weights))
    return act(math.fsum(map(mul, weights, inputs)) + bias)


class Neuron:
    """A neuron with one weight per input and a bias; gradients accumulate until `zero_grad()`."""

    def __init__(
        self,
        num_inputs: int,
        activation: str = "sigmoid",
        seed: int | np.random.Generator | None = 0,
    ):
        check_size(num_inputs, "num_inputs")
        self.activation = activation
        self.act, self.delta_act = get_activation(activation)
        rng = np.random.default_rng(seed)
        # w_k ~ N(0, 1/n): z starts with unit variance for inputs of unit variance
        self.weights: list[float] = (
            rng.standard_normal(num_inputs) / math.sqrt(num_inputs)
        ).tolist()
        self.bias = 0.0
        self.gradients = [0.0] * num_inputs  # ∂L/∂w_k, summed over backward calls
        self.bias_gradient = 0.0  # ∂L/∂b
        self.input_activation: list[float] = []  # i_k from the last forward = ∂z/∂w_k
        self.linear_activation = 0.0  # z from the last forward

    def forward(self, inputs: Sequence[float]) -> float:
        """z = Σ_k w_k i_k + b, a = act(z); remembers i and z for `backward`."""
        self.input_activation = check_inputs(inputs, len(self.weights))
        z = math.fsum(map(mul, self.weights, self.input_activation)) + self.bias
        if not math.isfinite(z):
            raise FloatingPointError(
                f"this neuron's z = {z}: its weights or bias are too large or not finite "
                f"(bias = {self.bias}). If this happened in training, the learning rate is too "
                "large: try a smaller one."
            )
        self.linear_activation = z
        return self.act(z)

    def backward(self, output_gradient: float) -> list[float]:
        """Add ∂L/∂w_k = ∂L/∂a · da/dz · i_k and ∂L/∂b to the gradients.

        Returns ∂L/∂i_k = ∂L/∂a · da/dz · w_k: the layer before needs them.
        """
        if not self.input_activation:
            raise RuntimeError(
                "backward needs the inputs and z of a forward pass: call forward first"
            )
        activation_gradient = self.delta_act(self.linear_activation)  # da/dz
        error = output_gradient * activation_gradient  # ∂L/∂z
        self.gradients = [
            gradient + error * input_activation
            for gradient, input_activation in zip(self.gradients, self.input_activation)
        ]
        self.bias_gradient += error  # ∂z/∂b = 1
        return [error * weight for weight in self.weights]  # ∂z/∂i_k = w_k

    def step(self, learning_rate: float) -> None:
        """SGD: w_k ← w_k − lr · ∂L/∂w_k, and the same for the bias."""
        self.weights = [w - learning_rate * g for w, g in zip(self.weights, self.gradients)]
        self.bias -= learning_rate * self.bias_gradient

    def zero_grad(self) -> None:
        """Reset the accumulated gradients to 0 (before each new batch)."""
        self.gradients = [0.0] * len(self.weights)
        self.bias_gradient = 0.0

    def __repr__(self) -> str:
        weights = ", ".join(f"{w:.4g}" for w in self.weights)
        return f"Neuron(weights=[{weights}], bias={self.bias:.4g}, activation={self.activation!r})"


def check_size(value: int, name: str) -> None:
    """A count of inputs or neurons must be a positive int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")


def check_inputs(inputs: Sequence[float], expected: int) -> list[float]:
    """The inputs as a new list of floats, or an error saying what was expected and what came."""
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__len__"):
        raise TypeError(
            f"inputs must be a list of {expected} numbers, got {type(inputs).__name__} {inputs!r}"
        )
    if len(inputs) != expected:
        raise ValueError(
            f"expected {expected} inputs (one per weight), got {len(inputs)}: {_short(inputs)}"
        )
    try:
        values = [float(i) for i in inputs]
    except (TypeError, ValueError):
        raise TypeError(f"inputs must be numbers, got {_short(inputs)}") from None
    if not all(map(math.isfinite, values)):
        raise ValueError(f"inputs must be finite numbers, got {_short(inputs)}")
    return values


def _short(values: Sequence) -> str:
    text = repr(list(values)) if not isinstance(values, np.ndarray) else repr(values.tolist())
    return text if len(text) <= 80 else text[:77] + "..."
