import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp_lessons import MLP, Layer, activations, datasets
from bp_lessons.gradcheck import gradient_check
from bp_lessons.losses import mse_loss, mse_loss_gradient
from bp_lessons.training import train
from bp_lessons.vectorized import ARRAY_ACTIVATIONS, DenseLayer, VectorizedMLP

pytestmark = pytest.mark.lesson10

NAMES = sorted(ARRAY_ACTIVATIONS)
KINKS_AND_EXTREMES = [0.0, -0.0, 1e-300, -1e-300, 1e-3, -1e-3, 36.0, -36.0, 709.0, -709.0]
KINKS_AND_EXTREMES += [-709.9, -745.0, 745.0, 1000.0, -1000.0, 1e308, -1e308]


def randomise(mlp, rng):
    """Random weights and non-zero biases, so no gradient is trivially zero."""
    for layer in mlp.layers:
        for neuron in layer.neurons:
            neuron.weights = rng.normal(size=len(neuron.weights)).tolist()
            neuron.bias = float(rng.normal())


def scalar_gradients(mlp, X, Y):
    """The scalar engine's dL/dW, dL/db and dL/dX for the mean loss over the batch (lesson 09)."""
    mlp.zero_grad()
    input_gradients = []
    for inputs, labels in zip(X.tolist(), Y.tolist()):
        gradient = mse_loss_gradient(mlp.forward(inputs), labels)
        input_gradients.append(mlp.backward([g / len(X) for g in gradient]))
    dW = [np.array([n.gradients for n in layer.neurons]) for layer in mlp.layers]
    db = [np.array([n.bias_gradient for n in layer.neurons]) for layer in mlp.layers]
    return dW, db, np.array(input_gradients)


def weights_of(model):
    if isinstance(model, VectorizedMLP):
        return [(layer.W, layer.b) for layer in model.layers]
    return [
        (np.array([n.weights for n in layer.neurons]), np.array([n.bias for n in layer.neurons]))
        for layer in model.layers
    ]


# the activations on arrays


@pytest.mark.parametrize("name", NAMES)
@given(z=st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=8))
def test_array_activations_agree_with_the_scalar_ones_elementwise(name, z):
    act, delta_act = activations.get_activation(name)
    array_act, array_delta_act = ARRAY_ACTIVATIONS[name]
    Z = np.array(z + KINKS_AND_EXTREMES)
    A = array_act(Z)
    expected_a = [act(v) for v in Z.tolist()]
    expected_slope = [delta_act(v) for v in Z.tolist()]
    # to rounding, except below 1e-300 (sigmoid gives 1e-308 where the scalar one gives 0)
    assert A.tolist() == pytest.approx(expected_a, rel=1e-15, abs=1e-300)
    # 1 - tanh^2 cancels near saturation: NumPy's and math's tanh differ by an ulp there
    assert array_delta_act(Z).tolist() == pytest.approx(expected_slope, rel=1e-14, abs=1e-15)
    # given A = act(Z) from the forward pass, the derivative reuses it and gives the same numbers
    assert np.array_equal(array_delta_act(Z, A), array_delta_act(Z))


@pytest.mark.parametrize("name", NAMES)
def test_array_derivatives_match_central_differences(name):
    act, delta_act = ARRAY_ACTIVATIONS[name]
    Z = np.random.default_rng(0).uniform(-6, 6, size=(7, 5))
    Z = Z[np.abs(Z) > 1e-3].reshape(-1, 1)  # away from the kinks
    numeric = (act(Z + 1e-5) - act(Z - 1e-5)) / 2e-5
    np.testing.assert_allclose(delta_act(Z), numeric, rtol=1e-7, atol=1e-10)


