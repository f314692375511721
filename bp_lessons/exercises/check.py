"""A task of an exercise notebook and how a learner's answer is checked against the reference.

The same Task serves the learner in a notebook (`q1.check(fn)`, `q1.hint()`, `q1.solution()`)
and the grader, which calls the learner's function in its sandbox (with `calling.call_on`, the
one part of the checks the sandbox holds) and runs `task.judge(...)` in its own process:
everything that crosses between them is plain data (numbers, strings, nested lists).

The notebook's check holds an answer to the grader's rules: while the learner's function runs,
what the task forbids and the checks' own code raise instead of helping (the grader's sandbox
does not hold them at all), and its cases must finish within TIME_LIMIT seconds (the grader
stops a whole task, its cells included, at twice that by default).
"""

import contextlib
import inspect
import math
import re
import signal
import sys
import threading
import time
import traceback
import types
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from bp_lessons.exercises.calling import OFF_LIMITS, OWN_ERRORS, call_on, off_limits
from bp_lessons.exercises.feedback import Result, Row, describe, show

TIME_LIMIT = 5.0  # seconds for all of a task's cases; bp-grade's default --timeout is twice this
COURSE = {"graded": False, "hints": True}  # set by `bp_lessons.exercises.graded_course`


class TimeLimit(Exception):
    """The learner's function ran past the check's time limit."""


