"""Lesson 01's claims about its own numbers: on the line z = 0 a sigmoid neuron says 0.5, and
scaling its weights and bias keeps the line but sharpens the edge; without an activation, neurons
feeding a neuron are one neuron."""

import numpy as np
import pytest

from bp_lessons import plotting
from bp_lessons.neuron import neuron_forward

pytestmark = pytest.mark.lesson01


def test_on_the_line_the_output_is_one_half_and_scaling_sharpens_the_edge():
    weights, bias = [1.0, 1.0], -1.5  # the lesson's
    xs, ys = plotting.zero_line(weights, bias)
    for point in zip(xs, ys):
        assert neuron_forward(list(point), weights, bias) == pytest.approx(0.5, abs=1e-12)
    np.testing.assert_allclose(plotting.zero_line([4.0, 4.0], 4 * bias)[1], ys)  # the same line
    near = [neuron_forward([1.5, 0.5], [k * w for w in weights], k * bias) for k in (1, 4)]
    assert 0.5 < near[0] < near[1]  # just off the line: further from 0.5 when scaled (0.62, 0.88)
    assert near[1] - 0.5 > 3 * (near[0] - 0.5)


def test_identity_neurons_feeding_a_neuron_are_one_neuron_and_a_sigmoid_breaks_that():
    hidden = [([0.5, -1.0], 0.2), ([1.5, 0.3], -0.4)]  # the lesson's A and B
    top_weights, top_bias = [2.0, -1.0], 0.1
    merged_weights = [sum(v * w[k] for v, (w, _) in zip(top_weights, hidden)) for k in range(2)]
    merged_bias = sum(v * b for v, (_, b) in zip(top_weights, hidden)) + top_bias
    assert merged_weights == pytest.approx([-0.5, -2.3]) and merged_bias == pytest.approx(0.9)

    def stacked(point, activation):
        middle = [neuron_forward(point, w, b, activation) for w, b in hidden]
        return neuron_forward(middle, top_weights, top_bias, "identity")

    for point in [[0.0, 0.0], [1.0, -2.0], [-3.0, 0.5], [2.5, 2.5]]:
        merged = neuron_forward(point, merged_weights, merged_bias, "identity")
        assert stacked(point, "identity") == pytest.approx(merged, abs=1e-12)
        assert abs(stacked(point, "sigmoid") - merged) > 0.1  # a bent middle is no longer one
