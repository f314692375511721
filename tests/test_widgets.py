import matplotlib

matplotlib.use("Agg")  # unit tests draw off screen; the notebooks use the inline backend

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bp_lessons import widgets  # noqa: E402
from bp_lessons.neuron import neuron_forward  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.lesson01
def test_neuron_explorer_redraws_when_a_control_changes():
    explorer = widgets.NeuronExplorer(weights=(1.0, -1.0), bias=0.5, activation="sigmoid")
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    before_image, before_png = explorer.plane.image.get_array().copy(), bytes(explorer.image.value)
    before_line = explorer.plane.line.get_ydata().copy()

    explorer.w0.value = 2.0
    after = explorer.plane.image.get_array()
    assert not np.array_equal(after, before_image)
    assert after[30, 45] == neuron_forward([1.0, 0.0], [2.0, -1.0], 0.5, "sigmoid")
    assert not np.array_equal(explorer.plane.line.get_ydata(), before_line)
    assert bytes(explorer.image.value) != before_png  # what the learner sees changed too

    explorer.bias.value = -1.0
    assert explorer.plane.image.get_array()[30, 30] == neuron_forward(
        [0.0, 0.0], [2.0, -1.0], -1.0, "sigmoid"
    )


@pytest.mark.lesson01
def test_neuron_explorer_switches_the_activation():
    explorer = widgets.NeuronExplorer()
    assert explorer.activation.options == ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
    explorer.activation.value = "relu"
    outputs = explorer.plane.image.get_array()
    assert outputs.min() == 0.0 and outputs.max() == pytest.approx(4.0)  # relu(i_0 + i_1) on ±2
    assert "relu" in explorer.plane.ax.get_title()
    explorer.activation.value = "tanh"
    assert explorer.plane.image.get_clim() == (-1.0, 1.0)


@pytest.mark.lesson03
def test_loss_vs_weight_moves_the_point_and_the_tangent_with_the_slider():
    def loss(w):
        return (w - 1.0) ** 2

    explorer = widgets.LossVsWeight(loss, np.linspace(-2.0, 4.0, 61), weight=3.0, name="w_0")
    assert (explorer.weight.min, explorer.weight.max, explorer.weight.value) == (-2.0, 4.0, 3.0)
    before_png = bytes(explorer.image.value)
    before_tangent = explorer.plot.tangent.get_ydata().copy()

    explorer.weight.value = -0.5
    np.testing.assert_array_equal(explorer.plot.point.get_xydata(), [[-0.5, 2.25]])
    (x0, x1), (y0, y1) = explorer.plot.tangent.get_data()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(-3.0, rel=1e-9)  # dL/dw = 2(w - 1)
    assert not np.array_equal(explorer.plot.tangent.get_ydata(), before_tangent)
    assert bytes(explorer.image.value) != before_png
    assert "increase" in explorer.plot.ax.get_title()
