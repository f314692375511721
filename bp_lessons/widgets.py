"""Interactive widgets for the lessons; each has a static figure beside it in its lesson.

Each widget is a small class: its controls (ipywidgets 8), a matplotlib `Figure` made without
pyplot (so nothing leaks into the notebook), the artists it updates on every change, and `.widget`,
the box to display. The figure is shown as a PNG in an `ipywidgets.Image`, which any front end
draws and a test can read.
"""

import io
import math
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from bp_lessons.activations import ACTIVATIONS
from bp_lessons.plotting import LossAgainstWeight, NeuronPlane, data_loss_curve, decision_boundary
from bp_lessons.training import TrainingRun, describe_run, record_training


def figure_png(figure: Figure) -> bytes:
    """The figure rendered as PNG bytes, for an `ipywidgets.Image`."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _slider(description: str, value: float, low: float, high: float) -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=0.1, description=description, readout_format=".1f"
    )


class NeuronExplorer:
    """Lesson 01: sliders for $w_0$, $w_1$ and $b$, a dropdown for the activation; the figure
    shows the neuron's output over the input plane $(i_0, i_1)$ and its line z = 0.
    """

    def __init__(
        self, weights: Sequence[float] = (1.0, 1.0), bias: float = 0.0, activation: str = "sigmoid"
    ):
        self.w0 = _slider("w_0", weights[0], -4.0, 4.0)
        self.w1 = _slider("w_1", weights[1], -4.0, 4.0)
        self.bias = _slider("b", bias, -4.0, 4.0)
        self.activation = widgets.Dropdown(
            options=list(ACTIVATIONS), value=activation, description="act"
        )
        self.figure = Figure(figsize=(5.6, 4.4), layout="constrained")
        self.plane = NeuronPlane(self.figure.add_subplot(), weights, bias, activation)
        self.image = widgets.Image(format="png")
        controls = [self.w0, self.w1, self.bias, self.activation]
        for control in controls:
            control.observe(self.update, names="value")
        self.widget = widgets.HBox([widgets.VBox(controls), self.image])
        self.update()
        self.figure.set_layout_engine("none")  # keep the first layout: redraws take half the time

    def update(self, change: dict | None = None) -> None:
        """Redraw for the controls' current values (called on every change)."""
        weights = [self.w0.value, self.w1.value]
        self.plane.update(weights, self.bias.value, self.activation.value)
        self.image.value = figure_png(self.figure)


class LossVsWeight:
    """Lesson 03: a slider for one weight; the figure shows the loss against that weight, the
    point at the slider's value, the tangent there and an arrow pointing downhill.
    """

    def __init__(
        self,
        loss: Callable[[float], float],
        weights: Sequence[float],
        weight: float,
        name: str = "w",
    ):
        self.weight = widgets.FloatSlider(
            value=weight,
            min=float(weights[0]),
            max=float(weights[-1]),
            step=0.01,
            description=name,
            readout_format=".2f",
        )
        self.figure = Figure(figsize=(6.4, 4.0), layout="constrained")
        self.plot = LossAgainstWeight(self.figure.add_subplot(), loss, weights, weight, name)
        self.image = widgets.Image(format="png")
        self.weight.observe(self.update, names="value")
        self.widget = widgets.VBox([self.weight, self.image])
        self.update()
        self.figure.set_layout_engine("none")  # keep the first layout: redraws take half the time

    def update(self, change: dict | None = None) -> None:
        """Redraw at the slider's current weight (called on every change)."""
        self.plot.update(self.weight.value)
        self.image.value = figure_png(self.figure)


