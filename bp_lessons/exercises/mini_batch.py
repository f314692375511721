"""Exercise 09 · Mini-batches: shuffled batches that cover the data once, and one SGD step on the
mean gradient of a batch.

The loss of a batch of B examples is the mean of their losses, so each example's loss gradient
carries a factor 1/B and the gradients that `backward` adds up are the batch's mean gradient.
"""

import math

import numpy as np

from bp_lessons.exercises.calling import numbered_batches, step_a_model
from bp_lessons.exercises.check import BIAS_AXES, NETWORK_AXES, Mistake, Task
from bp_lessons.losses import mse_loss_gradient

BATCH_AXES = ("batch {i}", "position {i}")
TRAINING_TOOLS = (  # everything in the package that cuts batches or takes a step for you
    "bp_lessons.training.train",
    "bp_lessons.training.record_training",
    "bp_lessons.training._epoch_example_by_example",
    "bp_lessons.training._epoch_in_matrix_form",
    "bp_lessons.widgets.LearningRateExplorer",
    "bp_lessons.widgets.BatchSizeExplorer",
)


def iterate_minibatches(X, y, batch_size, seed):
    """Yield (X_batch, y_batch) in the order of `np.random.default_rng(seed).permutation(len(X))`,
    batch_size examples at a time; the last batch keeps the rest."""
    order = np.random.default_rng(seed).permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        yield [X[i] for i in batch], [y[i] for i in batch]


def batch_step(model, X_batch, y_batch, learning_rate):
    """One SGD step on the mean gradient of the batch's losses."""
    model.zero_grad()  # the gradients left from the batch before
    for inputs, labels in zip(X_batch, y_batch):
        outputs = model.forward(inputs)
        gradient = mse_loss_gradient(outputs, labels)
        model.backward([g / len(X_batch) for g in gradient])  # this example's share of the mean
    model.step(learning_rate)


def steps(num_examples, batch_size, epochs):
    """How many SGD steps `epochs` epochs of mini-batches take: one per batch, and each epoch
    cuts its num_examples into ⌈num_examples / batch_size⌉ batches, the last one the rest."""
    per_epoch = -(-num_examples // batch_size)  # ⌈N / B⌉ in whole numbers
    return epochs * per_epoch


def _batches_with(
    X,
    y,
    batch_size,
    seed,
    *,
    shuffle=True,
    keep_last=True,
    paired=True,
    empty_end=False,
    legacy=False,
):
    """iterate_minibatches with one piece changed for a known mistake."""
    rng = np.random.RandomState(seed) if legacy else np.random.default_rng(seed)
    order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
    y_order = order if paired else rng.permutation(len(X))
    # empty_end: range(len(X) // batch_size + 1) batches, one too many when batch_size divides
    stop = (len(X) // batch_size + 1) * batch_size if empty_end else len(X)
    for start in range(0, stop, batch_size):
        if start + batch_size > len(X) and not keep_last and not empty_end:
            return
        X_part, y_part = order[start : start + batch_size], y_order[start : start + batch_size]
        yield [X[i] for i in X_part], [y[i] for i in y_part]


def _step_with(
    model,
    X_batch,
    y_batch,
    learning_rate,
    *,
    zero="batch",
    mean=True,
    step="batch",
    sign=1.0,
    forwards_first=False,
):
    """batch_step with one piece changed for a known mistake."""
    if zero == "batch":
        model.zero_grad()
    share = len(X_batch) if mean else 1
    if forwards_first:  # every forward, then every backward: each backward sees the last forward
        outputs = [model.forward(inputs) for inputs in X_batch]
        for output, labels in zip(outputs, y_batch):
            model.backward([g / share for g in mse_loss_gradient(output, labels)])
    else:
        for inputs, labels in zip(X_batch, y_batch):
            if zero == "example":
                model.zero_grad()
            outputs = model.forward(inputs)
            model.backward([g / share for g in mse_loss_gradient(outputs, labels)])
            if step == "example":
                model.step(learning_rate)
    if step == "batch":
        model.step(sign * learning_rate)


def _random_batches(rng):
    return {
        "num_examples": int(rng.integers(1, 13)),
        "batch_size": int(rng.integers(1, 6)),
        "seed": int(rng.integers(0, 100)),
    }


def _random_batch(rng):
    sizes = [int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 3))]
    size = int(rng.integers(2, 5))
    return {
        "sizes": sizes,
        "seed": int(rng.integers(0, 100)),
        "X_batch": rng.normal(size=(size, sizes[0])).round(2).tolist(),
        "y_batch": rng.random((size, sizes[-1])).round(2).tolist(),
        "learning_rate": float(rng.choice([0.5, 1.0, 2.0])),
    }


