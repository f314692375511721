from pathlib import Path

import pytest

import bp_lessons
from bp_lessons.installation import check_installation, is_clone

pytestmark = pytest.mark.lesson00
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
VERSION = bp_lessons.__version__


def a_clone(tmp_path: Path) -> Path:
    """A clone of the project whose package is not the one imported here."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "bp-lessons"\n')
    return tmp_path / "notebooks"


def test_the_repository_s_own_package_of_the_right_version_passes():
    message = check_installation(VERSION, NOTEBOOKS)
    assert message.startswith("✓ bp_lessons ") and "\n" not in message
    assert "from bp_lessons/ in this repository" in message


def test_an_installed_package_of_the_right_version_passes_where_there_is_no_clone(tmp_path):
    # bp-lessons copy, Colab, Binder, a JupyterHub image: the package is in site-packages
    message = check_installation(VERSION, tmp_path / "notebooks")
    assert message.startswith(f"✓ bp_lessons {VERSION}, installed at ") and "\n" not in message
    assert str(Path(bp_lessons.__file__).parent) in message


def test_a_clone_running_another_copy_of_the_right_version_passes_with_a_note(tmp_path):
    message = check_installation(VERSION, a_clone(tmp_path))
    first, note = message.split("\n")
    assert first.startswith(f"✓ bp_lessons {VERSION}, installed at ")
    assert str(tmp_path / "bp_lessons") in note and "make lab" in note


def test_another_version_in_the_clone_warns_and_names_both():
    message = check_installation("0.0.1", NOTEBOOKS)
    assert message.startswith(f"⚠ bp_lessons is version {VERSION}, ")
    assert "written for 0.0.1" in message and "git pull" in message


def test_another_version_in_a_clone_with_another_copy_says_how_to_use_the_clone_s(tmp_path):
    message = check_installation("0.0.1", a_clone(tmp_path), "/opt/py3")
    assert message.startswith(f"⚠ bp_lessons {VERSION} is installed at ")
    assert "written for 0.0.1" in message and "make lab" in message
    assert f"/opt/py3 -m pip install -e {tmp_path}" in message and "Restart" in message


def test_another_version_without_a_clone_says_how_to_install_it_or_copy_the_lessons(tmp_path):
    message = check_installation("0.0.1", tmp_path / "notebooks", "/opt/py3")
    assert message.startswith(f"⚠ bp_lessons {VERSION} is installed at ")
    assert '/opt/py3 -m pip install "bp-lessons==0.0.1"' in message
    assert "bp-lessons copy NEW-FOLDER" in message and "make lab" not in message


def test_the_notebooks_folder_may_be_given_relative_to_where_the_kernel_runs(monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)  # a notebook's kernel runs in the notebook's folder
    assert check_installation(VERSION, Path(".")).startswith("✓ bp_lessons ")


def test_a_clone_is_a_folder_whose_pyproject_names_this_project(tmp_path):
    assert is_clone(NOTEBOOKS.parent) and not is_clone(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert not is_clone(tmp_path)
    (tmp_path / "pyproject.toml").write_bytes(b"\xff\xfe")
    assert not is_clone(tmp_path)