def test_sigmoid_on_arrays_is_stable_at_extremes_without_warnings():
    Z = np.array([-1e308, -1000.0, -745.0, 0.0, 745.0, 1000.0, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = ARRAY_ACTIVATIONS["sigmoid"][0](Z)
        slope = ARRAY_ACTIVATIONS["sigmoid"][1](Z)
    assert A[3] == 0.5 and (A[4:] == 1.0).all() and (A[:3] < 1.3e-308).all()
    assert (slope[4:] == 0.0).all() and (slope[:3] < 1.3e-308).all()
    assert np.isnan(ARRAY_ACTIVATIONS["sigmoid"][0](np.array([np.nan]))).all()


def test_the_array_activations_leave_their_input_alone():
    Z = np.array([[-2.0, 0.5], [3.0, -0.25]])
    for act, delta_act in ARRAY_ACTIVATIONS.values():
        before = Z.copy()
        delta_act(Z, act(Z))
        assert np.array_equal(Z, before)


# initialisation, shapes and the weights of the scalar engine


@pytest.mark.parametrize("sizes", [[2, 1], [2, 3, 1], [64, 30, 10], [4, 6, 5, 4, 2]])
@pytest.mark.parametrize("seed", [0, 7])
def test_the_same_seed_draws_exactly_the_scalar_engines_weights(sizes, seed):
    scalar, vectorized = MLP(sizes, seed=seed), VectorizedMLP(sizes, seed=seed)
    for (W, b), (V, c) in zip(weights_of(scalar), weights_of(vectorized)):
        assert np.array_equal(W, V) and np.array_equal(b, c)
    generator = VectorizedMLP(sizes, seed=np.random.default_rng(seed))
    assert all(np.array_equal(a.W, b.W) for a, b in zip(generator.layers, vectorized.layers))
    assert not np.array_equal(
        VectorizedMLP(sizes, seed=seed + 1).layers[0].W, generator.layers[0].W
    )


def test_a_dense_layer_draws_the_weights_of_a_layer():
    layer, dense = Layer(5, 3, seed=4), DenseLayer(5, 3, seed=4)
    assert dense.W.tolist() == [n.weights for n in layer.neurons]
    assert dense.W.shape == (3, 5) and dense.b.shape == (3,) and (dense.b == 0).all()
    assert dense.dW.shape == (3, 5) and dense.db.shape == (3,)


def test_from_scalar_copies_the_weights_exactly():
    mlp = MLP([3, 4, 2], "tanh", output_activation="identity", seed=2)
    randomise(mlp, np.random.default_rng(2))
    vectorized = VectorizedMLP.from_scalar(mlp)
    for (W, b), (V, c) in zip(weights_of(mlp), weights_of(vectorized)):
        assert np.array_equal(W, V) and np.array_equal(b, c)
    assert [layer.activation for layer in vectorized.layers] == ["tanh", "identity"]
    assert vectorized.layers[0].W[1, 2] == mlp.layers[0].neurons[1].weights[2]  # W[j, k] is w_jk
    assert vectorized.sizes == [3, 4, 2]
    assert repr(vectorized) == (
        "VectorizedMLP([3, 4, 2], activation='tanh', output_activation='identity')"
    )
    assert repr(vectorized.layers[0]) == "DenseLayer(3 inputs, 4 outputs, 'tanh')"


# the forward and backward pass: the same numbers as the neuron-by-neuron engine


@given(
    hidden=st.lists(st.integers(1, 7), min_size=0, max_size=3),
    activation=st.sampled_from(NAMES),
    output_activation=st.sampled_from(NAMES),
    batch=st.integers(1, 6),
    seed=st.integers(0, 10_000),
)
def test_from_scalar_gives_the_same_outputs_and_gradients(
    hidden, activation, output_activation, batch, seed
):
    rng = np.random.default_rng(seed)
    sizes = [int(rng.integers(1, 6)), *hidden, int(rng.integers(1, 4))]
    mlp = MLP(sizes, activation, output_activation, seed=seed)
    randomise(mlp, rng)
    vectorized = VectorizedMLP.from_scalar(mlp)
    X, Y = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))

    outputs = vectorized.forward(X)
    assert outputs.shape == (batch, sizes[-1])
    expected = np.array([mlp.forward(x) for x in X.tolist()])
    np.testing.assert_allclose(outputs, expected, rtol=1e-12, atol=1e-12)

    dX = vectorized.backward(mse_loss_gradient(outputs, Y))
    dW, db, input_gradients = scalar_gradients(mlp, X, Y)
    for layer, expected_dW, expected_db in zip(vectorized.layers, dW, db):
        np.testing.assert_allclose(layer.dW, expected_dW, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(layer.db, expected_db, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dX, input_gradients, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("sizes", [[2, 1], [3, 5, 2], [2, 8, 8, 3], [4, 6, 5, 4, 1]])
@pytest.mark.parametrize("batch", [1, 5])
def test_backward_matches_central_differences(sizes, activation, batch):
    rng = np.random.default_rng(sum(sizes) + batch)
    mlp = MLP(sizes, activation, seed=1)
    randomise(mlp, rng)
    vectorized = VectorizedMLP.from_scalar(mlp)
    X, Y = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))
    assert gradient_check(vectorized, X, Y) < 1e-5


