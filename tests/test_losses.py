import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp_lessons.activations import sigmoid, softmax
from bp_lessons.gradcheck import numerical_gradient
from bp_lessons.losses import (
    cross_entropy_gradient,
    cross_entropy_loss,
    get_loss,
    mse_loss,
    mse_loss_gradient,
)

pytestmark = pytest.mark.lesson03

values = st.floats(min_value=-10, max_value=10, allow_nan=False)
pairs = st.integers(1, 6).flatmap(
    lambda n: st.tuples(
        st.lists(values, min_size=n, max_size=n), st.lists(values, min_size=n, max_size=n)
    )
)


def test_mse_is_the_mean_over_outputs():
    assert mse_loss([0.5], [1.0]) == 0.25
    assert mse_loss([1.0, 2.0], [0.0, 0.0]) == 2.5  # (1 + 4) / 2, not the sum 5
    assert mse_loss([3.0, 3.0, 3.0], [3.0, 3.0, 3.0]) == 0.0


def test_the_mean_is_correctly_rounded_so_every_python_gives_the_same_bits():
    # the squares of 0.1 ten times: plain and compensated summation differ in the last bit
    assert mse_loss([0.1] * 10, [0.0] * 10) == math.fsum([0.1 * 0.1] * 10) / 10


def test_one_output_gradient_is_the_notes_2_times_a_minus_label():
    for a, label in [(0.8, 1.0), (0.2, 0.0), (-3.0, 4.0)]:
        assert mse_loss_gradient([a], [label]) == [2 * (a - label)]


def test_the_gradient_of_the_mean_carries_1_over_n():
    assert mse_loss_gradient([1.0, 2.0], [0.0, 0.0]) == [1.0, 2.0]  # 2(a - y) / 2


@given(pair=pairs)
def test_gradient_matches_central_differences(pair):
    outputs, labels = pair
    gradient = mse_loss_gradient(outputs, labels)
    for j in range(len(outputs)):

        def loss_at(a, j=j):
            return mse_loss(outputs[:j] + [a] + outputs[j + 1 :], labels)

        assert gradient[j] == pytest.approx(numerical_gradient(loss_at, outputs[j]), abs=1e-6)


@given(pair=pairs, batch=st.integers(1, 4))
def test_arrays_take_the_mean_over_the_batch_too(pair, batch):
    outputs, labels = pair
    Y = np.array([outputs] * batch) + np.arange(batch)[:, None]
    T = np.array([labels] * batch)
    per_example = [mse_loss(list(y), list(t)) for y, t in zip(Y, T)]
    assert mse_loss(Y, T) == pytest.approx(np.mean(per_example), rel=1e-12, abs=1e-12)
    per_example_gradients = [mse_loss_gradient(list(y), list(t)) for y, t in zip(Y, T)]
    expected = np.array(per_example_gradients) / batch
    np.testing.assert_allclose(mse_loss_gradient(Y, T), expected, rtol=1e-12, atol=1e-15)


def test_results_are_python_floats_even_with_numpy_labels():
    labels = np.array([1.0, 0.0])
    assert type(mse_loss([0.5, 0.5], labels)) is float
    assert all(type(g) is float for g in mse_loss_gradient([0.5, 0.5], labels))
    assert type(mse_loss(np.array([[0.5]]), np.array([[1.0]]))) is float


def test_size_mismatch_says_what_came():
    with pytest.raises(ValueError, match="the network gives 2 outputs but there are 1 labels"):
        mse_loss([0.1, 0.2], [1.0])
    with pytest.raises(ValueError, match="the network gives 1 outputs but there are 3 labels"):
        mse_loss_gradient([0.1], [1.0, 0.0, 1.0])
    with pytest.raises(
        ValueError, match=r"outputs have shape \(2, 1\) but labels have shape \(2,\)"
    ):
        mse_loss(np.zeros((2, 1)), np.zeros(2))


def test_a_bare_number_as_labels_suggests_a_list():
    with pytest.raises(TypeError, match=r"got float 1.0; for one output write \[label\]"):
        mse_loss([0.5], 1.0)
    with pytest.raises(TypeError, match="outputs must be a list of numbers, got float"):
        mse_loss_gradient(0.5, [1.0])


def test_empty_outputs_are_an_error():
    with pytest.raises(ValueError, match="empty"):
        mse_loss([], [])
    with pytest.raises(ValueError, match="empty"):
        mse_loss_gradient(np.zeros((0, 1)), np.zeros((0, 1)))


# --- lesson 13: the cross-entropy of softmax ---------------------------------------------------

batches = st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(0, 10**6)).map(
    lambda shape: (
        np.random.default_rng(shape[2]).normal(scale=4.0, size=shape[:2]),
        np.eye(shape[1])[np.random.default_rng(shape[2] + 1).integers(0, shape[1], shape[0])],
    )
)


