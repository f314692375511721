"""What the judge reads before anything runs: the notebook's JSON and the cells' syntax trees."""

import json

import pytest
from test_grading_support import SETUP, correct, notebook, solution

from bp_lessons.exercises import tasks
from bp_lessons.grading.forbidden import flags
from bp_lessons.grading.notebook import Cell, NotGradable, parse_submission

pytestmark = pytest.mark.lesson01
Q1, Q2 = tasks("01_neuron")
REFERENCES = [Q1.reference, Q2.reference]


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


def cells(*answers: str, setup: str = SETUP) -> list[Cell]:
    return [Cell("setup", setup)] + [Cell(f"q{k}", a) for k, a in enumerate(answers, 1)]


def test_a_correct_notebook_and_the_checks_in_an_answer_cell_are_not_flagged():
    for k, task in enumerate((Q1, Q2), 1):
        assert flags(task, REFERENCES, parsed(correct()).cells_for(k)) == []
    again = "from bp_lessons.exercises.neuron import q1\n\nq1.check(sigmoid)\nq1.hint()\n"
    assert flags(Q1, REFERENCES, cells(solution(Q1) + again)) == []


@pytest.mark.parametrize(
    "answer, flag",
    [
        (
            "from bp_lessons.activations import sigmoid as s",
            "imports bp_lessons.activations.sigmoid",
        ),
        ("import bp_lessons\n\nf = bp_lessons.activations.sigmoid", "uses bp_lessons.activations"),
        ("from bp_lessons.exercises import neuron\n\nf = neuron.sigmoid", "bp_lessons.exercises"),
        ("f = q1.reference", "uses bp_lessons.exercises.neuron.q1.reference"),
        ("f = q1.mistakes", "uses bp_lessons.exercises.neuron.q1.mistakes"),
        ("import sys\n\nm = sys.modules", "uses sys.modules"),
        ("from sys import modules", "imports sys.modules"),
        ("f = getattr(math, name)", "calls getattr with a computed attribute name"),
        ("f = (lambda: 0).__globals__", "uses .__globals__"),
        ("f = ().__class__.__base__.__subclasses__()", "uses .__subclasses__"),
        ("import pickle", "imports pickle"),
        ("f = eval('1')", "uses eval"),
        ("from bp_lessons import neuron\n\nprint(neuron)", "passes the module bp_lessons.neuron"),
    ],
)
def test_reaching_what_the_task_asks_to_write_is_flagged(answer, flag):
    found = flags(Q1, REFERENCES, cells(answer + "\n"))
    assert any(flag in why for why in found), found


def test_the_setup_cell_is_checked_too():
    setup = SETUP + "from bp_lessons.neuron import neuron_forward\n"
    assert flags(Q2, REFERENCES, cells("", "", setup=setup)) == [
        "imports bp_lessons.neuron.neuron_forward (Exercise 1.2 asks you to write your own)"
    ]


def test_a_cell_that_does_not_parse_has_no_flags_it_cannot_run_either():
    assert flags(Q1, REFERENCES, cells("def sigmoid(z) return 1\n")) == []
