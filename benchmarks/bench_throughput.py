"""The matrix form's training throughput against NumPy's own matrix products at the same shapes.

Training the 64-30-10 sigmoid network does, per example, the products of the forward pass
(X W1^T, A1 W2^T), of the weight gradients (dZ2^T A1, dZ1^T X) and the input gradient of the
second layer (dZ2 W2): 2 * (64*30 + 30*10) * 2 + 2 * 30*10 floating-point operations. Their
rate is set against the rate NumPy reaches running only those products, on arrays of the same
shapes, batch after batch (the faster of `A @ B` and `np.matmul(A, B, out=...)`). The gap is
everything else training does: activations, their derivatives, the loss, the updates, the
shuffle, and Python.

Run: .venv/bin/python benchmarks/bench_throughput.py   (or `make bench`)
"""

import timing

# isort: split

import numpy as np

from bp_lessons.losses import mse_loss, mse_loss_gradient
from bp_lessons.training import train
from bp_lessons.vectorized import VectorizedMLP, sigmoid, sigmoid_derivative

SIZES, EXAMPLES, EPOCHS, BATCHES = [64, 30, 10], 4000, 4, [1, 10, 100, 1000]
rng = np.random.default_rng(0)
X = rng.uniform(size=(EXAMPLES, SIZES[0]))
Y = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], size=EXAMPLES)]
PAIRS = list(zip(SIZES[:-1], SIZES[1:]))
FLOPS_PER_EXAMPLE = 2 * (2 * sum(i * o for i, o in PAIRS) + sum(i * o for i, o in PAIRS[1:]))


def training(batch_size: int):
    def run() -> None:
        model = VectorizedMLP(SIZES, seed=0)
        train(model, X, Y, epochs=EPOCHS, batch_size=batch_size, learning_rate=0.5)

    return run


def products(batch_size: int, preallocated: bool, epochs: int = EPOCHS, x=None):
    """Only the matrix products of training, on arrays of the shapes training uses: for
    `epochs` passes over the data, or once on the batch `x` when epochs is 0."""
    (W1, _), (W2, _) = [(layer.W, layer.b) for layer in VectorizedMLP(SIZES, seed=0).layers]
    A1, dZ1 = rng.uniform(size=(batch_size, 30)), rng.uniform(size=(batch_size, 30))
    dZ2 = rng.uniform(size=(batch_size, 10))
    Z1, Z2, dA1 = np.empty((batch_size, 30)), np.empty((batch_size, 10)), np.empty_like(A1)
    dW1, dW2 = np.empty_like(W1), np.empty_like(W2)

    def once(x: np.ndarray) -> None:
        if preallocated:
            np.matmul(x, W1.T, out=Z1)
            np.matmul(A1, W2.T, out=Z2)
            np.matmul(dZ2.T, A1, out=dW2)
            np.matmul(dZ2, W2, out=dA1)
            np.matmul(dZ1.T, x, out=dW1)
        else:
            _ = x @ W1.T, A1 @ W2.T, dZ2.T @ A1, dZ2 @ W2, dZ1.T @ x

    def run() -> None:
        if epochs == 0:
            return once(x)
        for _ in range(epochs):
            for start in range(0, EXAMPLES, batch_size):
                once(X[start : start + batch_size])

    return run


def breakdown(batch_size: int, repeats: int = 7) -> str:
    """Where one training step's time goes at this batch size: each group of operations timed
    alone, on arrays of the shapes training uses (so the shares need not add up to 100 %)."""
    model = VectorizedMLP(SIZES, seed=0)
    index = rng.permutation(EXAMPLES)[:batch_size]
    x, y = X[index], Y[index]
    (W1, b1), (W2, b2) = [(layer.W, layer.b) for layer in model.layers]
    Z1, Z2 = x @ W1.T, rng.normal(size=(batch_size, 10))
    A1, A2 = sigmoid(Z1), sigmoid(Z2)
    dZ1, dZ2 = A1.copy(), A2.copy()

    def step() -> None:
        model.zero_grad()
        model.backward(mse_loss_gradient(model.forward(x), y), input_gradient=False)
        model.step(0.5)

    groups = {
        "one training step (zero_grad, forward, backward, step)": step,
        "the five matrix products": products(batch_size, preallocated=False, epochs=0, x=x),
        "sigmoid of Z1 and Z2": lambda: (sigmoid(Z1), sigmoid(Z2)),
        "their derivatives, times dA": lambda: (
            sigmoid_derivative(Z1, A1) * dZ1,
            sigmoid_derivative(Z2, A2) * dZ2,
        ),
        "adding the biases": lambda: (Z1 + b1, Z2 + b2),
        "db: the sums over the batch": lambda: (dZ1.sum(axis=0), dZ2.sum(axis=0)),
        "mse_loss and mse_loss_gradient": lambda: (mse_loss(A2, y), mse_loss_gradient(A2, y)),
        "cutting the batch out of the data": lambda: (X[index], Y[index]),
    }
    seconds = timing.side_by_side(groups, repeats=repeats)
    whole = seconds[next(iter(groups))]
    rows = [[name, f"{t * 1e6:.1f}", f"{t / whole:.0%}"] for name, t in seconds.items()]
    return timing.markdown_table(["at batch " + str(batch_size), "µs", "share of a step"], rows)


def main(repeats: int = 7) -> None:
    rows, at_largest = [], 0.0
    flops = FLOPS_PER_EXAMPLE * EXAMPLES * EPOCHS
    for batch_size in BATCHES:
        seconds = timing.side_by_side(
            {
                "train": training(batch_size),
                "@": products(batch_size, preallocated=False),
                "out=": products(batch_size, preallocated=True),
            },
            repeats=repeats,
        )
        matmul = min(seconds["@"], seconds["out="])
        share = matmul / seconds["train"]
        at_largest = share
        rows.append(
            [
                batch_size,
                f"{seconds['train'] / EPOCHS * 1e3:.2f}",
                f"{flops / seconds['train'] / 1e9:.2f}",
                f"{flops / matmul / 1e9:.2f}",
                f"{share:.0%}",
            ]
        )
    print(f"Training {SIZES} sigmoid on {EXAMPLES} random examples, {EPOCHS} epochs per run;")
    print(f"{FLOPS_PER_EXAMPLE} matrix-product FLOPs per example; median of {repeats} runs.")
    print(f"Machine: {timing.machine()}\n")
    headers = ["batch", "ms per epoch", "training GFLOP/s", "NumPy matmul GFLOP/s", "ratio"]
    print(timing.markdown_table(headers, rows))
    print()
    met = "yes" if at_largest >= 0.5 else "**no**"
    target = f"≥ 50 % of NumPy's matmul rate at batch {BATCHES[-1]}"
    print(
        timing.markdown_table(["target", "measured", "met"], [[target, f"{at_largest:.0%}", met]])
    )
    print()
    print(breakdown(BATCHES[-1], repeats=repeats * 5))


if __name__ == "__main__":
    main()
