"""Exercise 07 · Backpropagation: the output gradient of the layer before, then the whole backward
pass of an MLP.

For neuron k of layer l − 1: dL/da_k = Σ_j w_jk · σ'(z_j) · dL/da_j, summed over the neurons j of
layer l (the notes' `weight_from_next_layer * activation_gradient_from_next_layer *
output_gradient_from_next_layer`, added up over j). The loss is the mean over the outputs.
"""

from bp_lessons.activations import sigmoid, sigmoid_derivative
from bp_lessons.exercises.check import Mistake, Task
from bp_lessons.exercises.layer import TRANSPOSED
from bp_lessons.exercises.mlp_forward import NETWORKS, random_network

# the package's engines and gradient checks, which would do the backward pass for the learner
ENGINES = (
    "bp_lessons.neuron.Neuron",
    "bp_lessons.layer.Layer",
    "bp_lessons.mlp.MLP",
    "bp_lessons.vectorized.DenseLayer",
    "bp_lessons.vectorized.VectorizedMLP",
    "bp_lessons.gradcheck.numerical_gradient",
    "bp_lessons.gradcheck.gradient_check",
)


def output_gradient(next_weights, next_linear_activations, next_output_gradients):
    """dL/da_k = Σ_j w_jk σ'(z_j) dL/da_j, for every neuron k of the layer before."""
    return [
        sum(
            weights[k] * sigmoid_derivative(z) * gradient
            for weights, z, gradient in zip(
                next_weights, next_linear_activations, next_output_gradients
            )
        )
        for k in range(len(next_weights[0]))
    ]


def mlp_backward(inputs, weights, biases, labels):
    """dL/dw_jk and dL/db_j of every layer, for L = the mean of (a_j − y_j)² over the outputs."""
    layer_inputs, linear_activations, activations = [], [], inputs
    for layer_weights, layer_biases in zip(weights, biases):  # forward, keeping inputs and z
        z = [
            sum(w * a for w, a in zip(row, activations)) + b
            for row, b in zip(layer_weights, layer_biases)
        ]
        layer_inputs.append(activations)
        linear_activations.append(z)
        activations = [sigmoid(z_j) for z_j in z]
    n = len(labels)
    gradients = [2 * (a - y) / n for a, y in zip(activations, labels)]  # dL/da of the outputs
    weight_gradients, bias_gradients = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        errors = [g * sigmoid_derivative(z) for g, z in zip(gradients, linear_activations[layer])]
        weight_gradients[layer] = [[e * a for a in layer_inputs[layer]] for e in errors]
        bias_gradients[layer] = errors
        gradients = output_gradient(weights[layer], linear_activations[layer], gradients)
    return weight_gradients, bias_gradients


def _notes_derivative(z):
    return z * sigmoid_derivative(z)  # the notes' delta_act: wrong


def _output_gradient_with(weights, zs, gradients, *, combine="sum", derivative=sigmoid_derivative):
    """output_gradient with one piece swapped for a known mistake."""
    terms = [[w * derivative(z) * g for w in row] for row, z, g in zip(weights, zs, gradients)]
    if combine == "last":
        return terms[-1]
    if combine == "transposed":
        return [
            sum(w * derivative(z) * g for w, z, g in zip(row, zs, gradients)) for row in weights
        ]
    return [sum(column) for column in zip(*terms)]


def _backward_with(inputs, weights, biases, labels, *, factor=None, **swap):
    """mlp_backward with one piece swapped for a known mistake; factor(n) scales a − y."""
    derivative = swap.get("derivative", sigmoid_derivative)
    layer_inputs, zs, activations = [], [], inputs
    for layer_weights, layer_biases in zip(weights, biases):
        z = [
            sum(w * a for w, a in zip(row, activations)) + b
            for row, b in zip(layer_weights, layer_biases)
        ]
        layer_inputs.append(activations)
        zs.append(z)
        activations = [sigmoid(z_j) for z_j in z]
    scale = factor(len(labels)) if factor else 2 / len(labels)
    gradients = [scale * (a - y) for a, y in zip(activations, labels)]
    weight_gradients, bias_gradients = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        errors = [g * derivative(z) for g, z in zip(gradients, zs[layer])]
        weight_gradients[layer] = [[e * a for a in layer_inputs[layer]] for e in errors]
        bias_gradients[layer] = errors
        gradients = _output_gradient_with(weights[layer], zs[layer], gradients, **swap)
    return weight_gradients, bias_gradients


def _random_next_layer(rng, square=False):
    num_inputs = int(rng.integers(1, 5))
    num_neurons = num_inputs if square else int(rng.integers(1, 5))
    return {
        "next_weights": rng.normal(size=(num_neurons, num_inputs)).round(2).tolist(),
        "next_linear_activations": rng.normal(size=num_neurons).round(2).tolist(),
        "next_output_gradients": rng.normal(size=num_neurons).round(2).tolist(),
    }


