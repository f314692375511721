"""Exercise 05 · A layer: many neurons on the same inputs, forward and backward.

`weights[j][k]` is w_jk, the weight of neuron j for input k: one row per neuron. Input k reaches
the loss through every neuron, so its gradient is the SUM over the neurons j of dL/dz_j · w_jk.
"""

from bp_lessons.activations import sigmoid, sigmoid_derivative
from bp_lessons.exercises.check import Mistake, Task

LAYER_TOOLS = (
    "bp_lessons.layer.Layer",
    "bp_lessons.neuron.Neuron",
    "bp_lessons.mlp.MLP",
    "bp_lessons.vectorized.DenseLayer",
    "bp_lessons.vectorized.VectorizedMLP",
)


def layer_forward(inputs, weights, biases):
    """a_j = σ(Σ_k w_jk i_k + b_j), one output per neuron j."""
    return [
        sigmoid(sum(w * i for w, i in zip(neuron_weights, inputs)) + bias)
        for neuron_weights, bias in zip(weights, biases)
    ]


def layer_backward(inputs, weights, biases, output_gradients):
    """dL/dw_jk, dL/db_j and dL/di_k of a sigmoid layer, given dL/da_j for each neuron."""
    weight_gradients, bias_gradients = [], []
    input_gradients = [0.0] * len(inputs)
    for neuron_weights, bias, output_gradient in zip(weights, biases, output_gradients):
        z = sum(w * i for w, i in zip(neuron_weights, inputs)) + bias
        error = output_gradient * sigmoid_derivative(z)  # dL/dz_j
        weight_gradients.append([error * i for i in inputs])
        bias_gradients.append(error)
        for k, w in enumerate(neuron_weights):
            input_gradients[k] += error * w  # summed over the neurons j
    return weight_gradients, bias_gradients, input_gradients


def _forward_with(inputs, weights, biases, *, act=sigmoid, bias=True, transposed=False):
    """layer_forward with one piece swapped for a known mistake."""
    rows = [list(column) for column in zip(*weights)] if transposed else weights
    return [
        act(sum(w * i for w, i in zip(row, inputs)) + (b if bias else 0.0))
        for row, b in zip(rows, biases)
    ]


def _backward_with(inputs, weights, biases, output_gradients, *, combine="sum", **swap):
    """layer_backward with one piece swapped for a known mistake."""
    derivative = swap.get("derivative", sigmoid_derivative)
    errors = [
        g * derivative(sum(w * i for w, i in zip(row, inputs)) + b)
        for row, b, g in zip(weights, biases, output_gradients)
    ]
    per_neuron = [
        [e * v for v in (row if not swap.get("by_inputs") else inputs)]
        for row, e in zip(weights, errors)
    ]
    if combine == "last":
        input_gradients = per_neuron[-1]
    elif combine == "each":
        input_gradients = per_neuron
    elif combine == "transposed":
        input_gradients = [sum(e * w for e, w in zip(errors, row)) for row in weights]
    else:
        input_gradients = [sum(column) for column in zip(*per_neuron)]
    return [[e * i for i in inputs] for e in errors], errors, input_gradients


def _random_layer(rng, square=False):
    num_inputs = int(rng.integers(1, 5))
    num_neurons = num_inputs if square else int(rng.integers(1, 5))
    return {
        "inputs": rng.normal(size=num_inputs).round(2).tolist(),
        "weights": rng.normal(size=(num_neurons, num_inputs)).round(2).tolist(),
        "biases": rng.normal(size=num_neurons).round(2).tolist(),
    }


def _random_backward(rng):
    case = _random_layer(rng)
    case["output_gradients"] = rng.normal(size=len(case["biases"])).round(2).tolist()
    return case


LAYERS = [
    # 2 inputs, 3 neurons: weights has 3 rows (one per neuron) of 2 weights
    {
        "inputs": [1.0, -2.0],
        "weights": [[0.5, 0.1], [-0.3, 0.8], [1.2, -0.7]],
        "biases": [0.0, 0.2, -0.1],
    },
    # 2 inputs, 2 neurons: square, so a transposed matrix still runs
    {"inputs": [0.5, 1.5], "weights": [[0.2, -0.4], [0.9, 0.3]], "biases": [0.1, -0.5]},
    # 3 inputs, 1 neuron
    {"inputs": [0.2, 0.4, 0.6], "weights": [[1.0, -1.0, 0.5]], "biases": [0.25]},
]

