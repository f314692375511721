"""Exercise 10 · The matrix form: a sigmoid layer's forward and backward pass for a whole batch,
then one training step of a network on a batch.

X holds one example per row, W one neuron per row (W[j, k] is w_jk, shape (out, in)), so
Z = X Wᵀ + b and A = σ(Z). Backward, with dA = ∂L/∂A: dZ = dA ⊙ σ'(Z), dW = dZᵀ X (summed over
the batch), db = Σ_batch dZ, dX = dZ W (summed over the neurons). The loss is the mean of
(A − Y)² over every entry, so the 1/batch is in ∂L/∂A = 2(A − Y)/(batch · outputs), not in
backward. The checks hand the learner's functions float64 NumPy arrays.
"""

import numpy as np

from bp_lessons.exercises.calling import as_arrays, gradients_as_arrays, network_as_arrays
from bp_lessons.exercises.check import BIAS_AXES, NETWORK_AXES, Mistake, Task

MATRIX_TOOLS = (
    "bp_lessons.vectorized.DenseLayer",
    "bp_lessons.vectorized.VectorizedMLP",
    "bp_lessons.vectorized.sigmoid",
    "bp_lessons.vectorized.sigmoid_derivative",
    "bp_lessons.mlp.MLP",
    "bp_lessons.layer.Layer",
    "bp_lessons.neuron.Neuron",
    "bp_lessons.gradcheck.numerical_gradient",
)


def dense_forward(X, W, b):
    """A = σ(X Wᵀ + b): X (batch, in), W (out, in), b (out,) -> A (batch, out)."""
    Z = X @ W.T + b  # (batch, in) @ (in, out) + (out,) -> (batch, out)
    return 1 / (1 + np.exp(-Z))


def dense_backward(X, W, b, dA):
    """dW = dZᵀ X, db = Σ_batch dZ and dX = dZ W, where dZ = dA ⊙ σ'(Z) and dA = ∂L/∂A."""
    A = dense_forward(X, W, b)  # (batch, out): the forward pass again, for σ'(Z) = A(1 − A)
    dZ = dA * A * (1 - A)  # (batch, out)
    dW = dZ.T @ X  # (out, batch) @ (batch, in) -> (out, in): summed over the batch
    db = dZ.sum(axis=0)  # (out,): summed over the batch
    dX = dZ @ W  # (batch, out) @ (out, in) -> (batch, in): summed over the neurons j
    return dW, db, dX


def train_step(X, Y, weights, biases, learning_rate):
    """One SGD step of a sigmoid network on the batch (X, Y), for L = the mean of (A − Y)² over
    every entry; returns the new weights and biases."""
    inputs = [X]  # the X of every layer: the A of the layer before
    for W, b in zip(weights, biases):
        inputs.append(dense_forward(inputs[-1], W, b))
    A = inputs.pop()  # (batch, outputs)
    dA = 2 * (A - Y) / A.size  # ∂L/∂A: the mean over the batch and the outputs
    new_weights, new_biases = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        dW, db, dA = dense_backward(inputs[layer], weights[layer], biases[layer], dA)
        new_weights[layer] = weights[layer] - learning_rate * dW
        new_biases[layer] = biases[layer] - learning_rate * db
    return new_weights, new_biases


