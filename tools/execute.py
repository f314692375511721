"""Run notebooks top to bottom in a fresh kernel and save them with their outputs.

    .venv/bin/python tools/execute.py notebooks/04_chain_rule.ipynb [more.ipynb ...]

Each notebook runs in its own folder with this environment's Python, as nbval will run it. The
saved file is byte-stable across runs: no timing metadata, printed text saved as one block per
stream, and an interactive widget's output (whose model id is random and which no static page can
show) saved as a short text that says to run the cell; cells with widgets carry the tag
`nbval-ignore-output`.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_PLACEHOLDER = "Interactive widget: run this cell in JupyterLab to use it."


def make_stable(notebook: nbformat.NotebookNode) -> None:
    """Drop what differs between two runs of the same code: widget ids and state, and the
    chunking of printed text (the kernel splits one cell's stream at random places)."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        outputs = []
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"] = {"text/plain": WIDGET_PLACEHOLDER}
            previous = outputs[-1] if outputs else None
            if (
                output.output_type == "stream"
                and previous is not None
                and previous.output_type == "stream"
                and previous.name == output.name
            ):
                previous.text += output.text
            else:
                outputs.append(output)
        if "outputs" in cell:
            cell.outputs = outputs


def execute(path: Path) -> float:
    """Execute one notebook in place; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    make_stable(notebook)
    nbformat.write(notebook, path)
    return seconds


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        print(f"{name}: {execute(Path(name)):.1f} s")
