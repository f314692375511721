"""The PyTorch program lesson 13 shows, run where PyTorch is installed: it must give our loss,
gradients and stepped weights, and print what the lesson's own cell printed.

The lesson shows the program as text (PyTorch is not a dependency of the series); this test
takes that very text out of the notebook, so the code a learner reads is the code checked.
"""

import contextlib
import io
from pathlib import Path

import nbformat
import numpy as np
import pytest

from bp_lessons import datasets
from bp_lessons.losses import cross_entropy_gradient, cross_entropy_loss
from bp_lessons.vectorized import VectorizedMLP

pytestmark = pytest.mark.lesson13

LESSON = Path(__file__).resolve().parent.parent / "notebooks" / "13_classification.ipynb"


def tagged(tag):
    (cell,) = [
        c for c in nbformat.read(LESSON, as_version=4).cells if tag in c.metadata.get("tags", [])
    ]
    return cell


def shown_program():
    """The code of the lesson's PyTorch block, between its ```python fences."""
    source = tagged("pytorch").source
    assert source.startswith("```python\n") and source.endswith("\n```")
    return source[len("```python\n") : -len("\n```")]


@pytest.fixture(scope="module")
def shown_run():
    """What the shown program leaves behind (its variables) and what it prints."""
    pytest.importorskip("torch")
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(shown_program(), "lesson 13, the PyTorch block", "exec"), namespace)
    return namespace, printed.getvalue()


@pytest.fixture(scope="module")
def our_step():
    """The lesson's own step: the loss, then every gradient and every weight after the step,
    in PyTorch's order of parameters (W1, b1, W2, b2)."""
    X, Y = datasets.digits()
    ours = VectorizedMLP([64, 30, 10], activation="sigmoid", output_activation="identity", seed=0)
    Z = ours.forward(X[:10])
    loss = cross_entropy_loss(Z, Y[:10])
    ours.zero_grad()
    ours.backward(cross_entropy_gradient(Z, Y[:10]))
    gradients = [array.copy() for layer in ours.layers for array in (layer.dW, layer.db)]
    ours.step(0.5)
    weights = [array.copy() for layer in ours.layers for array in (layer.W, layer.b)]
    return loss, gradients, weights


def test_the_pytorch_program_gives_our_loss_gradients_and_step(shown_run, our_step):
    namespace, _ = shown_run
    loss, gradients, weights = our_step
    assert namespace["loss"].item() == pytest.approx(loss, rel=1e-12)
    parameters = list(namespace["model"].parameters())
    assert len(parameters) == len(gradients) == 4
    for parameter, gradient, weight in zip(parameters, gradients, weights):
        assert np.abs(gradient).max() > 1e-3  # not trivially equal
        np.testing.assert_allclose(parameter.grad.numpy(), gradient, rtol=0, atol=1e-12)
        np.testing.assert_allclose(parameter.detach().numpy(), weight, rtol=0, atol=1e-12)


def test_the_comparison_would_catch_a_gradient_without_the_1_over_b(shown_run, our_step):
    namespace, _ = shown_run
    _, gradients, _ = our_step
    grad = next(namespace["model"].parameters()).grad.numpy()
    assert not np.allclose(grad, 10 * gradients[0], rtol=0, atol=1e-6)


def test_the_pytorch_program_prints_what_the_lessons_cell_printed(shown_run):
    _, printed = shown_run
    ours = tagged("pytorch-ours")
    committed = "".join(o.get("text", "") for o in ours.outputs if o.output_type == "stream")
    assert printed == committed
    assert printed.startswith("loss ") and printed.count("layer ") == 2


def test_the_lesson_shows_the_program_and_our_cell_runs_the_same_step():
    program = shown_program()
    for line in ("nn.functional.cross_entropy(Z, Y_batch)", "loss.backward()", "lr=0.5"):
        assert line in program
    ours = tagged("pytorch-ours").source
    assert "cross_entropy_gradient(Z, Y_batch)" in ours and "ours.step(0.5)" in ours


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
