"""The neuron-by-neuron engine and the `Value` engine against micrograd, full-batch steps on 100
moons points.

micrograd (PyPI `micrograd`, Karpathy's scalar autograd) builds a graph of `Value`s for every
step and walks it backwards; our neuron-by-neuron engine applies the chain rule directly.
`bp_lessons.autograd.Value` is a graph engine like micrograd's: its row runs micrograd's own
network code (`micrograd.nn`) and training loop with our `Value`s as the parameters, so the two
build the same graph and only the engines differ. All train the same 2-16-16-1 network
(micrograd's MLP: ReLU hidden layers, a linear output) from the same weights on the mean squared
error, so they compute the same numbers.

Run: .venv/bin/python benchmarks/bench_micrograd.py   (or `make bench`)
"""

import timing

# isort: split

import micrograd.nn
import numpy as np

from bp_lessons import MLP, datasets
from bp_lessons.autograd import Value
from bp_lessons.training import train

SIZES, STEPS, LEARNING_RATE, EXAMPLES = [2, 16, 16, 1], 3, 0.05, 100  # micrograd: ~1 s a step
X, Y = datasets.moons(n=EXAMPLES, noise=0.1, seed=0)


def ours() -> MLP:
    model = MLP(SIZES, "relu", output_activation="identity", seed=0)
    train(model, X, Y, epochs=STEPS, batch_size=EXAMPLES, learning_rate=LEARNING_RATE)
    return model  # one epoch of one full batch is one step


def micrograd_mlp() -> micrograd.nn.MLP:
    """micrograd's MLP with our initial weights."""
    model = micrograd.nn.MLP(SIZES[0], SIZES[1:])
    for theirs, mine in zip(model.layers, MLP(SIZES, "relu", "identity", seed=0).layers):
        for neuron, reference in zip(theirs.neurons, mine.neurons):
            for w, value in zip(neuron.w, reference.weights):
                w.data = value
            neuron.b.data = reference.bias
    return model


def with_our_values(model: micrograd.nn.MLP) -> micrograd.nn.MLP:
    """The same micrograd MLP (its code, its weights) with `bp_lessons.autograd.Value`s as its
    parameters: every operation of its forward pass then builds our graph."""
    for layer in model.layers:
        for neuron in layer.neurons:
            neuron.w = [Value(w.data) for w in neuron.w]
            neuron.b = Value(neuron.b.data)
    return model


def demo_loss(model: micrograd.nn.MLP):
    """The mean squared error of micrograd's MLP on the 100 points: a graph, ready for backward."""
    inputs, labels = X.tolist(), Y[:, 0].tolist()
    outputs = [model(x) for x in inputs]
    return sum((a - y) ** 2 for a, y in zip(outputs, labels)) * (1.0 / len(labels))


def demo_training(model: micrograd.nn.MLP) -> micrograd.nn.MLP:
    """The training loop of micrograd's demo, with the mean squared error."""
    for _ in range(STEPS):
        loss = demo_loss(model)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= LEARNING_RATE * p.grad
    return model


def theirs() -> micrograd.nn.MLP:
    return demo_training(micrograd_mlp())


def values() -> micrograd.nn.MLP:
    return demo_training(with_our_values(micrograd_mlp()))


def largest_gradient_difference() -> float:
    """Between micrograd's gradients and our Values' on the first step's loss."""
    found = []
    for model in (micrograd_mlp(), with_our_values(micrograd_mlp())):
        demo_loss(model).backward()
        found.append([p.grad for p in model.parameters()])
    return float(np.max(np.abs(np.array(found[0]) - np.array(found[1]))))


def largest_weight_difference(mlp: MLP, model: micrograd.nn.MLP) -> float:
    ours_ = [w for layer in mlp.layers for n in layer.neurons for w in [*n.weights, n.bias]]
    theirs_ = [p.data for p in model.parameters()]  # w then b, neuron by neuron: the same order
    return float(np.max(np.abs(np.array(ours_) - np.array(theirs_))))


def main(repeats: int = 5) -> None:
    # micrograd's graphs are reference cycles (each node's closure refers to the node), which
    # only the garbage collector frees, and a candidate that runs after micrograd pays for part
    # of collecting them. So Value takes turns with the MLP first, before micrograd has run,
    # then the MLP with micrograd as always.
    first = timing.side_by_side({"ours": ours, "value": values}, repeats=repeats)
    seconds = timing.side_by_side({"ours": ours, "micrograd": theirs}, repeats=repeats)
    ratio = seconds["micrograd"] / seconds["ours"]
    value_ours = first["value"] / first["ours"]
    value_ratio = seconds["micrograd"] / first["value"]
    mlp = ours()
    distance = largest_weight_difference(mlp, theirs())
    value_distance = largest_weight_difference(mlp, values())
    gradients = largest_gradient_difference()
    print(f"Moons, {EXAMPLES} points, {SIZES} ReLU / linear output, {STEPS} full-batch steps, ")
    print(f"lr {LEARNING_RATE}, mean squared error; median of {repeats} runs.")
    print(f"Machine: {timing.machine()}\n")
    rows = [
        ["bp_lessons `MLP` + `train`", f"{seconds['ours'] / STEPS * 1e3:.1f}", "1.0", ""],
        [
            "bp_lessons `Value` in micrograd's `nn` code",
            f"{first['value'] / STEPS * 1e3:.1f}",
            f"{value_ours:.1f}",
            f"{value_distance:.1e}",
        ],
        [
            "micrograd 0.1.0",
            f"{seconds['micrograd'] / STEPS * 1e3:.1f}",
            f"{ratio:.1f}",
            f"{distance:.1e}",
        ],
    ]
    headers = ["implementation", "ms per step", "time ÷ ours", "largest weight difference"]
    print(timing.markdown_table(headers, rows))
    print()
    met = "yes" if ratio >= 30 else "**no**"
    value_met = "yes" if value_ratio >= 3 else "**no**"
    same = "yes" if gradients <= 1e-12 else "**no**"
    print(
        timing.markdown_table(
            ["target", "measured", "met"],
            [
                ["≥ 30× faster than micrograd", f"{ratio:.1f}×", met],
                ["`Value` ≥ 3× faster than micrograd", f"{value_ratio:.1f}×", value_met],
                [
                    "`Value`'s gradients within 1e-12 of micrograd's",
                    f"{gradients:.1e}",
                    same,
                ],
            ],
        )
    )


if __name__ == "__main__":
    main()
