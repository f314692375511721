import math

import pytest

from bp_lessons import MLP
from bp_lessons.activations import sigmoid
from bp_lessons.backward_trace import (
    backward_trace,
    format_trace,
    numerical_trace,
    parameter_gradients,
    paths_to_loss,
    transposed_product,
    worst_relative_error,
)
from bp_lessons.losses import mse_loss, mse_loss_gradient

pytestmark = pytest.mark.lesson07

QUANTITIES = [
    "output_gradient",
    "activation_gradient",
    "error",
    "gradients",
    "bias_gradients",
    "input_gradient",
]
NETWORKS = [
    (MLP([2, 3, 2, 1], seed=14), [1.0, -0.5], [0.0]),
    (MLP([3, 5, 4, 2], activation="tanh", seed=1), [0.3, -0.7, 0.9], [0.2, -0.4]),
    (MLP([4, 6, 3], activation="relu", output_activation="identity", seed=2), [0.5] * 4, [1, 0, 2]),
    (
        MLP([2, 4, 4, 4, 1], activation="leaky_relu", output_activation="sigmoid", seed=3),
        [1, 2],
        [1],
    ),
]
IDS = ["sigmoid [2,3,2,1]", "tanh [3,5,4,2]", "relu [4,6,3]", "leaky relu [2,4,4,4,1]"]


@pytest.mark.parametrize(("mlp", "inputs", "labels"), NETWORKS, ids=IDS)
def test_the_trace_is_what_mlp_backward_computes_to_the_last_bit(mlp, inputs, labels):
    trace = backward_trace(mlp, inputs, labels)
    mlp.zero_grad()
    returned = mlp.backward(mse_loss_gradient(mlp.forward(inputs), labels))
    assert returned == trace.input_gradient
    for layer, values in zip(mlp.layers, trace.layers):
        assert values.gradients == [neuron.gradients for neuron in layer.neurons]
        assert values.bias_gradients == [neuron.bias_gradient for neuron in layer.neurons]
    assert trace.loss == mse_loss(mlp.forward(inputs), labels)
    mlp.zero_grad()


@pytest.mark.parametrize(("mlp", "inputs", "labels"), NETWORKS, ids=IDS)
@pytest.mark.parametrize("quantity", QUANTITIES)
def test_every_value_agrees_with_central_differences(mlp, inputs, labels, quantity):
    trace, slopes = backward_trace(mlp, inputs, labels), numerical_trace(mlp, inputs, labels)
    assert len(trace.values(quantity)) == len(slopes.values(quantity)) > 0
    assert worst_relative_error(trace, slopes, quantity) < 1e-6


def test_the_four_equations_hold_value_by_value():
    mlp, inputs, labels = NETWORKS[0]
    trace = backward_trace(mlp, inputs, labels)
    last = trace.layers[-1]
    n = len(labels)
    assert last.output_gradient == [2 * (a - y) / n for a, y in zip(last.activation, labels)]
    for number, values in enumerate(trace.layers, start=1):
        for j, z in enumerate(values.linear_activation):
            derivative = sigmoid(z) * (1 - sigmoid(z))
            assert values.activation_gradient[j] == pytest.approx(derivative, rel=1e-15)
            assert values.error[j] == values.output_gradient[j] * values.activation_gradient[j]
            assert values.bias_gradients[j] == values.error[j]
            for k, a in enumerate(values.input_activation):
                assert values.gradients[j][k] == pytest.approx(a * values.error[j], rel=1e-15)
        if number > 1:  # δ^(l-1) comes from (W^(l))ᵀ δ^(l)
            below = trace.layers[number - 2]
            expected = [
                math.fsum(values.weights[j][k] * values.error[j] for j in range(len(values.error)))
                for k in range(len(below.error))
            ]
            assert below.output_gradient == pytest.approx(expected, rel=1e-13)


