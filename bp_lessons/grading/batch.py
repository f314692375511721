"""Grading a class: read every submission first, grade them in parallel, collect the grades.

Every file is read and parsed before any submitted code runs, so no submission can change
another one on disk; the caller writes the reports after the last sandboxed process is gone.
While grading, the judge's process is made undumpable: another process of the same user cannot
read its memory (the seed, the expected values) through /proc or ptrace.
"""

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from bp_lessons.grading.isolation import PR_SET_DUMPABLE, prctl
from bp_lessons.grading.judge import Grade, Judge
from bp_lessons.grading.notebook import NotGradable, read_submission
from bp_lessons.grading.progress import Progress
from bp_lessons.grading.sandbox import Sandbox


def grade_files(
    files: list[tuple[Path, str]],
    *,
    exercise: str | None = None,
    jobs: int = 1,
    timeout: float = 10.0,
    memory_mb: int = 1024,
    progress: Progress | None = None,
    sandbox: Sandbox | None = None,
) -> list[Grade]:
    """Grade (file, results-folder name) pairs; the grades come back in the same order."""
    loaded = [(path, name, load(path)) for path, name in files]
    own_sandbox = sandbox is None
    sandbox = sandbox or Sandbox()
    try:
        with undumpable(), ThreadPoolExecutor(max(1, jobs)) as pool:
            judge = Judge(sandbox, exercise, timeout, memory_mb)
            futures = {
                pool.submit(grade_one, judge, name, path, submission): i
                for i, (path, name, submission) in enumerate(loaded)
            }
            grades: list[Grade | None] = [None] * len(loaded)
            for future in as_completed(futures):
                grade = grades[futures[future]] = future.result()
                if progress:
                    label = grade.problem[:40] or f"{grade.score:g}/{grade.max_score:g}"
                    progress.advance(f"{grade.name}: {label}")
    finally:
        if own_sandbox:
            sandbox.close()
    return grades


def load(path: Path):
    try:
        return read_submission(path)
    except NotGradable as error:
        return error


def grade_one(judge: Judge, name: str, path: Path, submission) -> Grade:
    try:
        return judge.grade(name, str(path), submission)
    except Exception as error:  # a bug in the grader: say so in this submission's results
        problem = f"the grader failed on this file ({type(error).__name__}: {error}); report it"
        return Grade(name, str(path), judge.exercise, problem=problem)


@contextlib.contextmanager
def undumpable() -> Iterator[None]:
    changed = prctl(PR_SET_DUMPABLE, 0)
    try:
        yield
    finally:
        if changed:
            prctl(PR_SET_DUMPABLE, 1)
