"""Exercise 07 · Backpropagation: the output gradient of the layer before, the whole backward
pass of an MLP, a backward pass through two hidden layers by hand, and the gradient of a loss the
lessons did not give (the mean absolute error).

For neuron k of layer l − 1: ∂L/∂a_k = Σ_j w_jk · σ'(z_j) · ∂L/∂a_j, summed over the neurons j of
layer l (the notes' `weight_from_next_layer * activation_gradient_from_next_layer *
output_gradient_from_next_layer`, added up over j). The loss is the mean over the outputs.
"""

from bp_lessons.activations import sigmoid, sigmoid_derivative
from bp_lessons.exercises.check import BIAS_AXES, NETWORK_AXES, Mistake, Task
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
    """∂L/∂a_k = Σ_j w_jk σ'(z_j) ∂L/∂a_j, for every neuron k of the layer before."""
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
    """∂L/∂w_jk and ∂L/∂b_j of every layer, for L = the mean of (a_j − y_j)² over the outputs."""
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
    gradients = [2 * (a - y) / n for a, y in zip(activations, labels)]  # ∂L/∂a of the outputs
    weight_gradients, bias_gradients = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        errors = [g * sigmoid_derivative(z) for g, z in zip(gradients, linear_activations[layer])]
        weight_gradients[layer] = [[e * a for a in layer_inputs[layer]] for e in errors]
        bias_gradients[layer] = errors
        gradients = output_gradient(weights[layer], linear_activations[layer], gradients)
    return weight_gradients, bias_gradients


def chain_backward(x, w1, b1, w2, b2, w3, b3, label):
    """∂L/∂w and ∂L/∂b of every layer of the chain x → a1 → a2 → a3 (one sigmoid neuron per
    layer), for L = (a3 − label)²: [∂L/∂w1, ∂L/∂b1, ∂L/∂w2, ∂L/∂b2, ∂L/∂w3, ∂L/∂b3]."""
    z1 = w1 * x + b1
    a1 = sigmoid(z1)
    z2 = w2 * a1 + b2
    a2 = sigmoid(z2)
    z3 = w3 * a2 + b3
    a3 = sigmoid(z3)
    delta3 = 2 * (a3 - label) * sigmoid_derivative(z3)  # ∂L/∂z3 = ∂L/∂a3 · ∂a3/∂z3
    delta2 = delta3 * w3 * sigmoid_derivative(z2)  # · ∂z3/∂a2 · ∂a2/∂z2
    delta1 = delta2 * w2 * sigmoid_derivative(z1)  # · ∂z2/∂a1 · ∂a1/∂z1
    return [delta1 * x, delta1, delta2 * a1, delta2, delta3 * a2, delta3]  # ∂z_l/∂w_l = a_(l−1)


def mae_gradient(outputs, labels):
    """∂L/∂a_j of the mean absolute error L = (1/n) Σ_j |a_j − y_j|: sign(a_j − y_j)/n, and 0
    where a_j = y_j (the kink of |·|)."""
    n = len(outputs)
    return [(1.0 if a > y else -1.0 if a < y else 0.0) / n for a, y in zip(outputs, labels)]


def _notes_derivative(z):
    return z * sigmoid_derivative(z)  # the notes' delta_act: wrong


def _derivative_at_a(z):
    return sigmoid_derivative(sigmoid(z))  # σ'(a) for σ'(z): the slope taken at the output


AT_A = (
    "σ' is taken at a = σ(z) instead of at z: that is σ(a)(1 − σ(a)). The slope belongs to "
    "the point each neuron was at, z_j (in terms of its output, a_j(1 − a_j), with no second σ)."
)


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


