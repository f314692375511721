"""The instructor guide, docs/instructor_guide.md: current, complete, and rewritten by
tools/instructor_guide.py without losing a hand-written word; its --check fails when it should."""

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bp_lessons.exercises import EXERCISES, tasks

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "instructor_guide.py"
GUIDE = ROOT / "docs" / "instructor_guide.md"
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

spec = importlib.util.spec_from_file_location("instructor_guide", TOOL)
guide_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(guide_tool)


def lesson_sections(text: str) -> dict[str, str]:
    """Lesson number ("04") -> its section of the guide."""
    parts = re.split(r"^(?=## )", text, flags=re.M)
    return {m.group(1): part for part in parts if (m := re.match(r"## (\d\d) · ", part))}


def hand_written(text: str) -> dict[str, str]:
    return dict(guide_tool.HAND.findall(text))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """What the tool reads, copied once: the lessons, the exercise sources, README, the guide."""
    root = tmp_path_factory.mktemp("pristine")
    (root / "notebooks").mkdir()
    for path in LESSONS:
        shutil.copy(path, root / "notebooks" / path.name)
    shutil.copytree(ROOT / "exercises" / "source", root / "exercises" / "source")
    shutil.copy(ROOT / "README.md", root / "README.md")
    shutil.copytree(ROOT / "docs", root / "docs")
    return root


@pytest.fixture
def copy(pristine, tmp_path) -> Path:
    """A copy of the repository's guide and its sources to change."""
    root = tmp_path / "repo"
    shutil.copytree(pristine, root)
    return root


def edit_lesson(root: Path, name: str, old: str, new: str) -> None:
    path = root / "notebooks" / name
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if old in text:
            cell["source"] = text.replace(old, new)
            break
    else:
        raise AssertionError(f"{old!r} is not in {name}")
    path.write_text(json.dumps(notebook), encoding="utf-8")


def test_the_guide_is_current():
    found = guide_tool.update(ROOT, check=True)
    assert found == [], "run .venv/bin/python tools/instructor_guide.py:\n" + "\n".join(found)


def test_every_named_mistake_is_quoted_in_its_lessons_section():
    sections = lesson_sections(GUIDE.read_text(encoding="utf-8"))
    missing, count = [], 0
    for exercise in EXERCISES:
        section = sections.get(exercise[:2], "")
        for task in tasks(exercise):
            for mistake in task.mistakes:
                count += 1
                if f". {mistake.message}\n" not in section:
                    missing.append(f"{task.number}: {mistake.message[:60]}")
            for name, advice in task.errors.items():
                if f"`{name}`: {advice}" not in section:
                    missing.append(f"{task.number} raises {name}")
    assert count > 150, "the checks' registry looks empty"
    assert missing == []


def test_every_lesson_has_objectives_an_estimate_a_board_and_questions():
    text = GUIDE.read_text(encoding="utf-8")
    sections, parts = lesson_sections(text), hand_written(text)
    assert sorted(sections) == [path.name[:2] for path in LESSONS]
    for n, section in sections.items():
        objectives = section.split("### Objectives", 1)[1].split("###", 1)[0]
        assert len(re.findall(r"^- \S", objectives, re.M)) >= 2, f"lesson {n}: objectives"
        assert "(none found)" not in objectives
        for key in ("time", "board", "questions"):
            body = parts.get(f"{n}-{key}", "")
            assert body.strip() and guide_tool.PLACEHOLDER not in body, f"{n}-{key} is unwritten"
        time = parts[f"{n}-time"]
        assert "**Estimate**" in time and "in class" in time and "alone" in time, n
        questions = parts[f"{n}-questions"]
        asked = re.findall(r"^\d+\. \*\*.+", questions, re.M)
        assert 3 <= len(asked) <= 4, f"lesson {n}: {len(asked)} questions"
        assert questions.count("Answer:") == len(asked), f"lesson {n}: a question without answer"
    for key in ("schedules", "grading"):
        assert guide_tool.PLACEHOLDER not in parts[key]


