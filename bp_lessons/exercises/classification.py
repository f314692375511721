"""Exercise 13 · Classification: softmax with each row's max subtracted, the cross-entropy loss
computed from the logits, and the gradient of sigmoid outputs under a weighted binary
cross-entropy, derived.

A batch holds one example per row: the logits Z (batch, classes), the labels Y (batch, classes).
softmax(z)_j = e^{z_j} / Σ_k e^{z_k}, computed as e^{z_j − m} / Σ_k e^{z_k − m} with m each row's
max. The cross-entropy, the mean over the batch, L = −(1/B) Σ_e Σ_j y_ej log p_ej, with
log p_j = z_j − m − log Σ_k e^{z_k − m}. For sigmoid outputs a = σ(z) and the binary
cross-entropy with the positive term weighted by w (PyTorch's `pos_weight`),
L = −(1/B) Σ_e Σ_j [w y log a + (1 − y) log(1 − a)], the gradient is
∂L/∂z = (a(1 − y + w y) − w y)/B, which is (a − y)/B for w = 1.
Tasks 13.1 and 13.2 run with NumPy raising FloatingPointError where it would overflow, divide by
zero or make a NaN, so an answer that breaks on large logits says so.
"""

import numpy as np

from bp_lessons.exercises.calling import as_arrays, as_arrays_where_overflow_raises
from bp_lessons.exercises.check import Mistake, Task


def softmax(Z):
    """Each row of Z (batch, classes) made into probabilities: e^{z_j − m} / Σ_k e^{z_k − m}."""
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # (batch, classes), each row's largest is 1
    return E / E.sum(axis=1, keepdims=True)  # (batch, 1) sums: each row divided by its own


def cross_entropy_loss(Z, Y):
    """L = −(1/B) Σ_e Σ_j Y_ej log p_ej, p = softmax(Z), with log p from Z (never log 0)."""
    shifted = Z - Z.max(axis=1, keepdims=True)  # (batch, classes)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # log softmax(Z)
    return -np.sum(Y * log_p) / len(Z)  # the sum over the classes, the mean over the batch


def binary_cross_entropy_gradient(Z, Y, w):
    """∂L/∂Z for a = σ(Z), L = −(1/B) Σ_e Σ_j [w Y log a + (1 − Y) log(1 − a)]."""
    A = 1 / (1 + np.exp(-Z))  # (batch, outputs)
    # ∂L/∂a = ((1 − y) a − w y (1 − a)) / (B a(1 − a)), and ∂a/∂z = a(1 − a) cancels its denominator
    return (A * (1 - Y + w * Y) - w * Y) / len(Z)


# --- known mistakes ----------------------------------------------------------------------------


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _naive_softmax(Z):
    E = np.exp(Z)  # overflows at z = 710; every e^z below about −745 rounds to 0
    return E / E.sum(axis=1, keepdims=True)


def _softmax_with(Z, mistake):
    m = Z.max() if mistake == "global max" else Z.max(axis=1, keepdims=True)
    if mistake == "row min":  # or the mean: any shift that leaves an exponent above 709
        m = Z.min(axis=1, keepdims=True)
    if mistake == "max without keepdims":  # (batch,): lined up with the columns
        m = Z.max(axis=1)
    if mistake == "column max":  # each class's max over the batch
        m = Z.max(axis=0, keepdims=True)
    E = np.exp(Z - m)
    if mistake == "columns":
        return E / E.sum(axis=0, keepdims=True)
    if mistake == "no keepdims":
        return E / E.sum(axis=1)
    if mistake == "not divided":
        return E
    return E / E.sum(axis=1, keepdims=True)


# the epsilons learners clip p with (np.clip(p, ε, 1), log(p + ε), np.finfo(float).eps)
EPSILONS = (1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, float(np.finfo(float).eps))


