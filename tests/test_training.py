import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp_lessons import MLP, datasets
from bp_lessons.activations import softmax
from bp_lessons.losses import cross_entropy_loss, mse_loss, mse_loss_gradient
from bp_lessons.training import (
    TrainingRun,
    batch_gradients,
    data_loss,
    describe_run,
    gradient_vector,
    iterate_minibatches,
    numerical_gradient_vector,
    parameter_vector,
    per_example_gradients,
    record_training,
    train,
    train_classifier,
)
from bp_lessons.vectorized import VectorizedMLP

pytestmark = [pytest.mark.lesson08, pytest.mark.lesson09]


@given(n=st.integers(1, 60), batch_size=st.integers(1, 70), seed=st.integers(0, 99))
def test_minibatches_cover_every_example_once_and_none_is_empty(n, batch_size, seed):
    X, y = np.arange(n).reshape(n, 1), np.arange(n) * 10
    batches = list(iterate_minibatches(X, y, batch_size, seed=seed))
    sizes = [len(xb) for xb, _ in batches]
    assert all(size >= 1 for size in sizes)
    assert sizes[:-1] == [batch_size] * (len(sizes) - 1)
    assert sizes[-1] == n - batch_size * (len(sizes) - 1)  # the last partial batch is kept
    seen = np.concatenate([xb[:, 0] for xb, _ in batches])
    assert sorted(seen.tolist()) == list(range(n))
    for xb, yb in batches:  # pairs stay together
        assert (yb == xb[:, 0] * 10).all()


def test_minibatches_are_shuffled_by_the_seed():
    X, y = list(range(20)), list(range(20))
    order = [x for xb, _ in iterate_minibatches(X, y, 6, seed=1) for x in xb]
    again = [x for xb, _ in iterate_minibatches(X, y, 6, seed=1) for x in xb]
    other = [x for xb, _ in iterate_minibatches(X, y, 6, seed=2) for x in xb]
    plain = [x for xb, _ in iterate_minibatches(X, y, 6, shuffle=False) for x in xb]
    assert order == again and order != other and order != X
    assert plain == X
    rng = np.random.default_rng(0)  # one generator: a new order on every pass
    first = [x for xb, _ in iterate_minibatches(X, y, 20, seed=rng) for x in xb]
    second = [x for xb, _ in iterate_minibatches(X, y, 20, seed=rng) for x in xb]
    assert first != second


def test_lists_give_lists_and_arrays_give_arrays():
    xb, yb = next(iterate_minibatches([[1], [2]], [[0], [1]], 2, shuffle=False))
    assert xb == [[1], [2]] and yb == [[0], [1]]
    xb, yb = next(iterate_minibatches(np.ones((3, 2)), np.zeros((3, 1)), 2))
    assert xb.shape == (2, 2) and yb.shape == (2, 1)


@pytest.mark.parametrize(
    "batch_size, error, message",
    [
        (0, ValueError, "batch_size must be at least 1, got 0"),
        (-3, ValueError, "batch_size must be at least 1, got -3"),
        (2.5, TypeError, "batch_size must be a positive int, got float 2.5"),
    ],
)
def test_bad_batch_sizes(batch_size, error, message):
    with pytest.raises(error, match=message):
        list(iterate_minibatches([1, 2, 3], [1, 2, 3], batch_size))
    with pytest.raises(error, match=message):
        train(MLP([2, 1]), [[0, 0]], [[0]], epochs=1, batch_size=batch_size, learning_rate=0.1)


def test_empty_or_unpaired_data():
    with pytest.raises(ValueError, match="the data set is empty"):
        list(iterate_minibatches([], [], 4))
    with pytest.raises(ValueError, match="X has 3 examples but y has 2"):
        list(iterate_minibatches([1, 2, 3], [1, 2], 4))
    with pytest.raises(ValueError, match="the data set is empty"):
        train(
            MLP([2, 1]),
            np.zeros((0, 2)),
            np.zeros((0, 1)),
            epochs=1,
            batch_size=1,
            learning_rate=0.1,
        )
    with pytest.raises(ValueError, match="X has 4 examples but y has 3"):
        train(
            MLP([2, 1]),
            np.zeros((4, 2)),
            np.zeros((3, 1)),
            epochs=1,
            batch_size=1,
            learning_rate=0.1,
        )