def network_gradients(X, Y, weights, biases):
    """∂L/∂W and ∂L/∂b of every layer of a sigmoid network on the batch (X, Y), for L = the mean
    of (A − Y)² over every entry: Exercise 10.4's given code with its bug fixed."""
    activations = [X]  # A⁽⁰⁾ = X, then the A of every layer
    for W, b in zip(weights, biases):
        activations.append(1 / (1 + np.exp(-(activations[-1] @ W.T + b))))
    dA = 2 * (activations[-1] - Y) / Y.size  # ∂L/∂A of the output layer
    weight_gradients, bias_gradients = [], []
    for layer in reversed(range(len(weights))):
        A, A_before = activations[layer + 1], activations[layer]
        delta = dA * A * (1 - A)  # Δ = ∂L/∂Z, (batch, out)
        weight_gradients.insert(0, delta.T @ A_before)  # Δᵀ A⁽ˡ⁻¹⁾, (out, in)
        bias_gradients.insert(0, delta.sum(axis=0))  # (out,)
        dA = delta @ weights[layer]  # ∂L/∂A⁽ˡ⁻¹⁾ = Δ W, (batch, in)
    return weight_gradients, bias_gradients


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _gradients_with(X, Y, weights, biases, *, back="delta", loss_scale=None, transposed=False):
    """network_gradients with one piece swapped: `back` is what goes back to the layer before
    ("delta" right, "dA" the given bug, "twice" Δ W times σ' of the layer before as well)."""
    activations = [X]
    for W, b in zip(weights, biases):
        activations.append(_sigmoid(activations[-1] @ W.T + b))
    A = activations[-1]
    dA = (loss_scale(A) if loss_scale else 2 / A.size) * (A - Y)
    weight_gradients, bias_gradients = [], []
    for layer in reversed(range(len(weights))):
        A, A_before = activations[layer + 1], activations[layer]
        delta = dA * A * (1 - A)
        weight_gradients.insert(0, delta.T @ A_before)
        bias_gradients.insert(0, delta.sum(axis=0))
        W = weights[layer].T if transposed else weights[layer]
        if back == "dA":
            dA = dA @ W
        elif back == "twice":
            dA = (delta @ W) * A_before * (1 - A_before)
        else:
            dA = delta @ W
    return weight_gradients, bias_gradients


def _notes_derivative(Z):
    return Z * _sigmoid(Z) * (1 - _sigmoid(Z))  # the notes' z·σ(z)(1 − σ(z)): wrong


def _forward_with(X, W, b, *, transposed=False, bias=True, act=_sigmoid):
    """dense_forward with one piece swapped for a known mistake."""
    return act((X @ W if transposed else X @ W.T) + (b if bias else 0.0))


def _backward_with(X, W, b, dA, mistake="", *, bias=True, derivative=None):
    """dense_backward with one piece swapped for a known mistake."""
    Z = X @ W.T + (b if bias else 0.0)
    dZ = dA * (derivative(Z) if derivative else _sigmoid(Z) * (1 - _sigmoid(Z)))
    dW, db, dX = dZ.T @ X, dZ.sum(axis=0), dZ @ W
    if mistake == "db is dZ":
        db = dZ
    elif mistake == "db averaged":
        db = dZ.mean(axis=0)
    elif mistake == "both averaged":
        dW, db = dW / len(X), db / len(X)
    elif mistake == "dW transposed":
        dW = X.T @ dZ
    elif mistake == "dX transposed":
        dX = dZ @ W.T
    elif mistake == "dX from dA":
        dX = dA @ W
    return dW, db, dX


def _step_with(
    X,
    Y,
    weights,
    biases,
    learning_rate,
    *,
    scale=None,
    early=False,
    step_biases=True,
    twice=False,
    derivative=None,
):
    """train_step with one piece swapped for a known mistake; scale(A) replaces 2/A.size."""
    inputs = [X]
    for W, b in zip(weights, biases):
        inputs.append(_sigmoid(inputs[-1] @ W.T + b))
    A = inputs.pop()
    dA = (scale(A) if scale else 2 / A.size) * (A - Y)
    new_weights, new_biases = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        X_l, W = inputs[layer], weights[layer]
        Z = X_l @ W.T + biases[layer]
        dZ = dA * (derivative(Z) if derivative else _sigmoid(Z) * (1 - _sigmoid(Z)))
        batch = len(X) if twice else 1  # twice: dW and db divided by the batch once more
        new_weights[layer] = W - learning_rate * (dZ.T @ X_l) / batch
        new_biases[layer] = biases[layer] - step_biases * learning_rate * dZ.sum(axis=0) / batch
        dA = dZ @ (new_weights[layer] if early else W)  # early: the updated weights, wrong
    return new_weights, new_biases


