"""Starting weights and the measurements of lesson 12, checked against the variances they promise,
central differences, and the package's other engines; and exercise 12's references against them."""

import math

import numpy as np
import pytest

from bp_lessons import datasets
from bp_lessons.exercises import deep_networks as exercise
from bp_lessons.initialization import (
    SCHEMES,
    accuracy,
    best_on_validation,
    dead,
    deltas,
    glorot,
    gradient_norms,
    he,
    initialize,
    lecun,
    rms,
    saturation,
    spread,
    started,
    sweep_learning_rates,
)
from bp_lessons.losses import mse_loss
from bp_lessons.training import train
from bp_lessons.vectorized import DenseLayer, VectorizedMLP

pytestmark = pytest.mark.lesson12

EPSILON = 1e-6


def test_the_schemes_are_the_variances_of_their_papers():
    assert lecun(64, 30) == 1 / 64 and he(64, 30) == 2 / 64 and glorot(64, 30) == 2 / 94
    for fan in (1, 7, 30):  # as many neurons as inputs: Glorot is the 1/n scale
        assert glorot(fan, fan) == pytest.approx(lecun(fan, fan), rel=1e-15)
    assert {"1/n": lecun, "glorot": glorot, "he": he} == SCHEMES


@pytest.mark.parametrize("variance", [lecun, glorot, he])
def test_initialize_draws_each_layer_with_its_variance(variance):
    sizes = [300, 200, 400, 5]
    network = initialize(VectorizedMLP(sizes, "relu"), variance, seed=3)
    for layer, fan_in, fan_out in zip(network.layers, sizes, sizes[1:]):
        assert layer.W.shape == (fan_out, fan_in)
        assert not layer.b.any() and not layer.dW.any() and not layer.db.any()
        v = variance(fan_in, fan_out)
        if layer.W.size > 10_000:  # the sample variance of many draws: within 4 %
            assert np.mean(layer.W**2) == pytest.approx(v, rel=0.04)
            assert abs(layer.W.mean()) < 4 * math.sqrt(v / layer.W.size)


def test_initialize_is_seeded_and_the_1_over_n_scale_is_what_the_engines_draw():
    sizes = [6, 5, 4, 3]
    a = initialize(VectorizedMLP(sizes), he, seed=7)
    b = initialize(VectorizedMLP(sizes, seed=99), he, seed=np.random.default_rng(7))
    assert all(np.array_equal(x.W, y.W) for x, y in zip(a.layers, b.layers))
    c = initialize(VectorizedMLP(sizes), he, seed=8)
    assert not np.array_equal(a.layers[0].W, c.layers[0].W)
    default, drawn = VectorizedMLP(sizes, seed=5), initialize(VectorizedMLP(sizes), lecun, seed=5)
    for x, y in zip(default.layers, drawn.layers):
        np.testing.assert_allclose(x.W, y.W, rtol=1e-15, atol=0)


def test_initialize_refuses_a_variance_that_is_not_a_number():
    with pytest.raises(ValueError, match="a variance must be a number, 0 or more; got -1"):
        initialize(VectorizedMLP([2, 2]), lambda fan_in, fan_out: -1)
    with pytest.raises(ValueError, match="got nan"):
        initialize(VectorizedMLP([2, 2]), lambda fan_in, fan_out: math.nan)


def test_rms_and_spread():
    assert rms(np.array([3.0, -4.0])) == pytest.approx(math.sqrt(12.5))
    Z = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])  # column 0 varies, column 1 does not
    assert spread(Z) == pytest.approx(math.sqrt(np.var([1.0, 3.0, 5.0]) / 2))
    assert spread(Z + 100.0) == pytest.approx(spread(Z))  # an offset does not spread
    # lesson 06's definition: the root mean square of each neuron's standard deviation
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(50, 7)) * rng.uniform(0.1, 3, size=7)
    assert spread(Z) == pytest.approx(float(np.sqrt(np.mean(Z.std(axis=0) ** 2))), rel=1e-14)


