"""Sphinx configuration of the private instructor build: `make instructor` builds it into
_build/instructor. Never publish it: it holds every solution and every answer.

As for the public site (site/conf.py), the source folder is the repository itself
(`sphinx-build -c instructor . _build/instructor`), so that the links between these pages resolve
as they do in a clone. The pages: the instructor guide and the instructors' page of docs/, the
executed solutions (exercises/source/, shown with the outputs they were saved with: nothing is
executed), an answer key per exercise (instructor/keys/, built from the checks by
instructor/answer_keys.py), the rubrics, the quiz bank (instructor/quiz/, exported to Moodle's
GIFT and to QTI for Canvas beside the pages) and the problem sets and lab plans
(instructor/problems/, instructor/labs/), each taken by a pattern, so a new file joins the build.
A link to a file of the repository that is no page here (a lesson, the README) leads to the
repository's copy online. Like the public site, it works with no network: MathJax is served
with it.
"""

import re
import sys
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # instructor/ is no package: its modules are imported by path
sys.path.insert(0, str(HERE.parent / "tools"))

import answer_keys  # noqa: E402
import quiz  # noqa: E402
from install_cell import REPOSITORY  # noqa: E402  (the one place the repository's address is)
from sphinx_pages import (  # noqa: E402  (what this build shares with the public site)
    MATHJAX_PATH,
    copy_mathjax,
    hide_tagged_cells,
    link_files_that_are_not_pages,
    redirect_root,
)

project = "bp-lessons: instructors"
author = "the bp-lessons authors"
copyright = "the bp-lessons authors; code MIT, text CC BY 4.0"

extensions = ["myst_nb"]
root_doc = "instructor/index"
include_patterns = [
    "instructor/index.md",
    "instructor/rubrics.md",
    "instructor/keys/[0-9][0-9]_*.md",
    "instructor/quiz/[0-9][0-9]_*.md",
    "instructor/problems/*.md",
    "instructor/labs/*.md",
    "docs/instructor_guide.md",
    "docs/teaching.md",
    "exercises/source/[0-9][0-9]_*.ipynb",
]
exclude_patterns = ["_build", ".*"]

# The committed outputs of the solutions (tests/test_notebooks.py keeps them executed in order)
nb_execution_mode = "off"
nb_mime_priority_overrides = [  # as on the public site: a widget needs a running kernel
    ("html", "application/vnd.jupyter.widget-view+json", None),
]
# $...$ as in JupyterLab; "- [x]" marks the right option of a quiz question
myst_enable_extensions = ["dollarmath", "amsmath", "tasklist"]
# MathJax 3 served with the build, as on the public site, so that the formulas render with no
# network (tools/sphinx_pages.py copies it)
mathjax_path = MATHJAX_PATH
myst_heading_anchors = 4

html_theme = "sphinx_book_theme"
html_title = "Backpropagation, step by step: for instructors"
html_theme_options = {
    "use_download_button": True,
    "home_page_in_toc": True,
    "navbar_persistent": [],  # one search field, the sidebar's, as on the public site
}
html_sourcelink_suffix = ""  # the download button gives the .ipynb itself
html_last_updated_fmt = None
html_copy_source = True

EXPORTS = "quiz-export"  # a folder of the build: the quiz bank in GIFT and QTI


class AnswerKey(SphinxDirective):
    """```{answer-key} 04_chain_rule```: the exercise's key, rendered from the checks."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        exercise = self.arguments[0]
        self.env.note_dependency(str(HERE.parent / "exercises" / "source" / f"{exercise}.ipynb"))
        self.env.note_dependency(str(HERE / "quiz" / f"{exercise}.md"))
        bank = quiz.load(HERE / "quiz")
        text = answer_keys.render(exercise, HERE.parent, quiz.quizzed(bank))
        container = nodes.container()
        lines = StringList(text.splitlines(), source=self.get_source_info()[0])
        self.state.nested_parse(lines, self.content_offset, container, match_titles=True)
        return container.children


def _drop_empty_folders(app, docname, source):
    """The landing page's table of contents of a folder that holds no page yet (the problem sets
    and the lab plans are written separately) is left out, not a warning."""
    if docname != root_doc:
        return
    block = re.compile(r"```\{toctree\}\n(?:.*\n)*?/instructor/(\w+)/\*\n```\n", re.M)
    source[0] = block.sub(lambda m: m[0] if any(Path(HERE, m[1]).glob("*.md")) else "", source[0])


def _finish(app, exception):
    """The quiz bank, exported beside the pages."""
    if exception is not None or app.builder.format != "html":
        return
    written = quiz.export(quiz.load(HERE / "quiz"), Path(app.outdir, EXPORTS))
    links = "".join(f'<li><a href="{path.name}">{path.name}</a></li>\n' for path in written)
    Path(app.outdir, EXPORTS, "index.html").write_text(
        '<!DOCTYPE html>\n<meta charset="utf-8">\n<title>The quiz bank, exported</title>\n'
        "<h1>The quiz bank, exported</h1>\n<p>For Moodle: import <code>bp-lessons.gift</code> "
        "(GIFT, a category per lesson). For Canvas: import each lesson's "
        "<code>.qti.zip</code> as a QTI package.</p>\n<ul>\n" + links + "</ul>\n",
        encoding="utf-8",
    )


def setup(app):
    app.set_html_assets_policy("always")  # MathJax on every page
    app.add_directive("answer-key", AnswerKey)
    app.connect("builder-inited", copy_mathjax)
    app.connect("source-read", _drop_empty_folders)
    app.connect("source-read", hide_tagged_cells(["install"]))  # for Colab; the download keeps it
    # a lesson, the README: no page here, so the repository's copy (the site's pages have no
    # stable address to link to from a build that may be opened anywhere)
    online = f"{REPOSITORY}/blob/main/"
    app.connect("doctree-read", link_files_that_are_not_pages(online=online), priority=400)
    app.connect(
        "build-finished",
        redirect_root("instructor/index.html", "bp-lessons: instructors", "For instructors"),
    )
    app.connect("build-finished", _finish)
