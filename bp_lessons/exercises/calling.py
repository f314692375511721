"""How a check calls the learner's function on a case, and what it accepts back.

This is the only part of the checks that the grader's sandbox holds (see
`bp_lessons.grading.view`): how each task's function is called, and the plain data (numbers,
nested lists) its answer must become. It holds no reference solution and no expected value, so
code running beside it finds neither here. Most tasks call `fn(*args)`; the few that need a
model or arrays built from a case's numbers name one of the functions at the end of this module.
NumPy is imported only by the tasks that hand out arrays: a sandbox starts faster without it.
"""

import copy
import gc
import math
import sys
from itertools import chain, islice, starmap

from bp_lessons.exercises.feedback import describe, short


class InputChanged(ValueError):
    """The learner's function changed one of the lists it was given."""


class NotPlainData(TypeError):
    """The learner's function returned something other than numbers and lists of numbers."""


# errors `call_on` raises about an answer (not errors the answer raised), named as the grader does
OWN_ERRORS = ("InputChanged", "NotPlainData")
# what a function that is off limits while the learner's function runs says when it is called
OFF_LIMITS = "is off limits while Exercise {number} is checked"


def off_limits(name: str, number: str) -> str:
    """The message of a call to `name` that task `number` does not allow."""
    return (
        f"{name} {OFF_LIMITS.format(number=number)}: your function may use what the "
        "exercise's setup cell gives it, Python and NumPy, not the rest of bp_lessons or the "
        "checks' own code"
    )


class Kept:
    """What one call must leave as it came: the values handed over (`before`, plain data) and
    the same values as the call left them (`after`), by name; how a message names their owner,
    and the advice it gives. The notebook's check compares them here; the grader's sandbox
    sends `after` back as data and the grader compares it with the `before` it computes in its
    own process (`call_kept` with the reference): a rule no answer can switch off. (A plain
    class: a sandbox starts faster without importing dataclasses.)"""

    def __init__(self, before, after, owner="its argument", advice="", given=None) -> None:
        self.before, self.after, self.owner, self.advice = before, after, owner, advice
        # the same values as they were handed over, read as data just before the call: the
        # grader sees that they are the case's (a cell could make them otherwise, by rebinding
        # `copy.deepcopy` or `np.array`, and the call change them back in place)
        self.given = given


# what is taken, by C, the moment the learner's function returns (`called`), each as starmap
# calls it: whether automatic garbage collection was on (it is then switched off) and the
# profile, trace and monitoring functions set. Bound at import: the grader's sandbox imports
# its own copy of this module before any cell runs.
NONE = ((),)
MONITORING = getattr(sys, "monitoring", None)  # Python 3.12
AFTER_CALL = [(gc.isenabled, NONE), (gc.disable, NONE), (sys.getprofile, NONE)]
AFTER_CALL += [(sys.gettrace, NONE)]
AFTER_CALL += [(MONITORING.get_tool, tuple((i,) for i in range(6)))] if MONITORING else []
HOOKED = "(not read: a profile, trace or monitoring function was set)"
SANDBOXED = []  # [True] in the grader's sandbox (`prepare_for_sandbox`); a debugger in the
# notebook sets a trace function, and the notebook's check reads what the call left all the same
ENABLE_GC = gc.enable
TAKEN = 1 + sum(len(each) for _, each in AFTER_CALL)  # fn's result, then what AFTER_CALL takes


def called(fn, *args) -> tuple:
    """fn(*args), and what a reader of the values it left needs, taken in the same loop of C
    before any code could run after fn returned: code set to run on the interpreter's events
    (a garbage collection's callbacks and finalizers, a profile or trace function) could
    otherwise put back what fn changed before `read` reads it. Returns fn's result and that."""
    loop = chain(starmap(fn, (args,)), *(starmap(get, each) for get, each in AFTER_CALL))
    values = list(loop)
    if len(values) < TAKEN:  # fn raised StopIteration: `chain` took it for fn's end
        if values[0]:
            ENABLE_GC()
        raise StopIteration
    return values[0], values[1:]


