"""Answers that copy a reference solution: the same syntax tree once names are set aside.

`q.solution()` shows the reference, and the package holds it, so a learner can copy it. The
grader cannot tell a copy from an answer written alike, so it only marks it for the instructor
to look at (grades.csv, the gradebook), never in the learner's feedback and never at a cost of
points. Two functions are the same when their trees are equal after their docstrings are dropped
and their own names (the function, its arguments, its local variables) are replaced by
positions: `def f(z): s = g(z)` and `def h(x): y = g(x)` match; a different call, constant or
operator does not.
"""

import ast
import inspect
import threading
from collections.abc import Callable

LOCK = threading.Lock()
MIN_NODES = 40  # the syntax tree's nodes; `s = sigmoid(z)` then `return s * (1 - s)` has 27


def normalized(function: ast.FunctionDef) -> str:
    """The function's tree with its docstring dropped and its own names numbered."""
    fresh = ast.parse(ast.unparse(function)).body[0]  # a copy to change
    body = fresh.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        fresh.body = body[1:] or [ast.Pass()]
    fresh.decorator_list, fresh.returns = [], None
    local = {arg.arg for arg in ast.walk(fresh.args) if isinstance(arg, ast.arg)}
    for node in ast.walk(fresh):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local.add(node.id)
    numbers = {fresh.name: "_f"}
    fresh.name = "_f"
    for node in ast.walk(fresh):
        if isinstance(node, ast.arg):
            node.arg, node.annotation = numbers.setdefault(node.arg, f"_v{len(numbers)}"), None
        elif isinstance(node, ast.Name) and node.id in local:
            node.id = numbers.setdefault(node.id, f"_v{len(numbers)}")
    return ast.dump(fresh, annotate_fields=False, include_attributes=False)


def definition(sources: list[str], name: str) -> ast.FunctionDef | None:
    """The last top-level `def name` in these cells (the one the grader calls)."""
    found = None
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                found = node
    return found


def copies_reference(sources: list[str], name: str, reference: Callable) -> bool:
    """Does the learner's `def name` in these cells match the reference, names aside? Only
    for a body of MIN_NODES or more: a one-line answer is written alike by many."""
    with LOCK:  # CPython's ast is not safe across threads (a SystemError in 3.11): one at a time
        return same_tree(sources, name, reference)


def same_tree(sources: list[str], name: str, reference: Callable) -> bool:
    learner = definition(sources, name)
    if learner is None or sum(1 for _ in ast.walk(learner)) < MIN_NODES:
        return False
    try:
        theirs = definition([inspect.getsource(reference)], reference.__name__)
        return theirs is not None and normalized(learner) == normalized(theirs)
    except Exception:  # noqa: BLE001 a tree Python cannot unparse (ValueError), a source not found
        return False  # the flag is advice to the instructor: without it, the grade stands