def test_the_input_gradient_matches_central_differences():
    rng = np.random.default_rng(3)
    vectorized = VectorizedMLP([3, 4, 2], "tanh", seed=3)
    X, Y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 2))
    dX = vectorized.backward(mse_loss_gradient(vectorized.forward(X), Y))
    for index in np.ndindex(X.shape):
        changed = [X.copy(), X.copy()]
        changed[0][index] += 1e-5
        changed[1][index] -= 1e-5
        up, down = (mse_loss(vectorized.forward(x), Y) for x in changed)
        assert dX[index] == pytest.approx((up - down) / 2e-5, rel=1e-6, abs=1e-10)


def test_skipping_the_input_gradient_leaves_the_weight_gradients_alone():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(5, 4)), rng.uniform(size=(5, 2))
    with_input, without = VectorizedMLP([4, 3, 2], seed=1), VectorizedMLP([4, 3, 2], seed=1)
    assert with_input.backward(mse_loss_gradient(with_input.forward(X), Y)).shape == (5, 4)
    assert without.backward(mse_loss_gradient(without.forward(X), Y), input_gradient=False) is None
    for a, b in zip(with_input.layers, without.layers):
        assert np.array_equal(a.dW, b.dW) and np.array_equal(a.db, b.db)


def test_a_batch_gives_the_sum_of_its_examples_gradients():
    rng = np.random.default_rng(5)
    vectorized = VectorizedMLP([3, 4, 2], "sigmoid", seed=5)
    X, dY = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    vectorized.forward(X)
    vectorized.backward(dY)
    batch_dW = [layer.dW.copy() for layer in vectorized.layers]
    vectorized.zero_grad()
    for x, dy in zip(X, dY):
        vectorized.forward(x.reshape(1, -1))
        vectorized.backward(dy.reshape(1, -1))
    for layer, dW in zip(vectorized.layers, batch_dW):
        np.testing.assert_allclose(layer.dW, dW, rtol=1e-13, atol=1e-15)


def test_gradients_accumulate_until_zero_grad_and_step_moves_against_them():
    rng = np.random.default_rng(2)
    layer = DenseLayer(3, 2, "tanh", seed=2)
    X1, X2, dA1, dA2 = (rng.normal(size=shape) for shape in [(4, 3), (2, 3), (4, 2), (2, 2)])
    layer.forward(X1)
    layer.backward(dA1)
    first = layer.dW.copy(), layer.db.copy()
    layer.forward(X2)
    layer.backward(dA2)
    alone = DenseLayer(3, 2, "tanh", seed=2)
    alone.forward(X2)
    alone.backward(dA2)
    np.testing.assert_allclose(layer.dW, first[0] + alone.dW, rtol=1e-15)
    np.testing.assert_allclose(layer.db, first[1] + alone.db, rtol=1e-15)
    W, b, dW, db = layer.W.copy(), layer.b.copy(), layer.dW.copy(), layer.db.copy()
    layer.step(0.5)
    assert np.array_equal(layer.W, W - 0.5 * dW) and np.array_equal(layer.b, b - 0.5 * db)
    layer.zero_grad()
    assert (layer.dW == 0).all() and (layer.db == 0).all()
    assert layer.dW.shape == (2, 3) and layer.db.shape == (2,)


