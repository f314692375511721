"""The class's gradebook: one row per student over the notebooks of an assignment, and a feedback
page per student that can be read anywhere (Markdown: an LMS, an e-mail, a text editor).

Who a submission belongs to: its folder, the first under the submitted folder (submissions/alice/
... is alice, as in nbgrader's submitted/<student>/<assignment>/ and LMS exports), or, for a file
on its own, its name (alice.ipynb is alice). With a roster (`--roster FILE`, a CSV with a header
whose first column, or a column named student, id, username or email, holds each student's id),
the student whose id is that folder's or file's name, or one of its words; never a word of a
file's name inside a folder (the student chose it). A student's points for an exercise are those
of their best notebook of it; the others are named, never dropped silently. Nobody on the roster
is left out: a student with no submission gets a row of zeros that says so, and a submission
that matches nobody gets a row of its own that says so too. Feedback pages are named so that no
two students share one, and what a submission's code printed is shown inert (verdict.inert).
"""

import csv
import importlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from bp_lessons.exercises import EXERCISES
from bp_lessons.grading.judge import Grade
from bp_lessons.grading.points import Table, graded_tasks
from bp_lessons.grading.report import fresh_folder, spreadsheet_safe, write
from bp_lessons.grading.verdict import inert

ID_COLUMNS = ("student", "id", "student_id", "username", "email")
NAMES = ("name", "full name", "full_name", "display name", "display_name")  # a roster's names


@dataclass
class Student:
    id: str
    fields: dict[str, str] = field(default_factory=dict)  # the roster's other columns
    grades: list[Grade] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def total(self, exercises: list[str]) -> float:
        """The gradebook's total: each exercise's best notebook."""
        return sum(best.score for e in exercises if (best := self.best(e)))

    def best(self, exercise: str) -> Grade | None:
        """The student's best notebook of this exercise (the first of the best)."""
        mine = [g for g in self.grades if g.exercise == exercise and not g.problem]
        return max(mine, key=lambda g: g.score) if mine else None


def read_roster(path: Path) -> tuple[list[Student], list[str]]:
    """The students of a roster CSV, and the names of its other columns."""
    text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's BOM is not part of a name
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise ValueError(f"{path}: no students (a header line, then one line per student)")
    columns = list(rows[0])
    key = next((c for c in columns if c.strip().lower() in ID_COLUMNS), columns[0])
    students, seen = [], set()
    for row in rows:
        sid = (row.get(key) or "").strip()
        if not sid or sid.lower() in seen:
            raise ValueError(f"{path}: a student without an id, or twice: {sid!r}")
        seen.add(sid.lower())
        students.append(Student(sid, {c: row.get(c) or "" for c in columns if c != key}))
    return students, [c for c in columns if c != key]


def assign(grades: list[Grade], roster: list[Student] | None) -> list[Student]:
    """Every grade to its student, in the order of the roster (or of the students' ids)."""
    if roster is None:
        by_id: dict[str, Student] = {}
        for grade in grades:
            by_id.setdefault(grade.student, Student(grade.student)).grades.append(grade)
        return [by_id[sid] for sid in sorted(by_id, key=str.lower)]
    students = [Student(s.id, dict(s.fields)) for s in roster]
    strangers: dict[str, Student] = {}
    for grade in grades:
        matches = [s for s in students if belongs(grade.relative, s.id)]
        if len(matches) == 1:
            matches[0].grades.append(grade)
            continue
        why = (
            "matches no one on the roster"
            if not matches
            else ("matches several students on the roster: " + ", ".join(s.id for s in matches))
        )
        stranger = strangers.setdefault(grade.student, Student(grade.student))
        stranger.grades.append(grade)
        stranger.notes.append(f"{Path(grade.source).name} {why}")
    return students + [strangers[k] for k in sorted(strangers, key=str.lower)]


def owner(relative: str, roster: list[Student] | None) -> str | None:
    """The roster's id of the one student a submission (by its path under the submitted
    folder) belongs to; None if it matches nobody or several (or there is no roster)."""
    matches = [s.id for s in roster or [] if belongs(relative, s.id)]
    return matches[0] if len(matches) == 1 else None


def belongs(relative: str, sid: str) -> bool | re.Match:
    """Is this submission the student's (case aside)? In a folder, the folder decides (its
    name is the id, or holds it as a word: LMS exports name folders after students, while the
    file's name is the student's to choose); a file on its own, its name or a word of it."""
    sid = sid.lower()
    parts = [p.lower() for p in Path(relative).parts]
    owner = parts[0] if len(parts) > 1 else re.sub(r"\.ipynb.*$", "", parts[-1] if parts else "")
    # a word of it: the id, bounded by the name's ends or by what is not a letter or digit
    return owner == sid or re.search(rf"(^|[^a-z0-9]){re.escape(sid)}($|[^a-z0-9])", owner)


