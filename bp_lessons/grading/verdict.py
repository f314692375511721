"""From a child's replies to a task's score and the text the learner reads, in the judge.

The replies are untrusted data: every answer is checked to be plain (numbers, lists) before
`task.judge` compares it with the expected value it recomputes here.
"""

import copy
import dataclasses
import re
from dataclasses import dataclass

import numpy as np

from bp_lessons.exercises import Task
from bp_lessons.exercises.calling import OFF_LIMITS, Kept, call_kept, changed_message
from bp_lessons.exercises.feedback import Result, Row, short
from bp_lessons.grading.child import MAX_TEXT
from bp_lessons.grading.sandbox import Outcome

MARKDOWN = re.compile(r"[\\`*\[\]<>#|~&]")  # `_` acts only at a word's edge: names keep it
MAX_OUTPUT = 16_000  # characters of one task's report
KEPT: dict[tuple[int, int], tuple] = {}  # expected_kept's, by task and case
ALL_OR_NOTHING = "all or nothing: a task earns its points when every case passes"
TIMED_OUT = "stopped at the time limit ({:g} s per task): an endless loop?"
# the answer cell's own top level ran out the time: the grader runs a graded cell whole
SLOW_ANSWER_CELL = (
    "stopped at the time limit ({:g} s per task) while running the top level of your answer "
    "cell, before any case: the grader runs the whole cell, so a demo there (a training run, "
    "a long loop) costs the task. Keep the answer cell to the function and move the demo to "
    "a cell of your own (scratch cells are not graded)"
)
NOT_DEFINED = (
    "`{}` is not defined by the graded cells: write it in its answer cell "
    "(scratch cells are not graded)"
)
ENDED = {
    "exited": "the process running your code ended before every case ran "
    "(sys.exit or os._exit at the wrong place, or the memory limit?)",
    "too much output": "your code sent back more data than any answer needs",
    "garbled reply": "the process running your code sent back something unreadable",
}


@dataclass
class TaskGrade:
    task: Task
    score: float
    status: str  # "passed", "failed", "not attempted", "flagged", "not graded"
    output: str  # what the learner reads in results.json
    seconds: float = 0.0  # the time it took to grade
    review: str = ""  # for the instructor's eyes only (an answer that copies the reference)


def verdict(
    task: Task,
    cases: list[dict],
    outcome: Outcome,
    notes: list[str],
    timeout: float,
    cells: int = 0,
    answer: int | None = None,
) -> TaskGrade:
    """Score and explain one task from what its child sent back (`cells`: how many cells it
    was sent; an error reported for any other cell is forged, and ignored; `answer`: which of
    them is the task's answer cell)."""
    # what is read of each reply depends on what its writer could know (sandbox.Feeder): the
    # cells' errors and the function's origin come before any case was sent, the fixed cases'
    # answers before the random cases were; a random case's answer is judged, never shown
    secret = min(len(task.fixed), len(cases))
    fixed = [r for r in outcome.before(1) if is_case(r) and r["case"] < secret]
    replies = fixed + [r for r in outcome.replies if is_case(r) and r["case"] >= secret]
    rows, errors = judged_rows(task, cases, replies)
    # the known mistake that gives these answers on every case, if one does: a text of the
    # task's own, the only one a random case's row may show besides "a wrong value"
    diagnosis = task.explain(rows)
    function = next((r for r in outcome.before(0) if "function" in r), None)
    defined = bool(function and function.get("defined") is True)
    where = inert(function.get("function"), 100) if defined else ""  # "" = written in a cell
    marker = OFF_LIMITS.format(number=task.number)
    flags = [
        f"calls {text}" if j < secret else f"calls what Exercise {task.number} forbids"
        for j, (_, text) in sorted(errors.items())
        if marker in text
    ]
    flags = list(dict.fromkeys(flags))
    if answered_twice(outcome.replies):  # the child answers each case once: not the answer
        flags.append("writes on the grader's pipe (a case was answered twice)")
    if where.startswith("bp_lessons"):
        flags = [*flags, f"`{task.function}` is {where} from the package, not yours"]
    stopped = TIMED_OUT.format(timeout) if outcome.ended == "timeout" else ENDED.get(outcome.ended)
    raised = cell_errors(outcome.before(0), cells)
    status, why = "failed", ""
    if flags:
        status = "flagged"
    elif function is None:  # the process stopped while running the cells
        slow = outcome.ended == "timeout" and answer is not None and outcome.last_cell() == answer
        why = SLOW_ANSWER_CELL.format(timeout) if slow else stopped
    elif not defined:  # the real cause first: a cell that raised (a syntax error) if one did
        why = "; ".join([*raised[:1], NOT_DEFINED.format(task.function)])
        raised = raised[1:]
    elif where:
        why = f"`{task.function}` is {where}, not a function written with def in your answer cell"
    elif rows and all(errors.get(j, ("",))[0] == "NotImplementedError" for j in range(len(rows))):
        status = "not attempted"  # on every case: one that answers some cases is a failure
    elif stopped:
        why = stopped
    elif len(rows) < len(cases):
        why = f"only {len(rows)} of the {len(cases)} cases were answered"
    elif not any(row.off for row in rows):
        status = "passed"
    score = float(task.points) if status == "passed" else 0.0
    notes = notes + raised
    answered = sorted(j for r in replies if (j := r["case"]) < len(cases))
    shown = shown_rows(rows, list(dict.fromkeys(answered)), secret, diagnosis)
    output = bounded(text(task, status, score, rows, flags, why, notes, shown))
    return TaskGrade(task, score, status, output)