def _random_gradients_case(rng):
    case = _random_network(rng)
    del case["learning_rate"]
    return case


def _random_layer(rng):
    batch, num_inputs, num_outputs = (int(n) for n in rng.integers(1, 5, size=3))
    if rng.random() < 0.5:  # square, at least 2 × 2: a transposed W runs and gives wrong numbers
        num_inputs = num_outputs = int(rng.integers(2, 5))
    return {
        "X": rng.normal(size=(batch, num_inputs)).round(2).tolist(),
        "W": rng.normal(size=(num_outputs, num_inputs)).round(2).tolist(),
        "b": rng.normal(size=num_outputs).round(2).tolist(),
    }


def _random_backward(rng):
    case = _random_layer(rng)
    case["dA"] = rng.normal(size=(len(case["X"]), len(case["b"]))).round(2).tolist()
    return case


def _random_network(rng):
    sizes = [int(n) for n in rng.integers(1, 5, size=int(rng.integers(2, 4)))]
    batch = int(rng.integers(1, 5))
    return {
        "X": rng.normal(size=(batch, sizes[0])).round(2).tolist(),
        "Y": rng.random((batch, sizes[-1])).round(2).tolist(),
        "weights": [rng.normal(size=(m, n)).round(2).tolist() for n, m in zip(sizes, sizes[1:])],
        "biases": [rng.normal(size=m).round(2).tolist() for m in sizes[1:]],
        "learning_rate": float(rng.choice([0.5, 1.0, 2.0])),
    }


LAYERS = [
    # a batch of 2 examples with 3 inputs, a layer of 2 neurons: W has 2 rows of 3
    {
        "X": [[1.0, -2.0, 0.5], [0.0, 1.0, 2.0]],
        "W": [[0.5, 0.1, -0.4], [-0.3, 0.8, 0.2]],
        "b": [0.1, -0.2],
    },
    # a batch of 1: the layer of Exercise 5.1, 2 inputs and 3 neurons
    {"X": [[1.0, -2.0]], "W": [[0.5, 0.1], [-0.3, 0.8], [1.2, -0.7]], "b": [0.0, 0.2, -0.1]},
    # square, 2 inputs and 2 neurons: a transposed W still runs
    {
        "X": [[0.5, 1.5], [1.0, 0.0], [-1.0, 2.0]],
        "W": [[0.2, -0.4], [0.9, 0.3]],
        "b": [0.1, -0.5],
    },
    # a batch of 1 through one neuron with 3 inputs
    {"X": [[0.2, 0.4, 0.6]], "W": [[1.0, -1.0, 0.5]], "b": [0.25]},
    # square, 3 inputs and 3 neurons
    {
        "X": [[0.3, -0.6, 1.2], [-1.5, 0.4, 0.1]],
        "W": [[0.6, -0.2, 0.3], [-0.5, 0.7, 0.1], [0.2, 0.4, -0.9]],
        "b": [0.0, -0.3, 0.2],
    },
]

OUTPUT_GRADIENTS = [
    [[0.4, -0.2], [-0.6, 0.3]],
    [[0.4, -0.2, 0.6]],
    [[1.0, 0.5], [-0.5, 0.2], [0.3, -0.8]],
    [[-0.8]],
    [[0.5, -1.0, 0.2], [0.3, 0.6, -0.4]],
]

TRANSPOSED = (
    "W is read transposed: it has one row per neuron, shape (out, in), and W[j, k] is w_jk. "
    "With X of shape (batch, in), Z = X Wᵀ + b is `X @ W.T + b`, of shape (batch, out)."
)
SHAPES = (
    "check the shapes: X (batch, in), W (out, in), b (out,); Z = X Wᵀ + b is `X @ W.T + b`, "
    "of shape (batch, out)"
)
SUMS_NOT_MEANS = (
    " The backward pass is the plain chain rule, and its sums are sums: the 1/batch belongs to "
    "the loss gradient dA (the loss is a mean over the batch), which already carries it."
)

