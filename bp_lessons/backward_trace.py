r"""The backward pass of an MLP for one example, value by value (lesson 07).

From the output layer $l = N$ down to the first, $l = 1$, with $\odot$ the entrywise product:

$$\delta^{(N)} = \frac{\partial L}{\partial a^{(N)}} \odot \sigma'(z^{(N)}), \qquad
\delta^{(l)} = \bigl(W^{(l+1)}\bigr)^T \delta^{(l+1)} \odot \sigma'(z^{(l)}),$$

$$\frac{\partial L}{\partial b^{(l)}_j} = \delta^{(l)}_j, \qquad
\frac{\partial L}{\partial w^{(l)}_{jk}} = a^{(l-1)}_k\, \delta^{(l)}_j.$$

`backward_trace` keeps every value under the notes' names (`output_gradient` is
$\partial L/\partial a$, `activation_gradient` $\sigma'(z)$, `error`
$\delta = \partial L/\partial z$) and computes them with the operations of `MLP.backward` in the
same order, so the numbers are the same to the last bit. `numerical_trace` finds every one again
by central differences; `paths_to_loss` lists the paths whose sum the recursion for δ adds up.
A layer number l is written `layer` in code (layer l is `trace.layers[layer - 1]`).
"""

import itertools
import time
import timeit
from dataclasses import dataclass, field

from bp_lessons.gradcheck import EPSILON, numerical_gradient, relative_error
from bp_lessons.losses import mse_loss, mse_loss_gradient


@dataclass
class LayerTrace:
    """Layer l for one example: its forward values, then (backward) its gradients."""

    weights: list[list[float]]  # W^(l): weights[j][k] = w_jk
    biases: list[float]  # b^(l)
    input_activation: list[float]  # a^(l-1), the layer's inputs
    linear_activation: list[float]  # z^(l)
    activation: list[float]  # a^(l)
    output_gradient: list[float] = field(default_factory=list)  # ∂L/∂a^(l)
    activation_gradient: list[float] = field(default_factory=list)  # σ'(z^(l)) = ∂a/∂z
    error: list[float] = field(default_factory=list)  # δ^(l) = ∂L/∂z^(l)
    gradients: list[list[float]] = field(default_factory=list)  # ∂L/∂w^(l)_jk, row j
    bias_gradients: list[float] = field(default_factory=list)  # ∂L/∂b^(l)_j


@dataclass
class BackwardTrace:
    """Every value of one forward and backward pass; `layers[l - 1]` is layer l."""

    inputs: list[float]  # a^(0)
    labels: list[float]  # y
    loss: float  # L, the mean of (a^(N) - y)^2
    layers: list[LayerTrace]
    input_gradient: list[float]  # ∂L/∂a^(0), what MLP.backward returns

    def values(self, quantity: str, layers: list[int] | None = None) -> list[float]:
        """Every number of one quantity ("error", "gradients", ...) of layers l = 1 ... N, or of
        the layers listed; "input_gradient" gives ∂L/∂a^(0)."""
        if quantity == "input_gradient":
            return list(self.input_gradient)
        chosen = layers or range(1, len(self.layers) + 1)
        found = [getattr(self.layers[layer - 1], quantity) for layer in chosen]
        return [v for values in found for v in _flat(values)]


def backward_trace(mlp, inputs: list[float], labels: list[float]) -> BackwardTrace:
    """The forward pass, then the backward pass, keeping every value: equations (1) to (4)."""
    outputs = mlp.forward(inputs)  # every neuron keeps its inputs a^(l-1) and its z^(l)
    layers = [_forward_values(layer) for layer in mlp.layers]
    output_gradient = mse_loss_gradient(outputs, labels)  # ∂L/∂a^(N) = 2(a^(N) - y)/n
    for layer, trace in zip(reversed(mlp.layers), reversed(layers)):  # l = N, N - 1, ..., 1
        trace.output_gradient = output_gradient  # ∂L/∂a^(l)
        trace.activation_gradient = [n.delta_act(n.linear_activation) for n in layer.neurons]
        # δ^(l) = ∂L/∂a^(l) ⊙ σ'(z^(l)): equation (1) at l = N, (2) below it
        trace.error = [g * s for g, s in zip(output_gradient, trace.activation_gradient)]
        trace.bias_gradients = list(trace.error)  # (3) ∂L/∂b_j = δ_j
        trace.gradients = [[e * a for a in trace.input_activation] for e in trace.error]  # (4)
        # ∂L/∂a^(l-1) = (W^(l))ᵀ δ^(l), the sum over paths in (2) for the layer below
        output_gradient = transposed_product(trace.weights, trace.error)
    loss = mse_loss(outputs, labels)
    return BackwardTrace([float(i) for i in inputs], list(labels), loss, layers, output_gradient)


