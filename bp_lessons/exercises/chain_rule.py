"""Exercise 04 · The chain rule for one neuron: σ'(z), a neuron's gradients, and a backward
that adds them up.

∂L/∂w_k = ∂L/∂a · ∂a/∂z · ∂z/∂w_k = `output_gradient * activation_gradient * input_activation`,
with ∂L/∂a = 2(a − label) for one output and ∂a/∂z = σ(z)(1 − σ(z)), not the notes'
z·σ(z)(1 − σ(z)).
"""

from bp_lessons.activations import sigmoid
from bp_lessons.exercises.calling import backward_on_a_neuron
from bp_lessons.exercises.check import Mistake, Task

NEURON_TOOLS = (  # everything in the package that computes a neuron's gradients
    "bp_lessons.neuron.Neuron",
    "bp_lessons.layer.Layer",
    "bp_lessons.mlp.MLP",
    "bp_lessons.vectorized.DenseLayer",
    "bp_lessons.vectorized.VectorizedMLP",
    "bp_lessons.gradcheck.numerical_gradient",
    "bp_lessons.gradcheck.gradient_check",
)


def sigmoid_derivative(z):
    """σ'(z) = σ(z)(1 − σ(z))"""
    s = sigmoid(z)
    return s * (1 - s)


def neuron_gradients(inputs, weights, bias, label):
    """∂L/∂w_k and ∂L/∂b of a sigmoid neuron with the loss L = (a − label)²."""
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    a = sigmoid(z)
    output_gradient = 2 * (a - label)  # ∂L/∂a
    activation_gradient = sigmoid_derivative(z)  # ∂a/∂z
    gradients = [output_gradient * activation_gradient * i for i in inputs]  # ∂z/∂w_k = i_k
    bias_gradient = output_gradient * activation_gradient  # ∂z/∂b = 1
    return gradients, bias_gradient


def neuron_backward(neuron, output_gradient):
    """ADD ∂L/∂w_k and ∂L/∂b into neuron.gradients and neuron.bias_gradient; return ∂L/∂i_k."""
    activation_gradient = sigmoid_derivative(neuron.linear_activation)  # ∂a/∂z
    error = output_gradient * activation_gradient  # ∂L/∂z
    for k, input_activation in enumerate(neuron.input_activation):
        neuron.gradients[k] += error * input_activation
    neuron.bias_gradient += error
    return [error * weight for weight in neuron.weights]  # ∂z/∂i_k = w_k


def _notes_derivative(z):
    return z * sigmoid_derivative(z)  # the notes' delta_act: wrong


def _derivative_at_a(z):
    return sigmoid_derivative(sigmoid(z))  # σ'(a) for σ'(z): the slope taken at the output


AT_A = (
    "σ' is taken at a = σ(z) instead of at z: that is σ(a)(1 − σ(a)). The slope of the "
    "activation belongs to the point the neuron was at, z; in terms of the output it is "
    "a(1 − a), with no second σ."
)


def _gradients_with(inputs, weights, bias, label, *, factor=2.0, derivative=sigmoid_derivative):
    """neuron_gradients with one piece swapped for a known mistake."""
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    error = factor * (sigmoid(z) - label) * derivative(z)
    return [error * i for i in inputs], error


def _backward_with(neuron, output_gradient, *, add=True, derivative=sigmoid_derivative, by="w"):
    """neuron_backward with one piece swapped for a known mistake; `add` is True, False, or
    the name of the one total that is added to ("gradients" or "bias_gradient")."""
    error = output_gradient * derivative(neuron.linear_activation)
    keep_w = 1.0 if add in (True, "gradients") else 0.0
    keep_b = 1.0 if add in (True, "bias_gradient") else 0.0
    neuron.gradients = [
        keep_w * g + error * i for g, i in zip(neuron.gradients, neuron.input_activation)
    ]
    neuron.bias_gradient = keep_b * neuron.bias_gradient + error
    return [error * v for v in (neuron.weights if by == "w" else neuron.input_activation)]


def _random_z(rng):
    return {"z": round(float(rng.normal(scale=3)), 3)}


def _random_example(rng):
    n = int(rng.integers(1, 5))
    return {
        "inputs": rng.normal(size=n).round(2).tolist(),
        "weights": rng.normal(size=n).round(2).tolist(),
        "bias": round(float(rng.normal()), 2),
        "label": float(rng.integers(0, 2)),
    }