q1 = Task(
    number="10.1",
    function="dense_forward",
    reference=dense_forward,
    axes={"result": ("example {i}", "neuron {i}")},
    fixed=LAYERS,
    random=_random_layer,
    call=as_arrays,
    mistakes=[
        Mistake(TRANSPOSED, lambda X, W, b: _forward_with(X, W, b, transposed=True)),
        Mistake(
            "The bias is missing: Z = X Wᵀ + b, with b (one per neuron) added to every row.",
            lambda X, W, b: _forward_with(X, W, b, bias=False),
        ),
        Mistake(
            "Those are the Z, before the activation: A = σ(Z), elementwise.",
            lambda X, W, b: _forward_with(X, W, b, act=lambda Z: Z),
        ),
        Mistake(
            "The result is transposed, one row per neuron: that is σ(W Xᵀ + b), shape "
            "(out, batch). A has one row per example, shape (batch, out): `X @ W.T + b`.",
            lambda X, W, b: _forward_with(X, W, b).T,
        ),
        Mistake(
            "The sigmoid is applied twice: A = σ(Z), once.",
            lambda X, W, b: _sigmoid(dense_forward(X, W, b)),
        ),
    ],
    errors={"ValueError": SHAPES},
    hints=[
        "Row b of X is one example and row j of W one neuron, so Z[b, j] = Σ_k X[b, k] W[j, k] "
        "+ b[j]: a product of X with W transposed.",
        "`Z = X @ W.T + b` (b is added to every row), then `return 1 / (1 + np.exp(-Z))`.",
    ],
    forbidden=MATRIX_TOOLS + ("bp_lessons.layer.layer_forward",),
)

