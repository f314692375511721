"""How a check's verdict is shown: a table in a notebook, plain text in a terminal."""

import html
import math
import re
import struct
import sys
from dataclasses import dataclass

MAX_TEXT = 72  # characters of a value shown in a table cell
MAX_CASES_IN_TEXT = 3  # failing cases listed in plain text (the notebook's table has them all)


@dataclass
class Row:
    """One case: the arguments, the expected and the learner's result, and what is off."""

    args: dict
    expected: object
    got: object
    off: str = ""  # the parts that differ, "" when the case passed
    message: str = ""  # why: the known mistake that fits every case, else `detail`
    detail: str = ""  # what differs on this case, and where ("dW: wrong value at neuron 1, …")
    right: str = ""  # the parts that agree, when a result in parts is off in others
    error: str = ""  # the type of what the function raised on this case ("" if it returned)

    def where(self) -> str:
        """What a table says of this case: what is off, where, and which parts are right."""
        text = self.detail or self.off
        return text + (f"; right: {self.right}" if self.right else "")


@dataclass
class Result:
    """The verdict on one task: "passed", "failed" or "not attempted", and its cases.

    A failed result asks its task (`task.explain`) for the known mistake that gives the
    learner's answer on every case: the grader builds its Results from judged rows too.
    """

    task: object
    status: str
    rows: list[Row]
    note: str = ""  # what to say instead of the cases, e.g. which other exercise to write first
    printed: str = ""  # what the learner's function printed while it ran, cut to a screenful
    diagnosis: str = ""  # the known mistake that explains every case, when one does

    def __post_init__(self) -> None:
        explain = getattr(self.task, "explain", None)
        wanted = self.status == "failed" and self.rows and not (self.note or self.diagnosis)
        if wanted and callable(explain):
            self.diagnosis = explain(self.rows)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def headline(self) -> str:
        task = self.task
        if self.status == "not attempted":
            return f"Exercise {task.number} not attempted: " + (
                self.note
                or f"write `{task.function}`, replacing the line that raises NotImplementedError."
            )
        if self.passed:
            cases = len(self.rows)
            return f"✓ Exercise {task.number}: `{task.function}` is correct on all {cases} cases."
        if self.note:
            return f"✗ Exercise {task.number}: {self.note}"
        failed = [row for row in self.rows if row.off]
        return (
            f"✗ Exercise {task.number}: `{task.function}` is off on {len(failed)} of "
            f"{len(self.rows)} cases. {self.diagnosis or self.summary(failed)}"
        ).rstrip()

    def summary(self, failed: list[Row]) -> str:
        """What the failed cases have in common, when no known mistake explains them: the error
        most of them raised, or which parts are off and which are right on every case."""
        errors = [row.message for row in failed if row.error]
        if errors:
            return max(errors, key=errors.count)
        if all(single_precision(row.got) for row in failed) and all(
            within_float32(row.expected, row.got) for row in failed
        ):
            return (
                "Within float32's precision of the expected values on every case, and every "
                "number you returned is a float32: compute in float64 (Python floats, NumPy's "
                "default dtype). float32 keeps about 7 digits, and fewer where two close numbers "
                f"are subtracted; this task checks to {self.task.rtol:g} relative."
            )
        if self.task.rtol < 1e-6 and all(nearly(row.expected, row.got) for row in failed):
            return (
                "Within 1e-6 of the expected values on every case, yet not equal to them to "
                f"rounding ({self.task.rtol:g} relative): is it an approximation, such as a "
                "central difference? This task asks for the formula itself, derived: it agrees "
                "to rounding."
            )
        answers = [row.got for row in self.rows]
        same = all(got == answers[0] for got in answers) and answers[0] is not None
        if same and len({repr(row.expected) for row in self.rows}) > 1:
            return (
                f"It gave {short(answers[0])} on every case, whatever the arguments: does it "
                "compute its answer from them?"
            )
        shared = pattern(failed, len(self.rows), shared_only=True)
        if shared:  # a sign, factor or offset every failing number shares, in every part
            return shared
        parts = getattr(self.task, "parts", ())
        off = [p for p in parts if any(p in row.off.split(", ") for row in failed)]
        right = [p for p in parts if p not in off]
        if off and right:
            return f"Off: {', '.join(off)}; right on every case: {', '.join(right)}."
        details = [row.detail for row in failed if row.detail and row.detail != "wrong value"]
        return max(details, key=details.count) if details else pattern(failed, len(self.rows))

    def tolerance(self) -> str:
        atol, rtol = self.task.atol, self.task.rtol
        return f"numbers agree when |got − expected| ≤ {atol:g} + {rtol:g}·|expected|"

    def __str__(self) -> str:
        lines = [self.headline()]
        if self.rows and not self.passed:
            lines.append(self.tolerance())
        failed = [(i, row) for i, row in enumerate(self.rows, 1) if row.off]
        for i, row in failed[:MAX_CASES_IN_TEXT]:
            expected, got = self.focus(row)
            lines += [
                f"  case {i}: {arguments(row.args)}",
                f"    expected {expected}",
                f"    got      {got}",
                f"    off: {row.where()}",
            ]
        if len(failed) > MAX_CASES_IN_TEXT:
            lines.append(f"  … and {len(failed) - MAX_CASES_IN_TEXT} more failing cases")
        return "\n".join(lines)

    def markdown(self) -> str:
        """The verdict as Markdown (Gradescope's output_format "md", bp-grade's feedback files):
        the headline, then a table of the failing cases."""
        lines = [self.headline()]
        failed = [(i, row) for i, row in enumerate(self.rows, 1) if row.off]
        if failed and not self.passed:
            lines += ["", "| case | input | expected | got | off |", "|---|---|---|---|---|"]
            for i, row in failed:
                expected, got = self.focus(row)
                cells = [str(i), arguments(row.args), expected, got, row.where()]
                lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
            atol, rtol = self.task.atol, self.task.rtol
            lines += ["", f"Numbers agree within {atol:g} + {rtol:g} × the expected value's size."]
        return "\n".join(lines)

    def focus(self, row: Row) -> tuple[str, str]:
        """Expected and got as shown: of a result in parts, the first part that is off."""
        parts, off = self.task.parts, row.off.split(", ")[0]
        whole = isinstance(row.expected, list) and isinstance(row.got, list)
        if off in parts and whole and len(row.got) == len(parts) == len(row.expected):
            k = parts.index(off)
            return f"{off} {short(row.expected[k])}", f"{off} {short(row.got[k])}"
        return short(row.expected), short(row.got)

    def printed_text(self) -> str:
        """What the function printed, introduced, for showing above the verdict."""
        return f"What your `{self.task.function}` printed while the check ran:\n{self.printed}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        color = {"passed": "#009E73", "failed": "#D55E00"}.get(self.status, "#0072B2")
        parts = [f'<p style="color:{color};font-weight:bold">{inline_code(self.headline())}</p>']
        if self.rows:
            header = "".join(f"<th>{h}</th>" for h in ("", "input", "expected", "got", "off"))
            body = "".join(
                f"<tr><td>{'✓' if not row.off else '✗'}</td>"
                f"<td><code>{html.escape(arguments(row.args))}</code></td>"
                + "".join(f"<td><code>{html.escape(v)}</code></td>" for v in self.focus(row))
                + f"<td>{html.escape(row.where())}</td></tr>"
                for row in self.rows
            )
            parts.append(f"<table><tr>{header}</tr>{body}</table>")
            parts.append(f"<p><small>{html.escape(self.tolerance())}</small></p>")
        return "\n".join(parts)


