"""bp-grade end to end on honest submissions: scores, the files it writes, its command line.

The attacks are in test_grading_attacks.py, the Gradescope bundle in test_grading_bundle.py.
"""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_grading_support import (
    EXERCISE,
    correct,
    grade,
    notebook,
    outputs,
    save,
    solution,
)

from bp_lessons.exercises import EXERCISES, tasks
from bp_lessons.grading.cli import main
from bp_lessons.grading.collect import name_for

pytestmark = pytest.mark.lesson01
ROOT = Path(__file__).resolve().parent.parent
Q1, Q2 = tasks(EXERCISE)
NO_BIAS = (
    "def neuron_forward(inputs, weights, bias):\n"
    "    return sigmoid(sum(w * i for w, i in zip(weights, inputs)))\n"
)


def test_a_correct_submission_gets_full_marks(tmp_path):
    results = grade(tmp_path, {"alice.ipynb": correct()})["alice"]
    assert results["score"] == results["max_score"] == Q1.points + Q2.points
    assert [t["status"] for t in results["tests"]] == ["passed", "passed"]
    assert "`sigmoid` is correct on all" in outputs(results)


def test_a_stub_submission_gets_0_not_attempted(tmp_path):
    results = grade(tmp_path, {"bob.ipynb": notebook()})["bob"]
    assert results["score"] == 0 and results["max_score"] == 2
    for test in results["tests"]:
        assert test["score"] == 0 and "not attempted" in test["output"]
        assert "Traceback" not in test["output"]


def test_one_crashing_task_keeps_the_other_tasks_scores(tmp_path):
    crash = "def neuron_forward(inputs, weights, bias):\n    return 1 / 0\n"
    results = grade(tmp_path, {"carol.ipynb": notebook({1: solution(Q1), 2: crash})})["carol"]
    assert [t["score"] for t in results["tests"]] == [1, 0]
    assert "raised ZeroDivisionError" in results["tests"][1]["output"]


def test_a_wrong_answer_shows_the_failing_cases_and_the_targeted_message(tmp_path):
    results = grade(tmp_path, {"dan.ipynb": notebook({1: solution(Q1), 2: NO_BIAS})})["dan"]
    output = results["tests"][1]["output"]
    assert output.startswith(
        "**0/1** (all or nothing: a task earns its points when every case passes)"
    )
    assert "The bias is missing" in output
    # the failing cases as a Markdown table (Gradescope's output_format "md")
    assert "| case | input | expected | got | off |" in output
    assert "| 2 | inputs=[2, 3], weights=[0.5, -1], bias=0.25 | 0.148047 | 0.119203 |" in output


