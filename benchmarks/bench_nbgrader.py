"""nbgrader's autograde against bp-grade, on the same class, side by side.

An nbgrader course (nbgrader from the `nbgrader` extra) with one assignment, exercise 04 (three
tasks), and ten students: five hand in the reference solutions, five the release copy untouched.
`nbgrader autograde` runs each notebook in a Jupyter kernel (no sandbox); `bp-grade --jobs 1`
runs each task in its sandbox. Both are the real commands, timed from start to exit, taking
turns for three rounds; the table shows each one's median per submission, on one core.

Run: PATH=.venv/bin:$PATH .venv/bin/python benchmarks/bench_nbgrader.py (after `make bench`)
"""

import timing

# isort: split

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "04_chain_rule.ipynb"
STUDENTS = [f"s{i:02d}" for i in range(10)]
ROUNDS = 3


def build(course: Path) -> None:
    students = ", ".join(f"dict(id={s!r})" for s in STUDENTS)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'bench'\n"
        "c.CourseDirectory.db_assignments = [dict(name='ps1')]\n"
        f"c.CourseDirectory.db_students = [{students}]\n"
    )
    (course / "source" / "ps1").mkdir(parents=True)
    shutil.copy(ROOT / "exercises" / "source" / NOTEBOOK, course / "source" / "ps1" / NOTEBOOK)
    run(["nbgrader", "generate_assignment", "ps1", "--force"], course)
    source = nbformat.read(course / "source" / "ps1" / NOTEBOOK, as_version=4)
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source.replace("### BEGIN SOLUTION\n", "")
        .replace("### END SOLUTION\n", "")
        .replace("### END SOLUTION", "")
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    for i, student in enumerate(STUDENTS):
        released = nbformat.read(course / "release" / "ps1" / NOTEBOOK, as_version=4)
        for cell in released.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if i % 2 == 0 and grade_id in answers:
                cell.source = answers[grade_id]
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(released, folder / NOTEBOOK)


def run(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        build(course)
        nbgrader = ["nbgrader", "autograde", "ps1", "--force"]
        bp_grade = [sys.executable, "-m", "bp_lessons.grading", "submitted", "--out", "graded"]
        bp_grade += ["--jobs", "1", "--exercise", "04_chain_rule"]
        times: dict[str, list[float]] = {"nbgrader autograde": [], "bp-grade --jobs 1": []}
        for _ in range(ROUNDS):
            times["nbgrader autograde"].append(run(nbgrader, course) / len(STUDENTS))
            times["bp-grade --jobs 1"].append(run(bp_grade, course) / len(STUDENTS))
    ours = statistics.median(times["bp-grade --jobs 1"])
    rows = [
        [name, f"{statistics.median(t):.3f} s", f"{statistics.median(t) / ours:.1f}"]
        for name, t in times.items()
    ]
    print(f"{len(STUDENTS)} submissions of exercise 04 (3 tasks), median of {ROUNDS} rounds\n")
    print(timing.markdown_table(["grader", "s/submission", "time ÷ bp-grade"], rows))
    print(timing.machine())


if __name__ == "__main__":
    main()