def _random_backward(rng):
    n = int(rng.integers(1, 5))
    case = {k: rng.normal(size=n).round(2).tolist() for k in ("weights", "inputs", "gradients")}
    return {
        "weights": case["weights"],
        "bias": round(float(rng.normal()), 2),
        "inputs": case["inputs"],
        "gradients": case["gradients"],
        "bias_gradient": round(float(rng.normal()), 2),
        "output_gradient": round(float(rng.normal()), 2),
    }


q1 = Task(
    number="4.1",
    function="sigmoid_derivative",
    reference=sigmoid_derivative,
    # exact to rounding (the formula's float error is near 1e-16): a central difference, some
    # 1e-12 off, is not the formula the task asks for
    rtol=1e-12,
    atol=1e-13,
    fixed=[{"z": 0.0}, {"z": 2.0}, {"z": -1.5}, {"z": 1000.0}, {"z": -1000.0}],
    random=_random_z,
    mistakes=[
        Mistake(
            "That is the notes' z·σ(z)(1 − σ(z)). The factor z does not belong: the slope of σ "
            "at z is σ'(z) = σ(z)(1 − σ(z)), as a central difference shows (lesson 04).",
            _notes_derivative,
        ),
        Mistake(
            "That is z(1 − z): the form a(1 − a) needs a = σ(z), and this function is given z. "
            "Compute σ(z) first.",
            lambda z: z * (1 - z),
        ),
        Mistake(
            "That is σ(z), the sigmoid itself; its slope is σ(z)(1 − σ(z)).",
            sigmoid,
        ),
        Mistake(
            "The sigmoid is applied twice: that is σ'(σ(z)). Take σ of z once: "
            "s = σ(z), then s(1 − s).",
            lambda z: sigmoid_derivative(sigmoid(z)),
        ),
    ],
    hints=[
        "Write s = σ(z) (with `sigmoid`, imported above); the slope is a product of s and "
        "one more factor.",
        "σ'(z) = σ(z)(1 − σ(z)): `s = sigmoid(z)`, then `return s * (1 - s)`.",
    ],
    forbidden=(
        "bp_lessons.activations.sigmoid_derivative",
        "bp_lessons.activations.get_activation",
        "bp_lessons.vectorized.sigmoid_derivative",
        "bp_lessons.gradcheck.numerical_gradient",
    ),
)

q2 = Task(
    number="4.2",
    function="neuron_gradients",
    reference=neuron_gradients,
    axes={"weight gradients": ("weight {i}",)},
    fixed=[
        {"inputs": [0.5, 1.0, -2.0], "weights": [0.4, -0.6, 0.3], "bias": 0.2, "label": 1.0},
        {"inputs": [1.0, 2.0], "weights": [0.5, -0.25], "bias": -0.1, "label": 0.0},
        {"inputs": [3.0], "weights": [0.8], "bias": -1.0, "label": 1.0},
    ],
    random=_random_example,
    parts=("weight gradients", "bias gradient"),
    mistakes=[
        Mistake(
            "The notes' sigmoid derivative z·σ(z)(1 − σ(z)) scales every gradient by z: "
            "∂a/∂z = σ(z)(1 − σ(z)).",
            lambda inputs, weights, bias, label: _gradients_with(
                inputs, weights, bias, label, derivative=_notes_derivative
            ),
        ),
        Mistake(
            "The factor 2 is missing from output_gradient: the slope of (a − label)² is "
            "∂L/∂a = 2(a − label).",
            lambda inputs, weights, bias, label: _gradients_with(
                inputs, weights, bias, label, factor=1.0
            ),
        ),
        Mistake(
            "activation_gradient is missing: between ∂L/∂a and ∂z/∂w_k comes "
            "∂a/∂z = σ(z)(1 − σ(z)).",
            lambda inputs, weights, bias, label: _gradients_with(
                inputs, weights, bias, label, derivative=lambda z: 1.0
            ),
        ),
        Mistake(
            "The bias is missing from z: z = Σ_k w_k i_k + b, and both a and σ'(z) depend on it.",
            lambda inputs, weights, bias, label: neuron_gradients(inputs, weights, 0.0, label),
        ),
        Mistake(
            "The sign is flipped: output_gradient = 2(a − label), output minus label.",
            lambda inputs, weights, bias, label: _gradients_with(
                inputs, weights, bias, label, factor=-2.0
            ),
        ),
        Mistake(
            AT_A,
            lambda inputs, weights, bias, label: _gradients_with(
                inputs, weights, bias, label, derivative=_derivative_at_a
            ),
        ),
    ],
    hints=[
        "Forward first: z = Σ_k w_k i_k + b and a = σ(z). Then the three factors: "
        "output_gradient = 2(a − label), activation_gradient = σ'(z), input_activation = i_k.",
        "Each weight's gradient is output_gradient · activation_gradient · i_k; the bias's is "
        "the same product without the input (∂z/∂b = 1).",
        "Return a pair: `return [og * ag * i for i in inputs], og * ag`.",
    ],
    forbidden=NEURON_TOOLS,
)

