"""Lesson 05's claims about its own numbers: a layer's parameter gradients agree with central
differences, and only the sum over the neurons gives an input's gradient; one neuron's term or an
overwriting backward does not, and overwriting keeps exactly the last neuron's terms."""

import numpy as np
import pytest

from bp_lessons import Layer
from bp_lessons.gradcheck import numerical_slopes, relative_error
from bp_lessons.layer import layer_forward
from bp_lessons.losses import mse_loss, mse_loss_gradient

pytestmark = pytest.mark.lesson05

INPUTS, LABELS = [0.5, -1.0, 2.0, 0.0, 1.5], [1.0, 0.0]  # the lesson's


def lesson_layer():
    layer = Layer(5, 2, activation="sigmoid", seed=0)
    for neuron, b in zip(layer.neurons, [0.1, -0.2]):
        neuron.bias = b
    return layer


def loss_with(inputs, weights, biases):
    return mse_loss(layer_forward(inputs, weights, biases), LABELS)


def test_every_weight_and_bias_gradient_agrees_with_central_differences():
    layer = lesson_layer()
    weights = [list(n.weights) for n in layer.neurons]
    biases = [n.bias for n in layer.neurons]
    layer.zero_grad()
    layer.backward(mse_loss_gradient(layer.forward(INPUTS), LABELS))
    for j, neuron in enumerate(layer.neurons):

        def loss_of_neuron(parameters, j=j):
            rows = [parameters[:-1] if i == j else w for i, w in enumerate(weights)]
            bs = [parameters[-1] if i == j else b for i, b in enumerate(biases)]
            return loss_with(INPUTS, rows, bs)

        numerical = numerical_slopes(loss_of_neuron, weights[j] + [biases[j]])
        for g, slope in zip(neuron.gradients + [neuron.bias_gradient], numerical):
            assert relative_error(g, slope) < 1e-6


def layer_backward_overwriting(layer, output_gradients):  # the lesson's wrong one: `=` for `+=`
    sum_of_input_gradients = [0.0] * layer.num_inputs
    for neuron, output_gradient in zip(layer.neurons, output_gradients):
        for k, gradient in enumerate(neuron.backward(output_gradient)):
            sum_of_input_gradients[k] = gradient
    return sum_of_input_gradients


def test_only_the_sum_over_the_neurons_is_an_inputs_gradient():
    layer = lesson_layer()
    weights = [list(n.weights) for n in layer.neurons]
    biases = [n.bias for n in layer.neurons]
    output_gradients = mse_loss_gradient(layer.forward(INPUTS), LABELS)
    np.testing.assert_allclose(output_gradients, [-0.4012, 0.3309], atol=1e-4)  # printed
    per_neuron = [n.backward(g) for n, g in zip(layer.neurons, output_gradients)]
    overwritten = layer_backward_overwriting(layer, output_gradients)
    assert overwritten == per_neuron[-1]  # "exactly the last neuron's terms"
    layer.zero_grad()
    summed = layer.backward(output_gradients)
    numerical = numerical_slopes(lambda values: loss_with(values, weights, biases), INPUTS)
    for k, slope in enumerate(numerical):  # "only the sum agrees ..., for every input"
        assert relative_error(summed[k], slope) < 1e-6
        assert relative_error(per_neuron[0][k], slope) > 1e-2  # one neuron's term alone
        assert relative_error(overwritten[k], slope) > 1e-2
    np.testing.assert_allclose(summed, np.sum(per_neuron, axis=0), rtol=1e-12)
