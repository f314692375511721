import matplotlib

matplotlib.use("Agg")  # unit tests draw off screen; the notebooks use the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bp_lessons import MLP, datasets, plotting  # noqa: E402
from bp_lessons.activations import sigmoid  # noqa: E402
from bp_lessons.neuron import neuron_forward  # noqa: E402


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


@pytest.mark.lesson01
@pytest.mark.lesson04
def test_activation_curves_draw_each_activation_or_its_derivative(ax):
    z = np.array([-2.0, 0.0, 0.5, 3.0])
    sigmoid_line, relu_line = plotting.activation_curves(ax, ["sigmoid", "relu"], z)
    np.testing.assert_array_equal(sigmoid_line.get_xdata(), z)
    np.testing.assert_array_equal(sigmoid_line.get_ydata(), [sigmoid(v) for v in z])
    np.testing.assert_array_equal(relu_line.get_ydata(), [0.0, 0.0, 0.5, 3.0])
    assert sigmoid_line.get_label() == "sigmoid"
    (slope,) = plotting.activation_curves(ax, ["tanh"], z, derivative=True)
    np.testing.assert_allclose(slope.get_ydata(), 1 - np.tanh(z) ** 2, rtol=1e-15)


@pytest.mark.lesson01
def test_neuron_output_grid_runs_neuron_forward_over_the_plane():
    grid = plotting.neuron_output_grid([1.5, -2.0], 0.5, "tanh", limits=(-1.0, 1.0), resolution=3)
    assert grid.shape == (3, 3)
    # row r is the r-th value of i_1, column c the c-th value of i_0
    assert grid[0, 2] == neuron_forward([1.0, -1.0], [1.5, -2.0], 0.5, "tanh")
    assert grid[2, 0] == neuron_forward([-1.0, 1.0], [1.5, -2.0], 0.5, "tanh")
    assert grid[1, 1] == pytest.approx(np.tanh(0.5))


@pytest.mark.lesson01
@pytest.mark.parametrize("weights, bias", [([1.5, -2.0], 0.5), ([0.0, 3.0], -1.0), ([2.0, 0.0], 1)])
def test_zero_line_lies_where_z_is_zero(weights, bias):
    xs, ys = plotting.zero_line(weights, bias, limits=(-2.0, 2.0))
    assert len(xs) == 2 and (xs[0], ys[0]) != (xs[1], ys[1])
    z = weights[0] * xs + weights[1] * ys + bias
    np.testing.assert_allclose(z, 0.0, atol=1e-12)


@pytest.mark.lesson01
def test_zero_line_is_empty_when_both_weights_are_zero():
    xs, ys = plotting.zero_line([0.0, 0.0], 0.5)
    assert len(xs) == len(ys) == 0


@pytest.mark.lesson01
def test_neuron_plane_draws_the_outputs_and_follows_updates(ax):
    plane = plotting.NeuronPlane(ax, [1.0, 1.0], 0.0, "sigmoid", limits=(-2.0, 2.0))
    np.testing.assert_array_equal(
        plane.image.get_array(), plotting.neuron_output_grid([1.0, 1.0], 0.0, "sigmoid")
    )
    assert plane.image.get_clim() == (0.0, 1.0)
    np.testing.assert_array_equal(plane.line.get_ydata(), [2.0, -2.0])
    assert ax.get_title() == "$a$ = sigmoid(1.0 $i_0$ + 1.0 $i_1$ + 0.0)"

    outputs = plane.update([2.0, -0.5], -1.0, "relu")
    np.testing.assert_array_equal(plane.image.get_array(), outputs)
    assert outputs[30, 45] == neuron_forward([1.0, 0.0], [2.0, -0.5], -1.0, "relu")
    # relu is unbounded: the scale reaches as far as the outputs, centred on relu(0) = 0
    assert plane.image.get_clim() == (-outputs.max(), outputs.max())
    assert ax.get_title() == "$a$ = relu(2.0 $i_0$ − 0.5 $i_1$ − 1.0)"
    plane.update([0.0, 0.0], -0.0, "tanh")
    assert plane.image.get_clim() == (-1.0, 1.0) and len(plane.line.get_xdata()) == 0
    assert "+ 0.0)" in ax.get_title()  # -0.0 is written as 0.0


