"""Exercise 12 · Deep networks: the variance of z derived from the mean and variance of a
neuron's inputs, the 1/n, Glorot and He starting weights, and the gradient of every layer.

z = Σ_k w_k a_k with n independent weights of mean 0 and variance v: E[z²] = n v E[a²], and
E[a²] = Var(a) + E[a]² (the offset a sigmoid's outputs carry). A starting-value scheme is a
variance v(fan_in, fan_out): 1/fan_in, 2/(fan_in + fan_out) (Glorot) or 2/fan_in (He); W is
(fan_out, fan_in), one row per neuron. The gradient of every layer: zero_grad, forward,
∂L/∂A = 2(A − Y)/A.size, backward, then ‖dW‖ of each layer, layer 1 first.
"""

import numpy as np

from bp_lessons.exercises.calling import a_network_with_stale_gradients
from bp_lessons.exercises.check import Mistake, Task
from bp_lessons.losses import mse_loss_gradient

VARIANCES = {  # scheme -> the variance of the weights, from (fan_in, fan_out)
    "1/n": lambda fan_in, fan_out: 1 / fan_in,
    "glorot": lambda fan_in, fan_out: 2 / (fan_in + fan_out),
    "he": lambda fan_in, fan_out: 2 / fan_in,
}
DRAWING_TOOLS = (  # everything in the package that draws a layer's starting weights
    "bp_lessons.initialization.initialize",
    "bp_lessons.initialization.lecun",
    "bp_lessons.initialization.glorot",
    "bp_lessons.initialization.he",
    "bp_lessons.vectorized.DenseLayer",
    "bp_lessons.vectorized.VectorizedMLP",
    "bp_lessons.neuron.Neuron",
    "bp_lessons.layer.Layer",
    "bp_lessons.mlp.MLP",
)


def z_variance(n, v, mean, variance):
    """E[z²] for z = Σ_k w_k a_k: n weights of mean 0 and variance v, independent of the
    inputs a_k, whose mean is `mean` and variance `variance`."""
    mean_square = variance + mean**2  # E[a²] = Var(a) + E[a]²
    return n * v * mean_square  # n terms, each E[w²] E[a²] = v E[a²]; cross terms average 0


def starting_weights(fan_in, fan_out, scheme, seed):
    """W (fan_out, fan_in) drawn from N(0, v): v = 1/fan_in ("1/n"), 2/(fan_in + fan_out)
    ("glorot") or 2/fan_in ("he")."""
    if scheme == "1/n":
        variance = 1 / fan_in
    elif scheme == "glorot":
        variance = 2 / (fan_in + fan_out)
    else:  # "he"
        variance = 2 / fan_in
    rng = np.random.default_rng(seed)
    return rng.standard_normal((fan_out, fan_in)) * np.sqrt(variance)  # std = √variance


def gradient_norms(network, X, Y):
    """‖∂L/∂W⁽ˡ⁾‖ of every layer of a VectorizedMLP, layer 1 first, for the mean squared error
    of the batch (X, Y)."""
    network.zero_grad()  # backward adds: start from 0
    A = network.forward(X)
    network.backward(mse_loss_gradient(A, Y))  # ∂L/∂A = 2(A − Y)/A.size
    return [np.linalg.norm(layer.dW) for layer in network.layers]  # √(sum of squares)


# --- known mistakes ----------------------------------------------------------------------------


def _drawn(
    fan_in, fan_out, scheme, seed, *, variance=None, scale=np.sqrt, shape=None, legacy=False
):
    """starting_weights with one piece swapped for a known mistake."""
    v = (variance or VARIANCES[scheme])(fan_in, fan_out)
    rng = np.random.RandomState(seed) if legacy else np.random.default_rng(seed)
    return rng.standard_normal(shape or (fan_out, fan_in)) * scale(v)


