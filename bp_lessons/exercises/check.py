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
import functools
import importlib.abc
import inspect
import io
import linecache
import math
import os
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
from bp_lessons.exercises.provided import exercise_of, off_limits_loaded

TIME_LIMIT = 5.0  # seconds for all of a task's cases; bp-grade's default --timeout is twice this
MAX_PRINTED = 2000  # characters of what the learner's function prints that a check shows
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# the positions in a network's weights[l - 1][j][k] and biases[l - 1][j]: layers count from 1
NETWORK_AXES = ("layer {n} (index {i})", "neuron {i}", "weight {i}")
BIAS_AXES = ("layer {n} (index {i})", "neuron {i}")
COURSE = {"graded": False, "hints": True}  # set by `bp_lessons.exercises.graded_course`
GRADER_TIMEOUT = 2 * TIME_LIMIT  # bp-grade's default time limit per task (its --timeout)
# an answer cell whose own run takes longer than this gets a note from its check: the grader
# runs each graded cell whole, and its cells and cases share GRADER_TIMEOUT
SLOW_CELL = TIME_LIMIT
CELL_SECONDS: dict[str, float] = {}  # a cell's code as it ran -> its last run's seconds (IPython)


class TimeLimit(Exception):
    """The learner's function ran past the check's time limit."""