@pytest.mark.lesson01
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
def test_a_neuron_plane_is_white_on_its_line_z_equals_0_whatever_the_activation(ax, activation):
    # white, the middle of the colour map, is act(0): the output on the dashed line, so the
    # white band never sits anywhere else (it once sat at a = 2 in ReLU's panel)
    plane = plotting.NeuronPlane(ax, [1.0, 1.0], 0.0, activation)
    low, high = plane.image.get_clim()
    act = plotting.get_activation(activation)[0]
    assert (low + high) / 2 == pytest.approx(act(0.0), abs=1e-12)
    outputs = plane.image.get_array()
    assert low <= outputs.min() and outputs.max() <= high  # every output gets its own colour
    white = plane.image.cmap(plane.image.norm(act(0.0)))
    assert white[:3] == pytest.approx((1.0, 1.0, 1.0), abs=0.01)
    if activation == "relu":  # the flat zero side is white, the ramp orange
        assert outputs.min() == 0.0 and high == outputs.max()


@pytest.mark.lesson03
def test_loss_against_weight_draws_the_tangent_with_the_slope_at_the_weight(ax):
    def loss(w):
        return (w - 1.0) ** 2

    weights = np.linspace(-2.0, 4.0, 61)
    plot = plotting.LossAgainstWeight(ax, loss, weights, weight=3.0, name="w_0")
    np.testing.assert_array_equal(plot.curve.get_ydata(), [loss(w) for w in weights])
    np.testing.assert_array_equal(plot.point.get_xydata(), [[3.0, 4.0]])
    (x0, x1), (y0, y1) = plot.tangent.get_data()
    assert x0 < 3.0 < x1
    assert (y1 - y0) / (x1 - x0) == pytest.approx(4.0, rel=1e-9)  # dL/dw = 2(w - 1)
    assert y0 + (3.0 - x0) * (y1 - y0) / (x1 - x0) == pytest.approx(4.0)  # it touches at w
    assert plot.arrow.xy[0] < 3.0 and plot.arrow.xyann == (3.0, 4.0)  # downhill is left
    assert "decrease $w_0$" in ax.get_title()

    slope = plot.update(-1.0)
    assert slope == pytest.approx(-4.0, rel=1e-9)
    assert plot.arrow.xy[0] > -1.0 and "increase $w_0$" in ax.get_title()
    steep_arrow = plot.arrow.xy[0] - (-1.0)
    assert plot.update(1.0) == pytest.approx(0.0, abs=1e-9)
    assert abs(plot.arrow.xy[0] - 1.0) < 1e-6 * steep_arrow  # flat: no way to move
    plot.update(0.0)  # slope -2, half the slope at w = -1: the arrow is sqrt(1/2) as long
    assert plot.arrow.xy[0] - 0.0 == pytest.approx(steep_arrow * np.sqrt(0.5), rel=1e-6)


def test_difference_errors_draws_the_measured_errors_beside_taylors_lines(ax):
    epsilons = 10.0 ** -np.arange(1, 5)
    one_sided, central = -0.5 * epsilons, 2.0 * epsilons**2  # any signs: drawn as sizes
    lines = plotting.difference_errors(ax, epsilons, one_sided, central, -1.0, 12.0, 1e-3)
    np.testing.assert_array_equal(lines["one-sided"].get_ydata(), 0.5 * epsilons)
    np.testing.assert_array_equal(lines["central"].get_ydata(), 2.0 * epsilons**2)
    np.testing.assert_allclose(lines["one-sided, Taylor"].get_ydata(), epsilons * 1.0 / 2)
    np.testing.assert_allclose(lines["central, Taylor"].get_ydata(), epsilons**2 * 12.0 / 6)
    np.testing.assert_allclose(lines["rounding"].get_ydata(), 1e-16 / epsilons)
    assert list(lines["default"].get_xdata()) == [1e-3, 1e-3]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.xaxis_inverted()  # the step shrinks to the right


def test_decision_boundary_draws_no_line_through_rounding_noise(ax):
    X, y = datasets.xor()
    flat = MLP([2, 1], seed=0)  # output 0.5 ± 1e-13 everywhere: no boundary to draw
    flat.layers[0].neurons[0].weights = [1e-12, -1e-12]
    plotting.decision_boundary(ax, flat, X, y, resolution=5)
    assert len(ax.collections) == 3  # the shading and the two classes of points
    sharp = MLP([2, 1], seed=0)
    plotting.decision_boundary(ax, sharp, X, y, resolution=5)
    assert len(ax.collections) == 3 + 4  # and now the 0.5 contour too


