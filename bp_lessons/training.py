"""Mini-batches and the training loop (lessons 08, 09 and 10).

For each batch: zero the gradients, run forward and backward over every example (the gradients
add up), then take one SGD step. The loss of a batch is the mean over its examples, so each
example's loss gradient carries a factor 1/batch and the summed gradient is the **mean** gradient.
The matrix form (`VectorizedMLP`) does the same for a whole batch in one pass: there the loss of
the batch is one `mse_loss` over a (batch, outputs) array, whose gradient carries the 1/batch.
`record_training` runs `train` one epoch at a time and keeps what lessons 08 to 10 plot: the loss
on the whole data set after each epoch. `batch_gradients`, `gradient_vector` and their kin give
a batch's gradient as one vector, to compare it with central differences or between engines.
`train_classifier` trains on the cross-entropy of softmax instead (lesson 13), in matrix form;
`data_loss`, `batch_gradients` and `numerical_gradient_vector` take `loss="cross_entropy"` too.
`accuracy` and `accuracy_by_epoch` judge a classifier on held-out examples (lessons 10 and 13).
"""

import copy
import functools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from bp_lessons.gradcheck import numerical_gradient
from bp_lessons.losses import get_loss, mse_loss, mse_loss_gradient
from bp_lessons.mlp import MLP
from bp_lessons.neuron import check_size
from bp_lessons.vectorized import VectorizedMLP


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
    if isinstance(X, np.ndarray) and isinstance(y, np.ndarray):
        X, y = X[order], y[order]  # one shuffled copy; each batch is then a slice of it
        for start in range(0, len(X), batch_size):
            yield X[start : start + batch_size], y[start : start + batch_size]
        return
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
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
    return _train(model, X, y, epochs, batch_size, learning_rate, seed, loss="mse")


def train_classifier(
    model: VectorizedMLP,
    X: Sequence | np.ndarray,
    y: Sequence | np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int | np.random.Generator | None = 0,
) -> list[float]:
    """`train` on the cross-entropy of softmax (lesson 13), in matrix form: the network's outputs
    are the logits z (`output_activation="identity"`), y holds one-hot rows, and each batch's
    backward pass starts from ∂L/∂Z = (P − Y)/B. Returns the mean loss of each epoch."""
    if not isinstance(model, VectorizedMLP):
        raise TypeError(
            f"train_classifier trains the matrix form, a VectorizedMLP, got {type(model).__name__}"
            ": use VectorizedMLP.from_scalar(mlp)"
        )
    return _train(model, X, y, epochs, batch_size, learning_rate, seed, loss="cross_entropy")


def _train(model, X, y, epochs, batch_size, learning_rate, seed, loss: str) -> list[float]:
    """The loop of `train` and `train_classifier`, with the loss named."""
    X, y = as_dataset(X, y, model.sizes[0], model.sizes[-1])
    losses = loss_functions(model, loss)
    check_size(batch_size, "batch_size")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a whole number, 0 or more, got {epochs!r}")
    if not (isinstance(learning_rate, (int, float)) and 0 < learning_rate < math.inf):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if isinstance(model, VectorizedMLP):
        run_epoch = functools.partial(_epoch_in_matrix_form, losses=losses)  # a batch in one pass
    else:  # the squared error: train_classifier takes the matrix form only
        X, y = X.tolist(), y.tolist()  # the neuron-by-neuron engine runs on plain floats
        run_epoch = _epoch_example_by_example
    rng = np.random.default_rng(seed)  # one generator: a new shuffle every epoch
    history = []
    for epoch in range(1, epochs + 1):
        try:
            with np.errstate(over="raise", invalid="raise"):  # NumPy stops at its first inf or NaN
                history.append(run_epoch(model, X, y, batch_size, learning_rate, rng) / len(X))
        except FloatingPointError as error:
            raise _diverged(f"{error}".rstrip("."), epoch, learning_rate) from error
        if not math.isfinite(history[-1]):
            raise _diverged(f"the loss became {history[-1]}", epoch, learning_rate)
    return history


def _diverged(what: str, epoch: int, learning_rate: float) -> FloatingPointError:
    return FloatingPointError(
        f"{what} in epoch {epoch}: training diverged. "
        f"Try a smaller learning_rate than {learning_rate}."
    )


def _epoch_example_by_example(model, X, y, batch_size, learning_rate, rng) -> float:
    """One epoch of the neuron-by-neuron engine; returns the sum of the examples' losses."""
    total = 0.0
    for X_batch, y_batch in iterate_minibatches(X, y, batch_size, seed=rng):
        model.zero_grad()
        for inputs, labels in zip(X_batch, y_batch):
            outputs = model.forward(inputs)
            total += mse_loss(outputs, labels)
            gradient = mse_loss_gradient(outputs, labels)
            model.backward([g / len(X_batch) for g in gradient])  # mean over the batch
        model.step(learning_rate)
    return total