def _drawn_uniform_glorot(fan_in, fan_out, scheme, seed):
    """Glorot's scheme drawn from U(−limit, limit), limit = √(6/(fan_in + fan_out)); the others
    as asked."""
    if scheme != "glorot":
        return _drawn(fan_in, fan_out, scheme, seed)
    limit = np.sqrt(6 / (fan_in + fan_out))
    return np.random.default_rng(seed).uniform(-limit, limit, (fan_out, fan_in))


def _drawn_then_transposed(fan_in, fan_out, scheme, seed):
    """The right shape, reached by drawing (fan_in, fan_out) and transposing."""
    v = VARIANCES[scheme](fan_in, fan_out)
    return np.random.default_rng(seed).standard_normal((fan_in, fan_out)).T * np.sqrt(v)


SWAPPED = {  # fan-in and fan-out exchanged in every scheme
    "1/n": lambda fan_in, fan_out: 1 / fan_out,
    "glorot": lambda fan_in, fan_out: 2 / (fan_in + fan_out),
    "he": lambda fan_in, fan_out: 2 / fan_out,
}


def _norms_with(network, X, Y, *, zero=True, gradient=None, of="dW", norm=np.linalg.norm):
    """gradient_norms with one piece swapped for a known mistake."""
    if zero:
        network.zero_grad()
    A = network.forward(X)
    network.backward(gradient(A, Y) if gradient else mse_loss_gradient(A, Y))
    return [norm(getattr(layer, of)) for layer in network.layers]


def _random_moments(rng):
    return {
        "n": int(rng.integers(1, 101)),
        "v": round(float(rng.uniform(0.01, 1.0)), 3),
        "mean": round(float(rng.normal(scale=0.8)), 2) or 0.5,  # never 0: the mean must count
        "variance": round(float(rng.uniform(0.05, 2.0)), 2),
    }


def _random_drawing(rng):
    return {
        "fan_in": int(rng.integers(1, 6)),
        "fan_out": int(rng.integers(1, 6)),
        "scheme": str(rng.choice(list(VARIANCES))),
        "seed": int(rng.integers(0, 1000)),
    }


def _random_network(rng):
    sizes = [int(n) for n in rng.integers(1, 5, size=int(rng.integers(3, 5)))]
    batch = int(rng.integers(1, 5))
    return {
        "sizes": sizes,
        "activation": str(rng.choice(["sigmoid", "tanh", "relu"])),
        "seed": int(rng.integers(0, 1000)),
        "X": rng.normal(size=(batch, sizes[0])).round(2).tolist(),
        "Y": rng.random((batch, sizes[-1])).round(2).tolist(),
    }


MEAN_MISSING = (
    "The mean of the inputs is missing. w_k a_k has mean 0 (w_k does), but E[z²] needs "
    "E[a_k²] = Var(a_k) + E[a_k]², the offset included. A sigmoid's outputs average about ½: "
    "that offset is lesson 06's level, and it reaches the next layer's z through every weight."
)

