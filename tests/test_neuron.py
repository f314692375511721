import math

import numpy as np
import pytest

from bp_lessons import Neuron
from bp_lessons.activations import ACTIVATIONS, sigmoid
from bp_lessons.gradcheck import numerical_gradient
from bp_lessons.neuron import neuron_forward

pytestmark = [pytest.mark.lesson01, pytest.mark.lesson04]


def make_neuron(weights, bias, activation="sigmoid"):
    neuron = Neuron(len(weights), activation)
    neuron.weights, neuron.bias = list(weights), bias
    return neuron


def test_forward_is_act_of_the_weighted_sum_plus_bias():
    neuron = make_neuron([0.5, -1.0], 0.25)
    assert neuron.forward([2.0, 3.0]) == sigmoid(0.5 * 2.0 - 1.0 * 3.0 + 0.25)
    assert neuron.linear_activation == -1.75
    assert neuron.input_activation == [2.0, 3.0]
    assert neuron_forward([2.0, 3.0], [0.5, -1.0], 0.25) == neuron.forward([2.0, 3.0])
    assert neuron_forward([2.0], [3.0], -1.0, activation="relu") == 5.0


def test_the_weighted_sum_is_correctly_rounded_so_every_python_gives_the_same_bits():
    # ten times 0.1: 0.9999999999999999 by plain summation (Python <= 3.11), 1.0 when rounded once
    neuron = make_neuron([0.1] * 10, 0.0, activation="identity")
    assert neuron.forward([1.0] * 10) == 1.0 == math.fsum([0.1] * 10)
    assert neuron_forward([1.0] * 10, [0.1] * 10, 0.0, activation="identity") == 1.0
    # a cancellation that plain summation (Python <= 3.11) gets wrong: it gives 0.0
    assert make_neuron([1e100, 1.0, -1e100], 0.0, "identity").forward([1.0] * 3) == 1.0


def test_forward_returns_a_python_float_for_numpy_inputs():
    neuron = make_neuron([0.5, -1.0], 0.25)
    assert type(neuron.forward(np.array([1.0, 2.0]))) is float
    assert all(type(i) is float for i in neuron.input_activation)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_weight_bias_and_input_gradients_match_central_differences(activation):
    rng = np.random.default_rng(7)
    weights, inputs = rng.normal(size=3).tolist(), rng.normal(size=3).tolist()
    bias, label = 0.3, 0.9
    neuron = make_neuron(weights, bias, activation)

    def loss(w=weights, b=bias, i=inputs):
        return (neuron_forward(i, w, b, activation) - label) ** 2

    a = neuron.forward(inputs)
    input_gradients = neuron.backward(2 * (a - label))  # dL/da of (a - label)^2
    for k in range(3):

        def with_weight(v, k=k):
            return loss(w=weights[:k] + [v] + weights[k + 1 :])

        def with_input(v, k=k):
            return loss(i=inputs[:k] + [v] + inputs[k + 1 :])

        assert neuron.gradients[k] == pytest.approx(
            numerical_gradient(with_weight, weights[k]), rel=1e-7, abs=1e-10
        )
        assert input_gradients[k] == pytest.approx(
            numerical_gradient(with_input, inputs[k]), rel=1e-7, abs=1e-10
        )
    assert neuron.bias_gradient == pytest.approx(
        numerical_gradient(lambda b: loss(b=b), bias), rel=1e-7, abs=1e-10
    )


def test_gradient_is_output_times_activation_times_input_gradient():
    neuron = make_neuron([0.5, -1.0], 0.25)
    a = neuron.forward([2.0, 3.0])
    neuron.backward(1.5)
    z = neuron.linear_activation
    activation_gradient = sigmoid(z) * (1 - sigmoid(z))
    assert neuron.gradients == [1.5 * activation_gradient * 2.0, 1.5 * activation_gradient * 3.0]
    assert neuron.bias_gradient == 1.5 * activation_gradient
    assert 0 < a < 1


def test_gradients_accumulate_until_zero_grad():
    neuron = make_neuron([0.5, -1.0], 0.25)
    neuron.forward([1.0, 2.0])
    neuron.backward(1.0)
    first, first_bias = list(neuron.gradients), neuron.bias_gradient
    neuron.forward([-1.0, 0.5])
    neuron.backward(1.0)
    second = make_neuron([0.5, -1.0], 0.25)
    second.forward([-1.0, 0.5])
    second.backward(1.0)
    assert neuron.gradients == [f + s for f, s in zip(first, second.gradients)]
    assert neuron.bias_gradient == first_bias + second.bias_gradient
    neuron.zero_grad()
    assert neuron.gradients == [0.0, 0.0] and neuron.bias_gradient == 0.0


def test_step_moves_against_the_gradient():
    neuron = make_neuron([0.5, -1.0], 0.25)
    neuron.gradients, neuron.bias_gradient = [0.1, -0.2], 0.4
    neuron.step(0.5)
    assert neuron.weights == [0.5 - 0.05, -1.0 + 0.1]
    assert neuron.bias == 0.25 - 0.2


def test_the_same_seed_gives_the_same_weights():
    assert Neuron(5, seed=3).weights == Neuron(5, seed=3).weights
    assert Neuron(5, seed=3).weights != Neuron(5, seed=4).weights
    assert Neuron(5, seed=np.random.default_rng(3)).weights == Neuron(5, seed=3).weights
    assert all(type(w) is float for w in Neuron(5).weights)


def test_repr_shows_weights_bias_and_activation():
    assert repr(make_neuron([0.5, -1.0], 0.25, "tanh")) == (
        "Neuron(weights=[0.5, -1], bias=0.25, activation='tanh')"
    )


def test_wrong_number_of_inputs():
    with pytest.raises(
        ValueError, match=r"expected 2 inputs \(one per weight\), got 3: \[1, 2, 3\]"
    ):
        Neuron(2).forward([1, 2, 3])
    with pytest.raises(ValueError, match="expected 2 inputs"):
        neuron_forward([1.0], [0.5, 0.5], 0.0)


@pytest.mark.parametrize("bad", [[1.0, math.nan], [math.inf, 0.0], np.array([0.0, -np.inf])])
def test_non_finite_inputs(bad):
    with pytest.raises(ValueError, match="inputs must be finite numbers, got"):
        Neuron(2).forward(bad)


@pytest.mark.parametrize("bad", ["ab", 3.0, None, [1.0, "x"], [1.0, [2.0]]])
def test_inputs_that_are_not_numbers(bad):
    with pytest.raises(TypeError, match="inputs must be"):
        Neuron(2).forward(bad)


def test_bad_sizes_and_activations():
    with pytest.raises(ValueError, match="num_inputs must be at least 1, got 0"):
        Neuron(0)
    with pytest.raises(TypeError, match="num_inputs must be a positive int, got float 2.0"):
        Neuron(2.0)
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        Neuron(2, activation="softmax")


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="call forward first"):
        Neuron(2).backward(1.0)


def test_exploded_weights_suggest_a_smaller_learning_rate():
    neuron = make_neuron([1e308, 1e308], 0.0, "identity")
    with pytest.raises(FloatingPointError, match="learning rate is too large: try a smaller one"):
        neuron.forward([10.0, 10.0])
    neuron.weights = [math.nan, 0.0]
    with pytest.raises(FloatingPointError, match="not finite"):
        neuron.forward([1.0, 1.0])
