"""Write the instructor guide, docs/instructor_guide.md, or check that it is current.

    .venv/bin/python tools/instructor_guide.py          # rewrite it, keeping the hand-written parts
    .venv/bin/python tools/instructor_guide.py --check  # exit 1, naming what is stale or missing

Either way it exits 1 while something needs a human: a placeholder to write, a heading of
docs/teaching.md it links to that is gone, a hand-written part whose place is gone.

Generated, so that it cannot drift from what it describes:
- each lesson's title and description (the "# " line and the first "> " line of the markdown cell
  that holds them) and its objectives (the "- " lines under "**You will learn**");
- the basis of the time estimates: the words of the lesson and of its exercise (to the nearest
  50, so that a small edit leaves the guide current), the lesson's code cells (an installation
  cell, tagged "install" or with a `%pip install` or `!pip install` line, does not count) and
  the exercise's tasks;
- each exercise's tasks: the heading of its text cell in exercises/source (grade_id `qK_text`),
  the first paragraph of the reference solution's docstring, and the points of its check cell;
- the misconceptions the checks diagnose: every `Mistake` of every `Task` in
  `bp_lessons.exercises`, with its message verbatim, and the errors each check explains;
- the pointers into docs/teaching.md (each heading is looked up; a missing one is an error) and the
  grader's limits, read from the code.

Written by hand and kept verbatim, between `<!-- hand-written: KEY -->` and
`<!-- /hand-written -->`: per lesson NN the time estimate (`NN-time`), the board (`NN-board`) and
the questions for class (`NN-questions`); and the `schedules` and `grading` notes. A new lesson
gets placeholders, which --check reports until they are written; the parts of a lesson that is
gone move to the end of the guide, never lost.
"""

import argparse
import contextlib
import io
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
GUIDE = Path("docs") / "instructor_guide.md"
HAND = re.compile(r"<!-- hand-written: ([\w-]+) -->\n(.*?)<!-- /hand-written -->", re.S)
OPENING = re.compile(r"<!-- hand-written: ([\w-]+) -->")
PLACEHOLDER = "TO BE WRITTEN"
# the basis of the time estimates, in minutes (see the section "How the times are estimated")
READ_WPM, TEACH_WPM = 100, 150  # words a minute: reading technical text alone; taught in class
CELL_ALONE, CELL_IN_CLASS = 1.5, 1.0  # a code cell run and its output read: alone, shown in class
PER_TASK = 12  # writing one function of an exercise and getting its check to pass
BOARD_AND_QUESTIONS = 15  # in class: the board notes and the questions below
# the sections of the instructors' page the grading section points to (each must be a heading)
TEACHING = Path("docs") / "teaching.md"
TEACHING_SECTIONS = [
    ("Releasing student copies", "the student copies, and a graded release"),
    ("Grading a class: three ways, the same points", "where each task's points come from"),
    ("nbgrader", "with nbgrader"),
    ("bp-grade", "with bp-grade: its options and the files it writes"),
    ("Gradescope", "with Gradescope: the autograder bundle"),
    ("A graded course: what it can rely on", "graded copies and the copy marking"),
    ("What the grader promises, and how", "the sandbox, mode by mode"),
]


# --- reading the sources -----------------------------------------------------------------------
def cells(path: Path) -> list[nbformat.NotebookNode]:
    return nbformat.read(path, as_version=4).cells


def words(cells_: list[dict]) -> int:
    """The words of the markdown cells, to the nearest 50."""
    found = sum(len(c.source.split()) for c in cells_ if c["cell_type"] == "markdown")
    return 50 * round(found / 50)


def installs(cell: dict) -> bool:
    """An installation cell (as for Colab), which teaches nothing and takes no time to read."""
    tagged = "install" in cell.get("metadata", {}).get("tags", [])
    return tagged or bool(re.search(r"^\s*[%!].*\bpip install", cell.source, re.M))


