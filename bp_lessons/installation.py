"""Is this kernel running the `bp_lessons` these notebooks were written for? The check of the
start page (lesson 00), with the commands that fix what it finds in each setting:

- a clone of the repository, its own package (`make lab`, `pip install -e .`);
- a clone, but a package installed from somewhere else (a course's Python, say);
- no clone: notebooks copied by `bp-lessons copy`, or opened on Colab, Binder or a JupyterHub,
  with the package installed by pip.

Any package of the right version passes (✓). A package of another version only warns (⚠): the
lessons may still run, but what they print may differ from what they say.
"""

from pathlib import Path

import bp_lessons

RESTART = "then Kernel → Restart Kernel and Run All Cells."


def check_installation(written_for: str, notebooks: Path, python: str = "python") -> str:
    """A line starting with ✓ when `bp_lessons` has the version `written_for` (with a note
    when a clone's notebooks run another copy of the package), else ⚠, both versions and how to
    make them agree. `notebooks` is the folder of the notebooks; `python` names the kernel's
    interpreter in the instructions."""
    folder = Path(notebooks).resolve().parent
    package = Path(bp_lessons.__file__).resolve().parent
    clone = folder if is_clone(folder) else None
    version = bp_lessons.__version__
    if clone is not None and package.is_relative_to(clone):
        if version == written_for:
            return (
                f"✓ bp_lessons {version} from {package.relative_to(clone)}/ in this "
                "repository: the version these notebooks were written for. You are ready to start."
            )
        return (
            f"⚠ bp_lessons is version {version}, but these notebooks were written for "
            f"{written_for}. Restart the kernel (Kernel → Restart Kernel and Run All Cells); "
            "if that does not help, the notebooks and the package come from different commits:\n"
            "    git status; git pull      (in a terminal in the repository)"
        )
    if version == written_for:
        message = (
            f"✓ bp_lessons {version}, installed at {package}: the version these notebooks "
            "were written for. You are ready to start."
        )
        if clone is not None:
            message += (
                f"\n  (It is not this repository's own copy ({clone / 'bp_lessons'}): changes "
                "you make there will not show here; `make lab` in the repository uses it.)"
            )
        return message
    if clone is not None:
        fix = (
            f"To use this repository's own package, open a terminal in {clone} and run\n"
            "    make lab\n"
            "which installs it into .venv and starts JupyterLab with it. Or, to keep your own "
            "Jupyter, install it into the Python of this kernel:\n"
            f"    {python} -m pip install -e {clone}\n" + RESTART
        )
    else:
        fix = (
            "To make them agree, either install the version the notebooks were written for, "
            "into the Python of this kernel:\n"
            f'    {python} -m pip install "bp-lessons=={written_for}"\n'
            "or take the notebooks of the version you have (into a new folder; your work here "
            "stays as it is):\n"
            "    bp-lessons copy NEW-FOLDER\n" + RESTART
        )
    return (
        f"⚠ bp_lessons {version} is installed at {package}, but these notebooks were written "
        f"for {written_for}: the lessons may run, but what they print may differ from what "
        "they say.\n" + fix
    )


def is_clone(folder: Path) -> bool:
    """Does `folder` hold a clone of this project (its pyproject.toml names bp-lessons)?"""
    try:
        text = (folder / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return 'name = "bp-lessons"' in text