def transposed_product(weights: list[list[float]], error: list[float]) -> list[float]:
    r"""$(W^T \delta)_k = \sum_j w_{jk}\,\delta_j$, added over j in order, as `Layer.backward`."""
    totals = [0.0] * len(weights[0])
    for row, e in zip(weights, error):
        totals = [total + e * w for total, w in zip(totals, row)]
    return totals


def numerical_trace(
    mlp, inputs: list[float], labels: list[float], epsilon: float = EPSILON
) -> BackwardTrace:
    """The values of `backward_trace`, each derivative by central differences instead: move one
    number (an activation, a z, a weight, a bias or an input) and run the rest of the network."""
    trace = backward_trace(mlp, inputs, labels)  # its forward values; the rest is replaced
    for number, (layer, values) in enumerate(zip(mlp.layers, trace.layers), start=1):
        acts = [neuron.act for neuron in layer.neurons]
        a, z = values.activation, values.linear_activation
        values.output_gradient = [_slope(mlp, number, a, j, labels, epsilon) for j in range(len(a))]
        values.error = [_slope(mlp, number, z, j, labels, epsilon, acts) for j in range(len(z))]
        values.activation_gradient = [
            numerical_gradient(act, z_j, epsilon) for act, z_j in zip(acts, z)
        ]
    weights, biases = parameter_gradients(mlp, inputs, labels, epsilon)
    for values, gradients, bias_gradients in zip(trace.layers, weights, biases):
        values.gradients, values.bias_gradients = gradients, bias_gradients
    a = trace.inputs
    trace.input_gradient = [_slope(mlp, 0, a, k, labels, epsilon) for k in range(len(a))]
    mlp.forward(inputs)  # leave every neuron as the forward pass of this example left it
    return trace


def parameter_gradients(mlp, inputs: list[float], labels: list[float], epsilon: float = EPSILON):
    r"""$\partial L/\partial w^{(l)}_{jk}$ and $\partial L/\partial b^{(l)}_j$ by central
    differences: two forward passes for each weight and each bias. Returns (weights, biases),
    indexed [l - 1][j][k] and [l - 1][j]."""
    weights, biases = [], []
    for layer in mlp.layers:
        weights.append([])
        biases.append([])
        for neuron in layer.neurons:
            weights[-1].append(
                [
                    numerical_gradient(
                        lambda v, n=neuron, k=k: _loss_with(mlp, n, k, v, inputs, labels), w
                    )
                    for k, w in enumerate(neuron.weights)
                ]
            )
            biases[-1].append(
                numerical_gradient(
                    lambda v, n=neuron: _loss_with(mlp, n, None, v, inputs, labels), neuron.bias
                )
            )
    return weights, biases


def cpu_seconds(task, repeat: int = 3) -> float:
    """CPU seconds of one call of task, the fastest of `repeat` timings of about 0.05 s each.

    `time.process_time` counts this process only, so other programs running at the same time
    do not count; the seconds still vary from machine to machine."""
    once = timeit.timeit(task, number=1, timer=time.process_time)
    number = max(1, round(0.05 / max(once, 1e-4)))
    return min(timeit.repeat(task, number=number, repeat=repeat, timer=time.process_time)) / number


def gradient_costs(mlp, inputs: list[float], labels: list[float]) -> dict[str, float]:
    """CPU seconds of one forward pass, one backward pass and one gradient by central differences
    (`parameter_gradients`: two forward passes per weight and bias) on one example."""
    gradient = mse_loss_gradient(mlp.forward(inputs), labels)
    seconds = {
        "forward": cpu_seconds(lambda: mlp.forward(inputs)),
        "backward": cpu_seconds(lambda: mlp.backward(gradient)),
        "numerical": cpu_seconds(lambda: parameter_gradients(mlp, inputs, labels)),
    }
    mlp.zero_grad()
    return seconds


def paths_to_loss(trace: BackwardTrace, layer: int, k: int) -> list[tuple[tuple[int, ...], float]]:
    r"""Every path from $a^{(l)}_k$ (l = `layer`) to the loss, through one neuron of each later
    layer, as (the neurons j it passes, the product of the derivatives along it): for each layer
    $w_{jk}\,\sigma'(z_j)$, at the end $\partial L/\partial a^{(N)}_j$. Their sum is
    $\partial L/\partial a^{(l)}_k$."""
    later = trace.layers[layer:]
    if not later:  # a^(N)_k: one path, straight to the loss
        return [((), trace.layers[-1].output_gradient[k])]
    paths = []
    for path in itertools.product(*(range(len(values.weights)) for values in later)):
        product, source = 1.0, k
        for values, j in zip(later, path):
            product *= values.weights[j][source] * values.activation_gradient[j]
            source = j
        paths.append((path, product * later[-1].output_gradient[source]))
    return paths