def read(values, state: list) -> dict:
    """The values (by name; `values()` gives them) as fn left them, as data (`as_data`), read
    with automatic garbage collection off, then back on as fn left it, whatever happens while
    they are gathered (an attribute the call deleted); not read if code could run on an event."""
    try:
        values = values()
        if SANDBOXED and any(hook is not None for hook in state[2:]):
            return {name: HOOKED for name in values}
        return as_data(values)
    finally:
        if state[0]:
            ENABLE_GC()


def call_on(fn, args: dict, call=None, pure: bool | list | tuple = True) -> object:
    """Call fn on one case (`call(fn, args)`, else `fn(*args)`) and return its result as plain
    data; raise what fn raises, and InputChanged if it changed what it must leave as it came.

    fn gets a copy of the arguments, so whatever it does to them cannot change the case. `pure`
    says which arguments it must leave unchanged: True all of them, False none, a list of names
    the arguments it MAY change (an SGD step may update its weights in place).
    """
    result, kept = call_kept(fn, args, call, pure)
    for rule in kept:
        unchanged(rule)
    try:
        return to_plain(result)
    except TypeError as error:
        raise NotPlainData(str(error)) from None


def call_kept(fn, args: dict, call=None, pure: bool | list | tuple = True) -> tuple:
    """Call fn on one case: what it returned, as it returned it, and what the call had to leave
    as it came (a list of `Kept`), not yet compared."""
    if call:
        return call(fn, args)
    free = set(args) if pure is False else set() if pure is True else set(pure)
    names = [name for name in args if name not in free]
    given = copy.deepcopy(args)
    handed = as_data({n: given[n] for n in names})
    result, state = called(fn, *given.values())
    after = read(lambda: {n: given[n] for n in names}, state)
    return result, [Kept({n: args[n] for n in names}, after, given=handed)]


def unchanged(rule: Kept) -> None:
    """Raise InputChanged if the call changed, in place, a list or array it was handed (as
    data: `read` made `rule.after` so)."""
    for name, now in rule.after.items():
        if differs(now, rule.before[name]):
            raise InputChanged(changed_message(rule, name, now))


def changed_message(rule: Kept, name: str, now: object) -> str:
    """What the learner reads when the call changed `name` (the notebook's check and the
    grader say the same)."""
    return (
        f"your function changed {rule.owner} `{name}` in place, from {short(rule.before[name])} "
        f"to {short(now)}: "
        + (
            rule.advice
            or "leave it as it came and compute new values "
            f"(`{name} = {name} * 2` makes a new one; `{name} *= 2`, `{name}[i] = ...` "
            "or a shuffle in place change the caller's)"
        )
    )


def to_plain(value: object) -> object:
    """Numbers become floats, sequences and arrays nested lists; anything else is an error."""
    if value is None:
        raise TypeError("expected numbers, got None: does your function `return` its result?")
    if isinstance(value, bool):
        raise TypeError(f"expected numbers, got {describe(value)}")
    numpy = sys.modules.get("numpy")  # an answer can only hold its types once it is loaded
    if isinstance(value, (int, float)) or (
        numpy and isinstance(value, (numpy.integer, numpy.floating))
    ):
        return float(value)
    if numpy and isinstance(value, numpy.ndarray):
        return to_plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    raise TypeError(f"expected numbers or lists of numbers, got {describe(value)}")


HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class written in Python, a subclass included
FLAGS = type.__dict__["__flags__"].__get__  # a type's flags, whatever its metaclass says


