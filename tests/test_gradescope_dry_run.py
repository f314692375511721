"""`make gradescope-dry-run`: the autograder zip built and run here as Gradescope would run it.

It builds the bundle, runs setup.sh's self-test and run_autograder on exercise 01's reference
solutions (full marks) and its student copy (0), and shows each results.json. A submission that
is no notebook still gets a results.json (0 points and why), which the dry run shows too.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from gradescope_dry_run import main as dry_run  # noqa: E402

VENV = Path(sys.executable).parent.parent  # the venv running the tests: make's VENV
pytestmark = pytest.mark.gradescope  # whole commands: .ci/run runs them after make test


def test_the_make_target_grades_the_reference_fully_and_the_student_copy_0(tmp_path):
    installed = VENV / ".installed-test"
    if shutil.which("make") is None or not installed.is_file():
        pytest.skip("needs make and a venv made by `make` (its .installed-test)")
    if installed.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        pytest.skip("the venv is older than pyproject.toml: make would reinstall it first")
    out = tmp_path / "dry"
    done = subprocess.run(
        ["make", "-s", "gradescope-dry-run", f"VENV={VENV}", f"ARGS=--out {out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "self-test passed" in done.stdout
    assert "score 2.0 of 2.0" in done.stdout and "score 0.0 of 2.0" in done.stdout
    reference = json.loads((out / "results-1-source-01_neuron.json").read_text())
    student = json.loads((out / "results-2-exercises-01_neuron.json").read_text())
    assert reference["score"] == reference["max_score"] == 2
    assert student["score"] == 0 and len(student["tests"]) == 2
    assert '"visibility": "visible"' in done.stdout  # results.json itself is shown


def test_a_weeks_bundle_of_several_exercises_is_tried_as_one_upload(tmp_path, capsys):
    out = tmp_path / "dry"
    assert dry_run(["--exercise", "01_neuron", "--exercise", "03_loss", "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "self-test passed: 2 exercise(s)" in shown
    reference = json.loads((out / "results-1-source-01_neuron+03_loss.json").read_text())
    student = json.loads((out / "results-2-exercises-01_neuron+03_loss.json").read_text())
    assert reference["score"] == reference["max_score"] == 5  # 2 tasks of 01, 3 of 03
    assert student["score"] == 0 and len(student["tests"]) == 5


def test_a_submission_that_is_no_notebook_still_gets_results(tmp_path, capsys):
    paper = tmp_path / "answers.ipynb"
    paper.write_text("this is not JSON", encoding="utf-8")
    assert dry_run(["--submission", str(paper), "--out", str(tmp_path / "dry")]) == 0
    result = json.loads((tmp_path / "dry" / f"results-1-{tmp_path.name}-answers.json").read_text())
    assert result["score"] == 0 and result["output"]
    assert "score 0" in capsys.readouterr().out


def test_an_unknown_exercise_is_refused(capsys):
    with pytest.raises(SystemExit):
        dry_run(["--exercise", "99_nothing"])
    assert "no exercise '99_nothing'" in capsys.readouterr().err