q3 = Task(
    number="4.3",
    function="neuron_backward",
    reference=neuron_backward,
    axes={"input gradients": ("input {i}",), "gradients": ("weight {i}",)},
    fixed=[
        {
            "weights": [0.4, -0.6, 0.3],
            "bias": 0.2,
            "inputs": [0.5, 1.0, -2.0],
            "gradients": [0.0, 0.0, 0.0],
            "bias_gradient": 0.0,
            "output_gradient": -0.9,
        },
        {
            "weights": [0.5, -0.25],
            "bias": -0.1,
            "inputs": [1.0, 2.0],
            "gradients": [0.1, -0.2],
            "bias_gradient": 0.05,
            "output_gradient": 0.8,
        },
        {
            "weights": [1.5],
            "bias": 0.0,
            "inputs": [-1.0],
            "gradients": [0.3],
            "bias_gradient": -0.4,
            "output_gradient": 1.2,
        },
    ],
    random=_random_backward,
    call=backward_on_a_neuron,
    parts=("input gradients", "gradients", "bias_gradient"),
    mistakes=[
        Mistake(
            "The gradients are overwritten: backward must ADD into neuron.gradients and "
            "neuron.bias_gradient (+=), so that a batch's examples each add their share. "
            "The notes' backward_pass overwrites them; zero_grad() is what resets them.",
            lambda neuron, output_gradient: _backward_with(neuron, output_gradient, add=False),
        ),
        Mistake(
            "neuron.bias_gradient is overwritten (=), though neuron.gradients is added to: "
            "backward must ADD into both (`neuron.bias_gradient += error`), so that a batch's "
            "examples each add their share.",
            lambda neuron, output_gradient: _backward_with(
                neuron, output_gradient, add="gradients"
            ),
        ),
        Mistake(
            "neuron.gradients is overwritten (=), though neuron.bias_gradient is added to: "
            "backward must ADD into both (`neuron.gradients[k] += error * "
            "neuron.input_activation[k]`), so that a batch's examples each add their share.",
            lambda neuron, output_gradient: _backward_with(
                neuron, output_gradient, add="bias_gradient"
            ),
        ),
        Mistake(
            "The input gradients use the inputs: ∂z/∂i_k = w_k, so ∂L/∂i_k = ∂L/∂z · w_k.",
            lambda neuron, output_gradient: _backward_with(neuron, output_gradient, by="i"),
        ),
        Mistake(
            "That uses the notes' z·σ(z)(1 − σ(z)) as ∂a/∂z; the slope is σ(z)(1 − σ(z)).",
            lambda neuron, output_gradient: _backward_with(
                neuron, output_gradient, derivative=_notes_derivative
            ),
        ),
        Mistake(
            "activation_gradient is missing: ∂L/∂z = output_gradient · σ'(z), with z the "
            "neuron's linear_activation.",
            lambda neuron, output_gradient: _backward_with(
                neuron, output_gradient, derivative=lambda z: 1.0
            ),
        ),
        Mistake(
            AT_A + " Here z is neuron.linear_activation.",
            lambda neuron, output_gradient: _backward_with(
                neuron, output_gradient, derivative=_derivative_at_a
            ),
        ),
    ],
    errors={
        "AttributeError": "the neuron has .weights, .bias, .input_activation, "
        ".linear_activation, .gradients and .bias_gradient, as bp_lessons.Neuron does",
    },
    hints=[
        "error = output_gradient · σ'(neuron.linear_activation) is ∂L/∂z; every gradient below "
        "is error times one more factor.",
        "Add, don't assign: `neuron.gradients[k] += error * neuron.input_activation[k]` and "
        "`neuron.bias_gradient += error`.",
        "Return one number per input: `[error * w for w in neuron.weights]`.",
    ],
    forbidden=NEURON_TOOLS,
)