def as_data(value: object, depth: int = 0) -> object:
    """Values as a call left them, as JSON carries them: the grader's sandbox sends them back,
    and the grader compares them with what it handed over. Only exact lists, tuples, dicts,
    numbers and strings are read, and what a type written in C (a NumPy array or number) makes
    of itself with `tolist`; anything else, a class written in Python (a subclass of list or
    ndarray too), comes back as its type's name, which never equals a value handed over.

    Each way of calling reads them with this (`read`) as soon as the learner's function
    returned (`called`), before anything else runs: code of the learner's that ran later (a
    batch's `__iter__`, a returned W's `tolist`, np.errstate's exit, the previous answer's
    `__del__`) could otherwise put back what the call changed."""
    kind = type(value)
    if depth > 50:
        return "(too deep)"
    if not FLAGS(kind) & HEAP_TYPE and kind not in (list, tuple, dict) and hasattr(kind, "tolist"):
        value = kind.tolist(value)
        kind = type(value)
    if kind is dict:
        return {str(k): as_data(v, depth + 1) for k, v in dict.items(value)}
    if kind is list or kind is tuple:
        return [as_data(item, depth + 1) for item in value]
    if value is None or kind is bool or kind is int or kind is float or kind is str:
        return value
    return f"({kind.__name__})"


def differs(a: object, b: object) -> bool:
    """True unless a == b holds plainly (an array inside a list makes == ambiguous: differs)."""
    try:
        return bool(a != b)
    except (TypeError, ValueError):
        return True


class GradedTask:
    """A task as the grader's sandbox has it: `q1.check(fn)` in a graded cell does nothing there
    (the grader judges the answer itself), and there are no hints or solutions to show."""

    def __init__(self, number: str, function: str) -> None:
        self.number, self.function = number, function

    def check(self, *args, **kwargs) -> None:
        print(f"Exercise {self.number}: checked by the grader, not in here")

    hint = solution = check


# --- the tasks whose function is not called as fn(*args) ------------------------------------

# the modules each of these ways of calling imports when it runs: the grader's sandbox imports
# them before any cell runs and serves them from then on, to its own copy of this module
IMPORTS = {
    "step_a_model": ("bp_lessons.mlp",),
    "as_arrays": ("numpy",),
    "network_as_arrays": ("numpy",),
    "gradients_as_arrays": ("numpy",),
    "as_arrays_where_overflow_raises": ("numpy",),
    "a_new_operation": ("bp_lessons.autograd",),
    "a_power_node": ("bp_lessons.autograd",),
    "backward_on_a_graph": ("bp_lessons.autograd",),
    "a_network_with_stale_gradients": ("numpy", "bp_lessons.vectorized"),
}


# the getter of the instance dict of each class whose attributes a way of calling reads after
# the call, taken before any cell runs (`prepare_for_sandbox`): what the call left in the
# instance, which no property, `__getattribute__` or class swapped by the call can show otherwise
INSTANCE_DICTS: dict = {}
# those classes, by way of calling: (module, class), None for this module (by name: the view
# makes raise whatever names another task's way of calling)
READS_ATTRIBUTES = {
    "backward_on_a_neuron": ((None, "RecordedNeuron"),),
    "a_network_with_stale_gradients": (
        ("bp_lessons.vectorized", "VectorizedMLP"),
        ("bp_lessons.vectorized", "DenseLayer"),
    ),
}


def prepare_for_sandbox(call: str | None) -> None:
    """Take the instance dicts' getters for this way of calling, and read nothing a call
    leaves while code runs on the interpreter's events (`read`): the grader's sandbox calls
    this before any cell runs, once `IMPORTS` are imported."""
    SANDBOXED[:] = [True]
    for module, name in READS_ATTRIBUTES.get(call or "", ()):
        kind = globals()[name] if module is None else getattr(sys.modules[module], name)
        INSTANCE_DICTS[name] = kind.__dict__["__dict__"].__get__


def attribute(owner: object, kind: str, name: str) -> object:
    """owner's attribute `name` as its instance dict holds it (`kind`: the name of the class the
    check made it with, as it was before any cell ran: a cell may rebind the module's name; in
    the notebook, where no one forges, as getattr reads it)."""
    get = INSTANCE_DICTS.get(kind)
    return getattr(owner, name) if get is None else dict.get(get(owner), name)


