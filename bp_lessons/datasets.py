"""Small data sets for the lessons, generated or shipped inside scikit-learn: nothing is downloaded.

Every function returns (X, y) as float arrays: X of shape (examples, inputs) and y of shape
(examples, outputs), ready for the mean squared error. Two-class sets have one output (0 or 1);
`digits` has ten (one-hot). scikit-learn is imported only when a data set needs it.
"""

import numpy as np


def _truth_table(outputs: list[int]) -> tuple[np.ndarray, np.ndarray]:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array(outputs, dtype=float).reshape(4, 1)


def xor() -> tuple[np.ndarray, np.ndarray]:
    """XOR: 1 when exactly one input is 1. Not linearly separable: one neuron cannot learn it."""
    return _truth_table([0, 1, 1, 0])


def and_gate() -> tuple[np.ndarray, np.ndarray]:
    """AND: 1 when both inputs are 1."""
    return _truth_table([0, 0, 0, 1])


def or_gate() -> tuple[np.ndarray, np.ndarray]:
    """OR: 1 when at least one input is 1."""
    return _truth_table([0, 1, 1, 1])


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's `make_moons`)."""
    from sklearn.datasets import make_moons

    _check_count(n)
    X, labels = make_moons(n_samples=n, noise=noise, random_state=seed)
    return X, labels.reshape(-1, 1).astype(float)


def circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (label 1) inside a large one (scikit-learn's `make_circles`)."""
    from sklearn.datasets import make_circles

    _check_count(n)
    X, labels = make_circles(n_samples=n, noise=noise, factor=factor, random_state=seed)
    return X, labels.reshape(-1, 1).astype(float)


def spirals(
    n: int = 200, noise: float = 0.1, turns: float = 1.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals, n // 2 points each (the second is the first turned by 180°)."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    counts = (n - n // 2, n // 2)
    angles = [np.sqrt(rng.uniform(0.02, 1.0, size=count)) * turns * 2 * np.pi for count in counts]
    arms = [
        sign * np.column_stack([t * np.cos(t), t * np.sin(t)]) / (turns * 2 * np.pi)
        for sign, t in zip((1, -1), angles)
    ]
    X = np.concatenate(arms) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(counts[0]), np.ones(counts[1])]).reshape(-1, 1)
    order = rng.permutation(n)
    return X[order], y[order]


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten 8×8 digits that ship with scikit-learn.

    X: (1797, 64) pixel intensities scaled to [0, 1]; y: (1797, 10) one-hot, so y.argmax(1) is
    the digit.
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    X = data.data / 16.0  # pixels are 0..16
    y = np.eye(10)[data.target]
    return X, y


def split(
    X: np.ndarray, y: np.ndarray, validation: int = 360, test: int = 360, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Shuffle the examples once and cut them into (training, validation, test) pairs of (X, y).

    Train on the first, make every choice (epochs, learning rate, starting weights) on the
    second, and read the third once, at the end. `validation` and `test` are numbers of examples;
    the rest train. The same seed gives the same cut.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have one row per example: got {len(X)} and {len(y)} rows")
    for name, count in (("validation", validation), ("test", test)):
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
            raise ValueError(
                f"{name} must be a whole number of examples, at least 1, got {count!r}"
            )
    if validation + test >= len(X):
        raise ValueError(
            f"validation ({validation}) and test ({test}) leave no training examples "
            f"out of {len(X)}"
        )
    order = np.random.default_rng(seed).permutation(len(X))
    held_out_test, held_out_validation = order[:test], order[test : test + validation]
    training = order[test + validation :]
    return tuple((X[rows], y[rows]) for rows in (training, held_out_validation, held_out_test))


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be a whole number of examples, at least 2, got {n!r}")
