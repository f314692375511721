"""Exercise 11 · The computational graph: a new operation with its local derivative, the
backward pass of the Value engine, and the gradient of a weight used twice, derived by hand.

A node keeps ∂node/∂child for each child (`_local_grads`, in the order of `_prev`); backward
visits every node after all the nodes that use it and adds local derivative × the node's gradient
into each child's: a Value used twice gets the sum of both paths.
"""

import math

from bp_lessons.autograd import Value, topological_order
from bp_lessons.exercises.calling import EXPRESSIONS, a_new_operation, backward_on_a_graph
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
