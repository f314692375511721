"""Exercise 01 · The neuron: write the sigmoid, then a neuron's forward pass."""

import math

from bp_lessons.exercises.check import Mistake, Task


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def neuron_forward(inputs, weights, bias):
    """a = σ(Σ_k w_k i_k + b)"""
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    return sigmoid(z)


def _random_neuron(rng):
    n = int(rng.integers(1, 6))
    return {
        "inputs": rng.normal(size=n).round(3).tolist(),
        "weights": rng.normal(size=n).round(3).tolist(),
        "bias": round(float(rng.normal()), 3),
    }


q1 = Task(
    number="1.1",
    function="sigmoid",
    reference=sigmoid,
    # ±1000: e^1000 is far beyond the largest float, so one of the two formulas overflows at each
    fixed=[{"z": 0.0}, {"z": 2.0}, {"z": -3.5}, {"z": 40.0}, {"z": -1000.0}, {"z": 1000.0}],
    random=lambda rng: {"z": round(float(rng.normal(scale=4)), 3)},
    mistakes=[
        Mistake(
            "That is e^(−z)/(1 + e^(−z)) = σ(−z): the sign of z is flipped.", lambda z: sigmoid(-z)
        ),
        Mistake(
            "That looks like tanh(z); the sigmoid squashes into (0, 1), not (−1, 1).",
            lambda z: math.tanh(z),
        ),
        Mistake(
            "That is e^(−z) alone: σ(z) = 1 / (1 + e^(−z)).",
            lambda z: math.exp(-z),
        ),
        Mistake(
            "Right wherever it runs, but 1 / (1 + e^(−z)) overflows at z = −1000, where "
            "e^(−z) = e^1000 is beyond the largest float. For z < 0 use the equal form "
            "e^z / (1 + e^z), in which e^z is tiny.",
            lambda z: 1.0 / (1.0 + math.exp(-z)),
        ),
        Mistake(
            "Right wherever it runs, but e^z / (1 + e^z) overflows at z = 1000, where e^z is "
            "beyond the largest float. Use it for z < 0 only, and 1 / (1 + e^(−z)) for z ≥ 0.",
            lambda z: math.exp(z) / (1.0 + math.exp(z)),
        ),
    ],
    errors={
        "OverflowError": "math.exp overflows above e^709: compute 1 / (1 + e^(−z)) for z ≥ 0 "
        "and the equal e^z / (1 + e^z) for z < 0, so that the exponent is never positive",
    },
    hints=[
        "σ(z) = 1 / (1 + e^(−z)); `math.exp` computes e^x.",
        "At z = −1000, e^(−z) overflows; at z = 1000, e^z would. For z ≥ 0 use "
        "1 / (1 + e^(−z)), for z < 0 the equal form e^z / (1 + e^z).",
    ],
    forbidden=(
        "bp_lessons.activations.sigmoid",
        "bp_lessons.activations.get_activation",
        "bp_lessons.vectorized.sigmoid",
    ),
)

q2 = Task(
    number="1.2",
    function="neuron_forward",
    reference=neuron_forward,
    fixed=[
        {"inputs": [1.0, 0.0], "weights": [0.5, -0.5], "bias": 0.0},
        {"inputs": [2.0, 3.0], "weights": [0.5, -1.0], "bias": 0.25},
        {"inputs": [0.2, 0.4, 0.6], "weights": [1.0, 1.0, 1.0], "bias": -1.0},
    ],
    random=_random_neuron,
    mistakes=[
        Mistake(
            "The bias is missing: z = Σ_k w_k i_k + b.",
            lambda inputs, weights, bias: sigmoid(sum(w * i for w, i in zip(weights, inputs))),
        ),
        Mistake(
            "That is z, before the activation: a = σ(z).",
            lambda inputs, weights, bias: sum(w * i for w, i in zip(weights, inputs)) + bias,
        ),
        Mistake(
            "The sigmoid is applied twice: a = σ(z), once.",
            lambda inputs, weights, bias: sigmoid(neuron_forward(inputs, weights, bias)),
        ),
        Mistake(
            "The bias is subtracted: z = Σ_k w_k i_k + b, the bias added like one more weight "
            "whose input is always 1.",
            lambda inputs, weights, bias: sigmoid(
                sum(w * i for w, i in zip(weights, inputs)) - bias
            ),
        ),
        Mistake(
            "That is tanh(z): this neuron's activation is the sigmoid, a = σ(z) = "
            "1 / (1 + e^(−z)), between 0 and 1.",
            lambda inputs, weights, bias: math.tanh(
                sum(w * i for w, i in zip(weights, inputs)) + bias
            ),
        ),
    ],
    errors={
        "TypeError": "multiply the lists entry by entry: `w * i for w, i in zip(weights, inputs)`",
    },
    hints=[
        "First z = w_0·i_0 + w_1·i_1 + … + b, then a = σ(z).",
        "`sum(w * i for w, i in zip(weights, inputs))` is the weighted sum; use your `sigmoid`.",
    ],
    forbidden=(
        "bp_lessons.neuron.neuron_forward",
        "bp_lessons.neuron.Neuron",
        "bp_lessons.layer.layer_forward",
        "bp_lessons.activations.sigmoid",
    ),
)
