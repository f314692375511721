import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp_lessons.gradcheck import numerical_gradient
from bp_lessons.losses import mse_loss, mse_loss_gradient

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
