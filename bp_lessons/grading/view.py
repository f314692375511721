"""What the sandbox sees of bp_lessons: a copy for one task, holding nothing that decides a grade.

`build(folder, exercise, k)` writes folder/bp_lessons, the package as task k of the exercise
may use it:

    the lessons' modules    copied, except that each function or class the task may not use
                            (all that the exercise does not provide: exercises/provided.py)
                            keeps its name and signature but raises when called
                            (`calling.off_limits`); __init__ loads Neuron, Layer and MLP when
                            first used
    exercises/              calling.py (how a function is called; the other tasks' ways raise)
                            and feedback.py (how a value is described); the exercise's own
                            module rebuilt: q1, q2, ... as `GradedTask`s, every other function
                            or class as one that raises; nothing of the other exercises
    grading/                the child's own code: child, isolation, landlock, seccomp

The reference solutions, the known mistakes, the random cases and the judge are not in it, so
no import, reload, file read or `exec` inside the sandbox can reach them: the sandbox's walls
(sandbox.py) keep the real package out of sight.
"""

import ast
import functools
import importlib
from pathlib import Path

import bp_lessons
from bp_lessons.exercises import EXERCISES, tasks
from bp_lessons.exercises.calling import off_limits
from bp_lessons.exercises.provided import off_limits_names

PACKAGE = Path(bp_lessons.__file__).resolve().parent
# the package's own __init__ imports Neuron, Layer and MLP, and so NumPy, at once: here they load
# when first used, so that a task that needs no NumPy starts in a fraction of the time
LAZY_INIT = '''"""bp_lessons in the grader's sandbox: Neuron, Layer and MLP load when first used."""

import importlib

__version__ = "{version}"
__all__ = ["Layer", "MLP", "Neuron", "__version__"]
MODULES = {{"Layer": "bp_lessons.layer", "MLP": "bp_lessons.mlp", "Neuron": "bp_lessons.neuron"}}


def __getattr__(name):
    if name in MODULES:
        return getattr(importlib.import_module(MODULES[name]), name)
    raise AttributeError(f"module 'bp_lessons' has no attribute {{name!r}}")
'''
EXERCISES_INIT = '''"""The checks in the grader's sandbox: how a function is called, no more."""


def graded_course(hints=True):
    """A graded copy's setup cell calls it; in the grader there is nothing to switch off."""
'''
KEPT = {  # beyond the lessons' modules (bp_lessons/*.py), copied as they are
    "exercises": ["calling.py", "feedback.py"],
    "grading": ["child.py", "isolation.py", "landlock.py", "seccomp.py"],
}


def build(folder: Path, exercise: str, k: int) -> Path:
    """Write the view for task k (1, 2, ...) of `exercise` into folder; returns folder."""
    for relative, source in files(exercise, k):
        path = folder / "bp_lessons" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return folder


@functools.cache  # the same for every run in this process: the package does not change
def files(exercise: str, k: int) -> tuple[tuple[str, str], ...]:
    """The view's files for task k of `exercise`: (path inside bp_lessons/, source) each."""
    task = tasks(exercise)[k - 1]
    forbidden: dict[str, list[str]] = {}  # module name -> the names in it that raise
    for name in off_limits_names(exercise, task.number):  # task.forbidden included
        module, _, attribute = name.rpartition(".")
        forbidden.setdefault(module, []).append(attribute)
    found = []
    for path in sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py"):
        module = f"bp_lessons.{path.stem}"
        source = path.read_text(encoding="utf-8")
        if forbidden.get(module):
            source = raising(source, module, forbidden[module], task.number)
        found.append((path.name, source))
    for sub, names in KEPT.items():
        for name in names:
            source = (PACKAGE / sub / name).read_text(encoding="utf-8")
            module = f"bp_lessons.{sub}.{name[:-3]}"
            if forbidden.get(module):  # calling.py: the other tasks' ways of calling
                source = raising(source, module, forbidden[module], task.number)
            found.append((f"{sub}/{name}", source))
    found.append(("__init__.py", LAZY_INIT.format(version=bp_lessons.__version__)))
    found.append(("grading/__init__.py", '"""The child\'s side of bp-grade."""\n'))
    found.append(("exercises/__init__.py", EXERCISES_INIT))
    module = EXERCISES[exercise]
    name = f"exercises/{module.rpartition('.')[2]}.py"
    found.append((name, exercise_module(exercise, module, task.number)))
    return tuple(found)


def raising(source: str, module: str, names: list[str], number: str) -> str:
    """The module's source with each function or class in `names` raising when called."""
    tree = ast.parse(source)
    found = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            found.add(node.name)
            statement = raise_statement(off_limits(f"{module}.{node.name}", number))
            if isinstance(node, ast.ClassDef):
                node.body.append(ast.parse("def __init__(self, *args, **kwargs): pass").body[0])
            for function in [node] if isinstance(node, ast.FunctionDef) else node.body:
                if isinstance(function, ast.FunctionDef):
                    function.body = [statement]  # a class: every method, __init__ last
    missing = sorted(set(names) - found)
    if missing:  # a task that forbids what does not exist forbids nothing: a bug in the checks
        raise ValueError(f"Exercise {number} forbids {module}.{missing[0]}, which is not defined")
    callers(tree, module, found, number)
    header = f"# made by bp-grade for Exercise {number}: see bp_lessons.grading.view\n"
    return header + ast.unparse(tree) + "\n"


def callers(tree: ast.Module, module: str, forbidden: set[str], number: str) -> None:
    """Make raise every function and method of the module whose code names what is forbidden
    (and so on, until none is left): an answer that put a forbidden helper back (`autograd.
    topological_order = mine`) would else bring its callers back to life (`Value.backward`)."""
    stubbed = set(forbidden)
    while True:
        found = []
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name not in stubbed:
                found += [(node, node.name, True)] if names_in(node) & stubbed else []
            elif isinstance(node, ast.ClassDef) and node.name not in stubbed:
                found += [
                    (method, f"{node.name}.{method.name}", False)
                    for method in node.body
                    if isinstance(method, ast.FunctionDef)
                    and not is_stub(method)
                    and names_in(method) & stubbed
                ]
        if not found:
            return
        for function, name, top in found:
            function.body = [raise_statement(off_limits(f"{module}.{name}", number))]
            if top:
                stubbed.add(name)


def names_in(function: ast.FunctionDef) -> set[str]:
    return {node.id for node in ast.walk(function) if isinstance(node, ast.Name)}


def is_stub(function: ast.FunctionDef) -> bool:
    return len(function.body) == 1 and isinstance(function.body[0], ast.Raise)


def raise_statement(message: str) -> ast.stmt:
    return ast.parse(f"raise RuntimeError({message!r})").body[0]


def exercise_module(exercise: str, module: str, number: str) -> str:
    """The exercise's module as the sandbox has it: its tasks as GradedTasks, nothing else."""
    real = importlib.import_module(module)
    tree = ast.parse(Path(real.__file__).read_text(encoding="utf-8"))
    lines = [
        f'"""Exercise {exercise} in the grader\'s sandbox: its tasks, without their checks."""',
        "from bp_lessons.exercises.calling import GradedTask",
    ]
    for k, task in enumerate(tasks(exercise), 1):
        lines.append(f"q{k} = GradedTask({task.number!r}, {task.function!r})")
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            message = off_limits(f"{module}.{node.name}", number)
            lines += [f"def {node.name}(*args, **kwargs):", f"    raise RuntimeError({message!r})"]
    return "\n".join(lines) + "\n"