def test_the_network_steps_and_zeroes_every_layer():
    vectorized = VectorizedMLP([2, 3, 1], seed=0)
    before = [layer.W.copy() for layer in vectorized.layers]
    vectorized.backward(np.ones((2, 1)) * vectorized.forward(np.ones((2, 2))))
    vectorized.step(0.1)
    assert all(not np.array_equal(a, layer.W) for a, layer in zip(before, vectorized.layers))
    vectorized.zero_grad()
    assert all((layer.dW == 0).all() and (layer.db == 0).all() for layer in vectorized.layers)


def test_gradients_agree_with_pytorch(torch_activations):
    """An independent oracle: autograd on the same weights and batch (skipped without torch)."""
    import torch

    rng = np.random.default_rng(0)
    for trial in range(30):
        sizes = rng.integers(1, 7, size=rng.integers(2, 6)).tolist()
        activation, output_activation = rng.choice(NAMES, size=2).tolist()
        vectorized = VectorizedMLP(sizes, activation, output_activation, seed=trial)
        for layer in vectorized.layers:
            layer.b[:] = rng.normal(size=layer.b.shape)
        X = rng.normal(size=(int(rng.integers(1, 6)), sizes[0]))
        Y = rng.uniform(size=(len(X), sizes[-1]))
        outputs = vectorized.forward(X)
        vectorized.backward(mse_loss_gradient(outputs, Y))

        params, A = [], torch.tensor(X)
        for layer in vectorized.layers:
            W = torch.tensor(layer.W, requires_grad=True)
            b = torch.tensor(layer.b, requires_grad=True)
            params.append((W, b))
            A = torch_activations[layer.activation](A @ W.T + b)
        torch.nn.functional.mse_loss(A, torch.tensor(Y)).backward()
        np.testing.assert_allclose(outputs, A.detach().numpy(), rtol=1e-12, atol=1e-300)
        for layer, (W, b) in zip(vectorized.layers, params):
            np.testing.assert_allclose(layer.dW, W.grad.numpy(), rtol=1e-8, atol=1e-300)
            np.testing.assert_allclose(layer.db, b.grad.numpy(), rtol=1e-8, atol=1e-300)


# training


