"""Exercise 03 · The loss: the mean squared error, its gradient, and the slope by central
differences.

The series' convention: L = (1/n) Σ_j (a_j − y_j)², the MEAN over the n outputs, so
∂L/∂a_j = 2(a_j − y_j)/n, which for one output is the notes' 2(a − label).
"""

import math

from bp_lessons.exercises.calling import NAMED_FUNCTIONS, numerical_derivative_of_named
from bp_lessons.exercises.check import Mistake, Task

# each of these computes the loss, its gradient or a slope, or the loss of a model trained
# for an epoch: one could answer another's task
LOSS_TOOLS = (
    "bp_lessons.losses.mse_loss",
    "bp_lessons.losses.mse_loss_gradient",
    "bp_lessons.gradcheck.numerical_gradient",
    "bp_lessons.gradcheck.gradient_check",
    "bp_lessons.training.train",
    "bp_lessons.training.record_training",
)


def mse_loss(outputs, labels):
    """L = (1/n) Σ_j (a_j − y_j)²"""
    return sum((a - y) ** 2 for a, y in zip(outputs, labels)) / len(outputs)


def mse_loss_gradient(outputs, labels):
    """∂L/∂a_j = 2(a_j − y_j) / n"""
    n = len(outputs)
    return [2 * (a - y) / n for a, y in zip(outputs, labels)]


def numerical_derivative(f, x, epsilon=1e-5):
    """df/dx ≈ (f(x + ε) − f(x − ε)) / (2ε)"""
    return (f(x + epsilon) - f(x - epsilon)) / (2 * epsilon)


def _over_n_minus_1(outputs, labels, one):
    """The sum of squares over n − 1, and for one output what `one` says."""
    total = sum((a - y) ** 2 for a, y in zip(outputs, labels))
    if len(outputs) > 1 or one == "raise":
        return total / (len(outputs) - 1)
    return math.inf if one == "inf" and total else total


def _random_outputs(rng):
    n = int(rng.choice([1, 3, 4, 5]))  # with n = 2, 2/n = 1 would hide a missing 2 and 1/n
    return {"outputs": rng.random(n).round(3).tolist(), "labels": rng.random(n).round(3).tolist()}


def _random_point(rng):
    return {
        "f": str(rng.choice(list(NAMED_FUNCTIONS))),
        "x": round(float(rng.uniform(-2, 2)), 2),
        "epsilon": float(rng.choice([0.1, 0.01, 0.001])),
    }


OUTPUT_CASES = [
    {"outputs": [0.8], "labels": [1.0]},
    {"outputs": [0.5, 0.2, 0.9], "labels": [1.0, 0.0, 1.0]},
    {"outputs": [0.25, 0.75, 0.5, 1.0], "labels": [0.0, 1.0, 1.0, 0.0]},
]

q1 = Task(
    number="3.1",
    function="mse_loss",
    reference=mse_loss,
    fixed=OUTPUT_CASES,
    random=_random_outputs,
    mistakes=[
        Mistake(
            "That is the SUM of the squares; the series' loss is their MEAN over the n outputs: "
            "L = (1/n) Σ_j (a_j − y_j)².",
            lambda outputs, labels: mse_loss(outputs, labels) * len(outputs),
        ),
        Mistake(
            "That is half the mean: some books put a ½ in the loss; this series does not, "
            "L = (1/n) Σ_j (a_j − y_j)².",
            lambda outputs, labels: mse_loss(outputs, labels) / 2,
        ),
        Mistake(
            "That is the square root of the mean (RMSE); the loss is the mean of the squares "
            "itself.",
            lambda outputs, labels: math.sqrt(mse_loss(outputs, labels)),
        ),
        Mistake(
            "The differences are not squared: L = (1/n) Σ_j (a_j − y_j)², so that errors of "
            "either sign add up.",
            lambda outputs, labels: sum(a - y for a, y in zip(outputs, labels)) / len(outputs),
        ),
        *(
            Mistake(
                "That divides by n − 1, as a sample variance does: the loss is the plain mean "
                "over the n outputs, L = (1/n) Σ_j (a_j − y_j)².",
                lambda outputs, labels, one=one: _over_n_minus_1(outputs, labels, one),
            )
            # n − 1 = 0 for one output: Python raises, NumPy gives inf, or the learner guarded it
            for one in ("raise", "inf", "guarded")
        ),
        Mistake(
            "That is the mean ABSOLUTE error, (1/n) Σ_j |a_j − y_j|: the loss squares each "
            "difference, L = (1/n) Σ_j (a_j − y_j)².",
            lambda outputs, labels: sum(abs(a - y) for a, y in zip(outputs, labels)) / len(outputs),
        ),
        Mistake(
            "That is the square of the mean difference, ((1/n) Σ_j (a_j − y_j))²: square each "
            "difference first, then take the mean, L = (1/n) Σ_j (a_j − y_j)².",
            lambda outputs, labels: (
                (sum(a - y for a, y in zip(outputs, labels)) / len(outputs)) ** 2
            ),
        ),
    ],
    hints=[
        "Square each difference a_j − y_j, add them up, divide by how many outputs there are.",
        "`sum((a - y) ** 2 for a, y in zip(outputs, labels)) / len(outputs)`",
    ],
    forbidden=LOSS_TOOLS,
)

