"""The slides (make slides): a reveal.js deck per lesson, from tools/slides.py.

Without building them (`make test`): the rules that choose the cells, on every committed lesson
and on made-up cells (the lesson is never edited; the install and navigation cells, widgets and
code with no output are left out; long code shows its output only; a section starts a slide; a
full slide continues below). Built (`make slides` runs this file again with
BP_SLIDES=_build/slides, skipped here otherwise): every lesson has a deck, everything a deck
loads is a file beside it, the install and navigation cells are in no deck, each deck has a sane
number of slides, and one deck opens in Chromium with every network request blocked, reveal.js
running and the formulas typeset.
"""

import copy
import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import install_cell  # noqa: E402  (tools/ is no package)
import slides  # noqa: E402

LESSONS = slides.lessons()
FEWEST, MOST = 8, 45  # slides in a deck: fewer is no lesson, more is the lesson pasted in


def test_every_lesson_is_found():
    assert [p.name[:2] for p in LESSONS] == [f"{n:02d}" for n in range(15)]


@pytest.fixture(scope="module")
def decks() -> dict[str, tuple[nbformat.NotebookNode, nbformat.NotebookNode]]:
    names = {path.stem for path in LESSONS}
    result = {}
    for path in LESSONS:
        lesson = nbformat.read(path, as_version=4)
        result[path.stem] = (lesson, slides.deck_notebook(lesson, names))
    return result


def kinds(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.metadata["slideshow"]["slide_type"] for cell in notebook.cells]


@pytest.mark.parametrize("name", [p.stem for p in LESSONS])
def test_deck_rules_on_every_lesson(decks, name):
    lesson, deck = decks[name]
    assert "slideshow" not in lesson.cells[0].metadata, "the committed lesson was edited"
    types = kinds(deck)
    assert types[0] == "slide", "the title opens the deck"
    for cell, kind in zip(deck.cells, types):
        tags = cell.metadata.get("tags", [])
        if "install" in tags or "navigation" in tags:
            assert kind == "skip", f"cell {cell.get('id')} ({tags}) is in the deck"
        if cell.cell_type == "markdown" and re.match(r"## ", cell.source):
            assert kind == "slide", f"the section {cell.source.splitlines()[0]!r} opens no slide"
    if name != "00_start_here":  # the start page has no summary
        summary = [c for c in deck.cells if c.source.startswith("## Summary")]
        assert summary and summary[0].metadata["slideshow"]["slide_type"] == "slide"
    assert FEWEST <= slides.count_slides(deck) <= MOST


def test_lesson_links_go_to_the_decks(decks):
    _, deck = decks["01_neuron"]
    assert "(00_start_here.slides.html)" in deck.cells[0].source
    text = "".join(c.source for c in deck.cells)
    assert "](../exercises/" not in text  # not beside the decks: the repository's copy online
    assert f"]({install_cell.REPOSITORY}/blob/main/exercises/01_neuron.ipynb)" in text
    _, start = decks["00_start_here"]
    contents = next(c for c in start.cells if "contents" in c.metadata.get("tags", []))
    assert "(../notebooks/01_neuron.ipynb)" not in contents.source
    assert "(01_neuron.slides.html)" in contents.source


def test_a_heading_inside_a_cell_opens_a_slide():
    cell = new_markdown_cell("Last words.\n\n```\n# a comment, no heading\n```\n## Summary\n- one")
    deck = slides.deck_notebook(new_notebook(cells=[new_markdown_cell("# T"), cell]), set())
    assert [c.source for c in deck.cells] == [
        "# T",
        "Last words.\n\n```\n# a comment, no heading\n```",
        "## Summary\n- one",
    ]
    assert kinds(deck) == ["slide", "-", "slide"]


def figure_output():
    return new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})


def text_output(lines: int):
    return new_output("stream", name="stdout", text="x\n" * lines)


def test_cells_chosen_by_rule():
    long_code = "\n".join(f"a{i} = {i}" for i in range(slides.LONG_CODE + 1))
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# 99 · A title\n\n**You will learn** one thing"),
            new_code_cell(install_cell.SOURCE, metadata={"tags": ["install"]}),
            new_code_cell("import math"),  # no output
            new_markdown_cell("## A section\n\nSome prose."),
            new_code_cell("print(1)", outputs=[text_output(1)]),
            new_code_cell(long_code, outputs=[text_output(2)]),
            new_code_cell("plot()", outputs=[figure_output()]),
            new_code_cell(
                "t = time()", outputs=[text_output(1)], metadata={"tags": ["nbval-ignore-output"]}
            ),
            new_markdown_cell("### A smaller heading"),
            new_markdown_cell("line\n" * (slides.SLIDE_LINES + 1)),
            new_markdown_cell("---\n[next →](x.ipynb)", metadata={"tags": ["navigation"]}),
        ]
    )
    original = copy.deepcopy(notebook)
    deck = slides.deck_notebook(notebook, set())
    assert notebook == original, "deck_notebook edited the lesson it was given"
    assert kinds(deck) == [
        "slide",  # the title
        "skip",  # the install cell
        "skip",  # code with no output
        "slide",  # a section
        "-",  # short code and its output, under the section
        "-",  # long code: its output only
        "subslide",  # a figure, too tall for what is left: a vertical slide below
        "skip",  # a timing or a widget
        "subslide",  # ### heading: a vertical slide
        "subslide",  # too long for what is left: a vertical slide below
        "skip",  # the navigation
    ]
    hidden = [slides.REMOVE_INPUT in c.metadata.get("tags", []) for c in deck.cells]
    assert hidden[4:7] == [False, True, True], "short code shown; long code and plots hidden"
    assert slides.count_slides(deck) == 5


