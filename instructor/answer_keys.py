"""The answer key of an exercise, as Markdown: per task its reference answer, what its check
tests, its points and its rubric, read from the source notebook and the checks' registry.

    .venv/bin/python instructor/answer_keys.py 04_chain_rule   # print one key

The private build (`make instructor`) shows one key per exercise: `instructor/keys/NN_x.md`
holds the page's title and an `answer-key` directive, which calls `render` at build time, so a
key cannot drift from the checks it describes.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION\n|^[ \t]*### END SOLUTION\n?", re.M)


def solution_cells(source: Path) -> dict[int, str]:
    """Task number k -> the code of its answer cell (grade_id `qK`), solution markers removed."""
    notebook = json.loads(source.read_text(encoding="utf-8"))
    found = {}
    for cell in notebook["cells"]:
        grade_id = str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
        if re.fullmatch(r"q\d+", grade_id):
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            found[int(grade_id[1:])] = SOLUTION.sub("", text).rstrip() + "\n"
    return found


def cell_text(value: str) -> str:
    """A value for a Markdown table cell: inline code, its pipes escaped."""
    return "`" + value.replace("|", "\\|").replace("`", "'") + "`"


def pure_text(pure: bool | tuple[str, ...]) -> str:
    if pure is True:
        return "It must leave its arguments unchanged."
    if pure is False:
        return "It may change its arguments."
    return "It may change " + ", ".join(f"`{name}`" for name in pure) + " in place, no other."


def expected_text(task, value: object) -> str:
    """The expected result for a table cell, each part by its name where the task names them."""
    from bp_lessons.exercises.feedback import short

    if task.parts and isinstance(value, list) and len(value) == len(task.parts):
        return "; ".join(f"{name}: {short(part)}" for name, part in zip(task.parts, value))
    return short(value)


def task_key(task, code: str, quizzed: dict[str, list[str]]) -> list[str]:
    """The key of one task: reference answer, what the check tests, points and rubric; a named
    mistake that is a wrong option of the quiz bank says which questions (`quizzed`)."""
    from bp_lessons.exercises.check import TIME_LIMIT
    from bp_lessons.exercises.feedback import arguments

    points = f"{task.points:g} point{'s' * (task.points != 1)}"
    out = [f"## Exercise {task.number} · `{task.function}` ({points})", ""]
    out += ["**Reference answer** (the solution cell of the source notebook):", ""]
    out += ["```python", code.rstrip("\n"), "```", ""]
    fixed, drawn = len(task.fixed), task.n_random if task.random else 0
    out += [
        f"**What the check tests.** {fixed + drawn} cases: the {fixed} fixed ones below"
        + (
            f", and {drawn} drawn at random (the notebook's check with seed 0, `bp-grade` with "
            "a secret seed each run)."
            if drawn
            else "."
        ),
        f"Numbers agree within a relative {task.rtol:g} or an absolute {task.atol:g}. "
        f"{pure_text(task.pure)} All cases must finish within {TIME_LIMIT:g} s.",
    ]
    if task.forbidden:
        names = ", ".join(f"`{name}`" for name in task.forbidden)
        out += [f"It may not call {names}: an answer that does scores 0, flagged as a problem."]
    out += ["", "| input | expected |", "|---|---|"]
    for case in task.cases(seed=0)[:fixed]:
        expected = task.run(task.reference, case)
        out.append(f"| {cell_text(arguments(case))} | {cell_text(expected_text(task, expected))} |")
    out += [
        "",
        f"**Rubric.** {points} when every case passes, 0 otherwise: nbgrader, `bp-grade` and "
        "the Gradescope bundle give the same verdict. A wrong answer that gives what one of "
        "these named mistakes gives, on every case, is told so (and the quiz questions that "
        "have it as a wrong option are named after it):",
        "",
    ]
    for k, mistake in enumerate(task.mistakes, 1):
        asked = quizzed.get(mistake.message, [])
        out += [f"{k}. {mistake.message}"]
        out += [f"   *Quiz: {', '.join(asked)}.*"] if asked else []
    if not task.mistakes:
        out += ["- (no named mistake: the ✗ table says which cases and which parts are off)"]
    if task.errors:
        out += ["", "An answer that raises is told:", ""]
        out += [f"- `{name}`: {advice}" for name, advice in task.errors.items()]
    return out + [""]


def render(exercise: str, root: Path = ROOT, quizzed: dict[str, list[str]] | None = None) -> str:
    """The answer key of one exercise (`04_chain_rule`) as Markdown, a section per task;
    `quizzed` maps a named mistake's message to the quiz questions that ask about it."""
    from bp_lessons.exercises import EXERCISES
    from bp_lessons.grading.points import graded_tasks, read_points

    if exercise not in EXERCISES:
        raise ValueError(f"unknown exercise {exercise!r}: expected one of {', '.join(EXERCISES)}")
    source = root / "exercises" / "source" / f"{exercise}.ipynb"
    codes = solution_cells(source)
    listed = graded_tasks(exercise, read_points(source))
    missing = [k for k in range(1, len(listed) + 1) if k not in codes]
    if missing:
        raise ValueError(f"{source}: no answer cell (grade_id q{missing[0]}) for task {missing[0]}")
    total = sum(task.points for task in listed)
    out = [
        f"{len(listed)} tasks, {total:g} points. The executed solutions: "
        f"[`exercises/source/{exercise}.ipynb`](../../exercises/source/{exercise}.ipynb).",
        "",
    ]
    for k, task in enumerate(listed, 1):
        out += task_key(task, codes[k], quizzed or {})
    return "\n".join(out)


if __name__ == "__main__":
    print(render(sys.argv[1]))
