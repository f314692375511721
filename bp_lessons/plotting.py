"""One plotting style for every lesson, and the plots more than one lesson draws.

Importing this module sets matplotlib's style (readable sizes, a light grid, and the Okabe-Ito
colours, which stay distinct for colour-blind readers). Every function draws on an `ax` you pass
and returns what it drew, so a test can check the data behind a figure.
"""

import copy
import math
from collections.abc import Callable, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bp_lessons.activations import get_activation
from bp_lessons.gradcheck import numerical_gradient
from bp_lessons.neuron import neuron_forward
from bp_lessons.training import describe_run

# Okabe & Ito (2008), "Color Universal Design": safe for the common colour-vision deficiencies
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
COLORS = list(OKABE_ITO.values())
CLASS_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"])  # label 0, label 1
# for a network's output in [0, 1]: blue (0) through white (0.5) to orange (1)
OUTPUT_CMAP = LinearSegmentedColormap.from_list(
    "bp_output", [OKABE_ITO["blue"], "#FFFFFF", OKABE_ITO["orange"]]
)

STYLE = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "image.cmap": "cividis",  # perceptually uniform and colour-blind safe
    "legend.frameon": False,
}
mpl.rcParams.update(STYLE)


def model_outputs(model, X: np.ndarray) -> np.ndarray:
    """The outputs of either engine on every row of X, as an array (examples, outputs)."""
    if hasattr(model, "layers") and hasattr(model.layers[0], "neurons"):  # neuron by neuron
        return np.array([model.forward(x) for x in np.asarray(X).tolist()])
    return np.asarray(model.forward(np.asarray(X)))  # the matrix form takes the whole batch


def scatter_classes(ax: Axes, X: np.ndarray, y: np.ndarray, **kwargs) -> list:
    """The points of a two-class data set, one colour and marker per label, each with a dark
    edge so that it stays visible on a region of its own colour (large when there are few)."""
    labels = np.asarray(y).reshape(len(X), -1)[:, 0]
    size = 110 if len(labels) <= 10 else 40  # XOR's four points, or a cloud of hundreds
    drawn = []
    for label, (color, marker) in enumerate(zip(CLASS_COLORS, ("o", "s"))):
        points = np.asarray(X)[labels == label]
        drawn.append(
            ax.scatter(
                points[:, 0],
                points[:, 1],
                c=color,
                marker=marker,
                s=size,
                edgecolors="black",
                linewidths=0.8,
                label=f"label {label}",
                **kwargs,
            )
        )
    ax.set_xlabel("input $i_0$")
    ax.set_ylabel("input $i_1$")
    return drawn


def decision_boundary(
    ax: Axes, model, X: np.ndarray, y: np.ndarray, resolution: int = 60, margin: float = 0.5
) -> np.ndarray:
    """The model's first output over the input plane (shaded), its 0.5 contour, and the data.

    Returns the grid of outputs (resolution × resolution), the data behind the picture.
    """
    X = np.asarray(X)
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    outputs = model_outputs(model, grid)[:, 0].reshape(resolution, resolution)
    ax.contourf(
        grid_x,
        grid_y,
        outputs,
        # bands centred on 0, 0.1, ..., 1: the white one, 0.45 to 0.55, holds 0.5 and the
        # rounding noise around it, so a flat output at 0.5 shows no edge
        levels=np.linspace(-0.05, 1.05, 12),
        cmap=OUTPUT_CMAP,
        vmin=0.0,
        vmax=1.0,
        alpha=0.6,
        extend="both",
    )
    if outputs.min() < 0.5 - 1e-6 and outputs.max() > 0.5 + 1e-6:  # a real boundary, not noise
        ax.contour(grid_x, grid_y, outputs, levels=[0.5], colors="black", linewidths=1.5)
    scatter_classes(ax, X, y)
    return outputs


def loss_curve(ax: Axes, history: Sequence[float], label: str | None = None, **kwargs) -> list:
    """Loss per epoch on a log scale, where a slow late decrease is still visible."""
    epochs = np.arange(1, len(history) + 1)
    lines = ax.plot(epochs, history, label=label, **kwargs)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean loss (MSE)")
    return lines


def activation_curves(
    ax: Axes, names: Sequence[str], z: np.ndarray | None = None, derivative: bool = False
) -> list:
    """$a = act(z)$ of each named activation (or its derivative $da/dz$), one line per name."""
    z = np.linspace(-4.0, 4.0, 201) if z is None else np.asarray(z, dtype=float)
    lines = []
    for name in names:
        function = get_activation(name)[1 if derivative else 0]
        lines += ax.plot(z, [function(value) for value in z.tolist()], label=name)
    ax.set_xlabel("linear activation $z$")
    ax.set_ylabel("$da/dz$" if derivative else "activation $a = act(z)$")
    ax.legend()
    return lines


PLANE_LIMITS = (-2.0, 2.0)  # the square of inputs (i_0, i_1) a neuron's output is drawn over
OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # the others are unbounded