def test_decision_boundary_shades_a_flat_half_in_one_white_band(ax):
    X, y = datasets.xor()
    flat = MLP([2, 1], seed=0)  # output 0.5 ± 1e-13 everywhere, on both sides of 0.5
    flat.layers[0].neurons[0].weights = [1e-12, -1e-12]
    outputs = plotting.decision_boundary(ax, flat, X, y, resolution=5)
    assert outputs.min() < 0.5 < outputs.max()
    shading = ax.collections[0]
    bands = np.digitize(outputs.ravel(), shading.levels)
    assert len(set(bands)) == 1, "rounding noise around 0.5 falls into two colour bands"
    k = bands[0]
    middle = (shading.levels[k - 1] + shading.levels[k]) / 2
    colour = shading.cmap(shading.norm(middle))
    assert colour[:3] == pytest.approx((1.0, 1.0, 1.0), abs=0.01)  # white: neither class


@pytest.mark.lesson10
def test_confusion_counts_puts_the_true_class_on_rows_and_the_prediction_on_columns():
    counts = plotting.confusion_counts([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], classes=3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert counts.sum() == 6 and np.trace(counts) == 4  # correct ones on the diagonal
    with pytest.raises(ValueError, match="one prediction per label"):
        plotting.confusion_counts([0, 1], [0, 1, 1], classes=2)
    with pytest.raises(ValueError, match="argmax"):
        plotting.confusion_counts(np.eye(2), np.eye(2), classes=2)


@pytest.mark.lesson10
def test_confusion_matrix_draws_the_counts_it_returns(ax):
    labels, predictions = [2, 0, 1, 1, 1], [2, 0, 1, 0, 1]
    counts = plotting.confusion_matrix(ax, labels, predictions, classes=3)
    np.testing.assert_array_equal(counts, plotting.confusion_counts(labels, predictions, 3))
    np.testing.assert_array_equal(ax.images[0].get_array(), counts)
    assert ax.images[0].get_cmap().name == "cividis"  # the style's colour-blind-safe map
    cells = {(t.get_position(), t.get_text()) for t in ax.texts}
    assert cells == {((p, t), str(counts[t, p])) for t in range(3) for p in range(3)}
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


@pytest.mark.lesson10
def test_digit_gallery_shows_each_image_as_a_square_with_its_title():
    figure, axes = plt.subplots(2, 3)
    X, y = datasets.digits()
    titles = [f"digit {d}" for d in y[:4].argmax(axis=1)]
    drawn = plotting.digit_gallery(axes, X[:4], titles)
    assert len(drawn) == 4
    for image, row in zip(drawn, X[:4]):
        np.testing.assert_array_equal(image.get_array(), row.reshape(8, 8))
    assert [ax.get_title() for ax in axes.ravel()[:4]] == titles
    assert not any(ax.axison for ax in axes.ravel())  # no ticks, and the spare axes blank
    with pytest.raises(ValueError, match="at most 6"):
        plotting.digit_gallery(axes, X[:7], ["?"] * 7)
    with pytest.raises(ValueError, match="square images"):
        plotting.digit_gallery(axes, X[:2, :60], ["a", "b"])
    plt.close(figure)


# lessons 02 and 06: what a model does over the input plane
@pytest.mark.lesson02
@pytest.mark.lesson06
def test_scatter_classes_gives_every_point_a_dark_edge_and_few_points_a_large_marker(ax):
    X, y = datasets.xor()
    for drawn in plotting.scatter_classes(ax, X, y):
        assert matplotlib.colors.to_hex(drawn.get_edgecolor()[0]) == "#000000"
        assert drawn.get_sizes()[0] > 100  # four points: large enough to read on any shade
    X, y = datasets.moons(n=100)
    assert plotting.scatter_classes(ax, X, y)[0].get_sizes()[0] < 100  # a cloud: small


@pytest.mark.lesson02
def test_decision_legend_names_both_classes_the_line_and_both_regions(ax):
    X, y = datasets.and_gate()
    plotting.decision_boundary(ax, MLP([2, 1], seed=0), X, y, resolution=5)
    legend = plotting.decision_legend(ax, loc="upper left")
    names = [text.get_text() for text in legend.get_texts()]
    assert names == [
        "data, label 0",
        "data, label 1",
        "output 0.5: the boundary",
        "region: output below 0.5",
        "region: output above 0.5",
    ]
    below, above = legend.legend_handles[3:]
    assert below.get_facecolor()[:3] == pytest.approx(plotting.OUTPUT_CMAP(0.0)[:3])
    assert above.get_facecolor()[:3] == pytest.approx(plotting.OUTPUT_CMAP(1.0)[:3])


@pytest.mark.lesson06
def test_output_surface_shades_each_model_on_its_own_scale(ax):
    X, y = datasets.xor()
    mlp = MLP([2, 16, 16, 1], seed=0)  # untrained: an output within a few hundredths
    outputs = plotting.output_surface(ax, mlp, X, y, resolution=7, margin=1.0)
    assert outputs.shape == (7, 7)
    assert outputs[0, 0] == mlp.forward([-1.0, -1.0])[0]  # the corner (-1, -1)
    assert outputs[0, -1] == mlp.forward([2.0, -1.0])[0]  # rows run along the second input
    shading = ax.collections[0]
    levels = shading.levels
    # the bands span this model's outputs, not 0 to 1: the flat surface shows its tilt
    assert levels[0] <= outputs.min() < levels[1] and levels[-2] < outputs.max() <= levels[-1]
    assert levels[-1] - levels[0] < 0.1 and len(levels) >= 5
    assert len(ax.figure.axes) == 2  # the panel and its own colour bar


@pytest.mark.lesson06
def test_output_surface_marks_where_the_output_crosses_one_half(ax):
    X, y = datasets.xor()
    crosses, stays = MLP([2, 3, 1], seed=1), MLP([2, 3, 1], seed=0)  # lesson 06's seeds
    outputs = plotting.output_surface(ax, crosses, X, y, resolution=9)
    assert outputs.min() < 0.5 < outputs.max()
    white = [c for c in ax.collections if list(getattr(c, "levels", [])) == [0.5]]
    assert len(white) == 1
    ax.clear()
    outputs = plotting.output_surface(ax, stays, X, y, resolution=9)
    assert outputs.min() > 0.5
    assert not [c for c in ax.collections if list(getattr(c, "levels", [])) == [0.5]]


# lessons 08 to 10: the loss on the data set, and a loss over two parameters
@pytest.mark.lesson08
@pytest.mark.lesson09
def test_data_loss_curve_starts_at_epoch_0_and_shows_a_divergence_unclipped(ax):
    (line,) = plotting.data_loss_curve(ax, [0.5, 0.25, 0.125], label="sgd")
    np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])  # epoch 0: before training
    np.testing.assert_array_equal(line.get_ydata(), [0.5, 0.25, 0.125])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    ax.clear()
    line, cross = plotting.data_loss_curve(ax, [0.5, 10.0, 1e250], diverged_in=3)
    np.testing.assert_array_equal(line.get_ydata(), [0.5, 10.0, 1e250])  # nothing clipped
    bottom, top = ax.get_ylim()
    assert bottom < 0.5 and top >= 1e250  # the growth is on the axis
    np.testing.assert_array_equal(cross.get_xydata(), [[3, top]])  # where it overflowed


