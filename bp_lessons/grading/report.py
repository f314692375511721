"""What the grader writes: results.json in Gradescope's format, and grades.csv for the class.

    DIR/<submission>/results.json   score, max_score, execution_time, output, tests[]: one test
                                    per task with name, number, score, max_score, status, output,
                                    visibility (https://gradescope-autograders.readthedocs.io)
    DIR/grades.csv                  one row per submission, one column per task, the total
    DIR/skipped.txt                 the files in the submitted folders that were not graded

DIR is made and opened (`open_folder`) before any submission runs; every file is written through
that handle after every sandboxed process is gone, never following a symbolic link: anything
planted there is replaced, not followed.
"""

import contextlib
import csv
import io
import json
import os
import stat
from pathlib import Path

from bp_lessons.exercises import EXERCISES, tasks
from bp_lessons.grading.collect import shown
from bp_lessons.grading.judge import Grade

VISIBILITY = "visible"  # Gradescope: "hidden", "after_due_date", "after_published", "visible"


def results_json(grade: Grade) -> dict:
    """One submission's results in Gradescope's format."""
    passed = sum(t.status == "passed" for t in grade.tasks)
    summary = f"Exercise {grade.exercise}: {passed} of {len(grade.tasks)} tasks passed, "
    summary += f"{grade.score:g}/{grade.max_score:g} points (all or nothing per task)."
    if grade.problem:
        summary = f"Not graded: {grade.problem}."
    if grade.note:
        summary += f"\n{grade.note}"
    return {
        "score": grade.score,
        "max_score": grade.max_score,
        "execution_time": round(grade.seconds, 3),
        "output": f"{summary}\nSubmission: {Path(grade.source).name}",
        "visibility": VISIBILITY,
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": f"Exercise {t.task.number}: {t.task.function}",
                "number": t.task.number,
                "score": t.score,
                "max_score": float(t.task.points),
                "status": "passed" if t.status == "passed" else "failed",
                "output": t.output,
                "visibility": VISIBILITY,
            }
            for t in grade.tasks
        ],
        "extra_data": {"exercise": grade.exercise, "statuses": [t.status for t in grade.tasks]},
    }


def grades_csv(grades: list[Grade]) -> str:
    """submission, file, exercise, one column per task (points), total, max_score, problem."""
    exercises = [e for e in EXERCISES if any(g.exercise == e for g in grades)]
    columns = [(e, task) for e in exercises for task in tasks(e)]
    header = ["submission", "file", "exercise"]
    header += [f"{task.number} {task.function}" for _, task in columns]
    header += ["total", "max_score", "problem"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for grade in sorted(grades, key=lambda g: g.name):
        scores = {(grade.exercise, t.task.number): f"{t.score:g}" for t in grade.tasks}
        flagged = [f"flagged {t.task.number}" for t in grade.tasks if t.status == "flagged"]
        problem = grade.problem or "; ".join(flagged)
        row = [grade.name, grade.source, grade.exercise or ""]
        row += [scores.get((e, task.number), "") for e, task in columns]
        row += [f"{grade.score:g}", f"{grade.max_score:g}", problem]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (a file may be named "=cmd|...")."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def open_folder(path: Path) -> int:
    """Make the output folder if needed and open it: a handle kept for the whole run, so that
    what becomes of the path meanwhile does not matter. NotADirectoryError if it is a file."""
    path.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def write_reports(root: int, grades: list[Grade], skipped: list[tuple[Path, str]]) -> None:
    """Each submission's results.json in its folder, grades.csv and skipped.txt, in `root`."""
    for grade in grades:
        folder = fresh_folder(root, grade.name)
        try:
            write(folder, "results.json", json.dumps(results_json(grade), indent=2))
        finally:
            os.close(folder)
    write(root, "grades.csv", grades_csv(grades))
    if skipped:
        write(root, "skipped.txt", "".join(f"{shown(path)}: {why}\n" for path, why in skipped))


def write_single(root: int, name: str, grade: Grade) -> None:
    """Gradescope's one results.json, for one submission."""
    write(root, name, json.dumps(results_json(grade), indent=2))


def fresh_folder(parent: int, name: str) -> int:
    """A handle on parent/name, a real folder: a link or file planted there is removed first."""
    try:
        if not stat.S_ISDIR(os.lstat(name, dir_fd=parent).st_mode):
            os.unlink(name, dir_fd=parent)
    except FileNotFoundError:
        pass
    with contextlib.suppress(FileExistsError):
        os.mkdir(name, 0o755, dir_fd=parent)
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)


def write(folder: int, name: str, text: str) -> None:
    """Write folder/name anew: a file or link there is removed, a folder moved aside."""
    try:
        if stat.S_ISDIR(os.lstat(name, dir_fd=folder).st_mode):
            os.rename(name, f"{name}.planted", src_dir_fd=folder, dst_dir_fd=folder)
        else:
            os.unlink(name, dir_fd=folder)
    except FileNotFoundError:
        pass
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(name, flags, 0o644, dir_fd=folder)
    with open(fd, "w", encoding="utf-8") as file:
        file.write(text)
