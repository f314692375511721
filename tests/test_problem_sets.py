"""Every number of the pen-and-paper problem sets (instructor/problems/NN_*.md) is right.

Each problem, a `## Problem N.k` section, ends its worked solution with a block

    ```{code-block} python
    :caption: ...
    name = 0.6225
    ```

that lists the numbers the solution states. This test recomputes each of them with bp_lessons
(the neurons, layers, losses and engine of the lessons, not a copy of the arithmetic) and fails
when a stated number is off by more than half a unit of its last written digit, when a problem
states a number this test does not compute or the other way round, and when a number of the block
is not written in the problem's own text (so the prose and the checked block cannot drift apart).
"""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from bp_lessons import datasets
from bp_lessons.activations import sigmoid, sigmoid_derivative, softmax, tanh_derivative
from bp_lessons.autograd import Value
from bp_lessons.backward_trace import transposed_product
from bp_lessons.gradcheck import numerical_gradient, relative_error
from bp_lessons.initialization import glorot, he, lecun
from bp_lessons.layer import Layer
from bp_lessons.losses import (
    cross_entropy_gradient,
    cross_entropy_loss,
    mse_loss,
    mse_loss_gradient,
)
from bp_lessons.mlp import MLP
from bp_lessons.neuron import Neuron, neuron_forward
from bp_lessons.training import iterate_minibatches
from bp_lessons.vectorized import VectorizedMLP

PROBLEMS = Path(__file__).resolve().parent.parent / "instructor" / "problems"
SECTION = re.compile(r"^## Problem (\d+\.\d+)\b", re.M)
BLOCK = re.compile(r"```\{code-block\} python\n((?::[^\n]*\n)*)\n?(.*?)```", re.S)
ASSIGNMENT = re.compile(r"^(\w+) = (-?[0-9][0-9.e+-]*)\s*(?:#.*)?$")


def neuron(weights, bias, activation="sigmoid") -> Neuron:
    n = Neuron(len(weights), activation)
    n.weights, n.bias = list(weights), bias
    return n


def chain(w1, b1, w2, b2) -> MLP:
    """x → a1 → a2, one sigmoid neuron per layer (lessons 06 and 07)."""
    mlp = MLP([1, 1, 1])
    mlp.layers[0].neurons[0].weights, mlp.layers[0].neurons[0].bias = [w1], b1
    mlp.layers[1].neurons[0].weights, mlp.layers[1].neurons[0].bias = [w2], b2
    return mlp


def parameters(sizes) -> int:
    mlp = MLP(sizes)
    return sum(len(n.weights) + 1 for layer in mlp.layers for n in layer.neurons)


# ---- the numbers, recomputed ---------------------------------------------------------------


def p1_1():
    return {"z": 0.5 * 1 - 0.25 * 2 + 0.1, "a": neuron_forward([1, 2], [0.5, -0.25], 0.1)}


def p1_2():
    return {
        "parameters": len(Neuron(64).weights) + 1,
        "zero_input_a": neuron_forward([0] * 64, [1.0] * 64, -2.0),
    }


def p1_3():
    return {
        "sigma_2": sigmoid(2.0),
        "sigma_minus_2": sigmoid(-2.0),
        "sigma_minus_1000": sigmoid(-1000.0),
    }


def p2_1():
    w0, w1, b = 2.0, -1.0, 0.5  # the line w0 x0 + w1 x1 + b = 0 solved for x1
    return {"slope": -w0 / w1, "intercept": -b / w1}


def p2_2():
    X, y = datasets.xor()
    predictions = [float(neuron_forward(x, [1.0, 1.0], -1.5) > 0.5) for x in X]
    X_and, y_and = datasets.and_gate()
    and_predictions = [float(neuron_forward(x, [1.0, 1.0], -1.5) > 0.5) for x in X_and]
    return {
        "and_accuracy": float(np.mean(np.array(and_predictions) == y_and.ravel())),
        "xor_accuracy": float(np.mean(np.array(predictions) == y.ravel())),
    }


def p2_3():
    return {"a_at_zero": sigmoid(0.0)}


def p3_1():
    gradient = mse_loss_gradient([0.8, 0.3], [1.0, 0.0])
    return {"L": mse_loss([0.8, 0.3], [1.0, 0.0]), "dL_da1": gradient[0], "dL_da2": gradient[1]}


def p3_2():
    right = mse_loss_gradient([0.8], [1.0])[0]
    without_two = (0.8 - 1.0) / 1
    numeric = numerical_gradient(lambda a: mse_loss([a], [1.0]), 0.8)
    return {
        "right": right,
        "without_two": without_two,
        "relative_error_without_two": relative_error(without_two, numeric),
    }


