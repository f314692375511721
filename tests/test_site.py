"""The website of the lessons (make site), without building it: every figure has its alt text, the
configuration publishes what it should and nothing else, and the link check catches what breaks.
"""

import ast
import contextlib
import fnmatch
import sys
from pathlib import Path

import nbformat
import pytest

from bp_lessons.exercises.release import student_copy

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = [  # the committed ones: not the .ipynb_checkpoints/ that JupyterLab leaves beside them
    *sorted((ROOT / "notebooks").glob("*.ipynb")),
    *sorted((ROOT / "exercises").glob("*.ipynb")),
    *sorted((ROOT / "exercises" / "source").glob("*.ipynb")),
]
IMAGES = ("image/png", "image/svg+xml")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

sys.path.insert(0, str(ROOT / "tools"))
import check_links  # noqa: E402  (tools/ is no package)


def site_config() -> dict:
    """The plain values that site/conf.py assigns (it imports Sphinx, which `make test` lacks)."""
    tree = ast.parse((ROOT / "site" / "conf.py").read_text(encoding="utf-8"))
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            with contextlib.suppress(ValueError):  # not a plain value
                values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_every_figure_has_alt_text(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
        if not any(kind in output.get("data", {}) for output in outputs for kind in IMAGES):
            continue
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert alt, (
            f"cell {cell.get('id')} shows a figure with no alt text: describe it in "
            "tools/alt_text.py, then run .venv/bin/python tools/alt_text.py"
        )
        assert len(alt.split()) >= 12, f"cell {cell.get('id')}: alt text too short to say much"
        assert not alt.lower().endswith((".png", ".svg")), f"cell {cell.get('id')}: a file name"


def test_release_carries_the_alt_text_to_the_student_copy():
    source = nbformat.read(ROOT / "exercises" / "source" / "01_neuron.ipynb", as_version=4)
    cell = next(c for c in source.cells if c.cell_type == "code")
    cell.metadata["mystnb"] = {"image": {"alt": "a figure described in words"}}
    copied = {c.get("id"): c for c in student_copy(source).cells}
    assert copied[cell.get("id")].metadata["mystnb"] == cell.metadata["mystnb"]


def test_site_publishes_the_lessons_and_student_copies_never_the_solutions():
    config = site_config()
    patterns = config["include_patterns"]

    def published(path):
        return any(fnmatch.fnmatchcase(path.relative_to(ROOT).as_posix(), p) for p in patterns)

    assert all(published(path) for path in NOTEBOOKS if "source" not in path.parts)
    assert not any(published(path) for path in (ROOT / "exercises" / "source").glob("*"))
    assert config["nb_execution_mode"] == "off", "the site shows the committed outputs"
    assert ("html", WIDGET_VIEW, None) in config["nb_mime_priority_overrides"]


def write_page(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", encoding="utf-8")


def test_link_check_passes_working_links_and_names_each_broken_one(tmp_path):
    write_page(tmp_path / "index.html", '<a href="notebooks/01.html#the-neuron">01</a>')
    write_page(
        tmp_path / "notebooks" / "01.html",
        '<h1 id="the-neuron">The neuron</h1><a href="#the-neuron">here</a>'
        '<a href="../index.html">home</a><a href="https://example.org/x">away</a>'
        '<img src="../_images/figure.png" alt="a figure">',
    )
    write_page(tmp_path / "_images" / "figure.png", "")
    assert check_links.broken_links(tmp_path) == ([], 4)
    assert check_links.main([str(tmp_path)]) == 0

    write_page(
        tmp_path / "notebooks" / "02.html",
        '<a href="03.html">missing page</a><a href="01.html#nope">missing anchor</a>'
        '<a href="../../outside.html">outside</a>',
    )
    problems, _ = check_links.broken_links(tmp_path)
    assert problems == [
        "notebooks/02.html: 03.html (no such file)",
        "notebooks/02.html: 01.html#nope (no anchor #nope)",
        "notebooks/02.html: ../../outside.html (leaves the site)",
    ]
    assert check_links.main([str(tmp_path)]) == 1