def neuron_output_grid(
    weights: Sequence[float],
    bias: float,
    activation: str = "sigmoid",
    limits: tuple[float, float] = PLANE_LIMITS,
    resolution: int = 61,
) -> np.ndarray:
    """`neuron_forward` at every point of a square grid of inputs; row r is the r-th $i_1$."""
    points = np.linspace(*limits, resolution).tolist()
    return np.array(
        [[neuron_forward([i0, i1], weights, bias, activation) for i0 in points] for i1 in points]
    )


def zero_line(
    weights: Sequence[float], bias: float, limits: tuple[float, float] = PLANE_LIMITS
) -> tuple[np.ndarray, np.ndarray]:
    """Two points of the line $w_0 i_0 + w_1 i_1 + b = 0$ (where z = 0), or none if w = 0."""
    (w0, w1), ends = weights, np.array(limits, dtype=float)
    if w1 != 0:
        return ends, -(w0 * ends + bias) / w1
    if w0 != 0:
        return np.full(2, -bias / w0), ends  # a vertical line
    return np.array([]), np.array([])  # z = b everywhere: no line


class NeuronPlane:
    """A neuron's output $a = act(w_0 i_0 + w_1 i_1 + b)$ over the input plane, and its line z = 0.

    `update` redraws it for new weights, bias or activation (the lesson 01 widget calls it);
    `.image` and `.line` are the artists, so a test can check the data behind the picture.
    """

    def __init__(
        self,
        ax: Axes,
        weights: Sequence[float],
        bias: float,
        activation: str = "sigmoid",
        limits: tuple[float, float] = PLANE_LIMITS,
        colorbar: bool = True,
    ):
        self.ax, self.limits = ax, limits
        self.image = ax.imshow(
            np.zeros((2, 2)),
            origin="lower",
            extent=(*limits, *limits),
            cmap=OUTPUT_CMAP,
            interpolation="bilinear",
        )
        (self.line,) = ax.plot([], [], color="black", linestyle="--", label="$z = 0$")
        ax.set(xlim=limits, ylim=limits, xlabel="input $i_0$", ylabel="input $i_1$")
        ax.grid(False)
        ax.legend(loc="upper right")
        if colorbar:
            ax.figure.colorbar(self.image, ax=ax, label="output $a$")
        self.update(weights, bias, activation)

    def update(self, weights: Sequence[float], bias: float, activation: str) -> np.ndarray:
        """Draw the neuron with these settings; return its outputs over the plane."""
        weights, bias = [w + 0.0 for w in weights], bias + 0.0  # + 0.0 turns -0.0 into 0.0
        outputs = neuron_output_grid(weights, bias, activation, self.limits)
        self.image.set_data(outputs)
        low, high = output_colour_range(activation, outputs)
        self.image.set_clim(low, high)
        self.line.set_data(*zero_line(weights, bias, self.limits))
        (w0, w1) = weights
        self.ax.set_title(f"$a$ = {activation}({w0:.1f} $i_0$ {_signed(w1)} $i_1$ {_signed(bias)})")
        return outputs


def output_colour_range(activation: str, outputs: np.ndarray) -> tuple[float, float]:
    """The colour scale of a neuron's outputs: white, its middle, is act(0), the output on the
    line z = 0. Bounded activations use their whole range; for the others the scale reaches as
    far either side of act(0) as the outputs do (ReLU's flat zero side is then white, not blue)."""
    if activation in OUTPUT_RANGE:
        return OUTPUT_RANGE[activation]
    middle = get_activation(activation)[0](0.0)
    reach = max(float(np.abs(outputs - middle).max()), 1e-3)  # a flat output still gets a colour
    return middle - reach, middle + reach


def _signed(value: float) -> str:
    """'+ 1.5' or '− 1.5', to write a sum such as 1.0 i_0 − 1.5 i_1 + 0.5."""
    return f"{'−' if value < 0 else '+'} {abs(value):.1f}"


class LossAgainstWeight:
    """The loss $L(w)$ over a range of one weight, and at the current w: the point, the tangent
    (its slope by central differences) and an arrow pointing downhill, the way to move w, longer
    where the slope is steeper (full length at the steepest point of the curve).
    """

    def __init__(
        self,
        ax: Axes,
        loss: Callable[[float], float],
        weights: Sequence[float],
        weight: float,
        name: str = "w",
    ):
        self.ax, self.loss, self.name = ax, loss, name
        self.weights = np.asarray(weights, dtype=float)
        self.losses = np.array([loss(w) for w in self.weights.tolist()])
        self.steepest = np.abs(np.gradient(self.losses, self.weights)).max()
        (self.curve,) = ax.plot(self.weights, self.losses, label=f"$L({name})$")
        (self.tangent,) = ax.plot([], [], "--", color=OKABE_ITO["vermillion"], label="tangent")
        (self.point,) = ax.plot([], [], "o", color=OKABE_ITO["vermillion"])
        arrow = {"arrowstyle": "->", "color": OKABE_ITO["green"], "linewidth": 2}
        self.arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0), arrowprops=arrow, zorder=3)
        span = self.losses.max() - self.losses.min()
        ax.set_xlim(self.weights[0], self.weights[-1])
        ax.set_ylim(self.losses.min() - 0.1 * span, self.losses.max() + 0.1 * span)
        ax.set(xlabel=f"weight ${name}$", ylabel="loss $L$")
        ax.legend(loc="upper right")
        self.update(weight)

    def update(self, weight: float) -> float:
        """Move to `weight`; return the slope $\\partial L/\\partial w$ there."""
        value, slope = self.loss(weight), numerical_gradient(self.loss, weight)
        reach = 0.12 * (self.weights[-1] - self.weights[0])
        ends = np.array([weight - reach, weight + reach])
        self.tangent.set_data(ends, value + slope * (ends - weight))
        self.point.set_data([weight], [value])
        # against the slope; the square root keeps a gentle slope's arrow visible
        downhill = -np.sign(slope) * 2 * reach * min(1.0, np.sqrt(abs(slope) / self.steepest))
        self.arrow.xy, self.arrow.xyann = (weight + downhill, value), (weight, value)
        way = "increase" if slope < 0 else "decrease" if slope > 0 else "stay"
        self.ax.set_title(
            f"${self.name}$ = {weight:.2f}: slope $\\partial L/\\partial {self.name}$ = "
            f"{slope:+.3f}, so {way} ${self.name}$"
        )
        return slope


