"""Reports are inert and collision-free: no string from a submission acts as Markdown or HTML in
what a student or an instructor reads, and no two students ever share a feedback page.

Three routes carried raw Markdown and HTML into results.json and the feedback pages: an
exception's message (through the signature check, which reads the text unescaped), the
notebook's metadata.bp_lessons.exercise, and the file's name.
"""

import csv
import json
import re

import pytest
from test_grading_support import correct, notebook, save

from bp_lessons.grading.cli import main

pytestmark = pytest.mark.lesson01
EVIL = "<img src=x onerror=alert(1)>[click](https://evil.example)![i](https://e.example/i.png)"
# what must never appear in a report: a tag, a link or an image, a code span opened by the
# submission, a table cell boundary
ACTIVE = re.compile(r"<img|<script|\]\(https?:|!\[")


def run(tmp_path, submissions: dict, *options: str):
    folder = tmp_path / "submitted"
    for name, content in submissions.items():
        save(folder, name, content)
    out = tmp_path / "out"
    assert main([str(folder), "--out", str(out), "--timeout", "5", *options]) == 0
    return out


def readable(out) -> dict[str, str]:
    """Every text a student or an instructor reads in Markdown: each test's and each
    results.json's output, each feedback page."""
    texts = {}
    for path in out.glob("*/results.json"):
        results = json.loads(path.read_text())
        texts[str(path)] = results["output"] + "\n".join(t["output"] for t in results["tests"])
    for path in (out / "feedback").glob("*.md"):
        texts[str(path)] = path.read_text()
    return texts


def assert_inert(out) -> None:
    for where, text in readable(out).items():
        assert not ACTIVE.search(text), (where, ACTIVE.search(text).group(), text[:600])
    for name in ("grades.csv", "gradebook.csv"):
        for row in csv.reader((out / name).open()):
            assert all(cell.lstrip()[:1] not in ("=", "+", "-", "@") for cell in row), row


def test_an_exception_message_stays_text_through_the_signature_check(tmp_path):
    raising = (
        "def sigmoid(z):\n    raise TypeError(\n"
        f'        "sigmoid() takes {EVIL} positional arguments but 1 was given"\n    )\n'
    )
    out = run(tmp_path, {"alice.ipynb": notebook({1: raising})})
    assert_inert(out)


def test_the_notebooks_exercise_id_stays_text(tmp_path):
    nb = correct()
    nb.metadata["bp_lessons"]["exercise"] = EVIL
    out = run(tmp_path, {"alice.ipynb": nb})
    assert "unknown exercise" in json.loads((out / "alice" / "results.json").read_text())["output"]
    assert_inert(out)


def test_a_file_name_stays_text(tmp_path):
    name = EVIL.replace("/", "_") + ".ipynb"
    out = run(tmp_path, {name: correct(), "=cmd|calc.ipynb": correct(), " =cmd.ipynb": correct()})
    assert_inert(out)


def test_no_gradebook_cell_starts_a_formula_however_its_sign_is_written():
    from bp_lessons.grading.report import spreadsheet_safe

    for cell in (
        "=cmd|' /C calc'!A0",
        " =1+1",
        "\u00a0=1+1",
        "\u3000@SUM(A1)",
        "\uff1dcmd",
        "+1",
        "\t=1",
    ):
        assert spreadsheet_safe(cell).startswith("'"), repr(cell)
    for cell in ("alice", "0.5", "Ana Lopez", "x = 1"):
        assert spreadsheet_safe(cell) == cell


