"""bp-grade as a gradebook: students, totals over an assignment, feedback pages, seeds, points.

A class of three students hands in exercises 01 and 03 as one assignment, in nbgrader's layout
(submitted/<student>/<assignment>/<notebook>).
"""

import csv
import inspect
import io
import json
from pathlib import Path

import pytest
from test_grading_support import correct, notebook, save, solution

from bp_lessons.exercises import tasks
from bp_lessons.grading.cli import main
from bp_lessons.grading.copies import copies_reference

pytestmark = [pytest.mark.lesson01, pytest.mark.lesson03]
LOSS = "03_loss"
LOSS_SETUP = "from bp_lessons.exercises.loss import q1, q2, q3\n"


def loss_notebook(answers=None):
    return notebook(answers, LOSS, LOSS_SETUP)


def loss_correct():
    return loss_notebook({k: solution(t) for k, t in enumerate(tasks(LOSS), 1)})


def class_folder(root: Path) -> Path:
    folder = root / "submitted"
    save(folder, "alice/ps1/01_neuron.ipynb", correct())
    save(folder, "alice/ps1/03_loss.ipynb", loss_correct())
    save(folder, "bob/ps1/01_neuron.ipynb", correct())  # no loss notebook
    save(folder, "bob/ps1/01_neuron-draft.ipynb", notebook())  # a draft: the best one counts
    save(folder, "zoe/ps1/03_loss.ipynb", loss_notebook())  # not on the roster
    return folder


def run(root: Path, *options: str) -> Path:
    out = root / "out"
    argv = [str(root / "submitted"), "--out", str(out), "--timeout", "5", *options]
    assert main(argv) == 0
    return out


def rows(path: Path) -> dict[str, dict]:
    found = list(csv.DictReader(io.StringIO(path.read_text())))
    return {row["student"]: row for row in found}


