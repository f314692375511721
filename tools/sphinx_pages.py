"""What the two Sphinx builds share: the public website (site/conf.py, `make site`) and the
private instructor build (instructor/conf.py, `make instructor`). Both take the repository itself
as their source folder, show notebooks with their saved outputs, and work with no network.

- `copy_mathjax`: MathJax 3 served with the build (tools/offline_math.py).
- `hide_tagged_cells(tags)`: cells with one of these tags are left off a notebook's page
  (myst-nb's "remove-cell", given as the notebook is read); the notebook and its download keep them.
- `link_files_that_are_not_pages(withheld, online)`: a link to a file of the repository that is
  no page of the build becomes a download of the file (with `online`, a link to its copy there);
  a link into `withheld` keeps its text, loses its target, and the file is not copied.
- `redirect_root(url, title)`: the build's root URL opens its landing page.
"""

import json
from collections.abc import Callable
from pathlib import Path

import offline_math  # tools/offline_math.py: the conf puts tools/ on sys.path
from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

MATHJAX_PATH = "mathjax/tex-mml-chtml.js"  # a conf's mathjax_path: relative, inside _static/


def copy_mathjax(app) -> None:
    """A "builder-inited" hook: MathJax into _static/mathjax/ of an HTML build."""
    if app.builder.format == "html":
        target = Path(app.outdir, "_static", Path(MATHJAX_PATH).parent)
        offline_math.copy_mathjax(target, Path(MATHJAX_PATH).name)


def hide_tagged_cells(tags: list[str]) -> Callable:
    """A "source-read" hook: a notebook's cells tagged with any of `tags` leave its page."""

    def hide(app, docname, source):
        if app.env.doc2path(docname).suffix != ".ipynb":
            return
        notebook = json.loads(source[0])
        for cell in notebook["cells"]:
            cell_tags = cell.get("metadata", {}).get("tags", [])
            if any(tag in cell_tags for tag in tags):
                cell["metadata"]["tags"] = [*cell_tags, "remove-cell"]
        source[0] = json.dumps(notebook)

    return hide


def _within(path: Path, srcdir: Path, withheld: list[str]) -> bool:
    path = path.resolve()
    return any(
        path == (srcdir / name).resolve() or path.is_relative_to((srcdir / name).resolve())
        for name in withheld
    )


def link_files_that_are_not_pages(withheld: list[str] = (), online: str = "") -> Callable:
    """A "doctree-read" hook (connect it before Sphinx collects downloads, priority < 500).
    With `online` (an address ending in /), a link to such a file leads to `online` + its path
    (the repository's copy) instead of a download."""

    def link(app, doctree):
        srcdir = Path(app.srcdir)
        for node in list(doctree.findall(addnodes.pending_xref)):
            target = node.get("reftarget", "")
            if node.get("refdomain") != "doc" or node.get("reftype") != "myst":
                continue
            if target in app.env.found_docs:
                continue
            files = [Path(srcdir, target + suffix) for suffix in app.config.source_suffix]
            found = next((path for path in files if path.is_file()), None)
            if found is not None and _within(found, srcdir, withheld):
                node.replace_self(node.children)  # the README names the guide: its text stays
            elif found is not None and online:
                where = online + found.relative_to(srcdir).as_posix()
                node.replace_self(nodes.reference("", "", *node.children, refuri=where))
            elif found is not None:
                download = addnodes.download_reference(
                    "", "", *node.children, refdomain=None, refdoc=node["refdoc"], reftype="myst"
                )
                download["reftarget"] = "/" + found.relative_to(srcdir).as_posix()
                download.source, download.line = node.source, node.line
                node.replace_self(download)
        if not withheld:
            return
        for node in list(doctree.findall(addnodes.download_reference)):
            _, path = app.env.relfn2path(node["reftarget"], node["refdoc"])
            if _within(Path(path), srcdir, withheld):
                logging.getLogger(__name__).warning(
                    "a link to %s would publish what is for instructors only (link to the "
                    "student copy of an exercise)",
                    path,
                    location=node,
                )
                node.replace_self(node.children)  # its text stays, the file is not copied

    return link


def redirect_root(url: str, title: str, text: str) -> Callable:
    """A "build-finished" hook writing the build's index.html, which opens `url`."""

    def redirect(app, exception):
        if exception is None and app.builder.format == "html":
            Path(app.outdir, "index.html").write_text(
                f'<!DOCTYPE html>\n<meta charset="utf-8">\n<title>{title}</title>\n'
                f'<meta http-equiv="refresh" content="0; url={url}">\n'
                f'<a href="{url}">{text}</a>\n',
                encoding="utf-8",
            )

    return redirect
