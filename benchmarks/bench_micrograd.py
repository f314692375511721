"""The neuron-by-neuron engine against micrograd, full-batch steps on 100 moons points.

micrograd (PyPI `micrograd`, Karpathy's scalar autograd) builds a graph of `Value`s for every
step and walks it backwards; our engine applies the chain rule directly, neuron by neuron.
Both train the same 2-16-16-1 network (micrograd's MLP: ReLU hidden layers, a linear output)
from the same weights on the mean squared error, so they compute the same numbers.

Run: .venv/bin/python benchmarks/bench_micrograd.py   (or `make bench`)
"""

import timing

# isort: split

import micrograd.nn
import numpy as np

from bp_lessons import MLP, datasets
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


def theirs() -> micrograd.nn.MLP:
    """The training loop of micrograd's demo, with the mean squared error."""
    model = micrograd_mlp()
    inputs, labels = X.tolist(), Y[:, 0].tolist()
    for _ in range(STEPS):
        outputs = [model(x) for x in inputs]
        loss = sum((a - y) ** 2 for a, y in zip(outputs, labels)) * (1.0 / len(labels))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= LEARNING_RATE * p.grad
    return model


def largest_weight_difference(mlp: MLP, model: micrograd.nn.MLP) -> float:
    ours_ = [w for layer in mlp.layers for n in layer.neurons for w in [*n.weights, n.bias]]
    theirs_ = [p.data for p in model.parameters()]  # w then b, neuron by neuron: the same order
    return float(np.max(np.abs(np.array(ours_) - np.array(theirs_))))


def main(repeats: int = 5) -> None:
    seconds = timing.side_by_side({"ours": ours, "micrograd": theirs}, repeats=repeats)
    ratio = seconds["micrograd"] / seconds["ours"]
    distance = largest_weight_difference(ours(), theirs())
    print(f"Moons, {EXAMPLES} points, {SIZES} ReLU / linear output, {STEPS} full-batch steps, ")
    print(f"lr {LEARNING_RATE}, mean squared error; median of {repeats} runs.")
    print(f"Machine: {timing.machine()}\n")
    rows = [
        ["bp_lessons `MLP` + `train`", f"{seconds['ours'] / STEPS * 1e3:.1f}", "1.0", ""],
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
    print(
        timing.markdown_table(
            ["target", "measured", "met"], [["≥ 30× faster than micrograd", f"{ratio:.1f}×", met]]
        )
    )


if __name__ == "__main__":
    main()
