"""A reveal.js deck per lesson, generated from the lessons (make slides).

    .venv/bin/python tools/slides.py                # every lesson into _build/slides
    .venv/bin/python tools/slides.py OUT 01 07      # some lessons into OUT

The committed notebooks are never edited: each lesson is read, a copy gets a slide type per cell
(`metadata.slideshow.slide_type`, what JupyterLab's property inspector writes) from the rules in
`slide_types` below, and nbconvert's slides exporter turns the copy into `NN_name.slides.html` with
the outputs the lesson was committed with (nothing runs). The rules live here, not in the
notebooks, because the lessons change often and their cells are written by several tools: a
lesson edited today gets a sensible deck tomorrow with no slide metadata to keep current.

What a deck shows: the title with "you will learn" and "you need"; every section (a `##`
heading starts a slide, `###` a vertical one); the prose; the figures (without the plotting code);
short code with its output; the output alone of long code; the summary and the exercise pointer.
Not in a deck: the install cell, the navigation cell, code with no output (imports, definitions),
widgets and timings (cells tagged nbval-ignore-output: they need a kernel, or vary by machine).
A slide that would run past SLIDE_LINES lines continues on a vertical slide below it, except
a short paragraph right under an output (the sentence about a number stays under the number),
and never right after a lead-in that ends in a colon (the lead-in goes below with what it leads
in to, or, when it opened its slide, that stays up with it);
prose too long for one slide is cut between paragraphs or list items; a slide still too tall
scrolls.

Everything a deck loads lies beside it, so that the decks open from disk with the network off:
reveal.js from the npm registry (`npm pack` of the pinned REVEAL, checked against its integrity
hash) in OUT/reveal.js/, MathJax 3 from the pinned PyPI package django-static-mathjax (the same
one the website serves) in OUT/mathjax/. The page nbconvert's reveal template writes also loads
jQuery, RequireJS, Mermaid and MathJax 2 from CDNs; the template below (TEMPLATE) replaces those
blocks with the local reveal.js and MathJax, loaded as plain scripts. It also gives each figure
the alt text that tools/alt_text.py wrote for it in the lesson.
"""

import base64
import copy
import hashlib
import json
import math
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from install_cell import REPOSITORY  # noqa: E402  (the one place the repository's address is)
from offline_math import copy_mathjax  # noqa: E402  (as the website serves it)

OUT = ROOT / "_build" / "slides"
REVEAL = "reveal.js@5.2.1"
REVEAL_INTEGRITY = (  # npm's sha512 of reveal.js-5.2.1.tgz: the tarball checked, not trusted
    "sha512-r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+7ZPZEbpBDhdRhJaFgfQ7zNQ=="
)
MATHJAX_ENTRY = "tex-chtml.js"
SLIDE_LINES = 18  # lines of 20px prose that fit on a 960×700 slide (seen in Chromium)
FIGURE_LINES = 15  # a figure is at most 460px high (the template caps it)
CODE_LINE = 0.7  # a line of code (15px) and of output (13px), in lines of prose (20px)
OUTPUT_LINE = 0.6
LONG_CODE = 12  # code longer than this shows its output only
CLAIM_LINES = 6  # a paragraph this short right under an output stays on the output's slide
LINE_WIDTH = 100  # characters of prose per line on a slide (about that, seen in Chromium)
FORMULA_LINE = 2  # a row of a displayed formula, in lines of prose (seen in Chromium)
HIDDEN_TAGS = {"install", "navigation", "nbval-ignore-output"}
IMAGES = ("image/png", "image/svg+xml", "image/jpeg")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
REMOVE_INPUT = "remove-input"  # nbconvert's TagRemovePreprocessor drops these cells' code

TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{% block html_head_js %}{% endblock html_head_js %}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block html_head_js_mathjax %}
<script>
window.MathJax = {
  tex: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true,
        tags: "ams"},
  chtml: {fontURL: "mathjax/output/chtml/fonts/woff-v2"},
};
</script>
<script src="mathjax/ENTRY"></script>
<style>
.reveal .slides section { height: 100%; overflow-y: auto; text-align: left; }
.reveal .slides section img { max-height: 460px; }
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
.reveal .jp-OutputArea-output pre { font-size: 13px; white-space: pre; overflow-x: auto; }
.reveal .jp-InputArea .highlight pre { font-size: 15px; }
</style>
{% endblock html_head_js_mathjax %}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
alt="{{ output.metadata.get('alt', '') | escape_html }}">
</div>
{% endblock data_png %}
{% block footer_js %}
<script src="reveal.js/dist/reveal.js"></script>
<script src="reveal.js/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true, progress: true, history: true, center: false, slideNumber: "c/t",
  transition: "none", width: 960, height: 700, plugins: [RevealNotes],
});
</script>
{% endblock footer_js %}
""".replace("ENTRY", MATHJAX_ENTRY)


def lessons(root: Path = ROOT) -> list[Path]:
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _text_lines(outputs: list) -> int:
    lines = 0
    for output in outputs:
        if output.get("output_type") == "stream":
            lines += len(output.get("text", "").splitlines())
        elif "text/plain" in output.get("data", {}) and not _has_image([output]):
            lines += len(output["data"]["text/plain"].splitlines())
    return lines


def _has_image(outputs: list) -> bool:
    return any(kind in output.get("data", {}) for output in outputs for kind in IMAGES)


def shown(cell: nbformat.NotebookNode) -> tuple[bool, bool]:
    """Whether a cell is in the deck at all, and whether its code is shown."""
    if HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
        return False, False
    if cell.cell_type == "markdown":
        return bool(cell.source.strip()), True
    if cell.cell_type != "code":
        return False, False
    outputs = cell.get("outputs", [])
    if not outputs or any(WIDGET_VIEW in o.get("data", {}) for o in outputs):
        return False, False
    figure = _has_image(outputs)
    return True, not figure and len(cell.source.splitlines()) <= LONG_CODE


def height(cell: nbformat.NotebookNode, show_input: bool) -> float:
    """Lines the cell takes on a slide (a figure counts as FIGURE_LINES)."""
    if cell.cell_type == "markdown":
        return _prose_height(cell.source.splitlines())
    outputs = cell.get("outputs", [])
    lines = OUTPUT_LINE * _text_lines(outputs) + (FIGURE_LINES if _has_image(outputs) else 0)
    return lines + (CODE_LINE * (len(cell.source.splitlines()) + 1) if show_input else 0)


def _prose_height(lines: list[str]) -> float:
    """Lines of prose; a row of a displayed formula (between $$) counts FORMULA_LINE, since a
    fraction or a sum with limits stands about two lines high, and a lone $$ half a line."""
    total, display = 0.0, False
    for line in lines:
        delimiters = line.count("$$")
        if line.strip() == "$$":
            total += 0.5
        elif display or delimiters >= 2:
            total += FORMULA_LINE
        else:
            total += max(1, math.ceil(len(line) / LINE_WIDTH))
        display = display != bool(delimiters % 2)
    return total


def heading_level(cell: nbformat.NotebookNode) -> int:
    match = re.match(r"(#{1,6}) ", cell.source.lstrip()) if cell.cell_type == "markdown" else None
    return len(match.group(1)) if match else 0


def slide_types(notebook: nbformat.NotebookNode) -> list[tuple[str, bool]]:
    """Per cell: its slide type (slide, subslide, -, skip) and whether its code is shown."""
    decided = []
    used = None  # lines on the current slide; None before the first
    for cell in notebook.cells:
        visible, show_input = shown(cell)
        if not visible:
            decided.append(("skip", False))
            continue
        lines = height(cell, show_input)
        level = heading_level(cell)
        claim = (
            cell.cell_type == "markdown"
            and lines <= CLAIM_LINES
            and decided
            and decided[-1][0] != "skip"
            and notebook.cells[len(decided) - 1].cell_type == "code"
        )
        if used is None or level in (1, 2):
            kind = "slide"
        elif level >= 3 or (used > 0 and used + lines > SLIDE_LINES and not claim):
            kind = "subslide"
        else:
            kind = "-"
        before = _previous_shown(decided)
        if kind == "subslide" and not level and before is not None and leads_in(notebook, before):
            # "...the right ones sit on the diagonal:" never ends a slide with what it leads in
            # to on the next: the lead-in goes down with it, or, when it opened its own slide,
            # what it leads in to stays up with it (a slide too tall scrolls)
            if decided[before][0] == "-":
                decided[before] = ("subslide", decided[before][1])
                used = height(notebook.cells[before], decided[before][1])
            kind = "-"
        used = lines if kind != "-" else used + lines
        decided.append((kind, show_input))
    return decided


def _previous_shown(decided: list[tuple[str, bool]]) -> int | None:
    shown_before = [i for i, (kind, _) in enumerate(decided) if kind != "skip"]
    return shown_before[-1] if shown_before else None


def leads_in(notebook: nbformat.NotebookNode, index: int) -> bool:
    """Whether a cell is prose whose last sentence ends in a colon (it leads in to what follows)."""
    cell = notebook.cells[index]
    return cell.cell_type == "markdown" and cell.source.rstrip().endswith(":")


def split_lead_in(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Prose that ends in a lead-in paragraph ("...and on the example times 10:"), cut before
    that paragraph, so that the lead-in can go to the next slide with what it leads in to while
    the rest stays; a heading with only its lead-in under it is left whole."""
    if cell.cell_type != "markdown" or not cell.source.rstrip().endswith(":"):
        return [cell]
    lines = cell.source.rstrip().splitlines()
    fenced, cut = False, None
    for i, line in enumerate(lines):
        if re.match(r"\s*(```|~~~)", line) or line.count("$$") % 2:
            fenced = not fenced
        elif not fenced and not line.strip() and i + 1 < len(lines) and lines[i + 1].strip():
            cut = i + 1
    head = [line for line in lines[:cut] if line.strip()] if cut else []
    if not head or all(re.match(r"#{1,6} ", line) for line in head):
        return [cell]
    first, last = copy.deepcopy(cell), copy.deepcopy(cell)
    first.source = "\n".join(lines[:cut]).strip("\n")
    last.source = "\n".join(lines[cut:]).strip("\n")
    last.id = f"{cell.get('id', 'cell')}-lead-in"
    return [first, last]