def test_hand_written_parts_survive_a_regeneration(copy):
    guide = copy / guide_tool.GUIDE
    text = guide.read_text(encoding="utf-8")
    note = "A note added by hand, kept as it is.\n"
    marker = "<!-- hand-written: 04-board -->\n"
    text = text.replace(marker, marker + note)
    guide.write_text(text, encoding="utf-8")
    before = hand_written(text)
    edit_lesson(copy, "04_chain_rule.ipynb", "# 04 · The chain rule", "# 04 · The chain rule, anew")

    assert any("The chain rule, anew" in line for line in guide_tool.update(copy, check=True))
    assert guide_tool.update(copy) == ["updated: docs/instructor_guide.md"]

    after = guide.read_text(encoding="utf-8")
    assert hand_written(after) == before
    assert note in after and "## 04 · The chain rule, anew for one neuron" in after
    assert guide_tool.update(copy, check=True) == []


def test_check_fails_on_a_stale_guide(copy):
    # an objective reworded with as many words: the words counted for the times stay the same
    edit_lesson(copy, "06_mlp_forward.ipynb", "read a network diagram", "read a network drawing")
    found = guide_tool.update(copy, check=True)
    assert found == ["stale: docs/instructor_guide.md section '06 · The MLP forward pass'"]

    result = subprocess.run(
        [sys.executable, str(TOOL), "--check", "--root", str(copy)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "06 · The MLP forward pass" in result.stdout
    guide_tool.update(copy)
    assert guide_tool.update(copy, check=True) == []


def test_check_fails_on_a_mistake_taken_out_of_the_guide(copy):
    guide = copy / guide_tool.GUIDE
    message = tasks("09_mini_batch")[1].mistakes[0].message
    text = guide.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.endswith(f". {message}"))
    guide.write_text(text.replace(line + "\n", ""), encoding="utf-8")
    found = guide_tool.update(copy, check=True)
    assert found == ["stale: docs/instructor_guide.md section '09 · Mini-batch training'"]


def test_a_new_lesson_gets_placeholders_that_check_reports(copy):
    n = f"{int(LESSONS[-1].name[:2]) + 1:02d}"  # the number after the last lesson
    notebook = {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "title",
                "metadata": {},
                "source": f"# {n} · Attention\n\n> Weights that depend on the input.\n\n"
                "**You will learn**\n- what a query is\n- what a key is\n",
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (copy / "notebooks" / f"{n}_attention.ipynb").write_text(json.dumps(notebook), "utf-8")
    written = guide_tool.update(copy)
    missing = [
        f"missing: hand-written part '{n}-{key}' is still a placeholder"
        for key in ("time", "board", "questions")
    ]
    assert written == ["updated: docs/instructor_guide.md", *missing]
    assert guide_tool.update(copy, check=True) == missing
    assert guide_tool.main(["--check", "--root", str(copy)]) == 1
    section = lesson_sections((copy / guide_tool.GUIDE).read_text(encoding="utf-8"))[n]
    assert "- what a query is\n- what a key is\n" in section


def test_a_lesson_that_is_gone_keeps_its_hand_written_parts(copy):
    (copy / "notebooks" / "13_classification.ipynb").unlink()
    before = hand_written((copy / guide_tool.GUIDE).read_text(encoding="utf-8"))
    found = guide_tool.update(copy)
    assert "hand-written part '13-board' has no place in the guide any more" in found
    assert hand_written((copy / guide_tool.GUIDE).read_text(encoding="utf-8")) == before


def test_a_teaching_page_heading_the_guide_links_to_must_exist(copy):
    page = copy / "docs" / "teaching.md"
    page.write_text(page.read_text("utf-8").replace("### Gradescope\n", "### LMS\n"), "utf-8")
    found = guide_tool.update(copy, check=True)
    assert "docs/teaching.md has no heading 'Gradescope' (the Grading section links it)" in found


def test_unpaired_markers_leave_the_guide_untouched(copy):
    guide = copy / guide_tool.GUIDE
    text = guide.read_text(encoding="utf-8").replace("<!-- /hand-written -->", "", 1)
    guide.write_text(text, encoding="utf-8")
    assert "do not pair up" in guide_tool.update(copy)[0]
    assert guide.read_text(encoding="utf-8") == text