def weights_of(model):
    return [(n.weights, n.bias) for layer in model.layers for n in layer.neurons]


def solve_xor(seed=0):
    X, y = datasets.xor()
    mlp = MLP([2, 3, 1], "sigmoid", seed=seed)
    history = train(mlp, X, y, epochs=2000, batch_size=4, learning_rate=2.0, seed=seed)
    return mlp, history


def test_an_mlp_trained_by_train_solves_xor():
    mlp, history = solve_xor()
    X, y = datasets.xor()
    outputs = [mlp.forward(x)[0] for x in X]
    assert [o > 0.5 for o in outputs] == [bool(label) for label in y[:, 0]]
    assert len(history) == 2000 and history[-1] < history[0] / 10


def test_the_same_seed_gives_bit_identical_weights():
    first, second = solve_xor(seed=3)[0], solve_xor(seed=3)[0]
    assert weights_of(first) == weights_of(second)  # exact equality, not approx
    X, y = datasets.xor()
    third = MLP([2, 3, 1], "sigmoid", seed=3)
    train(third, X, y, epochs=2000, batch_size=2, learning_rate=2.0, seed=4)
    assert weights_of(third) != weights_of(first)


def test_one_step_is_the_mean_gradient_over_the_batch():
    X, y = [[0.5, -1.0], [1.5, 0.25], [-0.5, 0.75]], [[1.0], [0.0], [0.5]]
    mlp, manual = MLP([2, 2, 1], "tanh", seed=9), MLP([2, 2, 1], "tanh", seed=9)
    history = train(mlp, X, y, epochs=1, batch_size=3, learning_rate=0.3)
    losses = []
    for inputs, labels in zip(X, y):  # sum of per-example gradients, then divide by 3
        outputs = manual.forward(inputs)
        losses.append(mse_loss(outputs, labels))
        manual.backward(mse_loss_gradient(outputs, labels))
    for layer in manual.layers:
        for neuron in layer.neurons:
            neuron.gradients = [g / 3 for g in neuron.gradients]
            neuron.bias_gradient /= 3
    manual.step(0.3)
    assert history == [pytest.approx(sum(losses) / 3, rel=1e-15)]
    for ours, theirs in zip(mlp.layers, manual.layers):
        for a, b in zip(ours.neurons, theirs.neurons):
            assert a.weights == pytest.approx(b.weights, rel=1e-14)
            assert a.bias == pytest.approx(b.bias, rel=1e-14)


def test_a_one_output_network_accepts_one_label_per_example():
    history = train(
        MLP([2, 1]), [[0, 0], [1, 1]], [0, 1], epochs=2, batch_size=2, learning_rate=0.5
    )
    assert len(history) == 2 and all(math.isfinite(h) for h in history)


def test_shapes_that_do_not_fit_the_network():
    X, Y = datasets.digits()
    mlp = MLP([64, 10], seed=0)
    with pytest.raises(
        ValueError,
        match=r"y must have shape \(examples, 10\) for this network, "
        r"got shape \(1797,\) \(one-hot encode class labels\)",
    ):
        train(mlp, X, Y.argmax(1), epochs=1, batch_size=10, learning_rate=1.0)
    with pytest.raises(
        ValueError, match=r"X must have shape \(examples, 3\) for this network, got shape \(4, 2\)"
    ):
        train(MLP([3, 1]), *datasets.xor(), epochs=1, batch_size=1, learning_rate=1.0)
    with pytest.raises(TypeError, match="X must be a table of numbers with 2 columns"):
        train(MLP([2, 1]), [[0, 1], [1]], [0, 1], epochs=1, batch_size=1, learning_rate=1.0)


@pytest.mark.parametrize("which", ["X", "y"])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_data(which, bad):
    X, y = datasets.xor()
    (X if which == "X" else y)[1, 0] = bad
    with pytest.raises(ValueError, match=f"{which} contains NaN or inf"):
        train(MLP([2, 1]), X, y, epochs=1, batch_size=2, learning_rate=1.0)


@pytest.mark.parametrize("learning_rate", [0, -0.1, math.nan, math.inf, "0.1"])
def test_bad_learning_rates(learning_rate):
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        train(MLP([2, 1]), *datasets.xor(), epochs=1, batch_size=2, learning_rate=learning_rate)


