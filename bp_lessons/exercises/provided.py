"""What an exercise gives the learner of the package, and all that it reaches; the rest of the
package is off limits while a task is checked, in the notebook and in the grader alike.

A list of what each task forbids can never be complete: the package holds many ways to compute
an answer (a layer of the matrix form gives a neuron's output, a plotting helper a decision
line). So the rule is the other way round. Each exercise names what its setup cell hands out
(`PROVIDED`, checked against the source notebooks by tests/test_release.py); everything those
reach when they run (the functions and classes their code names, its defaults, its tables) is
allowed too, and so is what the check's own way of calling the task needs (`calling.py`).
Every other function and class of the lessons' modules raises "off limits" while the learner's
function runs: in the notebook its code is swapped for the duration (check.py), in the grader
its body is replaced in the copy of the package the sandbox sees (grading/view.py).
"""

import functools
import importlib
import os
import pkgutil
import sys
import types

from bp_lessons.exercises import calling

PROVIDED: dict[str, tuple[str, ...]] = {
    "01_neuron": (),
    "02_perceptron_xor": ("bp_lessons.datasets",),
    "03_loss": (),
    "04_chain_rule": ("bp_lessons.activations.sigmoid",),
    "05_layer": ("bp_lessons.activations.sigmoid", "bp_lessons.activations.sigmoid_derivative"),
    "06_mlp_forward": ("bp_lessons.datasets", "bp_lessons.layer.layer_forward"),
    "07_backpropagation": (
        "bp_lessons.activations.sigmoid",
        "bp_lessons.activations.sigmoid_derivative",
    ),
    "08_sgd": (
        "bp_lessons.datasets",
        "bp_lessons.activations.sigmoid",
        "bp_lessons.activations.sigmoid_derivative",
    ),
    "09_mini_batch": (
        "bp_lessons.mlp.MLP",
        "bp_lessons.datasets",
        "bp_lessons.losses.mse_loss",
        "bp_lessons.losses.mse_loss_gradient",
    ),
    "10_vectorized_digits": (),
    "11_computational_graph": ("bp_lessons.autograd.Value",),
    # q3's network (built by the check); q2 forbids it: it draws starting weights
    "12_deep_networks": (
        "bp_lessons.vectorized.VectorizedMLP",
        "bp_lessons.losses.mse_loss_gradient",
    ),
    "13_classification": (),
}
# the lessons' modules (every module of the package but the checks and the grader, new ones
# included): everything in them a task does not provide is off limits
LESSON_MODULES = tuple(
    module.name
    for module in pkgutil.iter_modules([os.path.dirname(__file__) + "/.."])
    if not module.ispkg
)
# what every check needs of calling.py; its other functions call one task each
CALLING_ALWAYS = {
    "call_on",
    "to_plain",
    "as_data",
    "differs",
    "off_limits",
    "GradedTask",
    "prepare_for_sandbox",  # the grader's sandbox calls it before any cell runs
}


def resolve(name: str) -> object:
    """The object a qualified name such as "bp_lessons.activations.sigmoid" refers to."""
    module, _, attribute = name.rpartition(".")
    try:
        return importlib.import_module(name)
    except ImportError:
        return getattr(importlib.import_module(module), attribute)


def ours(obj: object) -> bool:
    name = getattr(obj, "__name__" if isinstance(obj, types.ModuleType) else "__module__", "")
    return isinstance(name, str) and name.startswith("bp_lessons.")


