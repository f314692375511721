import math

import numpy as np
import pytest

from bp_lessons import MLP
from bp_lessons.activations import sigmoid
from bp_lessons.gradcheck import (
    gradient_check,
    numerical_gradient,
    numerical_jacobian,
    numerical_slopes,
    relative_error,
)
from bp_lessons.vectorized import VectorizedMLP

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


def test_numerical_slopes_gives_each_partial_derivative_with_the_others_held_fixed():
    def f(values):  # f(x, y, z) = x^2 y + sin(z): slopes 2xy, x^2, cos(z)
        x, y, z = values
        return x * x * y + math.sin(z)

    values = [1.5, -2.0, 0.3]
    slopes = numerical_slopes(f, values)
    np.testing.assert_allclose(slopes, [2 * 1.5 * -2.0, 1.5**2, math.cos(0.3)], rtol=1e-9)
    assert values == [1.5, -2.0, 0.3]  # the list it was given is left as it was


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


# the matrix form (lesson 10): the same check on a whole batch


def batch(rng, sizes, examples=4):
    return rng.normal(size=(examples, sizes[0])), rng.uniform(size=(examples, sizes[-1]))


@pytest.mark.lesson10
def test_gradient_check_passes_the_matrix_form_and_leaves_it_unchanged():
    rng = np.random.default_rng(0)
    model = VectorizedMLP([3, 4, 2], "tanh", output_activation="sigmoid", seed=0)
    before = [(layer.W.copy(), layer.b.copy()) for layer in model.layers]
    X, Y = batch(rng, model.sizes)
    assert gradient_check(model, X, Y) < 1e-6
    for (W, b), layer in zip(before, model.layers):
        assert np.array_equal(W, layer.W) and np.array_equal(b, layer.b)
    assert model.layers[0].X is not None and model.layers[0].X.shape == (4, 3)


@pytest.mark.lesson10
def test_gradient_check_rejects_the_notes_sigmoid_derivative_in_matrix_form():
    model = VectorizedMLP([2, 3, 1], "sigmoid", seed=0)
    for layer in model.layers:
        layer.delta_act = lambda Z, A=None: Z * A * (1 - A)
    assert gradient_check(model, *batch(np.random.default_rng(1), model.sizes)) > 0.1


@pytest.mark.lesson10
def test_gradient_check_rejects_a_bias_gradient_of_one_example_only():
    model = VectorizedMLP([2, 3, 1], "tanh", seed=0)
    layer = model.layers[0]
    correct_backward = layer.backward

    def first_example_bias(dA, input_gradient=True):  # db from row 0 instead of the batch sum
        db = layer.db.copy()
        result = correct_backward(dA, input_gradient)
        dZ = layer.delta_act(layer.Z, layer.A) * dA
        layer.db = db + dZ[0]
        return result

    layer.backward = first_example_bias
    assert gradient_check(model, *batch(np.random.default_rng(2), model.sizes)) > 1e-2


@pytest.mark.lesson10
def test_gradient_check_rejects_a_transposed_weight_matrix_in_backward():
    model = VectorizedMLP([3, 3, 3, 1], "tanh", seed=1)  # square W: the shapes cannot tell
    middle = model.layers[1]

    def transposed(dA, input_gradient=True):
        dZ = middle.delta_act(middle.Z, middle.A) * dA
        middle.dW += dZ.T @ middle.X
        middle.db += dZ.sum(axis=0)
        return dZ @ middle.W.T  # should be dZ @ W

    middle.backward = transposed
    assert gradient_check(model, *batch(np.random.default_rng(3), model.sizes)) > 1e-2


# lesson 13: numerical_jacobian


def test_numerical_jacobian_of_known_functions_and_shapes():
    Z = np.array([[0.3, -1.2], [2.0, 0.5]])
    np.testing.assert_allclose(
        numerical_jacobian(lambda Z: np.sum(Z**2), Z), [2 * Z.ravel()], atol=1e-9
    )
    A = np.arange(8.0).reshape(2, 4)  # a linear map of the 4 entries of Z: its Jacobian is A
    np.testing.assert_allclose(numerical_jacobian(lambda Z: A @ Z.ravel(), Z), A, atol=1e-9)
    np.testing.assert_allclose(
        numerical_jacobian(np.exp, [0.0, 1.0]), np.diag(np.exp([0.0, 1.0])), atol=1e-8
    )


def test_numerical_jacobian_tells_a_wrong_derivative_apart():
    def logistic(z):  # the sigmoid of every entry
        return 1 / (1 + np.exp(-z))

    z = np.array([0.2, -0.7, 1.5])
    analytic = np.diag(logistic(z) * (1 - logistic(z)))
    wrong = np.diag(z * logistic(z) * (1 - logistic(z)))  # the notes' x·σ(x)·(1−σ(x))
    numeric = numerical_jacobian(logistic, z)
    assert np.abs(numeric - analytic).max() < 1e-9 < 1e-3 < np.abs(numeric - wrong).max()