def test_bad_epochs():
    with pytest.raises(ValueError, match="epochs must be a whole number, 0 or more, got -1"):
        train(MLP([2, 1]), *datasets.xor(), epochs=-1, batch_size=2, learning_rate=1.0)
    assert train(MLP([2, 1]), *datasets.xor(), epochs=0, batch_size=2, learning_rate=1.0) == []


def test_divergence_stops_with_advice_to_lower_the_learning_rate():
    X = [[10.0, -20.0], [30.0, 5.0]]
    y = [[1.0], [-1.0]]
    mlp = MLP([2, 8, 1], "identity", seed=0)
    with pytest.raises(FloatingPointError, match="smaller"):
        train(mlp, X, y, epochs=200, batch_size=2, learning_rate=5.0)


def test_batches_follow_one_permutation_of_the_examples():
    """Arrays and lists are cut from one shuffled order: both engines see the same batches."""
    X, y = np.arange(23.0).reshape(23, 1), np.arange(23.0)
    order = np.random.default_rng(5).permutation(23)
    batches = list(iterate_minibatches(X, y, 5, seed=5))
    assert np.concatenate([xb[:, 0] for xb, _ in batches]).tolist() == order.tolist()
    assert all((xb[:, 0] == yb).all() for xb, yb in batches)
    lists = list(iterate_minibatches(X.tolist(), y.tolist(), 5, seed=5))
    assert [x for xb, _ in lists for x in xb] == X[order].tolist()


# record_training: train one epoch at a time, watched (lessons 08 and 09)


def xor_regression():
    # tanh hidden, linear output: a learning rate too large makes it diverge (lesson 08)
    return MLP([2, 3, 1], activation="tanh", output_activation="identity", seed=0)


def test_record_training_is_train_one_epoch_at_a_time_with_snapshots():
    X, y = datasets.xor()
    trained, recorded = MLP([2, 3, 1], seed=0), MLP([2, 3, 1], seed=0)
    history = train(trained, X, y, epochs=7, batch_size=3, learning_rate=1.0, seed=4)
    run = record_training(
        recorded, X, y, epochs=7, batch_size=3, learning_rate=1.0, snapshot_epochs=(0, 2, 7), seed=4
    )
    assert run.history == history and run.diverged_in is None  # bit for bit: the same shuffles
    assert weights_of(recorded) == weights_of(trained)
    assert sorted(run.snapshots) == [0, 2, 7]
    assert weights_of(run.snapshots[0]) == weights_of(MLP([2, 3, 1], seed=0))
    two_epochs = MLP([2, 3, 1], seed=0)
    train(two_epochs, X, y, epochs=2, batch_size=3, learning_rate=1.0, seed=4)
    assert weights_of(run.snapshots[2]) == weights_of(two_epochs)
    assert run.snapshots[7] is not recorded  # a copy: training on does not change it
    recorded.layers[0].neurons[0].weights[0] += 1.0
    assert weights_of(run.snapshots[7]) == weights_of(trained)


def test_record_training_keeps_the_losses_of_a_run_that_diverges():
    X, y = datasets.xor()
    with pytest.raises(FloatingPointError, match=r"in epoch \d+") as error:
        train(xor_regression(), X, y, epochs=400, batch_size=4, learning_rate=0.8)
    epoch = int(re.search(r"in epoch (\d+)", str(error.value)).group(1))
    run = record_training(xor_regression(), X, y, epochs=400, batch_size=4, learning_rate=0.8)
    assert run.diverged_in == epoch > 1
    assert len(run.history) == epoch - 1 and all(map(math.isfinite, run.history))
    assert len(run.losses) in (epoch - 1, epoch) and all(map(math.isfinite, run.losses))
    assert run.losses[-1] > 1e300  # it kept the growth up to the last finite loss
    assert describe_run(run) == f"diverged: the loss overflowed in epoch {epoch}"


def test_describe_run_gives_the_first_and_last_loss_or_says_why_there_are_none():
    assert describe_run(TrainingRun(losses=[0.25, 0.1, 3.1e-06])) == "loss 0.25 → 3.1e-06"
    assert describe_run(TrainingRun()) == "not trained"
    run = TrainingRun(losses=[0.25, 7.0], diverged_in=3)
    assert describe_run(run) == "diverged: the loss overflowed in epoch 3"


