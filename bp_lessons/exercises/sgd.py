"""Exercise 08 · Stochastic gradient descent: w ← w − lr · ∂L/∂w, one training step of an MLP,
and a learning-rate sweep on XOR whose findings the learner reports.

A network is `weights[l - 1][j][k]` and `biases[l - 1][j]` (layer l) as in Exercise 06, every
layer a sigmoid, the loss the mean of (a_j − y_j)² over the outputs. Each function returns the new
weights and biases.
"""

import dataclasses
import functools

import numpy as np

from bp_lessons.activations import sigmoid, sigmoid_derivative
from bp_lessons.exercises.backpropagation import ENGINES, mlp_backward
from bp_lessons.exercises.calling import an_entry_of_the_report
from bp_lessons.exercises.check import BIAS_AXES, NETWORK_AXES, Mistake, Task
from bp_lessons.exercises.feedback import Row
from bp_lessons.exercises.mlp_forward import NETWORKS, random_network


def sgd_step(weights, biases, weight_gradients, bias_gradients, learning_rate):
    """w ← w − lr · ∂L/∂w and b ← b − lr · ∂L/∂b for every weight and bias."""
    new_weights = [
        [
            [w - learning_rate * g for w, g in zip(row, row_gradients)]
            for row, row_gradients in zip(layer, layer_gradients)
        ]
        for layer, layer_gradients in zip(weights, weight_gradients)
    ]
    new_biases = [
        [b - learning_rate * g for b, g in zip(layer, layer_gradients)]
        for layer, layer_gradients in zip(biases, bias_gradients)
    ]
    return new_weights, new_biases


def train_step(inputs, labels, weights, biases, learning_rate):
    """One example: forward, backward and an SGD step of every weight and bias."""
    trace, zs = [inputs], []  # each layer's inputs, each layer's z
    for layer_weights, layer_biases in zip(weights, biases):
        zs.append(
            [
                sum(w * a for w, a in zip(row, trace[-1])) + b
                for row, b in zip(layer_weights, layer_biases)
            ]
        )
        trace.append([sigmoid(z) for z in zs[-1]])
    gradients = [2 * (a - y) / len(labels) for a, y in zip(trace[-1], labels)]  # ∂L/∂a
    new_weights, new_biases = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        errors = [g * sigmoid_derivative(z) for g, z in zip(gradients, zs[layer])]  # ∂L/∂z_j
        # ∂L/∂a_k for the layer before, through the weights the forward pass used
        gradients = [
            sum(e * row[k] for e, row in zip(errors, weights[layer]))
            for k in range(len(trace[layer]))
        ]
        new_weights[layer] = [
            [w - learning_rate * e * a for w, a in zip(row, trace[layer])]
            for row, e in zip(weights[layer], errors)
        ]
        new_biases[layer] = [b - learning_rate * e for b, e in zip(biases[layer], errors)]
    return new_weights, new_biases


def _step_with(
    weights,
    biases,
    weight_gradients,
    bias_gradients,
    learning_rate,
    *,
    sign=1.0,
    rate=None,
    step_biases=True,
):
    """sgd_step with one piece swapped for a known mistake."""
    rate = learning_rate if rate is None else rate
    new_weights, new_biases = sgd_step(
        weights, biases, weight_gradients, bias_gradients, sign * rate
    )
    return new_weights, new_biases if step_biases else biases


