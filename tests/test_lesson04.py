"""Lesson 04's claims about its own numbers: the chain rule agrees with the numerical slopes,
and the notes' sigmoid derivative scales every gradient by z and walks uphill."""

import copy

import pytest

from bp_lessons import Neuron
from bp_lessons.activations import sigmoid
from bp_lessons.gradcheck import numerical_gradient, relative_error
from bp_lessons.losses import mse_loss, mse_loss_gradient
from bp_lessons.neuron import neuron_forward

pytestmark = pytest.mark.lesson04

INPUTS, LABEL = [0.5, 1.0, -2.0], 1.0  # the lesson's example


def lesson_neuron():
    neuron = Neuron(3, activation="sigmoid", seed=3)
    neuron.bias = 0.2
    return neuron


def loss_of(parameters):
    return mse_loss([neuron_forward(INPUTS, parameters[:-1], parameters[-1])], [LABEL])


def gradients(neuron):
    neuron.zero_grad()
    a = neuron.forward(INPUTS)
    neuron.backward(mse_loss_gradient([a], [LABEL])[0])
    return neuron.gradients + [neuron.bias_gradient]


def numerical(parameters):
    return [
        numerical_gradient(lambda v, k=k: loss_of(parameters[:k] + [v] + parameters[k + 1 :]), x)
        for k, x in enumerate(parameters)
    ]


def notes_sigmoid_derivative(x):
    return x * sigmoid(x) * (1 - sigmoid(x))


def test_the_chain_rule_agrees_with_the_numerical_slopes():
    neuron = lesson_neuron()
    parameters = neuron.weights + [neuron.bias]
    for analytic, slope in zip(gradients(neuron), numerical(parameters)):
        assert relative_error(analytic, slope) < 1e-6


def test_the_notes_derivative_agrees_only_at_z_1():
    for z in [-4.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 4.0]:
        agrees = relative_error(notes_sigmoid_derivative(z), numerical_gradient(sigmoid, z)) < 1e-6
        assert agrees == (z == 1.0)


def test_the_notes_derivative_scales_every_gradient_by_z_and_raises_the_loss():
    neuron = lesson_neuron()
    parameters = neuron.weights + [neuron.bias]
    ours = gradients(neuron)
    z = neuron.linear_activation
    notes_neuron = copy.deepcopy(neuron)
    notes_neuron.delta_act = notes_sigmoid_derivative
    notes = gradients(notes_neuron)
    assert z == pytest.approx(-1.1691, abs=1e-4) and z < 0
    for theirs, slope in zip(notes, numerical(parameters)):
        assert theirs / slope == pytest.approx(z, rel=1e-6)
    loss = loss_of(parameters)
    after = {
        name: loss_of([p - 0.1 * g for p, g in zip(parameters, grads)])
        for name, grads in [("ours", ours), ("notes", notes)]
    }
    assert [loss, after["ours"], after["notes"]] == pytest.approx(
        [0.5822, 0.5335, 0.6360], abs=2e-4
    )
    assert after["ours"] < loss < after["notes"]


def test_with_a_positive_z_the_notes_gradients_point_right_but_still_fail_the_check():
    """'set `inputs = [2.0, 0.5, 1.0]` ... Now z is positive (2.06), the notes' gradients point the
    right way, and the check still fails every one of them: each is z times too long.'"""
    neuron = Neuron(3, activation="sigmoid", seed=3)
    neuron.bias = 0.2
    inputs = [2.0, 0.5, 1.0]
    a = neuron.forward(inputs)
    z = neuron.linear_activation
    assert z == pytest.approx(2.06, abs=0.005)
    output_gradient = mse_loss_gradient([a], [1.0])[0]
    notes = copy.deepcopy(neuron)
    notes.delta_act = lambda x: x * sigmoid(x) * (1 - sigmoid(x))
    for each in (neuron, notes):
        each.zero_grad()
        each.forward(inputs)
        each.backward(output_gradient)
    ours = neuron.gradients + [neuron.bias_gradient]
    theirs = notes.gradients + [notes.bias_gradient]
    for right, wrong in zip(ours, theirs):
        assert right * wrong > 0  # the same direction
        assert wrong / right == pytest.approx(z, rel=1e-12)  # z times too long
        assert relative_error(wrong, right) > 1e-6  # fails the check