TRANSPOSED = (
    "The weights are read transposed: weights[j] holds the weights of neuron j, one per input, "
    "so w_jk is weights[j][k] (row j, column k)."
)

q1 = Task(
    number="5.1",
    function="layer_forward",
    reference=layer_forward,
    fixed=LAYERS,
    random=_random_layer,
    mistakes=[
        Mistake(
            TRANSPOSED,
            lambda inputs, weights, biases: _forward_with(inputs, weights, biases, transposed=True),
        ),
        Mistake(
            "The biases are missing: z_j = Σ_k w_jk i_k + b_j, each neuron with its own bias.",
            lambda inputs, weights, biases: _forward_with(inputs, weights, biases, bias=False),
        ),
        Mistake(
            "Those are the z_j, before the activation: a_j = σ(z_j).",
            lambda inputs, weights, biases: _forward_with(inputs, weights, biases, act=float),
        ),
        Mistake(
            "The sigmoid is applied twice: a_j = σ(z_j), once.",
            lambda inputs, weights, biases: [
                sigmoid(a) for a in layer_forward(inputs, weights, biases)
            ],
        ),
    ],
    errors={"IndexError": TRANSPOSED},
    hints=[
        "A layer is neurons side by side: neuron j has weights[j] and biases[j] and sees all "
        "the inputs.",
        "One neuron_forward per neuron: `[sigmoid(sum(w * i for w, i in zip(row, inputs)) + b) "
        "for row, b in zip(weights, biases)]`.",
    ],
    forbidden=LAYER_TOOLS + ("bp_lessons.layer.layer_forward",),
)

q2 = Task(
    number="5.2",
    function="layer_backward",
    reference=layer_backward,
    fixed=[
        dict(layer, output_gradients=g)
        for layer, g in zip(LAYERS, [[0.4, -0.2, 0.6], [1.0, 0.5], [-0.8]])
    ],
    random=_random_backward,
    parts=("weight gradients", "bias gradients", "input gradients"),
    mistakes=[
        Mistake(
            "The input gradients are those of the last neuron only: they were overwritten in "
            "the loop. Input k feeds every neuron, so dL/di_k = Σ_j dL/dz_j · w_jk: add them up.",
            lambda *args: _backward_with(*args, combine="last"),
        ),
        Mistake(
            "The input gradients are not summed over the neurons: you returned one list per "
            "neuron. Input k feeds every neuron, so dL/di_k = Σ_j dL/dz_j · w_jk, one number "
            "per input.",
            lambda *args: _backward_with(*args, combine="each"),
        ),
        Mistake(
            "The input gradients use the inputs: dz_j/di_k = w_jk, so dL/di_k = "
            "Σ_j dL/dz_j · w_jk.",
            lambda *args: _backward_with(*args, by_inputs=True),
        ),
        Mistake(
            TRANSPOSED
            + " The input gradient sums over the neurons j: Σ_j dL/dz_j · weights[j][k].",
            lambda *args: _backward_with(*args, combine="transposed"),
        ),
        Mistake(
            "activation_gradient is missing: dL/dz_j = dL/da_j · σ'(z_j) comes before every "
            "gradient of neuron j.",
            lambda *args: _backward_with(*args, derivative=lambda z: 1.0),
        ),
    ],
    errors={"IndexError": TRANSPOSED},
    hints=[
        "For each neuron j: z_j from the forward pass, then error_j = dL/da_j · σ'(z_j) = dL/dz_j. "
        "Its weight gradients are error_j · i_k, its bias gradient error_j.",
        "Start `input_gradients = [0.0] * len(inputs)` and, for every neuron j and input k, "
        "add error_j · w_jk to input_gradients[k].",
        "Return three things: `return weight_gradients, bias_gradients, input_gradients`.",
    ],
    forbidden=LAYER_TOOLS + ("bp_lessons.gradcheck.numerical_gradient",),
)
