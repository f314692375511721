import numpy as np
import pytest

from bp_lessons import datasets

pytestmark = [pytest.mark.lesson02, pytest.mark.lesson09, pytest.mark.lesson10]


@pytest.mark.parametrize(
    "make, labels",
    [
        (datasets.xor, [0, 1, 1, 0]),
        (datasets.and_gate, [0, 0, 0, 1]),
        (datasets.or_gate, [0, 1, 1, 1]),
    ],
)
def test_truth_tables(make, labels):
    X, y = make()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.shape == (4, 1) and y[:, 0].tolist() == labels
    assert X.dtype == y.dtype == np.float64


@pytest.mark.parametrize("make", [datasets.moons, datasets.circles, datasets.spirals])
def test_two_class_sets_are_seeded_with_one_output(make):
    X, y = make(n=101, seed=1)
    assert X.shape == (101, 2) and y.shape == (101, 1)
    assert set(y[:, 0].tolist()) == {0.0, 1.0}
    assert abs(y.sum() - 50.5) <= 1  # balanced
    again, _ = make(n=101, seed=1)
    other, _ = make(n=101, seed=2)
    assert np.array_equal(X, again) and not np.array_equal(X, other)
    assert np.isfinite(X).all() and np.abs(X).max() < 3


def test_spirals_wind_around_the_origin_in_opposite_arms():
    X, y = datasets.spirals(n=400, noise=0.0, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() <= 1.0 + 1e-12
    for label in (0, 1):  # each arm sweeps more than a full turn
        arm = X[y[:, 0] == label]
        assert np.ptp(np.arctan2(arm[:, 1], arm[:, 0])) > 6
    # the two arms are the same curve turned by 180 degrees: no point sits on the other arm
    zero, one = X[y[:, 0] == 0], X[y[:, 0] == 1]
    gaps = np.linalg.norm(zero[:, None, :] - one[None, :, :], axis=2).min()
    assert gaps > 0.01


def test_digits_are_the_shipped_8x8_set_scaled_and_one_hot():
    X, y = datasets.digits()
    assert X.shape == (1797, 64) and y.shape == (1797, 10)
    assert X.min() == 0.0 and X.max() == 1.0
    assert (y.sum(axis=1) == 1).all() and np.bincount(y.argmax(1)).min() > 170


@pytest.mark.parametrize("n", [0, 1, -5, 2.5, True])
def test_bad_sizes(n):
    with pytest.raises(ValueError, match="n must be a whole number of examples, at least 2"):
        datasets.spirals(n=n)
    with pytest.raises(ValueError, match="n must be a whole number of examples, at least 2"):
        datasets.moons(n=n)


def test_split_cuts_every_example_into_exactly_one_part_the_same_way_each_time():
    X, y = datasets.digits()
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = datasets.split(X, y, validation=300, test=360)
    assert (len(X_tr), len(X_va), len(X_te)) == (len(X) - 660, 300, 360)
    rows = np.concatenate([X_tr, X_va, X_te])
    assert sorted(map(bytes, rows)) == sorted(map(bytes, X))  # nothing lost, nothing twice
    assert np.array_equal(datasets.split(X, y, validation=300, test=360)[2][0], X_te)
    # the test part is the one lesson 10 held out before validation existed
    order = np.random.default_rng(0).permutation(len(X))
    assert np.array_equal(X_te, X[order[:360]]) and np.array_equal(y_te, y[order[:360]])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"validation": 0}, "validation must be a whole number"),
        ({"test": 2.5}, "test must be a whole number"),
        ({"validation": 1000, "test": 797}, "leave no training examples"),
    ],
)
def test_split_says_what_is_wrong_with_its_sizes(kwargs, message):
    X, y = datasets.digits()
    with pytest.raises(ValueError, match=message):
        datasets.split(X, y, **kwargs)
    with pytest.raises(ValueError, match="one row per example"):
        datasets.split(X, y[:-1])