def answered_twice(replies: list[dict]) -> bool:
    """Whether some case was answered more than once (which case is not said: a forged reply
    chooses its number, and could write a random case into the report with it)."""
    numbers = [reply["case"] for reply in replies if is_case(reply)]
    return len(numbers) != len(set(numbers))


def is_case(reply: dict) -> bool:
    j = reply.get("case")
    return isinstance(j, int) and not isinstance(j, bool) and j >= 0


class Secret:
    """What a report shows in place of a random case's input, expected value and answer."""

    def __repr__(self) -> str:
        return "kept secret"


def shown_rows(rows: list[Row], numbers: list[int], secret: int, diagnosis: str = "") -> list[Row]:
    """The rows as a report shows them: a random case (number `secret` and on) without its
    input, expected value, answer or message (a learner who saw them could tabulate answers
    for a regrade with the same seed; an answer or an error message could carry them, and so
    could a message made from the answer, "got a list of 1112 numbers": such a row says only
    "a wrong value", or the known mistake's `diagnosis`, a text of the task's own)."""
    shown: list[Row] = []
    said: dict[str, int] = {}  # what a row says of its case -> the first row that said it
    for i, (j, row) in enumerate(zip(numbers, rows), 1):
        if j < secret:
            row = dataclasses.replace(row)
        else:
            told = diagnosis and row.message == diagnosis
            why = "raised an exception" if row.error else (diagnosis if told else "a wrong value")
            row = Row({"a random case": Secret()}, Secret(), Secret(), row.off, why, why)
        where = row.where()
        if row.off and where in said and len(where) > 60:  # a long message once, not per row
            row.detail, row.right = f"as in case {said[where]}", ""
        elif row.off:
            said.setdefault(where, i)
        shown.append(row)
    return shown


def bounded(output: str) -> str:
    """A task's report within MAX_OUTPUT characters: what a child sends back cannot make a
    report of megabytes (every part is bounded; this bounds their sum)."""
    if len(output) <= MAX_OUTPUT:
        return output
    return output[:MAX_OUTPUT].rsplit("\n", 1)[0] + "\n\n(the rest of this report is cut)"


def judged_rows(task: Task, cases: list[dict], replies: list[dict]) -> tuple[list[Row], dict]:
    """One Row per answered case, in case order; and {case: (error type, message)} for the
    cases that raised."""
    rows, errors = {}, {}
    for reply in replies:
        j = reply.get("case")
        if not isinstance(j, int) or isinstance(j, bool) or not 0 <= j < len(cases) or j in rows:
            continue
        args = cases[j]
        judged = "got" in reply or "kept" in reply  # a call that returned (else fn raised)
        changed = changed_argument(task, args, reply) if judged else ""
        if changed:
            errors[j] = "InputChanged", changed
            rows[j] = task.judge_error(args, "InputChanged", changed)
        elif "got" in reply:
            rows[j] = judge(task, args, reply["got"])
        else:
            error, message = inert(reply.get("error"), 80), inert(reply.get("text"), MAX_TEXT)
            errors[j] = error, message
            rows[j] = task.judge_error(args, error, message, escaped=True)
    return [rows[j] for j in sorted(rows)], errors


def changed_argument(task: Task, args: dict, reply: dict) -> str:
    """Why the call changed what it must leave as it came ("" if it did not), judged here: the
    values as the call left them, sent back by the child (`kept`), against the values handed
    over, which this process computes itself (the reference called as the task calls the
    learner's function). No answer can switch the rule off in its own process (rebind the
    comparison, make copying a no-op): a reply that lacks a value counts as a change."""
    rules = expected_kept(task, args)
    sent, gave = listed(reply.get("kept")), listed(reply.get("gave"))
    for i, rule in enumerate(rules):
        after = sent[i] if i < len(sent) and isinstance(sent[i], dict) else {}
        handed = gave[i] if i < len(gave) and isinstance(gave[i], dict) else {}
        for name, before in rule.before.items():
            now, expected = after.get(name), plain_case(as_plain(before))
            if not same(now, expected):
                return changed_message(rule, name, inert_data(now))  # the notebook's words
            if not same(handed.get(name), expected):  # made otherwise, changed back in place
                return HANDED.format(
                    rule.owner, name, short(inert_data(handed.get(name))), short(expected)
                )
    return ""