class CheckFailed(AssertionError):
    """Raised by `check` after it shows a ✗ or "not attempted", so that a grader that scores a
    cell by whether it raises (nbgrader, `nbgrader validate`) gives the task no points. In a
    notebook IPython shows one line instead of a traceback: the verdict is already above."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[0;31m{self.line}\x1b[0m"]


@dataclass
class Mistake:
    """A known wrong answer: if the learner's output matches `fn`'s, say `message`."""

    message: str
    fn: Callable


@dataclass
class Task:
    """One function the learner writes, e.g. Exercise 4.1 `neuron_gradients`."""

    number: str  # "4.1"
    function: str  # the name the learner defines
    reference: Callable
    fixed: list[dict]  # readable cases: argument name -> plain value, in call order
    random: Callable[[np.random.Generator], dict] | None = None
    n_random: int = 4
    points: int = 1
    parts: tuple[str, ...] = ()  # names of the parts of a tuple result, for "which part is off"
    mistakes: list[Mistake] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # exception name -> targeted advice
    call: Callable[[Callable, dict], object] | None = None  # fn, args -> result; default fn(*args)
    forbidden: tuple[str, ...] = ()  # bp_lessons names the learner must not import for this task
    pure: bool = True  # the function must leave its arguments unchanged
    rtol: float = 1e-6
    atol: float = 1e-9
    hints_given: int = field(default=0, repr=False)

    # --- what the grader uses -------------------------------------------------------------
    def cases(self, seed: int = 0) -> list[dict]:
        """The fixed cases, then `n_random` drawn with `seed` (the grader draws a secret one)."""
        rng = np.random.default_rng(seed)
        drawn = [self.random(rng) for _ in range(self.n_random)] if self.random else []
        return [dict(case) for case in self.fixed] + drawn

    def run(self, fn: Callable, args: dict) -> object:
        """Call fn on one case and return its result as plain data (raises what fn raises)."""
        return call_on(fn, args, self.call, self.pure)

    def judge(self, args: dict, got: object) -> Row:
        """Compare a plain result with the reference on one case, in the judge's own process."""
        expected = self.run(self.reference, args)
        off = self.parts_off(expected, got)
        message = ""
        if off:
            found = (m.message for m in self.mistakes if self.matches(m.fn, args, got))
            message = next(
                found, "; ".join(why if name == "result" else f"{name}: {why}" for name, why in off)
            )
        return Row(args, expected, got, ", ".join(name for name, _ in off), message)

    def judge_error(self, args: dict, error: str, text: str) -> Row:
        """The verdict on a case where the learner's function raised `error` (a type name)."""
        advice = self.errors.get(error, "")
        message = text if error in OWN_ERRORS else f"raised {error}: {text}"
        message += f". {advice}" if advice else ""
        return Row(args, self.run(self.reference, args), None, "result", message)

    def parts_off(self, expected: object, got: object) -> list[tuple[str, str]]:
        """(part name, what is wrong) for every part of the result that differs."""
        if self.parts and isinstance(expected, list) and isinstance(got, list):
            if len(got) != len(expected):
                return [
                    (
                        "result",
                        f"expected {len(expected)} results "
                        f"({', '.join(self.parts)}), got {len(got)}",
                    )
                ]
            pairs = zip(self.parts, expected, got)
            return [(name, why) for name, e, g in pairs if (why := difference(e, g, self))]
        why = difference(expected, got, self)
        return [("result", why)] if why else []

    def matches(self, fn: Callable, args: dict, got: object) -> bool:
        try:
            return not self.parts_off(self.run(fn, args), got)
        except Exception:
            return False

    # --- what the learner uses ------------------------------------------------------------
    def evaluate(self, fn: Callable, seed: int = 0, rules: bool = True) -> Result:
        """Run fn on every case here, in this process (the grader never does this).

        `rules=False` lifts the rules (see `rules`): for testing the checks with their own
        reference and mistakes, never for a learner's answer.
        """
        name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', '')}"
        if name in self.forbidden:
            note = f"this `{self.function}` is `{name}` from the package: write your own."
            return Result(self, "failed", [], note)
        rows, deadline = [], time.monotonic() + TIME_LIMIT
        for args in self.cases(seed):
            try:
                with self.rules(deadline) if rules else contextlib.nullcontext():
                    got = call_on(fn, args, self.call, self.pure)
            except NotImplementedError as error:
                return Result(self, "not attempted", [], self.waiting_for(error))
            except TimeLimit:
                return Result(self, "failed", rows, self.too_slow(len(rows)))
            except Exception as error:  # report it as this case's answer, keep going
                if OFF_LIMITS.format(number=self.number) in str(error):
                    return Result(self, "failed", [], f"your `{self.function}` calls {error}")
                rows.append(self.judge_error(args, type(error).__name__, str(error)))
                continue
            rows.append(self.judge(args, got))
        self.explain(rows)
        status = "passed" if all(not row.off for row in rows) else "failed"
        return Result(self, status, rows)

    @contextlib.contextmanager
    def rules(self, deadline: float) -> Iterator[None]:
        """While the learner's function runs: what the task forbids and the checks' own code
        raise when called, TimeLimit comes at the deadline, and warnings are not shown."""
        with off_limits_during(self), time_limit(deadline), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader scores a cell that writes to stderr as 0
            yield

    def too_slow(self, done: int) -> str:
        return (
            f"your `{self.function}` was still running after {TIME_LIMIT:g} s, with {done} "
            f"of the cases done. The check allows {TIME_LIMIT:g} s for all of them, as the "
            "grader does (an endless loop, or a loop over far more items than the inputs have?)"
        )

    def explain(self, rows: list[Row]) -> None:
        """Name, on every failed case it fits, the known mistake that fits the most of them.

        A single case can fit several mistakes (a 0-or-1 answer fits many); the cases together
        tell them apart.
        """
        failed = [row for row in rows if row.off and row.got is not None]
        fits = [sum(self.matches(m.fn, row.args, row.got) for row in failed) for m in self.mistakes]
        if not any(fits):
            return
        best = self.mistakes[fits.index(max(fits))]
        for row in failed:
            if self.matches(best.fn, row.args, row.got):
                row.message = best.message

    def waiting_for(self, error: NotImplementedError) -> str:
        """Say so when fn is written but calls another task's function that is not.

        The stubs of our student copies name their task; nbgrader's (`raise
        NotImplementedError()`) say nothing, so the function that raised is read off the
        traceback and looked up among this exercise's tasks.
        """
        stub = re.match(r"Exercise (\d+\.\d+): write (\w+)", str(error))
        if stub:
            number, function = stub.groups()
        else:
            frames = traceback.extract_tb(error.__traceback__)
            function = frames[-1].name if frames else ""
            number = next((t.number for t in siblings(self) if t.function == function), "")
        if not number or number == self.number:
            return ""
        return (
            f"your `{self.function}` calls `{function}` (Exercise {number}), which still raises "
            "NotImplementedError: write that one first."
        )

    def check(self, fn: Callable) -> None:
        """✓ or ✗ with a table of cases: input, expected, got, which part is off.

        A ✗ or "not attempted" then raises CheckFailed (one line, no traceback), so that
        nbgrader and `nbgrader validate` score the cell as failed.
        """
        if not callable(fn):
            raise TypeError(f"check needs your function, e.g. {self.function}, got {describe(fn)}")
        result = self.evaluate(fn)
        show(result)
        if result.status == "not attempted":
            raise CheckFailed(f"Exercise {self.number} not attempted yet (see above).")
        if not result.passed:
            raise CheckFailed(f"✗ Exercise {self.number}: not right yet (see above).")

    def hint(self) -> None:
        """One hint per call, each more specific than the last."""
        if not COURSE["hints"]:
            return show(
                f"Hints are off for Exercise {self.number} in this course: your instructor "
                "chose so for graded work. The check's messages still say what is off."
            )
        if not self.hints:
            return show(f"No hints for Exercise {self.number}.")
        index = min(self.hints_given, len(self.hints) - 1)
        self.hints_given += 1
        last = " (that was the last hint: .solution() shows the answer)" * (
            index == len(self.hints) - 1 and not COURSE["graded"]
        )
        show(f"Hint {index + 1} of {len(self.hints)}{last}: {self.hints[index]}")

    def solution(self) -> None:
        """Show the reference solution (not in a graded course's copies)."""
        if COURSE["graded"]:
            return show(
                f"The solution of Exercise {self.number} is not shown in this course: this copy "
                "is for graded work. Your instructor will say when solutions open."
            )
        source = inspect.getsource(self.reference)
        show(f"Exercise {self.number}, a solution:\n\n```python\n{source}```")


