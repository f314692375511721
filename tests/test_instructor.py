"""The private instructor build (make instructor): an answer key for every task, the solutions
saved executed, a quiz bank whose questions each have one right answer and distinct wrong ones
(the named ones real mistakes of the checks), exports to GIFT and QTI that parse back to the bank,
and the build itself, which runs where Sphinx and text2qti are installed (the instructor extra).
"""

import html
import importlib.util
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from bp_lessons.exercises import EXERCISES, tasks
from bp_lessons.exercises.feedback import arguments, short

ROOT = Path(__file__).resolve().parent.parent
INSTRUCTOR = ROOT / "instructor"
LESSONS_WITH_EXERCISES = sorted(exercise[:2] for exercise in EXERCISES)


def load_module(name: str):
    spec = importlib.util.spec_from_file_location(name, INSTRUCTOR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


answer_keys = load_module("answer_keys")
quiz = load_module("quiz")


def source(exercise: str) -> dict:
    return json.loads((ROOT / "exercises" / "source" / f"{exercise}.ipynb").read_text("utf-8"))


def text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


# --- the solutions and the answer keys ----------------------------------------------------------
@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_every_solution_is_saved_executed_with_every_check_passing(exercise):
    notebook = source(exercise)
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    counts = [cell.get("execution_count") for cell in code]
    assert counts == list(range(1, len(code) + 1)), f"{exercise}: run tools/execute.py on it"
    shown = json.dumps([cell.get("outputs", []) for cell in code], ensure_ascii=False)
    for task in tasks(exercise):
        assert f"✓ Exercise {task.number}: <code>{task.function}</code> is correct" in shown


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_every_exercise_has_an_answer_key_page(exercise):
    page = INSTRUCTOR / "keys" / f"{exercise}.md"
    assert page.exists(), f"write {page.relative_to(ROOT)}: a title and the answer-key directive"
    title = re.search(r"^# Exercise (.+)$", text(source(exercise)["cells"][0]), re.M)[1]
    assert page.read_text("utf-8") == f"# Answer key {title}\n\n```{{answer-key}} {exercise}\n```\n"


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_every_task_has_its_reference_answer_cases_points_and_rubric(exercise):
    key = answer_keys.render(exercise)
    sections = re.split(r"^(?=## Exercise )", key, flags=re.M)[1:]
    listed = tasks(exercise)
    assert len(sections) == len(listed)
    answers = {
        int(cell["metadata"]["nbgrader"]["grade_id"][1:]): text(cell)
        for cell in source(exercise)["cells"]
        if re.fullmatch(r"q\d+", cell["metadata"].get("nbgrader", {}).get("grade_id", ""))
    }
    for k, (section, task) in enumerate(zip(sections, listed), 1):
        assert section.startswith(f"## Exercise {task.number} · `{task.function}` (1 point)")
        solution = answers[k].split("### BEGIN SOLUTION\n")[1].split("### END SOLUTION")[0]
        code = section.split("```python\n")[1].split("```")[0]
        assert solution.rstrip() in code and "### BEGIN SOLUTION" not in code
        rows = re.findall(r"^\| `.+` \| `.+` \|$", section, re.M)
        assert len(rows) == len(task.fixed), f"{task.number}: a row per fixed case"
        assert "**Rubric.** 1 point when every case passes, 0 otherwise" in section
        for mistake in task.mistakes:
            assert f". {mistake.message}\n" in section


def test_an_answer_key_shows_the_reference_s_expected_value():
    key = answer_keys.render("03_loss")
    task = tasks("03_loss")[0]
    for case in task.fixed:  # each value the reference's, shortened as a check's table does
        expected = task.run(task.reference, case)
        assert f"| `{arguments(case)}` | `{short(expected)}` |" in key


def test_an_answer_key_names_the_quiz_questions_of_each_mistake(bank):
    key = answer_keys.render("04_chain_rule", quizzed=quiz.quizzed(bank))
    notes = tasks("04_chain_rule")[0].mistakes[0].message  # the notes' z·σ(z)(1 − σ(z))
    assert f". {notes}\n   *Quiz: 04.1.*\n" in key
    assert "*Quiz:" not in answer_keys.render("04_chain_rule")


def test_an_answer_key_says_what_is_missing(tmp_path):
    with pytest.raises(ValueError, match="unknown exercise '99_attention'"):
        answer_keys.render("99_attention")
    notebook = source("04_chain_rule")
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q2":
            cell["metadata"]["nbgrader"]["grade_id"] = "q2_renamed"
    folder = tmp_path / "exercises" / "source"
    folder.mkdir(parents=True)
    (folder / "04_chain_rule.ipynb").write_text(json.dumps(notebook), "utf-8")
    with pytest.raises(ValueError, match=r"no answer cell \(grade_id q2\) for task 2"):
        answer_keys.render("04_chain_rule", tmp_path)


# --- the quiz bank ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bank() -> dict:
    found = quiz.load()
    assert quiz.check(found) == []  # also fills in each named mistake's message
    return found


def test_the_bank_has_a_quiz_of_five_questions_or_more_per_lesson(bank):
    assert sorted(stem[:2] for stem in bank) == LESSONS_WITH_EXERCISES
    counts = {stem: len(questions) for stem, (_, questions) in bank.items()}
    assert min(counts.values()) >= 5 and sum(counts.values()) >= 80, counts


def test_every_question_has_one_right_answer_distinct_options_and_a_why(bank):
    for _, questions in bank.values():
        for question in questions:
            assert sum(option.right for option in question.options) == 1, question.id
            texts = [quiz.same(option.text) for option in question.options]
            assert len(set(texts)) == len(texts) >= 3, question.id
            assert question.stem and question.why, question.id


def test_the_right_answer_is_not_always_in_the_same_place(bank):
    places = [q.options.index(q.answer) for _, qs in bank.values() for q in qs]
    assert max(places.count(k) for k in set(places)) <= 0.4 * len(places), places


def test_the_wrong_options_name_the_checks_mistakes(bank):
    by_number = {task.number: task for exercise in EXERCISES for task in tasks(exercise)}
    named = [o for _, qs in bank.values() for q in qs for o in q.options if o.task]
    assert len(named) >= 100, "most wrong options should be mistakes the checks name"
    for option in named:
        assert not option.right
        assert option.message in [m.message for m in by_number[option.task].mistakes]
        assert option.message.startswith(option.says)


def write_quiz(folder: Path, body: str) -> Path:
    path = folder / "04_chain_rule.md"
    path.write_text("# Quiz 04 · The chain rule\n\n" + body, encoding="utf-8")
    return path


QUESTION = """## 04.{n} · A question

What is σ'(z)?

- [x] σ(z)(1 − σ(z))
- [ ] z·σ(z)(1 − σ(z))
  - check 4.1: That is the notes'
- [ ] σ(z)

**Why:** The slope of σ.
"""


def test_the_bank_s_check_catches_each_kind_of_broken_question(tmp_path):
    good = "".join(QUESTION.format(n=n) + "\n" for n in range(1, 6))
    write_quiz(tmp_path, good)
    assert quiz.check(quiz.load(tmp_path)) == []

    broken = {
        "2 right answers, not 1": good.replace("- [ ] σ(z)\n", "- [x] σ(z)\n", 1),
        "0 right answers, not 1": good.replace("- [x] σ(z)(1", "- [ ] σ(z)(1", 1),
        "two options say the same": good.replace("- [ ] σ(z)\n", "- [ ] Σ(Z)(1 − σ(z))\n", 1),
        "2 options, fewer than 3": good.replace("- [ ] σ(z)\n", "", 1),
        "no **Why:** line": good.replace("**Why:** The slope of σ.\n", "", 1),
        'has 0 mistake messages starting "That is the rules\'"': good.replace(
            "That is the notes'", "That is the rules'", 1
        ),
        "check 9.9 has no mistake": good.replace("check 4.1", "check 9.9", 1),
        "the right answer is named as check mistake": good.replace(
            "- [x] σ(z)(1 − σ(z))\n", "- [x] σ(z)(1 − σ(z))\n  - check 4.1: That is σ(z)\n", 1
        ),
        "expected question 04.2": good.replace("## 04.2 ·", "## 04.7 ·", 1),
        "4 questions, fewer than 5": good.split("## 04.5")[0],
    }
    for problem, body in broken.items():
        write_quiz(tmp_path, body)
        found = quiz.check(quiz.load(tmp_path))
        assert any(problem in line for line in found), (problem, found)

    write_quiz(tmp_path, good.replace("**Why:** The slope of σ.\n", "A stray line.\n", 1))
    with pytest.raises(ValueError, match="04_chain_rule.md:12: expected an option"):
        quiz.load(tmp_path)


# --- the exports --------------------------------------------------------------------------------
def gift_unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value)


