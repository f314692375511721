"""Sphinx configuration of the lessons' website: `make site` builds it into _build/site.

The source folder is the repository itself (`sphinx-build -c site . _build/site`), so that every
relative link in a notebook resolves as it does in JupyterLab; `include_patterns` keeps the pages
to the lessons, the student copies of the exercises, the README, the learners' docs and the
landing page beside this file. The website is the learners': nothing for instructors only (the
instructor guide, the solutions in exercises/source/, instructor/) is a page, a download or a
file of it. The notebooks are shown with the outputs they were saved with: nothing is executed.

It works with no network: MathJax is served with the site, copied from a pinned PyPI package
(the `site` extra); every other asset is the theme's own.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from install_cell import REPOSITORY  # noqa: E402  (the one place the repository's address is)
from sphinx_pages import (  # noqa: E402  (what this build shares with `make instructor`)
    MATHJAX_PATH,
    copy_mathjax,
    hide_tagged_cells,
    link_files_that_are_not_pages,
    redirect_root,
)

# For instructors only: never a page, a download or a file of the site
INSTRUCTOR_ONLY = ["docs/instructor_guide.md", "exercises/source", "instructor"]

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
    "notebooks/[0-9][0-9]_*.ipynb",
    "exercises/[0-9][0-9]_*.ipynb",
]
exclude_patterns = [*INSTRUCTOR_ONLY, "_build", ".*"]  # not walked: the solutions, .venv, ...

# The committed outputs, never re-executed
nb_execution_mode = "off"
# A widget needs a running kernel: drop its view on the site (each lesson has a static figure of
# the same thing beside it); its text/plain fallback says to run the cell in JupyterLab
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("readthedocs", "application/vnd.jupyter.widget-view+json", None),
]
# $...$ and $$...$$ as in JupyterLab, rendered by MathJax 3 from the site's own _static/mathjax/
# (no CDN: the formulas render offline), copied there from the package django-static-mathjax,
# MathJax's es5 build as released (it needs no Django). Sphinx 9 would fetch MathJax 4 from a
# CDN; the configuration myst-nb writes (which HTML classes to typeset) is the same in both.
myst_enable_extensions = ["dollarmath", "amsmath"]
mathjax_path = MATHJAX_PATH  # relative: inside _static/, where copy_mathjax puts it
myst_heading_anchors = 4  # [text](#a-heading) and [text](07_backpropagation.ipynb#a-heading)

html_theme = "sphinx_book_theme"
html_title = "Backpropagation, step by step"
html_theme_options = {
    "use_download_button": True,
    "home_page_in_toc": True,
    # one search field: the sidebar's (the header bar would add a second one)
    "navbar_persistent": [],
    # a link to the repository, and launch buttons on every notebook: Colab, Binder
    "repository_url": REPOSITORY,
    "repository_branch": "main",
    "path_to_docs": "",  # the site's source folder is the repository's root
    "use_repository_button": True,
    "launch_buttons": {
        "colab_url": "https://colab.research.google.com",
        "binderhub_url": "https://mybinder.org",
        "notebook_interface": "jupyterlab",
    },
}
# Cells of a notebook that are for JupyterLab only: the install cell (a no-op where bp_lessons is
# installed, what Colab needs) and the previous/contents/next links (the theme has its own)
WEB_HIDDEN_TAGS = ["install", "navigation"]
html_sourcelink_suffix = ""  # the download button gives the .ipynb itself
html_last_updated_fmt = None
html_copy_source = True
html_static_path = ["_static"]  # site/_static: search_offline.js, search_math.js


# What search_offline.js needs: the main text of every page, the <section id=...> of each heading
# kept (a search result can point into one), the other tags dropped
PAGE_TEXTS = "page_texts.js"
_SCRIPTS_AND_STYLES = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_HEADER_LINKS = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_TAGS_BUT_SECTIONS = re.compile(r"<(?!/?section\b)[^>]*>", re.I)


def _collect_page_text(app, pagename, templatename, context, doctree):
    if pagename == "search":  # a learner who opens the site from disk sees excerpts too
        app.add_js_file("search_offline.js")
        app.add_js_file("search_math.js")  # and with the formulas in them typeset
    if doctree is None or "body" not in context:
        return
    body = _HEADER_LINKS.sub("", _SCRIPTS_AND_STYLES.sub("", context["body"]))
    text = re.sub(r"\n\s*\n+", "\n", _TAGS_BUT_SECTIONS.sub("", body))
    app.env.bp_page_texts = getattr(app.env, "bp_page_texts", {})
    app.env.bp_page_texts[pagename + app.builder.out_suffix] = f'<div role="main">{text}</div>'


def _write_page_texts(app, exception):
    if exception is None and app.builder.format == "html":
        pages = json.dumps(getattr(app.env, "bp_page_texts", {}), ensure_ascii=False)
        Path(app.outdir, "_static", PAGE_TEXTS).write_text(
            f"window.bpLessonsPageTexts = {pages};\n", encoding="utf-8"
        )


def setup(app):
    app.set_html_assets_policy("always")  # MathJax on every page: titles in the tables of contents
    # before Sphinx collects the downloads (priority 500)
    app.connect("doctree-read", link_files_that_are_not_pages(INSTRUCTOR_ONLY), priority=400)
    app.connect("build-finished", redirect_root("site/index.html", "bp-lessons", "The lessons"))
    app.connect("builder-inited", copy_mathjax)
    app.connect("source-read", hide_tagged_cells(WEB_HIDDEN_TAGS))
    app.connect("html-page-context", _collect_page_text)
    app.connect("build-finished", _write_page_texts)
