"""A layer: many neurons on the same inputs (lesson 05).

Every neuron sees every input, so input k of the layer reaches the loss through every neuron:
its gradient is the **sum** over the neurons j of ∂L/∂z_j · w_jk.
"""

from collections.abc import Sequence

import numpy as np

from bp_lessons.neuron import Neuron, check_inputs, check_size, neuron_forward


def layer_forward(
    inputs: Sequence[float],
    weights: Sequence[Sequence[float]],
    biases: Sequence[float],
    activation: str = "sigmoid",
) -> list[float]:
    """The notes' `layer_forward`: one output per neuron, `weights[j]` the weights of neuron j."""
    if len(weights) != len(biases):
        raise ValueError(
            f"a layer needs one bias per neuron: got {len(weights)} weight rows and "
            f"{len(biases)} biases"
        )
    return [neuron_forward(inputs, w, b, activation) for w, b in zip(weights, biases)]


class Layer:
    """`num_neurons` neurons, each with `num_inputs` weights."""

    def __init__(
        self,
        num_inputs: int,
        num_neurons: int,
        activation: str = "sigmoid",
        seed: int | np.random.Generator | None = 0,
    ):
        check_size(num_neurons, "num_neurons")
        rng = np.random.default_rng(seed)
        self.neurons = [Neuron(num_inputs, activation, seed=rng) for _ in range(num_neurons)]

    @property
    def num_inputs(self) -> int:
        return len(self.neurons[0].weights)

    def forward(self, inputs: Sequence[float]) -> list[float]:
        """The activations of all neurons on the same inputs."""
        inputs = check_inputs(inputs, self.num_inputs)
        return [neuron.forward(inputs) for neuron in self.neurons]

    def backward(self, output_gradients: Sequence[float]) -> list[float]:
        """Backward through every neuron; return dL/d(input k) summed over the neurons."""
        if len(output_gradients) != len(self.neurons):
            raise ValueError(
                f"expected one output gradient per neuron ({len(self.neurons)}), "
                f"got {len(output_gradients)}"
            )
        sum_of_input_gradients = [0.0] * self.num_inputs
        for neuron, output_gradient in zip(self.neurons, output_gradients):
            input_gradients = neuron.backward(output_gradient)
            sum_of_input_gradients = [
                total + gradient for total, gradient in zip(sum_of_input_gradients, input_gradients)
            ]
        return sum_of_input_gradients

    def step(self, learning_rate: float) -> None:
        for neuron in self.neurons:
            neuron.step(learning_rate)

    def zero_grad(self) -> None:
        for neuron in self.neurons:
            neuron.zero_grad()

    def __repr__(self) -> str:
        activation = self.neurons[0].activation
        return f"Layer({self.num_inputs} inputs, {len(self.neurons)} neurons, {activation!r})"