class CheckFailed(AssertionError):
    """Raised by `check` after it shows a ✗ or "not attempted", so that a grader that scores a
    cell by whether it raises (nbgrader, `nbgrader validate`) gives the task no points. In a
    notebook IPython shows one line instead of a traceback: the verdict is already above.

    `cases`: the verdict and its failing cases in plain text, shown under that line. `nbgrader
    validate` prints a failing cell's error alone, not what the cell displayed: without them
    it would say "(see above)" with nothing above."""

    def __init__(self, line: str, cases: str = "") -> None:
        super().__init__(line)
        self.line, self.cases = line, cases

    def _render_traceback_(self) -> list[str]:
        if not self.cases:
            return [f"\x1b[0;31m{self.line}\x1b[0m"]
        line = self.line.replace(" (see above).", ":")  # they follow, for what shows no display
        return [f"\x1b[0;31m{line}\x1b[0m", *self.cases.splitlines()]


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
    # what each index of a part (or of the "result") means, to say where a value is off:
    # "layer {n} (index {i})", "neuron {i}"; {i} is the index, {n} = i + 1, {sup} i raised
    axes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    mistakes: list[Mistake] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    # exception name -> targeted advice; "FloatingPointError: overflow encountered in exp" (the
    # name, then a piece of the error's text) is advice for that error alone, and wins
    errors: dict[str, str] = field(default_factory=dict)
    # fn, args -> (result, [calling.Kept]: what the call must leave as it came); default fn(*args)
    call: Callable[[Callable, dict], tuple] | None = None
    forbidden: tuple[str, ...] = ()  # bp_lessons names the learner must not import for this task
    # the function must leave its arguments unchanged (True), may change any (False), or may
    # change those named (an SGD step may update its weights in place and return them)
    pure: bool | tuple[str, ...] = True
    # advice when a case given twice (its fixed cases may repeat one) got two answers: the
    # function draws random numbers without the case's seed, or keeps state between calls
    repeated: str = ""
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
        """Compare a plain result with the reference on one case, in the judge's own process.

        The row says what differs and where; which known mistake explains it is for `explain`,
        which sees every case at once."""
        expected = self.run(self.reference, args)
        off = self.parts_off(expected, got)
        detail = "; ".join(why if name == "result" else f"{name}: {why}" for name, why in off)
        names = [name for name, _ in off]
        right = [part for part in self.parts if part not in names] if off and self.parts else []
        right = [] if "result" in names else right
        return Row(args, expected, got, ", ".join(names), detail, detail, ", ".join(right))

    def judge_error(self, args: dict, error: str, text: str, escaped: bool = False) -> Row:
        """The verdict on a case where the learner's function raised `error` (a type name);
        `escaped`: the grader made `text` inert for Markdown (`grading.verdict.inert`)."""
        advice = self.advice(error, text)
        given = len(inspect.signature(self.reference).parameters)
        takes = signature_in(text, self.function, given, escaped) if error == "TypeError" else ""
        if takes:
            message, advice = self.wrong_signature(takes), ""
        elif error == "NotImplementedError":
            message = (
                "raised NotImplementedError on this case, though not on every case: is a "
                "branch of your function (an if, a size) still unwritten?"
            )
        else:
            message = text if error in OWN_ERRORS else f"raised {error}: {text}"
        message += f". {advice}" if advice else ""
        row = Row(args, self.run(self.reference, args), None, "result", message, message)
        row.error = error
        return row

    def advice(self, error: str, text: str) -> str:
        """The targeted advice for an error: the one whose key names its text, else its type's."""
        for key, advice in self.errors.items():
            name, _, fragment = key.partition(": ")
            if name == error and fragment and fragment in text:
                return advice
        return self.errors.get(error, "")

    def wrong_signature(self, takes: str) -> str:
        """ "your function takes 2 arguments (x, y); the check calls it with 3: …"."""
        names = list(inspect.signature(self.reference).parameters)
        return (
            f"your `{self.function}` takes {takes}; the check calls it with {len(names)}: "
            f"{', '.join(names)}. Start it with `def {self.function}({', '.join(names)}):`"
        )

    def signature_problem(self, fn: Callable) -> str:
        """Why fn cannot be called as the check calls it ('' when it can, or cannot tell)."""
        names = list(inspect.signature(self.reference).parameters)
        try:
            signature = inspect.signature(fn)
        except (TypeError, ValueError):  # a builtin without a signature: let the call tell
            return ""
        try:
            signature.bind(*names)
        except TypeError:
            params = list(signature.parameters)
            count = f"{len(params)} argument{'s' * (len(params) != 1)}"
            return self.wrong_signature(f"{count} ({', '.join(params)})" if params else "none")
        return ""

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
            return [(name, why) for name, e, g in pairs if (why := difference(e, g, self, name))]
        why = difference(expected, got, self)
        return [("result", why)] if why else []

    def position(self, part: str, path: tuple[int, ...]) -> str:
        """Where in a result a value sits, in words: "layer 1 (index 0), neuron 2, weight 0"."""
        names = self.axes.get(part, ())
        return ", ".join(
            (names[depth] if depth < len(names) else "entry {i}").format(
                i=i, n=i + 1, sup=str(i).translate(SUPERSCRIPTS)
            )
            for depth, i in enumerate(path)
        )

    def explain(self, rows: list[Row]) -> str:
        """The known mistake that gives the learner's answer on EVERY case, the passed ones
        included (raising the same error where the answer raised): its message, also set on
        the failed cases it answered; "" when none fits. When several fit, all are named: the
        cases cannot tell them apart."""
        if not any(row.off for row in rows):
            return ""
        unrepeatable = self.unrepeatable(rows)
        if unrepeatable:
            for row in rows:
                if row.off and not row.error:
                    row.message = unrepeatable
            return unrepeatable
        fits = [m for m in self.mistakes if all(self.reproduces(m.fn, row) for row in rows)]
        if not fits:
            return ""
        if len(fits) == 1:
            diagnosis = fits[0].message
        else:
            diagnosis = f"{len(fits)} known mistakes give exactly these results: " + " ".join(
                f"({k}) {m.message}" for k, m in enumerate(fits, 1)
            )
        for row in rows:
            if row.off and not row.error:
                row.message = diagnosis
        return diagnosis

    def unrepeatable(self, rows: list[Row]) -> str:
        """What to say when two cases with the same arguments got different answers ('' when
        none did)."""
        for i, row in enumerate(rows):
            for j in range(i + 1, len(rows)):
                other = rows[j]
                if row.args != other.args or row.error or other.error:
                    continue
                if row.got is not None and self.parts_off(row.got, other.got):
                    return (
                        f"It gave different answers to the same case (cases {i + 1} and {j + 1} "
                        "are one case twice): does it draw random numbers without the case's "
                        "seed, or keep something from one call to the next?"
                        + (
                            f" {self.repeated[0].upper()}{self.repeated[1:]}."
                            if self.repeated
                            else ""
                        )
                    )
        return ""

    def reproduces(self, fn: Callable, row: Row) -> bool:
        """Whether fn gives what the learner's function gave on this case (or raises alike)."""
        try:
            result = self.run(fn, row.args)
        except Exception as error:
            return bool(row.error) and type(error).__name__ == row.error
        return not row.error and row.got is not None and not self.parts_off(result, row.got)

    # --- what the learner uses ------------------------------------------------------------
    def evaluate(self, fn: Callable, seed: int = 0, rules: bool = True) -> Result:
        """Run fn on every case here, in this process (the grader never does this).

        `rules=False` lifts the rules (see `rules`): for testing the checks with their own
        reference and mistakes, never for a learner's answer. What fn prints is kept aside, a
        screenful of it, for `check` to show above the verdict.
        """
        name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', '')}"
        if name in self.forbidden:
            note = f"this `{self.function}` is `{name}` from the package: write your own."
            return Result(self, "failed", [], note)
        wrong = self.signature_problem(fn)
        if wrong:
            return Result(self, "failed", [], wrong)
        # what the rules need (the off-limits list, the modules it names) is found here, once
        # and before the clock starts: the clock times the learner's function alone
        off = self.prepare() if rules else None
        rows, unwritten, clock = [], [], Clock(TIME_LIMIT)
        printed = Printed()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            for args in self.cases(seed):
                try:
                    with self.rules(off, clock) if off else contextlib.nullcontext():
                        got = call_on(fn, args, self.call, self.pure)
                except NotImplementedError as error:
                    unwritten.append(error)
                    rows.append(self.judge_error(args, "NotImplementedError", str(error)))
                    continue
                except TimeLimit:
                    note = self.too_slow(len(rows))
                    return Result(self, "failed", rows, note, printed.text())
                except Exception as error:  # report it as this case's answer, keep going
                    if OFF_LIMITS.format(number=self.number) in str(error):
                        note = f"your `{self.function}` calls {error}"
                        return Result(self, "failed", [], note, printed.text())
                    rows.append(self.judge_error(args, type(error).__name__, str(error)))
                    continue
                rows.append(self.judge(args, got))
        if unwritten and len(unwritten) == len(rows):  # a stub: nothing to check yet
            return Result(self, "not attempted", [], self.waiting_for(unwritten[0]))
        for row, error in zip([r for r in rows if r.error == "NotImplementedError"], unwritten):
            row.message = row.detail = self.waiting_for(error) or row.message
        status = "passed" if all(not row.off for row in rows) else "failed"
        return Result(self, status, rows, printed=printed.text())

    def prepare(self) -> "OffLimits":
        """What the rules make raise while the learner's function runs (see `off_limits_during`),
        found without importing a module that is not loaded yet."""
        return OffLimits.of(self)

    @contextlib.contextmanager
    def rules(self, off: "OffLimits", clock: "Clock") -> Iterator[None]:
        """While the learner's function runs: what the task forbids and the checks' own code
        raise when called, TimeLimit comes when `clock` has run out, and warnings are not shown."""
        with off_limits_during(off), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader scores a cell that writes to stderr as 0
            with clock.running():
                yield

    def too_slow(self, done: int) -> str:
        return (
            f"your `{self.function}` was still running after {TIME_LIMIT:g} s, with {done} "
            f"of the cases done. The check allows {TIME_LIMIT:g} s for all of them, as the "
            "grader does (an endless loop, or a loop over far more items than the inputs have?)"
        )

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
        if result.printed:
            print(result.printed_text())
        show(result)
        slow = self.slow_cell(fn)
        if slow:
            show(slow)
        if result.status == "not attempted":
            raise CheckFailed(f"Exercise {self.number} not attempted yet (see above).")
        if not result.passed:
            raise CheckFailed(f"✗ Exercise {self.number}: not right yet (see above).", str(result))

    def slow_cell(self, fn: Callable) -> str:
        """What the grader would do with the cell that defines fn, if its last run here took
        longer than SLOW_CELL seconds (a demo at its top level): "" when it did not, or when
        that is not known (outside IPython)."""
        seconds = CELL_SECONDS.get(cell_source(fn))
        if seconds is None or seconds <= SLOW_CELL:
            return ""
        return (
            f"**Note:** the cell that defines `{self.function}` took {seconds:.1f} s to run. "
            "If your course grades this notebook with bp-grade, the grader runs each graded "
            f"cell whole and gives a task {GRADER_TIMEOUT:g} s (by default) for the setup cell, "
            "the answer cells and the cases together: past that the task scores 0. Keep the "
            "answer cell to the function, and run a demo (training, a long loop) in a cell of "
            "your own: scratch cells are not graded."
        )

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


