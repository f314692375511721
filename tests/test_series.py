"""`bp-lessons copy DEST`: the lessons and exercises into a folder, never losing a learner's work.

These run against the clone (an editable install reads the repository's own folders); a built
wheel in a fresh environment is `make test-wheel` (tests/test_wheel.py).
"""

import json
from pathlib import Path

import pytest

import bp_lessons
from bp_lessons.series import (
    RECORD,
    CopyError,
    copy_series,
    find_series,
    main,
    series_files,
)

ROOT = Path(__file__).resolve().parent.parent


def a_series(root: Path, version: str = "1") -> Path:
    """A small series to copy: two lessons and an exercise, plus a source that must stay out."""
    for name in ("notebooks/00_start_here.ipynb", "notebooks/01_neuron.ipynb"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{name} {version}")
    (root / "exercises" / "source").mkdir(parents=True, exist_ok=True)
    (root / "exercises" / "01_neuron.ipynb").write_text(f"exercise {version}")
    (root / "exercises" / "source" / "01_neuron.ipynb").write_text("the solutions")
    return root


def test_a_clone_copies_its_lessons_and_student_exercises_never_the_solutions():
    assert find_series() == ROOT  # this test suite runs on an editable install
    files = series_files(ROOT)
    lessons = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    exercises = sorted(p.name for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
    assert files == [f"notebooks/{n}" for n in lessons] + [f"exercises/{n}" for n in exercises]
    assert len(lessons) == 15 and len(exercises) == 13  # lesson 14, PyTorch, has no exercise
    assert not any("source" in name for name in files)


def test_a_first_copy_writes_everything_and_a_second_finds_it_up_to_date(tmp_path):
    source = a_series(tmp_path / "series")
    dest = tmp_path / "new" / "folder"  # made, parents and all
    first = copy_series(dest, source=source)
    assert first.new == series_files(source) and not first.skipped
    assert (dest / "exercises" / "01_neuron.ipynb").read_text() == "exercise 1"
    assert not (dest / "exercises" / "source").exists()
    record = json.loads((dest / RECORD).read_text())["files"]
    assert sorted(record) == sorted(series_files(source))
    second = copy_series(dest, source=source)
    assert second.up_to_date == series_files(source) and not second.new


def test_a_changed_file_survives_a_new_version_and_force_overwrites_it(tmp_path):
    dest = tmp_path / "dest"
    copy_series(dest, source=a_series(tmp_path / "v1"))
    mine = dest / "notebooks" / "01_neuron.ipynb"
    mine.write_text("my answers")
    report = copy_series(dest, source=a_series(tmp_path / "v2", version="2"))
    assert report.skipped == ["notebooks/01_neuron.ipynb"]
    assert mine.read_text() == "my answers"
    # the files the learner left alone were brought up to date
    assert sorted(report.refreshed) == [
        "exercises/01_neuron.ipynb",
        "notebooks/00_start_here.ipynb",
    ]
    assert (dest / "exercises" / "01_neuron.ipynb").read_text() == "exercise 2"
    # still the learner's on the next run: the record keeps the fingerprint of what we wrote
    assert copy_series(dest, source=tmp_path / "v2").skipped == ["notebooks/01_neuron.ipynb"]
    forced = copy_series(dest, force=True, source=tmp_path / "v2")
    assert forced.overwritten == ["notebooks/01_neuron.ipynb"]
    assert mine.read_text() == "notebooks/01_neuron.ipynb 2"


def test_a_file_that_was_there_before_the_first_copy_is_the_learner_s(tmp_path):
    dest = tmp_path / "dest"
    (dest / "notebooks").mkdir(parents=True)
    (dest / "notebooks" / "01_neuron.ipynb").write_text("an older copy, with notes")
    report = copy_series(dest, source=a_series(tmp_path / "series"))
    assert report.skipped == ["notebooks/01_neuron.ipynb"]
    assert (dest / "notebooks" / "01_neuron.ipynb").read_text() == "an older copy, with notes"


def test_a_damaged_record_loses_nothing(tmp_path):
    dest = tmp_path / "dest"
    copy_series(dest, source=a_series(tmp_path / "v1"))
    (dest / "notebooks" / "01_neuron.ipynb").write_text("mine")
    (dest / RECORD).write_text("{not json")
    report = copy_series(dest, source=a_series(tmp_path / "v2", version="2"))
    # without a record nothing is known to be ours: every differing file is kept
    assert sorted(report.skipped) == sorted(series_files(tmp_path / "v2"))
    assert (dest / "notebooks" / "01_neuron.ipynb").read_text() == "mine"


@pytest.mark.parametrize("blocker", ["dest", "dest/notebooks"])
def test_a_file_where_a_folder_must_be_is_a_clear_error_before_anything_is_written(
    tmp_path, blocker
):
    (tmp_path / blocker).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / blocker).write_text("a file")
    with pytest.raises(CopyError, match="is a file"):
        copy_series(tmp_path / "dest", source=a_series(tmp_path / "series"))
    assert not (tmp_path / "dest" / "exercises").exists()


def test_copying_a_series_onto_itself_is_refused(tmp_path):
    source = a_series(tmp_path / "series")
    with pytest.raises(CopyError, match="where the lessons come from"):
        copy_series(source, source=source)


def test_the_command_copies_says_what_it_did_and_names_what_it_skipped(tmp_path, capsys):
    dest = tmp_path / "lessons"
    assert main(["copy", str(dest)]) == 0
    out = capsys.readouterr().out
    assert f"bp-lessons {bp_lessons.__version__} in {dest}: 28 new." in out
    assert out.splitlines()[-1] == f"Start with: bp-lessons lab {dest}"
    changed = dest / "exercises" / "04_chain_rule.ipynb"
    changed.write_text("my work")
    assert main(["copy", str(dest)]) == 0
    out = capsys.readouterr().out
    assert "27 already up to date" in out and "Skipped 1 file you changed" in out
    assert "    exercises/04_chain_rule.ipynb" in out and "--force" in out
    assert changed.read_text() == "my work"
    assert main(["copy", "--force", str(dest)]) == 0
    assert "1 overwritten (--force)" in capsys.readouterr().out
    assert changed.read_bytes() == (ROOT / "exercises" / "04_chain_rule.ipynb").read_bytes()


def notebook(*sources: str, outputs: bool = False) -> str:
    cells = [
        {
            "cell_type": "code",
            "source": source,
            "metadata": {},
            "outputs": [],
            "execution_count": None,
        }
        for source in sources
    ]
    if outputs:  # what running and saving in JupyterLab rewrites: outputs, counts, metadata
        for count, cell in enumerate(cells, 1):
            cell["execution_count"] = count
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
    metadata = {"language_info": {"name": "python", "version": "3.12.1"}} if outputs else {}
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})


