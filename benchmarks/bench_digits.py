"""The matrix form against PyTorch, a per-example loop and bare NumPy, training on digits.

A 64-30-10 sigmoid network, batch 10, 10 epochs, learning rate 15.0 under our loss (the mean
of (a - y)^2 over the 10 outputs and the batch), which is the step of eta = 3.0 on the half-sum
cost of classic textbook code. Every implementation starts from the same weights
(`VectorizedMLP(SIZES, seed=0)`) and sees the same batches in the same order, so they compute
the same numbers up to rounding: the table shows how far their final weights are from ours.

Run: .venv/bin/python benchmarks/bench_digits.py   (or `make bench`)
"""

import timing

# isort: split

import numpy as np
import torch

from bp_lessons import datasets
from bp_lessons.training import train
from bp_lessons.vectorized import VectorizedMLP

SIZES, BATCH, EPOCHS, LEARNING_RATE = [64, 30, 10], 10, 10, 15.0
ETA = LEARNING_RATE * 2 / SIZES[-1]  # the same step on the half-sum cost: 2/outputs * 15 = 3
TEST_SIZE = 360  # held out, 20 %

torch.set_num_threads(1)


def split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, Y = datasets.digits()
    order = np.random.default_rng(0).permutation(len(X))
    test, train_ = order[:TEST_SIZE], order[TEST_SIZE:]
    return X[train_], Y[train_], X[test], Y[test]


X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = split()


def initial_weights() -> list[tuple[np.ndarray, np.ndarray]]:
    return [(layer.W.copy(), layer.b.copy()) for layer in VectorizedMLP(SIZES, seed=0).layers]


def batches(rng: np.random.Generator):
    """The batches `train` makes: a new permutation per epoch from one generator."""
    order = rng.permutation(len(X_TRAIN))
    for start in range(0, len(order), BATCH):
        yield order[start : start + BATCH]


def shuffled_batches(rng: np.random.Generator):
    """The same batches as (X, Y) arrays, cut as `iterate_minibatches` cuts them: one shuffled
    copy of the data per epoch, then a slice of it per batch."""
    order = rng.permutation(len(X_TRAIN))
    X, Y = X_TRAIN[order], Y_TRAIN[order]
    for start in range(0, len(order), BATCH):
        yield X[start : start + BATCH], Y[start : start + BATCH]


def matrix_form() -> list[tuple[np.ndarray, np.ndarray]]:
    """Ours: bp_lessons.vectorized through bp_lessons.training.train."""
    model = VectorizedMLP(SIZES, seed=0)
    train(model, X_TRAIN, Y_TRAIN, epochs=EPOCHS, batch_size=BATCH, learning_rate=LEARNING_RATE)
    return [(layer.W, layer.b) for layer in model.layers]


def bare_numpy() -> list[tuple[np.ndarray, np.ndarray]]:
    """The expressions the matrix form runs, written inline: what the library costs on top.

    The same arithmetic in the same order, gradient accumulation included (zeroed per batch,
    then added to, as `zero_grad` and `backward` do), without classes, calls or checks.
    """

    def sigmoid(Z):  # bp_lessons.vectorized.sigmoid
        A = np.maximum(Z, -709.0)
        np.negative(A, out=A)
        np.exp(A, out=A)
        A += 1.0
        return np.reciprocal(A, out=A)

    (W1, b1), (W2, b2) = initial_weights()
    rng = np.random.default_rng(0)
    for _ in range(EPOCHS):
        total = 0.0
        for X, Y in shuffled_batches(rng):
            dW1, db1 = np.zeros(W1.shape), np.zeros(b1.shape)  # zero_grad
            dW2, db2 = np.zeros(W2.shape), np.zeros(b2.shape)
            Z1 = X @ W1.T  # forward
            Z1 += b1
            A1 = sigmoid(Z1)
            Z2 = A1 @ W2.T
            Z2 += b2
            A2 = sigmoid(Z2)
            difference = A2 - Y  # mse_loss
            total += float(np.vdot(difference, difference)) / difference.size * len(X)
            dA2 = (A2 - Y) * (2.0 / A2.size)  # mse_loss_gradient computes its own difference
            derivative = 1.0 - A2  # backward, layer 2: sigmoid_derivative(Z2, A2)
            derivative *= A2
            dZ2 = dA2 * derivative
            dW2 += dZ2.T @ A1
            db2 += dZ2.sum(axis=0)
            dA1 = dZ2 @ W2
            derivative = 1.0 - A1  # layer 1
            derivative *= A1
            dZ1 = dA1 * derivative
            dW1 += dZ1.T @ X
            db1 += dZ1.sum(axis=0)
            W1 -= LEARNING_RATE * dW1  # step
            b1 -= LEARNING_RATE * db1
            W2 -= LEARNING_RATE * dW2
            b2 -= LEARNING_RATE * db2
    return [(W1, b1), (W2, b2)]