# lesson 03: the error of a numerical derivative
def difference_errors(
    ax: Axes,
    epsilons: np.ndarray,
    one_sided: np.ndarray,
    central: np.ndarray,
    second: float,
    third: float,
    default: float,
) -> dict[str, Line2D]:
    r"""The errors of one-sided and central differences against the step $\epsilon$, log-log
    and shrinking to the right, beside Taylor's predictions $\epsilon |L''|/2$ and
    $\epsilon^2 |L'''|/6$, rounding's $10^{-16}/\epsilon$, and a line at the `default` step.
    Returns the lines by name."""
    taylor = {
        "one-sided": (epsilons * abs(second) / 2, r"$\epsilon |L''|/2$"),
        "central": (epsilons**2 * abs(third) / 6, r"$\epsilon^2 |L'''|/6$"),
    }
    lines = {}
    for (name, measured), colour, marker in zip(
        [("one-sided", one_sided), ("central", central)], COLORS[:2], "os"
    ):
        label = f"{name}, measured"
        (lines[name],) = ax.loglog(epsilons, np.abs(measured), marker, color=colour, label=label)
        predicted, formula = taylor[name]
        (lines[f"{name}, Taylor"],) = ax.loglog(epsilons, predicted, color=colour, label=formula)
    rounding = r"rounding: ~ $10^{-16}/\epsilon$"
    (lines["rounding"],) = ax.loglog(epsilons, 1e-16 / epsilons, ":", color="gray", label=rounding)
    label = f"numerical_gradient's default {default:.0e}"
    lines["default"] = ax.axvline(default, color="black", linewidth=0.8, label=label)
    ax.set(xlabel=r"step $\epsilon$", ylabel="|estimate - exact slope|", ylim=(1e-15, 1.0))
    ax.set_title("the error of a numerical derivative: Taylor's lines, then rounding")
    ax.invert_xaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return lines


# lessons 02 and 06: what a model does over the input plane
def decision_legend(ax: Axes, **kwargs):
    """A legend for `decision_boundary`: the two classes of points, the 0.5 line and the two
    shades, so a reader can tell the data from the regions. Keyword arguments go to `ax.legend`."""
    points = [
        Line2D([], [], linestyle="", marker=m, markersize=9, color=c, markeredgecolor="black")
        for c, m in zip(CLASS_COLORS, ("o", "s"))
    ]
    handles = points + [
        Line2D([], [], color="black", linewidth=1.5),
        Patch(facecolor=OUTPUT_CMAP(0.0), alpha=0.6),
        Patch(facecolor=OUTPUT_CMAP(1.0), alpha=0.6),
    ]
    names = [
        "data, label 0",
        "data, label 1",
        "output 0.5: the boundary",
        "region: output below 0.5",
        "region: output above 0.5",
    ]
    return ax.legend(handles, names, **kwargs)


def output_surface(
    ax: Axes, model, X: np.ndarray, y: np.ndarray, resolution: int = 40, margin: float = 1.0
) -> np.ndarray:
    """The model's first output over the input plane on its own colour scale (from its lowest
    to its highest value there, with a colour bar), labelled contour lines, and the data.

    Where `decision_boundary` uses one scale from 0 to 1 for every model, this one shows how a
    nearly flat output varies; a white line marks 0.5 if the output crosses it. Returns the
    grid of outputs (resolution × resolution).
    """
    X = np.asarray(X)
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    outputs = model_outputs(model, grid)[:, 0].reshape(resolution, resolution)
    # round numbers from just below the lowest output to just above the highest
    levels = mpl.ticker.MaxNLocator(8).tick_values(outputs.min(), outputs.max())
    shading = ax.contourf(grid_x, grid_y, outputs, levels=levels, alpha=0.8)
    lines = ax.contour(grid_x, grid_y, outputs, levels=levels[1:-1], colors="black", linewidths=0.6)
    ax.clabel(lines, fmt="%g", fontsize=8)
    if outputs.min() < 0.5 - 1e-6 and outputs.max() > 0.5 + 1e-6:  # where it crosses 0.5
        ax.contour(grid_x, grid_y, outputs, levels=[0.5], colors="white", linewidths=2.0)
    ax.figure.colorbar(shading, ax=ax, label="output $a$ (this panel's own scale)")
    scatter_classes(ax, X, y)
    ax.grid(False)
    return outputs