q2 = Task(
    number="10.2",
    function="dense_backward",
    reference=dense_backward,
    axes={
        "dW": ("neuron {i}", "input {i}"),
        "db": ("neuron {i}",),
        "dX": ("example {i}", "input {i}"),
    },
    fixed=[dict(layer, dA=dA) for layer, dA in zip(LAYERS, OUTPUT_GRADIENTS)],
    random=_random_backward,
    call=as_arrays,
    parts=("dW", "db", "dX"),
    mistakes=[
        Mistake(
            "That uses the notes' z·σ(z)(1 − σ(z)) as σ'(Z); the slope is σ(Z)(1 − σ(Z)) = "
            "A(1 − A).",
            lambda *args: _backward_with(*args, derivative=_notes_derivative),
        ),
        Mistake(
            "db is dZ itself, one row per example: db = Σ_batch dZ, `dZ.sum(axis=0)`, one "
            "number per neuron (every example adds its share, as in dW = dZᵀ X).",
            lambda *args: _backward_with(*args, "db is dZ"),
        ),
        Mistake(
            "db is the MEAN of dZ over the batch: db = Σ_batch dZ, `dZ.sum(axis=0)`, a sum like "
            "dW = dZᵀ X." + SUMS_NOT_MEANS,
            lambda *args: _backward_with(*args, "db averaged"),
        ),
        Mistake(
            "dW and db are divided by the batch size: dW = dZᵀ X and db = Σ_batch dZ."
            + SUMS_NOT_MEANS,
            lambda *args: _backward_with(*args, "both averaged"),
        ),
        Mistake(
            "dW is transposed: it has the shape of W, (out, in), so dW = dZᵀ X, `dZ.T @ X`; "
            "Xᵀ dZ is (in, out).",
            lambda *args: _backward_with(*args, "dW transposed"),
        ),
        Mistake(
            "dX uses W transposed: ∂L/∂X[b, k] = Σ_j dZ[b, j] W[j, k], summed over the neurons j, "
            "so dX = dZ W, `dZ @ W`, of shape (batch, in).",
            lambda *args: _backward_with(*args, "dX transposed"),
        ),
        Mistake(
            "dX is dA W: the activation's slope is missing on the way to the inputs. dX = dZ W, "
            "with dZ = dA ⊙ σ'(Z), the same dZ as for dW and db.",
            lambda *args: _backward_with(*args, "dX from dA"),
        ),
        Mistake(
            "σ'(Z) is missing: dZ = dA ⊙ σ'(Z) = dA * A * (1 − A) comes before every gradient.",
            lambda *args: _backward_with(*args, derivative=lambda Z: 1.0),
        ),
        Mistake(
            "The bias is missing from Z = X Wᵀ + b, and σ'(Z) depends on it.",
            lambda *args: _backward_with(*args, bias=False),
        ),
        Mistake(
            "σ' is taken at A = σ(Z) instead of at Z: that is σ(A)(1 − σ(A)). The slope belongs "
            "to the point each neuron was at, Z; in terms of A it is A(1 − A), with no second σ.",
            lambda *args: _backward_with(
                *args, derivative=lambda Z: _sigmoid(_sigmoid(Z)) * (1 - _sigmoid(_sigmoid(Z)))
            ),
        ),
        Mistake(
            "That is Z(1 − Z): the form A(1 − A) needs A = σ(Z), the activations, not Z.",
            lambda *args: _backward_with(*args, derivative=lambda Z: Z * (1 - Z)),
        ),
    ],
    errors={
        "ValueError": "check the shapes: X (batch, in), W (out, in), dA (batch, out); dW is "
        "(out, in) like W, `dZ.T @ X`; db (out,) like b; dX (batch, in) like X, `dZ @ W`"
    },
    hints=[
        "Forward again for A = σ(Z) (your dense_forward), then dZ = dA ⊙ σ'(Z) = "
        "`dA * A * (1 - A)`: every gradient is built from dZ.",
        "Each gradient has the shape of what it is the gradient of: dW (out, in) = `dZ.T @ X` "
        "sums over the batch; db (out,) = `dZ.sum(axis=0)`; dX (batch, in) = `dZ @ W` sums "
        "over the neurons.",
        "`return dW, db, dX`, with no division by the batch size: that is already in dA.",
    ],
    forbidden=MATRIX_TOOLS,
)