def worst_relative_error(
    exact: BackwardTrace, approximate: BackwardTrace, quantity: str, layers: list[int] | None = None
) -> float:
    """The largest relative error (`gradcheck.relative_error`) between two traces' values of one
    quantity, over layers l = 1 ... N or those listed."""
    pairs = zip(exact.values(quantity, layers), approximate.values(quantity, layers))
    return max(relative_error(a, b) for a, b in pairs)


def format_trace(trace: BackwardTrace, step: int | None = None, digits: int = 4) -> str:
    """The trace as text in the order of the pass: step 0 is the forward pass, step s the
    backward step through layer N + 1 - s; None gives every step."""
    steps = range(len(trace.layers) + 1) if step is None else [step]
    return "\n".join(line for s in steps for line in _step_lines(trace, s, digits))


def _step_lines(trace: BackwardTrace, step: int, digits: int) -> list[str]:
    last = len(trace.layers)
    if not 0 <= step <= last:
        raise ValueError(f"a network of {last} layers has steps 0 (forward) to {last}, got {step}")

    def show(values) -> str:
        if values and isinstance(values[0], list):
            return "[" + ", ".join(show(row) for row in values) + "]"
        return "[" + ", ".join(f"{v:+.{digits}f}" for v in values) + "]"

    if step == 0:
        lines = [f"forward pass: a⁽⁰⁾ = {show(trace.inputs)}, the inputs"]
        for number, values in enumerate(trace.layers, start=1):
            up, down = _sup(number), _sup(number - 1)
            lines += [
                f"  layer {number}: W{up} = {show(values.weights)}, b{up} = {show(values.biases)}",
                f"    z{up} = W{up} a{down} + b{up} = {show(values.linear_activation)}",
                f"    a{up} = σ(z{up}) = {show(values.activation)}",
            ]
        loss = f"{trace.loss:.{digits}f}"
        return lines + [
            f"  loss: L = mean of (a{_sup(last)} − y)² = {loss}, y = {show(trace.labels)}"
        ]
    number = last + 1 - step
    values, up, down, next_up = (
        trace.layers[number - 1],
        _sup(number),
        _sup(number - 1),
        _sup(number + 1),
    )
    source = f"2(a{up} − y)/{len(trace.labels)}" if number == last else f"(W{next_up})ᵀ δ{next_up}"
    rows = [
        ("output_gradient", f"∂L/∂a{up} = {source}", values.output_gradient),
        ("activation_gradient", f"σ'(z{up})", values.activation_gradient),
        ("error", f"δ{up} = ∂L/∂a{up} ⊙ σ'(z{up})", values.error),
        ("gradients", f"∂L/∂w{up}_jk = a{down}_k δ{up}_j", values.gradients),
        ("bias_gradient", f"∂L/∂b{up} = δ{up}", values.bias_gradients),
    ]
    if number == 1:
        rows.append(("returned", "∂L/∂a⁽⁰⁾ = (W⁽¹⁾)ᵀ δ⁽¹⁾", trace.input_gradient))
    width = max(len(formula) for _, formula, _ in rows)
    title = f"backward step {step}: layer {number}" + " (output)" * (number == last)
    return [title] + [f"  {name:<19} {formula:<{width}} = {show(v)}" for name, formula, v in rows]


def _sup(number: int) -> str:
    """⁽ˡ⁾: a layer's number as a superscript in parentheses."""
    return "⁽" + str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) + "⁾"


def _forward_values(layer) -> LayerTrace:
    """A layer's weights and the values its last forward pass left in its neurons."""
    neurons = layer.neurons
    return LayerTrace(
        weights=[list(n.weights) for n in neurons],
        biases=[n.bias for n in neurons],
        input_activation=list(neurons[0].input_activation),
        linear_activation=[n.linear_activation for n in neurons],
        activation=[n.act(n.linear_activation) for n in neurons],
    )


def _slope(mlp, layer: int, values: list[float], j: int, labels, epsilon: float, acts=None):
    """∂L/∂values[j] for values a^(l) of layer l, or z^(l) when `acts` turn them into a^(l):
    move values[j], run layers l + 1 ... N and the loss."""

    def loss(value: float) -> float:
        moved = values[:j] + [value] + values[j + 1 :]
        activations = moved if acts is None else [act(v) for act, v in zip(acts, moved)]
        for later in mlp.layers[layer:]:
            activations = later.forward(activations)
        return mse_loss(activations, labels)

    return numerical_gradient(loss, values[j], epsilon)


def _loss_with(mlp, neuron, k: int | None, value: float, inputs, labels) -> float:
    """The loss with weight k of one neuron (its bias, for k None) set to value."""
    if k is None:
        original, neuron.bias = neuron.bias, value
    else:
        original, neuron.weights[k] = neuron.weights[k], value
    try:
        return mse_loss(mlp.forward(inputs), labels)
    finally:
        if k is None:
            neuron.bias = original
        else:
            neuron.weights[k] = original


def _flat(values: list) -> list[float]:
    return [v for row in values for v in row] if values and isinstance(values[0], list) else values
