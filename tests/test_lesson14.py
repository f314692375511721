"""What lesson 14's prose says about its numbers, checked where PyTorch is installed.

The lesson's comparisons are repeated here, independently of the notebook: lesson 13's network in
`torch.nn`, started from our first weights and fed our batches, against `VectorizedMLP` and
`train_classifier`. Each sentence under an output is checked, with a margin where it rounds, and
each comparison is shown to fail on a run that is not the same. Without PyTorch those tests are
skipped (`pytest.importorskip`), as the lesson's nbval run is (conftest.py); the tests of what the
lesson tells a learner to install run everywhere.
"""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from bp_lessons import datasets
from bp_lessons.autograd import Value
from bp_lessons.losses import cross_entropy_gradient, cross_entropy_loss
from bp_lessons.training import accuracy, iterate_minibatches, train_classifier
from bp_lessons.vectorized import VectorizedMLP

pytestmark = pytest.mark.lesson14

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "notebooks" / "14_pytorch.ipynb"
SIZES, BATCH_SIZE, LEARNING_RATE, EPOCHS = [64, 30, 10], 10, 1.0, 19  # lesson 13's choice
SAME = 1e-10


def markdown(path: Path = LESSON) -> str:
    cells = nbformat.read(path, as_version=4).cells
    return re.sub(r"\s+", " ", "\n".join(c.source for c in cells if c.cell_type == "markdown"))


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


@pytest.fixture(scope="module")
def data():
    X, Y = datasets.digits()
    return datasets.split(X, Y, validation=360, test=360, seed=0)


def ours():
    return VectorizedMLP(SIZES, activation="sigmoid", output_activation="identity", seed=0)


def pytorch_model(torch, dtype="double"):
    """Lesson 13's network in torch.nn, started from our first weights."""
    from torch import nn

    model = nn.Sequential(nn.Linear(64, 30), nn.Sigmoid(), nn.Linear(30, 10))
    model = model.double() if dtype == "double" else model
    with torch.no_grad():
        for linear, layer in zip([model[0], model[2]], ours().layers):
            linear.weight.copy_(torch.from_numpy(layer.W))
            linear.bias.copy_(torch.from_numpy(layer.b))
    return model


def pytorch_training(torch, X, Y, seed=0, zero_grad=True):
    """The lesson's PyTorch loop; the mean loss of each epoch, the model, the number of steps."""
    model = pytorch_model(torch)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    rng, losses, steps = np.random.default_rng(seed), [], 0
    for _ in range(EPOCHS):
        total = 0.0
        for X_batch, Y_batch in iterate_minibatches(X, Y, BATCH_SIZE, seed=rng):
            Z = model(torch.from_numpy(X_batch))
            loss = torch.nn.functional.cross_entropy(Z, torch.from_numpy(Y_batch))
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(X_batch)
            steps += 1
        losses.append(total / len(X))
    return losses, model, steps


@pytest.fixture(scope="module")
def trained(torch, data):
    (X_train, Y_train), _, _ = data
    losses, model, steps = pytorch_training(torch, X_train, Y_train)
    network = ours()
    our_losses = train_classifier(
        network, X_train, Y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, learning_rate=LEARNING_RATE
    )
    return losses, model, steps, our_losses, network


def largest_difference(model, network) -> float:
    arrays = [array for layer in network.layers for array in (layer.W, layer.b)]
    return max(np.abs(p.detach().numpy() - a).max() for p, a in zip(model.parameters(), arrays))


# --- Value and a tensor ----------------------------------------------------------------------
def test_value_and_pytorch_give_the_same_expression_and_gradients(torch):
    x, w = Value(0.5), Value(-1.5)
    y = (x * w + x).tanh()
    y.backward()
    x_t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    w_t = torch.tensor(-1.5, dtype=torch.float64, requires_grad=True)
    y_t = torch.tanh(x_t * w_t + x_t)
    y_t.backward()
    assert y_t.item() == pytest.approx(y.data, rel=1e-14) == pytest.approx(-0.244919, abs=1e-6)
    assert x_t.grad.item() == pytest.approx(x.grad, rel=1e-12)
    assert w_t.grad.item() == pytest.approx(w.grad, rel=1e-12)
    assert abs(x.grad) > 0.1  # x is used twice: a gradient that would miss a path is far off
    assert x.grad == pytest.approx((1 - y.data**2) * (w.data + 1), rel=1e-12)
    assert type(y_t.grad_fn).__name__ == "TanhBackward0"
    assert type(y_t.grad_fn.next_functions[0][0]).__name__ == "AddBackward0"


# --- the network, the loss at chance and the recorded graph ----------------------------------
def test_the_network_has_our_2260_weights_in_four_tensors(torch):
    model = pytorch_model(torch)
    assert [tuple(p.shape) for p in model.parameters()] == [(30, 64), (30,), (10, 30), (10,)]
    assert sum(p.numel() for p in model.parameters()) == 2260
    assert "2,260 weights and biases" in markdown()