def test_record_training_measures_the_loss_on_the_whole_data_set_after_each_epoch():
    X, y = datasets.circles(n=30, seed=1)
    model = MLP([2, 4, 1], activation="tanh", seed=2)
    run = record_training(
        model, X, y, epochs=5, batch_size=7, learning_rate=0.5, snapshot_epochs=range(6)
    )
    assert len(run.losses) == 6 and len(run.history) == 5
    for epoch, snapshot in run.snapshots.items():  # the loss of the weights after that epoch
        assert run.losses[epoch] == pytest.approx(data_loss(snapshot, X, y), rel=1e-12)
    # not the running mean train returns: that one is taken before each step, on one batch
    assert run.losses[1:] != run.history


@pytest.mark.parametrize("engine", [MLP, VectorizedMLP])
@pytest.mark.parametrize(
    "sizes, data", [([2, 3, 1], datasets.moons), ([64, 5, 10], datasets.digits)]
)
def test_data_loss_is_the_mean_of_the_examples_losses(engine, sizes, data):
    X, y = data()
    X, y = X[:9], y[:9]
    model = engine(sizes, activation="tanh", seed=4)
    scalar = MLP(sizes, activation="tanh", seed=4)  # the same seed: the same weights
    expected = sum(mse_loss(scalar.forward(x), t) for x, t in zip(X.tolist(), y.tolist())) / 9
    assert data_loss(model, X, y) == pytest.approx(expected, rel=1e-14)


BATCHES = [  # (sizes, activation, output activation, batch): shapes and activations to try
    ([2, 3, 1], "sigmoid", None, 1),
    ([3, 5, 4, 2], "tanh", None, 6),
    ([4, 6, 3], "leaky_relu", "identity", 5),
]