def output_surfaces(
    axes: Sequence[Axes],
    models: dict,
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 40,
    margin: float = 1.0,
    ranges: bool = False,
) -> dict[str, np.ndarray]:
    """Several models' first output over the input plane, one panel each, all on ONE colour
    scale (from the lowest output of any model to the highest, one colour bar, no offset), with
    labelled contour lines at the same levels and the data. With `ranges`, each panel's title is
    its model's name and the range of its output.

    Panels that are compared share a scale, so a surface that barely varies looks flat beside
    one that tilts; a white line marks 0.5 where an output crosses it. Returns each model's grid
    of outputs (resolution × resolution) by its name in `models`.
    """
    X = np.asarray(X)
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    plane = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    grids = {
        name: model_outputs(model, plane)[:, 0].reshape(resolution, resolution)
        for name, model in models.items()
    }
    lowest = min(grid.min() for grid in grids.values())
    highest = max(grid.max() for grid in grids.values())
    levels = mpl.ticker.MaxNLocator(8).tick_values(lowest, highest)  # round numbers, shared
    for ax, (name, outputs) in zip(np.ravel(axes), grids.items()):
        shading = ax.contourf(
            grid_x, grid_y, outputs, levels=levels, vmin=levels[0], vmax=levels[-1], alpha=0.8
        )
        lines = ax.contour(grid_x, grid_y, outputs, levels=levels, colors="black", linewidths=0.6)
        ax.clabel(lines, fmt="%g", fontsize=8)
        if outputs.min() < 0.5 - 1e-6 and outputs.max() > 0.5 + 1e-6:  # where it crosses 0.5
            ax.contour(grid_x, grid_y, outputs, levels=[0.5], colors="white", linewidths=2.0)
        scatter_classes(ax, X, y)
        if ranges:
            ax.set_title(f"{name}\noutput from {outputs.min():.4f} to {outputs.max():.4f}")
        ax.grid(False)
    axes = list(np.ravel(axes))
    bar = axes[0].figure.colorbar(shading, ax=axes, label="output $a$ (one scale for all)")
    bar.formatter = mpl.ticker.ScalarFormatter(useOffset=False)  # the values as they are
    bar.update_ticks()
    return grids


# lessons 08 to 10: the loss on the data set, epoch by epoch, and a loss over two parameters
def data_loss_curve(
    ax: Axes,
    losses: Sequence[float],
    diverged_in: int | None = None,
    label: str | None = None,
    **kwargs,
) -> list:
    """The loss on the whole data set after each epoch, epoch 0 (before training) first, on a
    log scale: a steady fall and a geometric growth are both straight lines there.

    The axis is never clipped, so a diverging run shows its growth; one that overflowed in
    epoch `diverged_in` ends in a cross there, at the top of the axis.
    """
    ax.set_yscale("log")
    ax.set_autoscaley_on(False)  # its margins on a log axis overflow near 1e308: limits below
    lines = ax.plot(np.arange(len(losses)), losses, label=label, **kwargs)
    ax.set(xlabel="epoch", ylabel="loss on the data set")
    # limits from every curve on the axis
    values = np.concatenate([np.asarray(line.get_ydata(), dtype=float) for line in ax.lines])
    values = values[np.isfinite(values) & (values > 0)]
    bottom, top = values.min() / 2, 4 * min(values.max(), 2.5e307)  # 1e308 at most
    if top > 1e100:  # a diverging run: the default ticks would overflow, so one every 10^50
        decades = np.arange(math.ceil(math.log10(bottom) / 50) * 50, math.log10(top), 50)
        ax.set_yticks(10.0**decades, [f"$10^{{{d:.0f}}}$" for d in decades])
        ax.yaxis.set_minor_locator(mpl.ticker.NullLocator())
    ax.set_ylim(bottom, top)
    if diverged_in is not None:
        cross = dict(color=lines[0].get_color(), markersize=12, clip_on=False)
        lines += ax.plot([diverged_in], [top], "X", scalex=False, scaley=False, **cross)
    return lines


def loss_contours(
    ax: Axes,
    loss: Callable[[float, float], float],
    xs: Sequence[float],
    ys: Sequence[float],
    levels: int = 12,
) -> np.ndarray:
    """Contour lines of `loss(x, y)` over the grid xs × ys: lines of equal loss, spaced
    geometrically from just above the lowest value to the highest, so the valley floor gets as
    many lines as the walls. Returns the grid of losses (row r is ys[r])."""
    grid = np.array(
        [[loss(x, y) for x in np.asarray(xs).tolist()] for y in np.asarray(ys).tolist()]
    )
    low, high = grid.min(), grid.max()
    heights = np.geomspace(low + 0.02 * (high - low) / levels, high, levels)
    ax.contour(xs, ys, grid, levels=heights, colors="gray", linewidths=0.8)
    ax.set_aspect("equal")  # so that a gradient arrow meets the contour lines at a right angle
    return grid


