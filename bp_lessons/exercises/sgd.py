"""Exercise 08 · Stochastic gradient descent: w ← w − lr · ∂L/∂w, then one training step of an MLP.

A network is `weights[l - 1][j][k]` and `biases[l - 1][j]` (layer l) as in Exercise 06, every
layer a sigmoid, the loss the mean of (a_j − y_j)² over the outputs. Each function returns the new
weights and biases.
"""

from bp_lessons.activations import sigmoid, sigmoid_derivative
from bp_lessons.exercises.backpropagation import ENGINES, mlp_backward
from bp_lessons.exercises.check import BIAS_AXES, NETWORK_AXES, Mistake, Task
from bp_lessons.exercises.mlp_forward import NETWORKS, random_network


def sgd_step(weights, biases, weight_gradients, bias_gradients, learning_rate):
    """w ← w − lr · ∂L/∂w and b ← b − lr · ∂L/∂b for every weight and bias."""
    new_weights = [
        [
            [w - learning_rate * g for w, g in zip(row, row_gradients)]
            for row, row_gradients in zip(layer, layer_gradients)
        ]
        for layer, layer_gradients in zip(weights, weight_gradients)
    ]
    new_biases = [
        [b - learning_rate * g for b, g in zip(layer, layer_gradients)]
        for layer, layer_gradients in zip(biases, bias_gradients)
    ]
    return new_weights, new_biases


def train_step(inputs, labels, weights, biases, learning_rate):
    """One example: forward, backward and an SGD step of every weight and bias."""
    trace, zs = [inputs], []  # each layer's inputs, each layer's z
    for layer_weights, layer_biases in zip(weights, biases):
        zs.append(
            [
                sum(w * a for w, a in zip(row, trace[-1])) + b
                for row, b in zip(layer_weights, layer_biases)
            ]
        )
        trace.append([sigmoid(z) for z in zs[-1]])
    gradients = [2 * (a - y) / len(labels) for a, y in zip(trace[-1], labels)]  # ∂L/∂a
    new_weights, new_biases = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        errors = [g * sigmoid_derivative(z) for g, z in zip(gradients, zs[layer])]  # ∂L/∂z_j
        # ∂L/∂a_k for the layer before, through the weights the forward pass used
        gradients = [
            sum(e * row[k] for e, row in zip(errors, weights[layer]))
            for k in range(len(trace[layer]))
        ]
        new_weights[layer] = [
            [w - learning_rate * e * a for w, a in zip(row, trace[layer])]
            for row, e in zip(weights[layer], errors)
        ]
        new_biases[layer] = [b - learning_rate * e for b, e in zip(biases[layer], errors)]
    return new_weights, new_biases


def _step_with(
    weights,
    biases,
    weight_gradients,
    bias_gradients,
    learning_rate,
    *,
    sign=1.0,
    rate=None,
    step_biases=True,
):
    """sgd_step with one piece swapped for a known mistake."""
    rate = learning_rate if rate is None else rate
    new_weights, new_biases = sgd_step(
        weights, biases, weight_gradients, bias_gradients, sign * rate
    )
    return new_weights, new_biases if step_biases else biases


def _train_step_with(
    inputs,
    labels,
    weights,
    biases,
    learning_rate,
    *,
    factor=None,
    derivative=sigmoid_derivative,
    sign=1.0,
    step_biases=True,
    early=False,
):
    """train_step with one piece swapped for a known mistake; factor(n) scales a − y."""
    trace, zs = [inputs], []
    for layer_weights, layer_biases in zip(weights, biases):
        zs.append(
            [
                sum(w * a for w, a in zip(row, trace[-1])) + b
                for row, b in zip(layer_weights, layer_biases)
            ]
        )
        trace.append([sigmoid(z) for z in zs[-1]])
    scale = factor(len(labels)) if factor else 2 / len(labels)
    gradients = [scale * (a - y) for a, y in zip(trace[-1], labels)]
    rate = sign * learning_rate
    new_weights, new_biases = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        errors = [g * derivative(z) for g, z in zip(gradients, zs[layer])]
        new_weights[layer] = [
            [w - rate * e * a for w, a in zip(row, trace[layer])]
            for row, e in zip(weights[layer], errors)
        ]
        new_biases[layer] = [b - rate * e * step_biases for b, e in zip(biases[layer], errors)]
        used = new_weights[layer] if early else weights[layer]  # early: the updated ones, wrong
        gradients = [
            sum(e * row[k] for e, row in zip(errors, used)) for k in range(len(trace[layer]))
        ]
    return new_weights, new_biases


def _random_gradients(rng):
    case = random_network(rng)
    return {
        "weights": case["weights"],
        "biases": case["biases"],
        "weight_gradients": [
            rng.normal(size=(len(W), len(W[0]))).round(2).tolist() for W in case["weights"]
        ],
        "bias_gradients": [rng.normal(size=len(b)).round(2).tolist() for b in case["biases"]],
        "learning_rate": float(rng.choice([0.1, 0.5, 1.0, 2.0])),
    }


def _random_example(rng):
    case = random_network(rng)
    return {
        "inputs": case["inputs"],
        "labels": rng.random(len(case["biases"][-1])).round(2).tolist(),
        "weights": case["weights"],
        "biases": case["biases"],
        "learning_rate": float(rng.choice([0.1, 0.5, 1.0, 2.0])),
    }


def _with_gradients(network, labels, learning_rate):
    """A case for sgd_step: a network and its gradients for one example, rounded to read."""
    gradients = mlp_backward(network["inputs"], network["weights"], network["biases"], labels)
    rounded = [
        [[[round(g, 3) for g in row] for row in W] for W in gradients[0]],
        [[round(g, 3) for g in b] for b in gradients[1]],
    ]
    return {
        "weights": network["weights"],
        "biases": network["biases"],
        "weight_gradients": rounded[0],
        "bias_gradients": rounded[1],
        "learning_rate": learning_rate,
    }


