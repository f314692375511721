"""One notebook never stops the class: whatever fails while judging it becomes its own row.

bp-grade always finishes and writes every report, and Gradescope's run_autograder always writes
results.json (0 points and the reason) whatever fails: a module the Python lacks, a sandbox
that cannot start, a crash in the grader.
"""

import csv
import json
import os
import subprocess
import time
import zipfile

import pytest
from test_grading_bundle import make_autograder
from test_grading_support import correct, grade, save, solution

from bp_lessons.exercises import tasks
from bp_lessons.grading import batch, cli, judge, report
from bp_lessons.grading.cli import main
from bp_lessons.grading.sandbox import SandboxUnavailable

pytestmark = pytest.mark.lesson01
Q1, Q2 = tasks("01_neuron")
ZERO_WIDTH_SPACE = "\u200b"


def unparsable() -> str:
    """The reference sigmoid, 40 nodes and more, with a zero-width space in an f-string's
    expression: Python 3.11's ast.unparse raises ValueError on it (the copy check's tree)."""
    head, body = solution(Q1).split("\n", 1)
    label = f"    label = f\"{{z + 1!r:>10}}{{'{ZERO_WIDTH_SPACE}' * 2}}\"\n"
    return f"{head}\n{label}{body}"


def test_a_syntax_tree_python_cannot_unparse_costs_nobody_anything(tmp_path):
    nb = correct()
    nb.cells[3].source = unparsable()
    results = grade(tmp_path, {"alice.ipynb": correct(), "mallory.ipynb": nb})
    assert results["alice"]["score"] == 2
    assert results["mallory"]["score"] == 2  # the answer is right; only the copy check balked
    rows = list(csv.DictReader((tmp_path / "graded" / "grades.csv").open()))
    assert [row["submission"] for row in rows] == ["alice", "mallory"]


def test_any_failure_while_judging_one_notebook_becomes_its_row(tmp_path, monkeypatch):
    real = judge.copies_reference

    def broken(sources, name, reference):
        if any("MALLORY" in source for source in sources):
            raise RuntimeError("a bug met only in mallory's notebook")
        return real(sources, name, reference)

    monkeypatch.setattr(judge, "copies_reference", broken)
    nb = correct()
    nb.cells[3].source = "# MALLORY\n" + nb.cells[3].source
    results = grade(tmp_path, {"alice.ipynb": correct(), "mallory.ipynb": nb})
    assert results["alice"]["score"] == 2
    mallory = results["mallory"]
    assert mallory["score"] == 0 and mallory["max_score"] == 2
    assert "could not be graded" in mallory["output"]
    assert "RuntimeError" in mallory["output"] and "mallory's notebook" in mallory["output"]
    book = (tmp_path / "graded" / "gradebook.csv").read_text()
    assert "alice" in book and "mallory" in book
    assert (tmp_path / "graded" / "feedback" / "mallory.md").is_file()


def test_a_failure_while_reading_one_notebook_becomes_its_row(tmp_path, monkeypatch):
    real = batch.read_submission

    def broken(path, follow=False):
        if "mallory" in str(path):
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, follow=follow)

    monkeypatch.setattr(batch, "read_submission", broken)
    results = grade(tmp_path, {"alice.ipynb": correct(), "mallory.ipynb": correct()})
    assert results["alice"]["score"] == 2
    assert results["mallory"]["score"] == 0
    assert "RecursionError" in results["mallory"]["output"]


def test_a_failure_while_writing_one_report_leaves_the_others(tmp_path, monkeypatch):
    real = report.results_json

    def broken(grade, *args, **kwargs):
        if grade.name == "mallory":
            raise ValueError("cannot write this one")
        return real(grade, *args, **kwargs)

    monkeypatch.setattr(report, "results_json", broken)
    results = grade(tmp_path, {"alice.ipynb": correct(), "mallory.ipynb": correct()})
    assert results["alice"]["score"] == 2
    assert "cannot write this one" in results["mallory"]["output"]
    assert (tmp_path / "graded" / "gradebook.csv").is_file()


# --- Gradescope: run_autograder writes results.json whatever fails -----------------------


def gradescope_run(root) -> dict:
    assert main(["gradescope-run", str(root), "--exercise", "01_neuron", "--timeout", "5"]) == 0
    return json.loads((root / "results" / "results.json").read_text())


def test_gradescope_writes_results_when_no_sandbox_can_start(tmp_path, monkeypatch):
    def no_sandbox(mode):
        raise SandboxUnavailable("no sandbox works on this machine (a test)")

    monkeypatch.setattr(cli, "Sandbox", no_sandbox)
    root, _ = make_autograder(tmp_path, "--exercise", "01_neuron")
    save(root / "submission", "mine.ipynb", correct())
    results = gradescope_run(root)
    assert results["score"] == 0 and results["max_score"] == 2
    assert "could not be graded" in results["output"]
    assert "no sandbox works on this machine" in results["output"]
    assert [t["score"] for t in results["tests"]] == [0, 0]