def downhill_arrows(
    ax: Axes,
    gradient: Callable[[float, float], tuple[float, float]],
    xs: Sequence[float],
    ys: Sequence[float],
    **kwargs,
) -> np.ndarray:
    """An arrow at every point of the grid xs × ys along the negative gradient, the way a step
    of gradient descent goes, longer where the loss is steeper. Returns the gradients
    (len(ys), len(xs), 2)."""
    grid_x, grid_y = np.meshgrid(xs, ys)
    gradients = np.array(
        [[gradient(x, y) for x, y in zip(row_x, row_y)] for row_x, row_y in zip(grid_x, grid_y)]
    )
    style = {"color": OKABE_ITO["green"], "angles": "xy", "width": 0.004} | kwargs
    ax.quiver(grid_x, grid_y, -gradients[..., 0], -gradients[..., 1], **style)
    return gradients


# lesson 08: the pull of each example, and what a hidden layer does to XOR
def example_pulls(
    ax: Axes, start: tuple[float, float], gradients: np.ndarray, X: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """On a loss surface over (w, b) of a neuron a = w i + b: from `start`, each example's own
    step -∇L_e (blue arrows, the longer ones numbered), the line where that example's loss is 0
    (dotted: w i_e + b = y_e), and their mean -∇L (the full gradient's step, vermillion). All
    arrows share one scale, the longest 1.2 long. Returns the arrow tips, the mean's last."""
    gradients, start = np.asarray(gradients), np.asarray(start, dtype=float)
    ws = np.array(ax.get_xlim())
    scale = np.hypot(*gradients.T).max() / 1.2
    blue = OKABE_ITO["blue"]
    tips = [start - g / scale for g in gradients] + [start - gradients.mean(axis=0) / scale]
    for e, ((i,), (label,), tip) in enumerate(zip(np.asarray(X), np.asarray(y), tips)):
        ax.plot(ws, label - ws * i, ":", color=blue, linewidth=1)  # w i + b = y: L_e = 0
        ax.annotate("", tip, start, arrowprops={"arrowstyle": "->", "color": blue})
        if np.hypot(*(tip - start)) > 0.2:  # name the arrows long enough to tell apart
            ax.text(*tip, f" {e}", color=blue)
    style = {"arrowstyle": "-|>", "color": OKABE_ITO["vermillion"], "linewidth": 2.5}
    ax.annotate("", tips[-1], start, arrowprops=style)
    ax.set_xlim(*ws)
    return np.array(tips)


def hidden_layer_planes(before: Axes, after: Axes, mlp, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A network with 2 inputs, 2 hidden neurons and 1 output, seen twice. `before`: its output
    over the input plane, with each hidden neuron's line z = 0 dotted. `after`: the points moved
    to the hidden layer's plane a⁽¹⁾, where the output neuron alone draws one straight boundary.
    Returns the moved points a⁽¹⁾, one row per example."""
    hidden_layer, output_layer = mlp.layers
    hidden = np.array([hidden_layer.forward(x) for x in np.asarray(X).tolist()])
    decision_boundary(before, mlp, X, y, resolution=40)
    colours = [OKABE_ITO["green"], OKABE_ITO["purple"]]
    lines = [
        before.plot(*zero_line(n.weights, n.bias, (-0.5, 1.5)), ":", color=c, linewidth=3)[0]
        for n, c in zip(hidden_layer.neurons, colours)
    ]
    names = [f"hidden neuron {j}: $z^{{(1)}}_{j} = 0$" for j in range(len(lines))]
    before.legend(lines, names, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    before.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), title="the input plane: the network's output")
    head = copy.copy(mlp)  # the output layer alone: its inputs are a⁽¹⁾
    head.layers = [output_layer]
    decision_boundary(after, head, hidden, y, resolution=40, margin=0.15)
    for x, a in zip(np.asarray(X).tolist(), hidden.tolist()):
        after.annotate(
            f"({x[0]:.0f}, {x[1]:.0f})", a, (6, -14 if x[0] else 8), textcoords="offset points"
        )
    after.set(xlabel="$a^{(1)}_0$, hidden neuron 0", ylabel="$a^{(1)}_1$, hidden neuron 1")
    after.set_title("the hidden layer's plane: the output neuron alone")
    decision_legend(after, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return hidden


# lesson 10: classifying the 8×8 digits
def confusion_counts(labels: Sequence[int], predictions: Sequence[int], classes: int) -> np.ndarray:
    """counts[t, p]: how many examples of true class t were predicted as class p."""
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    if labels.shape != predictions.shape or labels.ndim != 1:
        raise ValueError(
            f"expected one prediction per label (two 1-D arrays of class numbers), got shapes "
            f"{labels.shape} and {predictions.shape}; for one-hot rows use .argmax(axis=1)"
        )
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (labels, predictions), 1)
    return counts


def confusion_matrix(
    ax: Axes, labels: Sequence[int], predictions: Sequence[int], classes: int = 10
) -> np.ndarray:
    """The confusion matrix as an image (true class down, predicted across), each cell's count
    written in it; the style's colour map (cividis). Returns the counts."""
    counts = confusion_counts(labels, predictions, classes)
    image = ax.imshow(counts, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="examples")
    middle = (counts.max() + counts.min()) / 2
    for (t, p), count in np.ndenumerate(counts):
        color = "black" if count > middle else "white"  # cividis is dark low, light high
        ax.text(p, t, str(count), ha="center", va="center", color=color, fontsize=9)
    ticks = np.arange(classes)
    ax.set(xticks=ticks, yticks=ticks, xlabel="predicted class", ylabel="true class")
    ax.grid(False)
    return counts


def digit_gallery(axes: Sequence[Axes], images: np.ndarray, titles: Sequence[str]) -> list:
    """Each row of `images` (64 pixels of an 8×8 digit, 0 white to 1 black) in one ax, with its
    title; axes left over are blanked. Returns the drawn images."""
    axes = list(np.ravel(axes))
    images = np.asarray(images, dtype=float).reshape(len(images), -1)
    side = int(round(np.sqrt(images.shape[1])))
    if side * side != images.shape[1] or len(images) > len(axes) or len(titles) != len(images):
        raise ValueError(
            f"expected square images, one title each and at most {len(axes)} (one per ax); "
            f"got {images.shape[0]} images of {images.shape[1]} pixels, {len(titles)} titles"
        )
    drawn = []
    for ax, image, title in zip(axes, images, titles):
        drawn.append(ax.imshow(image.reshape(side, side), cmap="gray_r", vmin=0.0, vmax=1.0))
        ax.set_title(title, fontsize=10)
    for ax in axes:
        ax.axis("off")
    return drawn


# lessons 10 and 13: a classifier judged epoch by epoch, and the learning rate chosen on validation
def accuracy_curves(
    ax: Axes,
    curves: dict[str, Sequence[float]],
    chosen: int | None = None,
    colors: Sequence[str] | None = None,
) -> list:
    """Each curve's accuracy after epochs 1, 2, … (one line and marker per name, in `colors` if
    given), and a dotted line at the `chosen` epoch. Returns the lines."""
    lines = []
    colors = colors or COLORS
    for (name, accuracies), marker, color in zip(curves.items(), "os^vD", colors):
        epochs = np.arange(1, len(accuracies) + 1)
        lines += ax.plot(epochs, accuracies, marker + "-", color=color, label=name)
    if chosen is not None:
        lines.append(ax.axvline(chosen, color="gray", linestyle=":", label=f"epoch {chosen}"))
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))  # whole epochs
    ax.set(xlabel="epoch", ylabel="accuracy")
    ax.legend(loc="lower right")
    return lines