def _epoch_in_matrix_form(
    model, X, y, batch_size, learning_rate, rng, losses=(mse_loss, mse_loss_gradient)
) -> float:
    """One epoch of the matrix form: each batch in one pass; returns the sum of the losses."""
    loss, loss_gradient = losses
    total = 0.0
    for X_batch, y_batch in iterate_minibatches(X, y, batch_size, seed=rng):
        model.zero_grad()
        outputs = model.forward(X_batch)  # (batch, outputs)
        total += loss(outputs, y_batch) * len(X_batch)  # each loss is the mean over the batch
        model.backward(loss_gradient(outputs, y_batch), input_gradient=False)
        model.step(learning_rate)
    return total


def loss_functions(model, loss: str) -> tuple:
    """(loss, its gradient) for the loss named; cross-entropy wants the network's outputs to be
    the logits z, so its last layer must have no activation of its own."""
    pair = get_loss(loss)
    last = model.layers[-1]
    output = last.neurons[-1].activation if isinstance(model, MLP) else last.activation
    if loss == "cross_entropy" and output != "identity":
        raise ValueError(
            "the cross-entropy applies softmax to the outputs itself, so they must be the "
            f"logits z: build the network with output_activation='identity', not {output!r}"
        )
    return pair


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


# lessons 08 to 10: the loss on the whole data set, and training watched epoch by epoch


def data_loss(model, X, y, loss: str = "mse") -> float:
    """The loss on a whole data set: the mean of `mse_loss` (or the `loss` named) over its
    examples, with the weights as they are (no gradient, no step). The matrix form takes X in
    one pass."""
    X, y = as_dataset(X, y, model.sizes[0], model.sizes[-1])
    loss_of, _ = loss_functions(model, loss)
    if isinstance(model, VectorizedMLP):
        return loss_of(model.forward(X), y)  # the mean over the examples (mse: every entry)
    losses = [
        loss_of(model.forward(inputs), labels) for inputs, labels in zip(X.tolist(), y.tolist())
    ]
    return math.fsum(losses) / len(losses)


@dataclass
class TrainingRun:
    """What `record_training` saw.

    `losses`: the loss on the whole data set before training (epoch 0) and after each epoch, as
    long as it was a finite number. `history`: what `train` returns, the mean of the losses met
    during each epoch, each taken before its batch's step. `snapshots`: copies of the model after
    chosen epochs (0: before training). `diverged_in`: the epoch in which `train` stops with a
    FloatingPointError (the loss, or a neuron's z, is no longer a finite number), or None.
    """

    losses: list[float] = field(default_factory=list)
    history: list[float] = field(default_factory=list)
    snapshots: dict[int, object] = field(default_factory=dict)
    diverged_in: int | None = None


def record_training(
    model,
    X,
    y,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    snapshot_epochs: Sequence[int] = (),
    seed: int = 0,
) -> TrainingRun:
    """`train` one epoch at a time, trains `model` in place and returns its `TrainingRun`.

    One random generator serves every epoch, so the shuffles, weights and `history` are exactly
    those of one call to `train`. Three things more: the loss on the whole data set after each
    epoch, a copy of the model after each of `snapshot_epochs`, and a run that diverges keeps
    what it measured up to then instead of losing it to the error.
    """
    rng = np.random.default_rng(seed)  # `train` takes it as it is: each epoch the next shuffle
    run = TrainingRun(losses=[_finite_loss(model, X, y)])
    if 0 in snapshot_epochs:
        run.snapshots[0] = copy.deepcopy(model)
    for epoch in range(1, epochs + 1):
        try:
            run.history += train(
                model, X, y, epochs=1, batch_size=batch_size, learning_rate=learning_rate, seed=rng
            )
        except FloatingPointError:  # the loss, or a neuron's z, is no longer a finite number
            run.diverged_in = epoch
            break
        loss = _finite_loss(model, X, y)
        if loss is None:  # the next epoch's first step would meet it and stop
            run.diverged_in = epoch + 1
            break
        run.losses.append(loss)
        if epoch in snapshot_epochs:
            run.snapshots[epoch] = copy.deepcopy(model)
    return run


def _finite_loss(model, X, y) -> float | None:
    """`data_loss`, or None where it overflows or is not a finite number. A neuron-by-neuron
    model is measured in its matrix form: the same loss up to rounding, in one pass."""
    if isinstance(model, MLP):
        model = VectorizedMLP.from_scalar(model)
    try:
        with np.errstate(over="raise", invalid="raise"):
            loss = data_loss(model, X, y)
    except (FloatingPointError, OverflowError):
        return None
    return loss if math.isfinite(loss) else None


