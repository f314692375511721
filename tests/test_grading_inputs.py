"""What the judge reads before anything runs: which files, the notebook's JSON, its graded cells.

A hostile class controls the submission folder: links to other files, pipes, names that are not
UTF-8, thousands of cells, a path planted where the results go. None of it may cost another
student's row, hang or crash the run, or make the grader read or write where it should not.
"""

import csv
import io
import json
import os
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from test_grading_support import correct, notebook, save, solution

from bp_lessons.exercises import tasks
from bp_lessons.grading.cli import main
from bp_lessons.grading.notebook import MAX_GRADED_CELLS, NotGradable, parse_submission

pytestmark = pytest.mark.lesson01
Q1, Q2 = tasks("01_neuron")


def parsed(nb) -> object:
    return parse_submission(json.dumps(nb).encode())


def test_the_graded_cells_are_the_setup_and_answer_cells_in_order():
    submission = parsed(notebook(scratch="x = 1"))
    assert submission.exercise == "01_neuron"
    assert [cell.grade_id for cell in submission.cells] == ["setup", "q1", "q2"]
    assert [cell.grade_id for cell in submission.cells_for(1)] == ["setup", "q1"]
    assert submission.answer(2) and not submission.answer(3)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"[1, 2]", "JSON but not a Jupyter notebook"),
        (b'{"worksheets": [], "metadata": {}}', "old format 3"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"%PDF-1.7", "a PDF document"),
        (b"   \n", "the file is empty"),
        (json.dumps({"cells": [], "metadata": {}}).encode(), "does not say which exercise"),
        (
            json.dumps({"cells": [], "metadata": {"bp_lessons": {"exercise": 1}}}).encode(),
            "does not say",
        ),
    ],
)
def test_a_file_that_is_not_an_exercise_notebook_says_why(data, message):
    with pytest.raises(NotGradable, match=message):
        parse_submission(data)


def test_a_damaged_cell_says_so():
    nb = json.loads(json.dumps(notebook()))
    nb["cells"][3]["source"] = [1, 2]
    with pytest.raises(NotGradable, match="cell q1 is damaged"):
        parse_submission(json.dumps(nb).encode())


def test_magics_become_pass_only_when_the_cell_is_not_python():
    magic = parsed(notebook({1: "%time x = 1\n" + solution(Q1)})).cells[1].source
    assert magic.startswith("pass  # %time x = 1\n")
    percent = "def sigmoid(z):\n    return '%d' % z\n"
    assert parsed(notebook({1: percent})).cells[1].source == percent


def run(tmp_path: Path, *extra: str) -> dict[str, dict]:
    """bp-grade on tmp_path/class; every results.json by folder name, and grades.csv's rows."""
    out = tmp_path / "out"
    assert main([str(tmp_path / "class"), "--out", str(out), "--timeout", "5", *extra]) == 0
    results = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/results.json")}
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    return {"results": results, "rows": rows}


def test_a_link_scores_0_and_the_file_it_points_to_keeps_its_own_row(tmp_path):
    victim = save(tmp_path, "class/alice.ipynb", correct())
    solutions = Path(__file__).parent.parent / "exercises" / "source" / "01_neuron.ipynb"
    (tmp_path / "class" / "mallory.ipynb").symlink_to(victim)
    (tmp_path / "class" / "trudy.ipynb").symlink_to(solutions)
    (tmp_path / "class" / "eve.ipynb").symlink_to("/proc/self/fd/0")  # a read that would block
    graded = run(tmp_path)
    scores = {row["submission"]: row["total"] for row in graded["rows"]}
    assert scores == {"alice": "2", "eve": "0", "mallory": "0", "trudy": "0"}
    assert "a symbolic link" in graded["results"]["mallory"]["output"]


def test_a_pipe_named_like_a_notebook_scores_0_without_being_read(tmp_path):
    save(tmp_path, "class/alice.ipynb", correct())
    os.mkfifo(tmp_path / "class" / "fifo.ipynb")  # nobody writes: reading it would block
    graded = run(tmp_path)
    assert {row["submission"]: row["total"] for row in graded["rows"]} == {
        "alice": "2",
        "fifo": "0",
    }
    assert "not a regular file" in graded["results"]["fifo"]["output"]


