"""What lesson 11's prose says about its own numbers, recomputed: the four paths of the skip
connection, a network of Values that trains step for step like MLP, and the cost of a backward
pass (timings with margins of a factor of several, so that any machine passes)."""

from pathlib import Path

import numpy as np
import pytest

from bp_lessons import MLP, datasets
from bp_lessons.autograd import Value
from bp_lessons.backward_trace import cpu_seconds
from bp_lessons.gradcheck import numerical_gradient
from bp_lessons.plotting import model_outputs
from bp_lessons.training import iterate_minibatches, parameter_vector, train

pytestmark = pytest.mark.lesson11


# the lesson's network of Values, as its cells write it
def value_network(mlp):
    return [
        [([Value(w) for w in n.weights], Value(n.bias), n.activation) for n in layer.neurons]
        for layer in mlp.layers
    ]


def value_forward(network, inputs):
    activations = inputs
    for layer in network:
        sums = [sum((w * a for w, a in zip(weights, activations)), b) for weights, b, _ in layer]
        activations = [getattr(z, act)() for z, (_, _, act) in zip(sums, layer)]
    return activations


def value_loss(outputs, labels):
    return sum((a - y) ** 2 for a, y in zip(outputs, labels)) / len(labels)


def paths(node, leaf):
    """Every path from node down to leaf through `_prev`, as the product of its local derivatives
    (a Value used twice by one operation is two arrows, so two paths)."""
    if node is leaf:
        return [1.0]
    return [
        local * rest
        for child, local in zip(node._prev, node._local_grads)
        for rest in paths(child, leaf)
    ]


def skip_connection(x_data, w_data):
    x, w = Value(x_data), Value(w_data)
    h = (w * x).tanh()
    y = h + x
    return x, w, h, y, y * y


def test_x_has_four_paths_to_l_and_its_gradient_is_their_sum():
    """'four paths from x to L'; 'the skip (2 paths) +4.6673, through tanh (2 paths) +1.1389'"""
    x, w, h, y, L = skip_connection(1.5, 0.8)
    L.backward()
    found = paths(L, x)
    assert len(found) == 4
    assert sum(found) == pytest.approx(x.grad, rel=1e-15)
    through_tanh = y.data * (1 - h.data**2) * w.data  # ∂L/∂y along one arrow, then tanh, then wx
    assert sorted(found) == pytest.approx(sorted([through_tanh] * 2 + [y.data] * 2), rel=1e-14)
    assert 2 * y.data == pytest.approx(4.6673, abs=1e-4)
    assert 2 * y.data * (1 - h.data**2) * w.data == pytest.approx(1.1389, abs=1e-4)
    slope = numerical_gradient(lambda t: skip_connection(t, 0.8)[-1].data, 1.5)
    assert x.grad == pytest.approx(slope, rel=1e-8)
    assert len(paths(L, w)) == 2  # w: through tanh only, then both arrows into y·y


def train_both(epochs=30):
    X, Y = datasets.moons(n=100, noise=0.1, seed=0)
    mlp = MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", seed=0)
    network = value_network(mlp)
    parameters = [v for layer in network for weights, bias, _ in layer for v in weights + [bias]]
    rng, value_losses, mlp_losses = np.random.default_rng(0), [], []
    for _ in range(epochs):
        for X_batch, Y_batch in iterate_minibatches(X.tolist(), Y.tolist(), 10, seed=rng):
            examples = zip(X_batch, Y_batch)
            loss = sum(value_loss(value_forward(network, x), y) for x, y in examples) / 10
            for v in parameters:
                v.grad = 0.0
            loss.backward()
            for v in parameters:
                v.data -= 2.0 * v.grad
            value_losses.append(loss.data)
            mlp_losses += train(mlp, X_batch, Y_batch, epochs=1, batch_size=10, learning_rate=2.0)
    return X, Y, mlp, parameters, value_losses, mlp_losses


def test_the_network_of_values_takes_the_steps_of_mlp():
    """'at every one of the 300 steps the two engines compute the same loss, to rounding, and end
    with the same weights'; 'falls from about 0.2 in the first epoch to about 0.01 in the last';
    'the boundary bends between the moons'"""
    X, Y, mlp, parameters, value_losses, mlp_losses = train_both()
    assert len(value_losses) == len(mlp_losses) == 300
    assert max(abs(a - b) for a, b in zip(value_losses, mlp_losses)) < 1e-12
    mlp_parameters = parameter_vector(mlp)
    assert max(abs(v.data - p) for v, p in zip(parameters, mlp_parameters)) < 1e-12
    assert 0.15 < np.mean(value_losses[:10]) < 0.3
    assert 0.005 < np.mean(value_losses[-10:]) < 0.02
    predictions = model_outputs(mlp, X)[:, 0] > 0.5
    assert np.mean(predictions == (Y[:, 0] > 0.5)) >= 0.95


def test_tracking_would_notice_a_different_step():
    """The comparison can fail: a Value network stepping at another rate parts from MLP."""
    X, Y = datasets.moons(n=20, noise=0.1, seed=0)
    mlp = MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", seed=0)
    network = value_network(mlp)
    parameters = [v for layer in network for weights, bias, _ in layer for v in weights + [bias]]
    loss = sum(value_loss(value_forward(network, x), y) for x, y in zip(X.tolist(), Y.tolist()))
    (loss / 20).backward()
    for v in parameters:
        v.data -= 2.1 * v.grad  # not 2.0
    train(mlp, X, Y, epochs=1, batch_size=20, learning_rate=2.0)
    mlp_parameters = parameter_vector(mlp)
    assert max(abs(v.data - p) for v, p in zip(parameters, mlp_parameters)) > 1e-6


def test_a_backward_pass_of_values_costs_about_two_forward_passes():
    """'Here too a backward pass costs about two forward passes at every size': CPU time, margin
    wide."""
    inputs, labels = [1.0, -0.5], [0.0]
    for width in (4, 16):
        network = value_network(MLP([2, width, width, 1], seed=0))

        def forward(network=network):
            return value_loss(value_forward(network, inputs), labels)

        ratio = cpu_seconds(forward().backward) / cpu_seconds(forward)
        assert 0.5 < ratio < 6


def test_the_engine_is_about_170_lines():
    """'About 170 lines of `autograd.py` ... are a complete deep-learning library'."""
    import bp_lessons.autograd

    lines = Path(bp_lessons.autograd.__file__).read_text().splitlines()
    assert 150 <= len(lines) <= 190


def test_pytorch_needs_retain_graph_for_a_second_backward():
    """'backward() frees what the graph saved; a second one then needs
    backward(retain_graph=True) the first time' (the table), and 'its backward() frees what the
    operations saved for it (× its inputs, tanh its output): a second call on such a graph raises
    an error unless the first was backward(retain_graph=True)'; a bare sum saves nothing. Skipped
    where PyTorch is not installed."""
    torch = pytest.importorskip("torch")
    x = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    y = (x * x).tanh()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    x.grad = None
    y = (x * x).tanh()
    y.backward(retain_graph=True)
    y.backward()
    ours = Value(1.5)
    out = (ours * ours).tanh()
    out.backward()
    out.backward()  # the Value graph stays: the leaves' gradients add up, as PyTorch's do
    assert float(x.grad) == pytest.approx(ours.grad, rel=1e-12)
    for saves in (lambda t: t * 3.0, torch.tanh):  # × keeps its inputs, tanh its output
        y = saves(x)
        y.backward()
        with pytest.raises(RuntimeError, match="retain_graph"):
            y.backward()
    y = x + 2.0  # saves nothing: a second backward() goes through
    y.backward()
    y.backward()