q1 = Task(
    number="9.1",
    function="iterate_minibatches",
    reference=iterate_minibatches,
    axes={"X batches": BATCH_AXES, "y batches": BATCH_AXES},
    fixed=[
        {"num_examples": 10, "batch_size": 4, "seed": 0},
        {"num_examples": 6, "batch_size": 3, "seed": 1},
        {"num_examples": 5, "batch_size": 8, "seed": 2},
        {"num_examples": 7, "batch_size": 1, "seed": 3},
        {"num_examples": 10, "batch_size": 4, "seed": 0},  # the first again: one seed, one order
    ],
    random=_random_batches,
    call=numbered_batches,
    parts=("X batches", "y batches"),
    mistakes=[
        Mistake(
            "The last, smaller batch is missing: every example must be used once per epoch, "
            "so the last batch keeps the remainder (here fewer than batch_size).",
            lambda X, y, batch_size, seed: _batches_with(X, y, batch_size, seed, keep_last=False),
        ),
        Mistake(
            "The batches are in the data's order: shuffle first, with "
            "`np.random.default_rng(seed).permutation(len(X))`.",
            lambda X, y, batch_size, seed: _batches_with(X, y, batch_size, seed, shuffle=False),
        ),
        Mistake(
            "X and y were shuffled separately, so the labels no longer belong to their "
            "examples: take both with the same order of indices.",
            lambda X, y, batch_size, seed: _batches_with(X, y, batch_size, seed, paired=False),
        ),
        Mistake(
            "There is an empty batch at the end: stop at len(X), not after it. An empty batch "
            "has no mean gradient.",
            lambda X, y, batch_size, seed: _batches_with(X, y, batch_size, seed, empty_end=True),
        ),
        Mistake(
            "That is the order of NumPy's legacy generator (`np.random.seed(seed)` with "
            "`np.random.permutation`, or `np.random.RandomState(seed)`): the same seed gives "
            "another order. Use `np.random.default_rng(seed).permutation(len(X))`.",
            lambda X, y, batch_size, seed: _batches_with(X, y, batch_size, seed, legacy=True),
        ),
        Mistake(
            "Every case shuffled with the same seed, 0, whatever its `seed`: right on the cases "
            "with seed 0 only. Shuffle with `np.random.default_rng(seed)`, the seed it is given.",
            lambda X, y, batch_size, seed: _batches_with(X, y, batch_size, 0),
        ),
    ],
    repeated="shuffle with `np.random.default_rng(seed)`, the case's seed: the same seed must "
    "give the same batches, so that a run can be repeated",
    errors={
        "TypeError": "yield pairs (X_batch, y_batch) of lists of rows of X and y, not indices",
        "ValueError": "yield pairs (X_batch, y_batch): two lists per batch",
    },
    hints=[
        "`order = np.random.default_rng(seed).permutation(len(X))` is every index once, "
        "shuffled. Walk through it batch_size at a time.",
        "`for start in range(0, len(X), batch_size):` take `order[start : start + batch_size]`; "
        "slicing past the end gives the short last batch.",
        "`yield [X[i] for i in batch], [y[i] for i in batch]`: the same indices for both.",
    ],
    forbidden=("bp_lessons.training.iterate_minibatches", *TRAINING_TOOLS),
)

q2 = Task(
    number="9.2",
    function="batch_step",
    reference=batch_step,
    axes={"weights": NETWORK_AXES, "biases": BIAS_AXES},
    fixed=[
        {
            "sizes": [2, 2, 1],
            "seed": 0,
            "X_batch": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]],
            "y_batch": [[0.0], [1.0], [1.0]],
            "learning_rate": 1.0,
        },
        {
            "sizes": [2, 3, 2],
            "seed": 1,
            "X_batch": [[0.5, -1.0], [1.5, 0.25]],
            "y_batch": [[1.0, 0.0], [0.0, 1.0]],
            "learning_rate": 2.0,
        },
        {
            "sizes": [1, 2, 1],
            "seed": 2,
            "X_batch": [[-1.0], [0.0], [1.0], [2.0]],
            "y_batch": [[0.2], [0.4], [0.6], [0.8]],
            "learning_rate": 0.5,
        },
    ],
    random=_random_batch,
    call=step_a_model,
    parts=("weights", "biases"),
    mistakes=[
        Mistake(
            "The gradients were not reset: the model came with gradients from the batch "
            "before, and backward adds to them. Call model.zero_grad() before the batch.",
            lambda *args: _step_with(*args, zero="never"),
        ),
        Mistake(
            "Only the last example counted: zero_grad() inside the loop overwrites what the "
            "examples before added. Reset once per batch, then let backward accumulate.",
            lambda *args: _step_with(*args, zero="example"),
        ),
        Mistake(
            "That is the SUM of the examples' gradients: the batch's loss is the MEAN of their "
            "losses, so divide each example's loss gradient by the batch size, len(X_batch).",
            lambda *args: _step_with(*args, mean=False),
        ),
        Mistake(
            "The model stepped after every example: a mini-batch takes one step, on the mean "
            "gradient of all its examples.",
            lambda *args: _step_with(*args, step="example"),
        ),
        Mistake(
            "The weights and biases did not move: after the backward passes comes one "
            "model.step(learning_rate), on the gradients they added up (no zero_grad() between "
            "the backward passes and the step).",
            lambda *args: _step_with(*args, step="none"),
        ),
        Mistake(
            "That steps uphill, w ← w + lr · ∂L/∂w: the loss grows. model.step(learning_rate) "
            "steps against the gradient it holds, so give it the learning rate as it is, and "
            "backward the loss gradient as it is, 2(a − y)/n (output minus label) over B.",
            lambda *args: _step_with(*args, sign=-1.0),
        ),
        Mistake(
            "Every forward ran before the first backward: backward uses the activations the "
            "model kept from its LAST forward, so every example was differentiated at the last "
            "example's inputs. Run forward and backward for one example, then the next.",
            lambda *args: _step_with(*args, forwards_first=True),
        ),
    ],
    hints=[
        "Three phases: model.zero_grad(); forward and backward for every example; one "
        "model.step(learning_rate).",
        "For each example, `gradient = mse_loss_gradient(model.forward(inputs), labels)`, "
        "then `model.backward([g / len(X_batch) for g in gradient])`.",
    ],
    forbidden=TRAINING_TOOLS,
)


