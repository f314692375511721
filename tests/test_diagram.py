import matplotlib

matplotlib.use("Agg")  # unit tests draw off screen; the notebooks use the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from bp_lessons import MLP, diagram  # noqa: E402

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
    assert [t.get_text() for t in drawn["values"][:3]] == ["$i_{0}$", "$i_{1}$", "$a_{0}$"]


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
