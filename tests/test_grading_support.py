"""Submissions for the grader's tests: exercise notebooks built as the exercise contract says.

The other test_grading* modules import these helpers; the tests here check the helpers
themselves (a notebook they build is valid and has the contract's cells).
"""

import inspect
import json
from pathlib import Path

import nbformat

from bp_lessons.exercises import EXERCISES, tasks
from bp_lessons.grading.cli import main

EXERCISE = "01_neuron"
SETUP = "import math\n\nfrom bp_lessons.exercises.neuron import q1, q2\n"


def solution(task) -> str:
    """The reference's own source, as a learner who got it right would write it."""
    return inspect.getsource(task.reference)


def stub(task) -> str:
    """What the student copy holds: the signature and a NotImplementedError."""
    signature = inspect.signature(task.reference)
    return (
        f"def {task.function}{signature}:\n"
        f'    raise NotImplementedError("Exercise {task.number}: write {task.function}")\n'
    )


def notebook(
    answers: dict[int, str] | None = None,
    exercise: str = EXERCISE,
    setup: str = SETUP,
    scratch: str | None = None,
) -> nbformat.NotebookNode:
    """An exercise notebook: title, setup cell, then per task instructions, answer and check.

    answers[k] replaces task k's answer (default: the stub); exercise is the metadata's id.
    """
    known = tasks(exercise) if exercise in EXERCISES else tasks(EXERCISE)
    answers = answers or {}
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["bp_lessons"] = {"exercise": exercise}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# Exercise {exercise}"))
    nb.cells.append(code(setup, "setup", grade=False, solution=False))
    for k, task in enumerate(known, 1):
        text = nbformat.v4.new_markdown_cell(f"Write `{task.function}`.")
        text.metadata["nbgrader"] = nbgrader(f"q{k}_text", grade=False, solution=False)
        nb.cells.append(text)
        nb.cells.append(code(answers.get(k, stub(task)), f"q{k}", grade=False, solution=True))
        check = code(f"q{k}.check({task.function})", f"q{k}_check", grade=True, solution=False)
        check.metadata["nbgrader"]["points"] = task.points
        nb.cells.append(check)
    if scratch is not None:
        nb.cells.append(nbformat.v4.new_code_cell(scratch))  # a learner's own cell: not graded
    return nb


def code(source: str, grade_id: str, grade: bool, solution: bool) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = nbgrader(grade_id, grade, solution)
    return cell


def nbgrader(grade_id: str, grade: bool, solution: bool) -> dict:
    return {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "solution": solution,
        "task": False,
        "schema_version": 3,
    }


def correct(exercise: str = EXERCISE) -> nbformat.NotebookNode:
    return notebook({k: solution(t) for k, t in enumerate(tasks(exercise), 1)}, exercise)


def save(folder: Path, name: str, content: nbformat.NotebookNode | bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    else:
        nbformat.write(content, path)
    return path


def grade(tmp_path: Path, submissions: dict[str, object], *options: str) -> dict[str, dict]:
    """Run `bp-grade` on these submissions (file name -> content); results.json by folder name."""
    folder = tmp_path / "submissions"
    for name, content in submissions.items():
        save(folder, name, content)
    out = tmp_path / "graded"
    assert main([str(folder), "--out", str(out), "--timeout", "5", *options]) == 0
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/results.json")}


def outputs(results: dict) -> str:
    return "\n".join(test["output"] for test in results["tests"])


# --- the helpers themselves -------------------------------------------------------------


def test_a_built_notebook_is_valid_and_follows_the_contract():
    nb = notebook()
    nbformat.validate(nb)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert ids == [None, "setup", "q1_text", "q1", "q1_check", "q2_text", "q2", "q2_check"]
    assert nb.metadata["bp_lessons"] == {"exercise": "01_neuron"}
    assert nb.cells[4].source == "q1.check(sigmoid)" and nb.cells[4].metadata.nbgrader.points == 1


def test_the_solutions_pass_and_the_stubs_are_not_attempted_in_this_process():
    for make, status in ((solution, "passed"), (stub, "not attempted")):
        namespace: dict = {}
        exec(SETUP, namespace)
        for task in tasks(EXERCISE):
            exec(make(task), namespace)
        for task in tasks(EXERCISE):
            assert task.evaluate(namespace[task.function]).status == status