def gift_split(body: str) -> list[tuple[str, str]]:
    """A GIFT answer block cut at its unescaped marks: [(mark, text)], mark one of =, ~, #, ####."""
    parts, mark, current, k = [], None, "", 0
    while k < len(body):
        char = body[k]
        if char == "\\":
            current, k = current + body[k : k + 2], k + 2
            continue
        if char in "=~#":
            if mark is not None:
                parts.append((mark, current.strip()))
            mark = "####" if body.startswith("####", k) else char
            current, k = "", k + len(mark)
            continue
        current, k = current + char, k + 1
    if mark is not None:
        parts.append((mark, current.strip()))
    return [(mark, gift_unescape(value)) for mark, value in parts]


def parse_gift(text: str) -> dict[str, list[dict]]:
    """A small GIFT reader, independent of the writer: category -> its questions."""
    categories: dict[str, list[dict]] = {}
    category = None
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in block.strip().splitlines() if not line.startswith("//")]
        if not lines:
            continue
        if lines[0].startswith("$CATEGORY: "):
            category = gift_unescape(lines[0][len("$CATEGORY: ") :])
            categories[category] = []
            continue
        match = re.fullmatch(
            r"::(.*?)(?<!\\)::\[markdown\](.*?)(?<!\\)\{(.*)(?<!\\)\}", "\n".join(lines), re.S
        )
        assert match, f"not a GIFT question: {block[:80]!r}"
        question = {"title": gift_unescape(match[1]), "stem": gift_unescape(match[2].strip())}
        question["answers"], question["why"] = [], None
        for mark, value in gift_split(match[3]):
            if mark in "=~":
                question["answers"].append({"right": mark == "=", "text": value, "feedback": ""})
            elif mark == "#":
                question["answers"][-1]["feedback"] = value
            else:
                question["why"] = value
        categories[category].append(question)
    return categories