@pytest.mark.lesson08
def test_loss_contours_and_downhill_arrows_draw_the_loss_and_minus_its_gradient(ax):
    def loss(w, b):
        return (w - 1.0) ** 2 + 4.0 * (b + 0.5) ** 2

    def gradient(w, b):
        return 2.0 * (w - 1.0), 8.0 * (b + 0.5)

    ws, bs = np.linspace(-1.0, 3.0, 9), np.linspace(-2.0, 1.0, 7)
    grid = plotting.loss_contours(ax, loss, ws, bs, levels=6)
    assert grid.shape == (7, 9) and grid[0, 0] == loss(-1.0, -2.0) and grid[0, 8] == loss(3.0, -2.0)
    (contours,) = ax.collections
    heights = contours.levels
    assert len(heights) == 6 and grid.min() < heights[0] < heights[1] and heights[-1] == grid.max()
    assert np.allclose(np.diff(np.log(heights)), np.log(heights[1] / heights[0]))  # geometric
    assert ax.get_aspect() == 1.0
    gradients = plotting.downhill_arrows(ax, gradient, ws, bs)
    assert gradients.shape == (7, 9, 2) and tuple(gradients[1, 2]) == gradient(0.0, -1.5)
    arrows = ax.collections[-1]
    np.testing.assert_array_equal(arrows.U, -gradients[..., 0].ravel())  # downhill: against it
    np.testing.assert_array_equal(arrows.V, -gradients[..., 1].ravel())


