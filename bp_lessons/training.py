"""Mini-batches and the training loop (lessons 08 and 09).

For each batch: zero the gradients, run forward and backward over every example (the gradients
add up), then take one SGD step. The loss of a batch is the mean over its examples, so each
example's loss gradient carries a factor 1/batch and the summed gradient is the **mean** gradient.
"""

import math
from collections.abc import Iterator, Sequence

import numpy as np

from bp_lessons.losses import mse_loss, mse_loss_gradient
from bp_lessons.neuron import check_size


def iterate_minibatches(
    X: Sequence | np.ndarray,
    y: Sequence | np.ndarray,
    batch_size: int,
    shuffle: bool = True,
    seed: int | np.random.Generator | None = 0,
) -> Iterator[tuple]:
    """Yield (X_batch, y_batch) covering every example exactly once.

    Shuffled with `seed` (pass one Generator to get a new order each epoch); the last batch
    keeps the remainder, so it may be smaller; no batch is ever empty. Arrays give arrays,
    lists give lists.
    """
    check_size(batch_size, "batch_size")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}: they must pair up")
    if len(X) == 0:
        raise ValueError("the data set is empty: there is nothing to make batches from")
    order = np.random.default_rng(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        if isinstance(X, np.ndarray) and isinstance(y, np.ndarray):
            yield X[batch], y[batch]
        else:
            yield [X[i] for i in batch], [y[i] for i in batch]


def train(
    model,
    X: Sequence | np.ndarray,
    y: Sequence | np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int | np.random.Generator | None = 0,
) -> list[float]:
    """Mini-batch SGD on the mean squared error; returns the mean loss of each epoch."""
    X, y = as_dataset(X, y, model.sizes[0], model.sizes[-1])
    check_size(batch_size, "batch_size")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a whole number, 0 or more, got {epochs!r}")
    if not (isinstance(learning_rate, (int, float)) and 0 < learning_rate < math.inf):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    X, y = X.tolist(), y.tolist()  # the neuron-by-neuron engine runs on plain floats
    rng = np.random.default_rng(seed)  # one generator: a new shuffle every epoch
    history = []
    for epoch in range(1, epochs + 1):
        total = 0.0
        for X_batch, y_batch in iterate_minibatches(X, y, batch_size, seed=rng):
            model.zero_grad()
            for inputs, labels in zip(X_batch, y_batch):
                outputs = model.forward(inputs)
                total += mse_loss(outputs, labels)
                gradient = mse_loss_gradient(outputs, labels)
                model.backward([g / len(X_batch) for g in gradient])  # mean over the batch
            model.step(learning_rate)
        history.append(total / len(X))
        if not math.isfinite(history[-1]):
            raise FloatingPointError(
                f"the loss became {history[-1]} in epoch {epoch}: training diverged. "
                f"Try a smaller learning_rate than {learning_rate}."
            )
    return history


def as_dataset(X, y, num_inputs: int, num_outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """X as (examples, num_inputs) and y as (examples, num_outputs) float arrays, or a clear error.

    A 1-D y is accepted for a network with one output: one label per example.
    """
    arrays = []
    for name, data, width in (("X", X, num_inputs), ("y", y, num_outputs)):
        try:
            array = np.asarray(data, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a table of numbers with {width} columns") from None
        if array.ndim == 1 and name == "y" and width == 1:
            array = array.reshape(-1, 1)
        if array.ndim != 2 or array.shape[1] != width:
            hint = " (one-hot encode class labels)" if name == "y" and array.ndim == 1 else ""
            raise ValueError(
                f"{name} must have shape (examples, {width}) for this network, "
                f"got shape {array.shape}{hint}"
            )
        if not np.isfinite(array).all():
            raise ValueError(f"{name} contains NaN or inf: every value must be a finite number")
        arrays.append(array)
    X, y = arrays
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}: they must pair up")
    if len(X) == 0:
        raise ValueError("the data set is empty: training needs at least one example")
    return X, y