def _train_step_with(
    inputs,
    labels,
    weights,
    biases,
    learning_rate,
    *,
    factor=None,
    derivative=sigmoid_derivative,
    sign=1.0,
    step_biases=True,
    early=False,
):
    """train_step with one piece swapped for a known mistake; factor(n) scales a − y."""
    trace, zs = [inputs], []
    for layer_weights, layer_biases in zip(weights, biases):
        zs.append(
            [
                sum(w * a for w, a in zip(row, trace[-1])) + b
                for row, b in zip(layer_weights, layer_biases)
            ]
        )
        trace.append([sigmoid(z) for z in zs[-1]])
    scale = factor(len(labels)) if factor else 2 / len(labels)
    gradients = [scale * (a - y) for a, y in zip(trace[-1], labels)]
    rate = sign * learning_rate
    new_weights, new_biases = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        errors = [g * derivative(z) for g, z in zip(gradients, zs[layer])]
        new_weights[layer] = [
            [w - rate * e * a for w, a in zip(row, trace[layer])]
            for row, e in zip(weights[layer], errors)
        ]
        new_biases[layer] = [b - rate * e * step_biases for b, e in zip(biases[layer], errors)]
        used = new_weights[layer] if early else weights[layer]  # early: the updated ones, wrong
        gradients = [
            sum(e * row[k] for e, row in zip(errors, used)) for k in range(len(trace[layer]))
        ]
    return new_weights, new_biases


def _random_gradients(rng):
    case = random_network(rng)
    return {
        "weights": case["weights"],
        "biases": case["biases"],
        "weight_gradients": [
            rng.normal(size=(len(W), len(W[0]))).round(2).tolist() for W in case["weights"]
        ],
        "bias_gradients": [rng.normal(size=len(b)).round(2).tolist() for b in case["biases"]],
        "learning_rate": float(rng.choice([0.1, 0.5, 1.0, 2.0])),
    }


def _random_example(rng):
    case = random_network(rng)
    return {
        "inputs": case["inputs"],
        "labels": rng.random(len(case["biases"][-1])).round(2).tolist(),
        "weights": case["weights"],
        "biases": case["biases"],
        "learning_rate": float(rng.choice([0.1, 0.5, 1.0, 2.0])),
    }


def _with_gradients(network, labels, learning_rate):
    """A case for sgd_step: a network and its gradients for one example, rounded to read."""
    gradients = mlp_backward(network["inputs"], network["weights"], network["biases"], labels)
    rounded = [
        [[[round(g, 3) for g in row] for row in W] for W in gradients[0]],
        [[round(g, 3) for g in b] for b in gradients[1]],
    ]
    return {
        "weights": network["weights"],
        "biases": network["biases"],
        "weight_gradients": rounded[0],
        "bias_gradients": rounded[1],
        "learning_rate": learning_rate,
    }


LABELS = [[1.0], [0.0, 1.0, 0.5], [0.0]]

q1 = Task(
    number="8.1",
    function="sgd_step",
    reference=sgd_step,
    axes={"weights": NETWORK_AXES, "biases": BIAS_AXES},
    fixed=[
        _with_gradients(network, labels, rate)
        for network, labels, rate in zip(NETWORKS, LABELS, [0.5, 2.0, 0.1])
    ],
    random=_random_gradients,
    parts=("weights", "biases"),
    # updating the weights and biases in place, as the notes do, is fine if it returns them
    pure=("weights", "biases"),
    mistakes=[
        Mistake(
            "That steps uphill: w ← w + lr · ∂L/∂w makes the loss grow. The gradient points "
            "where the loss rises, so step against it: w ← w − lr · ∂L/∂w.",
            lambda *args: _step_with(*args, sign=-1.0),
        ),
        Mistake(
            "The biases did not move: b ← b − lr · ∂L/∂b, like every weight.",
            lambda *args: _step_with(*args, step_biases=False),
        ),
        Mistake(
            "The learning rate is missing: the step is lr · ∂L/∂w, not the whole gradient.",
            lambda *args: _step_with(*args, rate=1.0),
        ),
    ],
    errors={"NotPlainData": "return the new weights and biases: `return new_weights, new_biases`"},
    hints=[
        "Every weight: w − learning_rate · (its gradient), the gradient at the same [l][j][k]; "
        "every bias the same with its gradient at [l][j].",
        "Three nested loops (layers, neurons, inputs) for the weights, two for the biases; "
        "build new lists and `return new_weights, new_biases`.",
    ],
    forbidden=ENGINES,
)