# lesson 12: deep networks, layer by layer
@pytest.mark.lesson12
def test_per_layer_draws_one_line_per_second_key_on_one_scale_for_every_panel():
    figure, axes = plt.subplots(1, 2)
    values = {("a", "x"): [1.0, 0.1], ("a", "y"): [2.0, 3.0], ("b", "x"): [1e-4, 1e-5, 1e-6]}
    lines = plotting.per_layer(axes, values, "size")
    assert [list(line.get_ydata()) for line in lines] == list(values.values())
    assert list(lines[2].get_xdata()) == [1, 2, 3]  # layers l = 1, 2, 3
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    assert axes[0].get_ylim() == axes[1].get_ylim()  # one scale, though b's values are tiny
    assert axes[0].get_ylim()[0] <= 1e-6 and axes[0].get_ylim()[1] >= 3.0
    with pytest.raises(ValueError, match="2 panels"):
        plotting.per_layer(axes[:1], values, "size")
    plt.close(figure)


@pytest.mark.lesson12
def test_output_surfaces_share_one_colour_scale_without_an_offset_label():
    from bp_lessons.vectorized import VectorizedMLP

    X, y = datasets.xor()
    flat, varied = MLP([2, 16, 16, 16, 1], seed=0), MLP([2, 3, 1], seed=1)
    figure, axes = plt.subplots(1, 2)
    grids = plotting.output_surfaces(axes, {"flat": flat, "varied": varied}, X, y, resolution=6)
    assert grids["flat"][0, 0] == flat.forward([-1.0, -1.0])[0]
    assert grids["varied"][0, -1] == varied.forward([2.0, -1.0])[0]
    first, second = (ax.collections[0] for ax in axes)
    np.testing.assert_array_equal(first.levels, second.levels)  # one scale for both
    assert first.get_clim() == second.get_clim()
    assert first.levels[0] <= min(g.min() for g in grids.values())
    assert first.levels[-1] >= max(g.max() for g in grids.values())
    assert np.ptp(grids["flat"]) < (first.levels[1] - first.levels[0])  # flat: one band
    bar = figure.axes[-1]
    assert len(figure.axes) == 3  # two panels and one colour bar
    figure.canvas.draw()
    assert bar.yaxis.get_offset_text().get_text() == ""  # no "1e-6+4.9975e-1"
    plt.close(figure)
    figure, ax = plt.subplots()  # a flat surface alone: matplotlib would write an offset
    flat = VectorizedMLP([2] + [30] * 9 + [1], seed=0)
    plotting.output_surfaces([ax], {"flat": flat}, X, y, resolution=6)
    figure.canvas.draw()
    assert figure.axes[-1].yaxis.get_offset_text().get_text() == ""
    assert all("e" not in tick.get_text() for tick in figure.axes[-1].get_yticklabels())
    plt.close(figure)


@pytest.mark.lesson12
def test_activation_histograms_count_each_layer_and_share_a_scale_along_a_row():
    from bp_lessons.initialization import he, initialize, lecun
    from bp_lessons.vectorized import VectorizedMLP

    rng = np.random.default_rng(0)
    X = rng.random((200, 5))
    networks = {}
    for act in ("tanh", "relu"):
        for scheme, variance in (("1/n", lecun), ("He", he)):
            networks[act, scheme] = net = initialize(VectorizedMLP([5, 8, 8, 8, 2], act), variance)
            net.forward(X)
    figure, axes = plt.subplots(2, 2)
    shares = plotting.activation_histograms(axes, networks, bins=10)
    tanh = networks["tanh", "He"].layers[1].A
    expected, _ = np.histogram(tanh, bins=np.linspace(-1, 1, 11))
    np.testing.assert_allclose(shares["tanh", "He"][1], expected / tanh.size)
    assert shares["tanh", "He"].shape == (3, 10)  # three hidden layers, the output left out
    relu = networks["relu", "1/n"].layers[0].A
    assert shares["relu", "1/n"][0].sum() == pytest.approx(np.mean(relu >= 1e-4))  # zeros out
    assert axes[1, 0].get_xscale() == "log"
    for row in axes:
        assert row[0].get_ylim() == row[1].get_ylim() and row[0].get_xlim() == row[1].get_xlim()
    assert len(axes[0, 0].patches) == 3  # one outline per hidden layer
    plt.close(figure)


