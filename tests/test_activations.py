import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp_lessons import activations
from bp_lessons.activations import (
    ACTIVATIONS,
    get_activation,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    tanh,
    tanh_derivative,
)
from bp_lessons.gradcheck import numerical_gradient

pytestmark = [pytest.mark.lesson01, pytest.mark.lesson04]

bounded = st.floats(min_value=-30, max_value=30, allow_nan=False)
away_from_kink = bounded.filter(lambda z: abs(z) > 1e-3)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "identity"])
@given(z=bounded)
def test_smooth_derivatives_match_central_differences(name, z):
    act, delta_act = get_activation(name)
    assert delta_act(z) == pytest.approx(numerical_gradient(act, z), abs=1e-8)


@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
@given(z=away_from_kink)
def test_piecewise_derivatives_match_central_differences_away_from_the_kink(name, z):
    act, delta_act = get_activation(name)
    assert delta_act(z) == pytest.approx(numerical_gradient(act, z), abs=1e-8)


def test_kinks_take_the_pytorch_convention():
    assert relu(0.0) == 0.0 and relu_derivative(0.0) == 0.0
    assert leaky_relu(0.0) == 0.0 and leaky_relu_derivative(0.0) == activations.LEAKY_SLOPE
    assert relu_derivative(1e-300) == 1.0 and relu_derivative(-1e-300) == 0.0
    assert leaky_relu(-2.0) == pytest.approx(-0.02)


def test_the_notes_sigmoid_derivative_is_wrong_and_ours_is_right():
    def notes_derivative(z):  # the source notes: x * sigmoid(x) * (1 - sigmoid(x))
        return z * sigmoid(z) * (1 - sigmoid(z))

    for z in (-2.0, -0.5, 0.5, 2.0):
        numeric = numerical_gradient(sigmoid, z)
        assert sigmoid_derivative(z) == pytest.approx(numeric, rel=1e-8)
        assert abs(notes_derivative(z) - numeric) > 0.05


@pytest.mark.parametrize("z", [-1000.0, -745.0, 709.0, 1000.0, -1e308, 1e308])
def test_sigmoid_is_stable_at_extremes_without_warnings(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, slope = sigmoid(z), sigmoid_derivative(z)
    assert value == (1.0 if z > 0 else pytest.approx(0.0, abs=1e-300))
    assert slope == pytest.approx(0.0, abs=1e-300)


@given(z=bounded)
def test_sigmoid_is_symmetric_and_bounded(z):
    assert 0.0 <= sigmoid(z) <= 1.0
    assert sigmoid(-z) == pytest.approx(1.0 - sigmoid(z), abs=1e-15)
    assert 0.0 <= sigmoid_derivative(z) <= 0.25


@given(z=bounded)
def test_tanh_is_a_rescaled_sigmoid(z):
    assert tanh(z) == pytest.approx(2 * sigmoid(2 * z) - 1, abs=1e-12)
    assert tanh_derivative(z) == pytest.approx(4 * sigmoid_derivative(2 * z), abs=1e-12)


def test_every_activation_returns_a_python_float():
    for act, delta_act in ACTIVATIONS.values():
        for z in (-1.5, 0.0, 2.0):
            assert type(act(z)) is float and type(delta_act(z)) is float


def test_unknown_activation_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod': expected one of 'sigmoid'"):
        get_activation("sigmod")
    with pytest.raises(
        TypeError,
        match="activation must be a name such as 'sigmoid', got builtin_function_or_method",
    ):
        get_activation(math.tanh)


# --- lesson 13: softmax ------------------------------------------------------------------------

logit_rows = st.lists(bounded, min_size=1, max_size=6)


@pytest.mark.lesson13
@given(z=logit_rows)
def test_softmax_gives_positive_probabilities_summing_to_1_in_the_order_of_z(z):
    p = softmax(z)
    assert p.shape == (len(z),) and (p > 0).all()
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert all(p[i] <= p[j] for i in range(len(z)) for j in range(len(z)) if z[i] <= z[j])


@pytest.mark.lesson13
@given(z=logit_rows, shift=st.floats(-1000, 1000))
def test_softmax_does_not_change_when_every_z_moves_by_the_same_amount(z, shift):
    np.testing.assert_allclose(softmax(np.array(z) + shift), softmax(z), rtol=1e-9, atol=1e-15)


@pytest.mark.lesson13
def test_softmax_is_the_textbook_formula_and_safe_where_the_formula_overflows():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax(z), np.exp(z) / np.exp(z).sum(), rtol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big, small = softmax([1000.0, 1001.0, 999.0]), softmax([-1000.0, -1001.0, -999.0])
    np.testing.assert_array_equal(big, softmax([1.0, 2.0, 0.0]))  # z − 1001 = [1, 2, 0] − 2
    np.testing.assert_array_equal(small, softmax([0.0, -1.0, 1.0]))
    assert softmax([5.0]).tolist() == [1.0]


@pytest.mark.lesson13
def test_softmax_of_a_batch_is_the_softmax_of_each_row():
    Z = np.array([[1000.0, 1001.0], [0.0, 1.0], [-3.0, 2.0]])  # rows far apart: no shared max
    rows = np.array([softmax(row) for row in Z])
    np.testing.assert_array_equal(softmax(Z), rows)
    np.testing.assert_allclose(softmax(Z)[0], softmax(Z)[1], rtol=1e-15)


@pytest.mark.lesson13
def test_the_softmax_jacobian_is_p_j_times_delta_ij_minus_p_i():
    z = np.array([0.3, -1.2, 2.0, 0.5])
    p = softmax(z)
    jacobian = np.diag(p) - np.outer(p, p)  # entry [j, i] = ∂p_j/∂z_i = p_j (δ_ij − p_i)
    for i in range(len(z)):
        nudge = np.eye(len(z))[i] * 1e-6
        slope = (softmax(z + nudge) - softmax(z - nudge)) / 2e-6
        np.testing.assert_allclose(jacobian[:, i], slope, atol=1e-9)


@pytest.mark.lesson13
@pytest.mark.parametrize(
    "bad, error, message",
    [
        ([], ValueError, r"at least one class, got shape \(0,\)"),
        ([[1.0, 2.0], [3.0]], TypeError, "a vector of numbers or a"),
        (np.zeros((2, 2, 2)), ValueError, r"got shape \(2, 2, 2\)"),
        ([1.0, math.nan], ValueError, "every z must be finite"),
        ("abc", TypeError, "softmax needs a vector"),
    ],
)
def test_softmax_says_what_it_needs(bad, error, message):
    with pytest.raises(error, match=message):
        softmax(bad)
