"""Exercise 06 · The forward pass of an MLP: layers in sequence, and every layer's activations.

Layers count from 1, as in the lessons: a⁽⁰⁾ is the input, a⁽ᴺ⁾ the output of layer N. A network
is `weights[l - 1][j][k]` (w_jk of layer l: neuron j, input k) and `biases[l - 1][j]`; each
layer's outputs are the next layer's inputs. Every layer uses the sigmoid.
"""

from bp_lessons.activations import sigmoid
from bp_lessons.exercises.check import Mistake, Task
from bp_lessons.layer import layer_forward

NETWORK_TOOLS = ("bp_lessons.mlp.MLP", "bp_lessons.vectorized.VectorizedMLP")


def mlp_forward(inputs, weights, biases):
    """The outputs of the last layer: each layer's outputs are the next layer's inputs."""
    activations = inputs
    for layer_weights, layer_biases in zip(weights, biases):
        activations = layer_forward(activations, layer_weights, layer_biases)
    return activations


def forward_trace(inputs, weights, biases):
    """The activations of every layer, the inputs first: [a⁽⁰⁾, a⁽¹⁾, …, a⁽ᴺ⁾]."""
    trace = [list(inputs)]
    for layer_weights, layer_biases in zip(weights, biases):
        trace.append(layer_forward(trace[-1], layer_weights, layer_biases))
    return trace


def _layer(inputs, weights, biases, *, act=sigmoid, bias=True):
    return [
        act(sum(w * i for w, i in zip(row, inputs)) + (b if bias else 0.0))
        for row, b in zip(weights, biases)
    ]


def _trace_with(inputs, weights, biases, *, chain=True, **swap):
    """forward_trace with one piece swapped for a known mistake."""
    trace = [list(inputs)]
    for layer_weights, layer_biases in zip(weights, biases):
        layer_inputs = trace[-1] if chain else inputs
        trace.append(_layer(layer_inputs, layer_weights, layer_biases, **swap))
    return trace


def _z_trace(inputs, weights, biases):
    """[a⁽⁰⁾, z⁽¹⁾, …, z⁽ᴺ⁾]: the layers' z where their activations belong."""
    trace, activations = [list(inputs)], inputs
    for layer_weights, layer_biases in zip(weights, biases):
        trace.append(_layer(activations, layer_weights, layer_biases, act=float))
        activations = layer_forward(activations, layer_weights, layer_biases)
    return trace


def random_network(rng):
    sizes = [int(n) for n in rng.integers(1, 4, size=int(rng.integers(2, 5)))]
    return {
        "inputs": rng.normal(size=sizes[0]).round(2).tolist(),
        "weights": [rng.normal(size=(m, n)).round(2).tolist() for n, m in zip(sizes, sizes[1:])],
        "biases": [rng.normal(size=m).round(2).tolist() for m in sizes[1:]],
    }


NETWORKS = [
    # sizes [2, 2, 1]: 2 inputs, a hidden layer of 2 neurons, 1 output
    {
        "inputs": [1.0, 0.0],
        "weights": [[[0.5, -0.5], [1.0, 1.0]], [[2.0, -1.0]]],
        "biases": [[0.0, -0.5], [0.1]],
    },
    # sizes [3, 3, 3]: the same width everywhere
    {
        "inputs": [0.5, -1.0, 2.0],
        "weights": [
            [[0.1, 0.2, 0.3], [-0.4, 0.5, 0.1], [0.3, -0.2, 0.6]],
            [[1.0, -1.0, 0.5], [0.2, 0.4, -0.6], [-0.3, 0.1, 0.9]],
        ],
        "biases": [[0.1, 0.0, -0.1], [0.2, -0.2, 0.0]],
    },
    # sizes [2, 3, 2, 1]: three layers
    {
        "inputs": [-0.5, 1.5],
        "weights": [
            [[0.7, -0.3], [0.2, 0.9], [-1.1, 0.4]],
            [[0.5, -0.5, 1.0], [0.3, 0.8, -0.2]],
            [[1.5, -2.0]],
        ],
        "biases": [[0.0, 0.1, -0.2], [0.3, -0.1], [0.05]],
    },
]

q1 = Task(
    number="6.1",
    function="mlp_forward",
    reference=mlp_forward,
    axes={"result": ("output neuron {i}",)},
    fixed=NETWORKS,
    random=random_network,
    mistakes=[
        Mistake(
            "Every layer got the network's inputs: each layer's inputs are the previous "
            "layer's outputs (`activations = layer_forward(activations, …)`).",
            lambda inputs, weights, biases: _trace_with(inputs, weights, biases, chain=False)[-1],
        ),
        Mistake(
            "Those are the outputs of the first layer only: go on through every layer.",
            lambda inputs, weights, biases: layer_forward(inputs, weights[0], biases[0]),
        ),
        Mistake(
            "The biases are missing: z_j = Σ_k w_jk a_k + b_j in every layer.",
            lambda inputs, weights, biases: _trace_with(inputs, weights, biases, bias=False)[-1],
        ),
        Mistake(
            "The sigmoid is applied twice: each layer applies it once, to its z.",
            lambda inputs, weights, biases: [
                sigmoid(a) for a in mlp_forward(inputs, weights, biases)
            ],
        ),
        Mistake(
            "The sigmoid is applied twice in every layer: each layer applies it once, to its z, "
            "and hands a = σ(z) on.",
            lambda inputs, weights, biases: _trace_with(
                inputs, weights, biases, act=lambda z: sigmoid(sigmoid(z))
            )[-1],
        ),
    ],
    hints=[
        "Start from `activations = inputs`; for each layer l, its outputs become the next "
        "layer's inputs.",
        "`for W, b in zip(weights, biases): activations = layer_forward(activations, W, b)`, "
        "then return activations.",
    ],
    forbidden=NETWORK_TOOLS,
)

q2 = Task(
    number="6.2",
    function="forward_trace",
    reference=forward_trace,
    axes={"result": ("a⁽{sup}⁾ = trace[{i}]", "entry {i}")},
    fixed=NETWORKS,
    random=random_network,
    mistakes=[
        Mistake(
            "The inputs are missing from the front: the trace is [a⁽⁰⁾, a⁽¹⁾, …, a⁽ᴺ⁾], "
            "one list more than there are layers (backpropagation needs the inputs too).",
            lambda inputs, weights, biases: forward_trace(inputs, weights, biases)[1:],
        ),
        Mistake(
            "Those are the z of each layer, before the activation: keep a = σ(z), which the "
            "next layer takes as its inputs.",
            lambda inputs, weights, biases: _z_trace(inputs, weights, biases),
        ),
        Mistake(
            "The biases are missing: z_j = Σ_k w_jk a_k + b_j in every layer.",
            lambda inputs, weights, biases: _trace_with(inputs, weights, biases, bias=False),
        ),
        Mistake(
            "Every layer got the network's inputs: each layer's inputs are the previous "
            "layer's outputs.",
            lambda inputs, weights, biases: _trace_with(inputs, weights, biases, chain=False),
        ),
    ],
    hints=[
        "As in mlp_forward, but keep every layer's activations in a list that starts with "
        "the inputs.",
        "`trace = [inputs]`, then for each layer `trace.append(layer_forward(trace[-1], W, b))`.",
    ],
    forbidden=NETWORK_TOOLS,
)
