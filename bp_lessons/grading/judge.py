"""The judge: grade a submission task by task, comparing the answers in this (trusted) process.

For task k the sandbox runs the setup cell and the answer cells q1..qk in a child of its own and
calls the learner's function on the cases; the judge compares each answer with `task.judge`,
which recomputes the expected value here. The random cases come from a seed drawn per run that
never leaves this process. A cell before q_k that kills or hangs its process at top level is
left out and the task run again, so it costs only its own task, within the submission's budget
(`Budget`): all its runs together get at most `timeout` seconds per task and one more, however
many of its cells hang.

Scoring is all or nothing per task, as in nbgrader: `task.points` when every case passes and
nothing is flagged, else 0.
"""

import inspect
import secrets
import threading
import time
from dataclasses import dataclass, field

from bp_lessons.exercises import EXERCISES, Task, tasks
from bp_lessons.grading.copies import copies_reference
from bp_lessons.grading.notebook import Cell, NotGradable, Submission
from bp_lessons.grading.points import Table, graded_tasks
from bp_lessons.grading.sandbox import Outcome, Sandbox
from bp_lessons.grading.verdict import TaskGrade, verdict

MAX_LEFT_OUT = 3  # cells left out of one task before the judge gives up on it
MIN_RUN_SECONDS = 1.0  # a run with less of the budget left would not start Python


# the self-test's setup cell: what the exercises' setup cells import, all at once
SELF_TEST_SETUP = """import math

import numpy as np

import bp_lessons
from bp_lessons import MLP, datasets
from bp_lessons.activations import *
from bp_lessons.autograd import Value
from bp_lessons.layer import *
from bp_lessons.losses import *
"""


def draw_seed() -> int:
    """The run's secret seed for the random cases (a function, so a test can pin it)."""
    return secrets.randbits(63)


@dataclass
class Grade:
    """One submission's grade: a TaskGrade per task, or the problem that stopped grading."""

    name: str  # its folder in the output, unique and safe
    source: str  # the file as the instructor named it
    exercise: str | None
    tasks: list[TaskGrade] = field(default_factory=list)
    problem: str = ""  # why it could not be graded at all
    note: str = ""  # anything else the learner should read first
    budget: "Budget | None" = field(default=None, repr=False)
    student: str = ""  # whose it is, by its path (collect.Found.student)
    reviews: dict[int, str] = field(default_factory=dict)  # task k -> why an instructor should look
    relative: str = ""  # its path under the submitted folder

    @property
    def seconds(self) -> float:
        return sum(grade.seconds for grade in self.tasks)

    @property
    def score(self) -> float:
        return sum(grade.score for grade in self.tasks)

    @property
    def max_score(self) -> float:
        return sum(grade.task.points for grade in self.tasks)


