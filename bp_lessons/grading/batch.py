"""Grading a class: read every submission first, grade them in parallel, collect the grades.

Every file is read and parsed before any submitted code runs, so no submission can change
another one on disk; the caller writes the reports after the last sandboxed process is gone.
While grading, the judge's process is made undumpable: another process of the same user cannot
read its memory (the seed, the expected values) through /proc or ptrace.
"""

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

from bp_lessons.exercises import EXERCISES, Task
from bp_lessons.grading.collect import Found, shown
from bp_lessons.grading.isolation import PR_SET_DUMPABLE, prctl
from bp_lessons.grading.judge import Grade, Judge, not_graded
from bp_lessons.grading.notebook import NotGradable, Submission, read_submission
from bp_lessons.grading.points import Table
from bp_lessons.grading.progress import Progress
from bp_lessons.grading.sandbox import Sandbox, SandboxUnavailable
from bp_lessons.grading.verdict import TaskGrade


def grade_files(
    files: list[Found],
    *,
    exercises: tuple[str, ...] | None = None,
    jobs: int = 1,
    timeout: float = 10.0,
    memory_mb: int = 1024,
    seed: int | None = None,
    points: Table | None = None,
    progress: Progress | None = None,
    sandbox: Sandbox | None = None,
) -> tuple[list[Grade], int]:
    """Grade the submissions found: their grades, in the same order, and the seed used.

    The unit of parallel work is a task, not a submission: one submission's endless loops
    then hold several cores for the time limit at once, not one core several times over.
    """
    loaded = [(found, load(found)) for found in files]
    own_sandbox = sandbox is None
    sandbox = sandbox or Sandbox()
    pool = ThreadPoolExecutor(max(1, jobs))
    try:
        with undumpable():
            judge = Judge(sandbox, exercises, timeout, memory_mb, seed, points)
            self_test(judge, loaded, pool)
            return grade_all(judge, loaded, pool, progress), judge.seed
    finally:
        pool.shutdown(cancel_futures=True)  # on Ctrl-C: no new task starts
        if own_sandbox:
            sandbox.close()


def self_test(judge: Judge, loaded: list, pool: ThreadPoolExecutor) -> None:
    """Before any submission runs: every exercise to grade passes its own self-test (its
    setup and its first task's reference, behind the walls), else SandboxUnavailable says
    why, rather than honest work scoring 0 in silence."""
    wanted = {s.exercise for _, s in loaded if isinstance(s, Submission)} & set(EXERCISES)
    wanted &= set(judge.exercises or EXERCISES)
    for exercise in sorted(wanted):  # the views are built here, in this thread (ast)
        judge.sandbox.view(exercise, 1)
    for exercise, why in zip(sorted(wanted), pool.map(judge.self_test, sorted(wanted))):
        if why:
            raise SandboxUnavailable(f"exercise {exercise}: {why}")


def grade_all(judge: Judge, loaded: list, pool: ThreadPoolExecutor, progress) -> list[Grade]:
    """Every task of every submission into the pool; each grade filled in as its tasks end."""
    grades, pending, left = [], {}, []
    for i, (found, submission) in enumerate(loaded):
        try:
            grade, work = judge.start(found.name, shown(found.path), submission)
        except Exception as error:  # a bug met in this notebook: its row says so, the class goes on
            grade, work = could_not_grade(judge, found, submission, error), []
        grade.student, grade.relative = found.student, shown(found.relative)
        grades.append(grade)
        left.append(len(work))
        for k, task in work:
            pending[pool.submit(grade_task, judge, submission, k, task, grade.budget)] = i, k
        if not work and progress:
            progress.advance(label(grade))
    for future in as_completed(pending):
        i, k = pending[future]
        grades[i].tasks[k - 1] = future.result()
        grades[i].tasks[k - 1].review = grades[i].reviews.get(k, "")
        left[i] -= 1
        if not left[i] and progress:
            progress.advance(label(grades[i]))
    return grades


def load(found: Found) -> Submission | NotGradable:
    if found.problem:
        return NotGradable(found.problem)
    try:
        return read_submission(found.path, follow=found.follow)
    except NotGradable as error:
        return error
    except Exception as error:  # a bug met in this file: it alone is not graded, and says why
        return NotGradable(failed(error))


def failed(error: BaseException) -> str:
    return (
        f"could not be graded: the grader failed on this notebook ({type(error).__name__}: "
        f"{error}); nothing was scored, ask for a regrade"
    )


def could_not_grade(judge: Judge, found: Found, submission, error: Exception) -> Grade:
    """The row of a notebook the grader failed on: 0 for each task of its exercise, and why."""
    exercise = getattr(submission, "exercise", None)
    exercise = exercise if exercise in EXERCISES else None
    only = judge.exercises[0] if judge.exercises and len(judge.exercises) == 1 else None
    return not_graded(found.name, shown(found.path), exercise or only, failed(error), judge.points)


def grade_task(judge: Judge, submission: Submission, k: int, task: Task, budget) -> TaskGrade:
    try:
        return judge.grade_task(submission, k, task, budget)
    except Exception as error:  # a bug in the grader: say so in this task's results
        why = f"the grader failed on this task ({type(error).__name__}: {error}): report it"
        return TaskGrade(task, 0.0, "not graded", f"0/{task.points}: {why}")


def label(grade: Grade) -> str:
    # shown: a terminal's escapes in a notebook's metadata are printed as text, not obeyed
    return f"{grade.name}: " + (shown(grade.problem[:40]) or f"{grade.score:g}/{grade.max_score:g}")


@contextlib.contextmanager
def undumpable() -> Iterator[None]:
    changed = prctl(PR_SET_DUMPABLE, 0)
    try:
        yield
    finally:
        if changed:
            prctl(PR_SET_DUMPABLE, 1)
