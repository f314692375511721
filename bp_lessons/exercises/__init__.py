"""Checks for the exercise notebooks, one module per lesson, one Task per exercise question.

    from bp_lessons.exercises.neuron import q1, q2
    q1.check(sigmoid)   # ✓ or ✗ with a table of cases
    q1.hint()           # one hint per call, more specific each time
    q1.solution()       # the reference solution

An exercise notebook names its exercise in its metadata (`metadata["bp_lessons"]["exercise"]`,
e.g. "01_neuron"); `tasks(exercise)` gives that exercise's tasks in order, for the grader.
The copies of a graded course call `graded_course()` in their setup cell (`release --graded`).
"""

import importlib

from bp_lessons.exercises.check import Mistake, Task

# exercise id (the notebook's file name without .ipynb) -> the module holding its tasks
EXERCISES = {
    "01_neuron": "bp_lessons.exercises.neuron",
    "02_perceptron_xor": "bp_lessons.exercises.perceptron_xor",
    "03_loss": "bp_lessons.exercises.loss",
    "04_chain_rule": "bp_lessons.exercises.chain_rule",
    "05_layer": "bp_lessons.exercises.layer",
    "06_mlp_forward": "bp_lessons.exercises.mlp_forward",
    "07_backpropagation": "bp_lessons.exercises.backpropagation",
    "08_sgd": "bp_lessons.exercises.sgd",
    "09_mini_batch": "bp_lessons.exercises.mini_batch",
    "10_vectorized_digits": "bp_lessons.exercises.vectorized_digits",
    "11_computational_graph": "bp_lessons.exercises.computational_graph",
    "12_deep_networks": "bp_lessons.exercises.deep_networks",
    "13_classification": "bp_lessons.exercises.classification",
}


def graded_course(hints: bool = True) -> None:
    """From now on `q.solution()` says politely that solutions are off in this course, and, with
    hints=False, so does `q.hint()`. A graded copy's setup cell calls it; the checks still run."""
    from bp_lessons.exercises.check import COURSE

    COURSE.update(graded=True, hints=bool(hints))


def tasks(exercise: str) -> list[Task]:
    """The tasks of one exercise in order: q1, q2, ..."""
    if exercise not in EXERCISES:
        known = ", ".join(EXERCISES)
        raise ValueError(f"unknown exercise {exercise!r}: expected one of {known}")
    module = importlib.import_module(EXERCISES[exercise])
    found = [getattr(module, f"q{i}") for i in range(1, 10) if hasattr(module, f"q{i}")]
    return found


__all__ = ["EXERCISES", "Mistake", "Task", "graded_course", "tasks"]