q2 = Task(
    number="8.2",
    function="train_step",
    reference=train_step,
    axes={"weights": NETWORK_AXES, "biases": BIAS_AXES},
    fixed=[
        dict(
            inputs=network["inputs"],
            labels=labels,
            weights=network["weights"],
            biases=network["biases"],
            learning_rate=rate,
        )
        for network, labels, rate in zip(NETWORKS, LABELS, [0.5, 2.0, 1.0])
    ],
    random=_random_example,
    parts=("weights", "biases"),
    pure=("weights", "biases"),
    mistakes=[
        Mistake(
            "The layer before got its output gradients through weights that were already "
            "updated. Compute ∂L/∂a_k = Σ_j w_jk σ'(z_j) ∂L/∂a_j with the weights the forward "
            "pass used, then step that layer.",
            lambda *args: _train_step_with(*args, early=True),
        ),
        Mistake(
            "The factor 1/n is missing from the loss gradient. The loss is the MEAN over the "
            "n outputs, so ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda *args: _train_step_with(*args, factor=lambda n: 2.0),
        ),
        Mistake(
            "The factor 2 is missing from the loss gradient: ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda *args: _train_step_with(*args, factor=lambda n: 1 / n),
        ),
        Mistake(
            "That steps uphill, and two slips give exactly these numbers: (1) the loss "
            "gradient's sign is flipped, 2(y_j − a_j)/n where ∂L/∂a_j = 2(a_j − y_j)/n, output "
            "minus label; (2) the step adds, w ← w + lr · ∂L/∂w, where it goes against the "
            "gradient, w ← w − lr · ∂L/∂w. Check both.",
            lambda *args: _train_step_with(*args, sign=-1.0),
        ),
        Mistake(
            "The biases did not move: b ← b − lr · ∂L/∂b in every layer.",
            lambda *args: _train_step_with(*args, step_biases=False),
        ),
        Mistake(
            "That uses the notes' z·σ(z)(1 − σ(z)) as σ'(z); the slope is σ(z)(1 − σ(z)).",
            lambda *args: _train_step_with(*args, derivative=lambda z: z * sigmoid_derivative(z)),
        ),
        Mistake(
            "σ' is taken at a = σ(z) instead of at z: that is σ(a)(1 − σ(a)). The slope belongs "
            "to the point each neuron was at, z_j (in terms of its output, a_j(1 − a_j)).",
            lambda *args: _train_step_with(
                *args, derivative=lambda z: sigmoid_derivative(sigmoid(z))
            ),
        ),
        Mistake(
            "Both the 2 and the 1/n are missing from the loss gradient: the loss is the MEAN of "
            "(a_j − y_j)² over the n outputs, so ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda *args: _train_step_with(*args, factor=lambda n: 1.0),
        ),
        Mistake(
            "The loss gradient is divided by the number of inputs: n in ∂L/∂a_j = "
            "2(a_j − y_j)/n counts the OUTPUTS the loss averages over, len(labels).",
            lambda inputs, labels, *rest: _train_step_with(
                inputs, labels, *rest, factor=lambda n: 2 / len(inputs)
            ),
        ),
    ],
    errors={"NotPlainData": "return the new weights and biases: `return new_weights, new_biases`"},
    hints=[
        "Three parts: the forward pass keeping each layer's inputs and z (Exercise 06), the "
        "backward pass (Exercise 07), and sgd_step above.",
        "The simplest order: compute every gradient first (your mlp_backward from Exercise "
        "07, copied into this cell), then `return sgd_step(...)`.",
        "If you step each layer as you go backward, first compute the output gradients for "
        "the layer before, with the weights as they were in the forward pass.",
    ],
    forbidden=ENGINES,
)


# --- 8.3: an experiment, and the learner's report of it ----------------------------------------

