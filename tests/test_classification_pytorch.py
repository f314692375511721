"""Lesson 13's pointer to PyTorch, checked where PyTorch is installed: the network it names,
`nn.Sequential(nn.Linear(64, 30), nn.Sigmoid(), nn.Linear(30, 10)).double()`, started from our
first weights, takes one SGD step on the cross-entropy and must give our loss, gradients and
stepped weights to 1e-12, as the lesson says.

PyTorch is not a dependency of the series (`pip install torch==2.13.0`, the CPU build, or the
`bench` extra); without it these tests are skipped.
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from bp_lessons import datasets
from bp_lessons.losses import cross_entropy_gradient, cross_entropy_loss
from bp_lessons.vectorized import VectorizedMLP

pytestmark = pytest.mark.lesson13

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "notebooks" / "13_classification.ipynb"
SIZES, LEARNING_RATE = [64, 30, 10], 0.5


def pytorch_step(scale_gradient=1.0):
    """The lesson's PyTorch network from our first weights, one step on the first 10 digits:
    the loss, then every gradient and every weight after the step (W1, b1, W2, b2)."""
    torch = pytest.importorskip("torch")
    from torch import nn

    X, Y = datasets.digits()
    ours = VectorizedMLP(SIZES, activation="sigmoid", output_activation="identity", seed=0)
    model = nn.Sequential(nn.Linear(64, 30), nn.Sigmoid(), nn.Linear(30, 10)).double()
    with torch.no_grad():  # nn.Linear's weight is (out, in), as our W
        for linear, layer in zip([model[0], model[2]], ours.layers):
            linear.weight.copy_(torch.from_numpy(layer.W))
            linear.bias.copy_(torch.from_numpy(layer.b))
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    Z = model(torch.from_numpy(X[:10]))  # the logits: no softmax in the network
    loss = nn.functional.cross_entropy(Z, torch.from_numpy(Y[:10]))  # softmax inside, batch mean
    optimizer.zero_grad()
    (scale_gradient * loss).backward()
    gradients = [p.grad.numpy().copy() for p in model.parameters()]
    optimizer.step()
    return loss.item(), gradients, [p.detach().numpy().copy() for p in model.parameters()]


def our_step():
    X, Y = datasets.digits()
    ours = VectorizedMLP(SIZES, activation="sigmoid", output_activation="identity", seed=0)
    Z = ours.forward(X[:10])
    loss = cross_entropy_loss(Z, Y[:10])
    ours.zero_grad()
    ours.backward(cross_entropy_gradient(Z, Y[:10]))
    gradients = [array.copy() for layer in ours.layers for array in (layer.dW, layer.db)]
    ours.step(LEARNING_RATE)
    return loss, gradients, [array.copy() for layer in ours.layers for array in (layer.W, layer.b)]


def test_pytorch_gives_our_loss_gradients_and_step_to_1e_12():
    loss, gradients, weights = pytorch_step()
    our_loss, our_gradients, our_weights = our_step()
    assert loss == pytest.approx(our_loss, rel=1e-12)
    assert len(gradients) == len(our_gradients) == 4
    for gradient, ours in zip(gradients, our_gradients):
        assert np.abs(ours).max() > 1e-3  # not trivially equal
        np.testing.assert_allclose(gradient, ours, rtol=0, atol=1e-12)
    for weight, ours in zip(weights, our_weights):
        np.testing.assert_allclose(weight, ours, rtol=0, atol=1e-12)


def test_the_comparison_would_catch_a_gradient_without_the_1_over_b():
    _, gradients, _ = pytorch_step(scale_gradient=10.0)  # the sum over the batch, not the mean
    _, our_gradients, _ = our_step()
    assert not np.allclose(gradients[0], our_gradients[0], rtol=0, atol=1e-6)


def test_the_lesson_names_what_is_checked_here_and_the_pinned_version():
    text = "\n".join(
        c.source for c in nbformat.read(LESSON, as_version=4).cells if c.cell_type == "markdown"
    )
    for name in (
        "nn.Sequential(nn.Linear(64, 30), nn.Sigmoid(),",
        "nn.functional.cross_entropy(Z, Y)",
        "loss.backward()",
        "torch.optim.SGD",
        ".double()",
    ):
        assert name in re.sub(r"\s+", " ", text), name
    # how to install the pinned build is lesson 14's to say (tests/test_lesson14.py holds it)
    assert "Lesson 14 says how to install PyTorch" in re.sub(r"\s+", " ", text)


def test_exercise_13_3s_weighted_binary_cross_entropy_is_pytorchs_pos_weight():
    torch = pytest.importorskip("torch")
    from bp_lessons.exercises import classification as ex

    for args in ex.q3.cases(seed=3):
        Z = torch.tensor(args["Z"], dtype=torch.float64, requires_grad=True)
        Y, w = torch.tensor(args["Y"], dtype=torch.float64), args["w"]
        loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(w), reduction="sum")
        (loss_of(Z, Y) / len(Z)).backward()  # the sum over outputs, the mean over the batch
        ours = ex.binary_cross_entropy_gradient(np.array(args["Z"]), np.array(args["Y"]), w)
        np.testing.assert_allclose(Z.grad.numpy(), ours, rtol=1e-12, atol=1e-15)


def test_lesson_13s_chosen_network_trained_in_pytorch_on_our_batches_ends_on_our_weights():
    # the core of a PyTorch lesson: 19 epochs at learning rate 1 (lesson 13's choice on
    # validation), PyTorch's loop fed the batches `train_classifier` cuts, in the same order
    torch = pytest.importorskip("torch")
    from torch import nn

    from bp_lessons.training import accuracy, iterate_minibatches, train_classifier

    torch.set_num_threads(1)
    X, Y = datasets.digits()
    (X_train, Y_train), (X_val, Y_val), _ = datasets.split(X, Y, validation=360, test=360, seed=0)
    ours = VectorizedMLP(SIZES, activation="sigmoid", output_activation="identity", seed=0)
    model = nn.Sequential(nn.Linear(64, 30), nn.Sigmoid(), nn.Linear(30, 10)).double()
    with torch.no_grad():
        for linear, layer in zip([model[0], model[2]], ours.layers):
            linear.weight.copy_(torch.from_numpy(layer.W))
            linear.bias.copy_(torch.from_numpy(layer.b))
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    rng = np.random.default_rng(0)  # one generator: a new shuffle every epoch, as ours
    for _ in range(19):
        for X_batch, Y_batch in iterate_minibatches(X_train, Y_train, 10, seed=rng):
            Z = model(torch.from_numpy(X_batch))
            loss = nn.functional.cross_entropy(Z, torch.from_numpy(Y_batch))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    train_classifier(ours, X_train, Y_train, epochs=19, batch_size=10, learning_rate=1.0)
    arrays = [array for layer in ours.layers for array in (layer.W, layer.b)]
    for parameter, array in zip(model.parameters(), arrays):
        np.testing.assert_allclose(parameter.detach().numpy(), array, rtol=0, atol=1e-10)
    with torch.no_grad():
        answers = model(torch.from_numpy(X_val)).argmax(axis=1).numpy()
    assert np.mean(answers == Y_val.argmax(axis=1)) == accuracy(ours, X_val, Y_val)
    assert accuracy(ours, X_val, Y_val) == pytest.approx(0.9639, abs=1e-4)  # lesson 13's