@pytest.mark.lesson13
def test_cross_entropy_is_minus_the_log_of_the_probability_of_the_right_class():
    Z = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    right = softmax(Z)[Y == 1]
    assert cross_entropy_loss(Z, Y) == pytest.approx(-np.log(right).mean(), rel=1e-14)
    assert cross_entropy_loss([0.0, 0.0, 0.0], [0, 0, 1]) == pytest.approx(math.log(3), rel=1e-15)
    assert cross_entropy_loss([50.0, 0.0], [1.0, 0.0]) == pytest.approx(0.0, abs=1e-20)
    assert type(cross_entropy_loss(Z, Y)) is float


@pytest.mark.lesson13
def test_cross_entropy_is_finite_where_the_probability_rounds_to_0():
    assert softmax([0.0, 800.0])[0] == 0.0  # log of it would be -inf
    assert cross_entropy_loss([0.0, 800.0], [1.0, 0.0]) == 800.0
    assert cross_entropy_gradient([0.0, 800.0], [1.0, 0.0]) == [-1.0, 1.0]
    assert cross_entropy_loss([[1000.0, 1001.0]], [[0.0, 1.0]]) == pytest.approx(
        cross_entropy_loss([[0.0, 1.0]], [[0.0, 1.0]]), rel=1e-15
    )


@pytest.mark.lesson13
@given(batch=batches)
def test_cross_entropy_gradient_is_p_minus_y_over_the_batch_and_the_slope_of_the_loss(batch):
    Z, Y = batch
    gradient = cross_entropy_gradient(Z, Y)
    np.testing.assert_allclose(gradient, (softmax(Z) - Y) / len(Z), rtol=1e-15, atol=1e-17)
    for index in np.ndindex(Z.shape):

        def loss_at(value, index=index):
            moved = Z.copy()
            moved[index] = value
            return cross_entropy_loss(moved, Y)

        slope = numerical_gradient(loss_at, Z[index])
        assert gradient[index] == pytest.approx(slope, abs=1e-8)


@pytest.mark.lesson13
def test_each_row_of_the_gradient_sums_to_0():
    Z, Y = np.array([[0.5, -2.0, 3.0], [1.0, 1.0, 1.0]]), np.eye(3)[[2, 0]]
    assert np.abs(cross_entropy_gradient(Z, Y).sum(axis=1)).max() < 1e-16


@pytest.mark.lesson13
@given(z=values)
def test_two_classes_with_logits_z_and_0_are_a_sigmoid_with_binary_cross_entropy(z):
    a = sigmoid(z)
    for label in (0.0, 1.0):
        logits, labels = [z, 0.0], [label, 1.0 - label]
        assert softmax(logits)[0] == pytest.approx(a, rel=1e-12)
        assert cross_entropy_gradient(logits, labels)[0] == pytest.approx(a - label, abs=1e-12)
        binary = -(label * math.log(a) + (1 - label) * math.log(1 - a))
        assert cross_entropy_loss(logits, labels) == pytest.approx(binary, rel=1e-9, abs=1e-12)


@pytest.mark.lesson13
def test_cross_entropy_keeps_the_shape_and_kind_of_its_logits():
    assert isinstance(cross_entropy_gradient([1.0, 2.0], [0, 1]), list)
    assert cross_entropy_gradient(np.array([1.0, 2.0]), [0, 1]).shape == (2,)
    nested = cross_entropy_gradient([[1.0, 2.0], [0.0, 0.0]], [[0, 1], [1, 0]])
    assert isinstance(nested, list) and len(nested) == 2 and len(nested[0]) == 2


@pytest.mark.lesson13
@pytest.mark.parametrize(
    "logits, labels, message",
    [
        ([1.0, 2.0], [1.0], r"the logits have shape \(2,\) but the labels have shape \(1,\)"),
        ([1.0, 2.0], [1.0, 1.0], r"one-hot .* got rows summing to \[2.0\]"),
        ([1.0, 2.0], [1.5, -0.5], "at least 0"),
        ([[1.0, 2.0]], [[0.0, 0.0]], r"summing to \[0.0\]"),
        ([1.0, math.inf], [0.0, 1.0], "every z must be finite"),
    ],
)
def test_cross_entropy_says_what_it_needs(logits, labels, message):
    for function in (cross_entropy_loss, cross_entropy_gradient):
        with pytest.raises(ValueError, match=message):
            function(logits, labels)


@pytest.mark.lesson13
def test_losses_by_name():
    assert get_loss("mse") == (mse_loss, mse_loss_gradient)
    assert get_loss("cross_entropy") == (cross_entropy_loss, cross_entropy_gradient)
    with pytest.raises(ValueError, match="unknown loss 'crossentropy': expected one of 'mse'"):
        get_loss("crossentropy")
