"""What the grader writes: results.json in Gradescope's format, grades.csv for the submissions.

    DIR/<submission>/results.json   score, max_score, execution_time, output, tests[]: one test
                                    per task with name, number, score, max_score, status, output
                                    (Markdown: output_format "md"), visibility
                                    (https://gradescope-autograders.readthedocs.io/en/latest/specs/)
    DIR/grades.csv                  one row per submission, one column per task, the total
    DIR/skipped.txt                 the files in the submitted folders that were not graded
    DIR/run.json                    the run: its id, its secret seed (for `--seed`; no other
                                    file holds it), exercises, sandbox, version

(gradebook.py writes the per-student files beside them.) A folder of results left by an earlier
run into the same DIR whose submission is gone is removed, so no stale result survives.

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
import unicodedata
from pathlib import Path

from bp_lessons.exercises import EXERCISES, tasks
from bp_lessons.grading.collect import shown
from bp_lessons.grading.judge import Grade, not_graded
from bp_lessons.grading.points import Table
from bp_lessons.grading.verdict import inert

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's
RESULTS = "results.json"


def whole_seconds(seconds: float) -> float:
    """The time a student reads, in whole seconds: the submission decides how long it runs
    after it got the secret random cases, so in milliseconds the time could carry one of them
    (`time.sleep(z / 10)`) into the report; in seconds it carries a few bits at most."""
    return float(round(seconds))


def results_json(grade: Grade, visibility: str = "visible", run: str | None = None) -> dict:
    """One submission's results in Gradescope's format; `visibility` for every test; `run`,
    the run's id (run.json's "run"): never its seed, which only run.json holds."""
    passed = sum(t.status == "passed" for t in grade.tasks)
    summary = f"Exercise {grade.exercise}: {passed} of {len(grade.tasks)} tasks passed, "
    summary += f"{grade.score:g}/{grade.max_score:g} points (all or nothing per task)."
    if grade.problem:
        summary = f"Not graded: {inert(grade.problem, 2000)}."
    if grade.note:
        summary += f"\n{grade.note}"
    return {
        "score": grade.score,
        "max_score": grade.max_score,
        "execution_time": whole_seconds(grade.seconds),
        "output": f"{summary}\n\nSubmission: {inert(Path(grade.source).name, 300)}",
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": f"Exercise {t.task.number}: {t.task.function}",
                "number": t.task.number,
                "score": t.score,
                "max_score": float(t.task.points),
                "status": "passed" if t.status == "passed" else "failed",
                "output": t.output,
                "output_format": "md",
                "visibility": visibility,
            }
            for t in grade.tasks
        ],
        "extra_data": {
            "exercise": grade.exercise,
            "statuses": [t.status for t in grade.tasks],
            "run": run,
        },
    }


def unwritten(grade: Grade, error: Exception) -> dict:
    """A results.json for a grade whose full report could not be made: its score, and why."""
    return {
        "score": grade.score,
        "max_score": grade.max_score,
        "output": (
            f"Graded {grade.score:g}/{grade.max_score:g}, but this report could not be "
            f"written in full ({type(error).__name__}: {error}): ask for it."
        ),
        "visibility": "visible",
        "stdout_visibility": "hidden",
    }


def failed_results(exercises: list[str], points: Table | None, why: str) -> dict:
    """Gradescope's results.json when grading could not run at all: 0 per task, and why."""
    parts = [not_graded("submission", "", e, why, points) for e in exercises]
    tests = [test for part in parts for test in results_json(part)["tests"]]
    return {
        "score": 0.0,
        "max_score": sum(t["max_score"] for t in tests),
        "output": f"This submission could not be graded: {why}. Nothing was scored; ask your "
        "instructor to regrade it.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def grades_csv(grades: list[Grade]) -> str:
    """submission, student, file, exercise, one column per task (points), total, max_score,
    problem, review (answers that copy a reference, for the instructor to look at)."""
    exercises = [e for e in EXERCISES if any(g.exercise == e for g in grades)]
    columns = [(e, task) for e in exercises for task in tasks(e)]
    header = ["submission", "student", "file", "exercise"]
    header += [f"{task.number} {task.function}" for _, task in columns]
    header += ["total", "max_score", "problem", "review"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for grade in sorted(grades, key=lambda g: g.name):
        scores = {(grade.exercise, t.task.number): f"{t.score:g}" for t in grade.tasks}
        flagged = [f"flagged {t.task.number}" for t in grade.tasks if t.status == "flagged"]
        problem = grade.problem or "; ".join(flagged)
        review = "; ".join(t.review for t in grade.tasks if t.review)
        row = [grade.name, grade.student, grade.source, grade.exercise or ""]
        row += [scores.get((e, task.number), "") for e, task in columns]
        row += [f"{grade.score:g}", f"{grade.max_score:g}", problem, review]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (a file may be named "=cmd|...", or
    " =cmd|..." for a spreadsheet that skips leading spaces, a no-break space among them, or
    "＝cmd", a full-width sign that one may read as "=")."""
    first = unicodedata.normalize("NFKC", cell.lstrip()[:1])
    return "'" + cell if first in ("=", "+", "-", "@") or cell[:1] in ("\t", "\r") else cell


def open_folder(path: Path) -> int:
    """Make the output folder if needed and open it: a handle kept for the whole run, so that
    what becomes of the path meanwhile does not matter. NotADirectoryError if it is a file."""
    path.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def write_reports(
    root: int,
    grades: list[Grade],
    skipped: list[tuple[Path, str]],
    run: dict,
    visibility: str = "visible",
) -> None:
    """Each submission's results.json in its folder, grades.csv, skipped.txt and run.json, in
    `root`; the folders of submissions an earlier run graded and this one did not go."""
    names = {grade.name for grade in grades}
    for grade in grades:
        folder = fresh_folder(root, grade.name)
        try:
            try:
                result = results_json(grade, visibility, run.get("run"))
            except Exception as error:  # a bug met in this report: the others are still written
                result = unwritten(grade, error)
            write(folder, RESULTS, json.dumps(result, indent=2))
        finally:
            os.close(folder)
    for stale in sorted(set(os.listdir(root)) - names):
        remove_results(root, stale)
    write(root, "grades.csv", grades_csv(grades))
    write(root, "skipped.txt", "".join(f"{shown(path)}: {why}\n" for path, why in skipped))
    write(root, "run.json", json.dumps(run, indent=2))


def assignment_results(
    grades: list[Grade],
    exercises: list[str],
    points: Table | None,
    visibility: str,
    run: str | None,
    other_files: str = "",
) -> dict:
    """One result for an assignment of several notebooks (Gradescope's one results.json per
    submission): each exercise's best notebook, its tasks in order; an exercise with no
    notebook scores 0 and says so; every other file handed in is named."""
    expected = exercises or [e for e in EXERCISES if any(g.exercise == e for g in grades)]
    parts, notes = [], []
    for exercise in expected:
        mine = [g for g in grades if g.exercise == exercise and not g.problem]
        if not mine:
            why = f"no notebook of exercise {exercise} was handed in (or it could not be graded)"
            parts.append(not_graded("submission", "", exercise, why, points))
            notes.append(why[0].upper() + why[1:] + ".")
            continue
        best = max(mine, key=lambda g: g.score)  # the first of the best
        parts.append(best)
        others = [file_name(g) for g in mine if g is not best]
        if others:
            notes.append(f"{exercise}: {file_name(best)} counted; not: {', '.join(others)}")
    notes += [f"{file_name(g)} not graded: {inert(g.problem, 2000)}" for g in grades if g.problem]
    notes += [f"also handed in, not notebooks: {inert(other_files, 2000)}"] if other_files else []
    tests = [test for part in parts for test in results_json(part, visibility, run)["tests"]]
    score, maximum = sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)
    summary = f"{score:g}/{maximum:g} points for " + ", ".join(
        f"exercise {p.exercise} ({p.score:g}/{p.max_score:g})" for p in parts
    )
    return {
        "score": score,
        "max_score": maximum,
        "execution_time": whole_seconds(sum(g.seconds for g in grades)),
        "output": "\n\n".join([summary + " (all or nothing per task).", *notes]),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"exercises": expected, "run": run},
    }


def file_name(grade: Grade) -> str:
    """The submission's file name as Markdown shows it (escaped: the student chose it)."""
    return inert(Path(grade.source).name, 300)


def remove_results(root: int, name: str) -> None:
    """Remove root/name if it is a folder of results this grader wrote (results.json alone)."""
    try:
        if not stat.S_ISDIR(os.lstat(name, dir_fd=root).st_mode):
            return
        folder = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=root)
    except OSError:
        return
    try:
        if os.listdir(folder) != [RESULTS]:
            return
        os.unlink(RESULTS, dir_fd=folder)
    finally:
        os.close(folder)
    os.rmdir(name, dir_fd=root)


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
    with open(fd, "w", encoding="utf-8", errors="backslashreplace") as file:  # never a crash
        file.write(text)
