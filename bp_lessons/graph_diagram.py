r"""The computational graph of a `Value` drawn with matplotlib alone (lesson 11; no Graphviz).

A box per Value with its data and its gradient, a circle per operation, an arrow from each input
to the operation that uses it, labelled with the local derivative $\partial out/\partial input$.
The inputs stand on the left and the output on the right, as micrograd's `draw_dot` draws them:
read the forward pass from left to right and the backward pass from right to left, where a box's
gradient is the sum, over the arrows leaving it, of the label times the gradient at its end.
"""

from collections import defaultdict

from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from bp_lessons.autograd import Value, topological_order
from bp_lessons.plotting import OKABE_ITO

COLUMN = 3.8  # from one column of boxes to the next
BOX = (2.0, 0.7)  # width, height
OP_AT = 1.5  # an operation's circle sits this far left of its result's box
RADIUS = 0.36  # of an operation's circle
SYMBOLS = {"*": "×", "-": "−", "/": "÷", "neg": "−x"}  # how an operation's `_op` is shown
LOCAL = OKABE_ITO["vermillion"]  # the local derivatives on the arrows


def graph_layout(root: Value) -> dict[Value, tuple[float, float]]:
    """The centre of every Value's box: each column right of all its inputs' columns (a leaf
    just left of its first use), and in a column, the Values in the order of their uses."""
    order = topological_order(root)
    users = defaultdict(list)
    for node in order:
        for child in node._prev:
            users[child].append(node)
    column = {}
    for node in order:
        column[node] = 1 + max(column[child] for child in node._prev) if node._prev else 0
    for node in order:
        if not node._prev and users[node]:
            column[node] = min(column[user] for user in users[node]) - 1
    wishes = defaultdict(list, {root: [0.0]})  # the heights a node's users would like it at
    for node in reversed(order):
        y = sum(wishes[node]) / len(wishes[node])
        children = list(dict.fromkeys(node._prev))
        for k, child in enumerate(children):
            wishes[child].append(y + (len(children) - 1) / 2 - k)
    positions = {}
    for c in sorted(set(column.values())):
        nodes = sorted((n for n in order if column[n] == c), key=lambda n: -_mean(wishes[n]))
        heights = [_mean(wishes[n]) for n in nodes]
        for k in range(1, len(heights)):  # at least one unit apart, the first highest
            heights[k] = min(heights[k], heights[k - 1] - 1.0)
        shift = (sum(_mean(wishes[n]) for n in nodes) - sum(heights)) / len(nodes)
        positions.update({n: (COLUMN * c, y + shift) for n, y in zip(nodes, heights)})
    return positions


def graph_diagram(
    ax: Axes, root: Value, names: dict[Value, str] | None = None, local_grads: bool = True
) -> dict:
    """Draw the graph that computed `root`: a box per Value (its name, data and grad), a circle
    per operation, an arrow per input labelled with its local derivative (`local_grads`).

    Returns the artists: "boxes" and "texts" (Value -> patch, text), "ops" (Value -> circle),
    "arrows" and "labels" (lists, one per input of an operation, in the order drawn).
    """
    names = names or {}
    positions = graph_layout(root)
    drawn = {"boxes": {}, "texts": {}, "ops": {}, "arrows": [], "labels": []}
    for node, (x, y) in positions.items():
        drawn["boxes"][node] = ax.add_patch(
            FancyBboxPatch(
                (x - BOX[0] / 2, y - BOX[1] / 2),
                *BOX,
                boxstyle="round,pad=0.04",
                facecolor="white",
                edgecolor="black",
                zorder=2,
            )
        )
        text = f"{names[node]} = {node.data:.4g}" if node in names else f"{node.data:.4g}"
        text += f"\ngrad {node.grad:.4g}"
        drawn["texts"][node] = ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=3)
        if node._prev:
            _draw_operation(ax, node, positions, drawn, local_grads)
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    ax.set(xlim=(min(xs) - 1.2, max(xs) + 1.2), ylim=(min(ys) - 0.8, max(ys) + 0.8))
    ax.set_aspect("equal")
    ax.axis("off")
    return drawn


def _draw_operation(ax: Axes, node: Value, positions: dict, drawn: dict, labels: bool) -> None:
    """The circle of the operation that made node, and an arrow from each of its inputs."""
    x, y = positions[node]
    centre = (x - OP_AT, y)
    drawn["ops"][node] = ax.add_patch(
        Circle(centre, RADIUS, facecolor=OKABE_ITO["sky"], edgecolor="black", zorder=2)
    )
    symbol = SYMBOLS.get(node._op, node._op)
    ax.text(*centre, symbol, ha="center", va="center", fontsize=8 if len(symbol) > 2 else 11)
    _arrow(ax, centre, (x - BOX[0] / 2, y), RADIUS)
    seen = defaultdict(int)  # a Value used twice by one operation: two arrows, two labels
    for child, local_grad in zip(node._prev, node._local_grads):
        cx, cy = positions[child]
        start = (cx + BOX[0] / 2, cy)
        drawn["arrows"].append(_arrow(ax, start, centre, 0.0, RADIUS))
        if labels:
            above = 0.17 if seen[child] == 0 else -0.33  # the second label under the arrow
            seen[child] += 1
            lx, ly = start[0] + 0.4 * (centre[0] - start[0]), cy + 0.4 * (y - cy) + above
            label = ax.text(lx, ly, f"{local_grad:.3g}", color=LOCAL, fontsize=9, zorder=4)
            label.set_ha("center")
            label.set_bbox(
                {"boxstyle": "round,pad=0.05", "facecolor": "white", "edgecolor": "none"}
            )
            drawn["labels"].append(label)


def _arrow(ax: Axes, start, end, shrink_start: float, shrink_end: float = 0.0):
    arrow = FancyArrowPatch(
        start, end, arrowstyle="-|>", mutation_scale=10, color="0.3", zorder=1, linewidth=1
    )
    arrow.set_patchA(None)
    ax.add_patch(arrow)
    if shrink_start or shrink_end:  # in data units: from the edge of a circle
        (x0, y0), (x1, y1) = start, end
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        arrow.set_positions(
            (x0 + ux * shrink_start, y0 + uy * shrink_start),
            (x1 - ux * shrink_end, y1 - uy * shrink_end),
        )
    return arrow


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)