def test_transposed_product_sums_over_the_rows():
    assert transposed_product([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [1.0, 10.0, 100.0]) == [
        531.0,
        642.0,
    ]


@pytest.mark.parametrize(("mlp", "inputs", "labels"), NETWORKS[:2], ids=IDS[:2])
def test_the_paths_add_up_to_the_gradient_of_each_activation(mlp, inputs, labels):
    trace = backward_trace(mlp, inputs, labels)
    sizes = mlp.sizes
    for layer in range(len(sizes)):
        wanted = trace.input_gradient if layer == 0 else trace.layers[layer - 1].output_gradient
        for k in range(sizes[layer]):
            paths = paths_to_loss(trace, layer, k)
            assert len(paths) == math.prod(sizes[layer + 1 :])  # one neuron of each later layer
            assert len(set(path for path, _ in paths)) == len(paths)
            assert math.fsum(p for _, p in paths) == pytest.approx(wanted[k], rel=1e-12, abs=1e-17)


def test_one_path_is_the_product_of_its_local_derivatives():
    mlp, inputs, labels = NETWORKS[0]
    trace = backward_trace(mlp, inputs, labels)
    (path, product), _ = paths_to_loss(trace, 1, 2)
    assert path == (0, 0)
    second, third = trace.layers[1], trace.layers[2]
    expected = (
        second.weights[0][2]
        * second.activation_gradient[0]
        * third.weights[0][0]
        * third.activation_gradient[0]
        * third.output_gradient[0]
    )
    assert product == pytest.approx(expected, rel=1e-15)


def test_the_numerical_check_rejects_a_wrong_derivative():
    mlp = MLP([2, 3, 2, 1], seed=14)
    for layer in mlp.layers:
        for neuron in layer.neurons:  # the notes' sigmoid derivative, z σ(z)(1 − σ(z))
            neuron.delta_act = lambda z: z * sigmoid(z) * (1 - sigmoid(z))
    trace, slopes = (
        backward_trace(mlp, [1.0, -0.5], [0.0]),
        numerical_trace(mlp, [1.0, -0.5], [0.0]),
    )
    assert worst_relative_error(trace, slopes, "error") > 0.1
    assert worst_relative_error(trace, slopes, "gradients") > 0.1
    assert worst_relative_error(trace, slopes, "output_gradient", [3]) < 1e-6  # from the loss


def test_tracing_changes_nothing_in_the_network():
    mlp = MLP([2, 3, 2, 1], seed=14)
    weights = [[list(n.weights) for n in layer.neurons] for layer in mlp.layers]
    backward_trace(mlp, [1.0, -0.5], [0.0])
    numerical_trace(mlp, [1.0, -0.5], [0.0])
    assert [[n.weights for n in layer.neurons] for layer in mlp.layers] == weights
    assert all(n.bias == 0.0 and n.bias_gradient == 0.0 for lay in mlp.layers for n in lay.neurons)
    mlp.forward([0.3, 0.3])
    numerical_trace(mlp, [1.0, -0.5], [0.0])  # leaves each neuron as this example's forward did
    assert mlp.layers[0].neurons[0].input_activation == [1.0, -0.5]


def test_a_numerical_gradient_costs_two_forward_passes_per_parameter():
    mlp = MLP([2, 3, 2, 1], seed=0)
    calls = []
    forward = mlp.forward
    mlp.forward = lambda inputs: calls.append(1) or forward(inputs)
    weights, biases = parameter_gradients(mlp, [1.0, -0.5], [0.0])
    assert [len(row) for layer in weights for row in layer] == [2, 2, 2, 3, 3, 2]
    assert [len(layer) for layer in biases] == [3, 2, 1]
    assert len(calls) == 2 * (2 * 3 + 3 + 3 * 2 + 2 + 2 * 1 + 1)  # 20 weights and biases


def test_format_trace_prints_each_step_in_the_order_of_the_pass():
    mlp, inputs, labels = NETWORKS[0]
    trace = backward_trace(mlp, inputs, labels)
    text = format_trace(trace)
    titles = [line for line in text.splitlines() if not line.startswith(" ")]
    assert titles[0].startswith("forward pass: a⁽⁰⁾ = [+1.0000, -0.5000]")
    assert titles[1:] == [
        "backward step 1: layer 3 (output)",
        "backward step 2: layer 2",
        "backward step 3: layer 1",
    ]
    assert format_trace(trace) == "\n".join(format_trace(trace, s) for s in range(4))
    step = format_trace(trace, 3)
    assert "error               δ⁽¹⁾ = ∂L/∂a⁽¹⁾ ⊙ σ'(z⁽¹⁾)" in step
    assert f"{trace.layers[0].error[1]:+.4f}" in step and "∂L/∂a⁽⁰⁾ = (W⁽¹⁾)ᵀ δ⁽¹⁾" in step
    assert "∂L/∂a⁽³⁾ = 2(a⁽³⁾ − y)/1" in format_trace(trace, 1)
    with pytest.raises(ValueError, match="steps 0 \\(forward\\) to 3, got 4"):
        format_trace(trace, 4)