def test_gradescope_writes_results_when_the_grader_crashes(tmp_path, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr(cli, "grade", crash)
    root, _ = make_autograder(tmp_path, "--exercise", "01_neuron")
    save(root / "submission", "mine.ipynb", correct())
    results = gradescope_run(root)
    assert results["score"] == 0 and "RuntimeError: a bug in the grader" in results["output"]


@pytest.mark.parametrize(
    "failure",
    [
        "echo \"ModuleNotFoundError: No module named 'matplotlib'\" >&2; exit 1",
        "kill -9 $$",
        'echo \'{"score": 100\' > "$BP_GRADE_ROOT/results/results.json"; exit 1',
    ],
)
def test_run_autograder_writes_results_whatever_the_python_does(tmp_path, failure):
    root, site = make_autograder(tmp_path, "--exercise", "01_neuron")
    save(root / "submission", "mine.ipynb", correct())
    python = tmp_path / "python"
    python.write_text(f"#!/usr/bin/env bash\n{failure}\n")
    python.chmod(0o755)
    env = {**os.environ, "BP_GRADE_ROOT": str(root), "BP_GRADE_PYTHON": str(python)}
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "could not be graded" in results["output"]
    if "matplotlib" in failure:
        assert "matplotlib" in results["output"]


def test_run_autograder_writes_results_when_an_upload_outlasts_its_budget(tmp_path):
    # Gradescope stops an autograder at its own limit (10 min unless raised) and then shows no
    # results.json: the bundle's budget stops the grader first, and says why
    root, _ = make_autograder(tmp_path, "--exercise", "01_neuron")
    save(root / "submission", "mine.ipynb", correct())
    python = tmp_path / "python"
    python.write_text("#!/usr/bin/env bash\nsleep 600\n")  # 20 notebooks of endless loops
    python.chmod(0o755)
    env = {**os.environ, "BP_GRADE_ROOT": str(root), "BP_GRADE_PYTHON": str(python)}
    start = time.monotonic()
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env={**env, "BP_GRADE_BUDGET": "2"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - start < 60
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "could not be graded" in results["output"]
    assert "longer than the budget of one upload, 2 s" in results["output"]
    assert 'budget="${BP_GRADE_BUDGET:-540}"' in (root / "source" / "run_autograder").read_text()


# --- the cap of notebooks per student ----------------------------------------------------


def test_the_cap_counts_notebooks_per_matched_student_in_a_flat_layout(tmp_path):
    folder = tmp_path / "submissions"
    save(folder, "alice.ipynb", b"")
    for i in range(1, 26):  # all hers by the roster, each file a "student" by its own name
        save(folder, f"mallory-{i}.ipynb", b"")
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nalice\nmallory\n")
    out = tmp_path / "graded"
    assert main([str(folder), "--out", str(out), "--roster", str(roster)]) == 0
    rows = {row["submission"]: row for row in csv.DictReader((out / "grades.csv").open())}
    capped = [name for name, row in rows.items() if "more than 20 notebooks" in row["problem"]]
    assert len(capped) == 5 and all(name.startswith("mallory-") for name in capped)
    assert "more than 20" not in rows["alice"]["problem"]


# --- a report has a size bound -----------------------------------------------------------

FORGER = """import json, os, sys

fd = json.loads(sys.argv[1])["replies"]
line = {{"cell_error": 0, "error": "Forged", "text": "{text}"}}
for i in range(9000):
    line["cell_error"] = i
    os.write(fd, (json.dumps(line) + "\\n").encode())
"""


def test_forged_error_replies_cannot_bloat_a_report(tmp_path):
    nb = correct()
    nb.cells[3].source = FORGER.format(text="x" * 400) + "\n\n" + nb.cells[3].source
    results = grade(tmp_path, {"mallory.ipynb": nb})["mallory"]
    size = len(json.dumps(results))
    assert size < 100_000, size


def test_the_bundles_setup_runs_the_self_test_which_says_why_it_fails(tmp_path, monkeypatch):
    bundle = tmp_path / "autograder.zip"
    assert main(["gradescope-bundle", "--out", str(bundle), "--exercise", "01_neuron"]) == 0
    with zipfile.ZipFile(bundle) as archive:
        setup = archive.read("setup.sh").decode()
    assert "python3 -m bp_lessons.grading self-test --exercise 01_neuron" in setup
    assert "22.04" in setup and "3.10" in setup
    assert main(["self-test", "--exercise", "01_neuron", "--exercise", "13_classification"]) == 0
    monkeypatch.setattr(judge, "SELF_TEST_SETUP", "raise ImportError('a wall')\n")
    assert main(["self-test", "--exercise", "01_neuron"]) == 3