def test_a_figure_stays_under_a_short_section():
    notebook = new_notebook(
        cells=[
            new_markdown_cell("## Section\n\nOne line."),
            new_code_cell("plot()", outputs=[figure_output()]),
        ]
    )
    assert kinds(slides.deck_notebook(notebook, set())) == ["slide", "-"]


def test_the_sentence_under_an_output_stays_on_its_slide():
    full = "\n".join(["## Section", *["prose"] * (slides.SLIDE_LINES - 2)])
    cells = [
        new_markdown_cell(full),
        new_code_cell("print(2)", outputs=[text_output(1)]),  # 2 lines: the slide is full
        new_markdown_cell("The 2 above is the claim."),
        new_markdown_cell("A new thought."),
    ]
    assert kinds(slides.deck_notebook(new_notebook(cells=cells), set())) == [
        "slide",
        "subslide",  # the output does not fit: below
        "-",  # its sentence stays with it
        "-",
    ]
    cells[1].outputs = [text_output(int(slides.SLIDE_LINES / slides.OUTPUT_LINE))]  # a full slide
    types = kinds(slides.deck_notebook(new_notebook(cells=cells), set()))
    assert types[2:] == ["-", "subslide"], "a claim stays, other prose moves on"


def test_prose_taller_than_a_slide_is_cut_between_items():
    items = [f"- item {i} " + "word " * 30 for i in range(12)]  # 12 items of 2 lines
    source = "## Section\n\n$$\na = b\n\nc = d\n$$\n" + "\n".join(items)
    deck = slides.deck_notebook(new_notebook(cells=[new_markdown_cell(source)]), set())
    pieces = [c.source for c in deck.cells]
    assert len(pieces) == 2 and "\n".join(pieces) == source
    assert "$$\na = b\n\nc = d\n$$" in pieces[0], "a formula is never cut"
    assert pieces[1].startswith("- item "), "cut before a list item"
    assert all(slides.height(c, True) <= slides.SLIDE_LINES for c in deck.cells)
    assert kinds(deck) == ["slide", "subslide"]
    assert len({c.id for c in deck.cells}) == 2


def test_a_displayed_formula_counts_its_height():
    rows = ["\\frac{a}{b} = c \\\\"] * 3  # three rows of fractions, each two lines high
    formula = "\n".join(["$$", *rows, "$$"])
    assert slides._prose_height(formula.splitlines()) == 1 + 3 * slides.FORMULA_LINE
    source = "\n".join(["## S", *["prose"] * (slides.SLIDE_LINES - 7), "", formula])
    deck = slides.deck_notebook(new_notebook(cells=[new_markdown_cell(source)]), set())
    assert kinds(deck) == ["slide", "subslide"] and deck.cells[1].source == formula


def test_prose_is_not_cut_after_a_colon():
    source = "\n".join(
        ["## S", *["prose"] * (slides.SLIDE_LINES - 3), "as follows:", "", "- a", "- b"]
    )
    deck = slides.deck_notebook(new_notebook(cells=[new_markdown_cell(source)]), set())
    assert not any(c.source.rstrip().endswith(":") for c in deck.cells)


def test_a_lead_in_goes_below_with_what_it_leads_in_to():
    prose = "\n".join(["prose"] * (slides.SLIDE_LINES - 4))
    cells = [
        new_markdown_cell(f"## Section\n\n{prose}\n\nOn the example times 10:"),
        new_code_cell("plot()", outputs=[figure_output()]),  # does not fit under the prose
    ]
    deck = slides.deck_notebook(new_notebook(cells=cells), set())
    assert [c.source.splitlines()[-1] for c in deck.cells[:2]] == [
        "prose",
        "On the example times 10:",
    ]
    assert kinds(deck) == ["slide", "subslide", "-"], "the lead-in opens the slide of its figure"
    cells[0].source = "## Section\n\nOn the example times 10:"
    cells[1].outputs = [text_output(int(slides.SLIDE_LINES / slides.OUTPUT_LINE))]  # a full slide
    deck = slides.deck_notebook(new_notebook(cells=cells), set())
    assert kinds(deck) == ["slide", "-"], "a lead-in that opened its slide keeps its output up"