def lesson(path: Path) -> dict:
    """Title, description, objectives, words and code cells of one lesson notebook."""
    found = cells(path)
    markdown = [c.source for c in found if c["cell_type"] == "markdown"]
    head = next((t for t in markdown if re.search(r"^# ", t, re.M)), "")
    title = re.search(r"^# (.+)$", head, re.M)
    description = re.search(r"^> (.+)$", head, re.M)
    learn = next((t for t in markdown if "**You will learn**" in t), "")
    after = learn.split("**You will learn**", 1)[-1].lstrip("\n").splitlines() if learn else []
    objectives = []
    for line in after:
        if line.startswith("- "):
            objectives.append(line[2:].strip())
        elif line.startswith("  ") and objectives:  # a list item's continuation line
            objectives[-1] += " " + line.strip()
        else:
            break
    code = [c for c in found if c["cell_type"] == "code" and c.source.strip()]
    return {
        "number": path.name[:2],
        "id": path.stem,
        "file": path.name,
        "title": title.group(1).strip() if title else path.stem,
        "description": description.group(1).strip() if description else "",
        "objectives": objectives,
        "words": words(found),
        "code_cells": sum(not installs(c) for c in code),
    }


def exercise(root: Path, exercise_id: str) -> dict | None:
    """The tasks of an exercise (from the checks' registry) with their headings and points."""
    from bp_lessons.exercises import EXERCISES
    from bp_lessons.grading.points import graded_tasks, read_points

    source = root / "exercises" / "source" / f"{exercise_id}.ipynb"
    if exercise_id not in EXERCISES or not source.exists():
        return None
    found = cells(source)
    by_id = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c for c in found}
    listed = []
    # the points of the source's check cells, as nbgrader and bp-grade --points-from read them
    for k, task in enumerate(graded_tasks(exercise_id, read_points(source)), 1):
        text = by_id.get(f"q{k}_text", {}).get("source", "")
        heading = re.search(r"^#+ (.+)$", text, re.M)
        doc = " ".join((task.reference.__doc__ or "").strip().split("\n\n")[0].split())
        listed.append(
            {
                "task": task,
                "heading": heading.group(1) if heading else f"Exercise {task.number}",
                "doc": doc,
                "points": task.points,
            }
        )
    return {"id": exercise_id, "words": words(found), "tasks": listed}


def readme_anchors(root: Path) -> dict[str, str]:
    """Each heading of the instructors' page, docs/teaching.md -> its GitHub anchor."""
    text = (root / TEACHING).read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # no "#" lines of code blocks
    headings = re.findall(r"^#{1,6} (.+?)\s*$", text, re.M)
    return {h: re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def grader_limits() -> list[str]:
    """What the grader and the checks promise in numbers, read from their code."""
    from bp_lessons.exercises import release
    from bp_lessons.exercises.check import TIME_LIMIT
    from bp_lessons.grading import cli
    from bp_lessons.grading.copies import MIN_NODES

    parser = argparse.ArgumentParser()
    cli.add_options(parser)
    defaults = parser.parse_args([])
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), contextlib.suppress(SystemExit):
        release.main(["release", "--help"])
    flags = [f for f in ("--graded", "--no-hints", "--keep-solutions") if f in shown.getvalue()]
    return [
        f"`bp-grade` gives each task {defaults.timeout:g} s (`--timeout`) and "
        f"{defaults.memory_mb} MB (`--memory-mb`) by default, and grades at most "
        f"{cli.MAX_PER_STUDENT} notebooks of one student.",
        f"A check in a learner's notebook allows {TIME_LIMIT:g} s for all of a task's cases.",
        f"An answer is compared with the reference solution for the `review` column only when "
        f"its syntax tree has {MIN_NODES} nodes or more.",
        "Gradescope's `--visibility`: " + ", ".join(f"`{v}`" for v in cli.VISIBILITIES) + ".",
        "The release command's options for a graded course: "
        + ", ".join(f"`{f}`" for f in flags)
        + ".",
    ]


# --- writing the guide -------------------------------------------------------------------------
def minutes(value: float) -> str:
    value = max(5, 5 * round(value / 5))
    return f"{value // 60} h {value % 60:02d} min" if value >= 60 else f"{value} min"


def basis(info: dict, ex: dict | None) -> dict:
    tasks_ = len(ex["tasks"]) if ex else 0
    ex_words = ex["words"] if ex else 0
    return {
        "lesson": info["words"] / READ_WPM + CELL_ALONE * info["code_cells"],
        "exercise": ex_words / READ_WPM + PER_TASK * tasks_ if ex else 0.0,
        "class": (
            info["words"] / TEACH_WPM + CELL_IN_CLASS * info["code_cells"] + BOARD_AND_QUESTIONS
        ),
        "tasks": tasks_,
        "ex_words": ex_words,
    }