q1 = Task(
    number="12.1",
    function="z_variance",
    reference=z_variance,
    rtol=1e-12,
    atol=1e-12,
    fixed=[
        {"n": 4, "v": 0.25, "mean": 0.0, "variance": 1.0},  # centred inputs, v = 1/n
        {"n": 30, "v": 1 / 30, "mean": 0.5, "variance": 0.01},  # sigmoid outputs near ½
        {"n": 64, "v": 2 / 64, "mean": 0.3, "variance": 0.1},  # He's v on pixel-like inputs
        {"n": 1, "v": 2.0, "mean": -1.0, "variance": 0.5},  # a negative mean
        {"n": 10, "v": 0.1, "mean": 0.5, "variance": 0.0},  # constant inputs: z still varies
    ],
    random=_random_moments,
    mistakes=[
        Mistake(MEAN_MISSING, lambda n, v, mean, variance: n * v * variance),
        Mistake(
            "n is missing: z adds up n products, and the expected squares of the n terms add "
            "up (the cross terms average 0): E[z²] = n · v · E[a²].",
            lambda n, v, mean, variance: v * (variance + mean**2),
        ),
        Mistake(
            "That is n² v E[a²], as if all n products were one product repeated. For k ≠ k' "
            "E[w_k w_k'] = E[w_k] E[w_k'] = 0 (independent weights of mean 0), so the cross "
            "terms of (Σ_k w_k a_k)² average 0 and only the n squares remain.",
            lambda n, v, mean, variance: n * n * v * (variance + mean**2),
        ),
        Mistake(
            "That is the standard deviation of z, the square root of E[z²]: the task asks for "
            "E[z²] itself.",
            lambda n, v, mean, variance: float(np.sqrt(n * v * (variance + mean**2))),
        ),
        Mistake(
            "The mean enters squared: E[a²] = Var(a) + E[a]², not Var(a) + E[a].",
            lambda n, v, mean, variance: n * v * (variance + mean),
        ),
        Mistake(
            "The mean's part is added once, outside the sum; but the offset rides on every term "
            "with its weight: E[(w_k a_k)²] = v (Var(a_k) + E[a_k]²) for each of the n terms.",
            lambda n, v, mean, variance: n * v * variance + mean**2,
        ),
    ],
    hints=[
        "Square the sum: (Σ_k w_k a_k)² = Σ_k Σ_k' w_k w_k' a_k a_k'. Take the expectation of "
        "each term: the weights are independent of each other and of the inputs, with mean 0.",
        "For k ≠ k' the term averages E[w_k] E[w_k'] E[a_k a_k'] = 0. For k = k' it is "
        "E[w_k²] E[a_k²] = v E[a_k²]. And E[a²] = Var(a) + E[a]².",
        "`return n * v * (variance + mean**2)`.",
    ],
)