def test_a_notebook_only_run_and_saved_is_not_the_learner_s_change(tmp_path):
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    for root, version in ((v1, "1"), (v2, "2")):
        a_series(root, version)
        (root / "exercises" / "01_neuron.ipynb").write_text(notebook(f"x = {version}", "q1()"))
    dest = tmp_path / "dest"
    copy_series(dest, source=v1)
    ran = dest / "exercises" / "01_neuron.ipynb"
    ran.write_text(notebook("x = 1", "q1()", outputs=True))  # run and autosaved, cells as given
    assert "exercises/01_neuron.ipynb" in copy_series(dest, source=v1).up_to_date
    assert "ran" in ran.read_text()  # the outputs of a run are not thrown away for nothing
    assert sorted(copy_series(dest, source=v2).refreshed) == [
        "exercises/01_neuron.ipynb",
        "notebooks/00_start_here.ipynb",
        "notebooks/01_neuron.ipynb",
    ]
    assert json.loads(ran.read_text())["cells"][0]["source"] == "x = 2"
    ran.write_text(notebook("x = 2", "q1()", "my own cell", outputs=True))  # a cell added
    assert copy_series(dest, source=v1).skipped == ["exercises/01_neuron.ipynb"]
    ran.write_text(notebook("x = 'my answer'", "q1()"))  # a cell edited
    assert copy_series(dest, source=v1).skipped == ["exercises/01_neuron.ipynb"]
    assert "my answer" in ran.read_text()


def test_the_command_fails_clearly_on_a_bad_destination_and_without_a_command(tmp_path, capsys):
    (tmp_path / "a-file").write_text("x")
    assert main(["copy", str(tmp_path / "a-file")]) == 1
    assert "DEST must be a folder" in capsys.readouterr().err
    assert main([]) == 2
    assert "copy" in capsys.readouterr().out