q3 = Task(
    number="10.3",
    function="train_step",
    reference=train_step,
    axes={"weights": NETWORK_AXES, "biases": BIAS_AXES},
    fixed=[
        # XOR's four examples through 2 inputs, 2 hidden neurons and 1 output
        {
            "X": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
            "Y": [[0.0], [1.0], [1.0], [0.0]],
            "weights": [[[0.5, -0.4], [0.3, 0.8]], [[1.0, -0.7]]],
            "biases": [[0.1, -0.2], [0.05]],
            "learning_rate": 2.0,
        },
        # 2 inputs, 3 hidden neurons, 2 outputs, a batch of 2
        {
            "X": [[0.5, -1.0], [1.5, 0.25]],
            "Y": [[1.0, 0.0], [0.0, 1.0]],
            "weights": [
                [[0.2, -0.4], [0.9, 0.3], [-0.5, 0.6]],
                [[0.7, -0.2, 0.1], [-0.3, 0.4, 0.8]],
            ],
            "biases": [[0.0, 0.1, -0.1], [0.2, -0.3]],
            "learning_rate": 1.0,
        },
        # one layer of 2 neurons on 3 inputs, a batch of 1
        {
            "X": [[0.2, 0.4, 0.6]],
            "Y": [[1.0, 0.0]],
            "weights": [[[1.0, -1.0, 0.5], [0.3, 0.2, -0.6]]],
            "biases": [[0.25, -0.1]],
            "learning_rate": 0.5,
        },
    ],
    random=_random_network,
    call=network_as_arrays,
    parts=("weights", "biases"),
    mistakes=[
        Mistake(
            "That is a step on the SUM of the examples' losses: the loss is the mean of "
            "(A − Y)² over the batch as well as the outputs, so ∂L/∂A = 2(A − Y)/n with "
            "n = batch · outputs, `A.size`. This is where the 1/batch lives.",
            lambda *args: _step_with(*args, scale=lambda A: 2 / A.shape[1]),
        ),
        Mistake(
            "The loss is the mean over every entry of A, the outputs as well as the batch: "
            "∂L/∂A = 2(A − Y)/n with n = batch · outputs, `A.size`, not the batch size alone.",
            lambda *args: _step_with(*args, scale=lambda A: 2 / A.shape[0]),
        ),
        Mistake(
            "The factor 2 is missing from the loss gradient: ∂L/∂A = 2(A − Y)/n.",
            lambda *args: _step_with(*args, scale=lambda A: 1 / A.size),
        ),
        Mistake(
            "The 1/n is missing from the loss gradient: 2(A − Y) is the gradient of the SUM of "
            "(A − Y)² over every entry. The loss is their MEAN, so ∂L/∂A = 2(A − Y)/n with "
            "n = batch · outputs, `A.size`.",
            lambda *args: _step_with(*args, scale=lambda A: 2.0),
        ),
        Mistake(
            "That steps uphill, and two slips give exactly these numbers: (1) the loss "
            "gradient's sign is flipped, where ∂L/∂A = 2(A − Y)/n, output minus label; (2) the "
            "step adds, W + lr · dW, where it goes against the gradient, W − lr · dW. Check "
            "both.",
            lambda *args: _step_with(*args, scale=lambda A: -2 / A.size),
        ),
        Mistake(
            "A layer's weights were updated before its dX was computed: the layer before must "
            "get dX = dZ W with the weights the forward pass used. Compute every gradient "
            "first (dense_backward returns dX with them), then step.",
            lambda *args: _step_with(*args, early=True),
        ),
        Mistake(
            "Both the 2 and the 1/n are missing from the loss gradient: the loss is the MEAN of "
            "(A − Y)² over every entry, so ∂L/∂A = 2(A − Y)/n with n = batch · outputs, "
            "`A.size`.",
            lambda *args: _step_with(*args, scale=lambda A: 1.0),
        ),
        Mistake(
            "The batch is divided out twice: dA = 2(A − Y)/A.size already carries the 1/batch "
            "of the mean loss, and dW and db were divided by the batch size again. "
            "dense_backward's sums are sums.",
            lambda *args: _step_with(*args, twice=True),
        ),
        Mistake(
            "The biases did not move: b ← b − lr · db in every layer, like the weights.",
            lambda *args: _step_with(*args, step_biases=False),
        ),
        Mistake(
            "σ' is taken at A = σ(Z) instead of at Z: that is σ(A)(1 − σ(A)). The slope belongs "
            "to the point each neuron was at, Z; in terms of A it is A(1 − A).",
            lambda *args: _step_with(
                *args, derivative=lambda Z: _sigmoid(_sigmoid(Z)) * (1 - _sigmoid(_sigmoid(Z)))
            ),
        ),
    ],
    errors={"ValueError": SHAPES},
    hints=[
        "Forward through the layers with your dense_forward, keeping the X of every layer: "
        "layer l's X is layer l − 1's A.",
        "The loss gradient of the last layer: `dA = 2 * (A - Y) / A.size`, the mean over the "
        "batch and the outputs.",
        "From the last layer back: `dW, db, dA = dense_backward(X_l, W_l, b_l, dA)` hands dX to "
        "the layer before; the new W_l is `W_l - learning_rate * dW`, the new b_l "
        "`b_l - learning_rate * db`. Return `new_weights, new_biases`, indexed by layer.",
    ],
    forbidden=MATRIX_TOOLS
    + (
        "bp_lessons.losses.mse_loss_gradient",
        "bp_lessons.training.train",
        "bp_lessons.gradcheck.gradient_check",
    ),
)