def test_the_variance_of_z_is_n_v_times_the_mean_square_of_the_inputs():
    """E[z²] = n v E[a²] over the draws of the weights, whatever the inputs (lesson 12)."""
    rng = np.random.default_rng(1)
    A = 1 / (1 + np.exp(-rng.normal(size=(200, 40))))  # sigmoid outputs: an offset of ½
    for v in (1 / 40, 2 / 40):
        Z = A @ (rng.standard_normal((20_000, 40)) * math.sqrt(v)).T
        assert np.mean(Z**2) == pytest.approx(40 * v * np.mean(A**2), rel=0.03)
        assert spread(Z) ** 2 == pytest.approx(40 * v * spread(A) ** 2, rel=0.03)


def loss_of(network, X, Y):
    return mse_loss(network.forward(X), Y)


def central_difference(network, X, Y, array, index):
    kept = array[index]
    array[index] = kept + EPSILON
    up = loss_of(network, X, Y)
    array[index] = kept - EPSILON
    down = loss_of(network, X, Y)
    array[index] = kept
    return (up - down) / (2 * EPSILON)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_deltas_are_the_slopes_of_the_loss_with_respect_to_z(activation):
    """δ of one example is ∂L/∂b (z = ... + b); for a batch, δ summed over it is ∂L/∂b."""
    rng = np.random.default_rng(2)
    network = initialize(VectorizedMLP([3, 4, 4, 2], activation, "sigmoid"), he, seed=4)
    for layer in network.layers:
        layer.b[:] = rng.normal(scale=0.3, size=layer.b.shape)  # no ReLU input sits at its kink
    for batch in (1, 5):
        X, Y = rng.normal(size=(batch, 3)), rng.random((batch, 2))
        found = deltas(network, X, Y)
        assert [d.shape for d in found] == [(batch, 4), (batch, 4), (batch, 2)]
        for delta, layer in zip(found, network.layers):
            np.testing.assert_allclose(delta.sum(axis=0), layer.db, rtol=1e-13, atol=1e-16)
            numeric = [central_difference(network, X, Y, layer.b, j) for j in range(len(layer.b))]
            np.testing.assert_allclose(delta.sum(axis=0), numeric, rtol=1e-5, atol=1e-9)


def test_gradient_norms_are_the_norms_of_the_numerical_gradients_and_start_from_zero():
    rng = np.random.default_rng(3)
    network = VectorizedMLP([3, 5, 2], "tanh", seed=1)
    X, Y = rng.normal(size=(4, 3)), rng.random((4, 2))
    network.backward(network.forward(X))  # gradients of something else, left in place
    norms = gradient_norms(network, X, Y)
    for norm, layer in zip(norms, network.layers):
        numeric = [
            central_difference(network, X, Y, layer.W, index)
            for index in np.ndindex(*layer.W.shape)
        ]
        assert norm == pytest.approx(float(np.linalg.norm(numeric)), rel=1e-6)
    assert norms == gradient_norms(network, X, Y)  # measuring again gives the same: no step


def test_deep_sigmoid_gradients_shrink_by_about_a_quarter_per_layer():
    """The lesson's finding on its own network, with a margin: layer 1's gradient is under a
    ten-thousandth of layer 10's for the sigmoid, within a factor 10 for tanh."""
    X, Y = datasets.digits()
    sizes = [64] + [30] * 9 + [10]
    sigmoid = gradient_norms(VectorizedMLP(sizes, "sigmoid", seed=0), X[:300], Y[:300])
    tanh = gradient_norms(VectorizedMLP(sizes, "tanh", "sigmoid", seed=0), X[:300], Y[:300])
    assert sigmoid[0] / sigmoid[-1] < 1e-4
    assert 0.1 < tanh[0] / tanh[-1] < 10
    assert all(a < b for a, b in zip(sigmoid, sigmoid[1:]))


# --- exercise 12's references, against the package and a simulation --------------------------