class RecordedNeuron:
    """A sigmoid neuron after a forward pass: the attributes of `bp_lessons.Neuron` that a
    backward pass reads and writes, made by the check from plain numbers (exercise 04)."""

    def __init__(self, weights, bias, inputs, gradients, bias_gradient):
        self.weights = list(weights)
        self.bias = bias
        self.input_activation = list(inputs)
        self.linear_activation = sum(w * i for w, i in zip(weights, inputs)) + bias
        self.gradients = list(gradients)
        self.bias_gradient = bias_gradient


def backward_on_a_neuron(fn, args):
    """Give fn a neuron holding the case's gradients; return what it returned and the totals.
    A backward pass computes gradients: its weights, bias and inputs must stay as they were."""
    neuron = RecordedNeuron(
        args["weights"], args["bias"], args["inputs"], args["gradients"], args["bias_gradient"]
    )
    kept = {"weights": args["weights"], "bias": args["bias"], "input_activation": args["inputs"]}
    handed = as_data({name: attribute(neuron, "RecordedNeuron", name) for name in kept})
    input_gradients, state = called(fn, neuron, args["output_gradient"])
    rule = Kept(
        kept,
        read(lambda: {name: attribute(neuron, "RecordedNeuron", name) for name in kept}, state),
        "the neuron's",
        "a backward pass only computes gradients; the step (Exercise 08) changes the weights",
        handed,
    )
    return [input_gradients, neuron.gradients, neuron.bias_gradient], [rule]


def one_weight_loss(w):
    """The loss of a sigmoid neuron with input 1.5, bias −0.5 and label 1, against its weight."""
    return (1.0 / (1.0 + math.exp(-(1.5 * w - 0.5))) - 1.0) ** 2


# the functions exercise 03's numerical_derivative is tried on, by the name its cases show
NAMED_FUNCTIONS = {
    "x**2": lambda x: x * x,
    "x**3": lambda x: x**3,
    "sin(x)": math.sin,
    "exp(x)": math.exp,
    "(σ(1.5x − 0.5) − 1)**2": one_weight_loss,
}


def numerical_derivative_of_named(fn, args):
    """Call fn(f, x, epsilon) with the function the case names (exercise 03)."""
    return fn(NAMED_FUNCTIONS[args["f"]], args["x"], args["epsilon"]), []


def numbered_batches(fn, args):
    """Run fn on examples numbered 0, 1, …: X[i] = [i], y[i] = [i]; return the numbers of each
    batch of X and of y (exercise 09). X and y must come out as they went in: a shuffle in place
    would reorder the caller's data set."""
    X = [[float(i)] for i in range(args["num_examples"])]
    y = [[float(i)] for i in range(args["num_examples"])]
    before = {"X": copy.deepcopy(X), "y": copy.deepcopy(y)}
    # at most one batch per example and one more: a generator that never stops is cut short
    handed = as_data({"X": X, "y": y})
    batches, state = called(list, islice(fn(X, y, args["batch_size"], args["seed"]), len(X) + 1))
    rule = Kept(before, read(lambda: {"X": X, "y": y}, state), given=handed)  # before batches run
    return [
        [[row[0] for row in X_batch] for X_batch, _ in batches],
        [[row[0] for row in y_batch] for _, y_batch in batches],
    ], [rule]


def step_a_model(fn, args):
    """Build MLP(sizes, seed=seed) with gradients left from an unrelated example, call
    fn(model, X_batch, y_batch, learning_rate); return the model's weights and biases
    (exercise 09)."""
    from bp_lessons.mlp import MLP

    model = MLP(args["sizes"], seed=args["seed"])
    model.forward([0.5] * args["sizes"][0])
    model.backward([1.0] * args["sizes"][-1])  # stale gradients, as after a batch before
    fn(model, args["X_batch"], args["y_batch"], args["learning_rate"])
    layers = model.layers
    return [
        [[n.weights for n in layer.neurons] for layer in layers],
        [[n.bias for n in layer.neurons] for layer in layers],
    ], []