def _lesson_links(source: str, names: set[str]) -> str:
    """Links between lessons go to their decks; a link to another file of the repository (an
    exercise, a doc) goes to that file in the repository online, since it is not beside the
    decks; web addresses and anchors stay as they are."""

    def replace(match):
        target, anchor = match.group(1), match.group(2) or ""
        return f"({target}.slides.html{anchor})" if target in names else match.group(0)

    def online(match):
        path = (ROOT / "notebooks" / match.group(1)).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            return match.group(0)
        return (
            f"]({REPOSITORY}/blob/main/{path.relative_to(ROOT).as_posix()}{match.group(2) or ''})"
        )

    source = re.sub(r"\((?:\.\./notebooks/)?(\d\d_[\w-]+)\.ipynb(#[^)]*)?\)", replace, source)
    return re.sub(r"\]\((?![a-z]+:|#)([^)#\s]+?)(?<!\.slides\.html)(#[^)]*)?\)", online, source)


def split_at_headings(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """A markdown cell cut before each heading inside it (not inside a code fence),
    so that a section that begins mid-cell, such as a summary after the last paragraph, still
    opens a slide of its own."""
    if cell.cell_type != "markdown":
        return [cell]
    parts, lines, fenced = [], [], False
    for line in cell.source.splitlines():
        if re.match(r"\s*(```|~~~)", line):
            fenced = not fenced
        if not fenced and lines and re.match(r"#{1,3} ", line):
            parts.append(lines)
            lines = []
        lines.append(line)
    parts.append(lines)
    return [cell] if len(parts) == 1 else _pieces(cell, parts, "")


def split_tall(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Prose taller than a slide, cut between paragraphs or top-level list items (never inside a
    code fence or a $$ formula) into pieces that each fit on one."""
    if cell.cell_type != "markdown" or height(cell, True) <= SLIDE_LINES:
        return [cell]
    blocks, lines, fenced = [], [], False
    for line in cell.source.splitlines():
        boundary = not line.strip() or re.match(r"([-*]|\d+\.) ", line)
        if boundary and not fenced and any(x.strip() for x in lines):
            blocks.append(lines)
            lines = []
        lines.append(line)
        if re.match(r"\s*(```|~~~)", line) or line.count("$$") % 2:
            fenced = not fenced
    blocks.append(lines)
    pieces, current = [], []
    for block in blocks:
        said = [line for line in current if line.strip()]
        leads_in = said and said[-1].rstrip().endswith(":")  # "...as follows:" keeps what follows
        if current and not leads_in and _prose_height(current + block) > SLIDE_LINES:
            pieces.append(current)
            current = []
        current = current + block
    pieces.append(current)
    return _pieces(cell, pieces, "part")


def _pieces(cell: nbformat.NotebookNode, parts: list, kind: str) -> list:
    """A copy of the cell per part (a list of its lines); the second and later get ids of their
    own, `<id>-<kind><i>`."""
    pieces = []
    for i, lines in enumerate(parts):
        piece = copy.deepcopy(cell)
        piece.source = "\n".join(lines).strip("\n")
        if i:
            piece.id = f"{cell.get('id', 'cell')}-{kind}{i}"
        pieces.append(piece)
    return pieces


def deck_notebook(notebook: nbformat.NotebookNode, names: set[str]) -> nbformat.NotebookNode:
    """A copy of the lesson with a slide type on every cell; the lesson itself is not touched."""
    deck = copy.deepcopy(notebook)
    deck.cells = [
        piece
        for cell in deck.cells
        for part in split_at_headings(cell)
        for tall in split_tall(part)
        for piece in split_lead_in(tall)
    ]
    for cell, (kind, show_input) in zip(deck.cells, slide_types(deck)):
        cell.metadata["slideshow"] = {"slide_type": kind}
        if not show_input:
            cell.metadata["tags"] = [*cell.metadata.get("tags", []), REMOVE_INPUT]
        if cell.cell_type == "markdown":
            cell.source = _lesson_links(cell.source, names)
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
        for output in cell.get("outputs", []) if alt else []:
            if "image/png" in output.get("data", {}):
                output.setdefault("metadata", {})["alt"] = alt  # tools/alt_text.py's words
    return deck


def count_slides(notebook: nbformat.NotebookNode) -> int:
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in notebook.cells]
    return sum(kind in ("slide", "subslide") for kind in kinds)


def fetch_reveal(target: Path) -> None:
    """reveal.js's browser files into target: `npm pack` of the pinned version, checked."""
    if shutil.which("npm") is None:
        sys.exit("tools/slides.py needs npm for reveal.js (Debian: apt-get install nodejs npm)")
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            ["npm", "pack", REVEAL, "--json", "--pack-destination", folder],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            sys.exit(f"npm pack {REVEAL} failed:\n{result.stderr.strip()}")
        tarball = Path(folder, json.loads(result.stdout)[0]["filename"])
        digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if f"sha512-{digest}" != REVEAL_INTEGRITY:
            sys.exit(f"{tarball.name}: sha512-{digest}, expected {REVEAL_INTEGRITY}")
        wanted = ("package/dist/", "package/plugin/notes/", "package/LICENSE")
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith(wanted)]
            archive.extractall(folder, members=members, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(Path(folder, "package"), target)


def exporter():
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_input_tags = {REMOVE_INPUT}
    return SlidesExporter(
        config=config,
        extra_loaders=[DictLoader({"bp_slides.html.j2": TEMPLATE})],
        template_file="bp_slides.html.j2",
        reveal_url_prefix="reveal.js",  # the folder beside the decks
        reveal_theme="white",
    )


def build(out: Path = OUT, only: list[str] = ()) -> list[tuple[str, int]]:
    out.mkdir(parents=True, exist_ok=True)
    fetch_reveal(out / "reveal.js")
    shutil.rmtree(out / "mathjax", ignore_errors=True)
    copy_mathjax(out / "mathjax", MATHJAX_ENTRY)
    paths = lessons()
    names = {path.stem for path in paths}
    slides = exporter()
    built = []
    for path in paths:
        if only and path.name[:2] not in only:
            continue
        deck = deck_notebook(nbformat.read(path, as_version=4), names)
        body, _ = slides.from_notebook_node(deck, resources={"metadata": {"name": path.stem}})
        (out / f"{path.stem}.slides.html").write_text(body, encoding="utf-8")
        built.append((path.stem, count_slides(deck)))
    return built


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else OUT
    start = time.perf_counter()
    built = build(out, argv[1:])
    print("| deck | slides |\n|---|---|")
    for name, count in built:
        print(f"| {name}.slides.html | {count} |")
    print(f"{len(built)} decks in {out} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