@pytest.mark.parametrize("name", [p.stem for p in LESSONS])
def test_no_slide_ends_in_a_lead_in(decks, name):
    deck = decks[name][1]
    shown = [c for c in deck.cells if c.metadata["slideshow"]["slide_type"] != "skip"]
    for cell, after in zip(shown, shown[1:]):
        starts = after.metadata["slideshow"]["slide_type"] in ("slide", "subslide")
        if starts and not slides.heading_level(after):
            assert not cell.source.rstrip().endswith(":"), (name, cell.source[-80:])


def test_widget_views_are_left_out():
    view = new_output(
        "display_data",
        data={slides.WIDGET_VIEW: {"model_id": "x"}, "text/plain": "Explorer(...)"},
    )
    notebook = new_notebook(cells=[new_markdown_cell("# T"), new_code_cell("w", outputs=[view])])
    assert kinds(slides.deck_notebook(notebook, set())) == ["slide", "skip"]


# The built decks (make slides builds them, then runs these with BP_SLIDES=_build/slides)


@pytest.fixture(scope="module")
def built() -> Path:
    folder = os.environ.get("BP_SLIDES")
    if not folder:
        pytest.skip("reads the built decks: make slides runs it (BP_SLIDES=_build/slides)")
    path = Path(folder)
    assert path.is_dir(), f"BP_SLIDES={folder}: no decks there (make slides)"
    return path


class Page(HTMLParser):
    """What a deck loads (script src, link href, img src), its text, its leaf sections."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.text: list[str] = []
        self.depth = 0
        self.leaves = 0
        self._opened_inner = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "section":
            if self._opened_inner:
                self._opened_inner[-1] = True  # the enclosing section is no leaf
            self._opened_inner.append(False)

    def handle_endtag(self, tag):
        if tag == "section" and self._opened_inner:
            self.leaves += not self._opened_inner.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_built_deck(built, decks, lesson):
    deck_file = built / f"{lesson.stem}.slides.html"
    assert deck_file.is_file(), f"no deck for {lesson.name} in {built}"
    page = parse(deck_file)
    for target in page.loads:
        if target.startswith("data:"):
            continue
        assert not re.match(r"[a-z]+://|//", target), f"{deck_file.name} loads {target}"
        assert (built / target.split("?")[0]).is_file(), f"{deck_file.name}: {target} missing"
    assert {"reveal.js/dist/reveal.js", "reveal.js/dist/reveal.css"} <= set(page.loads)
    text = "".join(page.text)
    assert install_cell.SOURCE.splitlines()[0] in install_cell.SOURCE  # the line looked for
    assert install_cell.SOURCE.splitlines()[0] not in text, "the install cell is in the deck"
    lesson_notebook, deck = decks[lesson.stem]
    navigation = next(
        c for c in lesson_notebook.cells if "navigation" in c.metadata.get("tags", [])
    )
    arrows = [t for t in re.findall(r"\[([^\]]+)\]", navigation.source) if "←" in t or "→" in t]
    assert arrows and not any(a in text for a in arrows), "the navigation cell is in the deck"
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', deck_file.read_text(encoding="utf-8"))
    assert all(len(alt.split()) >= 12 for alt in alts), "a figure without its alt text"
    assert page.leaves == slides.count_slides(deck)
    assert FEWEST <= page.leaves <= MOST


def test_the_install_check_would_catch_it(built, tmp_path):
    """The built-deck test fails on a deck that shows the install cell (proof it can fail)."""
    source = (built / "01_neuron.slides.html").read_text(encoding="utf-8")
    bad = source.replace("</main>", f"<pre>{install_cell.SOURCE}</pre></main>")
    (tmp_path / "bad.html").write_text(bad, encoding="utf-8")
    assert install_cell.SOURCE.splitlines()[0] in "".join(parse(tmp_path / "bad.html").text)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt install chromium)")
def test_a_deck_runs_offline_in_chromium(built):
    playwright = pytest.importorskip("playwright.sync_api", reason="the browser extra")
    blocked = []

    def only_files(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page()
            page.route("**/*", only_files)
            failed = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto((built / "07_backpropagation.slides.html").resolve().as_uri())
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
            total = page.evaluate("Reveal.getTotalSlides()")
            page.wait_for_function(
                "document.querySelectorAll('mjx-container').length > 10", timeout=30_000
            )
            raw = page.evaluate(
                "document.querySelector('.reveal').innerText.includes('$\\\\delta')"
            )
        finally:
            browser.close()
    assert not blocked, f"the deck asked the network for {blocked}"
    assert not failed, f"files the deck could not load: {failed}"
    assert FEWEST <= total <= MOST
    assert not raw, "raw TeX left on the slides"