def test_the_untrained_loss_and_logits_are_ours(torch, data):
    (X_train, Y_train), _, _ = data
    model = pytorch_model(torch)
    Z = model(torch.from_numpy(X_train))
    loss = torch.nn.functional.cross_entropy(Z, torch.from_numpy(Y_train)).item()
    Z_ours = ours().forward(X_train)
    assert np.abs(Z.detach().numpy() - Z_ours).max() < SAME and Z_ours.size == 10770
    assert loss == pytest.approx(cross_entropy_loss(Z_ours, Y_train), abs=SAME)
    assert round(loss, 4) == 2.4140 and abs(loss - math.log(10)) < 0.25
    assert "untrained loss, 2.4140" in markdown() and "10,770 logits" in markdown()


def test_the_recorded_chain_is_the_one_the_lesson_reads(torch, data):
    (X_train, Y_train), _, _ = data
    model = pytorch_model(torch)
    loss = torch.nn.functional.cross_entropy(
        model(torch.from_numpy(X_train[:10])), torch.from_numpy(Y_train[:10])
    )
    node, recorded = loss.grad_fn, []
    while node is not None:
        recorded.append(type(node).__name__)
        inputs = [f for f, _ in node.next_functions if f is not None]
        node = next((f for f in inputs if type(f).__name__ != "AccumulateGrad"), None)
    assert recorded == [
        "DivBackward1",
        "NegBackward0",
        "SumBackward0",
        "MulBackward0",
        "LogSoftmaxBackward0",
        "AddmmBackward0",
        "SigmoidBackward0",
        "AddmmBackward0",
        "TBackward0",
    ]
    for name in ("DivBackward1", "AddmmBackward0", "TBackward0", "AccumulateGrad"):
        assert name in markdown(), name


# --- one backward pass -----------------------------------------------------------------------
def one_batch_gradients(torch, X, Y, model):
    model.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(Y))
    loss.backward()
    return [p.grad.numpy().copy() for p in model.parameters()]


def test_one_batch_gives_our_2260_gradients_and_a_second_backward_adds(torch, data):
    (X_train, Y_train), _, _ = data
    X, Y = X_train[:10], Y_train[:10]
    network = ours()
    Z = network.forward(X)
    network.backward(cross_entropy_gradient(Z, Y))
    our_gradients = [array for layer in network.layers for array in (layer.dW, layer.db)]
    model = pytorch_model(torch)
    gradients = one_batch_gradients(torch, X, Y, model)
    assert sum(g.size for g in gradients) == 2260
    for gradient, our in zip(gradients, our_gradients):
        assert np.abs(our).max() > 1e-3  # not trivially equal
        np.testing.assert_allclose(gradient, our, rtol=0, atol=SAME)
    loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(Y))
    loss.backward()  # no zero_grad()
    for parameter, gradient in zip(model.parameters(), gradients):
        np.testing.assert_allclose(parameter.grad.numpy(), 2 * gradient, rtol=0, atol=SAME)
    # and the comparison would see a gradient taken on other digits
    other = one_batch_gradients(torch, X_train[10:20], Y_train[10:20], pytorch_model(torch))
    assert not np.allclose(other[0], our_gradients[0], rtol=0, atol=1e-6)


def test_optimizer_zero_grad_sets_grad_to_none_which_backward_treats_as_0(torch, data):
    (X_train, Y_train), _, _ = data
    model = pytorch_model(torch)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    first = one_batch_gradients(torch, X_train[:10], Y_train[:10], model)
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    loss = torch.nn.functional.cross_entropy(
        model(torch.from_numpy(X_train[:10])), torch.from_numpy(Y_train[:10])
    )
    loss.backward()
    for parameter, gradient in zip(model.parameters(), first):
        np.testing.assert_allclose(parameter.grad.numpy(), gradient, rtol=0, atol=SAME)
    assert "sets `.grad` to `None`" in markdown()


def test_a_second_backward_through_one_graph_needs_retain_graph(torch, data):
    (X_train, Y_train), _, _ = data
    model = pytorch_model(torch)
    X, Y = torch.from_numpy(X_train[:10]), torch.from_numpy(Y_train[:10])
    loss = torch.nn.functional.cross_entropy(model(X), Y)
    loss.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()
    loss = torch.nn.functional.cross_entropy(model(X), Y)
    loss.backward(retain_graph=True)
    loss.backward()  # allowed now
    assert "retain_graph=True" in markdown()


# --- training --------------------------------------------------------------------------------
def test_19_epochs_on_our_batches_give_our_losses_and_weights(trained):
    losses, model, steps, our_losses, network = trained
    assert len(losses) == len(our_losses) == EPOCHS
    np.testing.assert_allclose(losses, our_losses, rtol=0, atol=SAME)
    assert largest_difference(model, network) < SAME
    assert steps == 2052 == EPOCHS * 108
    assert round(losses[0], 4) == 1.4398 and round(losses[-1], 4) == 0.0217
    text = markdown()
    assert "from 1.4398 in the first epoch to 0.0217" in text
    assert "after 2,052 steps (108 batches an epoch)" in text