@pytest.mark.parametrize(
    "sizes, activation, output_activation, batch_size",
    [
        ([2, 5, 1], "tanh", "sigmoid", 8),
        ([2, 4, 4, 1], "relu", "identity", 50),
        ([2, 3, 1], "sigmoid", None, 7),  # 50 examples: the last batch has 1
    ],
)
def test_train_gives_both_engines_the_same_weights_and_history(
    sizes, activation, output_activation, batch_size
):
    X, y = datasets.moons(n=50, noise=0.2, seed=1)
    scalar = MLP(sizes, activation, output_activation, seed=3)
    vectorized = VectorizedMLP(sizes, activation, output_activation, seed=3)
    kwargs = {"epochs": 15, "batch_size": batch_size, "learning_rate": 0.5, "seed": 4}
    scalar_history = train(scalar, X, y, **kwargs)
    vectorized_history = train(vectorized, X, y, **kwargs)
    assert vectorized_history == pytest.approx(scalar_history, rel=1e-12)
    for (W, b), (V, c) in zip(weights_of(scalar), weights_of(vectorized)):
        np.testing.assert_allclose(V, W, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(c, b, rtol=1e-12, atol=1e-12)
    assert vectorized_history[-1] < vectorized_history[0]


def test_train_runs_each_batch_through_the_matrix_form_in_one_pass():
    class Counting(VectorizedMLP):
        shapes = []

        def forward(self, X):
            self.shapes.append(X.shape)
            return super().forward(X)

    X, y = datasets.xor()
    model = Counting([2, 3, 1], seed=0)
    train(
        model, np.vstack([X, X, X]), np.vstack([y, y, y]), epochs=2, batch_size=5, learning_rate=1
    )
    assert model.shapes == [(5, 2), (5, 2), (2, 2)] * 2


def test_the_matrix_form_learns_digits():
    X, Y = datasets.digits()
    model = VectorizedMLP([64, 30, 10], seed=0)
    history = train(model, X[:1400], Y[:1400], epochs=8, batch_size=10, learning_rate=15.0)
    accuracy = np.mean(model.forward(X[1400:]).argmax(1) == Y[1400:].argmax(1))
    assert history[-1] < history[0] / 2 and accuracy > 0.9


def test_divergence_stops_with_advice_and_without_warnings():
    X, y = [[10.0, -20.0], [30.0, 5.0]], [[1.0], [-1.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            FloatingPointError,
            match=r"overflow .* in epoch \d+: training diverged\. Try a smaller learning_rate",
        ):
            train(
                VectorizedMLP([2, 8, 1], "identity"),
                X,
                y,
                epochs=200,
                batch_size=2,
                learning_rate=5.0,
            )


def test_train_validates_data_for_the_matrix_form_too():
    model = VectorizedMLP([3, 1])
    with pytest.raises(ValueError, match=r"X must have shape \(examples, 3\) for this network"):
        train(model, *datasets.xor(), epochs=1, batch_size=1, learning_rate=1.0)
    X, y = datasets.xor()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        train(VectorizedMLP([2, 1]), X, y, epochs=1, batch_size=1, learning_rate=1.0)


# errors that say what was expected and what came


def test_a_single_example_gets_a_hint_to_reshape():
    model = VectorizedMLP([3, 2, 1])
    with pytest.raises(
        ValueError,
        match=r"expected X of shape \(batch, 3\), one example per row; got \(3,\): "
        r"for one example use X.reshape\(1, -1\), or pass a batch",
    ):
        model.forward(np.array([1.0, 2.0, 3.0]))
    assert model.forward(np.array([1.0, 2.0, 3.0]).reshape(1, -1)).shape == (1, 1)


@pytest.mark.parametrize("shape", [(4, 2), (4, 3, 1), (0, 3), ()])
def test_wrong_input_shapes(shape):
    expected = re.escape(f"expected X of shape (batch, 3), one example per row; got {shape}")
    with pytest.raises(ValueError, match=expected):
        VectorizedMLP([3, 1]).forward(np.zeros(shape))


def test_inputs_that_are_not_numbers():
    with pytest.raises(TypeError, match=r"X must be a table of numbers of shape \(batch, 2\)"):
        VectorizedMLP([2, 1]).forward([[1.0, 2.0], [3.0]])


def test_wrong_output_gradient_shapes():
    model = VectorizedMLP([3, 4, 2])
    with pytest.raises(RuntimeError, match="call forward first"):
        model.backward(np.zeros((5, 2)))
    model.forward(np.zeros((5, 3)))
    for bad in [np.zeros((5, 3)), np.zeros(2), np.zeros((4, 2))]:
        with pytest.raises(
            ValueError,
            match=r"expected an output gradient ∂L/∂A of shape \(5, 2\) \(batch, outputs\) like "
            r"the last forward's outputs, got shape " + re.escape(str(bad.shape)),
        ):
            model.backward(bad)


@pytest.mark.parametrize("sizes", [[2], [], "2,3,1", [2, 0, 1], [2, 1.5, 1], 3])
def test_bad_sizes_have_the_scalar_engines_message(sizes):
    with pytest.raises(ValueError, match="sizes must"):
        VectorizedMLP(sizes)


def test_bad_layer_sizes_and_activation_names():
    with pytest.raises(ValueError, match="unknown activation 'Sigmoid'"):
        VectorizedMLP([2, 1], activation="Sigmoid")
    with pytest.raises(ValueError, match="num_outputs must be at least 1, got 0"):
        DenseLayer(3, 0)
    with pytest.raises(TypeError, match="num_inputs must be a positive int, got float 2.0"):
        DenseLayer(2.0, 1)


def test_from_scalar_refuses_a_layer_with_mixed_activations():
    mlp = MLP([2, 3, 1])
    mlp.layers[0].neurons[1].activation = "relu"
    with pytest.raises(ValueError, match="mixes activations"):
        VectorizedMLP.from_scalar(mlp)