class Judge:
    """Grades submissions with the sandbox; holds the run's secret seed and cases.

    `exercises`: the exercises this grading is for (None: any); `seed`: the secret seed (None:
    a new one, kept in `self.seed` for the record, so that a regrade can reuse it); `points`:
    the points per task where they differ from the checks' (points.py).
    """

    def __init__(
        self,
        sandbox: Sandbox,
        exercises: tuple[str, ...] | None = None,
        timeout: float = 10.0,
        memory_mb: int = 1024,
        seed: int | None = None,
        points: Table | None = None,
    ) -> None:
        self.sandbox, self.exercises, self.points = sandbox, exercises, points
        self.timeout, self.memory = timeout, memory_mb * 2**20
        self.seed = draw_seed() if seed is None else seed
        self.cases: dict[tuple[str, int], list[dict]] = {}

    def grade(self, name: str, source: str, submission: Submission | NotGradable) -> Grade:
        """Grade one submission, its tasks one after the other."""
        grade, work = self.start(name, source, submission)
        for k, task in work:
            grade.tasks[k - 1] = self.grade_task(submission, k, task, grade.budget)
            grade.tasks[k - 1].review = grade.reviews.get(k, "")
        return grade

    def start(
        self, name: str, source: str, submission: Submission | NotGradable
    ) -> tuple[Grade, list[tuple[int, Task]]]:
        """The grade to fill in, and the tasks (k, task) to grade for it (none if not gradable).

        Each task is graded on its own (`grade_task`), so a class's tasks can run in parallel.
        """
        problem = self.problem(submission)
        if problem:
            only = self.exercises[0] if self.exercises and len(self.exercises) == 1 else None
            return not_graded(name, source, only, problem, self.points), []
        work = list(enumerate(graded_tasks(submission.exercise, self.points), 1))
        grade = Grade(name, source, submission.exercise, [None] * len(work))
        grade.budget = Budget(self.timeout, len(work))
        # the work with syntax trees happens here, in the calling thread: CPython's ast is not
        # safe across threads (3.11 raises SystemError), and the tasks run in a pool
        for k, task in work:
            self.sandbox.view(submission.exercise, k)
            sources = [cell.source for cell in submission.cells_for(k)]
            if copies_reference(sources, task.function, task.reference):
                grade.reviews[k] = f"{task.number}: the same code as the reference solution"
            check = check_review(submission, k, task)
            if check:
                grade.reviews[k] = "; ".join(filter(None, [grade.reviews.get(k), check]))
        return grade, work

    def problem(self, submission: Submission | NotGradable) -> str:
        """Why this submission cannot be graded at all ("" when it can)."""
        if isinstance(submission, NotGradable):
            return str(submission)
        if submission.exercise not in EXERCISES:
            known = ", ".join(EXERCISES)
            return f"unknown exercise {submission.exercise!r}: this grader knows {known}"
        if self.exercises and submission.exercise not in self.exercises:
            wanted = " or ".join(self.exercises)
            return (
                f"this notebook is exercise {submission.exercise!r}, but this grading is for "
                f"{wanted}: submit the {wanted} notebook"
            )
        return ""

    def grade_task(self, submission: Submission, k: int, task: Task, budget: "Budget") -> TaskGrade:
        start = time.monotonic()
        grade = self.judge_task(submission, k, task, budget)
        grade.seconds = time.monotonic() - start
        return grade

    def judge_task(self, submission: Submission, k: int, task: Task, budget: "Budget") -> TaskGrade:
        if not submission.answer(k):
            why = f'no answer cell q{k} (the code cell with nbgrader grade_id "q{k}")'
            return TaskGrade(task, 0.0, "failed", f"0/{task.points}: {why}")
        cells = submission.cells_for(k)
        cases = self.cases_of(submission.exercise, k, task)
        left_out = [
            f"cell {cell.grade_id} was left out: it stopped its process at top level"
            for cell in cells
            if cell.grade_id in budget.stopping and cell.grade_id != f"q{k}"
        ]
        cells = [c for c in cells if c.grade_id not in budget.stopping or c.grade_id == f"q{k}"]
        for attempt in range(MAX_LEFT_OUT + 1):
            seconds = budget.take(first=attempt == 0)
            if seconds is None:
                left_out.append(budget.spent_note())
                break
            request = {
                "function": task.function,
                "call": task.call.__name__ if task.call else None,
                "pure": task.pure,
                "cells": [{"grade_id": cell.grade_id, "source": cell.source} for cell in cells],
                "cases": cases,
                "secret_from": len(task.fixed),  # the random cases: sent last (sandbox.Feeder)
                "memory": self.memory,
                "cpu": int(seconds) + 1,
            }
            outcome = self.sandbox.run(request, submission.exercise, k, seconds)
            budget.refund(seconds, outcome.seconds, rerun=attempt > 0)
            allowed = seconds
            i = culprit(outcome, cells, k)
            if i is None:
                break
            how = "ran out of time" if outcome.ended == "timeout" else "ended its process"
            left_out.append(f"cell {cells[i].grade_id} was left out: it {how} at top level")
            budget.stopping.add(cells[i].grade_id)
            cells = cells[:i] + cells[i + 1 :]
        answer = next((i for i, cell in enumerate(cells) if cell.grade_id == f"q{k}"), None)
        return verdict(task, cases, outcome, left_out, allowed, len(cells), answer)

    def self_test(self, exercise: str) -> str:
        """Why honest work of this exercise would fail behind these walls: "" when its setup
        and its first task's reference solution, run as a submission would be, pass."""
        task = tasks(exercise)[0]
        setup = SELF_TEST_SETUP + f"from {EXERCISES[exercise]} import q1\n"
        cells = [Cell("setup", setup), Cell("q1", inspect.getsource(task.reference))]
        grade = self.judge_task(Submission(exercise, cells), 1, task, Budget(self.timeout, 1))
        if grade.status == "passed":
            return ""
        return (
            f"the walls stop honest work: the reference solution of Exercise {task.number} "
            f"does not pass in a task ({grade.status}: {grade.output[:300]}). As root each task "
            "runs as a user of its own, who must be able to read this Python and the "
            "temporary folder (TMPDIR)"
        )

    def cases_of(self, exercise: str, k: int, task: Task) -> list[dict]:
        """The run's cases for a task: the same for every submission, drawn with the secret seed."""
        if (exercise, k) not in self.cases:
            self.cases[exercise, k] = task.cases(self.seed)
        return self.cases[exercise, k]