q2 = Task(
    number="12.2",
    function="starting_weights",
    reference=starting_weights,
    axes={"result": ("neuron {i}", "input {i}")},
    fixed=[
        {"fan_in": 3, "fan_out": 2, "scheme": "he", "seed": 0},
        {"fan_in": 2, "fan_out": 3, "scheme": "glorot", "seed": 1},
        {"fan_in": 4, "fan_out": 4, "scheme": "1/n", "seed": 2},
        {"fan_in": 5, "fan_out": 1, "scheme": "glorot", "seed": 3},
        {"fan_in": 1, "fan_out": 3, "scheme": "1/n", "seed": 4},
        # the first case again: the same seed must give the same weights
        {"fan_in": 3, "fan_out": 2, "scheme": "he", "seed": 0},
    ],
    random=_random_drawing,
    mistakes=[
        Mistake(
            "The numbers are scaled by the variance v itself. The standard normal's numbers have "
            "standard deviation 1, so times a gives standard deviation a and variance a²: "
            "multiply by the standard deviation √v, `np.sqrt(variance)` (`rng.normal(0, scale)` "
            "takes a standard deviation too).",
            lambda fan_in, fan_out, scheme, seed: _drawn(
                fan_in, fan_out, scheme, seed, scale=lambda v: v
            ),
        ),
        Mistake(
            "W is drawn transposed: it has one row per neuron, shape (fan_out, fan_in) as in "
            "lesson 10, so draw `rng.standard_normal((fan_out, fan_in))`.",
            lambda fan_in, fan_out, scheme, seed: _drawn(
                fan_in, fan_out, scheme, seed, shape=(fan_in, fan_out)
            ),
        ),
        Mistake(
            "fan_in and fan_out are swapped: the 1/n scale and He's are about the forward pass, "
            "whose z adds up fan_in products: v = 1/fan_in and 2/fan_in.",
            lambda fan_in, fan_out, scheme, seed: _drawn(
                fan_in, fan_out, scheme, seed, variance=SWAPPED[scheme]
            ),
        ),
        Mistake(
            "Glorot's variance is 2/(fan_in + fan_out), one over the mean of fan_in and fan_out; "
            "the 2 is missing.",
            lambda fan_in, fan_out, scheme, seed: _drawn(
                fan_in,
                fan_out,
                scheme,
                seed,
                variance=(lambda i, o: 1 / (i + o)) if scheme == "glorot" else None,
            ),
        ),
        Mistake(
            "That standard deviation, √(6/(fan_in + fan_out)), is the limit of Glorot's UNIFORM "
            "distribution, U(−limit, limit), whose variance limit²/3 is 2/(fan_in + fan_out). A "
            "normal draw takes the standard deviation √(2/(fan_in + fan_out)).",
            lambda fan_in, fan_out, scheme, seed: _drawn(
                fan_in,
                fan_out,
                scheme,
                seed,
                variance=(lambda i, o: 6 / (i + o)) if scheme == "glorot" else None,
            ),
        ),
        Mistake(
            "Glorot's weights were drawn from the UNIFORM distribution U(−limit, limit), limit "
            "= √(6/(fan_in + fan_out)): its variance, limit²/3 = 2/(fan_in + fan_out), is right, "
            "but this task (as lesson 12) draws every scheme from the normal distribution: "
            "`rng.standard_normal((fan_out, fan_in)) * np.sqrt(v)`.",
            _drawn_uniform_glorot,
        ),
        Mistake(
            "He's variance is 2/fan_in, twice the 1/n scale: ReLU zeroes half of E[z²], the 2 "
            "makes up for it.",
            lambda fan_in, fan_out, scheme, seed: _drawn(
                fan_in,
                fan_out,
                scheme,
                seed,
                variance=VARIANCES["1/n"] if scheme == "he" else None,
            ),
        ),
        Mistake(
            "He's variance takes fan_out, 2/fan_out: it is 2/fan_in, since it keeps the forward "
            "pass's E[z²] steady and z adds up fan_in products (the other schemes are right).",
            lambda fan_in, fan_out, scheme, seed: _drawn(
                fan_in,
                fan_out,
                scheme,
                seed,
                variance=SWAPPED["he"] if scheme == "he" else None,
            ),
        ),
        Mistake(
            "The shape is right, but the numbers were drawn as (fan_in, fan_out) and then "
            "transposed: the generator fills a matrix row by row, so the same numbers land in "
            "other places (a single row or column comes out right). Draw "
            "`rng.standard_normal((fan_out, fan_in))` directly.",
            _drawn_then_transposed,
        ),
        Mistake(
            "Those are the numbers of NumPy's legacy generator (`np.random.seed(seed)` with "
            "`np.random.randn`, or `np.random.RandomState(seed)`): the same seed gives other "
            "numbers there. Draw with `np.random.default_rng(seed)`, as the lessons do.",
            lambda fan_in, fan_out, scheme, seed: _drawn(
                fan_in, fan_out, scheme, seed, legacy=True
            ),
        ),
        Mistake(
            "Every case drew with the same seed, 0, whatever its `seed`: right on the cases with "
            "seed 0 only. Draw with `np.random.default_rng(seed)`, the seed the function is given.",
            lambda fan_in, fan_out, scheme, seed: _drawn(fan_in, fan_out, scheme, 0),
        ),
    ],
    repeated="draw with `np.random.default_rng(seed)`, the case's seed: the same seed must give "
    "the same weights, so that a run can be repeated",
    errors={
        "KeyError": 'the schemes are named "1/n", "glorot" and "he"',
        "ValueError": "check the shape: (fan_out, fan_in), one row per neuron",
    },
    hints=[
        "First the variance v of the scheme: 1/fan_in, 2/(fan_in + fan_out) or 2/fan_in. The "
        "standard normal's numbers have variance 1; times s, they have variance s².",
        "`rng = np.random.default_rng(seed)`, then `rng.standard_normal((fan_out, fan_in))` "
        "times the standard deviation `np.sqrt(v)`.",
        'For example: `v = {"1/n": 1 / fan_in, "glorot": 2 / (fan_in + fan_out), "he": '
        "2 / fan_in}[scheme]`, then `return np.random.default_rng(seed).standard_normal("
        "(fan_out, fan_in)) * np.sqrt(v)`.",
    ],
    forbidden=DRAWING_TOOLS,
)