@pytest.mark.parametrize("sizes, activation, output, batch", BATCHES)
def test_a_batchs_gradient_is_the_slope_of_its_mean_loss(sizes, activation, output, batch):
    rng = np.random.default_rng(sum(sizes))
    X, y = rng.uniform(-1, 1, (batch, sizes[0])), rng.uniform(0, 1, (batch, sizes[-1]))
    model = MLP(sizes, activation=activation, output_activation=output, seed=batch)
    weights = [n.weights[:] + [n.bias] for layer in model.layers for n in layer.neurons]
    numerical = numerical_gradient_vector(model, X, y)
    assert weights == [n.weights + [n.bias] for layer in model.layers for n in layer.neurons]
    outputs, input_gradients = batch_gradients(model, X, y)
    analytic = gradient_vector(model)
    assert (
        analytic.shape == numerical.shape == (sum(m * (n + 1) for n, m in zip(sizes, sizes[1:])),)
    )
    np.testing.assert_allclose(analytic, numerical, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(outputs, [model.forward(x) for x in X.tolist()])
    assert input_gradients.shape == X.shape
    # the mean of the examples' own gradients, and the same numbers in the matrix form
    np.testing.assert_allclose(
        per_example_gradients(model, X, y).mean(axis=0), analytic, atol=1e-15
    )
    matrix = VectorizedMLP.from_scalar(model)
    matrix_outputs, matrix_input_gradients = batch_gradients(matrix, X, y)
    np.testing.assert_allclose(gradient_vector(matrix), analytic, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(matrix_outputs, outputs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(matrix_input_gradients, input_gradients, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(numerical_gradient_vector(matrix, X, y), numerical, atol=1e-9)


def test_the_vectors_catch_a_wrong_derivative_a_sum_for_a_mean_and_leftover_gradients():
    X, y = datasets.circles(n=8, seed=0)
    model = MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    numerical = numerical_gradient_vector(model, X, y)
    batch_gradients(model, X, y)
    right = gradient_vector(model)
    assert np.allclose(right, numerical, rtol=1e-6, atol=1e-9)
    model.backward(mse_loss_gradient(model.forward(X[0].tolist()), y[0].tolist()))  # no zero_grad
    assert not np.allclose(gradient_vector(model), numerical, rtol=1e-3)
    per_example = per_example_gradients(model, X, y)
    np.testing.assert_allclose(per_example.sum(axis=0), 8 * right, atol=1e-14)  # a sum, not mean
    for neuron in model.layers[1].neurons:  # the notes' sigmoid derivative, z σ(z)(1 − σ(z))
        neuron.delta_act = lambda z: z * (1 / (1 + math.exp(-z))) * (1 - 1 / (1 + math.exp(-z)))
    batch_gradients(model, X, y)
    assert not np.allclose(gradient_vector(model), numerical, rtol=1e-3)


# --- lesson 13: training with the cross-entropy of softmax -------------------------------------


def one_hot_data(examples, inputs, classes, seed):
    """Points X and one-hot labels Y: each point's class is the largest of a few linear scores."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (examples, inputs))
    return X, np.eye(classes)[(X @ rng.normal(size=(inputs, classes))).argmax(axis=1)]


@pytest.mark.lesson13
@pytest.mark.parametrize("engine", [MLP, VectorizedMLP])
def test_a_cross_entropy_batchs_gradient_is_the_slope_of_its_mean_loss(engine):
    X, Y = one_hot_data(5, 3, 4, seed=1)
    model = engine([3, 5, 4], activation="tanh", output_activation="identity", seed=2)
    numerical = numerical_gradient_vector(model, X, Y, loss="cross_entropy")
    batch_gradients(model, X, Y, loss="cross_entropy")
    np.testing.assert_allclose(gradient_vector(model), numerical, rtol=1e-6, atol=1e-9)
    batch_gradients(model, X, Y)  # the squared error's gradient is another one
    assert not np.allclose(gradient_vector(model), numerical, rtol=1e-3)


@pytest.mark.lesson13
def test_train_classifier_is_sgd_from_p_minus_y_over_the_batch_and_learns():
    X, Y = one_hot_data(24, 2, 3, seed=3)
    model = VectorizedMLP([2, 6, 3], activation="tanh", output_activation="identity", seed=4)
    by_hand = VectorizedMLP([2, 6, 3], activation="tanh", output_activation="identity", seed=4)
    history = train_classifier(model, X, Y, epochs=30, batch_size=5, learning_rate=0.5, seed=5)
    rng, losses = np.random.default_rng(5), []
    for _ in range(30):  # the same shuffles: one generator, a new order every epoch
        total = 0.0
        for X_batch, Y_batch in iterate_minibatches(X, Y, 5, seed=rng):
            by_hand.zero_grad()
            Z = by_hand.forward(X_batch)
            total += cross_entropy_loss(Z, Y_batch) * len(Z)
            by_hand.backward((softmax(Z) - Y_batch) / len(Z))  # ∂L/∂Z = (P − Y)/B
            by_hand.step(0.5)
        losses.append(total / len(X))
    np.testing.assert_allclose(history, losses, rtol=1e-12)
    for trained, layer in zip(model.layers, by_hand.layers):
        np.testing.assert_allclose(trained.W, layer.W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(trained.b, layer.b, rtol=1e-12, atol=1e-14)
    assert history[-1] < history[0] / 2
    assert data_loss(model, X, Y, loss="cross_entropy") < history[0] / 2


@pytest.mark.lesson13
def test_the_cross_entropy_of_a_data_set_is_the_same_in_both_engines():
    X, Y = one_hot_data(9, 3, 4, seed=6)
    scalar = MLP([3, 5, 4], activation="tanh", output_activation="identity", seed=7)
    matrix = VectorizedMLP.from_scalar(scalar)
    expected = np.mean([cross_entropy_loss(scalar.forward(x), t) for x, t in zip(X, Y)])
    assert data_loss(scalar, X, Y, loss="cross_entropy") == pytest.approx(expected, rel=1e-14)
    assert data_loss(matrix, X, Y, loss="cross_entropy") == pytest.approx(expected, rel=1e-12)


@pytest.mark.lesson13
def test_train_classifier_wants_the_matrix_form_logits_and_one_hot_labels():
    X, Y = one_hot_data(4, 2, 3, seed=10)
    settings = dict(epochs=1, batch_size=2, learning_rate=0.1)
    message = "they must be the logits z: build the network with output_activation='identity'"
    with pytest.raises(ValueError, match=message):
        train_classifier(VectorizedMLP([2, 3, 3], seed=0), X, Y, **settings)  # sigmoid outputs
    with pytest.raises(TypeError, match=r"a VectorizedMLP, got MLP: use VectorizedMLP.from_scalar"):
        train_classifier(MLP([2, 3, 3], output_activation="identity"), X, Y, **settings)
    model = VectorizedMLP([2, 3, 3], output_activation="identity", seed=0)
    with pytest.raises(ValueError, match="each row of labels must be one-hot"):
        train_classifier(model, X, 2 * Y, **settings)
    with pytest.raises(ValueError, match="unknown loss 'ce'"):
        data_loss(model, X, Y, loss="ce")


def test_the_parameter_vector_is_every_weight_and_bias_in_the_gradient_vector_s_order():
    mlp = MLP([3, 4, 2], activation="tanh", seed=5)
    expected = [v for layer in mlp.layers for n in layer.neurons for v in [*n.weights, n.bias]]
    assert parameter_vector(mlp).tolist() == expected
    matrix = VectorizedMLP.from_scalar(mlp)
    assert parameter_vector(matrix).tolist() == expected  # the same order in the matrix form
    mlp.layers[1].neurons[0].bias = 9.0  # after layer 1 (4 neurons of 3 + 1) and 4 weights
    assert parameter_vector(mlp)[4 * (3 + 1) + 4] == 9.0
    assert parameter_vector(mlp).shape == gradient_vector(mlp).shape


@pytest.mark.lesson08
def test_regime_table_gives_each_run_its_last_finite_loss_and_its_rises():
    from bp_lessons.training import regime_table

    runs = {
        "steady": TrainingRun(losses=[0.5, 0.4, 0.3]),
        "bumpy": TrainingRun(losses=[0.5, 0.6, 0.2, 0.3]),
        "divergent": TrainingRun(losses=[0.5, 5.0, 50.0], diverged_in=4),
    }
    lines = regime_table(runs, {"steady": 0.1, "bumpy": 0.5, "divergent": 2.0}).splitlines()
    assert len(lines) == 4 and "epochs in which it rose" in lines[0]
    assert lines[1].split() == ["steady", "0.1", "5.0e-01", "3.0e-01", "(after", "epoch", "2)", "0"]
    assert lines[2].split()[-1] == "2"  # 0.5 -> 0.6 and 0.2 -> 0.3
    assert "5.0e+01 (after epoch 2)" in lines[3] and lines[3].split()[-1] == "2"


@pytest.mark.lesson10
def test_engine_differences_are_rounding_for_one_network_and_large_for_a_changed_one():
    from bp_lessons.training import engine_differences

    rng = np.random.default_rng(3)
    mlp = MLP([3, 5, 2], activation="tanh", seed=1)
    X, Y = rng.uniform(-1, 1, (6, 3)), rng.uniform(0, 1, (6, 2))
    assert max(engine_differences(mlp, X, Y)) < 1e-12
    changed = MLP([3, 5, 2], activation="tanh", seed=1)
    changed.layers[0].neurons[0].delta_act = lambda z: 2 * (1 - math.tanh(z) ** 2)  # wrong slope
    outputs, gradients, inputs = engine_differences(changed, X, Y)
    assert outputs < 1e-12  # the forward pass is untouched
    assert gradients > 1e-3 and inputs > 1e-3


@pytest.mark.lesson09
def test_rate_search_table_shows_each_run_s_last_loss_or_where_it_diverged():
    from bp_lessons.training import rate_search_table

    search = {
        (1, 0.1): TrainingRun(losses=[0.5, 0.2, 0.0213]),
        (1, 0.2): TrainingRun(losses=[0.5, 9.0], diverged_in=2),
        (4, 0.1): TrainingRun(losses=[0.5, 0.4, 0.3]),
        (4, 0.2): TrainingRun(losses=[0.5, 0.3, 0.1]),
    }
    lines = rate_search_table(search, best={1: 0.1, 4: 0.2}).splitlines()
    assert lines[0] == "loss on the data set after 2 epochs"
    assert lines[1].split() == ["learning", "rate", "batch", "size", "1", "batch", "size", "4"]
    assert lines[2].split() == ["0.1", "0.0213", "0.3"]
    assert lines[3].split() == ["0.2", "diverged", "(2)", "0.1"]
    assert lines[4].split() == ["best", "lr", "0.1", "lr", "0.2"]
