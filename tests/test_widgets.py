import matplotlib

matplotlib.use("Agg")  # unit tests draw off screen; the notebooks use the inline backend

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bp_lessons import MLP, datasets, widgets  # noqa: E402
from bp_lessons.neuron import neuron_forward  # noqa: E402
from bp_lessons.training import record_training, train  # noqa: E402

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


def xor_regression():
    # tanh hidden, linear output: a learning rate too large makes it diverge (lesson 08)
    return MLP([2, 3, 1], activation="tanh", output_activation="identity", seed=0)


@pytest.mark.lesson08
def test_learning_rate_explorer_trains_a_fresh_model_at_the_slider_rate():
    X, y = datasets.xor()
    explorer = widgets.LearningRateExplorer(xor_regression, X, y, learning_rate=0.2, epochs=300)
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    expected = record_training(xor_regression(), X, y, epochs=300, batch_size=4, learning_rate=0.2)
    np.testing.assert_array_equal(explorer.ax.lines[0].get_ydata(), expected.losses)
    np.testing.assert_array_equal(explorer.ax.lines[0].get_xdata(), np.arange(301))
    before_png = bytes(explorer.image.value)

    explorer.learning_rate.value = 0.01
    expected = record_training(xor_regression(), X, y, epochs=300, batch_size=4, learning_rate=0.01)
    np.testing.assert_array_equal(explorer.ax.lines[0].get_ydata(), expected.losses)
    assert explorer.ax.get_title().startswith("learning rate 0.01: loss")
    assert bytes(explorer.image.value) != before_png

    explorer.learning_rate.value = 2.0  # diverges: the curve climbs unclipped, then a cross
    run = explorer.runs[2.0]
    line, cross = explorer.ax.lines
    assert run.diverged_in is not None and len(line.get_ydata()) == len(run.losses)
    assert line.get_ydata().max() > 1e100  # the growth is drawn, not cut off
    np.testing.assert_array_equal(cross.get_xdata(), [run.diverged_in])
    assert explorer.ax.get_xlim() == (0, 300)
    assert "diverged" in explorer.ax.get_title()
    assert sorted(explorer.runs) == [0.01, 0.2, 2.0]  # each rate trained once


@pytest.mark.lesson09
def test_batch_size_explorer_shows_the_boundary_after_the_chosen_epoch():
    X, y = datasets.xor()

    def make_model():
        return MLP([2, 3, 1], seed=0)

    explorer = widgets.BatchSizeExplorer(
        make_model,
        X,
        y,
        batch_sizes=[1, 4],
        epochs=20,
        learning_rate=2.0,
        snapshot_epochs=[1, 5, 20],
        resolution=5,
    )
    assert explorer.epoch.options == (0, 1, 5, 20) and explorer.epoch.value == 20
    assert list(explorer.runs) == [1]  # only what is shown gets trained
    # the corner of the grid is the point (-0.5, -0.5): the data's corner minus the margin
    corner = explorer.runs[1].snapshots[20].forward([-0.5, -0.5])[0]
    assert explorer.outputs[0, 0] == corner
    assert explorer.boundary_ax.get_title() == "batch size 1, epoch 20: 80 SGD steps"
    before_png = bytes(explorer.image.value)

    explorer.epoch.value = 0
    assert explorer.outputs[0, 0] == make_model().forward([-0.5, -0.5])[0]  # untrained
    assert bytes(explorer.image.value) != before_png

    explorer.epoch.value = 5
    explorer.batch_size.value = 4
    assert sorted(explorer.runs) == [1, 4]
    assert explorer.boundary_ax.get_title() == "batch size 4, epoch 5: 5 SGD steps"
    explorer.epoch.value = 1
    assert explorer.boundary_ax.get_title() == "batch size 4, epoch 1: 1 SGD step"
    curves = [line for line in explorer.loss_ax.lines if line.get_label().startswith("batch")]
    assert [line.get_linewidth() for line in curves] == [1.0, 2.5]  # the chosen one stands out
    expected = record_training(make_model(), X, y, epochs=20, batch_size=4, learning_rate=2.0)
    np.testing.assert_array_equal(curves[1].get_ydata(), expected.losses)
    assert curves[1].get_label() == "batch size 4, lr 2"

    again = widgets.BatchSizeExplorer(
        make_model,
        X,
        y,
        batch_sizes=[1, 4],
        epochs=20,
        learning_rate=2.0,
        snapshot_epochs=[1, 5, 20],
        runs=explorer.runs,
        resolution=5,
    )
    assert again.runs[1] is explorer.runs[1]  # runs passed in are not trained again


@pytest.mark.lesson09
def test_batch_size_explorer_trains_each_batch_size_at_its_own_learning_rate():
    X, y = datasets.xor()

    def make_model():
        return MLP([2, 3, 1], seed=0)

    explorer = widgets.BatchSizeExplorer(
        make_model,
        X,
        y,
        batch_sizes=[1, 4],
        epochs=10,
        learning_rate={1: 0.5, 4: 3.0},
        snapshot_epochs=[10],
        batch_size=4,
        resolution=5,
    )
    explorer.batch_size.value = 1
    for size, rate in [(1, 0.5), (4, 3.0)]:
        expected = train(make_model(), X, y, epochs=10, batch_size=size, learning_rate=rate)
        assert explorer.runs[size].history == expected
    labels = [line.get_label() for line in explorer.loss_ax.lines]
    assert "batch size 1, lr 0.5" in labels and "batch size 4, lr 3" in labels