def difference(expected: object, got: object, task: Task, where: str = "") -> str:
    """Why got is not expected ('' when they agree within the task's tolerance).

    `where` is the position inside the result, such as "[1][0]", named in the answer.
    """
    at = f" at {where}" if where else ""
    if isinstance(expected, float):
        if not isinstance(got, float):
            return f"expected a number{at}, got {describe(got)}"
        if not math.isfinite(got):
            return f"got {got}{at}"
        close = abs(got - expected) <= task.atol + task.rtol * abs(expected)
        return "" if close else f"wrong value{at}"
    if not isinstance(got, list) or len(got) != len(expected):
        return f"expected {describe(expected)}{at}, got {describe(got)}"
    pairs = enumerate(zip(expected, got))
    return next(
        (why for i, (e, g) in pairs if (why := difference(e, g, task, f"{where}[{i}]"))), ""
    )


@contextlib.contextmanager
def off_limits_during(task: Task) -> Iterator[None]:
    """Make what `task` forbids, its exercise's module and Task's methods raise when called.

    Each function's code is swapped for one that raises `calling.off_limits(...)`, so every
    alias of it raises too (an import under another name, `get_activation`, a dict of them);
    the original code comes back on the way out. A class is off limits through all its methods.
    """
    module = sys.modules.get(getattr(task.reference, "__module__", ""))
    targets = [(name, resolve(name)) for name in task.forbidden]
    targets += [(f"{module.__name__}.{name}", obj) for name, obj in own_objects(module)]
    targets.append((f"{__name__}.Task", Task))
    swapped = []
    try:
        for name, target in targets:
            for function in functions_of(target):
                with contextlib.suppress(ValueError):  # a closure: its free variables do not fit
                    original = function.__code__
                    function.__code__ = raising(off_limits(name, task.number))
                    swapped.append((function, original))
        yield
    finally:
        for function, original in reversed(swapped):
            function.__code__ = original


def siblings(task: Task) -> list[Task]:
    """The tasks of the exercise `task` belongs to (those of its reference's module)."""
    module = sys.modules.get(getattr(task.reference, "__module__", ""))
    found = [getattr(module, f"q{k}", None) for k in range(1, 10)]
    return [t for t in found if isinstance(t, Task)]


def own_objects(module: types.ModuleType | None) -> list[tuple[str, object]]:
    """The functions and classes defined in module (not those it imports)."""
    found = vars(module).items() if module else []
    return [
        (name, obj)
        for name, obj in found
        if isinstance(obj, (types.FunctionType, type)) and obj.__module__ == module.__name__
    ]


def functions_of(target: object) -> list[types.FunctionType]:
    """A function itself; of a class, every function defined in its body."""
    if isinstance(target, types.FunctionType):
        return [target]
    if not isinstance(target, type):
        return []
    found = []
    for value in vars(target).values():
        value = getattr(value, "__func__", value)  # classmethod, staticmethod
        value = getattr(value, "fget", value)  # property
        if isinstance(value, types.FunctionType):
            found.append(value)
    return found


def raising(message: str) -> types.CodeType:
    """The code of `def off_limits(*args, **kwargs): raise RuntimeError(message)`."""
    namespace: dict = {}
    exec(f"def off_limits(*args, **kwargs):\n    raise RuntimeError({message!r})\n", namespace)
    return namespace["off_limits"].__code__


def resolve(name: str) -> object:
    """The object a qualified bp_lessons name refers to ("bp_lessons.neuron.Neuron")."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        obj = sys.modules.get(".".join(parts[:split]))
        if obj is None:
            try:
                obj = __import__(".".join(parts[:split]), fromlist=["_"])
            except ImportError:
                continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute, None)
        return obj
    return None


@contextlib.contextmanager
def time_limit(deadline: float) -> Iterator[None]:
    """Raise TimeLimit in this thread at `deadline` (time.monotonic), if this is the main
    thread of a process that can set a timer; elsewhere, do nothing."""
    remaining = deadline - time.monotonic()
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable:
        yield
        return
    if remaining <= 0:
        raise TimeLimit

    def stop(signum, frame):
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, remaining)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