def test_the_gradebook_has_a_row_per_student_with_totals_over_the_assignment(tmp_path):
    class_folder(tmp_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffemail,name\nalice,Alice A.\nbob,Bob B.\ncarol,Carol C.\n")
    out = run(tmp_path, "--roster", str(roster), "--exercise", "01_neuron", "--exercise", LOSS)
    book = rows(out / "gradebook.csv")
    assert list(book) == ["alice", "bob", "carol", "zoe"]  # the roster's order, then strangers
    assert list(book["alice"])[:5] == ["student", "name", "01_neuron", LOSS, "total"]
    assert (book["alice"]["name"], book["alice"]["total"], book["alice"]["max_score"]) == (
        "Alice A.",
        "5",
        "5",
    )
    assert book["bob"]["01_neuron"] == "2" and book["bob"]["total"] == "2"
    assert "03_loss: no notebook graded" in book["bob"]["notes"]
    assert "01_neuron.ipynb counted; also handed in: 01_neuron-draft.ipynb" in book["bob"]["notes"]
    assert book["carol"]["total"] == "0" and "no notebook graded" in book["carol"]["notes"]
    assert "matches no one on the roster" in book["zoe"]["notes"]


def test_without_a_roster_the_student_is_the_first_folder_or_the_file_name(tmp_path):
    class_folder(tmp_path)
    save(tmp_path / "submitted", "dan.ipynb", correct())
    book = rows(run(tmp_path) / "gradebook.csv")
    assert sorted(book) == ["alice", "bob", "dan", "zoe"]
    assert book["dan"]["01_neuron"] == "2"


def test_each_student_gets_a_feedback_page_with_the_case_tables(tmp_path):
    folder = tmp_path / "submitted"
    wrong = "def neuron_forward(inputs, weights, bias):\n    return 0.5\n"
    save(folder, "alice/01_neuron.ipynb", notebook({1: solution(tasks("01_neuron")[0]), 2: wrong}))
    out = run(tmp_path)
    page = (out / "feedback" / "alice.md").read_text()
    assert page.startswith("# Feedback for alice: 1 of 2 points")
    assert "## Exercise 01_neuron · The neuron: 1/2 (01_neuron.ipynb)" in page
    assert "| case | input | expected | got | off |" in page


def test_a_seed_gives_the_same_cases_and_is_recorded(tmp_path):
    save(
        tmp_path / "submitted",
        "a.ipynb",
        notebook({2: "def neuron_forward(i, w, b):\n    return 0.5\n"}),
    )
    first = run(tmp_path, "--seed", "1234")
    seed = json.loads((first / "run.json").read_text())["seed"]
    results = json.loads((first / "a" / "results.json").read_text())
    assert seed == 1234 and "seed" not in results["extra_data"]  # run.json's alone
    again = json.loads((run(tmp_path, "--seed", "1234") / "a" / "results.json").read_text())
    assert again["tests"] == results["tests"]  # the same random cases, the same verdicts
    unseeded = run(tmp_path)
    assert json.loads((unseeded / "run.json").read_text())["seed"] != 1234


def test_a_rerun_into_the_same_folder_leaves_no_result_of_a_student_who_is_gone(tmp_path):
    save(tmp_path / "submitted", "alice.ipynb", correct())
    gone = save(tmp_path / "submitted", "bob.ipynb", correct())
    out = run(tmp_path)
    assert (out / "bob" / "results.json").exists() and (out / "feedback" / "bob.md").exists()
    (out / "notes.txt").write_text("the instructor's own file")
    gone.unlink()
    run(tmp_path)
    assert not (out / "bob").exists() and not (out / "feedback" / "bob.md").exists()
    assert list(rows(out / "gradebook.csv")) == ["alice"] and (out / "notes.txt").exists()


def test_points_come_from_the_instructors_source_notebooks(tmp_path):
    source = tmp_path / "source" / "01_neuron.ipynb"
    text = (Path(__file__).parent.parent / "exercises" / "source" / "01_neuron.ipynb").read_text()
    original = json.loads(text)
    for cell in original["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q2_check":
            cell["metadata"]["nbgrader"]["points"] = 3
    source.parent.mkdir()
    source.write_text(json.dumps(original))
    save(tmp_path / "submitted", "alice.ipynb", correct())
    out = run(tmp_path, "--points-from", str(source.parent))
    results = json.loads((out / "alice" / "results.json").read_text())
    assert (results["score"], results["max_score"]) == (4, 4)
    assert [t["max_score"] for t in results["tests"]] == [1, 3]


def test_an_answer_that_copies_the_reference_is_marked_for_the_instructor_only(tmp_path):
    q2 = tasks("01_neuron")[1]
    renamed = inspect.getsource(q2.reference).replace("inputs", "xs").replace("weights", "ws")
    assert copies_reference([renamed], "neuron_forward", q2.reference)
    own = (
        "import math\n\n\ndef neuron_forward(inputs, weights, bias):\n"
        "    z = bias + sum(i * w for i, w in zip(inputs, weights))\n"
        "    return 1 / (1 + math.exp(-z))\n"
    )
    assert not copies_reference([own], "neuron_forward", q2.reference)
    sigmoid = "import math\n\n\ndef sigmoid(z):\n    return 1 / (1 + math.exp(-z))\n"
    save(tmp_path / "submitted", "alice.ipynb", notebook({1: sigmoid, 2: renamed}))
    out = run(tmp_path)
    grades = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    assert grades[0]["review"] == "1.2: the same code as the reference solution"
    assert grades[0]["1.2 neuron_forward"] == "1"  # no points taken: an instructor looks at it
    assert "review 1.2" in rows(out / "gradebook.csv")["alice"]["notes"]
    assert "reference" not in (out / "alice" / "results.json").read_text().lower()
    assert "same code" not in (out / "feedback" / "alice.md").read_text()


def test_a_roster_with_an_id_twice_is_a_usage_error(tmp_path, capsys):
    save(tmp_path / "submitted", "alice.ipynb", notebook())
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nalice\nAlice\n")
    with pytest.raises(SystemExit) as exit:
        main([str(tmp_path / "submitted"), "--out", str(tmp_path / "o"), "--roster", str(roster)])
    assert exit.value.code == 2
    assert "a student without an id, or twice: 'Alice'" in capsys.readouterr().err


def test_no_student_can_take_anothers_feedback_page_or_write_into_it(tmp_path):
    folder = tmp_path / "submitted"
    save(folder, "bob.ipynb", correct())
    tricky = (
        "raise RuntimeError('\\n# Feedback for bob: 2 of 2 points <img src=https://x> \\ud800')\n"
    )
    save(folder, "!bob.ipynb", notebook({1: tricky}))
    save(folder, "Bob.ipynb", notebook())
    out = run(tmp_path)
    pages = sorted(p.name for p in (out / "feedback").iterdir())
    assert len(pages) == 3 and "bob.md" not in pages  # three students, three pages, none plain
    texts = [p.read_text() for p in (out / "feedback").iterdir()]
    assert sum(t.startswith("# Feedback for bob: 2 of 2 points") for t in texts) == 1
    (mallory,) = [t for t in texts if "RuntimeError" in t]
    assert "\n# Feedback for bob" not in mallory  # no heading of its own making
    assert "&#60;img" in mallory and "<img" not in mallory  # an inert tag


def test_with_a_roster_the_folder_decides_not_the_file_name(tmp_path):
    folder = tmp_path / "submitted"
    save(folder, "bob_123_assignsubmission/mine.ipynb", notebook())
    save(folder, "mallory_456_assignsubmission/bob ex.ipynb", correct())
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n123,Bob\n456,Mallory\n")
    book = rows(run(tmp_path, "--roster", str(roster)) / "gradebook.csv")
    assert book["123"]["total"] == "0" and book["456"]["total"] == "2"
