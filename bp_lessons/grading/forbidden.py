"""What the graded cells use, read from their syntax tree in the judge (the code is not run here).

A task is flagged, and scores 0, when the cells that run for it
  - import what the task asks the learner to write: a name in `task.forbidden`, or any task's
    reference solution, however it is reached (`from bp_lessons.neuron import neuron_forward`,
    `import bp_lessons.neuron as n` then `n.neuron_forward`, `from bp_lessons import *`, ...);
  - use `bp_lessons.exercises` (the checks hold the reference solutions) other than importing
    the tasks and calling `qN.check(...)`, `qN.hint()` or `qN.solution()`;
  - use introspection that reaches objects without naming them (`__import__`, `importlib`,
    `gc`, `eval`, `sys.modules`, `__subclasses__`, a bp_lessons module passed around, ...).
Plain answers never need these. The sandbox adds dynamic checks of its own (see child.py).
"""

import ast
import sys

from bp_lessons.exercises import Task
from bp_lessons.grading.notebook import Cell

EXERCISES_PACKAGE = "bp_lessons.exercises"
CHECK_METHODS = {"check", "hint", "solution"}
INTROSPECTION_MODULES = {
    "importlib", "gc", "ctypes", "inspect", "builtins", "marshal", "pickle", "runpy", "pkgutil",
    "zipimport", "imp", "dill", "cloudpickle",
}  # fmt: skip
INTROSPECTION_NAMES = {
    "__import__", "__builtins__", "__loader__", "__spec__", "vars", "globals", "exec", "eval",
    "compile", "breakpoint",
}  # fmt: skip
INTROSPECTION_ATTRIBUTES = {
    "_getframe", "f_back", "f_globals", "f_locals", "gi_frame", "tb_frame", "__subclasses__",
    "__globals__", "__code__", "__closure__", "__wrapped__", "__dict__", "__bases__", "__base__",
    "__mro__", "__self__", "__func__", "__defaults__", "__kwdefaults__", "__getattribute__",
}  # fmt: skip
NOTE = ": answers do not need it, and it can reach the reference solutions"


def flags(task: Task, references: list[object], cells: list[Cell]) -> list[str]:
    """Why this task is flagged (an empty list when it is not)."""
    off_limits = [obj for obj in [*map(resolve, task.forbidden), *references] if obj is not None]
    trees = [(cell, parse(cell.source)) for cell in cells]
    bindings: dict[str, str] = {}  # local name -> fully qualified name, from every import
    for _, tree in trees:
        bindings.update(imported_names(tree))
    found, seen = [], set()
    for cell, tree in trees:
        for how, name in used_names(tree, bindings):
            prefixes = [".".join(name.split(".")[:i]) for i in range(2, name.count(".") + 2)]
            hit = next((p for p in prefixes for obj in off_limits if resolve(p) is obj), None)
            if hit and hit not in seen:
                seen.add(hit)
                found.append(f"{how} {hit} (Exercise {task.number} asks you to write your own)")
            elif not hit and reaches_exercises(how, name):
                found.append(f"cell {cell.grade_id} uses {name} (the checks and solutions)")
        found += [f"cell {cell.grade_id} {why}{NOTE}" for why in introspection(tree, bindings)]
    return list(dict.fromkeys(found))


def parse(source: str) -> ast.AST | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # the sandbox cannot compile it either, so it never runs


def nodes(tree: ast.AST | None) -> list[tuple[ast.AST, ast.AST | None]]:
    """Every node of the tree with its parent."""
    if tree is None:
        return []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    return [(node, parents.get(node)) for node in ast.walk(tree)]


def imported_names(tree: ast.AST | None) -> dict[str, str]:
    """Names bound by imports: {"nf": "bp_lessons.neuron.neuron_forward", "np": "numpy"}."""
    bound = {}
    for node, _ in nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                bound[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name == "*":
                    bound.update(star_import(node.module))
                else:
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def star_import(module_name: str) -> dict[str, str]:
    module = sys.modules.get(module_name) if module_name.startswith("bp_lessons") else None
    names = getattr(module, "__all__", None) or [n for n in vars(module or {}) if n[0] != "_"]
    return {name: f"{module_name}.{name}" for name in names}


def used_names(tree: ast.AST | None, bindings: dict[str, str]) -> list[tuple[str, str]]:
    """("imports" or "uses", qualified name) for what this cell imports, or reaches through the
    attributes of imported names."""
    used = []
    for node, parent in nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = imported_names(ast.Module(body=[node], type_ignores=[])).values()
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            used += [("imports", name) for name in names]
        elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            if isinstance(parent, ast.Attribute):
                continue  # only the whole chain a.b.c counts, not a.b inside it
            chain = attribute_chain(node)
            if chain and chain[0] in bindings:
                used.append(("uses", ".".join([bindings[chain[0]], *chain[1:]])))
    return used


def attribute_chain(node: ast.AST) -> list[str]:
    """`a.b.c` -> ["a", "b", "c"]; [] when the chain does not start at a plain name."""
    attributes = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    return [node.id, *reversed(attributes)] if isinstance(node, ast.Name) else []


def introspection(tree: ast.AST | None, bindings: dict[str, str]) -> list[str]:
    """What in this cell reaches objects without naming them."""
    found = []
    for node, parent in nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = imported_names(ast.Module(body=[node], type_ignores=[])).values()
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else names
            found += [f"imports {m}" for m in modules if m.split(".")[0] in INTROSPECTION_MODULES]
            found += [f"imports {n}" for n in names if n in ("sys.modules", "sys._getframe")]
        elif isinstance(node, ast.Name) and node.id in INTROSPECTION_NAMES:
            found.append(f"uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in INTROSPECTION_ATTRIBUTES:
            found.append(f"uses .{node.attr}")
        elif isinstance(node, ast.Attribute) and node.attr == "modules":
            if attribute_chain(node.value) and bindings.get(attribute_chain(node)[0]) == "sys":
                found.append("uses sys.modules")
        elif isinstance(node, ast.Name) and is_bp_module(bindings.get(node.id, "")):
            if not isinstance(parent, ast.Attribute):
                found.append(f"passes the module {bindings[node.id]} around as a value")
        elif isinstance(node, ast.Call) and attribute_chain(node.func)[-1:] == ["getattr"]:
            name = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                found.append("calls getattr with a computed attribute name")
            elif name.value.startswith("__") or name.value in INTROSPECTION_ATTRIBUTES:
                found.append(f"uses getattr(..., {name.value!r})")
    return found


def is_bp_module(name: str) -> bool:
    return name.split(".")[0] == "bp_lessons" and type(sys.modules.get(name)) is type(sys)


def reaches_exercises(how: str, name: str) -> bool:
    """bp_lessons.exercises or anything in it, but importing a task (q1) and calling its check,
    hint or solution."""
    inside = name == EXERCISES_PACKAGE or name.startswith(EXERCISES_PACKAGE + ".")
    allowed = name.split(".")[-1] in CHECK_METHODS or (
        how == "imports" and isinstance(resolve(name), Task)
    )
    return inside and not allowed


def resolve(name: str) -> object:
    """The object a qualified bp_lessons name refers to, looked up only in loaded modules."""
    parts = name.split(".")
    if parts[0] != "bp_lessons":
        return None
    for split in range(len(parts), 0, -1):
        obj = sys.modules.get(".".join(parts[:split]))
        if obj is None:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute, None)
            if obj is None:
                return None
        return obj
    return None
