"""Exercise 11 · The computational graph: a new operation with its local derivative, the
backward pass of the Value engine, the gradient of a weight used twice, derived by hand, and the
power with a Value exponent, a node with two children that the engine lacks.

A node keeps ∂node/∂child for each child (`_local_grads`, in the order of `_prev`); backward
visits every node after all the nodes that use it and adds local derivative × the node's gradient
into each child's: a Value used twice gets the sum of both paths.
"""

import math

from bp_lessons.autograd import Value, topological_order
from bp_lessons.exercises.calling import (
    EXPRESSIONS,
    a_new_operation,
    a_power_node,
    backward_on_a_graph,
)
from bp_lessons.exercises.check import Mistake, Task

# Value.backward calls topological_order: with it off limits, so is backward
BACKWARD = "bp_lessons.autograd.topological_order"


def softplus(x):
    """softplus(x) = log(1 + e^x) as one node of the graph, with its local derivative."""
    out = Value(math.log(1 + math.exp(x.data)), (x,), "softplus")
    out._local_grads = (1 / (1 + math.exp(-x.data)),)  # e^x / (1 + e^x) = σ(x)
    return out


def backward(root):
    """Fill in .grad of every Value that root depends on, by the chain rule."""
    order, visited = [], set()

    def place(node):  # each node after all its children
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                place(child)
            order.append(node)

    place(root)
    root.grad = 1.0
    for node in reversed(order):  # each node after every node that uses it
        for child, local_grad in zip(node._prev, node._local_grads):
            child.grad += local_grad * node.grad


def shared_weight_gradient(x, w, y):
    """∂L/∂w and ∂L/∂x for h1 = tanh(w x), h2 = tanh(w h1), L = (h2 − y)²: w is used twice."""
    h1 = math.tanh(w * x)
    h2 = math.tanh(w * h1)
    d2 = 2 * (h2 - y) * (1 - h2 * h2)  # ∂L/∂(w h1)
    d1 = d2 * w * (1 - h1 * h1)  # ∂L/∂(w x): back through w h1, then through tanh
    return d2 * h1 + d1 * x, d1 * w  # w: both uses, added; x: its one path


def power(a, b):
    """a ** b for a Value exponent b (and a > 0): one node with two children, a and b."""
    out = Value(a.data**b.data, (a, b), "**")
    out._local_grads = (
        b.data * a.data ** (b.data - 1),  # ∂out/∂a: the power rule, b a^(b − 1)
        out.data * math.log(a.data),  # ∂out/∂b: a^b = e^(b ln a), so a^b ln a
    )
    return out


# --- known mistakes -------------------------------------------------------------------------------


def _node(forward, local):
    """A softplus node whose forward value or local derivative is swapped for a mistake's."""

    def build(x):
        out = Value(forward(x.data), (x,), "softplus")
        out._local_grads = (local(x.data),)
        return out

    return build


def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


def _softplus(x):
    return math.log(1 + math.exp(x))


def _unlinked(x):
    out = Value(_softplus(x.data), (), "softplus")
    out._local_grads = (_sigmoid(x.data),)
    return out


def _ordered(order, assign=False, local=True, seed=True):
    """A backward pass over a given order of the nodes, with one of its pieces wrong."""

    def backward_pass(root):
        root.grad = 1.0 if seed else root.grad
        for node in order(root):
            for child, local_grad in zip(node._prev, node._local_grads):
                update = (local_grad if local else 1.0) * node.grad
                child.grad = update if assign else child.grad + update

    return backward_pass


def _reverse_topological(root):
    return list(reversed(topological_order(root)))


def _breadth_first(root):
    """Each node once, in the order it is first reached from root: not after all its users."""
    queue, seen = [root], {root}
    for node in queue:  # the list grows while the loop reads it
        for child in node._prev:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return queue


def _every_path(root):
    """A node passes on its whole gradient each time a path reaches it."""
    root.grad = 1.0

    def send(node):
        for child, local_grad in zip(node._prev, node._local_grads):
            child.grad += local_grad * node.grad
            send(child)

    send(root)


def _without_visited(root):
    """A topological sort with no visited set: a node reached along two paths is listed twice,
    and the backward pass then passes its gradient on twice."""
    order = []

    def place(node):
        for child in node._prev:
            place(child)
        order.append(node)

    place(root)
    root.grad = 1.0
    for node in reversed(order):
        for child, local_grad in zip(node._prev, node._local_grads):
            child.grad += local_grad * node.grad