def _random_labelled_network(rng):
    case = random_network(rng)
    case["labels"] = rng.random(len(case["biases"][-1])).round(2).tolist()
    return case


q1 = Task(
    number="7.1",
    function="output_gradient",
    reference=output_gradient,
    fixed=[
        # the next layer has 3 neurons, each with 2 weights: 2 neurons in the layer before
        {
            "next_weights": [[0.5, 0.1], [-0.3, 0.8], [1.2, -0.7]],
            "next_linear_activations": [0.4, -1.0, 0.2],
            "next_output_gradients": [0.6, -0.4, 1.0],
        },
        # square: 2 neurons with 2 weights each
        {
            "next_weights": [[0.2, -0.4], [0.9, 0.3]],
            "next_linear_activations": [1.5, -0.5],
            "next_output_gradients": [-0.8, 0.3],
        },
        # one output neuron, the notes' case: dL/da_1 = w · σ'(z) · dL/da
        {
            "next_weights": [[1.0, -1.0, 0.5]],
            "next_linear_activations": [0.3],
            "next_output_gradients": [-1.2],
        },
    ],
    random=_random_next_layer,
    mistakes=[
        Mistake(
            "That is the term of the last neuron j only: it was overwritten in the loop. "
            "Neuron k feeds every neuron j of the next layer, so dL/da_k = "
            "Σ_j w_jk σ'(z_j) dL/da_j: add the terms up.",
            lambda *args: _output_gradient_with(*args, combine="last"),
        ),
        Mistake(
            TRANSPOSED + " For neuron k, sum over the neurons j of next_weights[j][k].",
            lambda *args: _output_gradient_with(*args, combine="transposed"),
        ),
        Mistake(
            "That uses the notes' z·σ(z)(1 − σ(z)) as σ'(z); the slope is σ(z)(1 − σ(z)).",
            lambda *args: _output_gradient_with(*args, derivative=_notes_derivative),
        ),
        Mistake(
            "σ'(z_j) is missing: the path from a_k to the loss passes z_j, then a_j = σ(z_j), "
            "so each term is w_jk · σ'(z_j) · dL/da_j.",
            lambda *args: _output_gradient_with(*args, derivative=lambda z: 1.0),
        ),
    ],
    errors={"IndexError": TRANSPOSED},
    hints=[
        "One number per neuron k of the layer before, that is per column of next_weights.",
        "For each k: `sum(next_weights[j][k] * sigmoid_derivative(next_linear_activations[j]) "
        "* next_output_gradients[j] for j in range(len(next_weights)))`.",
    ],
    forbidden=ENGINES,
)

q2 = Task(
    number="7.2",
    function="mlp_backward",
    reference=mlp_backward,
    fixed=[
        dict(network, labels=labels)
        for network, labels in zip(NETWORKS, [[1.0], [0.0, 1.0, 0.5], [0.0]])
    ],
    random=_random_labelled_network,
    parts=("weight gradients", "bias gradients"),
    mistakes=[
        Mistake(
            "The factor 1/n is missing from the loss gradient. The loss is the MEAN over the "
            "n outputs, so dL/da_j = 2(a_j − y_j)/n.",
            lambda *args: _backward_with(*args, factor=lambda n: 2.0),
        ),
        Mistake(
            "The factor 2 is missing from the loss gradient: dL/da_j = 2(a_j − y_j)/n.",
            lambda *args: _backward_with(*args, factor=lambda n: 1 / n),
        ),
        Mistake(
            "That uses the notes' z·σ(z)(1 − σ(z)) as σ'(z); the slope is σ(z)(1 − σ(z)).",
            lambda *args: _backward_with(*args, derivative=_notes_derivative),
        ),
        Mistake(
            "The gradients handed to the layer before are those of its last neuron j only: "
            "dL/da_k = Σ_j w_jk σ'(z_j) dL/da_j sums over all the neurons j.",
            lambda *args: _backward_with(*args, combine="last"),
        ),
        Mistake(
            "The sign of the loss gradient is flipped: dL/da_j = 2(a_j − y_j)/n, output minus "
            "label.",
            lambda *args: _backward_with(*args, factor=lambda n: -2 / n),
        ),
    ],
    hints=[
        "Forward first, keeping each layer's inputs and z. Then dL/da of the outputs is "
        "2(a_j − y_j)/n.",
        "Go through the layers from the last: error_j = dL/da_j · σ'(z_j); weight gradients "
        "error_j · (layer input k); bias gradients error_j.",
        "Before moving to layer l − 1, hand it `output_gradient(weights[layer], z of layer l, "
        "dL/da of layer l)`. Return `weight_gradients, bias_gradients`, both indexed by layer.",
    ],
    forbidden=ENGINES,
)
