"""A diagram of the network (lessons 06 and 07): a circle for each input and each neuron, a line
for each weight $w_{jk}$, as wide as $|w_{jk}|$ and coloured by its sign, in the palette and style
of `plotting`.
"""

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from bp_lessons.plotting import OKABE_ITO

# a weight's line is blue when positive, vermillion when negative
POSITIVE_WEIGHT, NEGATIVE_WEIGHT = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
LABEL_BOX = {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}


def network_positions(sizes: Sequence[int]) -> list[list[tuple[float, float]]]:
    """The centre (x, y) of every circle: column c (inputs, then each layer) at x = 2c,
    its neurons one unit apart and centred on y = 0, neuron 0 on top."""
    return [[(2.0 * c, (size - 1) / 2 - j) for j in range(size)] for c, size in enumerate(sizes)]


def network_diagram(
    ax: Axes,
    model,
    inputs: Sequence[float] | None = None,
    labels: bool = True,
    max_width: float = 6.0,
) -> dict[str, list]:
    r"""The network as circles (the inputs on the left, then each layer) and one line per weight.

    The line from input (or neuron) k to neuron j of the next layer is $w_{jk}$: its width is
    proportional to $|w_{jk}|$ (the largest gets `max_width`), its colour is its sign. With
    `inputs`, each circle shows its value in the forward pass; without, its name. Biases are not
    drawn. Returns the artists: "neurons"[column][j] (circles), "weights"[layer][j][k] (lines),
    "labels" (the $w_{jk}$ texts) and "values" (the texts in the circles).
    """
    if not (hasattr(model, "layers") and all(hasattr(lay, "neurons") for lay in model.layers)):
        raise TypeError(
            "network_diagram draws a neuron-by-neuron network (bp_lessons.MLP), "
            f"got {type(model).__name__}"
        )
    centres = network_positions(model.sizes)
    weights = [[neuron.weights for neuron in layer.neurons] for layer in model.layers]
    drawn = _draw_weights(ax, centres, weights, labels, max_width)
    drawn.update(_draw_neurons(ax, centres, _forward_values(model, inputs)))
    top, last = (max(model.sizes) - 1) / 2, len(model.layers)  # the highest centre, last column
    for c in range(last + 1):
        name = "inputs" if c == 0 else f"layer {c - 1}" + " (output)" * (c == last)
        ax.text(2.0 * c, top + 0.5, name, ha="center")
    legend = [
        Line2D([], [], color=color, linewidth=3) for color in (POSITIVE_WEIGHT, NEGATIVE_WEIGHT)
    ]
    names = ["positive weight", "negative weight"]
    ax.legend(legend, names, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    ax.set(xlim=(-0.6, 2.0 * last + 0.6), ylim=(-top - 0.5, top + 0.9), aspect="equal")
    ax.axis("off")
    return drawn


def _draw_weights(ax: Axes, centres: list, weights: list, labels: bool, max_width: float) -> dict:
    """One line per weight w_jk, from centre k of a column to centre j of the next."""
    largest = max((abs(w) for layer in weights for row in layer for w in row), default=0.0)
    drawn = {"weights": [], "labels": []}
    for sources, targets, layer in zip(centres, centres[1:], weights):
        drawn["weights"].append([])
        for j, ((x1, y1), row) in enumerate(zip(targets, layer)):
            drawn["weights"][-1].append([])
            for k, ((x0, y0), w) in enumerate(zip(sources, row)):
                color = POSITIVE_WEIGHT if w >= 0 else NEGATIVE_WEIGHT
                width = max_width * abs(w) / largest if largest > 0 else 0.0
                drawn["weights"][-1][-1] += ax.plot(
                    [x0, x1], [y0, y1], color=color, linewidth=width, zorder=1
                )
                if labels:
                    name = f"$w_{{{j}{k}}}$" if max(j, k) < 10 else f"$w_{{{j},{k}}}$"
                    x, y = x0 + 0.62 * (x1 - x0), y0 + 0.62 * (y1 - y0)  # nearer neuron j
                    text = ax.text(x, y, name, fontsize=9, ha="center", va="center", zorder=3)
                    text.set_bbox(LABEL_BOX)
                    drawn["labels"].append(text)
    return drawn


def _forward_values(model, inputs: Sequence[float] | None) -> list[list[float]] | None:
    """The inputs and every layer's activations in one forward pass, or None without inputs."""
    if inputs is None:
        return None
    values = [[float(i) for i in inputs]]
    for layer in model.layers:
        values.append(layer.forward(values[-1]))
    return values


def _draw_neurons(ax: Axes, centres: list, values: list | None) -> dict:
    """A circle per input and neuron, with its value (or its name, $i_k$ or $a_j$) inside."""
    drawn = {"neurons": [], "values": []}
    for c, column in enumerate(centres):
        drawn["neurons"].append([])
        for j, centre in enumerate(column):
            circle = Circle(centre, 0.3, facecolor="white", edgecolor="black", zorder=2)
            drawn["neurons"][-1].append(ax.add_patch(circle))
            name = f"$i_{{{j}}}$" if c == 0 else f"$a_{{{j}}}$"
            text = f"{values[c][j]:.2f}" if values else name
            drawn["values"].append(ax.text(*centre, text, ha="center", va="center", zorder=3))
    return drawn