def difference(
    expected: object, got: object, task: Task, part: str = "result", path: tuple[int, ...] = ()
) -> str:
    """Why got is not expected ('' when they agree within the task's tolerance).

    `path` is the position inside the part, named in words by `task.position`.
    """
    at = f" at {task.position(part, path)}" if path else ""
    if isinstance(expected, float):
        if not isinstance(got, float):
            return f"expected a number{at}, got {describe(got)}"
        if not math.isfinite(expected):  # a known mistake's nan or inf: the same, or not
            return "" if repr(got) == repr(expected) else f"wrong value{at}"
        if not math.isfinite(got):
            return f"got {got}{at}"
        close = abs(got - expected) <= task.atol + task.rtol * abs(expected)
        return "" if close else f"wrong value{at}"
    if not isinstance(got, list) or len(got) != len(expected):
        return f"expected {describe(expected)}{at}, got {describe(got)}"
    pairs = enumerate(zip(expected, got))
    return next(
        (why for i, (e, g) in pairs if (why := difference(e, g, task, part, (*path, i)))), ""
    )


def cell_source(fn: object) -> str:
    """The code of the cell (or file) that defined fn, also behind a decorator or in a
    callable object's class ("" when it cannot be told)."""
    with contextlib.suppress(Exception):
        fn = inspect.unwrap(fn)
        fn = getattr(fn, "pyfunc", None) or getattr(fn, "func", None) or fn  # vectorize, partial
        code = getattr(fn, "__code__", None) or type(fn).__call__.__code__
        return "".join(linecache.getlines(code.co_filename))
    return ""