def as_arrays(fn, args):
    """Call fn with the case's numbers as float64 arrays, as the instructions promise, and see
    that it leaves them as they came (exercise 10)."""
    import numpy as np

    arrays = {name: np.array(value, dtype=float) for name, value in args.items()}
    handed = as_data(arrays)
    result, state = called(fn, *arrays.values())
    return result, [Kept(args, read(lambda: arrays, state), given=handed)]


def network_as_arrays(fn, args):
    """Call fn with X, Y and each layer's W and b as float64 arrays (exercise 10); X and Y must
    stay as they came (the weights and biases may be updated in place and returned)."""
    import numpy as np

    weights = [np.array(W, dtype=float) for W in args["weights"]]
    biases = [np.array(b, dtype=float) for b in args["biases"]]
    X, Y = np.array(args["X"], dtype=float), np.array(args["Y"], dtype=float)
    handed = as_data({"X": X, "Y": Y})
    result, state = called(fn, X, Y, weights, biases, args["learning_rate"])
    after = read(lambda: {"X": X, "Y": Y}, state)
    return result, [Kept({"X": args["X"], "Y": args["Y"]}, after, given=handed)]


def gradients_as_arrays(fn, args):
    """Call fn(X, Y, weights, biases) with each as float64 arrays (exercise 10's find-the-bug):
    a backward pass computes gradients, so all of them must stay as they came."""
    import numpy as np

    weights = [np.array(W, dtype=float) for W in args["weights"]]
    biases = [np.array(b, dtype=float) for b in args["biases"]]
    X, Y = np.array(args["X"], dtype=float), np.array(args["Y"], dtype=float)
    handed = as_data({"X": X, "Y": Y, "weights": weights, "biases": biases})
    result, state = called(fn, X, Y, weights, biases)
    after = read(lambda: {"X": X, "Y": Y, "weights": weights, "biases": biases}, state)
    before = {name: args[name] for name in ("X", "Y", "weights", "biases")}
    return result, [Kept(before, after, given=handed)]


# --- exercise 13 ----------------------------------------------------------------------------


def as_arrays_where_overflow_raises(fn, args):
    """`as_arrays`, with NumPy raising FloatingPointError where it would overflow, divide by zero
    or make a NaN (exercise 13): an answer that breaks on large logits then says so, instead of
    handing back inf or nan."""
    import numpy as np

    with np.errstate(over="raise", divide="raise", invalid="raise"):
        return as_arrays(fn, args)


# --- exercise 08: an experiment's report --------------------------------------------------


def an_entry_of_the_report(fn, args):
    """Call fn() for the learner's report of an experiment, a dict; return the entry the case
    asks about (`args["entry"]`) as plain data, a list sorted: the order in which a set of rates
    is listed is not part of the answer (exercise 08)."""
    report = fn()
    if not isinstance(report, dict):
        raise NotPlainData(
            "expected the report as a dict, {'best_rate': ..., ...}, got " + describe(report)
        )
    entry = args["entry"]
    if entry not in report:
        has = ", ".join(repr(key) for key in report) or "no entry at all"
        raise NotPlainData(f"the report has no entry {entry!r}: it has {has}")
    value = report[entry]
    value = list(value) if isinstance(value, (set, frozenset)) else value
    value = to_plain(value)
    return (sorted(value) if isinstance(value, list) else value), []


# --- exercise 11: graphs of Values ------------------------------------------------------------


