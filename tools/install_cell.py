"""Write the install cell of every lesson and exercise, or check that it is current.

    .venv/bin/python tools/install_cell.py           # rewrite what is stale
    .venv/bin/python tools/install_cell.py --check   # exit 1 and name what is stale

The install cell is the second cell of every lesson (notebooks/) and every exercise source
(exercises/source/; the release carries it to the student copies), tagged "install". Where
`bp_lessons` is missing (a notebook opened on Colab, say) it installs the package from the
repository; where it is there (a clone with `make lab`, `bp-lessons copy`, Binder, a JupyterHub)
it does nothing and prints nothing. Run the notebooks again after changing it (tools/execute.py).
"""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "https://github.com/bp-lessons/bp-lessons"  # where the README says it is published
SOURCE = f"""\
# On Colab (or any Jupyter without bp_lessons) this installs it; elsewhere it does nothing.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("bp_lessons") is None:
    package = "bp-lessons @ git+{REPOSITORY}"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=True)"""


def notebooks(root: Path = ROOT) -> list[Path]:
    return sorted(
        [
            *(root / "notebooks").glob("[0-9][0-9]_*.ipynb"),
            *(root / "exercises" / "source").glob("[0-9][0-9]_*.ipynb"),
        ]
    )


def install_cell(notebook: nbformat.NotebookNode) -> bool:
    """Make the second cell the install cell; True if that changed anything."""
    cells = notebook.cells
    found = [c for c in cells if "install" in c.metadata.get("tags", [])]
    if found and cells.index(found[0]) == 1 and found[0].source == SOURCE and len(found) == 1:
        return False
    for cell in found:
        cells.remove(cell)
    cell = nbformat.v4.new_code_cell(SOURCE, metadata={"tags": ["install"]})
    cell.id = "install"
    cells.insert(1, cell)
    return True


def update(root: Path = ROOT, check: bool = False) -> list[str]:
    stale = []
    for path in notebooks(root):
        notebook = nbformat.read(path, as_version=4)
        if install_cell(notebook):
            stale.append(str(path.relative_to(root)))
            if not check:
                nbformat.write(notebook, path)
    return stale


if __name__ == "__main__":
    check = "--check" in sys.argv[1:]
    stale = update(check=check)
    for name in stale:
        print(f"{'stale' if check else 'updated'}: {name}")
    sys.exit(1 if check and stale else 0)