def _loss_with(Z, Y, mistake, epsilon=1e-12):
    if mistake == "naive":
        log_p = np.log(_naive_softmax(Z))
    elif mistake == "log of p":
        log_p = np.log(softmax(Z))
    elif mistake == "clipped":
        log_p = np.log(np.maximum(softmax(Z), epsilon))
    elif mistake == "no normaliser":
        log_p = Z
    elif mistake == "global max":
        shifted = Z - Z.max()  # one max for the whole batch
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    elif mistake == "max not added back":  # log Σ e^z = m + log Σ e^{z − m}, without the m
        log_p = Z - np.log(np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True))
    elif mistake in ("binary", "binary clipped"):  # the binary cross-entropy on softmax's p
        p = softmax(Z)
        if mistake == "binary clipped":
            p = np.clip(p, epsilon, 1 - epsilon)
        return -np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p)) / len(Z)
    else:
        shifted = Z - Z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    total = -np.sum(Y * log_p)
    if mistake == "sum":
        return total
    if mistake == "every entry":
        return total / Z.size
    if mistake == "sign":
        return -total / len(Z)
    return total / len(Z)


def _random_logits(rng):
    batch, classes = int(rng.integers(1, 5)), int(rng.integers(1, 6))
    Z = rng.normal(scale=3.0, size=(batch, classes))
    Z += rng.choice([0.0, 0.0, 800.0, -900.0], size=(batch, 1))  # some rows far from 0
    return {"Z": Z.round(2).tolist()}


def _random_one_hot(rng):
    batch, classes = int(rng.integers(1, 5)), int(rng.integers(2, 6))
    Z = rng.normal(scale=3.0, size=(batch, classes))
    Z += rng.choice([0.0, 0.0, 0.0, 700.0], size=(batch, 1))
    Y = np.eye(classes)[rng.integers(0, classes, size=batch)]
    return {"Z": Z.round(2).tolist(), "Y": Y.tolist()}


def _random_binary(rng):
    batch, outputs = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    Y = rng.integers(0, 2, size=(batch, outputs))
    Y[0, 0] = 1  # at least one positive, so that the weight shows
    return {
        "Z": rng.normal(scale=3.0, size=(batch, outputs)).round(2).tolist(),
        "Y": Y.astype(float).tolist(),
        "w": float(rng.choice([0.5, 2.0, 3.0, 10.0])),
    }


def _binary_with(Z, Y, w, *, weight="positive", scale=None, sigma_prime=False, at_a=False):
    """binary_cross_entropy_gradient with one piece swapped for a known mistake."""
    A = _sigmoid(Z)
    if weight == "positive":
        gradient = A * (1 - Y + w * Y) - w * Y
    elif weight == "none":
        gradient = A - Y
    elif weight == "both":
        gradient = w * (A - Y)
    else:  # on the negative term
        gradient = A * (w - w * Y + Y) - Y
    if sigma_prime:
        gradient = gradient * A * (1 - A)
    if at_a:
        gradient = gradient / (A * (1 - A))
    return gradient / (len(Z) if scale is None else scale(Z))


# what NumPy's FloatingPointError says, and every slip that makes it say so (tasks 13.1, 13.2)
OVERFLOW = (
    "e^x overflowed: it is inf from x = 710. Every exponent is at most 0 when each row's OWN max "
    "is subtracted, `Z - Z.max(axis=1, keepdims=True)`; an exponent stays large when nothing is "
    "subtracted, when it is another number (the row's min or mean, a column's max), or when the "
    "max lacks keepdims=True (a (batch,) max is lined up with the columns, not the rows)"
)
ZERO_SUM = (
    "a row's sum of e^x was 0 (or inf): every e^x of that row rounded to 0 (below about "
    "x = −745) or overflowed. That happens with no max subtracted (logits near −1000), or with one "
    "max for the whole batch, `Z.max()`, or for each column, `Z.max(axis=0)`, which leaves a row "
    "far below it at e^−1000 = 0: subtract each row's own max, `Z.max(axis=1, keepdims=True)`"
)
LOG_OF_ZERO = (
    "log of 0: some log's argument rounded to 0. That is log p where p = e^−800 rounded to 0 "
    "(compute log p from z: log p_j = z_j − m − log Σ_k e^{z_k − m}), or log(1 − p) where p "
    "rounded to 1 (that term belongs to the binary cross-entropy; softmax's cross-entropy is "
    "−Σ_j y_j log p_j alone), or log Σ_k e^{z_k − m} with one m for the whole batch, where a "
    "row far below it sums to 0 (use each row's own max)"
)

