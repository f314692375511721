"""What lesson 07's prose says about its own numbers, recomputed with the package.

Each test names the sentence it holds; a margin is as wide as the claim allows (timings: factors
of several, so that a loaded or a fast machine passes alike).
"""

import inspect

import pytest

from bp_lessons import MLP, datasets
from bp_lessons.activations import sigmoid
from bp_lessons.backward_trace import (
    backward_trace,
    gradient_costs,
    numerical_trace,
    paths_to_loss,
)
from bp_lessons.gradcheck import EPSILON, gradient_check, relative_error
from bp_lessons.losses import mse_loss_gradient
from bp_lessons.training import train

pytestmark = pytest.mark.lesson07

INPUTS, LABELS = [1.0, -0.5], [0.0]


def lesson_network() -> MLP:
    return MLP([2, 3, 2, 1], activation="sigmoid", seed=14)


def test_one_path_is_never_enough_and_twice_points_the_wrong_way():
    """'one path alone never does, and for a⁽¹⁾_0 and a⁽¹⁾_2 it even has the wrong sign'"""
    mlp = lesson_network()
    trace, slopes = backward_trace(mlp, INPUTS, LABELS), numerical_trace(mlp, INPUTS, LABELS)
    for k in range(3):
        (_, first), (_, second) = paths_to_loss(trace, 1, k)
        numerical = slopes.layers[0].output_gradient[k]
        assert relative_error(first + second, numerical) < 1e-6
        assert relative_error(first, numerical) > 1e-2
        assert (first * numerical < 0) == (k in (0, 2))
    for k in range(2):  # '6 paths' from each input, summing to what the loop returns
        paths = paths_to_loss(trace, 0, k)
        assert len(paths) == 6
        total = sum(product for _, product in paths)
        assert total == pytest.approx(trace.input_gradient[k], rel=1e-12)
        assert relative_error(total, slopes.input_gradient[k]) < 1e-6


def test_the_printed_loop_has_a_line_for_each_equation():
    """'one turn of the loop per layer, from the output back, and one line per equation'"""
    source = inspect.getsource(backward_trace)
    assert len(source.splitlines()) <= 20
    assert "for layer, trace in zip(reversed(mlp.layers), reversed(layers))" in source
    for marker in ("equation (1) at l = N, (2) below it", "# (3)", "# (4)", "transposed_product"):
        assert marker in source


def test_a_zero_input_stops_its_weights_and_saturation_slows_the_rest():
    """'the weights w⁽¹⁾_j1 on it get the gradient 0 exactly'; 'σ' falls from above 0.2 to 0.00023
    and 0.001, and their weights' gradients come out about 3,000 and 800 times smaller than those
    of neuron 1, although their inputs are 10 times larger'"""
    mlp = lesson_network()
    own = backward_trace(mlp, INPUTS, LABELS).layers[0]
    assert min(own.activation_gradient) > 0.2
    zero = backward_trace(mlp, [1.0, 0.0], LABELS).layers[0]
    assert all(row[1] == 0.0 for row in zero.gradients)
    assert all(row[0] != 0.0 for row in zero.gradients)
    scaled = backward_trace(mlp, [10.0, -5.0], LABELS).layers[0]
    assert scaled.activation_gradient[0] == pytest.approx(0.00023, rel=0.05)
    assert scaled.activation_gradient[2] == pytest.approx(0.001, rel=0.05)
    assert scaled.activation_gradient[1] > 0.2  # neuron 1 is not saturated
    largest = [max(abs(g) for g in row) for row in scaled.gradients]
    assert 2500 < largest[1] / largest[0] < 3500  # 'about 3,000'
    assert 700 < largest[1] / largest[2] < 900  # 'about 800'


def test_a_backward_pass_costs_about_what_a_forward_pass_does_and_central_differences_2p():
    """'it costs about two forward passes whatever P is' and central differences '2P', counted in
    the lesson (and timed in lesson 11): CPU time, with margins of a factor 2 to 3 either way."""
    ratios = []
    for width in (4, 16):
        mlp = MLP([2, width, width, 1], seed=0)
        parameters = sum(len(n.weights) + 1 for layer in mlp.layers for n in layer.neurons)
        seconds = gradient_costs(mlp, INPUTS, LABELS)
        forward, backward, numerical = (seconds[k] for k in ("forward", "backward", "numerical"))
        assert 0.3 < backward / forward < 4
        assert parameters < numerical / forward < 6 * parameters
        ratios.append(numerical / (forward + backward))
    assert ratios[1] > 3 * ratios[0]  # P grows 9-fold: backprop's advantage grows with it


