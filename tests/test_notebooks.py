"""The committed notebooks: executed in order, byte-stable, the same skeleton, current links.

nbval (in `make test`) re-runs every notebook and compares its outputs; a notebook saved without
outputs would pass it trivially, so these tests check what was committed.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# the committed ones: not the .ipynb_checkpoints/ that JupyterLab leaves beside them
ALL_NOTEBOOKS = LESSONS + sorted((ROOT / "exercises").glob("*.ipynb"))
ALL_NOTEBOOKS += sorted((ROOT / "exercises" / "source").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# lessons with no exercise notebook: the start page (it sets up, it teaches nothing to practise),
# and 14, which only reruns lesson 13's network in PyTorch (its check is the comparison itself;
# an exercise would need PyTorch, which nothing else in the series needs, in the grader too)
WITHOUT_EXERCISE = {"00", "14"}


def ids(paths):
    return [str(path.relative_to(ROOT)) for path in paths]


def code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=ids(ALL_NOTEBOOKS))
def test_every_code_cell_was_executed_in_order(path):
    notebook = nbformat.read(path, as_version=4)
    counts = [cell.execution_count for cell in code_cells(notebook)]
    assert counts, "a notebook with no code cells"
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts}: run it top to bottom in a fresh kernel "
        "(.venv/bin/python tools/execute.py PATH)"
    )


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=ids(ALL_NOTEBOOKS))
def test_saved_as_nbformat_writes_it_with_nothing_that_changes_per_run(path):
    text = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(text, as_version=4)
    assert nbformat.writes(notebook) + "\n" == text or nbformat.writes(notebook) == text
    assert "widgets" not in notebook.metadata
    assert "version" not in notebook.metadata.get("language_info", {}), "the Python that ran it"
    for cell in notebook.cells:
        assert "execution" not in cell.metadata, "timing metadata: use tools/execute.py"
        for output in cell.get("outputs", []):
            assert WIDGET_VIEW not in output.get("data", {}), "a widget's random model id"
            if output.output_type == "error":
                assert "raises-exception" in cell.metadata.get("tags", []), (
                    f"an unexpected {output.ename} in a cell:\n{cell.source}"
                )


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lessons_share_one_skeleton(path):
    notebook = nbformat.read(path, as_version=4)
    number, slug = path.stem[:2], path.stem[3:]
    first = notebook.cells[0].source
    title = re.search(r"^# (\d\d) · (.+)$", first, re.MULTILINE)
    assert title, "the first cell starts with '# NN · Title'"
    assert title.group(1) == number
    words = re.sub(r"[^a-z0-9]+", " ", title.group(2).lower()).split()
    assert all(word in words for word in slug.split("_")), f"title {title.group(0)!r} vs {slug}"
    assert re.search(r"^> .+", first, re.MULTILINE), "a one-line description: '> ...'"
    objectives = re.search(r"You will learn.*?\n((?:\s*[-*] .+\n?)+)", first, re.S)
    assert objectives and 2 <= len(re.findall(r"^\s*[-*] ", objectives.group(1), re.M)) <= 4
    assert "You need" in first
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    if number != "00":
        assert re.search(r"^#+ Summary", text, re.MULTILINE), "a '## Summary' section"
    if number not in WITHOUT_EXERCISE:
        assert f"../exercises/{path.name}" in text, "a pointer to the exercise notebook"
    else:
        assert not (ROOT / "exercises" / path.name).exists(), "it has one now: point to it"
    assert "navigation" in notebook.cells[-1].metadata.get("tags", []), "links come last"


# One sitting (issue 17): about 30 cells and 2,500 words of prose (markdown, split at spaces, so
# a formula counts as the words around it); a code cell short enough to read at a glance
MOST_CELLS, MOST_WORDS, LONGEST_CODE = 30, 2500, 40


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_a_lesson_is_one_sitting_with_its_prose_in_markdown(path):
    notebook = nbformat.read(path, as_version=4)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert len(notebook.cells) <= MOST_CELLS, f"{len(notebook.cells)} cells: split the lesson"
    assert len(prose.split()) <= MOST_WORDS, f"{len(prose.split())} words of prose: say it once"
    for cell in code_cells(notebook):
        lines = len(cell.source.splitlines())
        assert lines <= LONGEST_CODE, f"a code cell of {lines} lines: its mechanism to the package"
        assert not re.search(r"Markdown\(\s*f[\"']", cell.source), (
            "prose written by an f-string: write it in markdown under the output it describes"
        )


@pytest.mark.parametrize(
    "tool",
    [
        "navigation.py",  # previous/contents/next links, the contents and README tables
        "install_cell.py",  # the install cell at the top of every notebook
        "alt_text.py",  # every figure's alt text
    ],
)
def test_what_the_tools_write_into_the_notebooks_is_current(tool):
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / tool), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, f"run tools/{tool}:\n{result.stdout}{result.stderr}"


def test_a_link_to_the_exercise_that_reads_as_a_file_name_gets_the_exercise_s_title():
    sys.path.insert(0, str(ROOT / "tools"))
    import navigation

    name, title = "07_backpropagation.ipynb", "Exercise 07 · Backpropagation through an MLP"
    pointer = f"**Exercise:** [`../exercises/{name}`](../exercises/{name}): write `mlp_backward`"
    kept = [
        f"[task 4](../exercises/{name}#4)",  # text of its own: left as written
        "[`../exercises/08_sgd.ipynb`](../exercises/08_sgd.ipynb)",  # another lesson's exercise
        f"`../exercises/{name}`",  # no link
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(f"{pointer}\n\n" + "\n".join(kept)),
        nbformat.v4.new_markdown_cell(f"or [{name}](../exercises/{name}#task-2)"),
        nbformat.v4.new_code_cell(f"# [`../exercises/{name}`](../exercises/{name})"),
    ]
    assert navigation.name_exercise_links(notebook, name, title)
    first, second, code = (cell.source for cell in notebook.cells)
    assert first.splitlines()[0] == (
        f"**Exercise:** [{title}](../exercises/{name}): write `mlp_backward`"
    )
    assert first.splitlines()[2:] == kept
    assert second == f"or [{title}](../exercises/{name}#task-2)"
    assert code == f"# [`../exercises/{name}`](../exercises/{name})", "code is not prose"
    assert not navigation.name_exercise_links(notebook, name, title), "once is enough"


def test_every_lesson_and_exercise_installs_the_package_where_it_is_missing():
    for path in ALL_NOTEBOOKS:  # the release carries it to the student copies, silent here
        cell = nbformat.read(path, as_version=4).cells[1]
        assert "install" in cell.metadata.get("tags", []), path
        assert cell.outputs == [], f"{path}: the install cell printed something"


def test_the_install_cell_installs_the_package_into_the_kernel_s_python_only_where_missing(
    monkeypatch,
):
    import importlib.util

    source = nbformat.read(LESSONS[0], as_version=4).cells[1].source
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append(command))
    exec(source, {})  # bp_lessons is there: nothing
    assert calls == []
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    exec(source, {})
    (command,) = calls
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert command[-1].startswith("bp-lessons @ git+https://")


def test_no_notebook_is_stray():
    tracked = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    for name in tracked:
        assert "checkpoint" not in name and "Untitled" not in name, name
        assert re.search(r"(^|/)\d\d_[a-z0-9_]+\.ipynb$", name), f"unexpected notebook {name}"


def test_notebooks_are_valid_json_with_a_python_kernel():
    for path in ALL_NOTEBOOKS:
        metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
        assert metadata["kernelspec"]["name"] == "python3", path