def test_results_json_is_in_gradescopes_format(tmp_path):
    results = grade(tmp_path, {"alice.ipynb": notebook({2: NO_BIAS})})["alice"]
    assert isinstance(results["score"], float) and isinstance(results["execution_time"], float)
    assert results["output"].startswith("Exercise 01_neuron: 0 of 2 tasks passed")
    for test, task in zip(results["tests"], (Q1, Q2)):
        assert test["name"] == f"Exercise {task.number}: {task.function}"
        assert test["max_score"] == task.points and test["status"] == "failed"
        assert test["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    assert results["score"] == sum(test["score"] for test in results["tests"])


def test_grades_csv_has_a_row_per_submission_and_a_column_per_task(tmp_path):
    grade(tmp_path, {"a.ipynb": correct(), "b.ipynb": notebook(), "c.ipynb": b"{"})
    with open(tmp_path / "graded" / "grades.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == [
        "submission", "student", "file", "exercise", "1.1 sigmoid", "1.2 neuron_forward",
        "total", "max_score", "problem", "review",
    ]  # fmt: skip
    by_name = {row["submission"]: row for row in rows}
    assert by_name["a"]["total"] == "2" and by_name["a"]["1.2 neuron_forward"] == "1"
    assert by_name["b"]["total"] == "0" and by_name["b"]["problem"] == ""
    assert by_name["c"]["total"] == "0" and "not valid JSON" in by_name["c"]["problem"]


def test_the_exercise_comes_from_the_metadata_not_the_file_name(tmp_path):
    results = grade(tmp_path, {"03_loss.ipynb": correct()})["03_loss"]
    assert results["extra_data"]["exercise"] == EXERCISE and results["score"] == 2


def test_scratch_cells_are_never_run(tmp_path):
    cheat = solution(Q1) + solution(Q2) + "import os\nos._exit(0)\n"
    results = grade(tmp_path, {"e.ipynb": notebook(scratch=cheat)})["e"]
    assert results["score"] == 0 and "not attempted" in outputs(results)


def test_ipython_magics_in_an_answer_cell_are_ignored(tmp_path):
    answer = "%load_ext autoreload\n!pip list\n" + solution(Q1)
    results = grade(tmp_path, {"f.ipynb": notebook({1: answer})})["f"]
    assert results["tests"][0]["score"] == 1


def test_a_function_that_is_not_defined_is_reported(tmp_path):
    results = grade(tmp_path, {"g.ipynb": notebook({1: "x = 1\n"})})["g"]
    assert "`sigmoid` is not defined by the graded cells" in results["tests"][0]["output"]


def test_folders_are_searched_and_nothing_is_skipped_silently(tmp_path, capsys):
    files = {
        "class/alice/ex.ipynb": correct(),
        "class/bob.IPYNB": correct(),
        "class/carol.ipynb.json": correct(),
        "class/.ipynb_checkpoints/alice-checkpoint.ipynb": correct(),
        "class/README.md": "grading notes",
    }
    for name, content in files.items():
        save(tmp_path, name, content)
    assert main([str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 0
    graded = sorted(p.parent.name for p in (tmp_path / "out").glob("*/results.json"))
    assert graded == ["alice__ex", "bob", "carol"]
    skipped = (tmp_path / "out" / "skipped.txt").read_text()
    err = capsys.readouterr().err
    for name in (".ipynb_checkpoints", "README.md"):
        assert name in skipped and f"skipped {tmp_path / 'class' / name}" in err


def test_a_file_named_on_the_command_line_is_graded_whatever_its_name(tmp_path):
    path = save(tmp_path, "notes.txt", correct())
    assert main([str(path), "--out", str(tmp_path / "out")]) == 0
    assert json.loads((tmp_path / "out" / "notes.txt" / "results.json").read_text())["score"] == 2


@pytest.mark.parametrize(
    "path, name",
    [
        ("alice.ipynb", "alice"),
        ("Müller Zoë.ipynb", "Muller_Zoe"),
        ("../../etc/passwd.ipynb", "etc__passwd"),
        ("..ipynb", "submission"),
        ("=cmd|' /C calc'!A0.ipynb", "cmd___C_calc_A0"),
        ("sub 12/ex (1).ipynb (2)", "sub_12__ex_1"),
    ],
)
def test_a_submission_name_is_safe(path, name):
    assert name_for(Path(path)) == name


def test_submission_names_are_unique_and_stay_inside_the_output_folder(tmp_path):
    for name in ("a b.ipynb", "a_b.ipynb", "A_B.ipynb", "grades.csv.ipynb", "Ünï.ipynb"):
        save(tmp_path / "class", name, notebook())
    out = tmp_path / "out"
    assert main([str(tmp_path / "class"), "--out", str(out)]) == 0
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name != "feedback")
    assert len(folders) == 5 and len({f.lower() for f in folders}) == 5
    assert (out / "grades.csv").is_file()
    assert all((out / folder / "results.json").is_file() for folder in folders)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nowhere.ipynb", "--out", "OUT"], "no such file or folder: nowhere.ipynb"),
        (["EMPTY", "--out", "OUT"], "no submissions found"),
        (["EMPTY", "--out", "OUT", "--jobs", "0"], "expected a positive number"),
        (["EMPTY", "--out", "OUT", "--exercise", "99_nothing"], "invalid choice: '99_nothing'"),
        (["EMPTY"], "the following arguments are required: --out"),
    ],
)
def test_usage_errors_exit_2(tmp_path, capsys, argv, message):
    (tmp_path / "EMPTY").mkdir()
    argv = [a.replace("EMPTY", str(tmp_path / "EMPTY")).replace("OUT", str(tmp_path)) for a in argv]
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2 and message in capsys.readouterr().err


def test_grading_exits_0_whatever_the_scores_and_shows_progress(tmp_path, capfd):
    grade(tmp_path, {"x.ipynb": b"not a notebook", "y.ipynb": notebook()})
    out, err = capfd.readouterr()
    assert "graded 2/2 submissions" in err
    assert out.startswith("graded 2 submissions: 0 with full marks, 1 not gradable")


def test_python_dash_m_runs_the_same_command(tmp_path):
    path = save(tmp_path, "h.ipynb", correct())
    command = [sys.executable, "-m", "bp_lessons.grading", str(path), "--out", str(tmp_path / "o")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "o" / "h" / "results.json").read_text())["score"] == 2


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_every_exercise_source_notebook_gets_full_marks(tmp_path, exercise):
    results = grade_committed(tmp_path, ROOT / "exercises" / "source", exercise)
    assert results["score"] == results["max_score"] == sum(t.points for t in tasks(exercise)), (
        outputs(results)
    )


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_every_exercise_student_copy_gets_0_not_attempted(tmp_path, exercise):
    results = grade_committed(tmp_path, ROOT / "exercises", exercise)
    assert results["score"] == 0
    assert outputs(results).count("not attempted") == len(tasks(exercise)), outputs(results)


def grade_committed(tmp_path: Path, folder: Path, exercise: str) -> dict:
    path = folder / f"{exercise}.ipynb"
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} is not written yet")
    assert main([str(path), "--out", str(tmp_path), "--exercise", exercise]) == 0
    return json.loads((tmp_path / exercise / "results.json").read_text())