def p3_3():
    def f(x):
        return x**3

    forward = (f(1.1) - f(1.0)) / 0.1
    central = numerical_gradient(f, 1.0, epsilon=0.1)
    return {
        "forward": forward,
        "central": central,
        "forward_error": forward - 3,
        "central_error": central - 3,
    }


def p4_1():
    return {"slope_at_0": sigmoid_derivative(0.0), "slope_at_2": sigmoid_derivative(2.0)}


def p4_2():
    n = neuron([0.5, 0.25], 0.0)
    a = n.forward([1.0, -2.0])
    n.backward(2 * (a - 1.0))
    return {
        "z": n.linear_activation,
        "a": a,
        "dL_da": 2 * (a - 1.0),
        "delta": n.bias_gradient,
        "dL_dw1": n.gradients[0],
        "dL_dw2": n.gradients[1],
        "dL_db": n.bias_gradient,
    }


def p4_3():
    def notes(z):  # the notes' slope: an extra factor z
        return z * sigmoid_derivative(z)

    return {
        "notes_at_2": notes(2.0),
        "right_at_2": sigmoid_derivative(2.0),
        "notes_at_0": notes(0.0),
        "notes_at_minus_2": notes(-2.0),
    }


def p5_1():
    return {"small": parameters([3, 2]), "digits": parameters([64, 30])}


def p5_2():
    layer = Layer(2, 2)
    for n, w, b in zip(layer.neurons, [[1.0, -1.0], [0.5, 0.5]], [0.0, -0.5]):
        n.weights, n.bias = w, b
    a = layer.forward([1.0, 1.0])
    back = layer.backward([1.0, -1.0])
    d1, d2 = (n.bias_gradient for n in layer.neurons)
    return {
        "a1": a[0],
        "a2": a[1],
        "delta1": d1,
        "delta2": d2,
        "dL_di1": back[0],
        "dL_di2": back[1],
    }


def p5_3():
    return {"tanh_slope_at_0": tanh_derivative(0.0), "tanh_slope_at_1": tanh_derivative(1.0)}


def p6_1():
    return {"xor_net": parameters([2, 3, 1]), "digits_net": parameters([64, 30, 10])}


def p6_2():
    mlp = chain(2.0, -1.0, -1.0, 0.5)
    a2 = mlp.forward([1.0])[0]
    return {
        "z1": mlp.layers[0].neurons[0].linear_activation,
        "a1": mlp.layers[0].neurons[0].act(mlp.layers[0].neurons[0].linear_activation),
        "z2": mlp.layers[1].neurons[0].linear_activation,
        "a2": a2,
    }


def p6_3():
    mlp = MLP([2, 3, 1])
    for layer in mlp.layers:
        for n in layer.neurons:
            n.weights, n.bias = [0.0] * len(n.weights), 0.0
    outputs = [mlp.forward(x)[0] for x in datasets.xor()[0]]
    assert max(outputs) == min(outputs)
    return {"output": outputs[0]}


def p7_1():
    mlp = chain(2.0, -1.0, -1.0, 0.5)
    a2 = mlp.forward([1.0])[0]
    mlp.backward(mse_loss_gradient([a2], [1.0]))
    first, second = mlp.layers[0].neurons[0], mlp.layers[1].neurons[0]
    return {
        "delta2": second.bias_gradient,
        "dL_dw2": second.gradients[0],
        "delta1": first.bias_gradient,
        "dL_dw1": first.gradients[0],
    }


def p7_2():
    return {"gradient_entries": parameters([3, 4, 2])}


def p7_3():
    W, delta = [[1.0, 2.0], [3.0, 4.0]], [1.0, -1.0]
    right = transposed_product(W, delta)
    wrong = (np.array(W) @ np.array(delta)).tolist()
    return {"right1": right[0], "right2": right[1], "wrong1": wrong[0], "wrong2": wrong[1]}


def p7_4():
    def loss(w2):
        mlp = chain(2.0, -1.0, w2, 0.5)
        return mse_loss(mlp.forward([1.0]), [1.0])

    central = numerical_gradient(loss, -1.0, epsilon=0.01)
    return {
        "loss_plus": loss(-0.99),
        "loss_minus": loss(-1.01),
        "central": central,
        "relative_error": relative_error(p7_1()["dL_dw2"], central),
    }