class LearningRateExplorer:
    """Lesson 08: a learning-rate slider (log scale); the figure shows the loss on the data set
    after each epoch of a fresh model from `make_model()` trained with that rate, and whether it
    diverged. Full batch unless `batch_size` is given; each rate is trained once and remembered
    in `.runs`.
    """

    def __init__(
        self,
        make_model: Callable[[], object],
        X,
        y,
        *,
        learning_rate: float = 0.1,
        epochs: int = 300,
        batch_size: int | None = None,
        lowest: float = 1e-3,
        highest: float = 10.0,
        seed: int = 0,
    ):
        self.make_model, self.X, self.y, self.epochs, self.seed = make_model, X, y, epochs, seed
        self.batch_size = batch_size or len(X)
        self.runs: dict[float, TrainingRun] = {}
        self.learning_rate = widgets.FloatLogSlider(
            value=learning_rate,
            base=10,
            min=math.log10(lowest),
            max=math.log10(highest),
            step=0.05,
            description="learning rate",
            readout_format=".3g",
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.figure = Figure(figsize=(6.4, 4.0), layout="constrained")
        self.ax = self.figure.add_subplot()
        self.image = widgets.Image(format="png")
        self.learning_rate.observe(self.update, names="value")
        self.widget = widgets.VBox([self.learning_rate, self.image])
        self.update()
        self.figure.set_layout_engine("none")  # keep the first layout: redraws take half the time

    def run(self, learning_rate: float) -> TrainingRun:
        """The run of a fresh model with this learning rate (trained on first use)."""
        if learning_rate not in self.runs:
            self.runs[learning_rate] = record_training(
                self.make_model(),
                self.X,
                self.y,
                epochs=self.epochs,
                batch_size=self.batch_size,
                learning_rate=learning_rate,
                seed=self.seed,
            )
        return self.runs[learning_rate]

    def update(self, change: dict | None = None) -> None:
        """Train (or recall) the run at the slider's rate and redraw (called on every change)."""
        learning_rate = self.learning_rate.value
        run = self.run(learning_rate)
        self.ax.clear()
        data_loss_curve(self.ax, run.losses, run.diverged_in)
        self.ax.set_xlim(0, self.epochs)
        self.ax.set_title(f"learning rate {learning_rate:.3g}: {describe_run(run)}")
        self.image.value = figure_png(self.figure)


class BatchSizeExplorer:
    """Lesson 09: buttons for the batch size, a slider over the epochs. The figure shows the
    decision boundary of the model after that epoch (left) and the loss on the data set after
    each epoch of every batch size trained so far (right). `learning_rate` is one rate for every
    batch size, or a dict with each batch size's own. A batch size is trained on first use and
    kept in `.runs`; pass `runs` already computed (with the same settings) to reuse them.
    """

    def __init__(
        self,
        make_model: Callable[[], object],
        X,
        y,
        *,
        batch_sizes: Sequence[int],
        epochs: int,
        learning_rate: float | dict[int, float],
        snapshot_epochs: Sequence[int],
        batch_size: int | None = None,
        runs: dict[int, TrainingRun] | None = None,
        resolution: int = 30,
        seed: int = 0,
    ):
        self.make_model, self.X, self.y, self.resolution = make_model, X, y, resolution
        self.settings = {"epochs": epochs, "seed": seed}
        self.learning_rates = {
            size: learning_rate[size] if isinstance(learning_rate, dict) else learning_rate
            for size in batch_sizes
        }
        self.snapshot_epochs = sorted(set(snapshot_epochs) | {0})
        self.runs: dict[int, TrainingRun] = dict(runs or {})
        self.batch_size = widgets.ToggleButtons(
            options=list(batch_sizes), value=batch_size or batch_sizes[0], description="batch size"
        )
        self.epoch = widgets.SelectionSlider(
            options=self.snapshot_epochs,
            value=self.snapshot_epochs[-1],
            description="after epoch",
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.figure = Figure(figsize=(10.0, 4.2), layout="constrained")
        self.boundary_ax, self.loss_ax = self.figure.subplots(1, 2)
        self.image = widgets.Image(format="png")
        self.outputs = np.zeros((resolution, resolution))  # the boundary's grid, for the tests
        for control in (self.batch_size, self.epoch):
            control.observe(self.update, names="value")
        self.widget = widgets.VBox([self.batch_size, self.epoch, self.image])
        self.update()
        self.figure.set_layout_engine("none")  # keep the first layout: redraws take half the time

    def run(self, batch_size: int) -> TrainingRun:
        """The run with this batch size (trained on first use)."""
        if batch_size not in self.runs:
            self.runs[batch_size] = record_training(
                self.make_model(),
                self.X,
                self.y,
                batch_size=batch_size,
                learning_rate=self.learning_rates[batch_size],
                snapshot_epochs=self.snapshot_epochs,
                **self.settings,
            )
        return self.runs[batch_size]

    def update(self, change: dict | None = None) -> None:
        """Redraw for the chosen batch size and epoch (called on every change)."""
        batch_size, epoch = self.batch_size.value, self.epoch.value
        run = self.run(batch_size)
        shown = max(e for e in run.snapshots if e <= epoch)  # a diverged run stops early
        steps = shown * math.ceil(len(self.X) / batch_size)
        self.boundary_ax.clear()
        self.outputs = decision_boundary(
            self.boundary_ax, run.snapshots[shown], self.X, self.y, self.resolution
        )
        plural = "s" * (steps != 1)
        self.boundary_ax.set_title(
            f"batch size {batch_size}, epoch {shown}: {steps} SGD step{plural}"
        )
        self.loss_ax.clear()
        for size, other in sorted(self.runs.items()):
            chosen = size == batch_size
            data_loss_curve(
                self.loss_ax,
                other.losses,
                label=f"batch size {size}, lr {self.learning_rates[size]:g}",
                linewidth=2.5 if chosen else 1.0,
                alpha=1.0 if chosen else 0.5,
            )
        self.loss_ax.axvline(shown, color="black", linestyle=":")
        self.loss_ax.set(xlim=(0, self.settings["epochs"]), title=describe_run(run))
        self.loss_ax.legend()
        self.image.value = figure_png(self.figure)