def test_starting_weights_draw_what_initialize_draws():
    for scheme, variance in SCHEMES.items():
        for fan_in, fan_out, seed in [(3, 2, 0), (5, 5, 1), (1, 4, 2)]:
            network = initialize(VectorizedMLP([fan_in, fan_out]), variance, seed=seed)
            np.testing.assert_allclose(
                exercise.starting_weights(fan_in, fan_out, scheme, seed),
                network.layers[0].W,
                rtol=1e-15,
                atol=0,
            )


def test_z_variance_agrees_with_a_simulation():
    rng = np.random.default_rng(4)
    n, v = 25, 0.06
    A = rng.normal(loc=0.7, scale=0.4, size=(300, n))
    Z = A @ (rng.standard_normal((10_000, n)) * math.sqrt(v)).T
    predicted = exercise.z_variance(n, v, A.mean(), A.var())
    assert np.mean(Z**2) == pytest.approx(predicted, rel=0.03)


def test_the_exercise_gradient_norms_are_the_packages():
    for args in exercise.q3.cases(seed=5):
        got = exercise.q3.run(exercise.gradient_norms, args)
        network = VectorizedMLP(args["sizes"], args["activation"], "sigmoid", seed=args["seed"])
        expected = gradient_norms(network, np.array(args["X"]), np.array(args["Y"]))
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-16)


# --- Karpathy's diagnostics: saturation and dead neurons ---------------------------------------


def layer_with(activation, A):
    layer = DenseLayer(1, np.shape(A)[1], activation)
    layer.A = np.asarray(A, dtype=float)
    return layer


def test_saturation_counts_the_activations_on_a_flat_part():
    sigmoid = layer_with("sigmoid", [[0.01, 0.5, 0.99, 0.97], [0.03, 0.2, 0.971, 0.029]])
    assert saturation(sigmoid) == 4 / 8  # 0.01, 0.99, 0.971, 0.029; 0.03 and 0.97 are not
    tanh = layer_with("tanh", [[-0.99, 0.0, 0.97, 0.98]])
    assert saturation(tanh) == 2 / 4
    relu = layer_with("relu", [[0.0, 0.1, 0.0, 2.0]])
    assert saturation(relu) == 2 / 4  # off: no gradient passes


def test_dead_counts_the_neurons_saturated_for_every_example():
    relu = layer_with("relu", [[0.0, 0.1, 0.0], [0.0, 0.0, 0.3]])
    assert dead(relu) == 1 / 3  # neuron 0 is off for both examples; 1 and 2 are on once
    assert dead(layer_with("tanh", [[0.99, 0.5], [-0.99, 0.1]])) == 1 / 2


def test_saturation_needs_a_forward_pass_and_a_known_activation():
    layer = DenseLayer(2, 3, "tanh")
    with pytest.raises(RuntimeError, match="call forward"):
        saturation(layer)
    with pytest.raises(RuntimeError, match="call forward"):
        dead(layer)
    with pytest.raises(ValueError, match="got 'identity'"):
        saturation(layer_with("identity", [[0.0]]))


def test_accuracy_is_the_share_whose_largest_output_is_the_label():
    network = VectorizedMLP([2, 3], "identity", seed=0)
    network.layers[0].W[:] = np.eye(3, 2)  # outputs (x0, x1, 0)
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -2.0], [1.0, 0.0]])
    Y = np.eye(3)[[0, 1, 2, 1]]  # the last is wrong
    assert accuracy(network, X, Y) == 3 / 4


# --- comparing networks fairly: a sweep of learning rates on validation ------------------------


@pytest.fixture
def small_digits():
    X, Y = datasets.digits()
    training, validation, _ = datasets.split(X, Y, validation=100, test=100, seed=1)
    return (training[0][:300], training[1][:300]), validation