def _backward_with(
    inputs,
    weights,
    biases,
    labels,
    *,
    scale=None,
    derivative=sigmoid_derivative,
    handoff=None,
    combine="sum",
):
    """mlp_backward with one piece swapped for a known mistake: scale(inputs, labels) replaces
    2/n; `handoff` is the σ' of the gradient handed to the layer before (default: derivative)."""
    layer_inputs, zs, activations = [], [], inputs
    for layer_weights, layer_biases in zip(weights, biases):
        z = [
            sum(w * a for w, a in zip(row, activations)) + b
            for row, b in zip(layer_weights, layer_biases)
        ]
        layer_inputs.append(activations)
        zs.append(z)
        activations = [sigmoid(z_j) for z_j in z]
    factor = scale(inputs, labels) if scale else 2 / len(labels)
    gradients = [factor * (a - y) for a, y in zip(activations, labels)]
    weight_gradients, bias_gradients = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        errors = [g * derivative(z) for g, z in zip(gradients, zs[layer])]
        weight_gradients[layer] = [[e * a for a in layer_inputs[layer]] for e in errors]
        bias_gradients[layer] = errors
        gradients = _output_gradient_with(
            weights[layer], zs[layer], gradients, combine=combine, derivative=handoff or derivative
        )
    return weight_gradients, bias_gradients


def _chain_with(
    x, w1, b1, w2, b2, w3, b3, label, *, factor=2.0, derivative=sigmoid_derivative, **swap
):
    """chain_backward with one piece swapped for a known mistake."""
    a1 = sigmoid(w1 * x + b1)
    a2 = sigmoid(w2 * a1 + b2)
    a3 = sigmoid(w3 * a2 + b3)
    zs = [w1 * x + b1, w2 * a1 + b2, w3 * a2 + b3]
    weights, outputs = [w1, w2, w3], [a1, a2, a3]
    gradient = factor * (a3 - label)  # ∂L/∂a3
    deltas = [0.0, 0.0, 0.0]
    for layer in (2, 1, 0):
        slope = 1.0 if swap.get("hidden_slope") is False and layer < 2 else derivative(zs[layer])
        deltas[layer] = gradient * slope
        if swap.get("skip_slope"):  # hands back w · ∂L/∂a, skipping this layer's σ'
            gradient = gradient * (weights[layer] if not swap.get("no_weight") else 1.0)
        else:
            gradient = deltas[layer] * (weights[layer] if not swap.get("no_weight") else 1.0)
    layer_inputs = outputs if swap.get("own_output") else [x, a1, a2]
    found = []
    for delta, layer_input in zip(deltas, layer_inputs):
        found += [delta * layer_input, delta]
    return found