def test_gradient_costs_times_each_pass_and_leaves_no_gradient_behind():
    mlp = lesson_network()
    seconds = gradient_costs(mlp, INPUTS, LABELS)
    assert set(seconds) == {"forward", "backward", "numerical"}
    assert all(value > 0 for value in seconds.values())
    assert all(n.gradients == [0.0] * len(n.weights) for lay in mlp.layers for n in lay.neurons)


def test_the_check_passes_right_networks_and_rejects_the_notes_derivative():
    """'below 1e-7 ✓' for the four networks; 'worst relative error 1.2', far above 1e-2"""
    broken = lesson_network()
    for layer in broken.layers:
        for neuron in layer.neurons:
            neuron.delta_act = lambda z: z * sigmoid(z) * (1 - sigmoid(z))
    assert gradient_check(broken, INPUTS, LABELS) == pytest.approx(1.2, abs=0.05)
    assert gradient_check(lesson_network(), INPUTS, LABELS) < 1e-7


def test_a_kink_fails_the_check_by_the_predicted_amount():
    """'a relative error of 1 − (z + ε)/2ε, or 0.375 at z = ε/4'; '10⁻³ passes'"""
    relu_net = MLP([2, 4, 1], activation="relu", output_activation="identity", seed=0)
    x, y = [0.5, -1.0], [0.3]
    relu_net.forward(x)
    neuron = relu_net.layers[0].neurons[0]
    without_bias = neuron.linear_activation - neuron.bias
    neuron.bias = EPSILON / 4 - without_bias
    assert gradient_check(relu_net, x, y) == pytest.approx(0.375, abs=0.001)
    neuron.bias = 1e-3 - without_bias
    assert gradient_check(relu_net, x, y) < 1e-6


def test_a_forgotten_bias_passes_at_the_start_and_fails_after_training():
    """'the lesson's network with the bug, checked on its example, trained 100 epochs on XOR':
    'invisible at the start and caught, above 10⁻², once the biases have moved'"""
    buggy = lesson_network()
    for layer in buggy.layers:
        for neuron in layer.neurons:
            neuron.delta_act = lambda z, n=neuron, right=neuron.delta_act: right(z - n.bias)
    assert gradient_check(buggy, INPUTS, LABELS) < 1e-6
    X, Y = datasets.xor()
    train(buggy, X, Y, epochs=100, batch_size=4, learning_rate=2.0, seed=0)
    assert gradient_check(buggy, INPUTS, LABELS) > 2e-2  # 8e-2 in the lesson
    biases = [neuron.bias for layer in buggy.layers for neuron in layer.neurons]
    assert max(abs(b) for b in biases) > 0.1  # 'once the biases have moved


def test_3blue1brown_s_gradients_are_n_times_ours():
    """'every derivative of C₀ is n times ours', with n = 3"""
    wide = MLP([2, 4, 3], activation="sigmoid", seed=5)
    x, y = [0.3, -0.7], [0.0, 1.0, 0.5]
    ours = backward_trace(wide, x, y)
    wide.zero_grad()
    outputs = wide.forward(x)
    wide.backward([2 * (a - label) for a, label in zip(outputs, y)])
    theirs = [g for layer in wide.layers for n in layer.neurons for g in n.gradients]
    ratios = [t / o for t, o in zip(theirs, ours.values("gradients"))]
    assert ratios == pytest.approx([3.0] * len(ratios), rel=1e-12)
    assert mse_loss_gradient(outputs, y) == pytest.approx(
        [2 * (a - label) / 3 for a, label in zip(outputs, y)]
    )


def test_times_3_and_30_saturate_neurons_0_and_2_further_behind_neuron_1():
    """'Try it: add the example times 3 and times 30 to the loop: σ' of neurons 0 and 2 falls
    further, and their gradients fall further behind neuron 1's.'"""
    mlp = lesson_network()
    slopes, behind = [], []
    for scale in (1, 3, 10, 30):
        first = backward_trace(mlp, [1.0 * scale, -0.5 * scale], LABELS).layers[0]
        largest = [max(abs(g) for g in row) for row in first.gradients]
        slopes.append([first.activation_gradient[j] for j in (0, 2)])
        behind.append(min(largest[1] / max(largest[j], 1e-300) for j in (0, 2)))
    for before, after in zip(slopes, slopes[1:]):
        assert all(b < a for a, b in zip(before, after))
    assert all(b > a for a, b in zip(behind, behind[1:]))
