"""Sphinx configuration of the lessons' website: `make site` builds it into _build/site.

The source folder is the repository itself (`sphinx-build -c site . _build/site`), so that every
relative link in a notebook resolves as it does in JupyterLab; `include_patterns` keeps the pages
to the lessons, the student copies of the exercises (never exercises/source/, which holds the
solutions), the README, the instructor guide and the landing page beside this file. The
notebooks are shown with the outputs they were saved with: nothing is executed.
"""

from pathlib import Path

from sphinx import addnodes
from sphinx.util import logging

project = "bp-lessons"
author = "the bp-lessons authors"
copyright = "the bp-lessons authors; code MIT, lessons' text and figures CC BY 4.0"

extensions = ["myst_nb"]
root_doc = "site/index"
include_patterns = [
    "site/index.md",
    "README.md",
    "docs/teaching.md",
    "docs/package.md",
    "docs/maintaining.md",
    "docs/instructor_guide.md",
    "notebooks/[0-9][0-9]_*.ipynb",
    "exercises/[0-9][0-9]_*.ipynb",
]
exclude_patterns = ["exercises/source", "_build", ".*"]  # folders not walked: the solutions, .venv

# The committed outputs, never re-executed
nb_execution_mode = "off"
# A widget needs a running kernel: drop its view on the site (each lesson has a static figure of
# the same thing beside it); its text/plain fallback says to run the cell in JupyterLab
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("readthedocs", "application/vnd.jupyter.widget-view+json", None),
]
# $...$ and $$...$$ as in JupyterLab, rendered by MathJax
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 4  # [text](#a-heading) and [text](07_backpropagation.ipynb#a-heading)

html_theme = "sphinx_book_theme"
html_title = "Backpropagation, step by step"
html_theme_options = {"use_download_button": True, "home_page_in_toc": True}
html_sourcelink_suffix = ""  # the download button gives the .ipynb itself
html_last_updated_fmt = None
html_copy_source = True


def _redirect_root(app, exception):
    """The site's root URL opens the landing page, which lives at site/index.html."""
    if exception is None and app.builder.format == "html":
        Path(app.outdir, "index.html").write_text(
            '<!DOCTYPE html>\n<meta charset="utf-8">\n<title>bp-lessons</title>\n'
            '<meta http-equiv="refresh" content="0; url=site/index.html">\n'
            '<a href="site/index.html">The lessons</a>\n',
            encoding="utf-8",
        )


def _link_files_that_are_not_pages(app, doctree):
    """A link to a file of the repository that is no page of the site (a folder's README.md, a
    notebook of exercises/source/) becomes a download of the file, as a link to a .py file
    already does; but the solutions in exercises/source/ are never published."""
    for node in list(doctree.findall(addnodes.pending_xref)):
        target = node.get("reftarget", "")
        if node.get("refdomain") != "doc" or node.get("reftype") != "myst":
            continue
        if target in app.env.found_docs:
            continue
        files = [Path(app.srcdir, target + suffix) for suffix in app.config.source_suffix]
        found = next((path for path in files if path.is_file()), None)
        if found is not None:
            download = addnodes.download_reference(
                "", "", *node.children, refdomain=None, refdoc=node["refdoc"], reftype="myst"
            )
            download["reftarget"] = "/" + found.relative_to(app.srcdir).as_posix()
            download.source, download.line = node.source, node.line
            node.replace_self(download)
    solutions = Path(app.srcdir, "exercises", "source").resolve()
    for node in list(doctree.findall(addnodes.download_reference)):
        _, path = app.env.relfn2path(node["reftarget"], node["refdoc"])
        if Path(path).resolve().is_relative_to(solutions):
            logging.getLogger(__name__).warning(
                "a link to %s would publish a solution: link to the student copy",
                path,
                location=node,
            )
            node.replace_self(node.children)  # its text stays, the file is not copied


def setup(app):
    app.set_html_assets_policy("always")  # MathJax on every page: titles in the tables of contents
    # before Sphinx collects the downloads (priority 500)
    app.connect("doctree-read", _link_files_that_are_not_pages, priority=400)
    app.connect("build-finished", _redirect_root)