def _mae_with(outputs, labels, *, n=True, sign=1.0, tie=0.0, slope=None):
    """mae_gradient with one piece swapped for a known mistake; slope(a, y) replaces sign(a − y)."""
    count = len(outputs) if n else 1
    return [
        (slope(a, y) if slope else sign * (1.0 if a > y else -1.0 if a < y else tie)) / count
        for a, y in zip(outputs, labels)
    ]


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
    axes={"result": ("neuron k = {i}",)},
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
        # one output neuron, the notes' case: ∂L/∂a_1 = w · σ'(z) · ∂L/∂a
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
            "Neuron k feeds every neuron j of the next layer, so ∂L/∂a_k = "
            "Σ_j w_jk σ'(z_j) ∂L/∂a_j: add the terms up.",
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
            "so each term is w_jk · σ'(z_j) · ∂L/∂a_j.",
            lambda *args: _output_gradient_with(*args, derivative=lambda z: 1.0),
        ),
        Mistake(AT_A, lambda *args: _output_gradient_with(*args, derivative=_derivative_at_a)),
    ],
    errors={
        "IndexError": TRANSPOSED,
        "ValueError: matmul": TRANSPOSED + " In NumPy: ∂L/∂a = `np.array(next_weights).T @ "
        "errors`, (inputs, neurons) times (neurons,).",
    },
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
    axes={"weight gradients": NETWORK_AXES, "bias gradients": BIAS_AXES},
    fixed=[
        dict(network, labels=labels)
        for network, labels in zip(NETWORKS, [[1.0], [0.0, 1.0, 0.5], [0.0]])
    ],
    random=_random_labelled_network,
    parts=("weight gradients", "bias gradients"),
    mistakes=[
        Mistake(
            "The factor 1/n is missing from the loss gradient. The loss is the MEAN over the "
            "n outputs, so ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda *args: _backward_with(*args, scale=lambda inputs, labels: 2.0),
        ),
        Mistake(
            "The factor 2 is missing from the loss gradient: ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda *args: _backward_with(*args, scale=lambda inputs, labels: 1 / len(labels)),
        ),
        Mistake(
            "Both the 2 and the 1/n are missing from the loss gradient: the loss is the MEAN of "
            "(a_j − y_j)² over the n outputs, so ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda *args: _backward_with(*args, scale=lambda inputs, labels: 1.0),
        ),
        Mistake(
            "The loss gradient is divided by the number of inputs: n in ∂L/∂a_j = "
            "2(a_j − y_j)/n counts the OUTPUTS the loss averages over, len(labels).",
            lambda *args: _backward_with(*args, scale=lambda inputs, labels: 2 / len(inputs)),
        ),
        Mistake(
            "That uses the notes' z·σ(z)(1 − σ(z)) as σ'(z); the slope is σ(z)(1 − σ(z)).",
            lambda *args: _backward_with(*args, derivative=_notes_derivative),
        ),
        Mistake(
            "The last layer's gradients are right, the layers' before it are not: the gradient "
            "handed back, ∂L/∂a_k = Σ_j w_jk σ'(z_j) ∂L/∂a_j, uses the notes' z·σ(z)(1 − σ(z)) "
            "for σ'(z_j) (is your output_gradient of Exercise 7.1 right?). σ'(z) = σ(z)(1 − σ(z)).",
            lambda *args: _backward_with(*args, handoff=_notes_derivative),
        ),
        Mistake(AT_A, lambda *args: _backward_with(*args, derivative=_derivative_at_a)),
        Mistake(
            "The gradients handed to the layer before are those of its last neuron j only: "
            "∂L/∂a_k = Σ_j w_jk σ'(z_j) ∂L/∂a_j sums over all the neurons j.",
            lambda *args: _backward_with(*args, combine="last"),
        ),
        Mistake(
            "The sign of the loss gradient is flipped: ∂L/∂a_j = 2(a_j − y_j)/n, output minus "
            "label.",
            lambda *args: _backward_with(*args, scale=lambda inputs, labels: -2 / len(labels)),
        ),
    ],
    hints=[
        "Forward first, keeping each layer's inputs and z. Then ∂L/∂a of the outputs is "
        "2(a_j − y_j)/n.",
        "Go through the layers from the last: error_j = ∂L/∂a_j · σ'(z_j); weight gradients "
        "error_j · (layer input k); bias gradients error_j.",
        "Before moving to layer l − 1, hand it `output_gradient(weights[layer], z of layer l, "
        "∂L/∂a of layer l)`. Return `weight_gradients, bias_gradients`, both indexed by layer.",
    ],
    forbidden=ENGINES,
)


def _random_chain(rng):
    weights = (rng.normal(size=3) * 1.5).round(2).tolist()
    biases = rng.normal(size=3).round(2).tolist()
    return {
        "x": round(float(rng.normal()), 2),
        "w1": weights[0],
        "b1": biases[0],
        "w2": weights[1],
        "b2": biases[1],
        "w3": weights[2],
        "b3": biases[2],
        "label": float(rng.integers(0, 2)),
    }


def _random_outputs(rng):
    n = int(rng.integers(1, 6))
    outputs = rng.random(n).round(2)
    labels = rng.random(n).round(2)
    ties = rng.random(n) < 0.25  # the kink of |a − y| comes up now and then
    labels[ties] = outputs[ties]
    return {"outputs": outputs.tolist(), "labels": labels.tolist()}


CHAIN_PARTS = ("∂L/∂w1", "∂L/∂b1", "∂L/∂w2", "∂L/∂b2", "∂L/∂w3", "∂L/∂b3")


def _chain(**swap):
    return lambda *args: _chain_with(*args, **swap)