def _shared(x, w, y, *, first=True, second=True, slope=True, weight=True, factor=2.0):
    """shared_weight_gradient with one piece dropped for a known mistake."""
    h1, h2 = math.tanh(w * x), math.tanh(w * math.tanh(w * x))
    d2 = factor * (h2 - y) * (1 - h2 * h2)
    d1 = d2 * (w if weight else 1.0) * ((1 - h1 * h1) if slope else 1.0)
    return d2 * h1 * second + d1 * x * first, d1 * w


def _random_x(rng):
    return {"x": round(float(rng.uniform(-4, 4)), 2)}


def _random_graph(rng):
    return {
        "expression": str(rng.choice(list(EXPRESSIONS))),
        "x": round(float(rng.uniform(-2, 2)), 2),
        "y": round(float(rng.uniform(-2, 2)), 2),
    }


def _random_shared(rng):
    return {
        "x": round(float(rng.normal()), 2),
        "w": round(float(rng.normal()), 2),
        "y": round(float(rng.uniform(-1, 1)), 2),
    }


VALUE_ATTRIBUTES = (
    "a Value has .data, .grad, ._prev (the Values it was computed from) and ._local_grads "
    "(∂node/∂child for each of them, in the order of ._prev)"
)

q1 = Task(
    number="11.1",
    function="softplus",
    reference=softplus,
    # a derivation: exact to rounding (the formula's float error is near 1e-16); a central
    # difference, some 1e-11 off, or float32 is not the formula the task asks for
    rtol=1e-12,
    atol=1e-13,
    fixed=[{"x": 0.0}, {"x": 1.0}, {"x": -2.0}, {"x": 3.5}],
    random=_random_x,
    call=a_new_operation,
    parts=("softplus(x)", "local derivatives", "x.grad"),
    axes={"local derivatives": ("child {i}",)},
    mistakes=[
        Mistake(
            "The local derivative is e^x: that is the derivative of the inside, 1 + e^x, alone. "
            "Through log u the chain rule multiplies it by 1/u: e^x / (1 + e^x) = σ(x).",
            _node(_softplus, math.exp),
        ),
        Mistake(
            "The local derivative is 1/(1 + e^x): the derivative of log u without the factor "
            "u′ = e^x. That is σ(−x), the mirror image of the right e^x / (1 + e^x) = σ(x).",
            _node(_softplus, lambda x: 1 / (1 + math.exp(x))),
        ),
        Mistake(
            "The local derivative is the node's own value, log(1 + e^x): the slope is another "
            "number, ∂out/∂x = e^x / (1 + e^x).",
            _node(_softplus, _softplus),
        ),
        Mistake(
            "The local derivative is σ(x)(1 − σ(x)) = σ'(x), the slope of the slope: the "
            "derivative of log(1 + e^x) is e^x / (1 + e^x) = σ(x) itself.",
            _node(_softplus, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
        ),
        Mistake(
            "The forward value is log(1 + x): softplus is log(1 + e^x).",
            _node(lambda x: math.log(1 + x), _sigmoid),
        ),
        Mistake(
            "The node does not name x as its child (its _prev is empty), so backward cannot "
            "reach x through it: x gets the gradient of its other path only. Build it as "
            "Value(forward, (x,), 'softplus').",
            _unlinked,
        ),
        Mistake(
            "Your softplus is three nodes, built with Value's exp, + and log: the gradient of x "
            "is right, but the task is one node with its own local derivative. Compute the "
            "forward value with math, build Value(forward, (x,), 'softplus') and set its "
            "_local_grads.",
            lambda x: (x.exp() + 1).log(),
        ),
    ],
    errors={"AttributeError": VALUE_ATTRIBUTES},
    hints=[
        "Two numbers from x.data: the forward value log(1 + e^x), and the local derivative "
        "∂out/∂x. For the second, the chain rule through log u with u = 1 + e^x: (1/u) · u′.",
        "∂out/∂x = e^x / (1 + e^x) = 1 / (1 + e^(−x)) = σ(x). Build the node as "
        "`out = Value(math.log(1 + math.exp(x.data)), (x,), 'softplus')`.",
        "Then `out._local_grads = (1 / (1 + math.exp(-x.data)),)` (a tuple: one number per "
        "child) and `return out`.",
    ],
)

q2 = Task(
    number="11.2",
    function="backward",
    reference=backward,
    fixed=[
        {"expression": "x * y + x", "x": 3.0, "y": -2.0},
        {"expression": "x * x + y", "x": 1.5, "y": 0.5},
        {"expression": "q * q.tanh() + q, q = x * y", "x": 0.5, "y": -1.5},
        {"expression": "(z.sigmoid() * z + z) * z, z = x - y", "x": 1.2, "y": 0.4},
    ],
    random=_random_graph,
    call=backward_on_a_graph,
    parts=("x.grad", "y.grad", "output.grad"),
    mistakes=[
        Mistake(
            "The gradients are assigned, not added: child.grad = ... keeps only the last path "
            "into a Value that is used twice. Add them up: child.grad += local_grad * node.grad.",
            _ordered(_reverse_topological, assign=True),
        ),
        Mistake(
            "The local derivatives are missing: a child gets local_grad × node.grad, not "
            "node.grad alone (multiply swaps the inputs, tanh scales by 1 − tanh², ...).",
            _ordered(_reverse_topological, local=False),
        ),
        Mistake(
            "Nothing starts the pass: root.grad = 1 (∂root/∂root) must be set first, or every "
            "gradient stays 0.",
            _ordered(_reverse_topological, seed=False),
        ),
        Mistake(
            "The nodes go the wrong way: a topological order puts each node after its children, "
            "so backward must walk it reversed, from the root to the leaves.",
            _ordered(topological_order),
        ),
        Mistake(
            "The nodes are visited in the order they are first reached from the root (breadth "
            "first): an inner Value used at two depths (q, z) passes its gradient on before "
            "the longer path has added its part. Visit each node after EVERY node that uses it: "
            "the reversed topological order.",
            _ordered(_breadth_first),
        ),
        Mistake(
            "A Value used twice passes its gradient on once per path that reaches it, each time "
            "all it has collected so far: the first path's part is counted again. Place each "
            "node once (a visited set), then pass gradients on in reversed topological order.",
            _every_path,
        ),
        Mistake(
            "The topological sort has no visited set: a Value reached along two paths (x, y, q, "
            "z here) is listed twice, so the backward pass visits it twice and passes its "
            "gradient on twice, the second time with the first pass's part in it. Keep a set of "
            "the nodes placed, and place each node once.",
            _without_visited,
        ),
    ],
    errors={"AttributeError": VALUE_ATTRIBUTES},
    hints=[
        "Two steps, as Value.backward in the lesson: first list every node after its children "
        "(a depth-first search that appends a node once all its children are placed, with a "
        "visited set), then walk that list reversed.",
        "Start with root.grad = 1; then for each node in reversed order, for child, local_grad "
        "in zip(node._prev, node._local_grads): child.grad += local_grad * node.grad.",
        "A recursive `place(node)`: if node is not in visited, add it, call place on each child, "
        "then order.append(node). Call place(root) before the loop.",
    ],
    forbidden=(BACKWARD,),
)

q3 = Task(
    number="11.3",
    function="shared_weight_gradient",
    reference=shared_weight_gradient,
    # a derivation: exact to rounding (the formula's float error is near 1e-16); a central
    # difference, some 1e-11 off, or float32 is not the formula the task asks for
    rtol=1e-12,
    atol=1e-13,
    fixed=[
        {"x": 1.0, "w": 0.5, "y": 0.0},
        {"x": -0.5, "w": 1.5, "y": 1.0},
        {"x": 2.0, "w": -0.8, "y": 0.3},
    ],
    random=_random_shared,
    parts=("∂L/∂w", "∂L/∂x"),
    mistakes=[
        Mistake(
            "∂L/∂w has the path through the second use of w only (δ2 · h1, as if h1 were a "
            "number): w is also used in h1 = tanh(w x), and that path adds δ1 · x.",
            lambda x, w, y: _shared(x, w, y, first=False),
        ),
        Mistake(
            "∂L/∂w has the path through the first use of w only (δ1 · x): w is also used in "
            "h2 = tanh(w h1), and that path adds δ2 · h1.",
            lambda x, w, y: _shared(x, w, y, second=False),
        ),
        Mistake(
            "The slope of the first tanh is missing: δ1 = ∂L/∂(w x) = δ2 · w · (1 − h1²).",
            lambda x, w, y: _shared(x, w, y, slope=False),
        ),
        Mistake(
            "The weight is missing on the way back from h2 to h1: ∂(w h1)/∂h1 = w (multiply swaps "
            "the inputs), so δ1 = δ2 · w · (1 − h1²).",
            lambda x, w, y: _shared(x, w, y, weight=False),
        ),
        Mistake(
            "The factor 2 is missing: ∂L/∂h2 = 2(h2 − y) for L = (h2 − y)².",
            lambda x, w, y: _shared(x, w, y, factor=1.0),
        ),
        Mistake(
            "The sign is flipped in both: ∂L/∂h2 = 2(h2 − y), output minus target, as the "
            "slope of (h2 − y)² in h2; 2(y − h2) turns every gradient round.",
            lambda x, w, y: _shared(x, w, y, factor=-2.0),
        ),
    ],
    hints=[
        "Forward first: h1 = tanh(w x), h2 = tanh(w h1). Then the gradient at each product: "
        "δ2 = ∂L/∂(w h1) = 2(h2 − y)(1 − h2²) and δ1 = ∂L/∂(w x) = δ2 · w · (1 − h1²).",
        "w is used twice, so ∂L/∂w is a sum of two paths: δ2 · h1 (its use in w h1) plus "
        "δ1 · x (its use in w x). x is used once: ∂L/∂x = δ1 · w.",
        "`return d2 * h1 + d1 * x, d1 * w`.",
    ],
    forbidden=(BACKWARD, "bp_lessons.gradcheck.numerical_gradient"),
)


def _power(*, forward=None, da=None, db=None, children="ab"):
    """power with one piece swapped for a known mistake: forward(a, b) the node's value, da and
    db(a, b, out) its local derivatives, children which Values it names (in that order)."""

    def build(a, b):
        value = forward(a.data, b.data) if forward else a.data**b.data
        named = {"a": a, "b": b}
        out = Value(value, tuple(named[c] for c in children), "**")
        right = (b.data * a.data ** (b.data - 1), value * math.log(a.data))
        out._local_grads = (
            da(a.data, b.data, value) if da else right[0],
            db(a.data, b.data, value) if db else right[1],
        )
        return out

    return build


def _micrograd_habit(a, b):
    """The local derivatives multiplied by out.grad, as micrograd's _backward does: but the
    node's gradient is still 0 while the graph is built."""
    out = Value(a.data**b.data, (a, b), "**")
    out._local_grads = (
        b.data * a.data ** (b.data - 1) * out.grad,
        out.data * math.log(a.data) * out.grad,
    )
    return out


def _random_power(rng):
    return {
        "a": round(float(rng.uniform(0.3, 3.0)), 2),
        "b": round(float(rng.uniform(-2.0, 3.0)), 2),
    }


q4 = Task(
    number="11.4",
    function="power",
    reference=power,
    # a derivation: exact to rounding (the formula's float error is near 1e-16); a central
    # difference, some 1e-11 off, or float32 is not the formula the task asks for
    rtol=1e-12,
    atol=1e-13,
    fixed=[
        {"a": 2.0, "b": 3.0},  # a whole exponent: the lesson's a ** 3, with b a Value
        {"a": 0.5, "b": -1.5},
        {"a": 1.7, "b": 0.5},  # a square root
        {"a": 3.0, "b": 0.0},  # a flat power: ∂out/∂a = 0, ∂out/∂b = ln 3
    ],
    random=_random_power,
    call=a_power_node,
    parts=("a ** b", "local derivatives", "a.grad", "b.grad", "x.grad of x ** x · x"),
    axes={"local derivatives": ("child {i}",)},
    mistakes=[
        Mistake(
            "∂out/∂a is b·a^b: the power rule is off by one. It lowers the exponent by one: "
            "∂(a^b)/∂a = b·a^(b − 1).",
            _power(da=lambda a, b, out: b * a**b),
        ),
        Mistake(
            "∂out/∂a is a^(b − 1): the exponent b must also come down as a factor, "
            "∂(a^b)/∂a = b·a^(b − 1).",
            _power(da=lambda a, b, out: a ** (b - 1)),
        ),
        Mistake(
            "∂out/∂b is b·a^(b − 1), the power rule: that is the slope in a. In b, a^b is an "
            "exponential, not a power: a^b = e^(b ln a), so ∂out/∂b = a^b · ln a.",
            _power(db=lambda a, b, out: b * a ** (b - 1)),
        ),
        Mistake(
            "∂out/∂b is a^b, as if a^b were e^b, its own derivative: a^b = e^(b ln a), and the "
            "chain rule brings down ln a, so ∂out/∂b = a^b · ln a (a^b alone only for a = e).",
            _power(db=lambda a, b, out: out),
        ),
        Mistake(
            "∂out/∂b is ln a: the factor a^b is missing. a^b = e^(b ln a), and the slope of e^u "
            "is e^u itself, so ∂out/∂b = a^b · ln a.",
            _power(db=lambda a, b, out: math.log(a)),
        ),
        Mistake(
            "∂out/∂b is a · ln a: the input a stands where the node's own value belongs. "
            "∂out/∂b = out · ln a, with out = a^b.",
            _power(db=lambda a, b, out: a * math.log(a)),
        ),
        Mistake(
            "∂out/∂b is out · ln(out): the logarithm is of the base, ∂out/∂b = a^b · ln a.",
            _power(db=lambda a, b, out: out * math.log(out)),
        ),
        Mistake(
            "∂out/∂a is b·out^(b − 1): the node's value out = a^b stands where the input a "
            "belongs. ∂out/∂a = b·a^(b − 1) (or b·out/a).",
            _power(da=lambda a, b, out: b * out ** (b - 1)),
        ),
        Mistake(
            "The forward value is b^a: in a ** b, a is the base and b the exponent.",
            _power(forward=lambda a, b: b**a),
        ),
        Mistake(
            "The node names no children (its _prev is empty), so backward cannot reach a or b "
            "through it: each gets only the gradient of its other paths. Build it as "
            "Value(forward, (a, b), '**').",
            _power(children=""),
        ),
        Mistake(
            "The node names a as its only child: backward pairs _prev with _local_grads, so b's "
            "local derivative is never used and b gets nothing through the node. Name both: "
            "(a, b).",
            _power(children="a"),
        ),
        Mistake(
            "The children are (b, a) but the local derivatives are in the order (∂out/∂a, "
            "∂out/∂b): backward pairs them by position, so each child gets the other's slope. "
            "Keep one order in both.",
            _power(children="ba"),
        ),
        Mistake(
            "The local derivatives are 0: they were multiplied by out.grad, as micrograd's "
            "_backward does, but out.grad is still 0 while the graph is built. This engine "
            "multiplies by the node's gradient itself, in backward: _local_grads hold ∂out/∂a "
            "and ∂out/∂b alone.",
            _micrograd_habit,
        ),
        Mistake(
            "Your power is b · log(a) then exp, three nodes built with the engine's own "
            "operations: the gradients are right, but the task is one node with two children "
            "and its own local derivatives. Compute a.data ** b.data with floats, build "
            "Value(forward, (a, b), '**') and set its _local_grads.",
            lambda a, b: (b * a.log()).exp(),
        ),
        Mistake(
            "a ** b.data is the engine's power with a NUMBER exponent: one child, a, and b is a "
            "number to it, so b gets no gradient through the node. The task is the node with "
            "both a and b as children.",
            lambda a, b: a**b.data,
        ),
    ],
    errors={
        "AttributeError": VALUE_ATTRIBUTES,
        "TypeError: the exponent of ** must be a number": "The engine's ** takes a number "
        "exponent, and the task is the node for a Value one: compute the forward value with "
        "floats, a.data ** b.data, and build the node from it.",
        "TypeError: unsupported operand type(s) for ^": "^ is Python's exclusive or: the power "
        "is **.",
        "NotPlainData": "Return the node (a Value), and keep its local derivatives plain numbers "
        "computed from a.data and b.data: a local derivative built from Values (b * a ** ...) "
        "makes the gradients Values too.",
    },
    hints=[
        "Three numbers from a.data and b.data: the forward value a^b; ∂out/∂a, treating b as a "
        "fixed number (a power of a); ∂out/∂b, treating a as a fixed number (an exponential "
        "in b: write a^b = e^(b ln a)).",
        "∂out/∂a = b·a^(b − 1) and ∂out/∂b = a^b · ln a. Build the node as "
        "`out = Value(a.data ** b.data, (a, b), '**')`.",
        "Then `out._local_grads = (b.data * a.data ** (b.data - 1), out.data * "
        "math.log(a.data))`, one number per child in the order of (a, b), and `return out`.",
    ],
)
