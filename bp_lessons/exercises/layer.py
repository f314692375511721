"""Exercise 05 · A layer: many neurons on the same inputs, forward and backward; and the slope of
another activation, tanh, derived.

`weights[j][k]` is w_jk, the weight of neuron j for input k: one row per neuron. Input k reaches
the loss through every neuron, so its gradient is the SUM over the neurons j of ∂L/∂z_j · w_jk.
"""

import math

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
    """∂L/∂w_jk, ∂L/∂b_j and ∂L/∂i_k of a sigmoid layer, given ∂L/∂a_j for each neuron."""
    weight_gradients, bias_gradients = [], []
    input_gradients = [0.0] * len(inputs)
    for neuron_weights, bias, output_gradient in zip(weights, biases, output_gradients):
        z = sum(w * i for w, i in zip(neuron_weights, inputs)) + bias
        error = output_gradient * sigmoid_derivative(z)  # ∂L/∂z_j
        weight_gradients.append([error * i for i in inputs])
        bias_gradients.append(error)
        for k, w in enumerate(neuron_weights):
            input_gradients[k] += error * w  # summed over the neurons j
    return weight_gradients, bias_gradients, input_gradients


def tanh_derivative(z):
    """tanh'(z) = 1 − tanh(z)², from the quotient rule on (e^z − e^(−z)) / (e^z + e^(−z))."""
    t = math.tanh(z)  # math.tanh never overflows; cosh(z) and e^z do past |z| ≈ 710
    return 1.0 - t * t


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


def _random_tanh_point(rng):
    return {"z": round(float(rng.normal(scale=2)), 3)}


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
    axes={"result": ("neuron {i}",)},
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
    errors={
        "IndexError": TRANSPOSED,
        "ValueError: matmul": TRANSPOSED + " In NumPy: `np.array(weights) @ inputs`, "
        "(neurons, inputs) times (inputs,).",
    },
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
    axes={
        "weight gradients": ("neuron {i}", "input {i}"),
        "bias gradients": ("neuron {i}",),
        "input gradients": ("input {i}",),
    },
    fixed=[
        dict(layer, output_gradients=g)
        for layer, g in zip(LAYERS, [[0.4, -0.2, 0.6], [1.0, 0.5], [-0.8]])
    ],
    random=_random_backward,
    parts=("weight gradients", "bias gradients", "input gradients"),
    mistakes=[
        Mistake(
            "The input gradients are those of the last neuron only: they were overwritten in "
            "the loop. Input k feeds every neuron, so ∂L/∂i_k = Σ_j ∂L/∂z_j · w_jk: add them up.",
            lambda *args: _backward_with(*args, combine="last"),
        ),
        Mistake(
            "The input gradients are not summed over the neurons: you returned one list per "
            "neuron. Input k feeds every neuron, so ∂L/∂i_k = Σ_j ∂L/∂z_j · w_jk, one number "
            "per input.",
            lambda *args: _backward_with(*args, combine="each"),
        ),
        Mistake(
            "The input gradients use the inputs: ∂z_j/∂i_k = w_jk, so ∂L/∂i_k = "
            "Σ_j ∂L/∂z_j · w_jk.",
            lambda *args: _backward_with(*args, by_inputs=True),
        ),
        Mistake(
            TRANSPOSED
            + " The input gradient sums over the neurons j: Σ_j ∂L/∂z_j · weights[j][k].",
            lambda *args: _backward_with(*args, combine="transposed"),
        ),
        Mistake(
            "activation_gradient is missing: ∂L/∂z_j = ∂L/∂a_j · σ'(z_j) comes before every "
            "gradient of neuron j.",
            lambda *args: _backward_with(*args, derivative=lambda z: 1.0),
        ),
        Mistake(
            "σ' is taken at a_j = σ(z_j) instead of at z_j: that is σ(a_j)(1 − σ(a_j)). The "
            "slope belongs to the point each neuron was at, z_j (in terms of the output, "
            "a_j(1 − a_j), with no second σ).",
            lambda *args: _backward_with(
                *args, derivative=lambda z: sigmoid_derivative(sigmoid(z))
            ),
        ),
        Mistake(
            "That uses the notes' z·σ(z)(1 − σ(z)) as σ'(z); the slope is σ(z)(1 − σ(z)).",
            lambda *args: _backward_with(*args, derivative=lambda z: z * sigmoid_derivative(z)),
        ),
    ],
    errors={
        "IndexError": TRANSPOSED,
        "ValueError: matmul": TRANSPOSED + " In NumPy: z = `np.array(weights) @ inputs`, and "
        "the input gradients `np.array(weights).T @ errors`.",
    },
    hints=[
        "For each neuron j: z_j from the forward pass, then error_j = ∂L/∂a_j · σ'(z_j) = ∂L/∂z_j. "
        "Its weight gradients are error_j · i_k, its bias gradient error_j.",
        "Start `input_gradients = [0.0] * len(inputs)` and, for every neuron j and input k, "
        "add error_j · w_jk to input_gradients[k].",
        "Return three things: `return weight_gradients, bias_gradients, input_gradients`.",
    ],
    forbidden=LAYER_TOOLS + ("bp_lessons.gradcheck.numerical_gradient",),
)

