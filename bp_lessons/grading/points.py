"""Points per task, the same in nbgrader, Gradescope and bp-grade.

A task's points are the `points` of its check cell's nbgrader metadata in the source notebook,
as nbgrader reads them. The committed sources and the checks agree (tests/test_release.py), so
by default bp-grade uses the checks' own (`Task.points`). An instructor who changes the points in
a source notebook gives bp-grade that notebook, or its folder (`--points-from`): the points are
read from the instructor's files, never from a submission, which a student could edit.
"""

import json
from dataclasses import replace
from pathlib import Path

from bp_lessons.exercises import EXERCISES, Task, tasks

Table = dict[str, dict[int, float]]  # exercise -> {k: points of task k}


def read_points(path: Path) -> Table:
    """The points table of a source notebook, a folder of them, or a JSON file (`save_points`)."""
    if path.suffix == ".json":
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {e: {int(k): float(p) for k, p in table.items()} for e, table in raw.items()}
    files = [path] if path.is_file() else sorted(path.rglob("*.ipynb"))
    table: Table = {}
    for file in files:
        notebook = json.loads(file.read_text(encoding="utf-8"))
        exercise = notebook.get("metadata", {}).get("bp_lessons", {}).get("exercise")
        if exercise not in EXERCISES:
            continue
        for cell in notebook.get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            grade_id = str(meta.get("grade_id", ""))
            if meta.get("grade") and grade_id.startswith("q") and grade_id.endswith("_check"):
                points = float(meta.get("points", 0))
                if points < 0:
                    raise ValueError(f"{file}: {grade_id} has negative points ({points})")
                table.setdefault(exercise, {})[int(grade_id[1:-6])] = points
    if not table:
        raise ValueError(f"{path}: no exercise notebook with nbgrader check cells")
    return table


def save_points(table: Table) -> str:
    return json.dumps({e: {str(k): p for k, p in t.items()} for e, t in table.items()}, indent=1)


def graded_tasks(exercise: str, table: Table | None = None) -> list[Task]:
    """The exercise's tasks, each with the points of `table` where it gives them."""
    given = (table or {}).get(exercise, {})
    return [
        replace(task, points=given[k]) if k in given else task
        for k, task in enumerate(tasks(exercise), 1)
    ]
