"""Exercise 02 · The perceptron: a neuron's yes/no answer, its decision line, its accuracy.

A neuron answers 1 when a = σ(z) > 0.5, that is when z > 0: the line z = 0 splits the input
plane in two, so one neuron can only learn what one straight line can separate.
"""

import math

from bp_lessons.exercises.check import Mistake, Task


def weighted_sum(inputs, weights, bias):
    """z = Σ_k w_k i_k + b"""
    return sum(w * i for w, i in zip(weights, inputs)) + bias


def predict(inputs, weights, bias):
    """1.0 when a = σ(z) > 0.5, which holds exactly when z > 0; else 0.0."""
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    return 1.0 if z > 0 else 0.0


def decision_line(weights, bias):
    """The line w_0 x_0 + w_1 x_1 + b = 0 solved for x_1: [slope, intercept]."""
    w0, w1 = weights
    return [-w0 / w1, -bias / w1]


def accuracy(X, labels, weights, bias):
    """The fraction of examples whose prediction equals their label."""
    correct = sum(predict(inputs, weights, bias) == label for inputs, label in zip(X, labels))
    return correct / len(X)


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _rounded(rng, size, scale=1.0):
    return (rng.normal(size=size) * scale).round(2).tolist()


def _random_prediction(rng):
    while True:  # keep z away from 0, where "a > 0.5" is a matter of rounding
        n = int(rng.integers(1, 5))
        case = {
            "inputs": _rounded(rng, n),
            "weights": _rounded(rng, n),
            "bias": _rounded(rng, 1)[0],
        }
        if abs(weighted_sum(*case.values())) > 0.01:
            return case


def _random_line(rng):
    w0, w1 = _rounded(rng, 2)
    w1 = w1 if abs(w1) >= 0.3 else 0.3 + abs(w1)  # w_1 = 0 is a vertical line: no slope
    return {"weights": [w0, w1], "bias": _rounded(rng, 1)[0]}


def _random_table(rng):
    while True:
        n = int(rng.integers(3, 9))
        X = [_rounded(rng, 2) for _ in range(n)]
        case = {
            "X": X,
            "labels": rng.integers(0, 2, size=n).astype(float).tolist(),
            "weights": _rounded(rng, 2),
            "bias": _rounded(rng, 1, scale=0.5)[0],
        }
        if all(abs(weighted_sum(x, case["weights"], case["bias"])) > 0.01 for x in X):
            return case


TRUTH_TABLE = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]

q1 = Task(
    number="2.1",
    function="predict",
    reference=predict,
    fixed=[
        {"inputs": [1.0, 1.0], "weights": [1.0, 1.0], "bias": -1.5},
        {"inputs": [1.0, 0.0], "weights": [1.0, 1.0], "bias": -1.5},
        {"inputs": [0.5, 0.5], "weights": [0.6, -0.2], "bias": 0.1},
        {"inputs": [2.0, -1.0], "weights": [-0.5, 0.5], "bias": 0.25},
    ],
    random=_random_prediction,
    mistakes=[
        Mistake(
            "That is a = σ(z), the neuron's output; the prediction is 1.0 when a > 0.5, else 0.0.",
            lambda inputs, weights, bias: _sigmoid(weighted_sum(inputs, weights, bias)),
        ),
        Mistake(
            "The bias is missing: z = Σ_k w_k i_k + b, and the prediction is 1.0 when z > 0.",
            lambda inputs, weights, bias: predict(inputs, weights, 0.0),
        ),
        Mistake(
            "The 0.5 is the threshold for a = σ(z), not for z: a > 0.5 exactly when z > 0.",
            lambda inputs, weights, bias: 1.0 if weighted_sum(inputs, weights, bias) > 0.5 else 0.0,
        ),
        Mistake(
            "The answers are flipped: 1.0 belongs to z > 0 (a above 0.5), 0.0 to z < 0.",
            lambda inputs, weights, bias: 1.0 - predict(inputs, weights, bias),
        ),
        Mistake(
            "The 0.5 is the threshold for a = σ(z), not for z: a > 0.5 exactly when z > 0.",
            lambda inputs, weights, bias: (
                1.0 if weighted_sum(inputs, weights, bias) >= 0.5 else 0.0
            ),
        ),
        Mistake(
            "That is the sign of z, −1.0 below the line: the prediction is 1.0 or 0.0 "
            "(1.0 when a = σ(z) > 0.5, that is when z > 0; else 0.0).",
            lambda inputs, weights, bias: 1.0 if weighted_sum(inputs, weights, bias) > 0 else -1.0,
        ),
    ],
    errors={"NotPlainData": "return the number 1.0 or 0.0: `return 1.0 if z > 0 else 0.0`"},
    hints=[
        "Compute z = Σ_k w_k i_k + b as in Exercise 1.2; you need no sigmoid at all.",
        "σ(z) > 0.5 exactly when z > 0, so `return 1.0 if z > 0 else 0.0`.",
    ],
    # nothing in the package predicts; reading neuron_forward's output against 0.5, as the
    # lesson does, is a fair answer
)

