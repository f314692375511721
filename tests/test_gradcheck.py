import math

import pytest

from bp_lessons import MLP
from bp_lessons.activations import sigmoid
from bp_lessons.gradcheck import gradient_check, numerical_gradient, relative_error

pytestmark = [pytest.mark.lesson03, pytest.mark.lesson07]


def test_central_differences_on_known_derivatives():
    assert numerical_gradient(lambda x: x**3, 2.0) == pytest.approx(12.0, rel=1e-9)
    assert numerical_gradient(math.sin, 0.3) == pytest.approx(math.cos(0.3), rel=1e-9)
    assert numerical_gradient(math.exp, 1.0) == pytest.approx(math.e, rel=1e-9)


def test_central_differences_beat_one_sided_ones():
    f, x, exact = math.exp, 0.5, math.exp(0.5)
    for h in (1e-2, 1e-3):
        central = abs(numerical_gradient(f, x, h) - exact)
        one_sided = abs((f(x + h) - f(x)) / h - exact)
        assert central < one_sided / 50
    # the error of central differences shrinks like h^2
    ratio = abs(numerical_gradient(f, x, 1e-2) - exact) / abs(
        numerical_gradient(f, x, 1e-3) - exact
    )
    assert ratio == pytest.approx(100, rel=0.05)


def test_epsilon_must_be_positive():
    with pytest.raises(ValueError, match="epsilon must be positive, got 0"):
        numerical_gradient(math.sin, 0.0, epsilon=0)


def test_relative_error_is_relative_above_the_floor_and_absolute_below():
    assert relative_error(1.0, 1.01) == pytest.approx(0.01 / 1.01)
    assert relative_error(1e-9, 2e-9) == pytest.approx(1e-9 / 1e-4)
    assert relative_error(0.0, 0.0) == 0.0


def test_gradient_check_passes_a_correct_network_and_leaves_it_unchanged():
    mlp = MLP([2, 4, 3, 1], "tanh", seed=3)
    before = [(list(n.weights), n.bias) for layer in mlp.layers for n in layer.neurons]
    assert gradient_check(mlp, [0.4, -0.9], [0.7]) < 1e-6
    assert [(n.weights, n.bias) for layer in mlp.layers for n in layer.neurons] == before


def test_gradient_check_rejects_the_notes_sigmoid_derivative():
    mlp = MLP([2, 3, 1], "sigmoid", seed=0)
    for layer in mlp.layers:
        for neuron in layer.neurons:
            neuron.delta_act = lambda z: z * sigmoid(z) * (1 - sigmoid(z))
    assert gradient_check(mlp, [0.5, -1.5], [1.0]) > 0.1


def test_gradient_check_rejects_one_wrong_neuron_deep_inside():
    mlp = MLP([3, 5, 5, 2], "tanh", seed=1)
    mlp.layers[0].neurons[2].delta_act = lambda z: 1.0 - math.tanh(z)  # forgot the square
    assert gradient_check(mlp, [0.3, 0.2, -0.6], [0.1, 0.5]) > 1e-2


def test_gradient_check_rejects_a_layer_that_does_not_sum_its_input_gradients():
    mlp = MLP([2, 3, 2, 1], "sigmoid", seed=2)
    middle = mlp.layers[1]

    def last_neuron_only(output_gradients):  # overwrites instead of summing over the neurons
        input_gradients = None
        for neuron, output_gradient in zip(middle.neurons, output_gradients):
            input_gradients = neuron.backward(output_gradient)
        return input_gradients

    middle.backward = last_neuron_only
    assert gradient_check(mlp, [0.5, 0.25], [1.0]) > 1e-2
