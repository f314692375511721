"""A task of an exercise notebook and how a learner's answer is checked against the reference.

The same Task serves the learner in a notebook (`q1.check(fn)`, `q1.hint()`, `q1.solution()`)
and the grader, which runs `task.run(fn, args)` in an untrusted process and `task.judge(...)` in
its own: everything that crosses between them is plain data (numbers, strings, nested lists).
"""

import copy
import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bp_lessons.exercises.feedback import Result, Row, describe, show


class InputChanged(ValueError):
    """The learner's function changed one of the lists it was given."""


class NotPlainData(TypeError):
    """The learner's function returned something other than numbers and lists of numbers."""


# errors `run` raises about an answer (not errors the answer raised), named as the grader names them
OWN_ERRORS = ("InputChanged", "NotPlainData")


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
        """Call fn on one case and return its result as plain data (raises what fn raises).

        fn gets a copy of the arguments, so whatever it does to them cannot change the case.
        """
        given = copy.deepcopy(args)
        result = self.call(fn, given) if self.call else fn(*given.values())
        changed = [name for name in args if self.pure and differs(given[name], args[name])]
        if changed:
            name = changed[0]
            raise InputChanged(
                f"your function changed its argument `{name}` from {args[name]!r:.80} to "
                f"{given[name]!r:.80}: leave the arguments as they came and compute new values"
            )
        try:
            return to_plain(result)
        except TypeError as error:
            raise NotPlainData(str(error)) from None

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
    def evaluate(self, fn: Callable, seed: int = 0) -> Result:
        """Run fn on every case here, in this process (the grader never does this)."""
        name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', '')}"
        if name in self.forbidden:
            note = f"this `{self.function}` is `{name}` from the package: write your own."
            return Result(self, "failed", [], note)
        rows = []
        for args in self.cases(seed):
            try:
                got = self.run(fn, args)
            except NotImplementedError as error:
                return Result(self, "not attempted", [], self.waiting_for(str(error)))
            except Exception as error:  # report it as this case's answer, keep going
                rows.append(self.judge_error(args, type(error).__name__, str(error)))
                continue
            rows.append(self.judge(args, got))
        self.explain(rows)
        status = "passed" if all(not row.off for row in rows) else "failed"
        return Result(self, status, rows)

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

    def waiting_for(self, text: str) -> str:
        """Say so when fn is written but calls another exercise's function that is not."""
        stub = re.match(r"Exercise (\d+\.\d+): write (\w+)", text)
        if not stub or stub.group(1) == self.number:
            return ""
        number, function = stub.groups()
        return (
            f"your `{self.function}` calls `{function}` (Exercise {number}), which still raises "
            "NotImplementedError: write that one first."
        )

    def check(self, fn: Callable) -> None:
        """✓ or ✗ with a table of cases: input, expected, got, which part is off."""
        if not callable(fn):
            raise TypeError(f"check needs your function, e.g. {self.function}, got {describe(fn)}")
        show(self.evaluate(fn))

    def hint(self) -> None:
        """One hint per call, each more specific than the last."""
        if not self.hints:
            return show(f"No hints for Exercise {self.number}.")
        index = min(self.hints_given, len(self.hints) - 1)
        self.hints_given += 1
        last = " (that was the last hint: .solution() shows the answer)" * (
            index == len(self.hints) - 1
        )
        show(f"Hint {index + 1} of {len(self.hints)}{last}: {self.hints[index]}")

    def solution(self) -> None:
        """Show the reference solution."""
        source = inspect.getsource(self.reference)
        show(f"Exercise {self.number}, a solution:\n\n```python\n{source}```")


def to_plain(value: object) -> object:
    """Numbers become floats, sequences and arrays nested lists; anything else is an error."""
    if value is None:
        raise TypeError("expected numbers, got None: does your function `return` its result?")
    if isinstance(value, bool):
        raise TypeError(f"expected numbers, got {describe(value)}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    raise TypeError(f"expected numbers or lists of numbers, got {describe(value)}")


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


def differs(a: object, b: object) -> bool:
    """True unless a == b holds plainly (an array inside a list makes == ambiguous: differs)."""
    try:
        return bool(a != b)
    except (TypeError, ValueError):
        return True
