"""Is this kernel running the repository's own `bp_lessons`, the version the lessons were written
for? The check of the start page (lesson 00), with the commands that fix what it finds.
"""

from pathlib import Path

import bp_lessons

FIX = (
    "To fix it, open a terminal in {repository} and run\n"
    "    make lab\n"
    "which installs this repository's package into .venv and starts JupyterLab with it.\n"
    "Or, to keep your own Jupyter, install the package into the Python of this kernel:\n"
    "    python -m pip install -e .      (with that Python: {python})\n"
    "then Kernel → Restart Kernel and Run All Cells."
)


def check_installation(written_for: str, notebooks: Path, python: str = "python") -> str:
    """One line starting with ✓ when `bp_lessons` is imported from the repository that holds the
    folder `notebooks` and has the version `written_for`; otherwise ✗, what is wrong, and how to
    fix it. `python` names the kernel's interpreter in the instructions."""
    repository = Path(notebooks).resolve().parent
    package = Path(bp_lessons.__file__).resolve().parent
    if not package.is_relative_to(repository):
        return (
            f"✗ bp_lessons is imported from {package}, not from this repository "
            f"({repository}).\n" + FIX.format(repository=repository, python=python)
        )
    if bp_lessons.__version__ != written_for:
        return (
            f"✗ bp_lessons is version {bp_lessons.__version__}, but these notebooks were written "
            f"for {written_for}. Restart the kernel (Kernel → Restart Kernel and Run All Cells); "
            "if that does not help, the notebooks and the package come from different commits:\n"
            "    git status; git pull      (in a terminal in the repository)"
        )
    where = package.relative_to(repository)
    return (
        f"✓ bp_lessons {bp_lessons.__version__} from {where}/ in this repository: the version "
        "these notebooks were written for. You are ready to start."
    )
