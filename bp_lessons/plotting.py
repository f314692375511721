"""One plotting style for every lesson, and the plots more than one lesson draws.

Importing this module sets matplotlib's style (readable sizes, a light grid, and the Okabe-Ito
colours, which stay distinct for colour-blind readers). Every function draws on an `ax` you pass
and returns what it drew, so a test can check the data behind a figure.
"""

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap

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
    """The points of a two-class data set, one colour and marker per label."""
    labels = np.asarray(y).reshape(len(X), -1)[:, 0]
    drawn = []
    for label, (color, marker) in enumerate(zip(CLASS_COLORS, ("o", "s"))):
        points = np.asarray(X)[labels == label]
        drawn.append(
            ax.scatter(
                points[:, 0],
                points[:, 1],
                c=color,
                marker=marker,
                s=30,
                edgecolors="white",
                linewidths=0.5,
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
        levels=np.linspace(0, 1, 11),
        cmap=OUTPUT_CMAP,
        alpha=0.6,
        extend="both",
    )
    if outputs.min() < 0.5 < outputs.max():
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