def test_gift_escapes_every_special_character():
    nasty = "a = b ~ c # d {e} f: g \\ h\nnext"
    parsed = parse_gift(f"$CATEGORY: c\n\n::t::[markdown]q {{\n\t={quiz.gift_text(nasty)}\n}}\n")
    assert parsed["c"][0]["answers"][0]["text"] == nasty


def test_the_gift_export_parses_back_to_the_bank(bank):
    parsed = parse_gift(quiz.gift(bank))
    assert list(parsed) == [f"bp-lessons/{title}" for title, _ in bank.values()]
    for (_, questions), exported in zip(bank.values(), parsed.values()):
        assert len(exported) == len(questions)
        for question, got in zip(questions, exported):
            assert got["title"] == f"{question.id} {question.title}"
            assert got["stem"] == question.stem and got["why"] == question.why
            assert [a["text"] for a in got["answers"]] == [o.text for o in question.options]
            assert [a["right"] for a in got["answers"]] == [o.right for o in question.options]
            assert [a["feedback"] for a in got["answers"]] == [o.message for o in question.options]


QUOTES = str.maketrans("‘’“”", "''\"\"")


def plain(markup: str) -> str:
    """The words of a text in text2qti's HTML or in a quiz file: no tags, no code backticks,
    straight quotes and three dots (text2qti's Markdown makes them typographic)."""
    words = html.unescape(re.sub(r"<[^>]+>", "", markup)).replace("`", "").translate(QUOTES)
    words = words.replace("…", "...")
    return " ".join(words.split())