RATES = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # the grid the sweep tries
EPOCHS = 300


def learning_rate_sweep():
    """{rate: (the loss after each epoch, how many of the 4 examples are right after each)}:
    MLP([2, 3, 1], seed=0)'s starting weights trained on XOR by train_step, one example at a
    time in the data set's order, for EPOCHS epochs at each rate of RATES."""
    return _sweep()[0]


@functools.cache
def _sweep():
    """The sweep and each rate's final outputs, every rate at once: a copy of the network per
    rate, stacked on a first axis, so that a check costs milliseconds, not the half second of a
    loop over train_step (tests/test_exercises.py holds it equal to that loop)."""
    from bp_lessons import MLP, datasets

    X, y = datasets.xor()
    start = MLP([2, 3, 1], seed=0)
    rate = np.array(RATES)[:, None, None]  # (rates, 1, 1)
    W = [np.array([[n.weights for n in layer.neurons]] * len(RATES)) for layer in start.layers]
    b = [np.array([[[n.bias] for n in layer.neurons]] * len(RATES)) for layer in start.layers]
    losses, right = [], []
    examples = [np.tile(inputs[:, None], (len(RATES), 1, 1)) for inputs in X]  # (rates, in, 1)
    for _ in range(EPOCHS):
        for inputs, labels in zip(examples, y):
            A = [inputs]  # each layer's activations as columns, (rates, size, 1)
            for W_l, b_l in zip(W, b):  # W_l (rates, out, in), b_l (rates, out, 1)
                A.append(_sigmoid(W_l @ A[-1] + b_l))
            gradient = 2 * (A[-1] - labels[:, None]) / len(labels)  # ∂L/∂a
            for layer in reversed(range(len(W))):
                error = gradient * A[layer + 1] * (1 - A[layer + 1])  # ∂L/∂z = ∂L/∂a σ'(z)
                gradient = W[layer].transpose(0, 2, 1) @ error  # with the old weights
                W[layer] = W[layer] - rate * (error @ A[layer].transpose(0, 2, 1))
                b[layer] = b[layer] - rate * error
        outputs = _outputs(X, W, b)  # (rates, examples)
        losses.append(((outputs - y[:, 0]) ** 2).mean(axis=1))
        right.append(((outputs > 0.5) == (y[:, 0] > 0.5)).sum(axis=1))
    losses, right = np.array(losses).T.tolist(), np.array(right).T.tolist()
    curves = {r: (losses[k], right[k]) for k, r in enumerate(RATES)}
    return curves, dict(zip(RATES, _outputs(X, W, b).tolist()))


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))  # σ(z), without overflow


def _outputs(X, W, b):
    """The output of each rate's network for each example: (rates, examples)."""
    A = np.tile(X.T, (len(W[0]), 1, 1))  # (rates, in, examples): an example per column
    for W_l, b_l in zip(W, b):
        A = _sigmoid(W_l @ A + b_l)
    return A[:, 0, :]


def sweep_report():
    """What the learning-rate sweep found, read off its curves."""
    curves = learning_rate_sweep()
    final = {rate: losses[-1] for rate, (losses, _) in curves.items()}
    best = min(final, key=final.get)  # the lowest loss after the last epoch
    return {
        "best_rate": best,
        "final_loss": final[best],
        "epochs_to_solve": curves[best][1].index(4) + 1,  # epochs count from 1
        "unsolved_rates": [rate for rate, (_, right) in curves.items() if right[-1] < 4],
    }