q1 = Task(
    number="13.1",
    function="softmax",
    reference=softmax,
    axes={"result": ("example {i}", "class {i}")},
    fixed=[
        {"Z": [[1.0, 2.0, 3.0]]},
        # two examples of two classes: a batch as square as its rows are long
        {"Z": [[0.0, 0.0], [1.0, -1.0]]},
        # large logits: e^1000 is inf in float64
        {"Z": [[1000.0, 1001.0, 999.0]]},
        # two rows far apart: one max for the whole batch leaves the second row at e^-1000 = 0
        {"Z": [[1000.0, 1001.0], [0.0, 1.0]]},
        # very negative logits: every e^z rounds to 0
        {"Z": [[-1000.0, -1001.0, -999.0]]},
        # one class: its probability is 1 whatever z is
        {"Z": [[5.0], [-3.0]]},
        # rows 2000 wide, their max first and last: a shift by anything other than each row's max
        # (its min, its mean, its first or last entry) leaves e^1000 or e^2000, which overflow
        {"Z": [[-1000.0, 0.0, 1000.0], [1000.0, 0.0, -1000.0]]},
    ],
    random=_random_logits,
    call=as_arrays_where_overflow_raises,
    mistakes=[
        Mistake(
            "No max is subtracted: np.exp(Z) overflows to inf at z = 1000 (and every e^z "
            "rounds to 0 at z = −1000, giving 0/0). Subtract each row's max first: "
            "`E = np.exp(Z - Z.max(axis=1, keepdims=True))`; that changes no probability, since "
            "e^{z_j − m} / Σ_k e^{z_k − m} = e^{z_j} / Σ_k e^{z_k}.",
            _naive_softmax,
        ),
        Mistake(
            "The max is taken over the whole batch, `Z.max()`: a row far below it (z = 0 where "
            "the batch's max is 1001) has every e^{z − m} rounded to 0, and 0/0. Subtract each "
            "row's own max, `Z.max(axis=1, keepdims=True)`, shape (batch, 1).",
            lambda Z: _softmax_with(Z, "global max"),
        ),
        Mistake(
            "Each row is shifted by a number below its max (its min, or its mean: both give these "
            "results): on the row [−1000, 0, 1000] that leaves e^1000 or e^2000, which overflow. "
            "Subtract the row's max, so that every exponent is at most 0 and the largest is 0.",
            lambda Z: _softmax_with(Z, "row min"),
        ),
        Mistake(
            "The max has no keepdims: `Z.max(axis=1)` has shape (batch,), and NumPy lines it up "
            "with the columns, so row e gets the max of other rows subtracted (or the shapes "
            "clash; a batch of one comes out right). Keep the axis: "
            "`Z - Z.max(axis=1, keepdims=True)`, a (batch, 1) column.",
            lambda Z: _softmax_with(Z, "max without keepdims"),
        ),
        Mistake(
            "The max is taken down each column, over the batch (axis=0): a row far below another "
            "then has every e^{z − m} rounded to 0, and 0/0. Take each row's max, over its "
            "classes: `Z.max(axis=1, keepdims=True)`.",
            lambda Z: _softmax_with(Z, "column max"),
        ),
        Mistake(
            "Each column is divided by its sum over the batch (axis=0): it is each row, one "
            "example, whose probabilities must add up to 1. Sum over the classes, axis=1.",
            lambda Z: _softmax_with(Z, "columns"),
        ),
        Mistake(
            "The row sums, `E.sum(axis=1)`, have shape (batch,), and NumPy lines them up with "
            "the columns: row e is divided by the sums of other rows (or the shapes clash). "
            "Keep the axis: `E.sum(axis=1, keepdims=True)`, shape (batch, 1), divides each row "
            "by its own sum.",
            lambda Z: _softmax_with(Z, "no keepdims"),
        ),
        Mistake(
            "These are e^{z_j − m}, not yet divided by their row's sum: divide, so that each row "
            "adds up to 1.",
            lambda Z: _softmax_with(Z, "not divided"),
        ),
        Mistake(
            "That is σ(z) of every entry on its own: a row of sigmoids need not add up to 1. "
            "Softmax makes the classes share: e^{z_j} / Σ_k e^{z_k} over the row.",
            _sigmoid,
        ),
        Mistake(  # the same, written so that it never overflows
            "That is σ(z) of every entry on its own: a row of sigmoids need not add up to 1. "
            "Softmax makes the classes share: e^{z_j} / Σ_k e^{z_k} over the row.",
            lambda Z: 0.5 * (1 + np.tanh(Z / 2)),
        ),
    ],
    errors={
        "FloatingPointError: overflow": OVERFLOW,
        "FloatingPointError": ZERO_SUM,
        "ValueError": "check the shapes: Z is (batch, classes), and so is the result; a row's "
        "max or sum, with keepdims=True, is (batch, 1)",
    },
    hints=[
        "Softmax of a row changes nothing when the same number is subtracted from every entry: "
        "take m = the row's max, so that the largest e^{z − m} is e^0 = 1.",
        "`Z.max(axis=1, keepdims=True)` gives each row's max as a (batch, 1) column, which "
        "NumPy subtracts from every entry of its row.",
        "`E = np.exp(Z - Z.max(axis=1, keepdims=True))`, then "
        "`return E / E.sum(axis=1, keepdims=True)`.",
    ],
    forbidden=("bp_lessons.activations.softmax", "bp_lessons.losses.cross_entropy_gradient"),
)