def inline_code(text: str) -> str:
    """Text as HTML, its Markdown `code` spans as <code>: the messages are written once, in
    Markdown (bp-grade's and Gradescope's feedback), and shown as HTML in the notebook."""
    return re.sub(r"`([^`\n]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def pattern(failed: list[Row], cases: int, shared_only: bool = False) -> str:
    """A sentence on what the failing numbers share with the expected ones (a sign, a factor, an
    offset), or where to look when they share nothing: no ✗ ends at "off on k of n cases".
    With shared_only, "" when they share nothing."""
    pairs = [
        (e, g)
        for row in failed
        for e, g in zip(flatten(row.expected), flatten(row.got))
        if math.isfinite(e) and math.isfinite(g)
    ]
    # one number alone always has "a factor" and "an offset": a pattern needs two at least, and
    # results of the expected shape (a list where a number belongs is off in shape, not value)
    shaped = all(same_shape(row.expected, row.got) for row in failed)
    if (
        shaped
        and len(pairs) > 1
        and len(pairs) == sum(len(list(flatten(r.expected))) for r in failed)
    ):
        if all(g == 0 for _, g in pairs):
            return (
                "On each failing case it gives 0 where the expected value is not: is a count "
                "or a sum never added to, a result cut to a whole number (`//`, `int`), or a "
                "branch that returns 0?"
            )
        if all(close(g, -e) for e, g in pairs) and any(e for e, _ in pairs):
            return "On each failing case it gives the expected value with its sign flipped."
        ratios = [g / e for e, g in pairs if e]
        if len(ratios) == len(pairs) and all(close(r, ratios[0]) for r in ratios):
            return (
                f"On each failing case it gives {ratios[0]:.4g} times the expected value: "
                "a factor is off."
            )
        offsets = [g - e for e, g in pairs]
        if len(pairs) > 1 and all(close(d, offsets[0]) for d in offsets):
            return (
                f"On each failing case it is off by the same {offsets[0]:.4g}: a term is off "
                "or missing."
            )
    if shared_only:
        return ""
    if len(failed) < cases:
        return (
            f"It is right on {cases - len(failed)} of the cases: compare the failing cases' "
            "inputs with theirs (a sign, a zero, a large value, a branch of your function?)."
        )
    return (
        "The numbers share no sign, factor or offset with the expected ones: work the first "
        "case by hand, step by step, and compare."
    )


def same_shape(expected: object, got: object) -> bool:
    """Whether got nests lists as expected does, with numbers where it has numbers."""
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(got) == len(expected)
            and all(same_shape(e, g) for e, g in zip(expected, got))
        )
    return isinstance(got, float) and isinstance(expected, float)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 + 1e-6 * abs(b)