def reachable(roots: list[object]) -> set[int]:
    """The ids of every function and class of the package that these objects reach when they
    run: what their code names, their defaults and closures, the tables they look up."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        if isinstance(obj, (dict, list, tuple, set, frozenset)):
            seen.add(id(obj))
            stack += list(obj.values()) if isinstance(obj, dict) else list(obj)
            continue
        if not ours(obj):
            continue
        seen.add(id(obj))
        if isinstance(obj, types.ModuleType):  # a module handed out: all of it
            stack += [
                v for v in vars(obj).values() if getattr(v, "__module__", None) == obj.__name__
            ]
        elif isinstance(obj, type):
            stack += [getattr(v, "__func__", getattr(v, "fget", v)) for v in vars(obj).values()]
            stack += [base for base in obj.__bases__ if base is not object]
        elif isinstance(obj, types.FunctionType):
            stack += list(obj.__defaults__ or ()) + list((obj.__kwdefaults__ or {}).values())
            stack += [cell.cell_contents for cell in obj.__closure__ or () if cell_filled(cell)]
            stack += referenced(obj)
    return seen


def cell_filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018
        return True
    except ValueError:
        return False


def referenced(function: types.FunctionType) -> list[object]:
    """The globals a function's code (nested code included) names, and their attributes it
    names (`act.sigmoid` after `import bp_lessons.activations as act`)."""
    names: set[str] = set()
    codes = [function.__code__]
    while codes:
        code = codes.pop()
        names |= set(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    found = [function.__globals__[n] for n in names if n in function.__globals__]
    for module in [m for m in found if isinstance(m, types.ModuleType) and ours(m)]:
        found += [getattr(module, n) for n in names if hasattr(module, n)]
    return found


@functools.cache
def off_limits_names(exercise: str, number: str) -> tuple[str, ...]:
    """The qualified names of every function and class of the lessons' modules, and of the
    calls in calling.py, that task `number` of `exercise` does not reach: off limits."""
    return off_limits_in(exercise, number, LESSON_MODULES)


def off_limits_loaded(exercise: str, number: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the notebook's check needs, without importing a module the learner has not: the
    off-limits names in the lessons' modules loaded now, and the lessons' modules not loaded.

    Nothing a task provides lives in a module that neither its exercise's checks nor the names its
    setup cell hands out load (a test holds this), so
    every function and class of a module not loaded is off limits: the check makes them raise if
    the learner's function imports one, and matplotlib and the widgets stay unloaded until then.
    """
    for name in PROVIDED[exercise]:  # what the setup cell hands out is loaded by then
        resolve(name)
    loaded = tuple(m for m in LESSON_MODULES if f"bp_lessons.{m}" in sys.modules)
    unloaded = tuple(f"bp_lessons.{m}" for m in LESSON_MODULES if m not in loaded)
    if not unloaded:
        return off_limits_names(exercise, number), ()
    return off_limits_among(exercise, number, loaded), unloaded


@functools.cache
def off_limits_among(exercise: str, number: str, modules: tuple[str, ...]) -> tuple[str, ...]:
    return off_limits_in(exercise, number, modules)


def off_limits_in(exercise: str, number: str, modules: tuple[str, ...]) -> tuple[str, ...]:
    """off_limits_names, over these lessons' modules (and calling.py) only."""
    from bp_lessons.exercises import tasks  # not at import: tasks imports the exercise modules

    task = next(t for t in tasks(exercise) if t.number == number)
    roots = [resolve(name) for name in PROVIDED[exercise]]
    roots += [getattr(calling, name) for name in CALLING_ALWAYS]
    roots += [task.call] if task.call else []
    allowed = reachable(roots)
    found = []
    for module in [f"bp_lessons.{m}" for m in modules] + [calling.__name__]:
        for name, obj in vars(importlib.import_module(module)).items():
            own = isinstance(obj, (type, types.FunctionType)) and obj.__module__ == module
            if (
                own and obj.__name__ == name and id(obj) not in allowed
            ):  # defined here, not an alias
                found.append(f"{module}.{name}")
    return tuple(sorted(set(found) | set(task.forbidden)))


def exercise_of(task: object) -> str | None:
    """The exercise id of a task of the series (None for a task made elsewhere, as in tests)."""
    from bp_lessons.exercises import EXERCISES

    module = getattr(getattr(task, "reference", None), "__module__", None)
    found = [exercise for exercise, name in EXERCISES.items() if name == module]
    return found[0] if found else None
