import numpy as np
import pytest

from bp_lessons import Layer
from bp_lessons.gradcheck import numerical_gradient
from bp_lessons.layer import layer_forward

pytestmark = pytest.mark.lesson05


def weights_of(layer):
    return [list(n.weights) for n in layer.neurons], [n.bias for n in layer.neurons]


def test_one_output_per_neuron_each_on_all_inputs():
    layer = Layer(5, 2, seed=1)
    outputs = layer.forward([0.1, 0.2, 0.3, 0.4, 0.5])
    assert len(outputs) == 2 and len(layer.neurons) == 2
    assert [len(n.weights) for n in layer.neurons] == [5, 5]
    weights, biases = weights_of(layer)
    assert layer_forward([0.1, 0.2, 0.3, 0.4, 0.5], weights, biases) == outputs


def test_neurons_of_a_layer_start_different():
    layer = Layer(3, 4, seed=0)
    assert len({tuple(n.weights) for n in layer.neurons}) == 4


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_input_gradients_are_summed_over_neurons(activation):
    layer = Layer(3, 4, activation, seed=2)
    inputs = [0.3, -0.7, 1.1]
    output_gradients = [0.5, -1.0, 0.25, 2.0]
    layer.forward(inputs)
    input_gradients = layer.backward(output_gradients)
    weights, biases = weights_of(layer)

    def weighted_outputs(k, value):  # L = Σ_j g_j a_j has dL/da_j = g_j
        changed = inputs[:k] + [value] + inputs[k + 1 :]
        outputs = layer_forward(changed, weights, biases, activation)
        return sum(g * a for g, a in zip(output_gradients, outputs))

    for k in range(3):
        numeric = numerical_gradient(lambda v, k=k: weighted_outputs(k, v), inputs[k])
        assert input_gradients[k] == pytest.approx(numeric, rel=1e-7, abs=1e-10)
    # and it is the sum of each neuron's own input gradients, not the last one's
    per_neuron = []
    for neuron, g in zip(layer.neurons, output_gradients):
        neuron.forward(inputs)
        per_neuron.append(neuron.backward(g))
    assert input_gradients == pytest.approx(np.sum(per_neuron, axis=0).tolist(), rel=1e-14)


def test_step_and_zero_grad_reach_every_neuron():
    layer = Layer(2, 3, seed=0)
    before, _ = weights_of(layer)
    layer.forward([1.0, -1.0])
    layer.backward([1.0, 1.0, 1.0])
    assert all(n.bias_gradient != 0 for n in layer.neurons)
    layer.step(0.1)
    after, _ = weights_of(layer)
    assert all(b != a for b, a in zip(before, after))
    layer.zero_grad()
    assert all(n.bias_gradient == 0 and n.gradients == [0.0, 0.0] for n in layer.neurons)


def test_repr():
    assert repr(Layer(5, 2, "relu")) == "Layer(5 inputs, 2 neurons, 'relu')"


def test_bad_input_is_reported():
    layer = Layer(3, 2)
    with pytest.raises(ValueError, match=r"expected 3 inputs \(one per weight\), got 2"):
        layer.forward([1.0, 2.0])
    layer.forward([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"expected one output gradient per neuron \(2\), got 3"):
        layer.backward([1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="num_neurons must be at least 1, got 0"):
        Layer(3, 0)
    with pytest.raises(ValueError, match="one bias per neuron: got 2 weight rows and 1 biases"):
        layer_forward([1.0], [[1.0], [2.0]], [0.0])