@pytest.mark.parametrize("sizes, activation", [([64, 12, 10], "tanh"), ([64, 8, 8, 8, 10], "relu")])
def test_each_rate_of_a_sweep_trains_exactly_as_train_does(small_digits, sizes, activation):
    training, validation = small_digits
    rates = [0.05, 0.5, 3.0]
    network = initialize(VectorizedMLP(sizes, activation, "sigmoid"), he, seed=2)
    before = [layer.W.copy() for layer in network.layers]
    found = sweep_learning_rates(network, rates, training, validation, epochs=3, batch_size=16)
    assert found.shape == (3, 3)
    assert all(np.array_equal(w, layer.W) for w, layer in zip(before, network.layers))
    for rate, row in zip(rates, found):
        copy = initialize(VectorizedMLP(sizes, activation, "sigmoid"), he, seed=2)
        rng = np.random.default_rng(0)  # `train`'s own: one generator, a shuffle an epoch
        for epoch in range(3):
            train(copy, *training, epochs=1, batch_size=16, learning_rate=rate, seed=rng)
            assert row[epoch] == accuracy(copy, *validation)
    assert len(set(found[:, -1])) > 1  # the rates differ: a test that could fail


def test_a_diverging_rate_gives_nan_and_leaves_the_others_alone(small_digits):
    training, validation = small_digits
    network = initialize(VectorizedMLP([64, 10, 10], "tanh", "identity"), he, seed=0)
    alone = sweep_learning_rates(network, [0.1], training, validation, epochs=3, batch_size=10)
    rates = [0.1, 1e300]
    both = sweep_learning_rates(network, rates, training, validation, epochs=3, batch_size=10)
    assert np.array_equal(both[0], alone[0])
    assert np.isnan(both[1]).all()  # its weights overflowed in the first epoch
    with pytest.raises(FloatingPointError, match="in epoch 1"):  # where `train` stops too
        train(network, *training, epochs=1, batch_size=10, learning_rate=1e300)


def test_a_sweep_refuses_what_it_cannot_run(small_digits):
    training, validation = small_digits
    network = VectorizedMLP([64, 5, 10])
    for rates in ([], [0.1, -1.0], [np.inf]):
        with pytest.raises(ValueError, match="rates must be a list of positive numbers"):
            sweep_learning_rates(network, rates, training, validation, epochs=1, batch_size=10)
    with pytest.raises(ValueError, match="epochs must be a whole number, 1 or more, got 0"):
        sweep_learning_rates(network, [0.1], training, validation, epochs=0, batch_size=10)
    with pytest.raises(ValueError, match="X must have shape"):
        sweep_learning_rates(
            network, [0.1], training, (np.ones((3, 5)), np.ones((3, 10))), epochs=1, batch_size=10
        )


def test_best_on_validation_takes_the_best_cell_and_breaks_ties_towards_less():
    sweep = np.array([[0.2, 0.5, 0.5], [0.5, 0.4, np.nan], [np.nan, np.nan, np.nan]])
    assert best_on_validation(sweep, [0.1, 1.0, 10.0]) == (0.1, 2, 0.5)
    sweep[2, 0] = 0.9
    assert best_on_validation(sweep, [0.1, 1.0, 10.0]) == (10.0, 1, 0.9)


# lesson 12's networks: `started`


def test_started_is_initialize_on_a_network_with_a_sigmoid_output():
    for variance in ("1/n", "he", glorot):
        ours = started([4, 3, 3, 2], "relu", variance, seed=5)
        scheme = SCHEMES[variance] if isinstance(variance, str) else variance
        theirs = initialize(VectorizedMLP([4, 3, 3, 2], "relu", "sigmoid"), scheme, seed=5)
        assert [layer.activation for layer in ours.layers] == ["relu", "relu", "sigmoid"]
        for a, b in zip(ours.layers, theirs.layers):
            assert np.array_equal(a.W, b.W) and not a.b.any()
    assert not np.array_equal(started([4, 3, 2], "tanh").layers[0].W, ours.layers[0].W)


def test_started_refuses_an_unknown_scheme():
    with pytest.raises(ValueError, match="one of .*'he'.*got 'kaiming'"):
        started([4, 3, 2], "relu", "kaiming")