@dataclasses.dataclass
class Report(Task):
    """A task whose answer is a report, a dict: each case is one entry, compared with its own
    tolerance (`tolerances`, relative; 0 for an exact one), and each entry that is off gets its
    own diagnosis: a report's entries are read off separately, so their slips are independent."""

    tolerances: dict = dataclasses.field(default_factory=dict)
    # what to say of an entry no known mistake explains (entry, expected, got -> message or "")
    otherwise: object = None

    def judge(self, args: dict, got: object) -> Row:
        return Task.judge(self.for_entry(args), args, got)

    def reproduces(self, fn, row: Row) -> bool:
        return Task.reproduces(self.for_entry(row.args), fn, row)

    def for_entry(self, args: dict) -> Task:
        return dataclasses.replace(self, rtol=self.tolerances.get(args["entry"], 0.0))

    def explain(self, rows: list[Row]) -> str:
        said = []
        for row in rows:
            if not row.off or row.error:
                continue
            fits = [m.message for m in self.mistakes if self.reproduces(m.fn, row)]
            if not fits and self.otherwise:
                fits = [self.otherwise(row.args["entry"], row.expected, row.got)]
            fits = [message for message in fits if message]
            if fits:
                row.message = " ".join(fits)
                said.append((row.args["entry"], row.message))
        if len(said) == 1:
            return said[0][1]
        return " ".join(f"{entry}: {message}" for entry, message in said)


def _reported(entry, value):
    """The right report with one entry read wrong: value(curves) gives what was reported."""

    def report():
        return {**sweep_report(), entry: value(learning_rate_sweep())}

    return report


def _best(curves):
    return sweep_report()["best_rate"]


def _other_rates(entry: str, expected: object, got: object) -> str:
    if entry == "best_rate" and isinstance(got, float) and got not in RATES:
        return (
            f"{got:g} is not a rate of the sweep: the best rate is one of those tried, "
            f"{', '.join(f'{rate:g}' for rate in RATES)}."
        )
    near = isinstance(got, float) and isinstance(expected, float) and expected
    if entry == "final_loss" and near and abs(got - expected) <= 0.2 * abs(expected):
        return (
            "Close, but not within 2%: give the loss to three significant digits "
            "(0.0123, not 0.01)."
        )
    return ""