def hand(key: str, kept: dict[str, str], what: str) -> str:
    body = kept.pop(key, f"{PLACEHOLDER}: {what}\n")
    return f"<!-- hand-written: {key} -->\n{body}<!-- /hand-written -->"


def anchor(title: str) -> str:
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def times_section(rows: list[tuple[dict, dict | None]]) -> list[str]:
    out = [
        "## How the times are estimated",
        "",
        "Every time in this guide is an **estimate**, not a measurement in a class. Its basis is "
        "computed from the notebooks each time the guide is generated:",
        "",
        f"- **the lesson, alone**: its words at {READ_WPM} words a minute (technical text with "
        f"formulas, read closely) plus {CELL_ALONE:g} min for each code cell (run it, read its "
        "output);",
        f"- **the exercise, alone**: its words at {READ_WPM} words a minute plus {PER_TASK} min "
        "for each task (write one function, run its check, fix it once or twice);",
        f"- **the lesson, in class**: its words at {TEACH_WPM} words a minute (you present and "
        f"summarize; the students do not read every word), {CELL_IN_CLASS:g} min for each code "
        f"cell you run live, and {BOARD_AND_QUESTIONS} min for the board and the questions.",
        "",
        "Each lesson's hand-written estimate starts from these numbers, rounded to 5 minutes, "
        "and says where it departs from them and why. Watch the first run of a lesson and "
        "correct them for your students.",
        "",
        "| lesson | words | code cells | exercise words | tasks | lesson alone | exercise alone "
        "| in class |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for info, ex in rows:
        b = basis(info, ex)
        out.append(
            f"| {info['number']} | {info['words']} | {info['code_cells']} | "
            f"{b['ex_words'] or '—'} | {b['tasks'] or '—'} | {minutes(b['lesson'])} | "
            f"{minutes(b['exercise']) if ex else '—'} | {minutes(b['class'])} |"
        )
    return out


def grading_section(root: Path, kept: dict[str, str], problems: list[str]) -> list[str]:
    anchors = readme_anchors(root)
    out = [
        "## Grading",
        "",
        "[Teaching with bp-lessons](teaching.md), in the order a course needs it:",
    ]
    out.append("")
    for heading, what in TEACHING_SECTIONS:
        if heading not in anchors:
            problems.append(f"{TEACHING} has no heading {heading!r} (the Grading section links it)")
            out.append(f"- {what}: **missing from {TEACHING}: {heading}**")
        else:
            out.append(f"- {what}: [{heading}](teaching.md#{anchors[heading]})")
    out += ["", "Limits, read from the code:", ""]
    out += [f"- {fact}" for fact in grader_limits()]
    out += ["", hand("grading", kept, "how to grade, and what a graded course can rely on")]
    return out


def lesson_section(info: dict, ex: dict | None, kept: dict[str, str]) -> list[str]:
    n, b = info["number"], basis(info, ex)
    link = f"../notebooks/{info['file']}"
    out = [f"## {info['title']}", "", f"> {info['description']}", ""]
    out += [f"Lesson: [`notebooks/{info['file']}`]({link})"]
    if ex:
        out[-1] += f" · exercise: [`exercises/{ex['id']}.ipynb`](../exercises/{ex['id']}.ipynb)"
    out += ["", "### Objectives (the lesson's *You will learn*)", ""]
    out += [f"- {objective}" for objective in info["objectives"]] or ["- (none found)"]
    out += ["", "### Time (estimates)", ""]
    line = f"Basis: lesson alone {minutes(b['lesson'])}, in class {minutes(b['class'])}"
    out += [line + (f", exercise alone {minutes(b['exercise'])}." if ex else "; no exercise.")]
    out += ["", hand(f"{n}-time", kept, f"the time estimate of lesson {n}")]
    out += ["", "### On the board", "", hand(f"{n}-board", kept, f"the board of lesson {n}")]
    out += ["", "### Questions for class", ""]
    out += [hand(f"{n}-questions", kept, f"3-4 questions for lesson {n}, with answers")]
    if not ex:
        return out
    out += ["", "### The exercise", ""]
    for item in ex["tasks"]:
        points = f"{item['points']:g} point{'s' * (item['points'] != 1)}"
        out.append(f"- **{item['heading']}** ({points}): {item['doc']}")
    out += ["", "### Misconceptions the checks diagnose", ""]
    out += [
        "When a wrong answer gives exactly what one of these mistakes gives on every case, the "
        "check (and bp-grade's feedback) shows its message, quoted here as written:",
    ]
    for item in ex["tasks"]:
        task = item["task"]
        out += ["", f"**{task.number} `{task.function}`**", ""]
        out += [f"{k}. {m.message}" for k, m in enumerate(task.mistakes, 1)]
        out += [f"- If it raises `{name}`: {advice}" for name, advice in task.errors.items()]
    return out


def render(root: Path, kept: dict[str, str], problems: list[str]) -> str:
    """The whole guide; takes from `kept` the hand-written parts it places."""
    from bp_lessons.exercises import EXERCISES

    paths = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    rows = [(lesson(p), exercise(root, p.stem) if p.stem in EXERCISES else None) for p in paths]
    out = [
        "<!-- Generated by tools/instructor_guide.py from the lessons, the exercise sources and "
        "their checks. Edit only between the hand-written markers, then run the tool; "
        "`--check` says what is stale. -->",
        "",
        "# Instructor guide",
        "",
        "For teaching the series: per lesson its objectives, an estimate of the time it takes, "
        "what to draw on the board, questions for class with their answers, the exercise's "
        "tasks and every misconception its checks diagnose; then schedules and grading. The "
        "notation is the lessons': a⁽⁰⁾ is the input, layers are l = 1 … N, w_jk is the weight "
        "of neuron j for activation k of the layer before, δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾, and L is only ever "
        "the loss: the mean of (a − y)² over the outputs (and over the batch).",
        "",
        "`make instructor` builds this guide into a private website, `_build/instructor`, beside "
        "the executed solutions, an answer key and rubric per exercise and a quiz bank exported "
        "for Moodle and Canvas: share it with your teaching assistants, never publish it.",
        "",
        "## Contents",
        "",
        "- [How the times are estimated](#how-the-times-are-estimated)",
        "- [Suggested schedules](#suggested-schedules)",
        "- [Grading](#grading)",
    ]
    out += [f"- [{info['title']}](#{anchor(info['title'])})" for info, _ in rows]
    out += [""] + times_section(rows)
    out += ["", "## Suggested schedules", "", hand("schedules", kept, "a workshop and a module")]
    out += [""] + grading_section(root, kept, problems)
    for info, ex in rows:
        out += [""] + lesson_section(info, ex, kept)
    if kept:  # hand-written parts whose place is gone: keep them for a human to move or delete
        out += ["", "## Hand-written parts without a place", ""]
        for key in sorted(kept):
            problems.append(f"hand-written part {key!r} has no place in the guide any more")
            out += [hand(key, dict(kept), ""), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def sections(text: str) -> dict[str, str]:
    """The guide cut at its "## " headings: heading -> text."""
    top, *parts = re.split(r"^(?=## )", text, flags=re.M)
    return {"## (the top)": top} | {part.splitlines()[0]: part for part in parts}


def update(root: Path = ROOT, check: bool = False) -> list[str]:
    """Bring the guide up to date (or only look, with check=True); return what is stale or
    missing. A file whose hand-written markers do not pair up is never rewritten."""
    path = root / GUIDE
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = dict(HAND.findall(old))
    if len(OPENING.findall(old)) != len(kept) or len(HAND.findall(old)) != len(kept):
        return [f"{GUIDE}: hand-written markers that do not pair up, or a key used twice"]
    problems: list[str] = []
    new = render(root, dict(kept), problems)
    stale = []
    if new != old:
        before, after = sections(old), sections(new)
        changed = [h for h in after if before.get(h) != after[h]]
        changed += [f"{h} (no longer generated)" for h in before if h not in after]
        stale = [f"stale: {GUIDE} section {h[3:]!r}" for h in changed] or [f"stale: {GUIDE}"]
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new, encoding="utf-8")
            stale = [f"updated: {GUIDE}"]
    missing = [
        f"missing: hand-written part {key!r} is still a placeholder"
        for key in re.findall(r"<!-- hand-written: ([\w-]+) -->\n" + PLACEHOLDER, new)
    ]
    return stale + missing + problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 and name what is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this)")
    args = parser.parse_args(argv)
    found = update(args.root, check=args.check)
    for line in found:
        print(line)
    return 1 if [line for line in found if not line.startswith("updated:")] else 0


if __name__ == "__main__":
    sys.exit(main())
