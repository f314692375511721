import matplotlib

matplotlib.use("Agg")  # unit tests draw off screen; the notebooks use the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from bp_lessons import MLP, diagram  # noqa: E402
from bp_lessons.backward_trace import backward_trace, format_trace, paths_to_loss  # noqa: E402

pytestmark = [pytest.mark.lesson06, pytest.mark.lesson07]


@pytest.fixture
def ax():
    figure, ax = plt.subplots()
    yield ax
    plt.close(figure)


def test_network_diagram_draws_a_circle_per_neuron_and_a_line_per_weight(ax):
    mlp = MLP([2, 3, 1], seed=0)
    drawn = diagram.network_diagram(ax, mlp)
    assert [len(column) for column in drawn["neurons"]] == [2, 3, 1]
    assert [[len(row) for row in layer] for layer in drawn["weights"]] == [[2, 2, 2], [3]]
    assert len(drawn["labels"]) == 9 and len(ax.lines) == 9 and len(ax.patches) == 6
    # the line of w_jk in layer n runs from circle k of column n to circle j of column n + 1
    for n, layer in enumerate(drawn["weights"]):
        for j, row in enumerate(layer):
            for k, line in enumerate(row):
                start, end = drawn["neurons"][n][k].center, drawn["neurons"][n + 1][j].center
                assert list(line.get_xdata()) == [start[0], end[0]]
                assert list(line.get_ydata()) == [start[1], end[1]]
    assert [t.get_text() for t in drawn["labels"][:3]] == ["$w_{00}$", "$w_{01}$", "$w_{10}$"]
    names = ["$a^{(0)}_{0}$", "$a^{(0)}_{1}$", "$a^{(1)}_{0}$"]  # a^(0) is the input
    assert [t.get_text() for t in drawn["values"][:3]] == names
    columns = [t.get_text() for t in ax.texts if t not in drawn["values"] + drawn["labels"]]
    assert columns == ["inputs $a^{(0)}$", "layer 1", "layer 2 (output)"]  # l = 1 ... N


def test_network_diagram_line_width_follows_the_size_and_colour_the_sign(ax):
    mlp = MLP([2, 2, 1], seed=0)
    for neuron, weights in zip(mlp.layers[0].neurons, [[1.0, -0.5], [0.25, -2.0]]):
        neuron.weights = weights
    mlp.layers[1].neurons[0].weights = [0.0, 1.5]
    drawn = diagram.network_diagram(ax, mlp, max_width=8.0)
    widths = [
        [[line.get_linewidth() for line in row] for row in layer] for layer in drawn["weights"]
    ]
    assert widths == [[[4.0, 2.0], [1.0, 8.0]], [[0.0, 6.0]]]  # 8 · |w| / 2, the largest |w|
    colors = [matplotlib.colors.to_hex(line.get_color()) for line in ax.lines]
    assert colors == ["#0072b2", "#d55e00", "#0072b2", "#d55e00", "#0072b2", "#0072b2"]


def test_network_diagram_shows_the_forward_pass_values(ax):
    mlp = MLP([2, 3, 1], seed=0)
    inputs = [0.5, -1.0]
    drawn = diagram.network_diagram(ax, mlp, inputs=inputs, labels=False)
    hidden = mlp.layers[0].forward(inputs)
    expected = inputs + hidden + mlp.forward(inputs)
    assert [t.get_text() for t in drawn["values"]] == [f"{v:.2f}" for v in expected]
    assert drawn["labels"] == [] and len(ax.texts) == 6 + 3  # values and column names


def test_network_diagram_of_a_network_with_zero_weights_draws_zero_widths(ax):
    mlp = MLP([1, 1], seed=0)
    mlp.layers[0].neurons[0].weights = [0.0]
    drawn = diagram.network_diagram(ax, mlp)
    assert drawn["weights"][0][0][0].get_linewidth() == 0.0


def test_network_diagram_says_which_model_it_draws(ax):
    with pytest.raises(TypeError, match="neuron-by-neuron network.*got list"):
        diagram.network_diagram(ax, [[1.0, 2.0]])


# --- lesson 07: the backward pass drawn -----------------------------------------------------


@pytest.fixture
def trace():
    return backward_trace(MLP([2, 3, 2, 1], seed=14), [1.0, -0.5], [0.0])


def labels_of(drawn, index):
    return [[t.get_text() for t in row] for row in drawn["line_labels"][index]]


