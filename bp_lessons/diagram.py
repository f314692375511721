"""Diagrams of the network (lessons 06 and 07), in the palette and style of `plotting`.

`network_diagram`: a circle for each input and each neuron, a line for each weight $w_{jk}$, as
wide as $|w_{jk}|$ and coloured by its sign. `backward_diagram`: the backward pass of lesson 07
step by step, with the loss drawn and every value of a `BackwardTrace` on its neuron or line;
`paths_diagram`: every path from one activation to the loss.
"""

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch

from bp_lessons.plotting import OKABE_ITO

# a weight's line is blue when positive, vermillion when negative
POSITIVE_WEIGHT, NEGATIVE_WEIGHT = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
LABEL_BOX = {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}


def network_positions(
    sizes: Sequence[int], dx: float = 2.0, dy: float = 1.0
) -> list[list[tuple[float, float]]]:
    """The centre (x, y) of every circle: column c (inputs, then layer c) at x = c dx,
    its neurons dy apart and centred on y = 0, neuron 0 on top."""
    return [
        [(dx * c, dy * ((size - 1) / 2 - j)) for j in range(size)] for c, size in enumerate(sizes)
    ]


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
        ax.text(2.0 * c, top + 0.5, column_name(c, last), ha="center")
    legend = [
        Line2D([], [], color=color, linewidth=3) for color in (POSITIVE_WEIGHT, NEGATIVE_WEIGHT)
    ]
    names = ["positive weight", "negative weight"]
    ax.legend(legend, names, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    ax.set(xlim=(-0.6, 2.0 * last + 0.6), ylim=(-top - 0.5, top + 0.9), aspect="equal")
    ax.axis("off")
    return drawn


def column_name(c: int, last: int) -> str:
    """Column c of a diagram: the inputs $a^{(0)}$, then layer c (numbered from 1)."""
    return "inputs $a^{(0)}$" if c == 0 else f"layer {c}" + " (output)" * (c == last)


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
    """A circle per input and neuron, with its value (or its name, $a^{(l)}_j$) inside."""
    drawn = {"neurons": [], "values": []}
    for c, column in enumerate(centres):
        drawn["neurons"].append([])
        for j, centre in enumerate(column):
            circle = Circle(centre, 0.3, facecolor="white", edgecolor="black", zorder=2)
            drawn["neurons"][-1].append(ax.add_patch(circle))
            name = f"$a^{{({c})}}_{{{j}}}$"
            text = f"{values[c][j]:.2f}" if values else name
            drawn["values"].append(ax.text(*centre, text, ha="center", va="center", zorder=3))
    return drawn


# lesson 07: the backward pass, value by value. Each neuron is a box of its values; the line of
# w_jk enters box j at a port of its own, where its value is written, so no two labels collide.
DX, DY = 3.6, 2.0  # column spacing, neuron spacing
WIDTH, HEIGHT, PORT = 1.8, 1.15, 0.32  # a neuron's box, and the spacing of its ports
NEW, EARLIER, FAINT = "black", "#8c8c8c", "#dddddd"  # this step's values, earlier steps', unused


def backward_diagram(ax: Axes, trace, step: int | None = None, digits: int = 4) -> dict:
    r"""Step `step` of the pass of a `BackwardTrace` (lesson 07) on the network and its loss.

    Step 0 is the forward pass: $w_{jk}$ on each line, $z$ and $a$ in each neuron, then the loss.
    Step s is the backward step through layer l = N + 1 - s: $\partial L/\partial a$,
    $\sigma'(z)$ and $\delta$ in its neurons and $\partial L/\partial w_{jk}$ on its lines (for
    l = 1 also $\partial L/\partial a^{(0)}$ in the inputs) in black, the steps before in grey.
    None draws the last step. The numbers are those `format_trace` prints for the same step.
    Returns the artists: "boxes"[c][j], "texts"[c][j], "lines"[l - 1][j][k],
    "line_labels"[l - 1][j][k] (None where this step writes nothing), "loss", "loss_text".
    """
    last = len(trace.layers)
    step = last if step is None else step
    if not 0 <= step <= last:
        raise ValueError(f"a network of {last} layers has steps 0 (forward) to {last}, got {step}")
    drawn = _network_with_loss(ax, trace)
    number = f"{{:+.{digits}f}}".format
    if step == 0:
        values = [[[f"$a$ = {number(a)}"] for a in trace.inputs]]
        values += [
            [
                [f"$z$ = {number(z)}", f"$a$ = {number(a)}"]
                for z, a in zip(lay.linear_activation, lay.activation)
            ]
            for lay in trace.layers
        ]
        colours = [NEW] * (last + 1)
        on_lines = [lay.weights for lay in trace.layers]
        labels = ", ".join(f"{y:g}" for y in trace.labels)
        drawn["loss_text"].set_text(f"$L$\n{trace.loss:.{digits}f}\n$y$ = {labels}")
        title = "Step 0, the forward pass: $w_{jk}$ on the lines, $z$ and $a$ in each neuron, $L$"
    else:
        first = last + 1 - step  # the layer of this step; the layers after it are done
        colours = [NEW if first == 1 else None] + [
            NEW if layer == first else EARLIER if layer > first else None
            for layer in range(1, last + 1)
        ]
        values = [[[f"$\\partial L/\\partial a$ = {number(g)}"] for g in trace.input_gradient]]
        values += [
            [
                [
                    f"$\\partial L/\\partial a$ = {number(g)}",
                    f"$\\sigma'(z)$ = {number(s)}",
                    f"$\\delta$ = {number(e)}",
                ]
                for g, s, e in zip(lay.output_gradient, lay.activation_gradient, lay.error)
            ]
            for lay in trace.layers
        ]
        on_lines = [lay.gradients for lay in trace.layers]
        for layer, lines in enumerate(drawn["lines"], start=1):
            for line in (line for row in lines for line in row):
                line.set(color=colours[layer] or FAINT, linewidth=1.5 if layer == first else 0.9)
        for line in drawn["loss_lines"]:
            line.set(color=NEW if step == 1 else EARLIER, linewidth=1.5 if step == 1 else 0.9)
        drawn["loss_text"].set(text=f"$L$\n{trace.loss:.{digits}f}", color=EARLIER)
        title = _step_title(step, first, last)
    for column, texts, colour in zip(values, drawn["texts"], colours):
        for lines, text in zip(column, texts):
            if colour is not None:
                text.set(text="\n".join([text.get_text()] + lines), color=colour)
    for index, (rows, colour) in enumerate(zip(on_lines, colours[1:])):
        if colour is not None:
            drawn["line_labels"][index] = [
                [_line_label(ax, line, number(v), colour) for line, v in zip(lines, row)]
                for lines, row in zip(drawn["lines"][index], rows)
            ]
    ax.set_title(title)
    return drawn


def _step_title(step: int, layer: int, last: int) -> str:
    """What backward step `step` computes, in the order it computes it."""
    up, down, above = f"^{{({layer})}}", f"^{{({layer - 1})}}", f"^{{({layer + 1})}}"
    source = f"2(a{up} - y)/n" if layer == last else f"(W{above})^T \\delta{above}"
    title = (
        f"Step {step}, layer {layer}: $\\partial L/\\partial a{up} = {source}$, "
        f"then $\\sigma'(z{up})$ and $\\delta{up}$; "
        f"$\\partial L/\\partial w{up}_{{jk}} = a{down}_k\\,\\delta{up}_j$ on its lines"
    )
    if layer == 1:
        title += "\n and $\\partial L/\\partial a^{(0)} = (W^{(1)})^T \\delta^{(1)}$ in the inputs"
    return title


def paths_diagram(ax: Axes, trace, layer: int, k: int, digits: int = 4) -> dict:
    r"""Every path from $a^{(l)}_k$ (l = `layer`) to the loss, each in its own colour, with the
    product of the derivatives along it in the legend (`backward_trace.paths_to_loss`).
    Returns the artists of `backward_diagram` and "paths", one line per path."""
    from bp_lessons.backward_trace import paths_to_loss  # not at the top: no import cycle

    last = len(trace.layers)
    if not 0 <= layer < last:
        raise ValueError(f"paths start at a^(0) to a^({last - 1}) of this network, got a^({layer})")
    drawn = _network_with_loss(ax, trace)
    paths = paths_to_loss(trace, layer, k)
    colours = [OKABE_ITO[c] for c in ("orange", "blue", "green", "vermillion", "purple", "sky")]
    drawn["paths"] = []
    for number, (path, product) in enumerate(paths):
        segments = [drawn["lines"][layer][path[0]][k]]  # the lines of w_jk along the path
        segments += [
            drawn["lines"][c][j][i]
            for c, i, j in zip(range(layer + 1, len(trace.layers)), path, path[1:])
        ]
        segments.append(drawn["loss_lines"][path[-1]])
        xs = [x for line in segments for x in line.get_xdata()]
        ys = [y for line in segments for y in line.get_ydata()]
        via = ", ".join(f"$a^{{({c})}}_{{{j}}}$" for c, j in enumerate(path, start=layer + 1))
        # from 8 points wide for the first path to 2 for the last: shared lines show every path
        width = 2.0 + 6.0 * (len(paths) - 1 - number) / max(len(paths) - 1, 1)
        drawn["paths"] += ax.plot(
            xs,
            ys,
            color=colours[number % len(colours)],
            linewidth=width,
            solid_capstyle="round",
            zorder=1.5,
            label=f"through {via}: {product:+.{digits}f}",
        )
    drawn["boxes"][layer][k].set(edgecolor=OKABE_ITO["orange"], linewidth=3)
    ax.legend(handles=drawn["paths"], loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2)
    return drawn


def _network_with_loss(ax: Axes, trace) -> dict:
    """A box per input and neuron (named $a^{(l)}_j$), a grey line per weight entering its
    neuron at a port of its own, and the loss L joined to every output."""
    sizes = [len(trace.inputs)] + [len(lay.weights) for lay in trace.layers]
    centres, last = network_positions(sizes, DX, DY), len(trace.layers)
    top, loss_centre = DY * (max(sizes) - 1) / 2, (DX * (last + 0.75), 0.0)
    drawn = {"boxes": [], "texts": [], "lines": [], "line_labels": []}
    for sources, targets in zip(centres, centres[1:]):
        rows = []
        for x, y in targets:
            ports = [y + PORT * ((len(sources) - 1) / 2 - k) for k in range(len(sources))]
            rows.append(
                [
                    ax.plot(
                        [sx + WIDTH / 2, x - WIDTH / 2],
                        [sy, port],
                        color=EARLIER,
                        linewidth=0.9,
                        zorder=1,
                    )[0]
                    for (sx, sy), port in zip(sources, ports)
                ]
            )
        drawn["lines"].append(rows)
        drawn["line_labels"].append([[None] * len(sources) for _ in targets])
    drawn["loss_lines"] = [
        ax.plot(
            [x + WIDTH / 2, loss_centre[0] - 0.5], [y, 0.0], color=EARLIER, linewidth=0.9, zorder=1
        )[0]
        for x, y in centres[-1]
    ]
    for c, column in enumerate(centres):
        drawn["boxes"].append([_box(ax, centre, WIDTH, HEIGHT) for centre in column])
        drawn["texts"].append(
            [
                ax.text(
                    *centre,
                    f"$a^{{({c})}}_{{{j}}}$",
                    ha="center",
                    va="center",
                    fontsize=9.5,
                    zorder=3,
                )
                for j, centre in enumerate(column)
            ]
        )
        ax.text(DX * c, -top - HEIGHT / 2 - 0.45, column_name(c, last), ha="center", fontsize=10)
    drawn["loss"] = _box(ax, loss_centre, 1.0, HEIGHT, facecolor="#eeeeee")
    drawn["loss_text"] = ax.text(
        *loss_centre, "$L$", ha="center", va="center", fontsize=9.5, zorder=3
    )
    ax.text(loss_centre[0], -top - HEIGHT / 2 - 0.45, "the loss", ha="center", fontsize=10)
    ax.set(
        xlim=(-WIDTH / 2 - 0.1, loss_centre[0] + 0.6),
        ylim=(-top - HEIGHT / 2 - 0.6, top + HEIGHT / 2 + 0.1),
        aspect="equal",
    )
    ax.axis("off")
    return drawn


def _box(ax: Axes, centre: tuple[float, float], width: float, height: float, facecolor="white"):
    corner = (centre[0] - width / 2, centre[1] - height / 2)
    style = {"boxstyle": "round,pad=0.02,rounding_size=0.15", "edgecolor": "black", "zorder": 2}
    return ax.add_patch(FancyBboxPatch(corner, width, height, facecolor=facecolor, **style))


def _line_label(ax: Axes, line: Line2D, text: str, colour: str):
    """A value where its line enters a box, just outside it."""
    x, y = line.get_xdata()[-1], line.get_ydata()[-1]
    label = ax.text(
        x - 0.06, y, text, fontsize=8.5, ha="right", va="center", color=colour, zorder=3
    )
    label.set_bbox(LABEL_BOX)
    return label
