"""Lesson 06's claims about its own numbers (an untrained network's output is nearly flat, and
each sigmoid layer shrinks the variation), and its figure's shared colour scale."""

import matplotlib

matplotlib.use("Agg")  # unit tests draw off screen; the notebooks use the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bp_lessons import MLP, datasets, plotting  # noqa: E402
from bp_lessons.activations import sigmoid  # noqa: E402
from bp_lessons.losses import mse_loss  # noqa: E402

pytestmark = pytest.mark.lesson06

X, Y = datasets.xor()
MODELS = {f"MLP([2, 3, 1]), seed {seed}": MLP([2, 3, 1], seed=seed) for seed in (0, 1, 2)}
MODELS["MLP([2, 16, 16, 1]), seed 0"] = MLP([2, 16, 16, 1], seed=0)


@pytest.fixture
def drawn():
    figure, axes = plt.subplots(1, 4)
    grids = plotting.output_surfaces(axes, MODELS, X, Y, resolution=40, margin=1.0)
    yield figure, axes, grids
    plt.close(figure)


def test_output_surfaces_shades_every_panel_on_one_scale_with_one_colour_bar(drawn):
    figure, axes, grids = drawn
    assert list(grids) == list(MODELS)
    for name, grid in grids.items():
        assert grid.shape == (40, 40)
        assert grid[0, 0] == MODELS[name].forward([-1.0, -1.0])[0]  # the corner (-1, -1)
        assert grid[0, -1] == MODELS[name].forward([2.0, -1.0])[0]  # rows run along input 0
    shadings = [ax.collections[0] for ax in axes]
    levels = shadings[0].levels
    for shading in shadings:  # the same bands and the same colours in every panel
        np.testing.assert_array_equal(shading.levels, levels)
        assert (shading.norm.vmin, shading.norm.vmax) == (levels[0], levels[-1])
    lowest = min(g.min() for g in grids.values())
    highest = max(g.max() for g in grids.values())
    assert levels[0] <= lowest < levels[1] and levels[-2] < highest <= levels[-1]
    (bar,) = [ax for ax in figure.axes if ax not in axes]  # one colour bar for all four
    figure.canvas.draw()
    assert bar.yaxis.get_offset_text().get_text() == ""  # no "1e-6 + 0.4997" above it


def test_a_white_line_only_where_an_output_crosses_one_half(drawn):
    _, axes, grids = drawn
    for ax, grid in zip(axes, grids.values()):
        white = [c for c in ax.collections if list(getattr(c, "levels", [])) == [0.5]]
        assert len(white) == int(grid.min() < 0.5 < grid.max())
    assert [int(g.min() < 0.5 < g.max()) for g in grids.values()] == [0, 1, 0, 0]


def test_an_untrained_network_is_nearly_flat_and_its_loss_near_that_of_answering_one_half(drawn):
    _, _, grids = drawn
    assert 0.3978 < min(g.min() for g in grids.values()) < 0.3982  # "between 0.3980 ...
    assert 0.6680 < max(g.max() for g in grids.values()) < 0.6684  # ... and 0.6682"
    ranges = {name: g.max() - g.min() for name, g in grids.items()}
    widest = max(ranges, key=ranges.get)
    assert widest == "MLP([2, 3, 1]), seed 0"  # "about 0.10 at the widest (seed 0, ...)"
    assert 0.095 < ranges[widest] < 0.105
    deep = "MLP([2, 16, 16, 1]), seed 0"
    assert min(ranges, key=ranges.get) == deep  # "the flattest"
    assert 0.0335 < ranges[deep] < 0.0345  # "0.034 for the deeper network"
    for model in MODELS.values():
        assert mse_loss(plotting.model_outputs(model, X), Y) == pytest.approx(0.25, abs=0.02)


def test_each_sigmoid_layer_shrinks_the_spread_to_a_quarter_or_less():
    corners = np.linspace(-1.0, 2.0, 40)
    points = [[i0, i1] for i1 in corners for i0 in corners]
    network = MODELS["MLP([2, 16, 16, 1]), seed 0"]
    zs = [[] for _ in network.layers]
    for point in points:
        network.forward(point)
        for layer, z in zip(network.layers, zs):
            z.append([neuron.linear_activation for neuron in layer.neurons])

    def spread(values):
        return float(np.sqrt(np.mean(np.asarray(values).std(axis=0) ** 2)))

    spread_of_a = [spread(points)]  # layer 0: the inputs
    for z in map(np.array, zs):
        a = sigmoid_of(z)
        assert spread(a) / spread(z) < 0.25  # "below 0.25 in every layer"
        assert 0.75 < spread(z) / spread_of_a[-1] < 1.25  # "roughly unchanged (within a quarter)"
        spread_of_a.append(spread(a))
    first, last = np.array(zs[0]), np.array(zs[-1])
    assert first.min() < -3 and first.max() > 3  # layer 1's z is not small
    assert last.max() < 0 or last.min() > 0  # the last z entirely on one side of 0


def sigmoid_of(z):
    return np.vectorize(sigmoid)(z)