def test_the_qti_export_parses_back_to_the_bank(bank):
    pytest.importorskip("text2qti", reason="the QTI export needs the instructor extra")
    for title, questions in bank.values():
        with zipfile.ZipFile(io.BytesIO(quiz.qti_zip(title, questions))) as z:
            names = [n for n in z.namelist() if n.endswith(".xml") and "/" in n]
            assessment = next(n for n in names if not n.endswith("assessment_meta.xml"))
            root = ET.fromstring(z.read(assessment))
            meta = z.read(next(n for n in names if n.endswith("assessment_meta.xml")))
        assert b"<shuffle_answers>true</shuffle_answers>" in meta  # Canvas shuffles the options
        ns = {"q": root.tag.split("}")[0][1:]}
        items = root.findall(".//q:item", ns)
        assert len(items) == len(questions)
        for item, question in zip(items, questions):
            assert item.get("title") == f"{question.id} · {question.title}"
            texts = [m.text for m in item.findall("./q:presentation/q:material/q:mattext", ns)]
            assert plain(texts[0]) == plain(question.stem)
            labels = item.findall(".//q:response_label", ns)
            options = {
                label.get("ident"): plain(label.find(".//q:mattext", ns).text) for label in labels
            }
            assert list(options.values()) == [plain(o.text) for o in question.options]
            scored = [
                condition.find(".//q:varequal", ns).text
                for condition in item.findall(".//q:respcondition", ns)
                if condition.find("q:setvar", ns) is not None
            ]
            assert [options[ident] for ident in scored] == [plain(question.answer.text)]
            feedback = {
                fb.get("ident"): plain(fb.find(".//q:mattext", ns).text)
                for fb in item.findall("q:itemfeedback", ns)
            }
            assert feedback["general_fb"] == plain(question.why)
            for ident, option in zip(options, question.options):
                if option.message:
                    assert feedback[f"{ident}_fb"] == plain(option.message)


# --- the build ----------------------------------------------------------------------------------
def test_the_private_build_holds_solutions_keys_and_quizzes(tmp_path):
    for module in ("sphinx", "myst_nb", "sphinx_book_theme", "mathjax", "text2qti"):
        pytest.importorskip(module, reason="make instructor's tools: the instructor extra")
    out = tmp_path / "instructor"
    build = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-c", str(INSTRUCTOR)]
    build += ["-d", str(tmp_path / "doctrees"), str(ROOT), str(out)]
    result = subprocess.run(build, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    links = [sys.executable, str(ROOT / "tools" / "check_links.py"), str(out)]
    assert subprocess.run(links, capture_output=True).returncode == 0
    for exercise in EXERCISES:
        solution = (out / "exercises" / "source" / f"{exercise}.html").read_text("utf-8")
        key = (out / "instructor" / "keys" / f"{exercise}.html").read_text("utf-8")
        for task in tasks(exercise):
            assert f"✓ Exercise {task.number}: <code>{task.function}</code>" in solution
            assert "find_spec" not in solution, "the install cell is for Colab, not this page"
            assert f"Exercise {task.number} · " in key
    pages = sorted(p.stem for p in (out / "instructor" / "quiz").glob("*.html"))
    assert pages == sorted(EXERCISES)
    exports = out / "quiz-export"
    assert (exports / "bp-lessons.gift").exists() and (exports / "index.html").exists()
    assert sorted(p.name for p in exports.glob("*.qti.zip")) == [f"{e}.qti.zip" for e in EXERCISES]
    for folder in ("problems", "labs"):  # the problem sets and lab plans, whichever exist
        for page in (INSTRUCTOR / folder).glob("*.md"):
            assert (out / "instructor" / folder / f"{page.stem}.html").exists()
    assert not (out / "notebooks").exists(), "the lessons are the public site's"
    assert (out / "_static" / "mathjax" / "tex-mml-chtml.js").exists()
    for page in out.rglob("*.html"):  # it works offline: no script from elsewhere
        assert not re.search(r"<script[^>]+src=\"https?:", page.read_text("utf-8")), page