q3 = Task(
    number="7.3",
    function="chain_backward",
    reference=chain_backward,
    # a derivation: exact to rounding (the formula's float error is near 1e-16); a central
    # difference, some 1e-11 off, or float32 is not the formula the task asks for
    rtol=1e-12,
    atol=1e-13,
    fixed=[
        {
            "x": 1.5,
            "w1": 0.8,
            "b1": -0.2,
            "w2": -1.1,
            "b2": 0.3,
            "w3": 1.6,
            "b3": -0.4,
            "label": 1.0,
        },
        {
            "x": -0.5,
            "w1": 2.0,
            "b1": 0.5,
            "w2": 0.7,
            "b2": -0.6,
            "w3": -1.3,
            "b3": 0.2,
            "label": 0.0,
        },
        {
            "x": 2.0,
            "w1": -0.6,
            "b1": 0.1,
            "w2": 1.8,
            "b2": -0.9,
            "w3": 0.9,
            "b3": 0.4,
            "label": 0.0,
        },
    ],
    random=_random_chain,
    parts=CHAIN_PARTS,
    mistakes=[
        Mistake(
            "The weight gradients use each layer's own output: z_l = w_l a_(l−1) + b_l, so "
            "∂z_l/∂w_l = a_(l−1), the layer's INPUT (x for layer 1, a1 for layer 2, a2 for "
            "layer 3).",
            _chain(own_output=True),
        ),
        Mistake(
            "The weights are missing on the way back: z3 = w3 a2 + b3, so ∂z3/∂a2 = w3 and "
            "∂L/∂z2 = ∂L/∂z3 · w3 · σ'(z2); likewise ∂L/∂z1 = ∂L/∂z2 · w2 · σ'(z1). Layer 3's "
            "gradients are right.",
            _chain(no_weight=True),
        ),
        Mistake(
            "The hidden layers' σ' is missing: a2 = σ(z2), so ∂L/∂z2 = ∂L/∂a2 · σ'(z2), with "
            "∂L/∂a2 = w3 · ∂L/∂z3; likewise σ'(z1) in layer 1. Layer 3's gradients are right.",
            _chain(hidden_slope=False),
        ),
        Mistake(
            "The gradient handed back skips σ': ∂L/∂a2 = ∂L/∂z3 · w3, with ∂L/∂z3 = ∂L/∂a3 · "
            "σ'(z3), not ∂L/∂a3 · w3. The path from a2 to the loss passes z3 and then "
            "a3 = σ(z3). Layer 3's gradients are right.",
            _chain(skip_slope=True),
        ),
        Mistake(
            "σ' is taken at the outputs a = σ(z) instead of at z: σ(a)(1 − σ(a)) in every layer. "
            "The slope belongs to the point each neuron was at: σ'(z) = σ(z)(1 − σ(z)) = "
            "a(1 − a).",
            _chain(derivative=_derivative_at_a),
        ),
        Mistake(
            "That uses the notes' z·σ(z)(1 − σ(z)) as σ'(z); the slope is σ(z)(1 − σ(z)).",
            _chain(derivative=_notes_derivative),
        ),
        Mistake(
            "The factor 2 is missing: L = (a3 − label)², so ∂L/∂a3 = 2(a3 − label).",
            _chain(factor=1.0),
        ),
        Mistake(
            "The sign is flipped: ∂L/∂a3 = 2(a3 − label), output minus label.",
            _chain(factor=-2.0),
        ),
    ],
    hints=[
        "Forward first: z1 = w1·x + b1, a1 = σ(z1), then z2, a2, z3, a3. Start the way back "
        "with δ3 = ∂L/∂z3 = 2(a3 − label)·σ'(z3).",
        "Each step back multiplies by ∂z_(l+1)/∂a_l = w_(l+1) and by ∂a_l/∂z_l = σ'(z_l): "
        "δ2 = δ3·w3·σ'(z2), δ1 = δ2·w2·σ'(z1).",
        "∂L/∂w_l = δ_l times the layer's input (x, a1, a2), ∂L/∂b_l = δ_l. Return "
        "`[d1 * x, d1, d2 * a1, d2, d3 * a2, d3]`.",
    ],
    forbidden=ENGINES,
)