def time_cells(shell: object) -> None:
    """Time every cell this IPython shell runs from now on (once per shell), for
    `Task.slow_cell`: the check runs after the cell that defines the function."""
    if shell is None or getattr(shell, "_bp_lessons_timed", False):
        return
    started: list[float] = []

    def before(*_: object) -> None:
        started[:] = [time.monotonic()]

    def after(result: object) -> None:
        if not started:
            return
        with contextlib.suppress(Exception):
            code = shell.transform_cell(result.info.raw_cell)
            CELL_SECONDS.pop(code, None)
            CELL_SECONDS[code] = time.monotonic() - started[0]
            while len(CELL_SECONDS) > 100:  # the latest cells only
                del CELL_SECONDS[next(iter(CELL_SECONDS))]
        started.clear()

    shell.events.register("pre_run_cell", before)
    shell.events.register("post_run_cell", after)
    shell._bp_lessons_timed = True


def signature_in(text: str, function: str, given: int, escaped: bool = False) -> str:
    """From a TypeError's text, how many arguments the learner's function takes, when the error
    says that the check's call with `given` arguments does not fit it ('' when it says something
    else, such as a wrong call inside the function). `escaped`: the grader hands it the text
    made inert, each character Markdown or HTML would act on as a numeric reference (`<lambda>`
    as `&#60;lambda&#62;`, and every `&` as `&#38;`): one pass over the references undoes
    exactly that, and nothing else of the text (a backslash stays a backslash)."""
    said = text  # what is captured below goes back into a report: as it was handed in
    if escaped:
        text = re.sub(r"&#(\d{1,7});", lambda m: chr(min(int(m.group(1)), 0x10FFFF)), text)
    if not re.match(rf"(\w+\.)*({re.escape(function)}|<lambda>)\(\) ", text):
        return ""
    text = said
    takes = re.search(r"takes (.+?) positional arguments? but \d+ (?:was|were) given", text)
    if takes:
        return f"{takes.group(1)} argument{'s' * (takes.group(1) != '1')}"
    missing = re.search(r"missing (\d+) required positional arguments?", text)
    return f"{given + int(missing.group(1))} arguments" if missing else ""