def p8_1():
    n = neuron([0.5, 0.25], 0.0)
    before = mse_loss([n.forward([1.0, -2.0])], [1.0])
    n.backward(mse_loss_gradient([n.forward([1.0, -2.0])], [1.0])[0])
    n.step(0.5)
    after_a = n.forward([1.0, -2.0])
    return {
        "w1": n.weights[0],
        "w2": n.weights[1],
        "b": n.bias,
        "loss_before": before,
        "a_after": after_a,
        "loss_after": mse_loss([after_a], [1.0]),
    }


def p8_2():
    def run(rate, steps):
        w = 1.0
        for _ in range(steps):
            w -= rate * numerical_gradient(lambda v: v * v, w)
        return w

    return {
        "factor_01": 1 - 2 * 0.1,
        "factor_11": 1 - 2 * 1.1,
        "w_after_10_at_11": run(1.1, 10),
        "w_after_10_at_01": run(0.1, 10),
    }


def p8_3():
    n = neuron([0.5, 0.25], 0.0)
    for _ in range(2):  # the same example twice, no zero_grad between
        a = n.forward([1.0, -2.0])
        n.backward(mse_loss_gradient([a], [1.0])[0])
    return {"dL_dw1_summed": n.gradients[0]}


def p9_1():
    X, y = np.zeros((1000, 2)), np.zeros((1000, 1))
    sizes = [len(batch) for batch, _ in iterate_minibatches(X, y, 32, seed=0)]
    return {"batches": len(sizes), "last_batch": sizes[-1], "steps": 10 * len(sizes)}


def p9_2():
    n = neuron([1.0], 0.0, "identity")
    for x, label in [(1.0, 2.0), (2.0, 2.0)]:
        a = n.forward([x])
        n.backward(mse_loss_gradient([a], [label])[0] / 2)  # the mean over a batch of 2
    return {
        "dL_dw": n.gradients[0],
        "dL_db": n.bias_gradient,
        "w_after": 1.0 - 0.1 * n.gradients[0],
    }


def p9_3():
    return {"effective_rate": 32 * 0.5}


def p10_1():
    network = VectorizedMLP([64, 30, 10])
    per_example = sum(layer.W.size for layer in network.layers)
    return {"multiply_adds": 360 * per_example}


def p10_2():
    network = VectorizedMLP([2, 1])
    layer = network.layers[0]
    layer.W[:], layer.b[:] = 0.0, 0.0
    X, Y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0], [0.0]])
    Z = X @ layer.W.T + layer.b
    A = 1 / (1 + np.exp(-Z))
    dA = mse_loss_gradient(A, Y)
    dZ = dA * A * (1 - A)
    dW = dZ.T @ X
    return {
        "L": mse_loss(A, Y),
        "dZ1": dZ[0, 0],
        "dZ2": dZ[1, 0],
        "dW1": dW[0, 0],
        "dW2": dW[0, 1],
        "db": dZ.sum(),
    }


def p10_3():
    X = np.ones((360, 64))
    dZ = np.ones((360, 30))
    return {"wrong_rows": (X.T @ dZ).shape[0], "right_rows": (dZ.T @ X).shape[0]}


def p11_1():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    L = d * d
    L.backward()
    return {
        "c": c.data,
        "d": d.data,
        "L": L.data,
        "dL_dd": d.grad,
        "dL_da": a.grad,
        "dL_db": b.grad,
    }


def p11_2():
    w, x = Value(0.5), Value(1.0)
    h1 = (w * x).tanh()
    h2 = (w * h1).tanh()
    L = (h2 - 0.0) ** 2
    L.backward()
    return {"h1": h1.data, "h2": h2.data, "L": L.data, "dL_dw": w.grad}


def p11_3():
    a = Value(3.0)
    (a * a).backward()
    return {"right": a.grad, "overwritten": 3.0}


def p12_1():
    return {"bound_10_layers": 0.25**10}


def p12_2():
    def variance(v):  # E[z²] = n v (variance + mean²), inputs of mean 0.5 and variance 0.25
        return 64 * v * (0.25 + 0.5**2)

    return {
        "one_over_n": variance(lecun(64, 30)),
        "glorot": variance(glorot(64, 30)),
        "he": variance(he(64, 30)),
    }


def p12_3():
    mlp = MLP([2, 2, 1])
    for layer in mlp.layers:
        for n in layer.neurons:
            n.weights, n.bias = [0.3] * len(n.weights), 0.0
    a = mlp.forward([1.0, 0.0])
    mlp.backward(mse_loss_gradient(a, [1.0]))
    first, second = mlp.layers[0].neurons
    return {
        "difference": max(abs(g - h) for g, h in zip(first.gradients, second.gradients)),
        "dL_dw11": first.gradients[0],
    }