def accuracy_against_learning_rate(
    ax: Axes, sweeps: dict[str, dict[float, float]], colors: Sequence[str] | None = None
) -> dict:
    """For each name, accuracy against learning rate on a log axis (in `colors` if given), its
    best rate ringed (the smallest one, if several tie). Returns {name: (best rate, accuracy)}."""
    best = {}
    for (name, sweep), color in zip(sweeps.items(), colors or COLORS):
        rates, accuracies = np.array(list(sweep)), np.array(list(sweep.values()))
        top = int(np.argmax(accuracies))  # the first of equals: the sweep runs up from small
        best[name] = (float(rates[top]), float(accuracies[top]))
        ax.plot(rates, accuracies, "o-", color=color, markersize=4, label=name)
        ax.plot(rates[top], accuracies[top], "o", color=color, markersize=13, fillstyle="none")
    ax.set_xscale("log")
    ax.set(xlabel="learning rate (log scale)", ylabel="accuracy")
    ax.legend(loc="upper left")
    return best


# lesson 13: how the squared error and cross-entropy move one sigmoid neuron
LOSS_COLORS = {"squared error": OKABE_ITO["vermillion"], "cross-entropy": OKABE_ITO["blue"]}


def output_by_step(ax: Axes, runs: dict[tuple[str, str], Sequence[float]], label: float) -> list:
    """One neuron's output before each step of gradient descent, one line per (loss, start):
    coloured by loss (`LOSS_COLORS`), solid or dashed by start; a dotted line at the label."""
    starts = list(dict.fromkeys(start for _, start in runs))
    lines = []
    for (loss, start), outputs in runs.items():
        style = ["--", "-"][starts.index(start) % 2]
        lines += ax.plot(outputs, style, color=LOSS_COLORS[loss], label=f"{loss}, {start}")
    lines.append(ax.axhline(label, color="gray", linestyle=":", label=f"the label, y = {label:g}"))
    ax.set(xlabel="step of gradient descent", ylabel="output a", ylim=(-0.02, 1.02))
    ax.legend(loc="upper right")
    return lines


def gradient_against_output(
    ax: Axes, gradients: dict[str, Callable], label: float, starts: Sequence[float]
) -> dict[str, np.ndarray]:
    """∂L/∂z of each loss (a function of the output a and the label) for a from 0 to 1, with
    each starting output marked: how hard each loss pushes z, against how wrong a is. Returns
    {loss: the curve's values}, sampled at 500 points."""
    a = np.linspace(0.001, 0.999, 500)
    curves = {}
    for loss, gradient in gradients.items():
        curves[loss] = np.asarray(gradient(a, label), dtype=float)
        ax.plot(a, curves[loss], color=LOSS_COLORS[loss], label=loss)
        for start in starts:
            ax.plot(start, gradient(start, label), "o", color=LOSS_COLORS[loss])
    for start in starts:
        ax.axvline(start, color="gray", linestyle=":")
        ax.text(start - 0.01, 0.65, f"start, a = {start:.2f}", rotation=90, ha="right", va="top")
    ax.set(xlabel=f"output a (the label is {label:g})", ylabel="∂L/∂z")
    ax.legend(loc="upper left")
    return curves