q2 = Task(
    number="3.2",
    function="mse_loss_gradient",
    reference=mse_loss_gradient,
    axes={"result": ("output {i}",)},
    fixed=OUTPUT_CASES,
    random=_random_outputs,
    mistakes=[
        Mistake(
            "The factor 1/n is missing. The loss is the MEAN over the n outputs, "
            "L = (1/n) Σ_j (a_j − y_j)², so ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda outputs, labels: [2 * (a - y) for a, y in zip(outputs, labels)],
        ),
        Mistake(
            "The factor 2 is missing: the slope of (a − y)² is 2(a − y), so with the mean over "
            "n outputs ∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda outputs, labels: [(a - y) / len(outputs) for a, y in zip(outputs, labels)],
        ),
        Mistake(
            "Both the 2 and the 1/n are missing: with the mean over n outputs, "
            "∂L/∂a_j = 2(a_j − y_j)/n.",
            lambda outputs, labels: [a - y for a, y in zip(outputs, labels)],
        ),
        Mistake(
            "The sign is flipped: ∂L/∂a_j = 2(a_j − y_j)/n, output minus label. It is positive "
            "when the output is too large, so a step against it lowers the output.",
            lambda outputs, labels: [2 * (y - a) / len(outputs) for a, y in zip(outputs, labels)],
        ),
    ],
    hints=[
        "Differentiate L = (1/n) Σ_j (a_j − y_j)² with respect to one a_j: only its own term "
        "moves.",
        "∂L/∂a_j = 2(a_j − y_j)/n; return one number per output, in a list.",
    ],
    forbidden=LOSS_TOOLS,
)

q3 = Task(
    number="3.3",
    function="numerical_derivative",
    reference=numerical_derivative,
    fixed=[
        {"f": "x**3", "x": 1.5, "epsilon": 0.1},
        {"f": "x**2", "x": -2.0, "epsilon": 0.5},
        {"f": "sin(x)", "x": 0.7, "epsilon": 0.01},
        {"f": "(σ(1.5x − 0.5) − 1)**2", "x": 0.3, "epsilon": 0.001},
    ],
    random=_random_point,
    call=numerical_derivative_of_named,
    mistakes=[
        Mistake(
            "That is the forward difference (f(x + ε) − f(x)) / ε, whose error shrinks only "
            "like ε; central differences (f(x + ε) − f(x − ε)) / (2ε) err like ε².",
            lambda f, x, epsilon: (f(x + epsilon) - f(x)) / epsilon,
        ),
        Mistake(
            "That is the backward difference (f(x) − f(x − ε)) / ε; use both sides: "
            "(f(x + ε) − f(x − ε)) / (2ε).",
            lambda f, x, epsilon: (f(x) - f(x - epsilon)) / epsilon,
        ),
        Mistake(
            "The 2 is missing: from x − ε to x + ε is a step of 2ε, so divide by 2ε.",
            lambda f, x, epsilon: (f(x + epsilon) - f(x - epsilon)) / epsilon,
        ),
        Mistake(
            "That ignores the `epsilon` your function is given: it matches the slope with a "
            "tiny step of its own (1e-4, 1e-5, …: they all agree here), where the cases ask "
            "for ε = 0.1, 0.5, …. Step by `epsilon`.",
            lambda f, x, epsilon: (f(x + 1e-5) - f(x - 1e-5)) / 2e-5,
        ),
    ],
    hints=[
        "Step ε to each side of x and divide the change in f by the distance between the "
        "two points.",
        "`(f(x + epsilon) - f(x - epsilon)) / (2 * epsilon)`",
    ],
    forbidden=LOSS_TOOLS,
)
