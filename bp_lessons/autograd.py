r"""A scalar reverse-mode autodiff engine, `Value` (lesson 11), with micrograd's names.

Each operation computes its result and, written under it, its **local derivatives**: one number
$\partial out / \partial child$ per input, kept in `out._local_grads` (the name of Karpathy's
microgpt). `backward` walks the graph from the output back to the leaves and applies the chain
rule at every node, $\frac{\partial L}{\partial child} \mathrel{+}= \frac{\partial out}{\partial
child} \cdot \frac{\partial L}{\partial out}$. A Value used in several places is reached along
several paths, and `+=` adds them up (lessons 05 and 07); it passes its gradient on only after
every node that uses it has, so by then the sum is complete.

Where micrograd keeps a closure `_backward` per node, this engine keeps the local derivatives as
numbers, computed once in the forward pass: the same rule, no function per node, and `backward`
is one loop. `_prev` is a tuple, in the order of `_local_grads` (micrograd's is a set).
"""

import math
from numbers import Real

from bp_lessons.activations import sigmoid


class Value:
    """A number that remembers how it was computed, so that `backward` can fill in `.grad`.

    `Value(2.0)`; then + − * / with Values or numbers on either side, `** number`, `exp`, `log`,
    `tanh`, `sigmoid`, `relu`. `y.backward()` adds ∂y/∂v to `v.grad` for every v that y depends
    on: the leaves' gradients add up over calls, as PyTorch's do, until you set them back to 0.
    """

    __slots__ = ("data", "grad", "_prev", "_op", "_local_grads")

    def __init__(self, data: float, _children: tuple = (), _op: str = "", _local_grads: tuple = ()):
        if type(data) is not float:  # the operations pass floats; only a user's value is checked
            data = _as_number(data)
        self.data = data
        self.grad = 0.0  # ∂(the Value backward was called on)/∂(this one)
        self._prev = _children  # the Values this one was computed from
        self._op = _op  # the operation that made it, for the drawings
        self._local_grads = _local_grads  # ∂self/∂child for each child: the local derivatives

    def __add__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")
        out._local_grads = (1.0, 1.0)  # add passes the gradient on to both inputs
        return out

    def __mul__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")
        out._local_grads = (other.data, self.data)  # multiply swaps the inputs
        return out

    def __sub__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), "-")
        out._local_grads = (1.0, -1.0)
        return out

    def __truediv__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")
        out._local_grads = (1.0 / other.data, -out.data / other.data)  # 1/b and −a/b²
        return out

    def __pow__(self, n: float) -> "Value":
        if isinstance(n, bool) or not isinstance(n, Real):
            raise TypeError(
                f"the exponent of ** must be a number (int or float), got {_what(n)}: "
                "for a Value exponent y write (y * x.log()).exp(), with x > 0"
            )
        result = self.data**n
        if isinstance(result, complex):
            raise ValueError(
                f"{self.data} ** {n} is not a real number: a negative base needs a whole exponent"
            )
        out = Value(result, (self,), f"**{n:g}")
        out._local_grads = (n * self.data ** (n - 1) if n else 0.0,)  # n x^(n − 1); x^0 is flat
        return out

    def __neg__(self) -> "Value":
        out = Value(-self.data, (self,), "neg")
        out._local_grads = (-1.0,)
        return out

    def exp(self) -> "Value":
        try:
            out = Value(math.exp(self.data), (self,), "exp")
        except OverflowError:
            raise OverflowError(
                f"exp({self.data}) is too large for a float (e^709.78 is the largest)"
            ) from None
        out._local_grads = (out.data,)  # e^x is its own derivative
        return out

    def log(self) -> "Value":
        if not self.data > 0:
            raise ValueError(f"log needs a positive number, got {self.data}")
        out = Value(math.log(self.data), (self,), "log")
        out._local_grads = (1.0 / self.data,)
        return out

    def tanh(self) -> "Value":
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")
        out._local_grads = (1.0 - t * t,)
        return out

    def sigmoid(self) -> "Value":
        s = sigmoid(self.data)  # no overflow at ±1000
        out = Value(s, (self,), "σ")
        out._local_grads = (s * (1.0 - s),)
        return out

    def relu(self) -> "Value":
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")
        out._local_grads = (1.0 if self.data > 0 else 0.0,)  # max routes: all or nothing
        return out

    def backward(self) -> None:
        """Add ∂self/∂v to v.grad for every Value v that self depends on (the chain rule)."""
        order = topological_order(self)  # every child before the nodes that use it
        for node in order:
            if node._prev:  # an inner node: its gradient is this pass's alone
                node.grad = 0.0
        self.grad += 1.0  # ∂self/∂self
        for node in reversed(order):  # a node after every node that uses it
            for child, local_grad in zip(node._prev, node._local_grads):
                child.grad += local_grad * node.grad

    def __radd__(self, other: float) -> "Value":  # other + self
        return self + other

    def __rmul__(self, other: float) -> "Value":  # other * self
        return self * other

    def __rsub__(self, other: float) -> "Value":  # other - self
        return Value(other) - self

    def __rtruediv__(self, other: float) -> "Value":  # other / self
        return Value(other) / self

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def topological_order(root: Value) -> list[Value]:
    """Every Value that root depends on, root included, each after all its children.

    A depth-first search with a stack of its own (a long sum is deeper than Python's limit of
    recursion): a node goes into the order once all its children are in it.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, children_placed = stack.pop()
        if children_placed:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))  # comes back to it after its children
            for child in node._prev:
                if child not in visited:
                    stack.append((child, False))
    return order


def _as_number(data: object) -> float:
    if isinstance(data, bool) or not isinstance(data, Real):
        raise TypeError(f"Value holds a number (an int or a float), got {_what(data)}")
    return float(data)


def _what(value: object) -> str:
    return f"{type(value).__name__} {value!r}"