def softmax_outputs(
    axes: np.ndarray, images: np.ndarray, probabilities: np.ndarray, labels: Sequence[int]
) -> np.ndarray:
    """Each digit (top row) above the bar chart of its ten probabilities (bottom row): green the
    label, red the answer where it is wrong, blue the rest. Returns the answers (argmax)."""
    probabilities = np.asarray(probabilities, dtype=float)
    answers = probabilities.argmax(axis=1)
    digit_gallery(axes[0], images, [f"label {label}" for label in labels])
    for ax, p, label, answer in zip(axes[1], probabilities, labels, answers):
        bars = ax.bar(range(len(p)), p, color=OKABE_ITO["blue"])
        bars[label].set_color(OKABE_ITO["green"])
        if answer != label:
            bars[answer].set_color(OKABE_ITO["vermillion"])
        ax.set(xticks=range(len(p)), ylim=(0, 1), title=f"p of {answer}: {p.max():.2f}")
    axes[1][0].set_ylabel("probability")
    return answers


def right_and_wrong(labels: Sequence[int], answers: Sequence[int], count: int = 3) -> list[int]:
    """The indices of the first `count` examples answered right, each of another label, then of
    the first `count` answered wrong: which digits `softmax_outputs` shows."""
    labels, answers = np.asarray(labels), np.asarray(answers)
    shown = []
    for i in np.flatnonzero(answers == labels):
        if len(shown) < count and labels[i] not in labels[shown]:
            shown.append(int(i))
    return shown + np.flatnonzero(answers != labels)[:count].tolist()


# lesson 12: deep networks, layer by layer
def per_layer(
    axes: Sequence[Axes], values: dict[tuple[str, str], Sequence[float]], ylabel: str
) -> list:
    """One panel per first key, one line per second key: a value of each layer, l = 1, 2, ...,
    on a log scale (a factor per layer is a straight line there). Every panel gets the same y
    limits, so the same height means the same value in each. Returns the lines."""
    panels = list(dict.fromkeys(panel for panel, _ in values))
    axes = list(np.ravel(axes))
    if len(axes) < len(panels):
        raise ValueError(f"{len(panels)} panels ({panels}) need as many axes, got {len(axes)}")
    lines, markers = [], dict(zip(dict.fromkeys(line for _, line in values), "osD^v<>"))
    for ax, panel in zip(axes, panels):
        for (where, name), ys in values.items():
            if where == panel:
                layers = np.arange(1, len(ys) + 1)
                lines += ax.semilogy(layers, ys, markers[name] + "-", label=name)
        ax.set(title=panel, xlabel="layer l", xticks=layers)
    every = np.concatenate([np.ravel(ys) for ys in values.values()])
    for ax in axes[: len(panels)]:  # one scale: the same limits in every panel
        ax.set_ylim(every.min() / 2, every.max() * 2)
    axes[0].set_ylabel(ylabel)
    axes[0].legend()
    return lines