q3 = Report(
    number="8.3",
    function="sweep_report",
    reference=sweep_report,
    fixed=[
        {"entry": "best_rate"},
        {"entry": "final_loss"},
        {"entry": "epochs_to_solve"},
        {"entry": "unsolved_rates"},
    ],
    call=an_entry_of_the_report,
    axes={"result": ("rate {i} of the sorted list",)},
    # any honest run gives these to rounding; a loss read off a printed table to three
    # significant digits is within 2%
    tolerances={"final_loss": 0.02},
    atol=0.0,
    otherwise=_other_rates,
    mistakes=[
        Mistake(
            "2 is the rate of the XOR run after 8.2, not one the sweep tried: the best rate is "
            "one of the grid's, the one with the lowest loss after the last epoch.",
            _reported("best_rate", lambda curves: 2.0),
        ),
        Mistake(
            "The largest rate is not the best: at 30 the steps are so long that the sigmoids "
            "saturate and the loss stays near 0.5 (lesson 08's too large). The best rate has "
            "the lowest loss after the LAST epoch.",
            _reported("best_rate", lambda curves: 30.0),
        ),
        Mistake(
            "3 is not the rate with the lowest loss after the last epoch (it has the lowest "
            "after the FIRST epoch, if that is the end of the curves you read): compare the "
            "losses at epoch 300.",
            _reported("best_rate", lambda curves: 3.0),
        ),
        Mistake(
            "That is an accuracy (all four right is 1.0): the entry asks for the loss, the mean "
            "of (a − y)² over the four examples.",
            _reported("final_loss", lambda curves: 1.0),
        ),
        Mistake(
            "That is the loss of the four examples added up: the loss of the data set is their "
            "MEAN, the sum divided by 4.",
            _reported("final_loss", lambda curves: 4 * curves[_best(curves)][0][-1]),
        ),
        Mistake(
            "That is the loss of the last example alone, (a − y)² for (1, 1), as a loop that "
            "prints the loss of each step shows it: the entry asks for the loss of the data "
            "set, the mean over all four examples, after the epoch.",
            _reported(
                "final_loss",
                lambda curves: (_sweep()[1][_best(curves)][3] - 0.0) ** 2,
            ),
        ),
        Mistake(
            "That is the loss after the FIRST epoch: the entry asks for the loss after the "
            "last one, epoch 300.",
            _reported("final_loss", lambda curves: curves[_best(curves)][0][0]),
        ),
        Mistake(
            "That is the final loss of another rate, 3: read it off the best rate's curve.",
            _reported("final_loss", lambda curves: curves[3.0][0][-1]),
        ),
        Mistake(
            "That is the final loss of another rate, 1: read it off the best rate's curve.",
            _reported("final_loss", lambda curves: curves[1.0][0][-1]),
        ),
        Mistake(
            "One epoch too few: epochs count from 1 (the first epoch is epoch 1), so the index "
            "of the first epoch with all four right, plus 1.",
            _reported("epochs_to_solve", lambda curves: curves[_best(curves)][1].index(4)),
        ),
        Mistake(
            "That counts steps, four per epoch (one per example): the entry asks for epochs.",
            _reported(
                "epochs_to_solve", lambda curves: 4 * (curves[_best(curves)][1].index(4) + 1)
            ),
        ),
        Mistake(
            "That is the run's last epoch: the entry asks for the FIRST epoch after which all "
            "four examples are right.",
            _reported("epochs_to_solve", lambda curves: float(EPOCHS)),
        ),
        Mistake(
            "That is the epoch from which on all four stay right: the network gets all four "
            "right earlier, loses one again, then settles. The entry asks for the FIRST epoch "
            "after which all four are right.",
            _reported("epochs_to_solve", lambda curves: _settled(curves[_best(curves)][1])),
        ),
        Mistake(
            "That is when rate 3 solves it: read it off the best rate's curve.",
            _reported("epochs_to_solve", lambda curves: curves[3.0][1].index(4) + 1),
        ),
        Mistake(
            "30 is missing: a rate too large fails too. After 300 epochs at 30 the network "
            "still gets only 2 of the 4 right.",
            _reported("unsolved_rates", lambda curves: [0.1, 0.3, 1.0]),
        ),
        Mistake(
            "1 is missing: after 300 epochs at rate 1 the network gets 3 of the 4 right, not "
            "all four. It is on its way, slowly, but not there.",
            _reported("unsolved_rates", lambda curves: [0.1, 0.3, 30.0]),
        ),
        Mistake(
            "Those are the rates that DO solve it: the entry asks for the rates after whose "
            "300 epochs the network still gets some example wrong.",
            _reported("unsolved_rates", lambda curves: [3.0, 10.0]),
        ),
    ],
    errors={
        "NotPlainData": "Return the report as a dict with the four entries, e.g. "
        "`return {'best_rate': 0.1, 'final_loss': 0.25, 'epochs_to_solve': 1, "
        "'unsolved_rates': [0.1]}` with your numbers.",
        "NameError": "The grader runs the setup cell and the answer cells only: put the numbers "
        "you read off your run into the report itself.",
    },
    hints=[
        "Run the sweep cell above, then read its curves: for each rate, `curves[rate]` is (the "
        "loss after each epoch, how many examples are right after each epoch). The loss after "
        "the last epoch is `curves[rate][0][-1]`.",
        "best_rate: the rate whose curves[rate][0][-1] is lowest; final_loss: that number, to "
        "three significant digits or more; epochs_to_solve: the position of the first 4 in "
        "curves[best][1], plus 1 (epochs count from 1); unsolved_rates: every rate whose "
        "curves[rate][1][-1] is below 4.",
    ],
)


def _settled(right: list) -> int:
    """The epoch from which on every example stays right."""
    return next(e for e in range(len(right), 0, -1) if right[e - 1] < 4) + 1