q4 = Task(
    number="7.4",
    function="mae_gradient",
    reference=mae_gradient,
    # exact to rounding (the formula's float error is near 1e-16): a central difference, some
    # 1e-12 off, is not the formula the task asks for
    rtol=1e-12,
    atol=1e-13,
    fixed=[
        {"outputs": [0.8], "labels": [1.0]},
        {"outputs": [0.5, 0.2, 0.9], "labels": [1.0, 0.0, 1.0]},
        {"outputs": [0.25, 0.75, 0.5, 1.0], "labels": [0.0, 1.0, 0.5, 0.0]},  # a tie: a = y
    ],
    random=_random_outputs,
    axes={"result": ("output {i}",)},
    mistakes=[
        Mistake(
            "The factor 1/n is missing: the loss is the MEAN of |a_j − y_j| over the n outputs, "
            "so ∂L/∂a_j = sign(a_j − y_j)/n.",
            lambda outputs, labels: _mae_with(outputs, labels, n=False),
        ),
        Mistake(
            "The sign is flipped: |a − y| grows with a when a > y, so its slope there is +1; "
            "∂L/∂a_j = sign(a_j − y_j)/n, output minus label.",
            lambda outputs, labels: _mae_with(outputs, labels, sign=-1.0),
        ),
        Mistake(
            "That is the gradient of the mean SQUARED error, 2(a_j − y_j)/n. The absolute "
            "value's slope does not grow with the distance: it is +1 or −1, so "
            "∂L/∂a_j = sign(a_j − y_j)/n.",
            lambda outputs, labels: _mae_with(outputs, labels, slope=lambda a, y: 2 * (a - y)),
        ),
        Mistake(
            "That grows with the distance a_j − y_j; the slope of |a − y| is +1 where a > y and "
            "−1 where a < y, whatever the distance: ∂L/∂a_j = sign(a_j − y_j)/n.",
            lambda outputs, labels: _mae_with(outputs, labels, slope=lambda a, y: a - y),
        ),
        Mistake(
            "Those are the outputs' shares of the loss, |a_j − y_j|/n, not its slope: "
            "∂L/∂a_j = sign(a_j − y_j)/n.",
            lambda outputs, labels: _mae_with(outputs, labels, slope=lambda a, y: abs(a - y)),
        ),
        Mistake(
            "Right except where a_j = y_j: there |a − y| has a kink, and the task asks for 0 "
            "(as np.sign(0) gives), not +1/n.",
            lambda outputs, labels: _mae_with(outputs, labels, tie=1.0),
        ),
        Mistake(
            "Right except where a_j = y_j: there |a − y| has a kink, and the task asks for 0 "
            "(as np.sign(0) gives), not −1/n.",
            lambda outputs, labels: _mae_with(outputs, labels, tie=-1.0),
        ),
        Mistake(
            "Right except where a_j = y_j, where it gives nan: (a − y)/|a − y| is 0/0 there. At "
            "that kink of |a − y| the task asks for 0, as np.sign(0) gives.",
            lambda outputs, labels: _mae_with(outputs, labels, tie=float("nan")),
        ),
    ],
    errors={
        "ZeroDivisionError": "(a − y)/|a − y| divides by 0 where a_j = y_j: at that kink of "
        "|a − y| the task asks for 0, as np.sign(0) gives",
    },
    hints=[
        "Only the term of output j depends on a_j: ∂L/∂a_j = (1/n) · d|a_j − y_j|/da_j. "
        "What is the slope of |u| for u > 0, and for u < 0?",
        "|u| is u for u > 0 (slope +1) and −u for u < 0 (slope −1): ∂L/∂a_j = "
        "sign(a_j − y_j)/n, and 0 where a_j = y_j.",
        "`[(1.0 if a > y else -1.0 if a < y else 0.0) / len(outputs) for a, y in "
        "zip(outputs, labels)]`",
    ],
    forbidden=("bp_lessons.gradcheck.numerical_gradient", "bp_lessons.gradcheck.gradient_check"),
)
