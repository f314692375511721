"""The lessons travel with the package: from a built wheel, in a fresh virtual environment.

Builds the wheel, installs it with its torch extra (lesson 14 runs PyTorch) and a Jupyter kernel
into a new venv, runs `bp-lessons copy` there, executes every lesson in the copied folder with
that venv's kernel and compares what each prints with what the lesson says (its committed
outputs); then a changed file survives a second copy and `--force` restores it. Runs with
`make test-wheel` (CI runs it), not in `make test`: it installs from the package index and takes
a few minutes.
"""

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import bp_lessons

pytestmark = pytest.mark.wheel
ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted(p.name for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
SANITIZE = configparser.ConfigParser(interpolation=None)  # what nbval replaces before comparing
SANITIZE.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
EXECUTE = """
import sys
from pathlib import Path
from bp_lessons.exercises.release import execute
for path in sorted(Path(sys.argv[1]).glob("[0-9][0-9]_*.ipynb")):
    execute(path)
"""  # as the lessons were executed: in their folder, saved byte-stable, here with the venv's kernel


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL"))}
    result = subprocess.run(command, capture_output=True, text=True, env=environment, **kwargs)
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def text_outputs(notebook: nbformat.NotebookNode) -> list[list[str]]:
    """What each code cell printed, as nbval compares it: a cell that starts with
    `# NBVAL_IGNORE_OUTPUT` (a timing) counts as printing nothing."""
    return [
        []
        if cell.source.startswith("# NBVAL_IGNORE_OUTPUT")
        else [
            o.get("text", "")
            if o.output_type == "stream"
            else o.get("data", {}).get("text/plain", "")
            for o in cell.get("outputs", [])
        ]
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def sanitized(texts: list[list[str]]) -> list[list[str]]:
    def clean(text: str) -> str:
        for section in SANITIZE.sections():
            text = re.sub(SANITIZE[section]["regex"], SANITIZE[section]["replace"], text)
        return text

    return [[clean(text) for text in cell] for cell in texts]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work), str(ROOT)])
    (wheel,) = work.glob("bp_lessons-*.whl")
    run([sys.executable, "-m", "venv", str(work / "venv")])
    bin_ = work / "venv" / "bin"
    # with the torch extra: lesson 14 runs PyTorch (the pinned CPU build, from /opt/wheels here)
    package = f"{wheel}[torch]"
    run([bin_ / "python", "-m", "pip", "install", "--quiet", package, "ipykernel", "nbclient"])
    return bin_


def test_the_installed_package_is_the_wheel_s_not_the_clone_s(installed):
    found = run(
        [installed / "python", "-c", "import bp_lessons; print(bp_lessons.__file__)"], cwd="/"
    )
    assert "site-packages" in found.stdout and str(ROOT) not in found.stdout
    version = run([installed / "bp-lessons", "--version"])
    assert version.stdout.strip() == f"bp-lessons {bp_lessons.__version__}"


def test_every_lesson_runs_from_the_copy_and_prints_what_it_says(installed, tmp_path):
    dest = tmp_path / "my lessons"  # a space in the path, as on many laptops
    copied = run([installed / "bp-lessons", "copy", str(dest)], cwd=tmp_path)
    assert f"{len(LESSONS) + len(EXERCISES)} new." in copied.stdout
    assert sorted(p.name for p in (dest / "notebooks").glob("*.ipynb")) == LESSONS
    assert sorted(p.name for p in (dest / "exercises").glob("*.ipynb")) == EXERCISES
    assert not (dest / "exercises" / "source").exists()
    run([installed / "python", "-c", EXECUTE, str(dest / "notebooks")], cwd=tmp_path)
    for name in LESSONS:
        committed = sanitized(text_outputs(nbformat.read(ROOT / "notebooks" / name, 4)))
        got = text_outputs(nbformat.read(dest / "notebooks" / name, 4))
        if name == "00_start_here.ipynb":  # the setup check names where the package is
            check = next(i for i, cell in enumerate(got) if any("bp_lessons" in t for t in cell))
            line = got[check][0]
            venv = installed.parent  # the kernel ran the venv's Python, with the wheel's package
            assert line.startswith(f"✓ bp_lessons {bp_lessons.__version__}, installed at {venv}/")
            assert "✗" not in line and "⚠" not in line, line
            got[check] = committed[check]
        got = sanitized(got)
        assert got == committed, f"{name} prints something else from the copy"


def test_a_changed_file_survives_a_second_copy_and_force_restores_it(installed, tmp_path):
    dest = tmp_path / "lessons"
    run([installed / "bp-lessons", "copy", str(dest)])
    mine = dest / "exercises" / "04_chain_rule.ipynb"
    mine.write_text("my answers")
    again = run([installed / "bp-lessons", "copy", str(dest)])
    assert "Skipped 1 file you changed" in again.stdout
    assert "exercises/04_chain_rule.ipynb" in again.stdout
    assert mine.read_text() == "my answers"
    run([installed / "bp-lessons", "copy", "--force", str(dest)])
    assert mine.read_bytes() == (ROOT / "exercises" / "04_chain_rule.ipynb").read_bytes()
