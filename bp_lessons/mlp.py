"""A multi-layer perceptron: layers in sequence (lesson 06), backpropagated (lesson 07)."""

from collections.abc import Sequence

import numpy as np

from bp_lessons.layer import Layer


class MLP:
    """`MLP([2, 3, 1])`: 2 inputs, a hidden layer of 3 neurons, 1 output neuron.

    `sizes` includes the inputs. Hidden layers use `activation`; the output layer uses
    `output_activation`, which defaults to `activation`.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        seed: int | np.random.Generator | None = 0,
    ):
        check_sizes(sizes)
        rng = np.random.default_rng(seed)
        activations = [activation] * (len(sizes) - 2) + [output_activation or activation]
        self.layers = [
            Layer(num_inputs, num_neurons, act, seed=rng)
            for num_inputs, num_neurons, act in zip(sizes[:-1], sizes[1:], activations)
        ]

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].num_inputs] + [len(layer.neurons) for layer in self.layers]

    def forward(self, inputs: Sequence[float]) -> list[float]:
        """The forward pass: each layer's outputs are the next layer's inputs."""
        activations = inputs
        for layer in self.layers:
            activations = layer.forward(activations)
        return activations

    def backward(self, output_gradients: Sequence[float]) -> list[float]:
        """The backward pass: each layer hands dL/d(its inputs) to the layer before it.

        Adds into every neuron's gradients; returns dL/d(network inputs).
        """
        for layer in reversed(self.layers):
            output_gradients = layer.backward(output_gradients)
        return output_gradients

    def step(self, learning_rate: float) -> None:
        for layer in self.layers:
            layer.step(learning_rate)

    def zero_grad(self) -> None:
        for layer in self.layers:
            layer.zero_grad()

    def __repr__(self) -> str:
        hidden, output = self.layers[0].neurons[0].activation, self.layers[-1].neurons[0].activation
        return f"MLP({self.sizes}, activation={hidden!r}, output_activation={output!r})"


def check_sizes(sizes: Sequence[int]) -> None:
    """Layer sizes, inputs first, such as [2, 3, 1]: at least two positive ints."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise ValueError(
            "sizes must list at least the number of inputs and of outputs, such as [2, 3, 1]; "
            f"got {sizes!r}"
        )
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"sizes must be positive ints such as [2, 3, 1], got {sizes!r}")