def leanest_numpy() -> list[tuple[np.ndarray, np.ndarray]]:
    """A bound, not a rival: the fewest NumPy calls we found that train this network (no
    classes, no checks, no accumulation, the loss's 2 / size folded into the step, in place)."""
    (W1, b1), (W2, b2) = initial_weights()
    rng = np.random.default_rng(0)
    step = LEARNING_RATE * 2.0 / (BATCH * SIZES[-1])  # mse_loss_gradient's 2 / size, per batch
    for _ in range(EPOCHS):
        total = 0.0
        for X, Y in shuffled_batches(rng):
            rate = step * BATCH / len(X)  # the mean over a smaller last batch
            Z1 = X @ W1.T
            Z1 += b1
            A1 = np.maximum(Z1, -709.0)
            np.negative(A1, out=A1)
            np.exp(A1, out=A1)
            A1 += 1.0
            np.reciprocal(A1, out=A1)
            Z2 = A1 @ W2.T
            Z2 += b2
            A2 = np.maximum(Z2, -709.0)
            np.negative(A2, out=A2)
            np.exp(A2, out=A2)
            A2 += 1.0
            np.reciprocal(A2, out=A2)
            dZ2 = A2 - Y
            total += float(np.vdot(dZ2, dZ2))
            dZ2 *= A2
            dZ2 *= 1.0 - A2
            dZ1 = dZ2 @ W2
            dZ1 *= A1
            dZ1 *= 1.0 - A1
            W2 -= rate * (dZ2.T @ A1)
            b2 -= rate * dZ2.sum(axis=0)
            W1 -= rate * (dZ1.T @ X)
            b1 -= rate * dZ1.sum(axis=0)
    return [(W1, b1), (W2, b2)]


def per_example_loop() -> list[tuple[np.ndarray, np.ndarray]]:
    """Classic textbook code (Nielsen's network.py): backprop one column vector at a time,
    gradients summed over the batch, then w -= eta / batch * sum."""

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def sigmoid_prime(z):
        return sigmoid(z) * (1 - sigmoid(z))

    weights, biases = zip(*initial_weights())
    weights, biases = list(weights), [b.reshape(-1, 1) for b in biases]
    rng = np.random.default_rng(0)
    with np.errstate(over="ignore"):
        for _ in range(EPOCHS):
            for batch in batches(rng):
                nabla_w = [np.zeros(w.shape) for w in weights]
                nabla_b = [np.zeros(b.shape) for b in biases]
                for i in batch:
                    x, y = X_TRAIN[i].reshape(-1, 1), Y_TRAIN[i].reshape(-1, 1)
                    activation, activations, zs = x, [x], []
                    for w, b in zip(weights, biases):
                        z = np.dot(w, activation) + b
                        zs.append(z)
                        activation = sigmoid(z)
                        activations.append(activation)
                    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
                    nabla_b[-1] += delta
                    nabla_w[-1] += np.dot(delta, activations[-2].T)
                    for layer in range(2, len(weights) + 1):
                        delta = np.dot(weights[-layer + 1].T, delta) * sigmoid_prime(zs[-layer])
                        nabla_b[-layer] += delta
                        nabla_w[-layer] += np.dot(delta, activations[-layer - 1].T)
                weights = [w - (ETA / len(batch)) * nw for w, nw in zip(weights, nabla_w)]
                biases = [b - (ETA / len(batch)) * nb for b, nb in zip(biases, nabla_b)]
    return [(w, b.ravel()) for w, b in zip(weights, biases)]


