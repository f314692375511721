"""Interactive widgets for the lessons; each has a static figure beside it in its lesson.

Each widget is a small class: its controls (ipywidgets 8), a matplotlib `Figure` made without
pyplot (so nothing leaks into the notebook), the artists it updates on every change, and `.widget`,
the box to display. The figure is shown as a PNG in an `ipywidgets.Image`, which any front end
draws and a test can read.
"""

import io
from collections.abc import Callable, Sequence

import ipywidgets as widgets
from matplotlib.figure import Figure

from bp_lessons.activations import ACTIVATIONS
from bp_lessons.plotting import LossAgainstWeight, NeuronPlane


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