@pytest.mark.lesson12
def test_rate_sweeps_draw_the_best_epoch_at_each_rate_and_star_the_best_rate():
    rates = [0.1, 1.0, 10.0]
    sweeps = {
        ("2 layers", "tanh", "1/n"): np.array([[0.1, 0.3], [0.5, 0.4], [np.nan, np.nan]]),
        ("10 layers", "tanh", "1/n"): np.array([[0.2, 0.2], [0.1, 0.6], [0.9, np.nan]]),
        ("2 layers", "relu", "he"): np.array([[0.3, 0.2], [0.1, 0.1], [0.2, 0.2]]),
    }
    figure, axes = plt.subplots(1, 2)
    lines = plotting.rate_sweeps(axes, sweeps, rates)
    np.testing.assert_array_equal(lines[0].get_ydata(), [0.3, 0.5, np.nan])  # diverged: a gap
    np.testing.assert_array_equal(lines[1].get_ydata(), [0.2, 0.6, 0.9])
    assert lines[0].get_linestyle() != lines[1].get_linestyle()  # a style per depth
    assert lines[0].get_color() == lines[1].get_color()  # a colour per starting weights
    stars = [line for line in axes[0].lines if line.get_marker() == "*"]
    assert [(s.get_xdata()[0], s.get_ydata()[0]) for s in stars] == [(1.0, 0.5), (10.0, 0.9)]
    assert axes[0].get_ylim() == axes[1].get_ylim() == (0, 1)
    plt.close(figure)


@pytest.mark.lesson08
def test_paths_on_contours_draws_the_minimum_and_each_path_in_its_own_style(ax):
    def loss(w, b):
        return (w - 1.0) ** 2 + 4 * (b + 0.5) ** 2

    first = np.array([[-1.0, 1.0], [0.0, 0.5], [0.5, 0.0]])
    second = np.array([[-1.0, 1.0], [0.2, 0.1]])
    ws, bs = np.linspace(-2.0, 3.0, 11), np.linspace(-2.0, 2.0, 9)
    paths = {"gradient descent": first, "SGD": second}
    grid = plotting.paths_on_contours(ax, loss, ws, bs, (1.0, -0.5), paths)
    assert grid[0, 0] == loss(ws[0], bs[0]) and grid.shape == (len(bs), len(ws))
    star, drawn_first, drawn_second = ax.lines
    assert star.get_marker() == "*" and (star.get_xdata()[0], star.get_ydata()[0]) == (1.0, -0.5)
    np.testing.assert_array_equal(np.column_stack(drawn_first.get_data()), first)
    np.testing.assert_array_equal(np.column_stack(drawn_second.get_data()), second)
    assert drawn_first.get_color() != drawn_second.get_color()
    assert ax.get_xlim() == (-2.0, 3.0) and ax.get_ylim() == (-2.0, 2.0)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["the minimum", "gradient descent", "SGD"]
    with pytest.raises(ValueError, match="at most two paths"):
        plotting.paths_on_contours(
            ax, loss, ws, bs, (1.0, -0.5), {"a": first, "b": first, "c": first}
        )


@pytest.mark.lesson08
def test_regime_curves_share_one_scale_for_the_runs_that_converge():
    from bp_lessons.training import TrainingRun

    runs = {
        "slow": TrainingRun(losses=[0.4, 0.3, 0.25]),
        "fast": TrainingRun(losses=[0.4, 0.01, 0.001]),
        "divergent": TrainingRun(losses=[0.4, 40.0, 4e5], diverged_in=4),
    }
    rates = {"slow": 0.1, "fast": 0.5, "divergent": 2.0}
    figure, axes = plt.subplots(1, 3)
    limits = plotting.regime_curves(axes, runs, rates, epochs=3)
    assert limits[0] == limits[1] == pytest.approx((0.001 / 2, 4 * 0.4))
    assert limits[2][1] > 4e5  # the divergent run keeps the scale its growth needs
    assert axes[0].get_title() == "slow: lr = 0.1\nloss 0.4 → 0.25"
    assert "diverged" in axes[2].get_title() and "epoch 4" in axes[2].get_title()
    assert [line.get_marker() for line in axes[2].lines][-1] == "X"  # where train stopped
    plt.close(figure)


def test_right_and_wrong_picks_three_right_of_other_labels_then_three_wrong():
    labels = [3, 3, 5, 1, 7, 2, 5, 8, 0]
    answers = [3, 3, 6, 1, 7, 2, 4, 9, 0]  # wrong at 2, 6, 7
    assert plotting.right_and_wrong(labels, answers) == [0, 3, 4, 2, 6, 7]
    assert plotting.right_and_wrong(labels, answers, count=1) == [0, 2]
    assert plotting.right_and_wrong([1, 2], [1, 2]) == [0, 1]  # nothing wrong to show