def test_a_file_name_that_is_not_utf8_gets_its_row(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9-\xff.ipynb")  # Latin-1 bytes, as an old zip tool writes them
    (folder / name).write_text(json.dumps(correct()))
    (folder / os.fsdecode(b"notes-\xff.txt")).write_text("skipped, and said so")
    graded = run(tmp_path)
    (row,) = graded["rows"]
    assert row["total"] == "2" and row["file"].endswith("caf\\xe9-\\xff.ipynb")
    assert "notes-\\xff.txt" in (tmp_path / "out" / "skipped.txt").read_text()


@pytest.mark.parametrize("planted", ["file", "link"])
def test_what_a_submission_plants_at_the_output_path_is_not_followed(tmp_path, planted):
    save(tmp_path, "class/alice.ipynb", correct())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    q1 = f"""import os

for make in (lambda p: open(p, "w").close(), lambda p: os.symlink({str(elsewhere)!r}, p)):
    for path in ({str(tmp_path / "out" / "s")!r}, {str(tmp_path / "out" / "grades.csv")!r}):
        try:
            make(path)
        except OSError:
            pass

""" + solution(Q1)
    save(tmp_path, "class/s.ipynb", notebook({1: q1}))
    out = tmp_path / "out"
    if planted == "file":  # planted before the run by someone who can write there
        out.mkdir()
        (out / "s").write_text("planted")
        (out / "grades.csv").symlink_to(elsewhere / "grades.csv")
    graded = run(tmp_path)
    assert {row["submission"]: row["total"] for row in graded["rows"]} == {"alice": "2", "s": "1"}
    assert list(elsewhere.iterdir()) == [] and (out / "s").is_dir()


def test_an_output_path_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    save(tmp_path, "class/alice.ipynb", correct())
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(SystemExit) as exit:
        main([str(tmp_path / "class"), "--out", str(tmp_path / "out")])
    assert exit.value.code == 2 and "it must be a folder" in capsys.readouterr().err


def test_thousands_of_graded_cells_are_refused_at_once(tmp_path):
    nb = json.loads(json.dumps(notebook()))
    tiny = {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "q1"}}, "source": "x=1"}
    nb["cells"][4:4] = [tiny] * 100_000  # 100,000 answer cells of 3 characters: 8 MB
    data = json.dumps(nb).encode()
    start = time.monotonic()
    with pytest.raises(NotGradable, match=f"more than {MAX_GRADED_CELLS}: an exercise has one"):
        parse_submission(data)
    assert time.monotonic() - start < 5


def test_a_copied_answer_cell_runs_after_the_original(tmp_path):
    nb = notebook({1: "def sigmoid(z):\n    return 0.0\n"})
    nb.cells.insert(4, nbformat.from_dict(json.loads(json.dumps(nb.cells[3]))))
    nb.cells[4]["id"] = "second-try"
    nb.cells[4]["source"] = solution(Q1)  # the learner's second try, in a copy of the cell
    assert [c.grade_id for c in parsed(nb).cells] == ["setup", "q1", "q1", "q2"]
    save(tmp_path, "class/s.ipynb", nb)
    assert run(tmp_path)["rows"][0]["1.1 sigmoid"] == "1"


def test_a_folder_tree_too_deep_to_walk_recursively_costs_no_one_anything(tmp_path):
    save(tmp_path, "class/alice.ipynb", correct())
    deep = tmp_path / "class" / "mallory"
    deep.mkdir()
    for _ in range(1100):  # deeper than os.walk could recurse before Python 3.12
        deep = deep / "d"
        deep.mkdir()
    try:
        graded = run(tmp_path)
        assert {row["submission"]: row["total"] for row in graded["rows"]} == {"alice": "2"}
        skipped = (tmp_path / "out" / "skipped.txt").read_text()
        assert "deeper than 20 folders: not searched" in skipped
    finally:  # pytest's own clean-up of old temporary folders would recurse too deep
        subprocess.run(["rm", "-rf", str(tmp_path / "class" / "mallory")], check=True)


def test_control_characters_in_a_name_are_shown_not_obeyed(tmp_path):
    name = "x\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2K\r=1+1.ipynb"
    save(tmp_path, f"class/{name}", correct())
    graded = run(tmp_path)
    (row,) = graded["rows"]  # one row: the carriage return did not start another
    assert "\\u001b]52" in row["file"] and "\\u000d=1+1" in row["file"]
    assert "\x1b" not in (tmp_path / "out" / "grades.csv").read_text()


def test_more_notebooks_than_a_student_may_hand_in_are_listed_not_graded(tmp_path):
    for i in range(21):
        save(tmp_path, f"class/mallory/copy{i:02d}.ipynb", notebook())
    graded = run(tmp_path)
    problems = [row["problem"] for row in graded["rows"]]
    assert len(problems) == 21 and sum("more than 20 notebooks" in p for p in problems) == 1