def describe_run(run: TrainingRun) -> str:
    """'loss 0.25 → 3.1e-06' (on the data set, before and after training) or
    'diverged: the loss overflowed in epoch 218'."""
    if run.diverged_in is not None:
        return f"diverged: the loss overflowed in epoch {run.diverged_in}"
    return f"loss {run.losses[0]:.2g} → {run.losses[-1]:.2g}" if run.losses else "not trained"


# lessons 09 and 10: the gradient of a batch as one vector


def batch_gradients(model, X_batch, y_batch, loss: str = "mse") -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward over one batch, without a step: afterwards the model holds the mean
    gradient of the batch's loss. Returns the outputs (batch, outputs) and ∂L/∂(inputs)
    (batch, inputs). Neuron by neuron, each example's loss gradient carries the 1/batch
    (lesson 09); the matrix form runs one pass, whose loss gradient carries it (lesson 10).
    """
    X_batch, y_batch = as_dataset(X_batch, y_batch, model.sizes[0], model.sizes[-1])
    _, loss_gradient = loss_functions(model, loss)
    model.zero_grad()
    if isinstance(model, VectorizedMLP):
        outputs = model.forward(X_batch)
        return outputs, model.backward(loss_gradient(outputs, y_batch))
    outputs, input_gradients = [], []
    for inputs, labels in zip(X_batch.tolist(), y_batch.tolist()):
        outputs.append(model.forward(inputs))
        gradient = loss_gradient(outputs[-1], labels)
        input_gradients.append(model.backward([g / len(X_batch) for g in gradient]))
    return np.array(outputs), np.array(input_gradients)


def parameter_vector(model) -> np.ndarray:
    """Every weight and bias of the model as one vector, in `gradient_vector`'s order: layer by
    layer, neuron by neuron, each neuron's weights then its bias (in the matrix form: row j of
    [W | b])."""
    if isinstance(model, VectorizedMLP):
        return np.concatenate(
            [np.column_stack([layer.W, layer.b]).ravel() for layer in model.layers]
        )
    return np.array(
        [value for layer in model.layers for n in layer.neurons for value in [*n.weights, n.bias]]
    )


def gradient_vector(model) -> np.ndarray:
    """Every ∂L/∂w and ∂L/∂b the model holds, as one vector: layer by layer, neuron by neuron,
    each neuron's weights then its bias (in the matrix form: row j of [dW | db])."""
    if isinstance(model, VectorizedMLP):
        return np.concatenate(
            [np.column_stack([layer.dW, layer.db]).ravel() for layer in model.layers]
        )
    return np.array(
        [
            gradient
            for layer in model.layers
            for neuron in layer.neurons
            for gradient in [*neuron.gradients, neuron.bias_gradient]
        ]
    )


def numerical_gradient_vector(model, X, y, loss: str = "mse") -> np.ndarray:
    """Central differences of `data_loss(model, X, y, loss)`, one weight or bias at a time, in
    the order of `gradient_vector`: what `batch_gradients` must reproduce. The weights are left
    as they were."""
    slopes = []
    for values, index in _parameters(model):

        def loss_at(value: float, values=values, index=index) -> float:
            original, values[index] = values[index], value
            try:
                return data_loss(model, X, y, loss)
            finally:
                values[index] = original

        slopes.append(numerical_gradient(loss_at, float(values[index])))
    return np.array(slopes)


def _parameters(model) -> Iterator[tuple]:
    """(container, index) of every weight and bias, in the order of `gradient_vector`."""
    for layer in model.layers:
        if isinstance(model, VectorizedMLP):
            for j in range(len(layer.b)):
                yield from ((layer.W, (j, k)) for k in range(layer.W.shape[1]))
                yield layer.b, j
        else:
            for neuron in layer.neurons:
                yield from ((neuron.weights, k) for k in range(len(neuron.weights)))
                yield vars(neuron), "bias"  # the neuron's attributes: ["bias"] reads and writes it


def per_example_gradients(model, X, y) -> np.ndarray:
    """Each example's own gradient, one row per example (examples, weights and biases): the
    gradients a batch of that one example would give. Their mean over the rows is the gradient
    of the whole data set's loss."""
    X, y = as_dataset(X, y, model.sizes[0], model.sizes[-1])
    rows = []
    for e in range(len(X)):
        batch_gradients(model, X[e : e + 1], y[e : e + 1])
        rows.append(gradient_vector(model))
    return np.array(rows)


