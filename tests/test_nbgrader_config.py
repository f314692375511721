"""docs/nbgrader_config.py, the course config the quick-start (docs/teaching.md) hands out, works
with nbgrader 0.9: every option it sets is one nbgrader 0.9 reads, and a course built with it
releases an assignment that a student fetches with no "not recognized" warning, its links to
the lessons reaching them from the fetched copy.

Runs with `make test-nbgrader` (it needs the `nbgrader` extra), not in `make test`.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.nbgrader
ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "docs" / "nbgrader_config.py"
LESSONS = {path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
EXERCISES = ["01_neuron.ipynb", "04_chain_rule.ipynb"]


def nbgrader_classes() -> list[type]:
    """Every configurable class of nbgrader, the default exchange's included."""
    import nbgrader.apps  # noqa: F401  (imports the apps, preprocessors and converters)
    import nbgrader.exchange.default  # noqa: F401
    from traitlets.config import Configurable

    found, todo = [], [Configurable]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("nbgrader."):
            found.append(cls)
    return found


def test_every_option_of_the_config_is_one_nbgrader_reads():
    pytest.importorskip("nbgrader")
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    classes = nbgrader_classes()
    options = [(section, name) for section, traits in config.items() for name in traits]
    assert ("CourseDirectory", "course_id") in options
    for section, name in options:
        readers = [c for c in classes if c.__name__ == section]
        assert any(name in c.class_trait_names(config=True) for c in readers), (
            f"{section}.{name} is read by no nbgrader class: nbgrader would warn 'not recognized'"
        )
    assert not re.search(r"^c\.\w+\.db_(students|assignments)", CONFIG.read_text(), re.M)


def nbgrader(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    scripts = Path(sys.executable).parent  # nbgrader runs alembic from the venv's scripts
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [str(scripts / "nbgrader"), *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "not recognized" not in done.stdout + done.stderr, done.stderr[-2000:]
    return done


def test_a_course_with_the_config_releases_and_a_student_fetches_working_links(tmp_path):
    pytest.importorskip("nbgrader")
    from bp_lessons.exercises.release import LESSONS_URL, main

    course, home, exchange = tmp_path / "course", tmp_path / "home", tmp_path / "exchange"
    course.mkdir()
    home.mkdir()
    shutil.copy(CONFIG, course / "nbgrader_config.py")
    sources = [str(ROOT / "exercises" / "source" / name) for name in EXERCISES]
    out = course / "source" / "ps1"
    assert main(["release", *sources, "--out", str(out), "--graded", "--keep-solutions"]) == 0
    on_exchange = f"--Exchange.root={exchange}"
    nbgrader(course, "generate_assignment", "ps1", "--force")
    nbgrader(course, "release_assignment", "ps1", on_exchange)
    nbgrader(home, "fetch_assignment", "ps1", "--course", "bp", on_exchange)
    fetched = sorted(home.rglob("*.ipynb"))
    assert [path.name for path in fetched] == EXERCISES
    base = LESSONS_URL.removesuffix("{name}")
    for path in fetched:
        notebook = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        targets = re.findall(r"\]\(([^)\s]+)\)", text)
        lessons = [t for t in targets if "notebooks/" in t]
        assert lessons, f"{path.name} links to no lesson"
        for target in lessons:  # no relative link that the fetched copy cannot reach
            assert target.startswith(base) and target[len(base) :].split("#")[0] in LESSONS
