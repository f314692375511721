"""The Value engine: every operation's gradient against central differences, on single operations
and on random expressions with shared values; numbers on either side; clear errors; an MLP of
Values against MLP.backward; and PyTorch's autograd as an independent oracle where installed."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bp_lessons import MLP
from bp_lessons.autograd import Value, topological_order
from bp_lessons.gradcheck import EPSILON, numerical_gradient, relative_error
from bp_lessons.losses import mse_loss_gradient

pytestmark = pytest.mark.lesson11


def agrees(analytic: float, numeric: float) -> bool:
    """Within 1e-6 relative, or 1e-8 absolute: central differences with ε = 1e-5 are off by about
    ε² f'''/6 (1e-10 for x³ at 0, where the slope is 0) and by rounding."""
    return abs(analytic - numeric) <= 1e-6 * max(abs(analytic), abs(numeric)) + 1e-8


# every operation, as a function of one or two operands (Values, floats or torch tensors alike)
UNARY = {
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "neg": lambda a: -a,
    "**2": lambda a: a**2,
    "**3": lambda a: a**3,
    "**-1": lambda a: a**-1,
    "**0.5": lambda a: a**0.5,
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}
NUMBER = 0.7  # the number on the other side of "+c", "c+", ...
WITH_A_NUMBER = {
    "+c": lambda a: a + NUMBER,
    "c+": lambda a: NUMBER + a,
    "-c": lambda a: a - NUMBER,
    "c-": lambda a: NUMBER - a,
    "*c": lambda a: a * NUMBER,
    "c*": lambda a: NUMBER * a,
    "/c": lambda a: a / NUMBER,
    "c/": lambda a: NUMBER / a,
}
OPERATIONS = {**UNARY, **BINARY, **WITH_A_NUMBER}


def safe(name: str, a: float, b: float) -> bool:
    """Whether an operation is smooth and tame at these operands: away from a kink, a pole, the
    edge of its domain, and from results large enough to make central differences inexact."""
    if name in ("log", "**0.5"):
        return a > 0.1
    if name in ("**-1", "c/"):
        return abs(a) > 0.1
    if name == "/":
        return abs(b) > 0.1
    if name == "relu":
        return abs(a) > 0.01
    return True


def plan(program: list, leaves: list[float]) -> list:
    """The program with every operation that is not `safe`, or whose result leaves [-20, 20],
    replaced by tanh of its first operand: decided once, on the unmoved leaves."""
    values, resolved = list(leaves), []
    for name, i, j in program:
        a, b = values[i % len(values)], values[j % len(values)]
        if safe(name, a, b):
            result = run_one(name, a, b)
            if abs(result) <= 20:
                resolved.append((name, i % len(values), j % len(values)))
                values.append(result)
                continue
        resolved.append(("tanh", i % len(values), 0))
        values.append(math.tanh(a))
    return resolved


def run_one(name, a, b):
    """One operation on floats (a Value would do the same arithmetic)."""
    return evaluate([(name, 0, 1)], [a, b])


def evaluate(program: list, leaves: list):
    """Run a planned program on leaves (floats, Values or tensors); the last result is the
    output. Operands are earlier results, so a value is often used more than once."""
    values = list(leaves)
    for name, i, j in program:
        operation = OPERATIONS[name]
        if name in BINARY:
            values.append(operation(values[i], values[j]))
        elif name in UNARY and isinstance(values[i], float):
            values.append(float_unary(name, values[i]))
        else:
            values.append(operation(values[i]))
    return values[-1]


def float_unary(name: str, a: float) -> float:
    """The unary operations on a float, for planning (floats have no .exp())."""
    return {
        "exp": math.exp,
        "log": math.log,
        "tanh": math.tanh,
        "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
        "relu": lambda x: max(x, 0.0),
    }.get(name, lambda x: OPERATIONS[name](x))(a)


programs = st.lists(
    st.tuples(st.sampled_from(sorted(OPERATIONS)), st.integers(0, 50), st.integers(0, 50)),
    min_size=1,
    max_size=12,
)
leaf_values = st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=4)


def gradients(program: list, leaves: list[float]) -> list[float]:
    values = [Value(x) for x in leaves]
    evaluate(program, values).backward()
    return [v.grad for v in values]


def central_differences(program: list, leaves: list[float]) -> list[float]:
    def output_with(k: int, x: float) -> float:
        moved = [Value(v) for v in leaves]
        moved[k] = Value(x)
        return evaluate(program, moved).data

    return [
        numerical_gradient(lambda x, k=k: output_with(k, x), leaves[k], EPSILON)
        for k in range(len(leaves))
    ]


@given(program=programs, leaves=leaf_values)
def test_random_expressions_have_the_gradients_of_central_differences(program, leaves):
    planned = plan(program, leaves)
    analytic, numeric = gradients(planned, leaves), central_differences(planned, leaves)
    for a, n in zip(analytic, numeric):
        assert agrees(a, n), (planned, leaves, analytic, numeric)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@given(a=st.floats(-3, 3, allow_nan=False), b=st.floats(-3, 3, allow_nan=False))
def test_every_operation_has_the_local_derivative_of_central_differences(name, a, b):
    if not safe(name, a, b):
        a, b = 0.5 + abs(a), 0.5 + abs(b)  # inside every domain, away from every kink
    program = [(name, 0, 1)]
    analytic, numeric = gradients(program, [a, b]), central_differences(program, [a, b])
    for got, slope in zip(analytic, numeric):
        assert agrees(got, slope), (name, a, b, analytic, numeric)


def test_the_checks_above_can_fail():
    """A wrong local derivative is caught by the same comparison."""
    x = Value(0.8)
    y = x.tanh()
    y._local_grads = (1 - y.data,)  # 1 − tanh instead of 1 − tanh²
    y.backward()
    slope = numerical_gradient(math.tanh, 0.8)
    assert not agrees(x.grad, slope) and relative_error(x.grad, slope) > 0.1


def test_the_local_rules_of_the_gates():
    x, y = Value(3.0), Value(-2.0)
    for out, expected in [
        (x + y, (1.0, 1.0)),  # add passes the gradient on to both inputs
        (x * y, (-2.0, 3.0)),  # multiply swaps the inputs
        (x.relu(), (1.0,)),  # relu = max(0, x) routes: all of it where x > 0 ...
        (y.relu(), (0.0,)),  # ... none where x < 0
        (x - y, (1.0, -1.0)),
        (x / y, (-0.5, -0.75)),  # 1/b and −a/b²
    ]:
        assert out._local_grads == expected, out._op
    g = (x * y) * 5.0  # upstream gradient 5 into the multiply
    g.backward()
    assert (x.grad, y.grad) == (-10.0, 15.0)


def test_a_value_used_twice_adds_both_paths():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0  # the same Value on both sides of one operation
    x, y = Value(3.0), Value(-2.0)
    (x * y + x).backward()
    assert (x.grad, y.grad) == (-1.0, 3.0)  # y + 1 and x
    x, y = Value(0.5), Value(-1.5)
    q = x * y  # a shared inner node: it passes its gradient on once, complete
    out = q * q.tanh() + q
    out.backward()
    t = math.tanh(q.data)
    dq = t + q.data * (1 - t * t) + 1
    assert q.grad == pytest.approx(dq, rel=1e-15)
    assert (x.grad, y.grad) == pytest.approx((dq * y.data, dq * x.data), rel=1e-15)


def test_numbers_on_either_side():
    x = Value(4.0)
    cases = [
        (x + 2, 6.0, 1.0),
        (2 + x, 6.0, 1.0),
        (x - 2, 2.0, 1.0),
        (2 - x, -2.0, -1.0),
        (x * 2, 8.0, 2.0),
        (2 * x, 8.0, 2.0),
        (x / 2, 2.0, 0.5),
        (2 / x, 0.5, -0.125),
        (x**2, 16.0, 8.0),
        (-x, -4.0, -1.0),
        (sum([x, x, x]), 12.0, 3.0),  # sum starts at the int 0
    ]
    for out, data, grad in cases:
        x.grad = 0.0
        out.backward()
        assert (out.data, x.grad) == (data, grad), out._op
        assert type(out.data) is float and type(x.grad) is float


def test_backward_fills_every_value_the_output_depends_on_and_nothing_else():
    x, w, b, unused = Value(2.0), Value(-3.0), Value(1.0), Value(7.0)
    y = (x * w + b).tanh()
    y.backward()
    t = math.tanh(-5.0)
    assert y.grad == 1.0 and unused.grad == 0.0
    assert (x.grad, w.grad, b.grad) == pytest.approx(((1 - t * t) * -3, (1 - t * t) * 2, 1 - t * t))


def test_a_second_backward_adds_to_the_leaves_and_recomputes_the_inner_nodes():
    """As PyTorch's: the leaves' gradients add up until reset; an inner node holds this pass's."""
    x, y = Value(3.0), Value(-2.0)
    q = x * y
    out = q * q
    out.backward()
    first = (x.grad, y.grad, q.grad)
    out.backward()
    assert (x.grad, y.grad) == (2 * first[0], 2 * first[1])
    assert (q.grad, out.grad) == (first[2], 1.0)


def test_the_topological_order_puts_each_value_after_its_children_once():
    x, y = Value(1.0), Value(2.0)
    q = x * y
    out = (q + x) * q
    order = topological_order(out)
    assert len(order) == len(set(map(id, order))) == 5 and order[-1] is out
    place = {id(node): k for k, node in enumerate(order)}
    for node in order:
        assert all(place[id(child)] < place[id(node)] for child in node._prev)


def test_powers_at_zero():
    for n, slope in [(0, 0.0), (1, 1.0), (2, 0.0), (3, 0.0)]:
        x = Value(0.0)
        (x**n).backward()
        assert x.grad == slope, n


def test_a_graph_deeper_than_the_recursion_limit():
    x = Value(1.0)
    total = x
    for _ in range(5000):
        total = total + x
    total.backward()
    assert x.grad == 5001.0


def test_sigmoid_and_tanh_are_stable_at_large_inputs():
    for z in (-1000.0, 1000.0):
        for out in (Value(z).sigmoid(), Value(z).tanh()):
            out.backward()
            assert out._local_grads == (0.0,) and math.isfinite(out.data)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Value("a"), TypeError, "Value holds a number (an int or a float), got str 'a'"),
        (lambda: Value(True), TypeError, "got bool True"),
        (lambda: Value([1.0]), TypeError, "got list [1.0]"),
        (lambda: Value(1.0) + "a", TypeError, "got str 'a'"),
        (lambda: Value(2.0) ** Value(3.0), TypeError, "the exponent of ** must be a number"),
        (lambda: Value(-1.0).log(), ValueError, "log needs a positive number, got -1.0"),
        (lambda: Value(0.0).log(), ValueError, "log needs a positive number, got 0.0"),
        (lambda: Value(-8.0) ** 0.5, ValueError, "a negative base needs a whole exponent"),
        (lambda: Value(1000.0).exp(), OverflowError, "exp(1000.0) is too large for a float"),
    ],
)
def test_errors_say_what_was_expected(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


def test_numbers_of_every_kind_become_floats():
    import numpy as np

    for number in (3, 3.0, np.float64(3.0), np.int64(3)):
        assert type(Value(number).data) is float
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"


# --- an MLP built from Values is MLP.backward -------------------------------------------------


def value_forward(mlp: MLP, inputs: list[float]) -> tuple[list[Value], list[list[list[Value]]]]:
    """The MLP's forward pass written with Values: its outputs and, per layer and neuron, the
    Values of the weights followed by the bias."""
    activations, parameters = inputs, []
    for layer in mlp.layers:
        outputs, layer_parameters = [], []
        for neuron in layer.neurons:
            weights, bias = [Value(w) for w in neuron.weights], Value(neuron.bias)
            z = sum((w * a for w, a in zip(weights, activations)), bias)
            act = neuron.activation
            outputs.append(z if act == "identity" else getattr(z, act)())
            layer_parameters.append(weights + [bias])
        activations = outputs
        parameters.append(layer_parameters)
    return activations, parameters


@pytest.mark.parametrize(
    "sizes, activation, output_activation",
    [
        ([3, 4, 3, 2], "sigmoid", "sigmoid"),
        ([2, 5, 1], "tanh", "identity"),
        ([4, 6, 6, 3], "relu", "identity"),
        ([2, 16, 16, 1], "relu", "sigmoid"),
    ],
)
def test_an_mlp_of_values_gives_exactly_mlp_backwards_gradients(
    sizes, activation, output_activation
):
    import numpy as np

    rng = np.random.default_rng(sum(sizes))
    mlp = MLP(sizes, activation, output_activation, seed=1)
    inputs = rng.uniform(-1, 1, sizes[0]).tolist()
    labels = rng.uniform(0, 1, sizes[-1]).tolist()
    outputs, parameters = value_forward(mlp, inputs)
    loss = sum((a - y) ** 2 for a, y in zip(outputs, labels)) / len(labels)
    loss.backward()
    mlp.backward(mse_loss_gradient(mlp.forward(inputs), labels))
    for layer, values in zip(mlp.layers, parameters):
        for neuron, neuron_values in zip(layer.neurons, values):
            expected = neuron.gradients + [neuron.bias_gradient]
            for value, gradient in zip(neuron_values, expected):
                assert value.grad == pytest.approx(gradient, rel=1e-12, abs=1e-15)
    assert [a.data for a in outputs] == pytest.approx(mlp.forward(inputs), rel=1e-13)


# --- PyTorch's autograd, an independent oracle (skipped without torch) -------------------------


@given(program=programs, leaves=leaf_values)
def test_random_graphs_have_pytorchs_gradients(program, leaves):
    torch = pytest.importorskip("torch")
    planned = plan(program, leaves)
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in leaves]
    output = evaluate(planned, tensors)
    if output.requires_grad:  # the output may not depend on any leaf (no op of the program)
        output.backward()
    theirs = [0.0 if t.grad is None else float(t.grad) for t in tensors]
    ours = gradients(planned, leaves)
    assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-12), (planned, leaves)


# --- exercise 11's references: central differences and the engine agree with them -------------


def test_the_exercise_references_are_the_slopes_and_the_engine():
    from bp_lessons.exercises import computational_graph as ex

    for args in ex.q1.cases(seed=21):
        x = Value(args["x"])
        out = ex.softplus(x)
        assert out._prev == (x,)
        slope = numerical_gradient(lambda t: math.log(1 + math.exp(t)), args["x"])
        assert agrees(out._local_grads[0], slope) and out.data == pytest.approx(
            (x.exp() + 1).log().data, rel=1e-15
        )
    for args in ex.q2.cases(seed=22):
        ours = ex.q2.run(ex.backward, args)

        def engine(root):
            root.backward()

        assert ours == pytest.approx(ex.q2.run(engine, args), rel=1e-15)
    for args in ex.q3.cases(seed=23):
        x, w, y = args.values()

        def loss(x, w, y=y):
            return ((w * (w * x).tanh()).tanh() - y) ** 2

        x_value, w_value = Value(x), Value(w)
        loss(x_value, w_value).backward()
        by_hand = ex.shared_weight_gradient(**args)
        assert by_hand == pytest.approx((w_value.grad, x_value.grad), rel=1e-12, abs=1e-15)
        slopes = [
            numerical_gradient(lambda t, x=x: loss(Value(x), Value(t)).data, w),
            numerical_gradient(lambda t, w=w: loss(Value(t), Value(w)).data, x),
        ]
        assert all(agrees(a, n) for a, n in zip(by_hand, slopes))
