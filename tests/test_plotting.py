import matplotlib

matplotlib.use("Agg")  # unit tests draw off screen; the notebooks use the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bp_lessons import MLP, datasets, plotting  # noqa: E402


@pytest.fixture
def ax():
    figure, ax = plt.subplots()
    yield ax
    plt.close(figure)


def test_the_style_uses_the_colour_blind_safe_palette():
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    assert colors[:3] == ["#0072B2", "#E69F00", "#009E73"]
    assert plotting.OUTPUT_CMAP(0.0)[:3] == pytest.approx(matplotlib.colors.to_rgb("#0072B2"))
    assert plotting.OUTPUT_CMAP(1.0)[:3] == pytest.approx(matplotlib.colors.to_rgb("#E69F00"))


def test_model_outputs_runs_every_row_through_the_network():
    mlp = MLP([2, 3, 2], seed=1)
    X = np.array([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]])
    np.testing.assert_array_equal(plotting.model_outputs(mlp, X), [mlp.forward(x) for x in X])


def test_decision_boundary_returns_the_outputs_it_shades(ax):
    X, y = datasets.xor()
    mlp = MLP([2, 3, 1], seed=0)
    outputs = plotting.decision_boundary(ax, mlp, X, y, resolution=7, margin=0.5)
    assert outputs.shape == (7, 7)
    # corner (0, 0) of the grid is the point (-0.5, -0.5); the last one (1.5, 1.5)
    assert outputs[0, 0] == mlp.forward([-0.5, -0.5])[0]
    assert outputs[-1, -1] == mlp.forward([1.5, 1.5])[0]
    assert outputs[0, -1] == mlp.forward([1.5, -0.5])[0]  # rows run along the second input
    assert ax.get_xlabel() == "input $i_0$" and ax.get_ylabel() == "input $i_1$"


def test_scatter_classes_draws_each_label_in_its_colour(ax):
    X, y = datasets.or_gate()
    zeros, ones = plotting.scatter_classes(ax, X, y)
    np.testing.assert_array_equal(zeros.get_offsets(), [[0.0, 0.0]])
    np.testing.assert_array_equal(ones.get_offsets(), [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    assert matplotlib.colors.to_hex(ones.get_facecolor()[0]) == "#e69f00"


def test_loss_curve_plots_the_history_per_epoch(ax):
    (line,) = plotting.loss_curve(ax, [0.5, 0.25, 0.125], label="sgd")
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(line.get_ydata(), [0.5, 0.25, 0.125])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