def test_a_loose_file_cannot_take_a_students_feedback_page(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nAna Lopez\nalice\n")
    first = run(tmp_path, {"Ana Lopez/01_neuron.ipynb": correct()}, "--roster", str(roster))
    pages = {p.name for p in (first / "feedback").glob("*.md")}
    page = next(p for p in pages if p.lower().startswith("ana"))
    # a stranger's loose file named after Ana's page: a row of its own, a page of its own
    stem = page.removesuffix(".md")
    out = run(tmp_path, {f"{stem}.ipynb": notebook(), "alice/x.ipynb": correct()}, "--roster",
              str(roster))  # fmt: skip
    pages = sorted((out / "feedback").glob("*.md"))
    headings = [p.read_text().splitlines()[0] for p in pages]
    assert len(pages) == len(set(headings)) == 3, headings  # Ana, alice and the stranger
    ana = (out / "feedback" / page).read_text()
    assert ana.startswith("# Feedback for Ana Lopez: 2 of 2 points"), ana[:200]


def test_a_changed_deleted_or_rebound_check_is_flagged_to_the_instructor(tmp_path):
    nb = notebook(scratch="q1.check = lambda fn: None\n")
    nb.cells[7].source = "pass  # q2.check(neuron_forward)"  # q2_check, changed
    gone = correct()
    del gone.cells[4]  # q1_check
    out = run(tmp_path, {"alice.ipynb": nb, "bob.ipynb": gone, "carol.ipynb": correct()})
    rows = {row["submission"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert "1.1: a cell rebinds q1 or q1.check" in rows["alice"]["review"]
    assert "1.2: check cell q2_check changed" in rows["alice"]["review"]
    assert "1.1: check cell q1_check deleted" in rows["bob"]["review"]
    assert "check" not in rows["carol"]["review"]  # (the reference's own code: flagged as such)
    feedback = (out / "feedback" / "alice.md").read_text()
    assert "rebinds" not in feedback  # for the instructor's eyes


def test_the_summary_gives_the_mean_per_student_not_per_notebook(tmp_path, capsys):
    # alice: a draft (0) and her final (2); bob: 0. Per student: (2 + 0) / 2 = 1
    submissions = {"alice/draft.ipynb": notebook(), "alice/final.ipynb": correct()}
    run(tmp_path, {**submissions, "bob/mine.ipynb": notebook()})
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "2 students, mean total 1.00" in line, line


def test_nbgraders_own_files_are_not_reported_as_strays(tmp_path, capsys):
    files = {"alice/ps1/01_neuron.ipynb": correct(), "alice/ps1/timestamp.txt": "2026-12-07"}
    out = run(tmp_path, {**files, "alice/ps1/notes.txt": "mine"})
    err = capsys.readouterr().err
    assert "timestamp.txt" not in err and "notes.txt" in err
    assert "timestamp.txt: nbgrader's record" in (out / "skipped.txt").read_text()


@pytest.mark.parametrize("named", ["submitted", "submitted/alice", "submitted/alice/ps1"])
def test_nbgraders_layout_names_the_student_whichever_folder_is_given(tmp_path, named):
    folder = tmp_path / "submitted" / "alice" / "ps1"
    save(folder, "01_neuron.ipynb", correct())
    save(folder, "timestamp.txt", "2026-12-07 10:00:00")
    out = tmp_path / "out"
    assert main([str(tmp_path / named), "--out", str(out), "--timeout", "5"]) == 0
    book = list(csv.DictReader((out / "gradebook.csv").open()))
    assert [row["student"] for row in book] == ["alice"] and book[0]["total"] == "2"


def test_feedback_uses_the_rosters_names_and_the_exercises_titles(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("username,name\nalopez,Ana López\n")
    out = run(tmp_path, {"alopez/01_neuron.ipynb": correct()}, "--roster", str(roster))
    page = (out / "feedback" / "alopez.md").read_text()
    assert page.startswith("# Feedback for Ana López (alopez): 2 of 2 points"), page[:100]
    assert "## Exercise 01_neuron · The neuron: 2/2" in page


# --- the signature check reads the grader's escaping back exactly --------------------------


@pytest.mark.parametrize(
    ("text", "wrong_signature"),
    [
        # Python's own words for a lambda handed in: `<` and `>` reach the check escaped
        ("<lambda>() takes 1 positional argument but 3 were given", True),
        ("neuron_forward() takes 2 positional arguments but 3 were given", True),
        # a real backslash (the learner's own TypeError): not Python's words about the call
        (r"neuron\_forward() takes 2 positional arguments but 3 were given", False),
        (r"neuron_forward\() takes 2 positional arguments but 3 were given", False),
        # a reference the learner wrote stays as written: `&` is escaped too
        ("&#110;euron_forward() takes 2 positional arguments but 3 were given", False),
    ],
)
def test_the_signature_check_undoes_exactly_the_graders_escaping(text, wrong_signature):
    from bp_lessons.exercises import tasks
    from bp_lessons.grading.verdict import judged_rows

    task = tasks("01_neuron")[1]
    case = task.cases(0)[0]
    rows, _ = judged_rows(task, [case], [{"case": 0, "error": "TypeError", "text": text}])
    said = rows[0].detail or rows[0].message
    assert ("the check calls it with 3" in said) is wrong_signature, said
    # and the notebook's check, which gets the text as raised, says the same
    direct = task.judge_error(case, "TypeError", text)
    assert ("the check calls it with 3" in (direct.detail or direct.message)) is wrong_signature


# --- a rebinding of a check, however it is written, is flagged to the instructor ------------

REBINDINGS = [
    "import bp_lessons.exercises.neuron as m\n\nm.q1.check = lambda fn: None\n",
    "type(q1).check = lambda self, fn: None\n",
    "from bp_lessons.exercises.check import Task\n\nTask.check = lambda self, fn: None\n",
    "for q in [q1]:\n    q.check = print\n",
    "q1.__dict__['check'] = print\n",
    "globals()['q1'] = print\n",
    "exec('q1.check = print')\n",
    "(q1 := print)\n",
    "q1.__setattr__('check', print)\n",
    "import builtins\n\nbuiltins.setattr(q1, 'check', print)\n",
]
HONEST_SCRATCH = [
    "q1.check(sigmoid)\n",
    "%time q1.check(sigmoid)\n",
    "import re\n\npattern = re.compile('x')\nvalues = [1]\nvalues[0] = 2\n",
    "from bp_lessons.exercises.neuron import q1, q2\n",
]


@pytest.mark.parametrize("scratch", REBINDINGS + HONEST_SCRATCH)
def test_every_way_of_rebinding_a_check_is_flagged_and_honest_cells_are_not(tmp_path, scratch):
    from bp_lessons.exercises import tasks
    from bp_lessons.grading.judge import check_review
    from bp_lessons.grading.notebook import read_submission

    path = save(tmp_path, "alice.ipynb", notebook(scratch=scratch))
    review = check_review(read_submission(path), 1, tasks("01_neuron")[0])
    assert bool(review) is (scratch in REBINDINGS), review
