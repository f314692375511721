"""The Gradescope autograder zip: its run_autograder, run in a folder laid out like /autograder.

The package is made importable from the wheel inside the zip (unpacked on PYTHONPATH), so the
run uses the bundled copy, not this repository.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_grading_support import correct, notebook, save, solution

from bp_lessons.exercises import tasks
from bp_lessons.grading.bundle import build_wheel
from bp_lessons.grading.cli import main

pytestmark = pytest.mark.lesson01


@pytest.fixture
def autograder(tmp_path):
    return make_autograder(tmp_path, "--exercise", "01_neuron")


def make_autograder(tmp_path, *options):
    """A folder laid out as Gradescope's /autograder, with the bundle unpacked in source/."""
    bundle = tmp_path / "autograder.zip"
    assert main(["gradescope-bundle", "--out", str(bundle), *options]) == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
        wheel = next(name for name in archive.namelist() if name.endswith(".whl"))
    site = tmp_path / "site-packages"  # what setup.sh's pip install would make importable
    with zipfile.ZipFile(root / "source" / wheel) as archive:
        archive.extractall(site)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root, site


def run_autograder(root, site) -> dict:
    env = {**os.environ, "BP_GRADE_ROOT": str(root), "BP_GRADE_PYTHON": sys.executable}
    env["PYTHONPATH"] = str(site)
    script = root / "source" / "run_autograder"
    done = subprocess.run(
        ["bash", str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_the_bundle_has_gradescopes_two_scripts_and_the_package(tmp_path):
    bundle = tmp_path / "autograder.zip"
    assert main(["gradescope-bundle", "--out", str(bundle)]) == 0
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path / "source")
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    wheel = build_wheel()[0]
    assert set(modes) == {"setup.sh", "run_autograder", wheel}
    setup = (tmp_path / "source" / "setup.sh").read_text()
    assert f"pip install --no-cache-dir {wheel}" in setup and "git" not in setup
    for script in ("setup.sh", "run_autograder"):
        assert modes[script] & 0o111, f"{script} is not executable"
        check = subprocess.run(["bash", "-n", str(tmp_path / "source" / script)])
        assert check.returncode == 0, f"{script} is not valid bash"


def test_the_wheel_holds_the_package_and_a_record_of_it():
    name, data = build_wheel()
    wheel = zipfile.ZipFile(io.BytesIO(data))
    files = wheel.namelist()
    assert "bp_lessons/grading/judge.py" in files and "bp_lessons/exercises/neuron.py" in files
    assert not any("__pycache__" in f for f in files)
    info = name.split("-py3")[0] + ".dist-info"
    record = wheel.read(f"{info}/RECORD").decode().splitlines()
    assert len(record) == len(files) and f"{info}/RECORD,," in record
    assert "Requires-Dist: numpy" in wheel.read(f"{info}/METADATA").decode()


def test_run_autograder_grades_the_submission_with_the_bundled_package(autograder):
    root, site = autograder
    save(root / "submission", "01_neuron.ipynb", correct())
    results = run_autograder(root, site)
    assert results["score"] == results["max_score"] == 2
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "import bp_lessons; print(bp_lessons.__file__)"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site))


def test_run_autograder_scores_a_stub_0_and_another_exercise_0(autograder):
    root, site = autograder
    other = correct()
    other.metadata["bp_lessons"]["exercise"] = "03_loss"
    save(root / "submission", "mine.ipynb", other)
    results = run_autograder(root, site)
    assert results["score"] == 0 and "this grading is for 01_neuron" in results["output"]
    (root / "submission" / "mine.ipynb").unlink()
    save(root / "submission", "mine.ipynb", notebook())
    assert run_autograder(root, site)["score"] == 0


def test_run_autograder_with_no_notebook_still_writes_results(autograder):
    root, site = autograder
    save(root / "submission", "answers.pdf", b"%PDF-1.4")
    results = run_autograder(root, site)
    assert results["score"] == 0 and results["max_score"] == 2
    assert "No notebook of exercise 01_neuron was handed in" in results["output"]
    assert "also handed in, not notebooks: answers.pdf" in results["output"]


def test_run_autograder_with_several_notebooks_counts_the_best(autograder):
    root, site = autograder
    save(root / "submission", "a_draft.ipynb", notebook())
    save(root / "submission", "b_final.ipynb", correct())
    results = run_autograder(root, site)
    assert results["score"] == 2
    assert "01_neuron: b_final.ipynb counted; not: a_draft.ipynb" in results["output"]


def test_one_bundle_grades_an_assignment_of_several_notebooks(tmp_path):
    source = Path(__file__).parent.parent / "exercises" / "source"
    options = ["--exercise", "01_neuron", "--exercise", "03_loss"]
    options += ["--visibility", "after_due_date", "--points-from", str(source)]
    root, site = make_autograder(tmp_path, *options)
    save(root / "submission", "mine.ipynb", correct())
    results = run_autograder(root, site)
    assert (results["score"], results["max_score"]) == (2, 5)
    assert [t["name"].split(":")[0] for t in results["tests"]] == [
        "Exercise 1.1", "Exercise 1.2", "Exercise 3.1", "Exercise 3.2", "Exercise 3.3"
    ]  # fmt: skip
    assert "No notebook of exercise 03_loss was handed in" in results["output"]
    assert {t["visibility"] for t in results["tests"]} == {"after_due_date"}
    assert {t["output_format"] for t in results["tests"]} == {"md"}
    loss = notebook({k: solution(t) for k, t in enumerate(tasks("03_loss"), 1)}, "03_loss",
                    "from bp_lessons.exercises.loss import q1, q2, q3\n")  # fmt: skip
    save(root / "submission", "loss.ipynb", loss)
    assert run_autograder(root, site)["score"] == 5
