"""`bp-lessons lab FOLDER` and `make lab`: JupyterLab where lessons and exercises both live.

The learner's whole path, in a real browser, is tests/test_browser.py (make test-browser)."""

import copy
import importlib.util
import json
import os
import platform
import sys
from pathlib import Path

import pytest

from bp_lessons.lab import LabError, lab_command, with_kernel_version
from bp_lessons.series import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def jupyterlab(monkeypatch):
    """JupyterLab as if installed: `make test`'s environment need not have it (`make lab`'s
    has; make test-browser starts the real one)."""
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: object() if name == "jupyterlab" else find_spec(name, *args),
    )


def test_lab_roots_jupyterlab_where_lessons_and_exercises_both_live(jupyterlab):
    command = lab_command(ROOT, ["--no-browser"])
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT}" in command  # the lessons' ../exercises/ links open
    assert "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb" in command
    assert "--ServerApp.contents_manager_class=bp_lessons.lab.ContentsManager" in command
    assert command[-1] == "--no-browser"  # the learner's own options come last, and win
    assert ("--allow-root" in command) == (os.getuid() == 0)


def test_lab_says_what_is_missing(tmp_path, capsys, monkeypatch):
    with pytest.raises(LabError, match="has no notebooks/00_start_here.ipynb.*bp-lessons copy"):
        lab_command(tmp_path, [])
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "jupyterlab" else find_spec(name, *args),
    )
    with pytest.raises(LabError, match="JupyterLab is not installed in this Python .*pip install"):
        lab_command(ROOT, [])
    assert main(["lab", str(tmp_path)]) == 1
    assert "bp-lessons lab: " in capsys.readouterr().err


def test_the_lab_command_starts_what_copy_tells_the_learner_to_run(
    tmp_path, capsys, monkeypatch, jupyterlab
):
    dest = tmp_path / "lessons"
    assert main(["copy", str(dest)]) == 0
    printed = capsys.readouterr().out.splitlines()[-1]
    assert printed == f"Start with: bp-lessons lab {dest}"
    started = []
    monkeypatch.setattr(os, "execv", lambda path, argv: started.append(argv))
    main(printed.removeprefix("Start with: bp-lessons ").split() + ["--port", "8890"])
    assert started == [lab_command(dest, ["--port", "8890"])]
    with pytest.raises(SystemExit) as stopped:  # only lab passes options on, to JupyterLab
        main(["copy", str(dest), "--port", "1"])
    assert stopped.value.code == 2 and "unrecognized arguments: --port 1" in capsys.readouterr().err


@pytest.mark.parametrize("folder", ["notebooks", "exercises"])
def test_a_notebook_is_handed_to_jupyterlab_as_its_kernel_describes_itself(folder):
    """JupyterLab marks a notebook modified when the kernel's language_info differs from the
    file's; the series saves it without the Python version, the server fills in this one."""
    for path in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
        saved = json.loads(path.read_text(encoding="utf-8"))
        assert "version" not in saved["metadata"]["language_info"], path.name
        handed = with_kernel_version(copy.deepcopy(saved))
        info = handed["metadata"]["language_info"]
        assert info.pop("version") == platform.python_version()
        assert handed == saved  # and nothing else changes
    other = {"metadata": {"language_info": {"name": "python", "version": "3.9.1"}}}
    assert with_kernel_version(copy.deepcopy(other)) == other  # a version there is kept
    assert with_kernel_version({"cells": []}) == {"cells": []}


def test_the_server_hands_notebooks_over_with_the_kernel_version(tmp_path):
    pytest.importorskip("jupyter_server")
    import asyncio

    from bp_lessons.lab import ContentsManager

    lesson = ROOT / "notebooks" / "04_chain_rule.ipynb"
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / lesson.name).write_bytes(lesson.read_bytes())
    manager = ContentsManager(root_dir=str(tmp_path))
    model = asyncio.run(manager.get(f"notebooks/{lesson.name}"))
    assert model["content"]["metadata"]["language_info"]["version"] == platform.python_version()
    listing = asyncio.run(manager.get("notebooks"))  # folders and the rest pass as they were
    assert [entry["name"] for entry in listing["content"]] == [lesson.name]
    assert (tmp_path / "notebooks" / lesson.name).read_bytes() == lesson.read_bytes()