def test_step_0_shows_the_forward_pass_and_the_loss(ax, trace):
    drawn = diagram.backward_diagram(ax, trace, step=0)
    assert [len(column) for column in drawn["boxes"]] == [2, 3, 2, 1]
    for index, values in enumerate(trace.layers):
        assert labels_of(drawn, index) == [[f"{w:+.4f}" for w in row] for row in values.weights]
    z, a = trace.layers[0].linear_activation[1], trace.layers[0].activation[1]
    assert drawn["texts"][1][1].get_text() == f"$a^{{(1)}}_{{1}}$\n$z$ = {z:+.4f}\n$a$ = {a:+.4f}"
    assert drawn["texts"][0][0].get_text() == "$a^{(0)}_{0}$\n$a$ = +1.0000"
    assert drawn["loss_text"].get_text() == f"$L$\n{trace.loss:.4f}\n$y$ = 0"
    assert ax.get_title().startswith("Step 0, the forward pass")


@pytest.mark.parametrize("step", [1, 2, 3])
def test_each_backward_step_writes_its_layer_in_black_and_the_steps_before_in_grey(ax, trace, step):
    drawn = diagram.backward_diagram(ax, trace, step=step)
    layer = 4 - step  # step 1 is the output layer, 3, of [2, 3, 2, 1]
    for index, values in enumerate(trace.layers):
        if index + 1 < layer:  # not reached yet: nothing written, faint lines
            assert drawn["line_labels"][index] == [[None] * len(row) for row in values.weights]
            assert drawn["lines"][index][0][0].get_color() == diagram.FAINT
            assert drawn["texts"][index + 1][0].get_text() == f"$a^{{({index + 1})}}_{{0}}$"
            continue
        colour = diagram.NEW if index + 1 == layer else diagram.EARLIER
        assert labels_of(drawn, index) == [[f"{g:+.4f}" for g in row] for row in values.gradients]
        assert drawn["line_labels"][index][0][0].get_color() == colour
        g, s, e = values.output_gradient[0], values.activation_gradient[0], values.error[0]
        expected = (
            f"$\\partial L/\\partial a$ = {g:+.4f}\n$\\sigma'(z)$ = {s:+.4f}\n$\\delta$ = {e:+.4f}"
        )
        assert drawn["texts"][index + 1][0].get_text().split("\n", 1)[1] == expected
        assert drawn["texts"][index + 1][0].get_color() == colour
    inputs = [t.get_text() for t in drawn["texts"][0]]
    if step == 3:
        assert (
            inputs[1]
            == f"$a^{{(0)}}_{{1}}$\n$\\partial L/\\partial a$ = {trace.input_gradient[1]:+.4f}"
        )
    else:
        assert inputs == ["$a^{(0)}_{0}$", "$a^{(0)}_{1}$"]
    assert ax.get_title().startswith(f"Step {step}, layer {layer}")


@pytest.mark.parametrize("step", [0, 1, 2, 3])
def test_the_diagram_shows_the_numbers_format_trace_prints(ax, trace, step):
    drawn = diagram.backward_diagram(ax, trace, step=step)
    shown = [0] if step == 0 else range(1, step + 1)  # a backward step keeps the steps before
    printed = "\n".join(format_trace(trace, s) for s in shown)
    numbers = [t.get_text() for layer in drawn["line_labels"] for row in layer for t in row if t]
    for text in (t for column in drawn["texts"] for t in column):
        numbers += [line.split(" = ")[1] for line in text.get_text().splitlines()[1:]]
    assert numbers and all(number in printed for number in numbers)


def test_every_line_enters_its_neuron_at_a_port_of_its_own(ax, trace):
    drawn = diagram.backward_diagram(ax, trace)
    for layer in drawn["lines"]:
        for row in layer:
            ends = [line.get_ydata()[-1] for line in row]
            assert ends == sorted(ends, reverse=True)  # from the top source to the bottom one
            assert min(a - b for a, b in zip(ends, ends[1:])) >= diagram.PORT - 1e-12


def test_backward_diagram_says_which_steps_there_are(ax, trace):
    with pytest.raises(ValueError, match="steps 0 \\(forward\\) to 3, got 4"):
        diagram.backward_diagram(ax, trace, step=4)


def test_paths_diagram_draws_every_path_from_an_activation_to_the_loss(ax, trace):
    drawn = diagram.paths_diagram(ax, trace, 1, 0)
    paths = paths_to_loss(trace, 1, 0)
    assert len(drawn["paths"]) == len(paths) == 2
    for line, (_, product) in zip(drawn["paths"], paths):
        assert line.get_label().endswith(f": {product:+.4f}")
        xs = list(line.get_xdata())
        assert xs == sorted(xs) and xs[-1] == drawn["loss"].get_x() + 0.0  # it ends at the loss
    widths = [line.get_linewidth() for line in drawn["paths"]]
    assert widths == sorted(widths, reverse=True)  # the first widest, so shared parts show


def test_paths_diagram_says_where_paths_can_start(ax, trace):
    with pytest.raises(
        ValueError, match="a\\^\\(0\\) to a\\^\\(2\\) of this network, got a\\^\\(3\\)"
    ):
        diagram.paths_diagram(ax, trace, 3, 0)