# lessons 10 and 13: judging a classifier on examples it did not train on


def accuracy(model, X, y) -> float:
    """The share of examples whose largest output is the one at the label's 1 (one-hot rows)."""
    X, y = as_dataset(X, y, model.sizes[0], model.sizes[-1])
    outputs = model.forward(X) if isinstance(model, VectorizedMLP) else _outputs(model, X)
    return float(np.mean(outputs.argmax(axis=1) == y.argmax(axis=1)))


def _outputs(model: MLP, X: np.ndarray) -> np.ndarray:
    return np.array([model.forward(inputs) for inputs in X.tolist()])


def accuracy_by_epoch(
    model,
    X,
    y,
    X_validation,
    y_validation,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    loss: str = "mse",
    seed: int = 0,
) -> list[float]:
    """Train `model` in place one epoch at a time and return its accuracy on the validation
    examples after each epoch. One random generator serves every epoch, so after n epochs the
    weights are those of one call to `train` (or `train_classifier`, for loss="cross_entropy")
    with epochs=n and the same seed. A run that diverges stops there: its list is shorter."""
    fit = train_classifier if loss == "cross_entropy" else train
    rng = np.random.default_rng(seed)  # one generator: a new shuffle every epoch
    accuracies = []
    for _ in range(epochs):
        try:
            fit(model, X, y, epochs=1, batch_size=batch_size, learning_rate=learning_rate, seed=rng)
        except FloatingPointError:
            break
        accuracies.append(accuracy(model, X_validation, y_validation))
    return accuracies


# lesson 08: the four regimes of the learning rate, one line a run


def regime_table(runs: dict[str, TrainingRun], rates: dict[str, float]) -> str:
    """One line per run: its learning rate, its loss at epoch 0, its last finite loss and the
    epoch after which it was measured, and the number of epochs in which the loss rose."""
    lines = [
        f"{'':>10} {'lr':>5} {'loss at epoch 0':>16} {'its last finite loss':>30}"
        f" {'epochs in which it rose':>24}"
    ]
    for name, run in runs.items():
        rises = sum(after > before for before, after in zip(run.losses, run.losses[1:]))
        last = f"{run.losses[-1]:.1e} (after epoch {len(run.losses) - 1})"
        lines.append(f"{name:>10} {rates[name]:>5} {run.losses[0]:>16.1e} {last:>30} {rises:>24}")
    return "\n".join(lines)


# lesson 10: the two engines side by side


def engine_differences(mlp: MLP, X_batch, Y_batch) -> list[float]:
    """The largest absolute difference between `mlp`, run example by example, and its matrix
    form `VectorizedMLP.from_scalar(mlp)`, run on the whole batch at once: in the outputs, in
    every ∂L/∂w and ∂L/∂b (`gradient_vector`), and in ∂L/∂A⁽⁰⁾, the gradient of the inputs."""
    matrix = VectorizedMLP.from_scalar(mlp)
    outputs, input_gradient = batch_gradients(mlp, X_batch, Y_batch)
    matrix_outputs, matrix_input_gradient = batch_gradients(matrix, X_batch, Y_batch)
    pairs = [
        (outputs, matrix_outputs),
        (gradient_vector(mlp), gradient_vector(matrix)),
        (input_gradient, matrix_input_gradient),
    ]
    return [float(np.abs(a - b).max()) for a, b in pairs]


# lesson 09: a search over batch sizes and learning rates, as a table


def rate_search_table(search: dict[tuple[int, float], TrainingRun], best: dict[int, float]) -> str:
    """The loss on the data set after the last epoch of every run of `search`, keyed (batch size,
    learning rate): a row per rate, a column per batch size, "diverged (k)" where `train`
    stopped in epoch k, and a last row with each batch size's `best` rate."""
    sizes = list(dict.fromkeys(size for size, _ in search))
    rates = list(dict.fromkeys(rate for _, rate in search))
    epochs = max(len(run.losses) for run in search.values()) - 1
    lines = [f"loss on the data set after {epochs} epochs"]
    lines.append(f"{'learning rate':>13}" + "".join(f"{f'batch size {s}':>15}" for s in sizes))
    for rate in rates:
        runs = [search[size, rate] for size in sizes]
        shown = [
            f"diverged ({run.diverged_in})" if run.diverged_in else f"{run.losses[-1]:.3g}"
            for run in runs
        ]
        lines.append(f"{rate:>13}" + "".join(f"{text:>15}" for text in shown))
    lines.append(f"{'best':>13}" + "".join(f"{f'lr {best[size]}':>15}" for size in sizes))
    return "\n".join(lines)
