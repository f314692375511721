from pathlib import Path

import pytest

import bp_lessons
from bp_lessons.installation import check_installation

pytestmark = pytest.mark.lesson00
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def test_the_repository_s_own_package_of_the_right_version_passes():
    message = check_installation(bp_lessons.__version__, NOTEBOOKS)
    assert message.startswith("✓ bp_lessons ") and "\n" not in message
    assert "from bp_lessons/ in this repository" in message


def test_a_package_from_another_folder_fails_and_says_how_to_install_this_one(tmp_path):
    message = check_installation(bp_lessons.__version__, tmp_path / "notebooks", "/opt/py3")
    assert message.startswith("✗ bp_lessons is imported from ")
    assert f"not from this repository ({tmp_path.resolve()})" in message
    assert "make lab" in message and "pip install -e ." in message and "/opt/py3" in message


def test_another_version_fails_and_names_both():
    message = check_installation("0.0.1", NOTEBOOKS)
    assert message.startswith(f"✗ bp_lessons is version {bp_lessons.__version__}, ")
    assert "written for 0.0.1" in message and "git pull" in message


def test_the_notebooks_folder_may_be_given_relative_to_where_the_kernel_runs(monkeypatch):
    monkeypatch.chdir(NOTEBOOKS)  # a notebook's kernel runs in the notebook's folder
    assert check_installation(bp_lessons.__version__, Path(".")).startswith("✓")