LABELS = [[1.0], [0.0, 1.0, 0.5], [0.0]]

q1 = Task(
    number="8.1",
    function="sgd_step",
    reference=sgd_step,
    axes={"weights": NETWORK_AXES, "biases": BIAS_AXES},
    fixed=[
        _with_gradients(network, labels, rate)
        for network, labels, rate in zip(NETWORKS, LABELS, [0.5, 2.0, 0.1])
    ],
    random=_random_gradients,
    parts=("weights", "biases"),
    # updating the weights and biases in place, as the notes do, is fine if it returns them
    pure=("weights", "biases"),
    mistakes=[
        Mistake(
            "That steps uphill: w ← w + lr · ∂L/∂w makes the loss grow. The gradient points "
            "where the loss rises, so step against it: w ← w − lr · ∂L/∂w.",
            lambda *args: _step_with(*args, sign=-1.0),
        ),
        Mistake(
            "The biases did not move: b ← b − lr · ∂L/∂b, like every weight.",
            lambda *args: _step_with(*args, step_biases=False),
        ),
        Mistake(
            "The learning rate is missing: the step is lr · ∂L/∂w, not the whole gradient.",
            lambda *args: _step_with(*args, rate=1.0),
        ),
    ],
    errors={"NotPlainData": "return the new weights and biases: `return new_weights, new_biases`"},
    hints=[
        "Every weight: w − learning_rate · (its gradient), the gradient at the same [l][j][k]; "
        "every bias the same with its gradient at [l][j].",
        "Three nested loops (layers, neurons, inputs) for the weights, two for the biases; "
        "build new lists and `return new_weights, new_biases`.",
    ],
    forbidden=ENGINES,
)

q2 = Task(
    number="8.2",
    function="train_step",
    reference=train_step,
    axes={"weights": NETWORK_AXES, "biases": BIAS_AXES},
    fixed=[
        dict(
            inputs=network["inputs"],
            labels=labels,
            weights=network["weights"],
            biases=network["biases"],
            learning_rate=rate,
        )
        for network, labels, rate in zip(NETWORKS, LABELS, [0.5, 2.0, 1.0])
    ],
    random=_random_example,
    parts=("weights", "biases"),
    pure=("weights", "biases"),
    mistakes=[
        Mistake(
            "The layer before got its output gradients through weights that were already "
            "updated. Compute ∂L/∂a_k = Σ_j w_jk σ'(z_j) ∂L/∂a_j with the weights the forward "
            "pass used, then step that layer.",
            lambda *args: _train_step_with(*args, early=True),
        ),
        Mistake(
            "The factor 1/n is missing from the loss gradient. The loss is the MEAN over the "
            "n outputs, so ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda *args: _train_step_with(*args, factor=lambda n: 2.0),
        ),
        Mistake(
            "The factor 2 is missing from the loss gradient: ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda *args: _train_step_with(*args, factor=lambda n: 1 / n),
        ),
        Mistake(
            "That steps uphill, and two slips give exactly these numbers: (1) the loss "
            "gradient's sign is flipped, 2(y_j − a_j)/n where ∂L/∂a_j = 2(a_j − y_j)/n, output "
            "minus label; (2) the step adds, w ← w + lr · ∂L/∂w, where it goes against the "
            "gradient, w ← w − lr · ∂L/∂w. Check both.",
            lambda *args: _train_step_with(*args, sign=-1.0),
        ),
        Mistake(
            "The biases did not move: b ← b − lr · ∂L/∂b in every layer.",
            lambda *args: _train_step_with(*args, step_biases=False),
        ),
        Mistake(
            "That uses the notes' z·σ(z)(1 − σ(z)) as σ'(z); the slope is σ(z)(1 − σ(z)).",
            lambda *args: _train_step_with(*args, derivative=lambda z: z * sigmoid_derivative(z)),
        ),
        Mistake(
            "σ' is taken at a = σ(z) instead of at z: that is σ(a)(1 − σ(a)). The slope belongs "
            "to the point each neuron was at, z_j (in terms of its output, a_j(1 − a_j)).",
            lambda *args: _train_step_with(
                *args, derivative=lambda z: sigmoid_derivative(sigmoid(z))
            ),
        ),
        Mistake(
            "Both the 2 and the 1/n are missing from the loss gradient: the loss is the MEAN of "
            "(a_j − y_j)² over the n outputs, so ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda *args: _train_step_with(*args, factor=lambda n: 1.0),
        ),
        Mistake(
            "The loss gradient is divided by the number of inputs: n in ∂L/∂a_j = "
            "2(a_j − y_j)/n counts the OUTPUTS the loss averages over, len(labels).",
            lambda inputs, labels, *rest: _train_step_with(
                inputs, labels, *rest, factor=lambda n: 2 / len(inputs)
            ),
        ),
    ],
    errors={"NotPlainData": "return the new weights and biases: `return new_weights, new_biases`"},
    hints=[
        "Three parts: the forward pass keeping each layer's inputs and z (Exercise 06), the "
        "backward pass (Exercise 07), and sgd_step above.",
        "The simplest order: compute every gradient first (your mlp_backward from Exercise "
        "07, copied into this cell), then `return sgd_step(...)`.",
        "If you step each layer as you go backward, first compute the output gradients for "
        "the layer before, with the weights as they were in the forward pass.",
    ],
    forbidden=ENGINES,
)