q3 = Task(
    number="5.3",
    function="tanh_derivative",
    reference=tanh_derivative,
    # exact to rounding (the formula's float error is near 1e-16): a central difference, some
    # 1e-12 off, is not the formula the task asks for
    rtol=1e-12,
    atol=1e-13,
    # ±1000: cosh(z) and e^z overflow there, tanh(z) is ±1 and its slope 0
    fixed=[{"z": 0.0}, {"z": 0.5}, {"z": -1.2}, {"z": 3.0}, {"z": 1000.0}, {"z": -1000.0}],
    random=_random_tanh_point,
    mistakes=[
        Mistake(
            "That is 1 − z²: the form 1 − a² needs a = tanh(z), and this function is given z. "
            "Compute tanh(z) first.",
            lambda z: 1.0 - z * z,
        ),
        Mistake(
            "That is the sigmoid's form a(1 − a), with a = tanh(z). Each activation has its own "
            "slope: the quotient rule on tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)) gives "
            "1 − tanh(z)².",
            lambda z: math.tanh(z) * (1.0 - math.tanh(z)),
        ),
        Mistake(
            "That is σ'(z) = σ(z)(1 − σ(z)), the sigmoid's slope; the task asks for tanh's, "
            "1 − tanh(z)².",
            sigmoid_derivative,
        ),
        Mistake(
            "The sign before tanh(z)² is flipped: the quotient rule gives "
            "((e^z + e^(−z))² − (e^z − e^(−z))²) / (e^z + e^(−z))² = 1 − tanh(z)².",
            lambda z: 1.0 + math.tanh(z) ** 2,
        ),
        Mistake(
            "The square is missing: tanh'(z) = 1 − tanh(z)², not 1 − tanh(z) (which is not even "
            "symmetric, while tanh's slope is the same at z and −z).",
            lambda z: 1.0 - math.tanh(z),
        ),
        Mistake(
            "That is 1/cosh(z); tanh'(z) = 1/cosh(z)², the square of it, which is 1 − tanh(z)².",
            lambda z: 1.0 / math.cosh(z),
        ),
        Mistake(
            "That is 1/cosh(z) (with its overflow at ±1000 guarded, rightly); tanh'(z) = "
            "1/cosh(z)², the square of it, which is 1 − tanh(z)² and needs no guard.",
            lambda z: 0.0 if abs(z) > 700 else 1.0 / math.cosh(z),
        ),
        Mistake(
            "The slope is taken at a = tanh(z) instead of at z: that is 1 − tanh(tanh(z))². "
            "Take tanh once: t = tanh(z), then 1 − t².",
            lambda z: 1.0 - math.tanh(math.tanh(z)) ** 2,
        ),
        Mistake(
            "Right wherever it runs, but math.cosh (or math.exp) overflows at z = ±1000. Write "
            "the result with tanh, which never overflows: 1/cosh(z)² = 1 − tanh(z)².",
            lambda z: 1.0 / math.cosh(z) ** 2,
        ),
    ],
    errors={
        "OverflowError": "math.cosh and math.exp overflow above about 710: write the slope with "
        "math.tanh, which stays between −1 and 1: 1/cosh(z)² = 1 − tanh(z)²",
    },
    hints=[
        "Write tanh(z) = u/v with u = e^z − e^(−z) and v = e^z + e^(−z), and use the quotient "
        "rule (u/v)' = (u'v − uv')/v². What are u' and v'?",
        "u' = v and v' = u, so tanh'(z) = (v² − u²)/v² = 1 − (u/v)²: one minus tanh squared.",
        "`t = math.tanh(z)`, then `return 1 - t * t` (math.tanh never overflows).",
    ],
    forbidden=(
        "bp_lessons.activations.tanh_derivative",
        "bp_lessons.activations.get_activation",
        "bp_lessons.vectorized.tanh_derivative",
        "bp_lessons.gradcheck.numerical_gradient",
    ),
)