q2 = Task(
    number="13.2",
    function="cross_entropy_loss",
    reference=cross_entropy_loss,
    fixed=[
        {"Z": [[2.0, 1.0, 0.1]], "Y": [[1.0, 0.0, 0.0]]},
        {"Z": [[0.0, 0.0], [3.0, -1.0]], "Y": [[0.0, 1.0], [1.0, 0.0]]},
        # large logits: e^1000 is inf in float64
        {"Z": [[1000.0, 1001.0, 999.0]], "Y": [[0.0, 1.0, 0.0]]},
        # sure and wrong: p of the right class is e^-800, which rounds to 0, and the loss is 800
        {"Z": [[0.0, 800.0]], "Y": [[1.0, 0.0]]},
        # two rows 1000 apart: one max for the whole batch leaves the second row's sum at 0
        {"Z": [[1000.0, 1001.0], [0.0, 1.0]], "Y": [[0.0, 1.0], [1.0, 0.0]]},
        {
            "Z": [[-2.0, 5.0, 0.5], [1.0, 1.0, 1.0], [0.3, -0.7, 2.2]],
            "Y": [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
        },
    ],
    random=_random_one_hot,
    call=as_arrays_where_overflow_raises,
    mistakes=[
        Mistake(
            "np.exp(Z) overflows to inf at z = 1000: the log of softmax computed without its max "
            "subtracted. Compute log p from z directly: log p_j = z_j − m − log Σ_k e^{z_k − m}, "
            "m each row's max.",
            lambda Z, Y: _loss_with(Z, Y, "naive"),
        ),
        Mistake(
            "That takes the log of p: where the right class gets p = e^{−800}, p rounds to 0 and "
            "log 0 = −inf, though the loss is exactly 800. Compute log p from z: "
            "log p_j = z_j − m − log Σ_k e^{z_k − m}, finite for every finite z (log-sum-exp).",
            lambda Z, Y: _loss_with(Z, Y, "log of p"),
        ),
        *(
            Mistake(
                f"log(p + {epsilon:.3g}) (or p clipped at {epsilon:.3g}) hides the log 0 and caps "
                f"every example's loss at −log({epsilon:.3g}) ≈ {-np.log(epsilon):.1f}, where a "
                "sure and wrong answer costs 800: compute log p from z instead, "
                "log p_j = z_j − m − log Σ_k e^{z_k − m}.",
                lambda Z, Y, epsilon=epsilon: _loss_with(Z, Y, "clipped", epsilon),
            )
            for epsilon in EPSILONS
        ),
        Mistake(
            "That is the SUM over the batch: the loss is the mean over the examples, so divide "
            "by the batch size B (`len(Z)`).",
            lambda Z, Y: _loss_with(Z, Y, "sum"),
        ),
        Mistake(
            "That divides by every entry, B · classes (`Z.size`): the cross-entropy SUMS over the "
            "classes (only the right one counts for one-hot labels) and takes the mean over the "
            "batch: divide by B, `len(Z)`.",
            lambda Z, Y: _loss_with(Z, Y, "every entry"),
        ),
        Mistake(
            "The minus sign is missing: log p ≤ 0, so L = −(1/B) Σ y log p is at least 0, and "
            "0 only when the right class gets p = 1.",
            lambda Z, Y: _loss_with(Z, Y, "sign"),
        ),
        Mistake(
            "That uses z_j for log p_j: log p_j = z_j − log Σ_k e^{z_k}. The second term, the "
            "same for every class of a row, is what makes the p's add up to 1.",
            lambda Z, Y: _loss_with(Z, Y, "no normaliser"),
        ),
        Mistake(
            "One max for the whole batch, `Z.max()`: a row 1000 below it has every e^{z − m} "
            "rounded to 0, and log 0. Take each row's own max, `Z.max(axis=1, keepdims=True)`.",
            lambda Z, Y: _loss_with(Z, Y, "global max"),
        ),
        Mistake(
            "The max is not added back: log Σ_k e^{z_k} = m + log Σ_k e^{z_k − m}, and this uses "
            "log Σ_k e^{z_k − m} alone next to the unshifted z. Either add m back, or subtract "
            "log Σ_k e^{z_k − m} from the shifted z − m.",
            lambda Z, Y: _loss_with(Z, Y, "max not added back"),
        ),
        Mistake(
            "That is the binary cross-entropy, −Σ_j [y_j log p_j + (1 − y_j) log(1 − p_j)], on "
            "softmax's p: the (1 − y) log(1 − p) term belongs to one sigmoid output per class. "
            "With softmax the classes share one distribution and the loss is −Σ_j y_j log p_j "
            "alone (it also fails where p rounds to 1, at log 0).",
            lambda Z, Y: _loss_with(Z, Y, "binary"),
        ),
        *(
            Mistake(
                "That is the binary cross-entropy, −Σ_j [y_j log p_j + (1 − y_j) log(1 − p_j)], "
                f"on softmax's p (clipped at {epsilon:.3g}, which hides its log 0): the (1 − y) "
                "log(1 − p) term belongs to one sigmoid output per class. With softmax the "
                "classes share one distribution and the loss is −Σ_j y_j log p_j alone.",
                lambda Z, Y, epsilon=epsilon: _loss_with(Z, Y, "binary clipped", epsilon),
            )
            for epsilon in EPSILONS[:-1]  # 1 − 2.2e-16 rounds to 1: that one fails as unclipped
        ),
    ],
    errors={
        "FloatingPointError: overflow": OVERFLOW,
        "FloatingPointError: divide by zero encountered in log": LOG_OF_ZERO,
        "FloatingPointError": ZERO_SUM,
        "ValueError": "check the shapes: Z and Y are (batch, classes); a row's max, sum or "
        "log-sum-exp taken without keepdims=True is (batch,), which NumPy lines up with the "
        "columns, not the rows: keep it (batch, 1) with keepdims=True",
    },
    hints=[
        "log p_j = log(e^{z_j} / Σ_k e^{z_k}) = z_j − log Σ_k e^{z_k}: no p is needed, and no "
        "log of a number that may have rounded to 0.",
        "With m = each row's max: log Σ_k e^{z_k} = m + log Σ_k e^{z_k − m}, and every "
        "e^{z_k − m} ≤ 1. So `shifted = Z - Z.max(axis=1, keepdims=True)` and `log_p = shifted "
        "- np.log(np.exp(shifted).sum(axis=1, keepdims=True))`.",
        "`return -np.sum(Y * log_p) / len(Z)`: the sum over the classes, the mean over the batch.",
    ],
    forbidden=(
        "bp_lessons.losses.cross_entropy_loss",
        "bp_lessons.losses.cross_entropy_gradient",
        "bp_lessons.activations.softmax",
    ),
)

q3 = Task(
    number="13.3",
    function="binary_cross_entropy_gradient",
    reference=binary_cross_entropy_gradient,
    # a derivation: exact to rounding (the formula's float error is near 1e-16); a central
    # difference, some 1e-11 off, or float32 is not the formula the task asks for
    rtol=1e-12,
    atol=1e-13,
    axes={"result": ("example {i}", "output {i}")},
    fixed=[
        # the lesson's saturated neuron, z = w + b = 4 for input 1, label 0, no weight
        {"Z": [[4.0]], "Y": [[0.0]], "w": 1.0},
        {"Z": [[4.0], [-2.0]], "Y": [[0.0], [1.0]], "w": 3.0},
        {"Z": [[0.5, -1.0, 2.0]], "Y": [[1.0, 0.0, 0.0]], "w": 2.0},
        {"Z": [[-3.0, 1.0], [2.5, 0.0]], "Y": [[1.0, 1.0], [0.0, 1.0]], "w": 0.5},
        {"Z": [[0.0], [-6.0], [6.0]], "Y": [[1.0], [1.0], [0.0]], "w": 10.0},
    ],
    random=_random_binary,
    call=as_arrays,
    mistakes=[
        Mistake(
            "That still has σ'(z) = a(1 − a) in it. ∂L/∂a has a(1 − a) in its denominator, "
            "and the chain rule's ∂a/∂z = a(1 − a) cancels it: nothing of σ' is left. That "
            "leftover σ' is what makes the squared error learn slowly when a sigmoid output is "
            "sure and wrong.",
            lambda Z, Y, w: _binary_with(Z, Y, w, sigma_prime=True),
        ),
        Mistake(
            "That is ∂L/∂a, the gradient with respect to the output: multiply by "
            "∂a/∂z = σ'(z) = a(1 − a) to reach z.",
            lambda Z, Y, w: _binary_with(Z, Y, w, at_a=True),
        ),
        Mistake(
            "The weight w is missing: that is the gradient of the unweighted loss, (a − y)/B. "
            "w multiplies the y log a term, so it stays in ∂L/∂a wherever y = 1.",
            lambda Z, Y, w: _binary_with(Z, Y, w, weight="none"),
        ),
        Mistake(
            "w multiplies the whole gradient: it weighs only the y log a term, so examples with "
            "y = 0 keep weight 1. Their gradient is a/B, a positive one's w(a − 1)/B.",
            lambda Z, Y, w: _binary_with(Z, Y, w, weight="both"),
        ),
        Mistake(
            "The weight is on the (1 − y) log(1 − a) term: it belongs to y log a, the term of "
            "the examples with y = 1.",
            lambda Z, Y, w: _binary_with(Z, Y, w, weight="negative"),
        ),
        Mistake(
            "The 1/B is missing: the loss is the mean over the batch, so divide by B, the number "
            "of rows (`len(Z)`).",
            lambda Z, Y, w: _binary_with(Z, Y, w, scale=lambda Z: 1.0),
        ),
        Mistake(
            "That divides by every entry, B · outputs (`Z.size`): the loss sums over the outputs "
            "and takes the mean over the batch only, so divide by B, `len(Z)`.",
            lambda Z, Y, w: _binary_with(Z, Y, w, scale=lambda Z: Z.size),
        ),
        Mistake(
            "The sign is flipped: for w = 1 the gradient is (a − y)/B, output minus label, so "
            "that a step z − lr · ∂L/∂z moves a towards y.",
            lambda Z, Y, w: -binary_cross_entropy_gradient(Z, Y, w),
        ),
        Mistake(
            "That uses z where a = σ(z) belongs.",
            lambda Z, Y, w: (Z * (1 - Y + w * Y) - w * Y) / len(Z),
        ),
    ],
    errors={
        "ValueError": "Z and Y are (batch, outputs), and so is ∂L/∂Z: one entry per output of "
        "every example; w is one number"
    },
    hints=[
        "One entry: L_e = −[w y log a + (1 − y) log(1 − a)] / B. Its slope in a is "
        "−[w y / a − (1 − y)/(1 − a)] / B; put it over the common denominator a(1 − a).",
        "∂L/∂a = ((1 − y) a − w y (1 − a)) / (B a(1 − a)). The chain rule multiplies it by "
        "∂a/∂z = σ'(z) = a(1 − a): what is left? Check it at w = 1, where it should be (a − y)/B.",
        "∂L/∂z = ((1 − y) a − w y (1 − a))/B: `A = 1 / (1 + np.exp(-Z))`, then "
        "`return ((1 - Y) * A - w * Y * (1 - A)) / len(Z)`.",
    ],
    # the two-class softmax: cross_entropy_gradient of the logits [z, 0] gives σ(z) − y first
    forbidden=("bp_lessons.losses.cross_entropy_gradient",),
)
