"""Every exercise task: the reference passes, a stub is "not attempted", every known mistake
fails with its own message; and the checking machinery itself."""

import math

import numpy as np
import pytest

from bp_lessons.exercises import EXERCISES, Mistake, Task, tasks
from bp_lessons.exercises.check import to_plain

ALL_TASKS = [(exercise, task) for exercise in EXERCISES for task in tasks(exercise)]
IDS = [f"{exercise}-q{task.number}" for exercise, task in ALL_TASKS]


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: not written yet")


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=IDS)
def test_the_reference_passes(exercise, task):
    result = task.evaluate(task.reference)
    assert result.status == "passed", str(result)
    assert len(result.rows) >= 3


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=IDS)
def test_a_stub_is_not_attempted(exercise, task):
    result = task.evaluate(stub)
    assert result.status == "not attempted" and "not attempted" in str(result)
    assert "Traceback" not in str(result)


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=IDS)
def test_every_known_mistake_fails_with_its_own_message(exercise, task):
    assert len(task.mistakes) >= 3, "at least three wrong implementations per task"
    for mistake in task.mistakes:
        result = task.evaluate(mistake.fn)
        assert result.status == "failed", f"{mistake.message!r} passes the check"
        assert mistake.message in result.headline(), str(result)


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=IDS)
def test_hints_get_more_specific_and_the_solution_is_the_reference(exercise, task, capsys):
    task.hints_given = 0
    for i in range(len(task.hints) + 1):
        task.hint()
        shown = capsys.readouterr().out
        assert f"Hint {min(i + 1, len(task.hints))} of {len(task.hints)}" in shown
    assert "last hint" in shown
    task.solution()
    assert f"def {task.function}(" in capsys.readouterr().out


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=IDS)
def test_random_cases_are_seeded_and_plain_data(exercise, task):
    assert task.cases(seed=5) == task.cases(seed=5)
    if task.random:
        assert task.cases(seed=5) != task.cases(seed=6)
    for args in task.cases(seed=5):
        assert to_plain_args(args) == args


def to_plain_args(args):
    def plain(value):
        if isinstance(value, (str, int, float)):
            return value
        return [plain(item) for item in value]

    return {name: plain(value) for name, value in args.items()}


# --- the machinery, on a small task of its own ----------------------------------------------


def double(x):
    return 2.0 * x


toy = Task(
    number="0.1",
    function="double",
    reference=double,
    fixed=[{"x": 1.0}, {"x": -2.5}, {"x": 0.0}],
    random=lambda rng: {"x": float(rng.normal())},
    mistakes=[Mistake("You returned x, not 2x.", lambda x: x)],
    errors={"ZeroDivisionError": "Nothing here divides."},
)


def test_check_prints_a_verdict_outside_a_notebook(capsys):
    toy.check(double)
    assert capsys.readouterr().out.startswith("✓ Exercise 0.1: `double` is correct on all 7 cases")
    toy.check(lambda x: x)
    out = capsys.readouterr().out
    assert out.startswith("✗ Exercise 0.1: `double` is off on 6 of 7 cases. You returned x")
    assert "case 1: x=1" in out and "expected 2" in out and "got      1" in out


def test_an_error_is_reported_per_case_with_its_advice():
    result = toy.evaluate(lambda x: 1 / x)
    assert result.status == "failed"
    (row,) = [row for row in result.rows if row.got is None]
    assert row.message == "raised ZeroDivisionError: float division by zero. Nothing here divides."


def test_types_and_shapes_are_checked_first():
    assert "expected a number, got a list of 1 number" in str(toy.evaluate(lambda x: [2 * x]))
    assert "expected numbers, got a bool" in str(toy.evaluate(lambda x: True))
    assert "got str 'two'" in str(toy.evaluate(lambda x: "two"))
    assert "got nan" in str(toy.evaluate(lambda x: math.nan))


def test_the_html_table_has_one_row_per_case():
    page = toy.evaluate(lambda x: x)._repr_html_()
    assert page.count("<tr>") == 1 + 7 and "✗" in page and "wrong value" not in page


def test_check_wants_a_function():
    with pytest.raises(TypeError, match="check needs your function, e.g. double, got a number"):
        toy.check(2.0)


def test_to_plain_admits_numbers_lists_and_arrays_only():
    assert to_plain(np.array([[1, 2]])) == [[1.0, 2.0]]
    assert to_plain((np.float32(0.5), 3)) == [0.5, 3.0]

    class Liar(float):
        def __eq__(self, other):
            return True

    assert type(to_plain(Liar(1.0))) is float  # a float subclass is copied into a real float
    for bad in (None, "1", {"a": 1}, object(), [1, None]):
        with pytest.raises(TypeError):
            to_plain(bad)


def test_unknown_exercise():
    with pytest.raises(ValueError, match="unknown exercise '99_nothing': expected one of"):
        tasks("99_nothing")