def _random_run(rng):
    return {
        "num_examples": int(rng.integers(1, 301)),
        "batch_size": int(rng.integers(1, 65)),
        "epochs": int(rng.integers(1, 11)),
    }


q3 = Task(
    number="9.3",
    function="steps",
    reference=steps,
    fixed=[
        # the run after this task: 200 moons in batches of 30, for 5 epochs
        {"num_examples": 200, "batch_size": 30, "epochs": 5},
        {"num_examples": 100, "batch_size": 10, "epochs": 3},  # batches divide the data
        {"num_examples": 10, "batch_size": 4, "epochs": 3},  # a short last batch every epoch
        {"num_examples": 5, "batch_size": 8, "epochs": 2},  # a batch larger than the data
        {"num_examples": 7, "batch_size": 1, "epochs": 2},  # one example per batch
    ],
    random=_random_run,
    mistakes=[
        Mistake(
            "The short last batch of each epoch took no step: it does, since every example is "
            "used once per epoch (Exercise 9.1 keeps the remainder as a last, smaller batch). "
            "An epoch takes ⌈N/B⌉ steps.",
            lambda num_examples, batch_size, epochs: epochs * (num_examples // batch_size),
        ),
        Mistake(
            "N/B need not be a whole number, and a step is a whole batch: the last, smaller "
            "batch takes one step of its own, so an epoch takes ⌈N/B⌉ steps.",
            lambda num_examples, batch_size, epochs: epochs * num_examples / batch_size,
        ),
        Mistake(
            "One step per example is lesson 08's SGD: a mini-batch takes ONE step on the mean "
            "gradient of its B examples, so an epoch takes ⌈N/B⌉ steps, not N.",
            lambda num_examples, batch_size, epochs: float(epochs * num_examples),
        ),
        Mistake(
            "One step per epoch is full-batch gradient descent: with batches of B, an epoch "
            "takes one step per batch, ⌈N/B⌉ of them.",
            lambda num_examples, batch_size, epochs: float(epochs),
        ),
        Mistake(
            "One step too many per epoch where B divides N: N // B + 1 counts an empty batch "
            "at the end, which 9.1 does not yield. An epoch takes ⌈N/B⌉ steps.",
            lambda num_examples, batch_size, epochs: epochs * (num_examples // batch_size + 1),
        ),
        Mistake(
            "N/B is rounded to the nearest whole number, `round(N / B)`: that drops the last, "
            "smaller batch when it holds less than half of B. It takes a step of its own: an "
            "epoch takes ⌈N/B⌉ steps, `math.ceil(N / B)`.",
            lambda num_examples, batch_size, epochs: epochs * round(num_examples / batch_size),
        ),
        Mistake(
            "That is one epoch's steps: the run takes ⌈N/B⌉ steps in each of its epochs.",
            lambda num_examples, batch_size, epochs: -(-num_examples // batch_size),
        ),
        Mistake(
            "The batches run on across epochs here, ⌈epochs · N / B⌉: each epoch shuffles anew "
            "and cuts its own batches, the last of them short, so every epoch takes ⌈N/B⌉.",
            lambda num_examples, batch_size, epochs: math.ceil(epochs * num_examples / batch_size),
        ),
    ],
    hints=[
        "One step per batch. How many batches does 9.1 cut from N examples, when the last one "
        "keeps the rest? Try N = 10, B = 4 by hand.",
        "An epoch takes ⌈N/B⌉ steps (`-(-N // B)` or `math.ceil(N / B)`), and each epoch cuts "
        "its own batches.",
    ],
    forbidden=("bp_lessons.training.iterate_minibatches", *TRAINING_TOOLS),
)