q2 = Task(
    number="2.2",
    function="decision_line",
    reference=decision_line,
    fixed=[
        {"weights": [1.0, 1.0], "bias": -1.5},
        {"weights": [2.0, -4.0], "bias": 1.0},
        {"weights": [0.5, 2.0], "bias": -1.0},
    ],
    random=_random_line,
    parts=("slope", "intercept"),
    mistakes=[
        Mistake(
            "w_0 and w_1 swapped roles: solve w_0 x_0 + w_1 x_1 + b = 0 for x_1, so divide by w_1.",
            lambda weights, bias: [-weights[1] / weights[0], -bias / weights[0]],
        ),
        Mistake(
            "The signs are flipped: moving w_0 x_0 + b to the other side of "
            "w_1 x_1 = −w_0 x_0 − b makes both negative.",
            lambda weights, bias: [weights[0] / weights[1], bias / weights[1]],
        ),
        Mistake(
            "The intercept is −b / w_1: divide the bias by w_1 as well.",
            lambda weights, bias: [-weights[0] / weights[1], -bias],
        ),
        Mistake(
            "The bias is missing: it moves the line, which crosses x_0 = 0 at x_1 = −b / w_1.",
            lambda weights, bias: [-weights[0] / weights[1], 0.0],
        ),
    ],
    hints=[
        "On the line z = 0: w_0 x_0 + w_1 x_1 + b = 0. Solve it for x_1.",
        "x_1 = (−w_0 / w_1) · x_0 + (−b / w_1): return [−w_0 / w_1, −b / w_1].",
    ],
)

q3 = Task(
    number="2.3",
    function="accuracy",
    reference=accuracy,
    fixed=[
        {"X": TRUTH_TABLE, "labels": [0.0, 0.0, 0.0, 1.0], "weights": [1.0, 1.0], "bias": -1.5},
        {"X": TRUTH_TABLE, "labels": [0.0, 1.0, 1.0, 0.0], "weights": [1.0, 1.0], "bias": -0.5},
        {"X": TRUTH_TABLE, "labels": [0.0, 1.0, 1.0, 1.0], "weights": [1.0, 1.0], "bias": -1.5},
    ],
    random=_random_table,
    mistakes=[
        Mistake(
            "That is the number of right predictions; the accuracy is their fraction: divide "
            "by the number of examples.",
            lambda X, labels, weights, bias: accuracy(X, labels, weights, bias) * len(X),
        ),
        Mistake(
            "That is the fraction of wrong predictions (the error rate), not of right ones.",
            lambda X, labels, weights, bias: 1.0 - accuracy(X, labels, weights, bias),
        ),
        Mistake(
            "The bias is missing from the predictions: use `predict(inputs, weights, bias)`.",
            lambda X, labels, weights, bias: accuracy(X, labels, weights, 0.0),
        ),
        Mistake(
            "a = σ(z) is never exactly 0 or 1: compare the prediction (1.0 or 0.0) with the "
            "label, not a.",
            lambda X, labels, weights, bias: (
                sum(_sigmoid(weighted_sum(x, weights, bias)) == y for x, y in zip(X, labels))
                / len(X)
            ),
        ),
    ],
    hints=[
        "Count the examples where `predict(inputs, weights, bias) == label`, then divide by "
        "how many examples there are.",
        "`sum(predict(x, weights, bias) == y for x, y in zip(X, labels)) / len(X)`: True "
        "counts as 1.",
    ],
)
