"""How a check's verdict is shown: a table in a notebook, plain text in a terminal."""

import html
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
    message: str = ""  # why, as specific as we can tell


@dataclass
class Result:
    """The verdict on one task: "passed", "failed" or "not attempted", and its cases."""

    task: object
    status: str
    rows: list[Row]
    note: str = ""  # what to say instead of the cases, e.g. which other exercise to write first

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
        # the message that explains the most failed cases (a case may fit several mistakes)
        messages = [row.message for row in failed if row.message]
        advice = max(messages, key=messages.count) if messages else ""
        return (
            f"✗ Exercise {task.number}: `{task.function}` is off on {len(failed)} of "
            f"{len(self.rows)} cases. {advice}"
        )

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
                f"    off: {row.off}. {row.message}",
            ]
        return "\n".join(lines)

    def markdown(self) -> str:
        """The verdict as Markdown (Gradescope's output_format "md", bp-grade's feedback files):
        the headline, then a table of the failing cases."""
        lines = [self.headline()]
        failed = [(i, row) for i, row in enumerate(self.rows, 1) if row.off]
        if failed and not self.passed:
            advice = self.headline()
            lines += ["", "| case | input | expected | got | off |", "|---|---|---|---|---|"]
            for i, row in failed:
                expected, got = self.focus(row)
                off = row.off + (f": {row.message}" if row.message not in advice else "")
                cells = [str(i), arguments(row.args), expected, got, off]
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

    __repr__ = __str__

    def _repr_html_(self) -> str:
        color = {"passed": "#009E73", "failed": "#D55E00"}.get(self.status, "#0072B2")
        parts = [f'<p style="color:{color};font-weight:bold">{html.escape(self.headline())}</p>']
        if self.rows:
            header = "".join(f"<th>{h}</th>" for h in ("", "input", "expected", "got", "off"))
            body = "".join(
                f"<tr><td>{'✓' if not row.off else '✗'}</td>"
                f"<td><code>{html.escape(arguments(row.args))}</code></td>"
                + "".join(f"<td><code>{html.escape(v)}</code></td>" for v in self.focus(row))
                + f"<td>{html.escape(row.off)}</td></tr>"
                for row in self.rows
            )
            parts.append(f"<table><tr>{header}</tr>{body}</table>")
            parts.append(f"<p><small>{html.escape(self.tolerance())}</small></p>")
        return "\n".join(parts)


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