def p13_1():
    z, y = [1.0, 2.0, 3.0], [0.0, 0.0, 1.0]
    p = softmax(z)
    gradient = cross_entropy_gradient(z, y)
    return {
        "p1": p[0],
        "p2": p[1],
        "p3": p[2],
        "L": cross_entropy_loss(z, y),
        "g1": gradient[0],
        "g3": gradient[2],
    }


def p13_2():
    return {"chance": cross_entropy_loss([0.0] * 10, [1.0] + [0.0] * 9)}


def p13_3():
    z = -5.0
    a = sigmoid(z)
    mse = 2 * (a - 1) * sigmoid_derivative(z)
    cross_entropy = a - 1
    return {
        "a": a,
        "mse_slope": mse,
        "cross_entropy_slope": cross_entropy,
        "ratio": cross_entropy / mse,
    }


def p13_4():
    z, y = [1000.0, 1001.0], [0.0, 1.0]
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(np.array(z)) / np.exp(np.array(z)).sum()
    assert np.isnan(naive).all()  # (a): what the naive formula gives
    p = softmax(z)
    return {"p1": p[0], "p2": p[1], "L": cross_entropy_loss(z, y)}


COMPUTED = {
    name[1:].replace("_", "."): function
    for name, function in list(globals().items())
    if re.fullmatch(r"p\d+_\d+", name)
}


# ---- reading the problem sets --------------------------------------------------------------


def sections() -> dict[str, str]:
    """Every problem's section, by its number ("4.2")."""
    found = {}
    for path in sorted(PROBLEMS.glob("[0-9][0-9]_*.md")):
        text = path.read_text(encoding="utf-8")
        starts = list(SECTION.finditer(text))
        for match, end in zip(starts, [*starts[1:], None]):
            assert match[1] not in found, f"problem {match[1]} twice"
            found[match[1]] = text[match.start() : end.start() if end else len(text)]
    return found


def stated(section: str) -> dict[str, str]:
    """The numbers of a problem's checked block, as written."""
    numbers = {}
    for _, body in BLOCK.findall(section):
        for line in body.strip().splitlines():
            match = ASSIGNMENT.match(line.strip())
            assert match, f"not `name = number`: {line!r}"
            numbers[match[1]] = match[2]
    return numbers


def tolerance(written: str, exact: float) -> float:
    """Half a unit of the last digit written: 0.6225 → 0.00005; 9.54e-07 → 0.005e-07."""
    mantissa, _, exponent = written.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-decimals + int(exponent or 0)) + 1e-12 * abs(exact)


def close(written: str, exact: float) -> bool:
    return math.isfinite(exact) and abs(float(written) - exact) <= tolerance(written, exact)


def test_every_lesson_has_three_to_five_problems():
    lessons = {}
    for number in sections():
        lessons.setdefault(int(number.split(".")[0]), []).append(number)
    assert sorted(lessons) == list(range(1, 14))
    assert all(3 <= len(problems) <= 5 for problems in lessons.values()), lessons


@pytest.mark.parametrize("number", sorted(COMPUTED, key=lambda n: tuple(map(int, n.split(".")))))
def test_the_stated_numbers_are_right(number):
    section = sections().get(number)
    assert section is not None, f"no ## Problem {number} in {PROBLEMS}"
    numbers, exact = stated(section), COMPUTED[number]()
    assert set(numbers) == set(exact), (
        f"{number}: stated {sorted(numbers)}, computed {sorted(exact)}"
    )
    prose = BLOCK.sub("", section)
    for name, written in numbers.items():
        assert close(written, float(exact[name])), f"{number} {name}: {written}, is {exact[name]!r}"
        assert written.lstrip("-") in prose, f"{number}: {written} is not in the problem's text"


def test_every_problem_with_numbers_is_computed():
    with_numbers = {number for number, text in sections().items() if stated(text)}
    assert with_numbers <= set(COMPUTED), with_numbers - set(COMPUTED)


def test_a_wrong_number_fails():
    assert close("0.5250", sigmoid(0.1))
    assert not close("0.5251", sigmoid(0.1))  # one in the last digit: caught
    assert not close("0.53", sigmoid(0.1))
    assert close("9.54e-07", 0.25**10) and not close("9.55e-07", 0.25**10)
    assert close("-2", -2.0) and not close("-3", -2.0)