class Printed(io.TextIOBase):
    """Where the learner's prints go while the check runs: the first MAX_PRINTED characters are
    kept, the rest counted and cut (a print in a loop can write megabytes)."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.size = self.total = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        self.total += len(text)
        if self.size < MAX_PRINTED:
            self.kept.append(text[: MAX_PRINTED - self.size])
            self.size += len(self.kept[-1])
        return len(text)

    def text(self) -> str:
        kept = "".join(self.kept)
        cut = self.total - len(kept)
        return kept + (f"\n… {cut} more characters of printing cut." if cut else "")


@dataclass
class OffLimits:
    """What is off limits while a task's function runs: (name, function or class) pairs of the
    modules loaded now, and the lessons' modules not loaded yet, every function of which is off
    limits (nothing a task provides lives in one)."""

    number: str
    targets: list[tuple[str, object]]
    unloaded: tuple[str, ...] = ()

    @classmethod
    def of(cls, task: Task) -> "OffLimits":
        module = sys.modules.get(getattr(task.reference, "__module__", ""))
        names, unloaded = list(task.forbidden), ()
        exercise = exercise_of(task)
        if exercise:  # and the rest of the package, beyond what the exercise provides
            loaded_names, unloaded = off_limits_loaded(exercise, task.number)
            names += loaded_names
        inside = tuple(f"{module}." for module in unloaded)
        names = [n for n in dict.fromkeys(names) if not n.startswith(inside)]
        targets = [(name, resolve(name)) for name in names]
        targets += [(f"{module.__name__}.{name}", obj) for name, obj in own_objects(module)]
        targets.append((f"{__name__}.Task", Task))
        return cls(task.number, targets, tuple(unloaded))


@contextlib.contextmanager
def off_limits_during(off: OffLimits) -> Iterator[None]:
    """Make what `off` names (what the task forbids, its exercise's module and Task's methods)
    raise when called.

    Each function's code is swapped for one that raises `calling.off_limits(...)`, so every
    alias of it raises too (an import under another name, `get_activation`, a dict of them);
    the original code comes back on the way out. A class is off limits through all its methods.
    A lesson's module not loaded yet is made off limits as the learner's function imports it.
    """
    swapped: list[tuple[types.FunctionType, types.CodeType]] = []

    def swap(name: str, target: object) -> None:
        for function in functions_of(target):
            with contextlib.suppress(ValueError):  # a closure: its free variables do not fit
                original = function.__code__
                function.__code__ = raising(off_limits(name, off.number), original)
                swapped.append((function, original))

    def imported(module: types.ModuleType) -> None:
        for name, obj in own_objects(module):
            swap(f"{module.__name__}.{name}", obj)

    finder = OffLimitsImports(off.unloaded, imported)
    started = starting_a_process(off.number)
    replaced = [(name, getattr(os, name)) for name in OS_STARTERS if hasattr(os, name)]
    try:
        for name, target in off.targets:
            swap(name, target)
        for name in PROCESS_STARTERS:  # a grader's sandbox cannot start a process: nor here
            for function in functions_of(resolve_stdlib(name)):
                original = function.__code__
                function.__code__ = raising(started, original)
                swapped.append((function, original))
        for name, _ in replaced:
            setattr(os, name, types.FunctionType(raising(started), {}, name))
        for name in off.unloaded:  # loaded since the check began, by an earlier case
            if name in sys.modules:
                imported(sys.modules[name])
        if off.unloaded:
            sys.meta_path.insert(0, finder)
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
        for function, original in reversed(swapped):
            function.__code__ = original
        for name, original in replaced:
            setattr(os, name, original)


# What starts a process: a grader runs the learner's function in a sandbox that cannot (seccomp),
# so a check makes them off limits too, and the notebook says what the grader will do
PROCESS_STARTERS = ("multiprocessing.process.BaseProcess.start", "subprocess.Popen._execute_child")
OS_STARTERS = ("fork", "forkpty", "system", "posix_spawn", "posix_spawnp")


def starting_a_process(number: str) -> str:
    return (
        "something that starts a process (a process pool, subprocess, os.fork), which "
        f"{OFF_LIMITS.format(number=number)}: a grader runs your function where no process can "
        "start. Compute in this process; a thread pool is fine"
    )


def resolve_stdlib(name: str) -> object:
    """The object of a qualified standard-library name ("subprocess.Popen._execute_child")."""
    module, _, rest = name.partition(".")
    obj = importlib.import_module(module)
    for part in rest.split("."):
        obj = getattr(obj, part)
    return obj


class OffLimitsImports(importlib.abc.MetaPathFinder):
    """While a check runs: a lesson's module that was not loaded is loaded as usual when the
    learner's function imports it, and then made off limits (`imported(module)`)."""

    def __init__(self, modules: tuple[str, ...], imported: Callable) -> None:
        self.modules, self.imported = set(modules), imported

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.modules:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = ThenOffLimits(spec.loader, self.imported)
                return spec
        return None


