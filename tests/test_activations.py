import math
import warnings

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