def pytorch(dtype: torch.dtype):
    """Idiomatic PyTorch: nn.Sequential, F.mse_loss (the same mean), optim.SGD, on one thread."""

    def run() -> list[tuple[np.ndarray, np.ndarray]]:
        linears = [torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]
        model = torch.nn.Sequential(linears[0], torch.nn.Sigmoid(), linears[1], torch.nn.Sigmoid())
        model.to(dtype)
        with torch.no_grad():
            for linear, (W, b) in zip(linears, initial_weights()):
                linear.weight.copy_(torch.from_numpy(W))
                linear.bias.copy_(torch.from_numpy(b))
        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
        X, Y = torch.from_numpy(X_TRAIN).to(dtype), torch.from_numpy(Y_TRAIN).to(dtype)
        rng = np.random.default_rng(0)
        for _ in range(EPOCHS):
            total = 0.0
            for batch in batches(rng):
                index = torch.from_numpy(batch)
                optimizer.zero_grad()
                loss = torch.nn.functional.mse_loss(model(X[index]), Y[index])
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
        return [
            (linear.weight.detach().double().numpy(), linear.bias.detach().double().numpy())
            for linear in linears
        ]

    return run


def accuracy(weights: list[tuple[np.ndarray, np.ndarray]]) -> float:
    A = X_TEST
    for W, b in weights:
        A = 1.0 / (1.0 + np.exp(-(A @ W.T + b)))
    return float(np.mean(A.argmax(axis=1) == Y_TEST.argmax(axis=1)))


def main(repeats: int = 7) -> None:
    candidates = {
        "matrix form (`VectorizedMLP` + `train`)": matrix_form,
        "the same NumPy expressions inline": bare_numpy,
        "PyTorch CPU, float64": pytorch(torch.float64),
        "PyTorch CPU, float32": pytorch(torch.float32),
        "per-example loop (network.py style)": per_example_loop,
        "bound: the leanest NumPy we found": leanest_numpy,
    }
    seconds = timing.side_by_side(candidates, repeats=repeats)
    ours_name = next(iter(candidates))
    ours_weights = matrix_form()
    rows, results = [], {}
    for name, run in candidates.items():
        weights = run()
        distance = max(float(np.abs(W - V).max()) for (W, _), (V, _) in zip(weights, ours_weights))
        results[name] = (seconds[name] / EPOCHS, accuracy(weights))
        rows.append(
            [
                name,
                f"{seconds[name] / EPOCHS * 1e3:.2f}",
                f"{seconds[name] / seconds[ours_name]:.2f}",
                f"{results[name][1]:.4f}",
                f"{distance:.1e}",
            ]
        )
    print(f"Digits, {SIZES} sigmoid, batch {BATCH}, {EPOCHS} epochs, lr {LEARNING_RATE}: ")
    print(f"{len(X_TRAIN)} training and {len(X_TEST)} test examples; median of {repeats} runs.")
    print(f"Machine: {timing.machine(torch.__version__)}\n")
    headers = [
        "implementation",
        "ms per epoch",
        "time ÷ ours",
        "test accuracy",
        "largest weight difference from ours",
    ]
    print(timing.markdown_table(headers, rows))
    print()
    print(targets(results))


def targets(results: dict[str, tuple[float, float]]) -> str:
    ours, bare, torch64, torch32, loop, leanest = (seconds for seconds, _ in results.values())
    fastest_torch = min(torch64, torch32)
    overhead = ours / bare - 1
    worst_accuracy = min(accuracy for _, accuracy in results.values())
    rows = [
        ["≥ 8× faster than PyTorch (its faster dtype)", f"{fastest_torch / ours:.1f}×"],
        ["≥ 10× faster than the per-example loop", f"{loop / ours:.1f}×"],
        ["library overhead ≤ 20 % over the inline expressions", f"{overhead:+.0%}"],
        ["test accuracy ≥ 0.96, every implementation", f"{worst_accuracy:.4f} (lowest)"],
    ]
    met = [fastest_torch / ours >= 8, loop / ours >= 10, overhead <= 0.2, worst_accuracy >= 0.96]
    table = timing.markdown_table(
        ["target", "measured", "met"],
        [row + ["yes" if ok else "**no**"] for row, ok in zip(rows, met)],
    )
    bound = (
        f"The leanest NumPy is {fastest_torch / leanest:.1f}× PyTorch and {loop / leanest:.1f}× "
        f"the per-example loop; the matrix form takes {ours / leanest - 1:+.0%} over it."
    )
    return table + "\n\n" + bound


if __name__ == "__main__":
    main()