def nearly(expected: object, got: object) -> bool:
    """Whether got is within 1e-6 (relative, or 1e-9 absolute) of expected, number by number."""
    if isinstance(expected, float) and isinstance(got, float):
        return abs(got - expected) <= 1e-9 + 1e-6 * abs(expected)
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        return all(nearly(e, g) for e, g in zip(expected, got))
    return False


def within_float32(expected: object, got: object) -> bool:
    """Whether got is within float32's rounding of expected, number by number: 3e-4 of the
    largest expected number of the case. A float32 sum or difference loses digits against its
    largest term, not the result, and inputs as large as 1000 are themselves rounded by 6e-5
    (the answer's numbers are all float32 when this is asked: float32 is to be said first)."""
    pairs = list(zip(flatten(expected), flatten(got)))
    if not pairs or len(pairs) != len(list(flatten(expected))):
        return False
    if not all(math.isfinite(e) and math.isfinite(g) for e, g in pairs):
        return False
    scale = max(abs(e) for e, _ in pairs) or 1.0
    return all(abs(g - e) <= 3e-4 * scale for e, g in pairs)


def single_precision(value: object) -> bool:
    """Whether every number in value is a float32 (and one at least is not a small binary
    fraction that float64 answers give as well, such as 0.5 or 0)."""
    numbers = list(flatten(value))
    exact = []
    for x in numbers:
        try:
            exact.append(struct.unpack("f", struct.pack("f", x))[0] == x)
        except (OverflowError, struct.error):
            return False
    short_fraction = [x * 1024 == int(x * 1024) for x in numbers if math.isfinite(x)]
    return bool(numbers) and all(exact) and not all(short_fraction)


def flatten(value: object):
    if isinstance(value, list):
        for item in value:
            yield from flatten(item)
    elif isinstance(value, float):
        yield value


def short(value: object) -> str:
    """A value for a table cell: numbers to 6 significant digits, long lists cut."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        text = "[" + ", ".join(short(item) for item in value) + "]"
        return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 4] + " …]"
    return repr(value)


def arguments(args: dict) -> str:
    return ", ".join(f"{name}={short(value)}" for name, value in args.items())


def describe(value: object) -> str:
    """What kind of value came: 'a number', 'a list of 3 numbers', 'a 2×3 table of numbers'."""
    if isinstance(value, bool):
        return f"a bool ({value})"
    numpy = sys.modules.get("numpy")  # a value can only be of its types once it is loaded
    if isinstance(value, (int, float)) or (
        numpy and isinstance(value, (numpy.integer, numpy.floating))
    ):
        return "a number"
    if numpy and isinstance(value, numpy.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(row, (list, tuple)) for row in value):
            widths = {len(row) for row in value}
            if len(widths) == 1:
                return f"a {len(value)}×{widths.pop()} table of numbers"
        kind = "list" if isinstance(value, list) else "tuple"
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        return (
            f"a {kind} of {len(value)} {'number' if numbers else 'item'}{'s' * (len(value) != 1)}"
        )
    return f"{type(value).__name__} {value!r}"[:80]


def show(thing: object) -> None:
    """Display rich output in a notebook, print plain text anywhere else."""
    try:
        from IPython import get_ipython

        in_kernel = getattr(get_ipython(), "kernel", None) is not None
    except ImportError:
        in_kernel = False
    if in_kernel:
        from IPython.display import Markdown, display

        display(Markdown(thing) if isinstance(thing, str) else thing)
    else:
        print(thing)
