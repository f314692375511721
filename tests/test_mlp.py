import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp_lessons import MLP
from bp_lessons.gradcheck import gradient_check, numerical_gradient
from bp_lessons.losses import mse_loss, mse_loss_gradient

pytestmark = [pytest.mark.lesson06, pytest.mark.lesson07]

ACTIVATION_NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]


def randomise(mlp, rng):
    """Random weights and non-zero biases, so no gradient is trivially zero."""
    for layer in mlp.layers:
        for neuron in layer.neurons:
            neuron.weights = rng.normal(size=len(neuron.weights)).tolist()
            neuron.bias = float(rng.normal())


def test_sizes_include_the_inputs():
    mlp = MLP([2, 3, 1])
    assert mlp.sizes == [2, 3, 1]
    assert [len(layer.neurons) for layer in mlp.layers] == [3, 1]
    assert [len(layer.neurons[0].weights) for layer in mlp.layers] == [2, 3]


def test_output_activation_defaults_to_the_hidden_one():
    assert (
        repr(MLP([2, 3, 1], "tanh"))
        == "MLP([2, 3, 1], activation='tanh', output_activation='tanh')"
    )
    mlp = MLP([2, 3, 3, 1], "relu", output_activation="identity")
    assert [layer.neurons[0].activation for layer in mlp.layers] == ["relu", "relu", "identity"]


def test_forward_feeds_each_layer_the_previous_layers_outputs():
    mlp = MLP([3, 4, 2, 1], seed=5)
    inputs = [0.1, -0.4, 0.9]
    expected = mlp.layers[2].forward(mlp.layers[1].forward(mlp.layers[0].forward(inputs)))
    assert mlp.forward(inputs) == expected


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("sizes", [[2, 1], [3, 5, 2], [2, 8, 8, 3], [4, 6, 5, 4, 1]])
def test_backward_matches_central_differences(sizes, activation):
    rng = np.random.default_rng(sum(sizes))
    mlp = MLP(sizes, activation, seed=1)
    randomise(mlp, rng)
    inputs, labels = rng.normal(size=sizes[0]).tolist(), rng.uniform(size=sizes[-1]).tolist()
    assert gradient_check(mlp, inputs, labels) < 1e-5


@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    activation=st.sampled_from(ACTIVATION_NAMES),
    output_activation=st.sampled_from(ACTIVATION_NAMES),
    seed=st.integers(0, 10_000),
)
def test_backward_matches_central_differences_on_random_networks(
    hidden, activation, output_activation, seed
):
    rng = np.random.default_rng(seed)
    sizes = [int(rng.integers(1, 5)), *hidden, int(rng.integers(1, 4))]
    mlp = MLP(sizes, activation, output_activation, seed=seed)
    randomise(mlp, rng)
    inputs, labels = rng.normal(size=sizes[0]).tolist(), rng.uniform(size=sizes[-1]).tolist()
    assert gradient_check(mlp, inputs, labels) < 1e-5


def test_backward_returns_the_gradient_of_the_inputs():
    mlp = MLP([3, 4, 2], "tanh", seed=2)
    inputs, labels = [0.5, -0.2, 0.8], [0.1, 0.9]
    input_gradients = mlp.backward(mse_loss_gradient(mlp.forward(inputs), labels))
    for k in range(3):

        def loss_at(v, k=k):
            return mse_loss(mlp.forward(inputs[:k] + [v] + inputs[k + 1 :]), labels)

        assert input_gradients[k] == pytest.approx(numerical_gradient(loss_at, inputs[k]), rel=1e-7)


def test_the_same_seed_builds_the_same_network():
    def weights(mlp):
        return [(n.weights, n.bias) for layer in mlp.layers for n in layer.neurons]

    assert weights(MLP([2, 3, 1], seed=4)) == weights(MLP([2, 3, 1], seed=4))
    assert weights(MLP([2, 3, 1], seed=4)) != weights(MLP([2, 3, 1], seed=5))


@pytest.mark.parametrize("sizes", [[2], [], "2,3,1", [2, 0, 1], [2, 1.5, 1], 3])
def test_bad_sizes(sizes):
    with pytest.raises(ValueError, match="sizes must"):
        MLP(sizes)


def test_bad_inputs_and_labels():
    mlp = MLP([2, 3, 1])
    with pytest.raises(ValueError, match=r"expected 2 inputs \(one per weight\), got 3"):
        mlp.forward([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="the network gives 1 outputs but there are 2 labels"):
        mse_loss_gradient(mlp.forward([1.0, 2.0]), [1.0, 0.0])
    with pytest.raises(ValueError, match=r"expected one output gradient per neuron \(1\), got 2"):
        mlp.backward([1.0, 2.0])
    with pytest.raises(ValueError, match="unknown activation 'Sigmoid'"):
        MLP([2, 1], activation="Sigmoid")


def test_gradients_agree_with_pytorch(torch_activations):
    """An independent oracle: autograd on the same weights (skipped without torch)."""
    import torch

    rng = np.random.default_rng(0)
    for trial in range(40):
        sizes = rng.integers(1, 7, size=rng.integers(2, 6)).tolist()
        activation, output_activation = rng.choice(list(torch_activations), size=2).tolist()
        mlp = MLP(sizes, activation, output_activation, seed=trial)
        randomise(mlp, rng)
        inputs, labels = rng.normal(size=sizes[0]).tolist(), rng.uniform(size=sizes[-1]).tolist()
        mlp.backward(mse_loss_gradient(mlp.forward(inputs), labels))

        params = []
        a = torch.tensor(inputs, dtype=torch.float64)
        for layer in mlp.layers:
            W = torch.tensor(
                [n.weights for n in layer.neurons], dtype=torch.float64, requires_grad=True
            )
            b = torch.tensor(
                [n.bias for n in layer.neurons], dtype=torch.float64, requires_grad=True
            )
            params.append((W, b))
            a = torch_activations[layer.neurons[0].activation](W @ a + b)
        torch.mean((a - torch.tensor(labels, dtype=torch.float64)) ** 2).backward()
        for layer, (W, b) in zip(mlp.layers, params):
            ours_W = np.array([n.gradients for n in layer.neurons])
            ours_b = np.array([n.bias_gradient for n in layer.neurons])
            np.testing.assert_allclose(ours_W, W.grad.numpy(), rtol=1e-8, atol=1e-300)
            np.testing.assert_allclose(ours_b, b.grad.numpy(), rtol=1e-8, atol=1e-300)