def a_new_operation(fn, args):
    """Give fn a Value x; return the node it builds (its data and local derivatives) and x.grad
    after backward through L = fn(x) · x, where x reaches L along two paths (exercise 11)."""
    from bp_lessons.autograd import Value

    x = Value(args["x"])
    node = fn(x)
    if not isinstance(node, Value):
        raise NotPlainData(f"expected a Value, the node of the graph, got {describe(node)}")
    loss = node * x
    loss.backward()
    return [node.data, list(node._local_grads), x.grad], []


def a_power_node(fn, args):
    """Give fn two Values a and b; return the node p it builds (its data and local
    derivatives), the gradients of a and b after backward through L = p · p + p · b (p used
    twice, b reaching L along two paths), and x.grad after backward through fn(x, x) · x, one
    Value as base and exponent (exercise 11)."""
    from bp_lessons.autograd import Value

    a, b = Value(args["a"]), Value(args["b"])
    node = fn(a, b)
    if not isinstance(node, Value):
        raise NotPlainData(f"expected a Value, the node of the graph, got {describe(node)}")
    (node * node + node * b).backward()
    x = Value(args["a"])
    (fn(x, x) * x).backward()
    return [node.data, list(node._local_grads), a.grad, b.grad, x.grad], []


# the graphs exercise 11's backward runs on, by the name its cases show: x and y are used more
# than once, and q and z are inner Values used at several depths
EXPRESSIONS = {
    "x * y + x": lambda x, y: x * y + x,
    "x * x + y": lambda x, y: x * x + y,
    "q * q.tanh() + q, q = x * y": lambda x, y: (q := x * y) * q.tanh() + q,
    "(z.sigmoid() * z + z) * z, z = x - y": lambda x, y: ((z := x - y).sigmoid() * z + z) * z,
}


def backward_on_a_graph(fn, args):
    """Build the case's expression of Values x and y, call fn(output); return the gradients fn
    left in x, y and the output (exercise 11)."""
    from bp_lessons.autograd import Value

    x, y = Value(args["x"]), Value(args["y"])
    output = EXPRESSIONS[args["expression"]](x, y)
    fn(output)
    return [x.grad, y.grad, output.grad], []


# --- exercise 12: deep networks --------------------------------------------------------------


def a_network_with_stale_gradients(fn, args):
    """Build VectorizedMLP(sizes, activation, output_activation="sigmoid", seed=seed), leave in
    it the gradients of an unrelated batch, and call fn(network, X, Y) with X and Y as float64
    arrays (exercise 12). A measurement changes nothing: X, Y and the weights must stay as they
    came."""
    import numpy as np

    from bp_lessons.vectorized import VectorizedMLP

    network = VectorizedMLP(args["sizes"], args["activation"], "sigmoid", seed=args["seed"])
    stale = network.forward(np.full((1, args["sizes"][0]), 0.5))
    network.backward(stale)  # the gradients of another batch, not reset
    weights = [layer.W.tolist() for layer in network.layers]
    X, Y = np.array(args["X"], dtype=float), np.array(args["Y"], dtype=float)
    handed = as_data({"X": X, "Y": Y, "weights": network_weights(network)})
    result, state = called(fn, network, X, Y)
    after = read(lambda: {"X": X, "Y": Y, "weights": network_weights(network)}, state)
    return result, [
        Kept(
            {"X": args["X"], "Y": args["Y"]},
            {"X": after["X"], "Y": after["Y"]},
            given={"X": handed["X"], "Y": handed["Y"]},
        ),
        Kept(
            {"weights": weights},
            {"weights": after["weights"]},
            "the network's",
            "a measurement computes gradients and changes no weight: leave out `network.step`",
            {"weights": handed["weights"]},
        ),
    ]


def network_weights(network) -> object:
    """The W of each layer of a VectorizedMLP, as the instance dicts hold them (exercise 12)."""
    layers = attribute(network, "VectorizedMLP", "layers")
    if type(layers) is not list:
        return layers
    return [attribute(layer, "DenseLayer", "W") for layer in list.copy(layers)]