def test_other_batches_or_no_zero_grad_would_not_end_on_our_weights(torch, data, trained):
    (X_train, Y_train), _, _ = data
    *_, network = trained
    _, shuffled_otherwise, _ = pytorch_training(torch, X_train, Y_train, seed=1)
    assert largest_difference(shuffled_otherwise, network) > 1e-3
    losses, piled_up, _ = pytorch_training(torch, X_train, Y_train, zero_grad=False)
    assert not np.isfinite(losses).all() or largest_difference(piled_up, network) > 1e-3


def test_the_trained_network_reads_the_validation_digits_as_ours(torch, data, trained):
    _, (X_val, Y_val), _ = data
    _, model, _, _, network = trained
    with torch.no_grad():
        answers = model(torch.from_numpy(X_val)).argmax(axis=1).numpy()
    assert np.array_equal(answers, network.forward(X_val).argmax(axis=1))
    assert np.mean(answers == Y_val.argmax(axis=1)) == accuracy(network, X_val, Y_val)
    assert round(accuracy(network, X_val, Y_val), 4) == 0.9639  # lesson 13's
    assert "0.9639, lesson 13's validation accuracy" in markdown()


def test_float32_agrees_to_four_decimals_but_not_to_1e_10(torch, data):
    (X_train, Y_train), _, _ = data
    model32 = pytorch_model(torch, dtype="float32")
    assert model32[0].weight.dtype == torch.float32
    loss32 = torch.nn.functional.cross_entropy(
        model32(torch.from_numpy(X_train).float()), torch.from_numpy(Y_train).float()
    ).item()
    difference = abs(loss32 - cross_entropy_loss(ours().forward(X_train), Y_train))
    assert 1e-9 < difference < 1e-5  # the lesson's 1e-10 and 1e-4, a factor 10 to spare
    assert round(loss32, 4) == 2.4140


# --- what the lesson tells a learner to install, and the skip where it is missing -------------
def pinned() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    extra = re.search(r'^torch = \["(torch==[^"]+)"\]$', text, re.M)
    assert extra, 'pyproject.toml\'s torch extra pins one version: torch = ["torch==X.Y.Z"]'
    return extra.group(1)


def test_the_lesson_says_how_to_install_the_pinned_torch_in_markdown_and_never_runs_it():
    assert pinned() == "torch==2.13.0"  # the CPU build on this machine's disk; never looser
    text = markdown().replace("`", "")
    assert f"pip install {pinned()}" in text
    assert "pip install -e '.[torch]'" in text
    cells = nbformat.read(LESSON, as_version=4).cells
    for cell in cells:
        if cell.cell_type == "code":  # the command only in the error a missing torch raises
            source = re.sub(r"raise ModuleNotFoundError\(.*?\n    \)", "", cell.source, flags=re.S)
            assert "torch==" not in source and "pip install torch" not in source
            assert not re.search(r"^\s*[%!]", cell.source, re.M), "a shell command in a cell"
    assert "import torch" in cells[2].source  # the first cell after the install cell
    assert f"pip install {pinned()} --index-url" in cells[2].source.replace('"\n        "', "")


def test_lesson_13_links_to_this_lesson():
    assert "(14_pytorch.ipynb)" in markdown(ROOT / "notebooks" / "13_classification.ipynb")


def test_without_torch_the_lesson_is_skipped_with_a_reason_not_failed(tmp_path):
    # torch hidden from this Python (find_spec gives None), then pytest on the notebook
    code = (
        "import sys; sys.modules['torch'] = None; import pytest; "
        f"sys.exit(pytest.main(['-p', 'no:xdist', '-p', 'no:cacheprovider', '-rs', '-q', "
        f"{str(LESSON)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ skipped", result.stdout) and "passed" not in result.stdout
    assert "14_pytorch.ipynb needs torch, not installed here" in result.stdout


def test_without_torch_the_setup_cell_says_how_to_install_it(monkeypatch):
    """Run by hand where torch is missing, the lesson stops at once with the command that gets
    the CPU build, not with a bare ModuleNotFoundError from `import torch`."""
    cells = json.loads(LESSON.read_text(encoding="utf-8"))["cells"]
    (setup,) = [c for c in cells if "torch.set_num_threads" in "".join(c["source"])]
    monkeypatch.setitem(sys.modules, "torch", None)  # find_spec("torch") now gives None
    expected = r"pip install torch==2\.13\.0 --index-url https://download\.pytorch\.org/whl/cpu"
    with pytest.raises(ModuleNotFoundError, match=expected):
        exec("".join(setup["source"]), {})