def activation_histograms(
    axes: np.ndarray, networks: dict[tuple[str, str], object], bins: int = 40
) -> dict[tuple[str, str], np.ndarray]:
    """Karpathy's picture of depth: for each network, after a forward pass, the histogram of
    the activations of each hidden layer, one line per layer, coloured from light (layer 1) to
    dark (the last hidden layer), the same colours in every panel. Rows of `axes` are the
    first key (the activation), columns the second (the starting weights); the panels of a row
    share one scale, x and y. The y axis is the share of a layer's activations in each bin.
    ReLU's positive activations are binned on a log scale, where a factor per layer is a
    shift; its zeros (off) are left out. Returns the shares, (hidden layers, bins) per network."""
    rows = list(dict.fromkeys(row for row, _ in networks))
    columns = list(dict.fromkeys(column for _, column in networks))
    axes = np.asarray(axes).reshape(len(rows), len(columns))
    shares = {}
    for row in rows:
        members = {key: net for key, net in networks.items() if key[0] == row}
        values = [layer.A for net in members.values() for layer in net.layers[:-1]]
        edges = _histogram_edges(row, values, bins)
        for (_, column), network in members.items():
            ax = axes[rows.index(row), columns.index(column)]
            hidden = network.layers[:-1]
            colors = mpl.colormaps["viridis_r"](np.linspace(0.1, 1.0, len(hidden)))
            counts = []
            for number, (layer, color) in enumerate(zip(hidden, colors), start=1):
                count, _ = np.histogram(layer.A, bins=edges)
                counts.append(count / layer.A.size)
                ax.stairs(counts[-1], edges, color=color, label=f"layer {number}")
            shares[row, column] = np.array(counts)
            ax.set(title=f"{row}, {column}", xlabel="activation a", xlim=(edges[0], edges[-1]))
            if row == "relu":
                ax.set(xscale="log", xlabel="activation a > 0 (log scale)")
        top = max(shares[row, column].max() for (r, column) in members)
        for ax in axes[rows.index(row)]:  # one scale along a row
            ax.set_ylim(0, 1.05 * top)
        axes[rows.index(row), 0].set_ylabel("share of the layer's a")
    axes[0, -1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return shares


def _histogram_edges(activation: str, values: list, bins: int) -> np.ndarray:
    """Bins over the activation's range: sigmoid [0, 1], tanh [-1, 1], ReLU from 10⁻⁴ to its
    largest value, spaced geometrically."""
    if activation == "sigmoid":
        return np.linspace(0.0, 1.0, bins + 1)
    if activation == "tanh":
        return np.linspace(-1.0, 1.0, bins + 1)
    return np.geomspace(1e-4, max(1e-3, max(float(np.max(v)) for v in values)), bins + 1)


def rate_sweeps(
    axes: Sequence[Axes], sweeps: dict[tuple[str, str, str], np.ndarray], rates: Sequence[float]
) -> list:
    """Validation accuracy against the learning rate (log scale), the best of the epochs at each
    rate, for sweeps keyed (depth, activation, starting weights): one panel per activation, one
    colour per starting weights, a line style per depth, each curve's best rate starred. A rate
    that diverged leaves a gap. The panels share their y axis. Returns the lines."""
    activations = list(dict.fromkeys(act for _, act, _ in sweeps))
    depths = list(dict.fromkeys(depth for depth, _, _ in sweeps))
    schemes = list(dict.fromkeys(scheme for _, _, scheme in sweeps))
    axes = list(np.ravel(axes))
    lines = []
    for (depth, act, scheme), sweep in sweeps.items():
        ax = axes[activations.index(act)]
        sweep = np.asarray(sweep, dtype=float)
        best = np.full(len(sweep), np.nan)
        reached = ~np.isnan(sweep).all(axis=1)
        best[reached] = np.nanmax(sweep[reached], axis=1)  # the best epoch at each rate
        style = dict(color=COLORS[schemes.index(scheme)], ls=["--", "-", ":"][depths.index(depth)])
        lines += ax.semilogx(rates, best, marker=".", label=f"{depth}, {scheme}", **style)
        top = np.nanargmax(np.where(np.isnan(best), -1.0, best))
        ax.plot([rates[top]], [best[top]], "*", ms=13, mec="black", color=style["color"])
    for ax, act in zip(axes, activations):  # one scale: accuracy from 0 to 1 in every panel
        ax.set(title=f"{act} hidden layers", xlabel="learning rate", ylim=(0, 1))
    axes[0].set_ylabel("validation accuracy")
    axes[0].legend(fontsize=9)
    return lines


# lesson 08: paths of descent on one loss surface, and the four regimes of the learning rate
def paths_on_contours(
    ax: Axes,
    loss: Callable[[float, float], float],
    ws: Sequence[float],
    bs: Sequence[float],
    minimum: Sequence[float],
    paths: dict[str, np.ndarray],
) -> np.ndarray:
    """Contour lines of `loss(w, b)` over ws × bs (`loss_contours`), its minimum as a star, and
    up to two paths of (w, b) points, label -> array (steps + 1, 2): the first vermillion with
    round markers, the second blue with small dots. Returns the grid of losses."""
    if len(paths) > 2:
        raise ValueError(f"expected at most two paths to tell apart, got {len(paths)}")
    grid = loss_contours(ax, loss, ws, bs)
    ax.plot(*minimum, "*", color="black", markersize=15, label="the minimum", zorder=5)
    styles = [
        {"fmt": "o-", "color": OKABE_ITO["vermillion"], "markersize": 4},
        {"fmt": ".-", "color": OKABE_ITO["blue"], "markersize": 3, "linewidth": 0.8},
    ]
    for (label, path), style in zip(paths.items(), styles):
        fmt = style.pop("fmt")
        ax.plot(*np.asarray(path, dtype=float).T, fmt, label=label, **style)
    ax.set(xlabel="weight $w$", ylabel="bias $b$", xlim=(ws[0], ws[-1]), ylim=(bs[0], bs[-1]))
    if paths:
        ax.legend(loc="lower left")
    return grid


def regime_curves(
    axes: Sequence[Axes], runs: dict, rates: dict[str, float], epochs: int
) -> list[tuple[float, float]]:
    """One panel per `TrainingRun` of `runs` (name -> run): its loss on the data set after each
    epoch (`data_loss_curve`), titled with its name, rate and how it ended. The runs that did not
    diverge share one y scale, so their panels compare; a diverging run keeps the scale its
    growth needs. Returns each panel's y limits."""
    axes = list(np.ravel(axes))
    for ax, (name, run) in zip(axes, runs.items()):
        data_loss_curve(ax, run.losses, run.diverged_in)
        ax.set(xlim=(0, epochs), title=f"{name}: lr = {rates[name]}\n{describe_run(run)}")
    converged = [(ax, run) for ax, run in zip(axes, runs.values()) if run.diverged_in is None]
    if converged:
        low = min(min(run.losses) for _, run in converged) / 2
        high = 4 * max(max(run.losses) for _, run in converged)
        for ax, _ in converged:
            ax.set_ylim(low, high)
    return [ax.get_ylim() for ax in axes[: len(runs)]]