HANDED = (
    "your function was handed {} `{}` as {}, not as the case has it ({}), and changed it in "
    "place: code in your notebook changed how the check makes what it hands over (a function "
    "of a module rebound, a class patched)"
)


def listed(value: object) -> list:
    return value if isinstance(value, list) else []


def inert_data(value: object, depth: int = 0) -> object:
    """Data from a child with every string in it made inert (numbers and lists stay)."""
    if isinstance(value, list) and depth < 50:
        return [inert_data(item, depth + 1) for item in value[:1000]]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return inert(value, 80)


def expected_kept(task: Task, args: dict) -> list[Kept]:
    """What a call of the task must leave as it came, by the reference's call in this process
    (once per case: a run's cases are the same objects for every submission)."""
    key = (id(task), id(args))
    found = KEPT.get(key)
    if found is not None and found[0] is task and found[1] is args:
        return found[2]
    if task.call is None:  # fn(*args): the arguments it may not change, as the case has them
        kept = call_kept(lambda *given: None, args, None, task.pure)[1]
    else:
        kept = call_kept(task.reference, copy.deepcopy(args), task.call, task.pure)[1]
    if len(KEPT) > 10_000:
        KEPT.clear()
    KEPT[key] = (task, args, kept)  # both held, so that their ids stay their own
    return kept


def as_plain(value: object) -> object:
    """An array (of the reference's call) as lists; anything else as it is."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [as_plain(item) for item in value]
    return value


def plain_case(value: object) -> object:
    """A case's value as it reached the child (through JSON: a tuple is a list)."""
    return [plain_case(v) for v in value] if isinstance(value, (list, tuple)) else value


def same(a: object, b: object) -> bool:
    """Equal as data: numbers by value (1 == 1.0, NaN == NaN), lists item by item."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        if isinstance(a, bool) or isinstance(b, bool):
            return a is b
        return a == b or (a != a and b != b)
    return type(a) is type(b) and a == b


def inert(value: object, limit: int) -> str:
    """Text from a submission as it may appear in Markdown a student or instructor reads: one
    line, no control character or lone surrogate, and nothing Markdown or HTML would act on.
    Each character that could start a tag, an entity, a link, an image, code, emphasis, a
    heading or a table cell becomes a numeric character reference (`<` is `&#60;`): Markdown
    and HTML show it as the character, and, unlike a backslash, no reader of the text that
    takes escapes away (the checks' signature reading does) can turn it back into markup."""
    text = str(value)[:limit].encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in text)
    return MARKDOWN.sub(lambda match: f"&#{ord(match.group())};", text)


def judge(task: Task, args: dict, got: object) -> Row:
    try:
        return task.judge(args, plain(got))
    except (TypeError, ValueError, OverflowError, RecursionError) as error:
        return task.judge_error(args, "TypeError", f"not a number or a list of numbers ({error})")


def plain(value: object) -> object:
    """JSON from the child as the judge's plain data: floats and lists of them, nothing else."""
    if isinstance(value, bool) or not isinstance(value, (int, float, list)):
        raise TypeError(f"got {type(value).__name__}")
    return [plain(item) for item in value] if isinstance(value, list) else float(value)


def cell_errors(replies: list[dict], count: int) -> list[str]:
    """What the graded cells raised at top level (the learner may want to know; no points):
    one note per cell that was sent (0 <= index < count), the first reply for each."""
    cells: dict[int, dict] = {}
    for r in replies:
        i = r.get("cell_error")
        if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < count:
            cells.setdefault(i, r)
    return [
        f"a graded cell raised {inert(r.get('error'), 80)} at top level: "
        f"{inert(r.get('text'), MAX_TEXT)}"
        for r in cells.values()
    ]


def text(task, status, score, rows, flags, why, notes, shown=None) -> str:
    """The test's output, in Markdown: the points, then why, the failing cases (as `shown`)
    and any notes."""
    points = f"**{score:g}/{task.points:g}**"
    cases = Result(task, "failed" if any(row.off for row in rows) else "passed", rows)
    cases.rows = rows if shown is None else shown  # the diagnosis is made on every case
    if status == "flagged":
        lines = [f"{points} flagged: " + "; ".join(flags)]
        lines += ["", f"(for information) {cases.markdown()}"] if rows else []
    elif status in ("passed", "not attempted"):
        lines = [f"{points}: {Result(task, status, rows).headline()}"]
    else:
        lines = [f"{points} ({ALL_OR_NOTHING})"]
        lines += ["", f"✗ Exercise {task.number}: {why}"] if why else []
        lines += ["", cases.markdown()] if cases.status == "failed" else []
    lines += [""] if notes else []
    return "\n".join(lines + [f"- note: {note}" for note in notes])