class ThenOffLimits(importlib.abc.Loader):
    """A module's own loader, then `imported(module)`."""

    def __init__(self, loader, imported: Callable) -> None:
        self.loader, self.imported = loader, imported

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.imported(module)


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


@functools.lru_cache(maxsize=4096)
def raising(message: str, like: types.CodeType | None = None) -> types.CodeType:
    """The code of `def off_limits(*args, **kwargs): raise RuntimeError(message)`; a generator
    that raises on its first step when `like` is a generator's (Python 3.13 deprecates giving a
    function the code of another kind)."""
    generator = like is not None and like.co_flags & inspect.CO_GENERATOR
    body = f"    raise RuntimeError({message!r})\n" + ("    yield\n" if generator else "")
    namespace: dict = {}
    exec("def off_limits(*args, **kwargs):\n" + body, namespace)
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


class Clock:
    """The time the learner's function may take over all of a task's cases: it runs only while
    that function does (`running`), not while the check prepares its rules or judges a case."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        start = time.monotonic()
        try:
            with time_limit(self.left):
                yield
        finally:
            self.left -= time.monotonic() - start


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimit in this thread after `seconds`, if this is the main thread of a process
    that can set a timer; elsewhere, do nothing."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable:
        yield
        return
    if seconds <= 0:
        raise TimeLimit

    def stop(signum, frame):
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


if "IPython" in sys.modules:  # in a notebook: time its cells (see Task.slow_cell)
    with contextlib.suppress(Exception):
        time_cells(sys.modules["IPython"].get_ipython())