q3 = Task(
    number="12.3",
    function="gradient_norms",
    reference=gradient_norms,
    axes={"result": ("layer {n} (index {i})",)},
    fixed=[
        # XOR through 2-3-1 sigmoid
        {
            "sizes": [2, 3, 1],
            "activation": "sigmoid",
            "seed": 0,
            "X": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
            "Y": [[0.0], [1.0], [1.0], [0.0]],
        },
        # two ReLU hidden layers, a batch of 2 with 2 outputs
        {
            "sizes": [3, 4, 4, 2],
            "activation": "relu",
            "seed": 1,
            "X": [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]],
            "Y": [[1.0, 0.0], [0.0, 1.0]],
        },
        # four layers of tanh, one example
        {
            "sizes": [2, 2, 2, 2, 1],
            "activation": "tanh",
            "seed": 2,
            "X": [[1.0, -1.0]],
            "Y": [[0.5]],
        },
    ],
    random=_random_network,
    call=a_network_with_stale_gradients,
    mistakes=[
        Mistake(
            "The gradients of an earlier batch were added to: backward ADDS into every layer's "
            "dW (lesson 09), and the network the check gives you still holds the gradients of "
            "another batch. Call `network.zero_grad()` before the forward pass.",
            lambda network, X, Y: _norms_with(network, X, Y, zero=False),
        ),
        Mistake(
            "Those are the norms of the weights W, not of their gradients dW.",
            lambda network, X, Y: _norms_with(network, X, Y, of="W"),
        ),
        Mistake(
            "Those are the norms of db, the biases' gradients; the task measures dW.",
            lambda network, X, Y: _norms_with(network, X, Y, of="db"),
        ),
        Mistake(
            "The layers are listed from the output back: give layer 1 first, in the order of "
            "`network.layers`.",
            lambda network, X, Y: _norms_with(network, X, Y)[::-1],
        ),
        Mistake(
            "backward was given A − Y: the loss is the mean of (A − Y)² over every entry, so "
            "∂L/∂A = 2(A − Y)/A.size, `mse_loss_gradient(A, Y)` (given in the setup cell).",
            lambda network, X, Y: _norms_with(network, X, Y, gradient=lambda A, Y: A - Y),
        ),
        Mistake(
            "That is the sum of the absolute values of dW; the norm is the square root of the "
            "sum of the squares, `np.linalg.norm(layer.dW)`.",
            lambda network, X, Y: _norms_with(network, X, Y, norm=lambda M: np.abs(M).sum()),
        ),
        Mistake(
            "That is the root mean square of dW's entries (the norm divided by √(its size)); "
            "the task asks for the norm itself, `np.linalg.norm(layer.dW)`.",
            lambda network, X, Y: _norms_with(
                network, X, Y, norm=lambda M: np.linalg.norm(M) / np.sqrt(M.size)
            ),
        ),
    ],
    errors={
        "AttributeError": "the network is a VectorizedMLP: `network.zero_grad()`, "
        "`network.forward(X)`, `network.backward(dA)`, and `network.layers`, each with `.dW`",
        "ValueError": "X is (batch, inputs) and Y (batch, outputs); backward takes ∂L/∂A of the "
        "shape of the outputs",
    },
    hints=[
        "Four steps, as `train` does them for one batch without the step: `network.zero_grad()`, "
        "`A = network.forward(X)`, `network.backward(mse_loss_gradient(A, Y))`, then read every "
        "layer's `dW`.",
        "The norm of a matrix is the square root of the sum of the squares of its entries: "
        "`np.linalg.norm(layer.dW)`.",
        "`return [np.linalg.norm(layer.dW) for layer in network.layers]`, after the three "
        "calls of the first hint. Do not call `network.step`: a measurement changes nothing.",
    ],
    forbidden=("bp_lessons.initialization.gradient_norms", "bp_lessons.initialization.deltas"),
)
