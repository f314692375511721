"""A released exercise's links reach its lessons wherever the learner keeps it.

A student copy in the repository links to `../notebooks/`, beside it. A graded copy, and an
nbgrader source (whose student copy a learner fetches into `~/<course>/<assignment>/`, with no
`notebooks/` folder anywhere near), links to the lesson on the web instead: on GitHub by default,
or at the course's own `--lessons-url`.
"""

import re
import sys
from pathlib import Path

import nbformat
import pytest

from bp_lessons.exercises.release import LESSONS_URL, link_lessons_to, main

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "exercises" / "source").glob("[0-9][0-9]_*.ipynb"))
LESSONS = {path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
LINK = re.compile(r"\]\(([^)\s]+)\)")


def links(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    return [m for c in notebook.cells if c.cell_type == "markdown" for m in LINK.findall(c.source)]


def lesson_links(path: Path) -> list[str]:
    return [link for link in links(path) if "notebooks/" in link]


def test_the_default_url_is_the_repository_that_install_cell_names():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from install_cell import REPOSITORY
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert LESSONS_URL == REPOSITORY + "/blob/main/notebooks/{name}"


@pytest.mark.parametrize("flags", [["--graded"], ["--graded", "--keep-solutions"]])
def test_a_fetched_copy_links_to_lessons_that_exist(tmp_path, flags):
    fetched = tmp_path / "home" / "bp1" / "ps1"  # where nbgrader's fetch puts an assignment
    argv = ["release", *map(str, SOURCES), "--out", str(fetched), "--no-execute", *flags]
    assert main(argv) == 0
    for source in SOURCES:
        found = lesson_links(fetched / source.name)
        assert found, f"{source.name} links to no lesson"
        for link in found:
            assert link.startswith(LESSONS_URL.removesuffix("{name}")), link
            assert link.removeprefix(LESSONS_URL.removesuffix("{name}")).split("#")[0] in LESSONS
        assert len(found) == len(lesson_links(source))  # every one of them


def test_an_ungraded_copy_in_the_repository_keeps_its_relative_links():
    for student in sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb")):
        for link in lesson_links(student):
            assert link.startswith("../notebooks/"), link
            assert (student.parent / link.split("#")[0]).resolve().is_file(), link


def test_a_course_url_with_stem_and_anchor(tmp_path):
    url = "https://course.example/notebooks/{stem}.html"
    argv = ["release", str(SOURCES[3]), "--out", str(tmp_path), "--no-execute"]
    assert main([*argv, "--lessons-url", url]) == 0
    found = lesson_links(tmp_path / SOURCES[3].name)
    assert found and all(
        re.fullmatch(r"https://course\.example/notebooks/\d\d_\w+\.html", x) for x in found
    )
    cell = nbformat.v4.new_markdown_cell(
        "[the sum](../../notebooks/05_layer.ipynb#the-sum) [x](y.md)"
    )
    notebook = nbformat.v4.new_notebook(cells=[cell])
    assert link_lessons_to(notebook, url) == 1
    assert notebook.cells[0].source == (
        "[the sum](https://course.example/notebooks/05_layer.html#the-sum) [x](y.md)"
    )


@pytest.mark.parametrize("url", ["notebooks/{name}", "https://course.example/notebooks/"])
def test_a_lessons_url_that_cannot_work_is_refused(tmp_path, url, capsys):
    argv = ["release", str(SOURCES[0]), "--out", str(tmp_path), "--no-execute"]
    assert main([*argv, "--lessons-url", url]) == 1
    assert (
        "--lessons-url must be an http(s) address with {name} or {stem}" in capsys.readouterr().err
    )