def gradebook_csv(
    students: list[Student], exercises: list[str], points: Table | None, fields: list[str]
) -> str:
    """student, the roster's other columns, points per exercise, total, max_score, notes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *fields, *exercises, "total", "max_score", "notes"])
    maximum = sum(t.points for e in exercises for t in graded_tasks(e, points))
    for student in students:
        scores, notes = [], list(student.notes)
        for exercise in exercises:
            best = student.best(exercise)
            scores.append(best.score if best else 0.0)
            notes += exercise_notes(student, exercise, best)
        notes += [f"not gradable: {Path(g.source).name}: {g.problem}" for g in student.grades
                  if g.problem]  # fmt: skip
        notes += [f"review {t.review}" for g in student.grades for t in g.tasks if t and t.review]
        row = [student.id, *(student.fields.get(f, "") for f in fields)]
        row += [f"{s:g}" for s in scores] + [f"{sum(scores):g}", f"{maximum:g}", "; ".join(notes)]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def exercise_notes(student: Student, exercise: str, best: Grade | None) -> list[str]:
    if best is None:
        return [f"{exercise}: no notebook graded"]
    others = [g for g in student.grades if g.exercise == exercise and g is not best]
    if not others:
        return []
    names = ", ".join(Path(g.source).name for g in others)
    return [f"{exercise}: {Path(best.source).name} counted; also handed in: {names}"]


def feedback(student: Student, exercises: list[str], points: Table | None) -> str:
    """A student's feedback page in Markdown: the total, then every exercise and task."""
    best = {e: student.best(e) for e in exercises}
    total = sum(g.score for g in best.values() if g)
    maximum = sum(t.points for e in exercises for t in graded_tasks(e, points))
    who = inert(student.id, 200)
    name = next((v for k, v in student.fields.items() if k.strip().lower() in NAMES and v), "")
    who = f"{inert(name, 200)} ({who})" if name.strip() else who
    lines = [f"# Feedback for {who}: {total:g} of {maximum:g} points", ""]
    lines += [f"- {inert(note, 400)}" for note in student.notes]
    for exercise in exercises:
        grade = best[exercise]
        if grade is None:
            lines += [f"## {heading(exercise)}: not handed in, 0 points", ""]
            continue
        file = inert(Path(grade.source).name, 200)
        lines += [f"## {heading(exercise)}: {grade.score:g}/{grade.max_score:g} ({file})", ""]
        for task_grade in grade.tasks:
            task = task_grade.task
            lines += [f"### Exercise {task.number} · `{task.function}`", "", task_grade.output, ""]
    for grade in student.grades:
        if grade.problem:
            name, problem = inert(Path(grade.source).name, 200), inert(grade.problem, 400)
            lines += [f"## {name}: not graded", "", problem, ""]
    return "\n".join(lines).rstrip() + "\n"


def heading(exercise: str) -> str:
    """`Exercise 01_neuron · The neuron`: the id, and the title its module's docstring opens
    with ("Exercise 01 · The neuron: ...")."""
    try:
        doc = importlib.import_module(EXERCISES[exercise]).__doc__ or ""
    except (KeyError, ImportError):
        doc = ""
    match = re.match(r"Exercise \d+ · ([^:\n]+)", doc)
    return f"Exercise {exercise}" + (f" · {match.group(1).strip()}" if match else "")


def page(student: Student, exercises: list[str], points: Table | None) -> str:
    """The student's feedback page; where a bug stops it, a page that says so (the class's
    other pages are written all the same)."""
    try:
        return feedback(student, exercises, points)
    except Exception as error:
        why = inert(f"{type(error).__name__}: {error}", 400)
        name = inert(student.id, 200)
        return f"# Feedback for {name}\n\nThis page could not be written ({why}).\n"


def file_names(ids: list[str]) -> list[str]:
    """A feedback file name per student id, in the same order, unique by construction; the
    ids come in the gradebook's order (the roster's rows, then submissions matching no one).

    A student's page is `<id>.md` where the id is a safe file name and no other id of the run
    comes close to it (case aside, as some file systems do); else the safe form of the id
    with the student's row in the gradebook, `Ana_Lopez-1.md`. Names are handed out row by
    row, each checked against those already given, so the roster's students are served first
    and no file handed in can take their pages, whatever it is named."""

    def safe(sid: str) -> str:
        return re.sub(r"[^A-Za-z0-9@._+-]+", "_", sid).strip("._")[:80] or "student"

    clash: dict[str, int] = {}
    for sid in ids:
        clash[safe(sid).lower()] = clash.get(safe(sid).lower(), 0) + 1
    names: list[str] = []
    taken: set[str] = set()
    for row, sid in enumerate(ids, 1):
        name = safe(sid)
        if name != sid or clash[name.lower()] > 1 or name.lower() in taken:
            name = f"{safe(sid)}-{row}"
        while name.lower() in taken:  # a name some earlier row took: this row's number again
            name += f"-{row}"
        taken.add(name.lower())
        names.append(name + ".md")
    return names


def write_gradebook(
    root: int,
    students: list[Student],
    exercises: list[str],
    points: Table | None,
    fields: list[str],
) -> None:
    """gradebook.csv and feedback/<student>.md in the output folder (a handle on it); the
    pages of students who are gone since an earlier run are removed."""
    write(root, "gradebook.csv", gradebook_csv(students, exercises, points, fields))
    folder = fresh_folder(root, "feedback")
    try:
        names = file_names([student.id for student in students])
        pages = {name: page(s, exercises, points) for name, s in zip(names, students)}
        for stale in set(os.listdir(folder)) - set(pages):
            if stale.endswith(".md"):
                os.unlink(stale, dir_fd=folder)
        for name, text in pages.items():
            write(folder, name, text)
    finally:
        os.close(folder)