def check_review(submission: Submission, k: int, task: Task) -> str:
    """What an instructor grading with nbgrader should know of task k's check cell: deleted,
    changed, or its check rebound by some cell (nbgrader gives a task its points when its check
    cell runs without an error; this grader does not run check cells). "" when none."""
    if submission.checks is None:
        return ""
    found = []
    source = submission.checks.get(k)
    if source is None:
        found.append(f"check cell q{k}_check deleted")
    elif source.strip() != f"q{k}.check({task.function})":
        found.append(f"check cell q{k}_check changed")
    if k in submission.rebound or 0 in submission.rebound:
        found.append(f"a cell rebinds q{k} or q{k}.check")
    elif 0 in submission.rebound:
        found.append(
            "a cell reaches the checks' code or binds names unseen (Task, setattr, exec, "
            "globals, __dict__, __class__)"
        )
    if not found:
        return ""
    return f"{task.number}: " + ", ".join(found) + " (nbgrader's points for it cannot be trusted)"


def culprit(outcome: Outcome, cells: list[Cell], k: int) -> int | None:
    """The cell before answer cell qk in which the child stopped, if it did (to leave it out).

    The child says which cell it is running; it could lie, which only costs its own time.
    """
    i = outcome.last_cell()
    if outcome.ended == "done" or i is None or not 0 <= i < len(cells):
        return None
    return None if cells[i].grade_id == f"q{k}" else i


def not_graded(
    name: str, source: str, exercise: str | None, problem: str, points: Table | None = None
) -> Grade:
    """A grade of 0 saying why, with the expected exercise's tasks when it is known."""
    expected = graded_tasks(exercise, points) if exercise else []
    found = [TaskGrade(task, 0.0, "not graded", f"0/{task.points}: {problem}") for task in expected]
    return Grade(name, source, exercise, found, problem)


class Budget:
    """The seconds one submission may cost in all: `timeout` per task and one more, for reruns.

    Every task's first run is paid for in advance and gets the whole `timeout`; what a run
    does not use comes back to the budget, which pays for reruns (a cell left out). So the
    runs of one submission never take more than timeout × (tasks + 1), however many of its
    cells hang, even when its tasks run in parallel (a lock keeps the account). The cells
    found to stop their process at top level are remembered: a later task leaves them out
    at once.
    """

    def __init__(self, timeout: float, tasks: int) -> None:
        self.timeout, self.total = timeout, timeout * (tasks + 1)
        self.spent = timeout * tasks  # every first run, paid in advance
        self.stopping: set[str] = set()  # grade_ids of cells that stopped a run at top level
        self.reruns = 0  # reruns under way, each holding its seconds in advance
        self.lock = threading.Condition()

    def take(self, first: bool) -> float | None:
        """Seconds for the next run of a task, or None when the budget cannot pay for one."""
        if first:
            return self.timeout
        with self.lock:
            seconds = min(self.timeout, self.total - self.spent)
            # another task's rerun holds the rest in advance: what it does not use comes back
            until = time.monotonic() + self.timeout + 5.0  # a rerun ends by its deadline
            while seconds < MIN_RUN_SECONDS and self.reruns and time.monotonic() < until:
                self.lock.wait(until - time.monotonic())
                seconds = min(self.timeout, self.total - self.spent)
            if seconds < MIN_RUN_SECONDS:
                return None
            self.spent += seconds
            self.reruns += 1
            return seconds

    def refund(self, taken: float, used: float, rerun: bool = False) -> None:
        with self.lock:
            self.spent -= max(0.0, taken - used)
            self.reruns -= rerun
            self.lock.notify_all()

    def spent_note(self) -> str:
        return (
            f"this submission used up its time ({self.total:g} s in all: the time limit for "
            "each task and one more), so a cell that stopped its process at top level was "
            "not left out and tried again"
        )