GIVEN_BUG = (
    "That is the code as given: its bug is still in it. The output layer's gradients are right "
    "and every layer before it is off, so look at what the loop hands back to the layer before, "
    "and compare it with the derivation: ∂L/∂A⁽ˡ⁻¹⁾ = Δ⁽ˡ⁾ W⁽ˡ⁾, with Δ⁽ˡ⁾ = ∂L/∂Z⁽ˡ⁾."
)

q4 = Task(
    number="10.4",
    function="network_gradients",
    reference=network_gradients,
    axes={"weight gradients": NETWORK_AXES, "bias gradients": BIAS_AXES},
    fixed=[
        {key: value for key, value in case.items() if key != "learning_rate"} for case in q3.fixed
    ]
    + [
        # three layers, a batch of 3: the bug reaches two layers
        {
            "X": [[0.5, -1.0], [1.5, 0.25], [-0.5, 0.75]],
            "Y": [[1.0], [0.0], [0.5]],
            "weights": [[[0.2, -0.4], [0.9, 0.3]], [[0.7, -0.2], [-0.3, 0.4]], [[1.1, -0.6]]],
            "biases": [[0.0, 0.1], [0.2, -0.3], [0.05]],
        }
    ],
    random=_random_gradients_case,
    call=gradients_as_arrays,
    parts=("weight gradients", "bias gradients"),
    # a derivation: exact to rounding (the formula's float error is near 1e-16); a central
    # difference, some 1e-11 off, or float32 is not the formula the task asks for
    rtol=1e-12,
    atol=1e-13,
    mistakes=[
        Mistake(GIVEN_BUG, lambda *args: _gradients_with(*args, back="dA")),
        Mistake(
            "σ' of the layer before is applied twice: what goes back, Δ⁽ˡ⁾ W⁽ˡ⁾, is ∂L/∂A⁽ˡ⁻¹⁾, "
            "and the loop multiplies it by A(1 − A) itself at the next step. Hand back Δ W "
            "alone.",
            lambda *args: _gradients_with(*args, back="twice"),
        ),
        Mistake(
            "What goes back uses Wᵀ: Δ⁽ˡ⁾ has shape (batch, out) and W⁽ˡ⁾ (out, in), so "
            "∂L/∂A⁽ˡ⁻¹⁾ = Δ W, (batch, in); entry by entry, ∂L/∂a_k = Σ_j δ_j w_jk sums over "
            "the neurons j.",
            lambda *args: _gradients_with(*args, transposed=True),
        ),
        Mistake(
            "The loss gradient was changed too: the given 2(A − Y)/Y.size was right (the mean "
            "over the batch and the outputs); now the output layer is off as well. The bug is "
            "further down.",
            lambda *args: _gradients_with(*args, loss_scale=lambda A: 2 / len(A)),
        ),
    ],
    errors={
        "ValueError": "check the shapes: Δ⁽ˡ⁾ is (batch, out) and W⁽ˡ⁾ (out, in); ∂L/∂W⁽ˡ⁾ = "
        "Δᵀ A⁽ˡ⁻¹⁾ is (out, in) like W, and ∂L/∂A⁽ˡ⁻¹⁾ = Δ W is (batch, in)"
    },
    hints=[
        "Run the given code through the check: which layers are off, and which are right? The "
        "bug is on the way from a layer back to the one before it.",
        "Entry by entry, ∂L/∂a_k of the layer before = Σ_j ∂L/∂z_j · w_jk: the sum runs over "
        "δ_j = ∂L/∂z_j, not over ∂L/∂a_j. In matrices: ∂L/∂A⁽ˡ⁻¹⁾ = Δ⁽ˡ⁾ W⁽ˡ⁾.",
        "The last line of the loop: `dA = delta @ weights[layer]`, not `dA @ weights[layer]`.",
    ],
    forbidden=MATRIX_TOOLS
    + ("bp_lessons.losses.mse_loss_gradient", "bp_lessons.gradcheck.gradient_check"),
)
