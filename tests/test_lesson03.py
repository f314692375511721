"""Lesson 03's claims about its own numbers: the slope that says which way to move, and the
errors of one-sided and central differences."""

import numpy as np
import pytest

from bp_lessons import Neuron
from bp_lessons.gradcheck import EPSILON, numerical_gradient, relative_error
from bp_lessons.losses import mse_loss, mse_loss_gradient
from bp_lessons.neuron import neuron_forward

pytestmark = pytest.mark.lesson03

INPUTS, W1, BIAS, LABEL = [2.0, 1.0], -1.0, 0.5, 0.7  # the lesson's neuron and example


def loss(w0):
    return mse_loss([neuron_forward(INPUTS, [w0, W1], BIAS)], [LABEL])


def exact_slope(w0):
    neuron = Neuron(2, activation="sigmoid")
    neuron.weights, neuron.bias = [w0, W1], BIAS
    a = neuron.forward(INPUTS)
    neuron.backward(mse_loss_gradient([a], [LABEL])[0])
    return neuron.gradients[0]


def test_forgetting_the_mean_or_the_two_scales_every_entry_of_the_gradient():
    outputs, labels = [0.8, 0.1, 0.4], [1.0, 0.0, 1.0]
    gradient = np.array(mse_loss_gradient(outputs, labels))
    np.testing.assert_allclose([2 * (a - y) for a, y in zip(outputs, labels)], 3 * gradient)
    np.testing.assert_allclose([(a - y) / 3 for a, y in zip(outputs, labels)], gradient / 2)


def test_the_loss_has_its_minimum_near_w0_0_68_and_the_slope_points_downhill():
    weights = np.linspace(-3.0, 3.0, 301)
    losses = [loss(w) for w in weights]
    assert weights[np.argmin(losses)] == pytest.approx(0.68)
    assert min(losses) < 1e-4
    for w, sign in [(-1.0, -1), (2.0, +1)]:  # left of the minimum: negative; right: positive
        slope = numerical_gradient(loss, w)
        assert np.sign(slope) == sign
        assert loss(w - 1.0 * slope) < loss(w)  # a step against it, lr 1, lowers the loss
    # far out the loss is high but its slope small: the sigmoid is flat there
    assert loss(-3.0) > 0.45 and abs(numerical_gradient(loss, -3.0)) < 0.01
    assert abs(numerical_gradient(loss, -3.0)) < abs(numerical_gradient(loss, -1.0)) / 10


def test_one_sided_errors_shrink_like_epsilon_and_central_ones_like_its_square():
    w = -0.5
    exact = exact_slope(w)
    assert relative_error(exact, numerical_gradient(loss, w)) < 1e-9
    epsilons = 10.0 ** -np.arange(1, 5)
    one_sided = np.array([(loss(w + e) - loss(w)) / e - exact for e in epsilons])
    central = np.array([numerical_gradient(loss, w, e) - exact for e in epsilons])
    assert np.log10(one_sided[0] / one_sided[3]) / 3 == pytest.approx(1.0, abs=0.05)
    assert np.log10(central[0] / central[3]) / 3 == pytest.approx(2.0, abs=0.05)
    # at the default step: central below 1e-10, one-sided about 1e-6; a missing 2 is off by 0.15
    assert abs(numerical_gradient(loss, w) - exact) < 1e-10
    assert 3e-7 < abs((loss(w + EPSILON) - loss(w)) / EPSILON - exact) < 3e-6
    assert abs(exact) / 2 == pytest.approx(0.15, abs=0.005)
