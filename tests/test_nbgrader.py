"""A real nbgrader course, built from exercises/source as an instructor would, graded three ways.

One assignment, ps1, of exercises 01, 03 and 04 (8 tasks; the instructor raises 4.2 to 2 points
in the source, so 9 points). Three students: alice hands in the reference solutions, bob three
classic mistakes (the bias left out of z, the factor 2 left out of the loss gradient, gradients
overwritten instead of added up), carol the release copy untouched. nbgrader (from PyPI, the
`nbgrader` extra) generates the assignment, validates, autogrades and exports; bp-grade and the
Gradescope bundle grade the same files; all three must give 9, 6 and 0.

Runs with `make test-nbgrader` (CI runs it after `make test`), not in `make test`.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from bp_lessons.grading.cli import main as bp_grade

pytestmark = pytest.mark.nbgrader
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ["01_neuron.ipynb", "03_loss.ipynb", "04_chain_rule.ipynb"]
EXPECTED = {"alice": 9.0, "bob": 6.0, "carol": 0.0}
MISTAKES = {  # (notebook, answer cell) -> the edit that makes the classic mistake
    ("01_neuron.ipynb", "q2"): lambda source: source.replace(" + bias", ""),
    ("03_loss.ipynb", "q2"): lambda source: source.replace("2 * (a - y)", "(a - y)"),
    ("04_chain_rule.ipynb", "q3"): lambda source: source.replace("+= error", "= error"),
}
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
# nbgrader 0.9 reads no list of students or assignments from its config (it warns "not
# recognized"): generate_assignment adds the assignment, autograde each student it finds
CONFIG = """c = get_config()
c.CourseDirectory.course_id = "bp"
"""


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    nbgrader_bin = shutil.which("nbgrader") or str(Path(sys.executable).parent / "nbgrader")
    done = subprocess.run(
        [nbgrader_bin, *args], cwd=course, capture_output=True, text=True, timeout=600
    )
    if check:
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "not recognized" not in done.stderr, done.stderr[-2000:]  # the config is all read
    return done


def solutions(source: Path) -> dict[str, str]:
    """The answer cells' solutions of a source notebook, without the markers."""
    found = {}
    for cell in nbformat.read(source, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = cell.source.split("\n")
            found[meta["grade_id"]] = "\n".join(
                line
                for line in lines
                if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
            )
    return found


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    pytest.importorskip("nbgrader")
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(CONFIG)
    shutil.copytree(ROOT / "notebooks", course / "notebooks")  # the lessons the links point to
    source = course / "source" / "ps1"
    source.mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "exercises" / "source" / name, source / name)
    raise_points(source / "04_chain_rule.ipynb", "q2_check", 2)
    nbgrader(course, "generate_assignment", "ps1", "--force")
    for student in EXPECTED:
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        for name in NOTEBOOKS:
            released = nbformat.read(course / "release" / "ps1" / name, as_version=4)
            answers = solutions(source / name)
            for cell in released.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if student != "carol" and grade_id in answers:
                    cell.source = answers[grade_id]
                    if student == "bob" and (name, grade_id) in MISTAKES:
                        cell.source = MISTAKES[name, grade_id](cell.source)
                        assert cell.source != answers[grade_id], (name, grade_id)
            nbformat.write(released, folder / name)
    return course


def raise_points(path: Path, grade_id: str, points: int) -> None:
    notebook = nbformat.read(path, as_version=4)
    (cell,) = [
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    ]
    cell.metadata["nbgrader"]["points"] = points
    nbformat.write(notebook, path)


def test_nbgrader_autograde_and_export_give_the_right_scores(course):
    nbgrader(course, "autograde", "ps1", "--force")
    nbgrader(course, "export")
    with open(course / "grades.csv", newline="") as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file)}
    assert {student: float(row["score"]) for student, row in rows.items()} == EXPECTED
    assert {float(row["max_score"]) for row in rows.values()} == {9.0}


@pytest.mark.parametrize("student, passes", [("alice", True), ("bob", False), ("carol", False)])
def test_nbgrader_validate_fails_a_wrong_or_unattempted_task(course, student, passes):
    path = course / "submitted" / student / "ps1" / "04_chain_rule.ipynb"
    if student == "bob":
        path = path.with_name("01_neuron.ipynb")
    done = nbgrader(course, "validate", str(path), check=False)
    assert ("Success! Your notebook passes all the tests." in done.stdout) is passes, done.stdout
    if student == "bob":  # validate prints a cell's error, not its display: the table is in it
        assert "✗ Exercise 1.2: not right yet:" in done.stdout, done.stdout
        assert "The bias is missing" in done.stdout, done.stdout  # the targeted message
        assert "case 2: inputs=" in done.stdout and "expected " in done.stdout, done.stdout
        assert "see above" not in done.stdout, done.stdout


def test_the_release_copys_links_reach_the_lessons_in_the_course_folder(course):
    for name in NOTEBOOKS:
        notebook = nbformat.read(course / "release" / "ps1" / name, as_version=4)
        text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        links = re.findall(r"\]\(([^)#\s]+\.ipynb)", text)
        assert links and all(
            (course / "release" / "ps1" / link).resolve().is_file() for link in links
        )


def test_bp_grade_gives_the_same_scores_from_the_same_files(course, tmp_path):
    out = tmp_path / "graded"
    argv = [str(course / "submitted"), "--out", str(out), "--points-from", str(course / "source")]
    for name in NOTEBOOKS:
        argv += ["--exercise", name[:-6]]
    assert bp_grade(argv) == 0
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    assert {row["student"]: float(row["total"]) for row in rows} == EXPECTED
    assert {row["max_score"] for row in rows} == {"9"}


def test_the_gradescope_bundle_gives_the_same_scores_from_the_same_files(course, tmp_path):
    bundle = tmp_path / "autograder.zip"
    argv = ["gradescope-bundle", "--out", str(bundle), "--points-from", str(course / "source")]
    for name in NOTEBOOKS:
        argv += ["--exercise", name[:-6]]
    assert bp_grade(argv) == 0
    for student, expected in EXPECTED.items():
        root = tmp_path / student
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(root / "source")
        shutil.copytree(course / "submitted" / student / "ps1", root / "submission")
        env = {**os.environ, "BP_GRADE_ROOT": str(root), "BP_GRADE_PYTHON": sys.executable}
        done = subprocess.run(
            ["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
            text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        results = json.loads((root / "results" / "results.json").read_text())
        assert (results["score"], results["max_score"]) == (expected, 9.0), student
