"""The website of the lessons (make site). Without building it: every figure has its alt text, the
configuration publishes what it should and nothing else, and the link check catches what breaks.
Built (`make site` runs this file again with BP_SITE=_build/site, skipped here otherwise): the
formulas render with the network off, the cells for JupyterLab only are not on the pages, there
are launch buttons, one search field with excerpts, one previous/next bar, exercise links that
read as titles, and nothing for instructors only.
"""

import ast
import contextlib
import fnmatch
import html
import os
import re
import shutil
import sys
from html.parser import HTMLParser
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
import install_cell  # noqa: E402


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


# The built website (make site builds it, then runs these on it with BP_SITE=_build/site): what
# a learner sees, read from the HTML and, in Chromium with the network off, as a learner sees it.

INSTALL_CELL_FIRST_LINE = install_cell.SOURCE.splitlines()[0]
PAGES_OF_NOTEBOOKS = [
    *(f"notebooks/{path.stem}.html" for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))),
    *(f"exercises/{path.stem}.html" for path in sorted((ROOT / "exercises").glob("[0-9]*.ipynb"))),
]
LESSON_07 = "notebooks/07_backpropagation.html"


def pages(site: Path) -> list[Path]:
    """The pages of the site (not the theme's templates in _static/)."""
    return [path for path in sorted(site.rglob("*.html")) if "_static" not in path.parts]


@pytest.fixture(scope="session")
def site() -> Path:
    built = os.environ.get("BP_SITE")
    if not built:
        pytest.skip("reads the built website: make site runs it (BP_SITE=_build/site)")
    site = Path(built).resolve()
    assert (site / "index.html").is_file(), f"BP_SITE={built}: no website there (make site)"
    return site


class Text(HTMLParser):
    """The text of an HTML page as a reader sees it (no scripts, styles or tags), and its links."""

    SKIP = {"script", "style"}

    def __init__(self, skip_code: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = self.SKIP | ({"pre", "code", "textarea"} if skip_code else set())
        self.depth, self.parts, self.in_link = 0, [], False
        self.links: list[list[str]] = []  # [href, text]

    def handle_starttag(self, tag, attrs):
        if tag in self.skip:
            self.depth += 1
        if tag == "a":
            self.links.append([dict(attrs).get("href") or "", ""])
            self.in_link = True

    def handle_endtag(self, tag):
        if tag in self.skip and self.depth:
            self.depth -= 1
        if tag == "a":
            self.in_link = False

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)
            if self.in_link:
                self.links[-1][1] += data

    @classmethod
    def of(cls, path: Path, skip_code: bool = False) -> "Text":
        parser = cls(skip_code)
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        return parser

    @property
    def text(self) -> str:
        return "".join(self.parts)


def main_text_and_links(path: Path) -> tuple[str, list[list[str]]]:
    """The text and the links of the article alone (no sidebars, header or footer)."""
    html = path.read_text(encoding="utf-8")
    start = html.index('<article class="bd-article"')
    end = html.index("</article>", start)
    parser = Text()
    parser.feed(html[start:end])
    parser.close()
    return parser.text, parser.links


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Chromium is not installed: apt install chromium (.ci/run installs it)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def offline_page(browser):
    """A page of Chromium that reaches nothing but files: every http(s) request is aborted, and
    recorded in page.network_requests."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.network_requests = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("http:", "https:")):
            page.network_requests.append(url)
            request_route.abort()
        else:
            request_route.continue_()

    page.route("**/*", route)
    yield page
    context.close()


def test_every_script_and_style_of_every_page_is_served_with_the_site(site):
    assert len(pages(site)) >= 30
    for path in pages(site):
        html = path.read_text(encoding="utf-8")
        for found in re.finditer(r"<(script|link)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", html):
            tag, url = found.groups()
            if tag == "link" and not re.search(r'rel="(stylesheet|preload)"', found.group(0)):
                continue
            assert not re.match(r"([a-z]+:)?//", url), f"{path.relative_to(site)} loads {url}"
    mathjax = site / "_static" / "mathjax"
    assert (mathjax / "tex-mml-chtml.js").is_file() and (mathjax / "LICENSE").is_file()
    assert len(list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))) >= 20


def test_lesson_07_s_formulas_are_typeset_with_the_network_off(site, offline_page):
    page = offline_page
    page.goto((site / LESSON_07).as_uri())  # returns after the load event: MathJax ran or not
    loaded = page.evaluate("Boolean(window.MathJax && MathJax.startup)")
    assert loaded, f"MathJax did not load; the page asked the network for {page.network_requests}"
    page.evaluate("MathJax.startup.promise")
    formulas = page.locator("article .math").count()
    typeset = page.locator("article .math mjx-container").count()
    assert formulas >= 100, "lesson 07 is a derivation: its formulas are on the page"
    assert typeset == formulas, f"{formulas - typeset} of {formulas} formulas left as TeX"
    text = page.locator("article").inner_text()
    assert "\\(" not in text and "\\[" not in text and "$$" not in text, "raw TeX on the page"
    fonts = page.evaluate(  # MathJax's own fonts, from _static/mathjax/ (unused ones unloaded)
        "document.fonts.ready.then(() => [...document.fonts]"
        ".filter(f => f.family.includes('MJX')).map(f => f.status))"
    )
    assert "loaded" in fonts and "error" not in fonts, f"MathJax's fonts: {fonts}"
    assert page.network_requests == [], f"the page reached out: {page.network_requests}"


def test_the_install_and_navigation_cells_are_for_jupyterlab_only(site):
    for name in PAGES_OF_NOTEBOOKS:
        text, links = main_text_and_links(site / name)
        assert INSTALL_CELL_FIRST_LINE not in text, f"{name}: the install cell is on the page"
        assert 'importlib.util.find_spec("bp_lessons")' not in text, name
        assert "from bp_lessons" in text, f"{name}: the cells after the install cell are gone"
        assert not any(link_text.strip() == "Contents" for _, link_text in links), (
            f"{name}: the notebook's own previous/contents/next links are on the page"
        )
        html = (site / name).read_text(encoding="utf-8")
        assert html.count('class="prev-next-area"') == 1, f"{name}: one previous/next bar"
    # the downloaded notebook keeps both: it is what Colab opens
    download = nbformat.read(site / "_sources" / LESSON_07.replace(".html", ".ipynb"), 4)
    tags = [tag for cell in download.cells for tag in cell.metadata.get("tags", [])]
    assert "install" in tags and "navigation" in tags


def test_every_notebook_has_launch_buttons_and_every_page_links_the_repository(site):
    owner_and_name = install_cell.REPOSITORY.removeprefix("https://github.com/")
    for name in PAGES_OF_NOTEBOOKS:
        html = (site / name).read_text(encoding="utf-8")
        notebook = name.replace(".html", ".ipynb")
        colab = f"https://colab.research.google.com/github/{owner_and_name}/blob/main/{notebook}"
        binder = f"https://mybinder.org/v2/gh/{owner_and_name}/main?urlpath=lab/tree/{notebook}"
        assert f'href="{colab}"' in html, f"{name}: no Colab button"
        assert f'href="{binder}"' in html, f"{name}: no Binder button"
    for path in pages(site):
        if path != site / "index.html":  # the root only redirects
            html = path.read_text(encoding="utf-8")
            assert f'href="{install_cell.REPOSITORY}"' in html, path.relative_to(site)


def test_a_learner_sees_one_search_field_and_one_previous_next_bar(site, offline_page):
    page = offline_page
    page.goto((site / LESSON_07).as_uri())
    fields = page.locator(".search-button-field, input[type=search]")
    visible = [i for i in range(fields.count()) if fields.nth(i).is_visible()]
    assert len(visible) == 1, f"{len(visible)} search fields in view"
    page.keyboard.press("End")
    for link in ("a.left-prev", "a.right-next"):  # the theme's bar: 06 before, 08 after
        assert page.locator(link).count() == 1 and page.locator(link).is_visible(), link
    assert page.locator(".prev-next-footer").count() == 1
    assert page.get_by_role("link", name="Contents", exact=True).count() == 0


def test_search_results_have_excerpts_even_from_disk(site, offline_page):
    page = offline_page
    page.goto((site / "search.html").as_uri() + "?q=backpropagation")
    page.wait_for_function("document.querySelector('#search-results .search-summary')")
    page.wait_for_function(  # "Search finished, found N pages ..."
        "/found/.test(document.querySelector('#search-results .search-summary').innerText)"
    )
    results = page.locator("#search-results li")
    count = results.count()
    assert count >= 10, f"{count} results for backpropagation"
    page.wait_for_function(
        f"document.querySelectorAll('#search-results li p.context').length == {count}"
    )
    excerpts = page.locator("#search-results li p.context").all_inner_texts()
    with_term = [e for e in excerpts if "backprop" in e.lower()]
    assert len(with_term) >= count // 2, f"excerpts without the word searched: {excerpts[:3]}"
    # the formulas in them are typeset (MathJax, served with the site), not shown as TeX
    page.wait_for_function("document.querySelector('#search-results p.context mjx-container')")
    page.wait_for_timeout(1000)  # MathJax typesets the excerpts as they arrive
    excerpts = page.locator("#search-results li p.context").all_inner_texts()
    whole = [e for e in excerpts if re.search(r"\\\(.*?\\\)", e)]
    assert whole == [], f"a whole formula left as TeX: {whole[:2]}"
    assert page.network_requests == []


def test_exercise_links_read_as_their_titles_and_inline_code_is_code(site):
    for path in sorted((site / "notebooks").glob("*.html")):
        _, links = main_text_and_links(path)
        to_exercises = [(href, t.strip()) for href, t in links if "../exercises/" in href]
        for href, link_text in to_exercises:
            assert not re.search(r"\.(ipynb|html)$|^\.\./|^\d\d_\w+$", link_text), (
                f"{path.name}: the link to {href} reads {link_text!r}: run tools/navigation.py"
            )
    for path in pages(site):
        prose = Text.of(path, skip_code=True).text
        assert not re.search(r"`[^`\n]+`", prose), f"{path.relative_to(site)}: literal backticks"


# What is for instructors only: the guide's own sentences, the solutions' own lines, the files of
# instructor/; "own": what no published page holds (the guide repeats
# each lesson's objectives, a solution may be a lesson's reference code, and those are public).
PUBLISHED = [
    *sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")),
    *sorted((ROOT / "exercises").glob("[0-9]*.ipynb")),
    ROOT / "README.md",
    *(path for path in sorted((ROOT / "docs").glob("*.md")) if path.name != "instructor_guide.md"),
    ROOT / "site" / "index.md",
]
TEXT_SUFFIXES = {".html", ".js", ".txt", ".ipynb", ".md", ".py", ".json", ".tex", ".csv", ".yml"}
SMART = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalized(text: str) -> str:
    """Text as it reads, whatever marked it up: markdown, JSON strings, entities, smart quotes."""
    text = text.replace('\\"', '"').replace("\\n", "\n")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a markdown link: its text
    text = html.unescape(text).translate(SMART).replace("\u2026", "...")
    return re.sub(r"\s+", " ", re.sub(r"[`*$|\\#>]+", " ", text))  # `bp_lessons` reads bp_lessons


def segments(text: str, length: int = 40) -> set[str]:
    """The runs of plain words in a text, at least `length` characters long."""
    pieces = re.split(r"[`*$|\\#>\n]|\{|\}|\[|\]", html.unescape(text).translate(SMART))
    return {" ".join(p.split()) for p in pieces if len(" ".join(p.split())) >= length}


def file_text(path: Path) -> str:
    """A file's text; a notebook's: its cells and their outputs' text (a lesson may print the
    source of its reference code, the same lines as a solution's)."""
    if path.suffix == ".ipynb":
        parts = []
        for cell in nbformat.read(path, as_version=4).cells:
            parts.append(cell.source)
            for output in cell.get("outputs", []):
                parts.append(output.get("text", ""))
                data = output.get("data", {})
                parts += [data.get(kind, "") for kind in ("text/plain", "text/markdown")]
        return "\n".join(part if isinstance(part, str) else "".join(part) for part in parts)
    if path.suffix == ".html":
        return Text.of(path).text
    if path.name == "page_texts.js":  # the pages' text as HTML: tags, and <, & escaped
        return re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return path.read_text(encoding="utf-8", errors="replace")


def solution_lines(path: Path) -> str:
    """The lines of an exercise source between nbgrader's solution markers."""
    notebook = nbformat.read(path, as_version=4)
    found = re.findall(
        r"### BEGIN SOLUTION\n(.*?)### END SOLUTION",
        "\n".join(c.source for c in notebook.cells),
        re.S,
    )
    return "\n".join(found)


def private_segments() -> dict[str, set[str]]:
    """For each thing instructors only may read, the runs of its words no published page has."""
    published = normalized("\n".join(file_text(path) for path in PUBLISHED))
    private = {"docs/instructor_guide.md": file_text(ROOT / "docs" / "instructor_guide.md")}
    for path in sorted((ROOT / "exercises" / "source").glob("*.ipynb")):
        private[str(path.relative_to(ROOT))] = solution_lines(path)
    # instructor/'s sources, not the pages `make instructor` builds from them: those quote the
    # public lessons at length (a lesson's blurb in the guide), and what they add, the answer
    # keys, comes from the solutions above and the checks' fixed cases, which learners see too
    for folder in (ROOT / "instructor",):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.suffix in TEXT_SUFFIXES and "_static" not in path.parts:
                private[str(path.relative_to(ROOT))] = file_text(path)
    return {  # a solution's line is short: 25 characters make it its own
        origin: {
            s
            for s in segments(text, 25 if "exercises/source" in origin else 40)
            if normalized(s).strip() not in published
        }
        for origin, text in private.items()
    }


def private_text_on(site: Path, private: dict[str, set[str]]) -> list[str]:
    """Each private run of words that some file of the site holds, as 'file: origin: words'."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in TEXT_SUFFIXES or not path.is_file():
            continue
        if "_static" in path.parts and path.name != "page_texts.js":  # the theme's, MathJax
            continue
        text = normalized(file_text(path))
        for origin, runs in private.items():
            found += [
                f"{path.relative_to(site)}: {origin}: {run}"
                for run in runs
                if normalized(run).strip() in text
            ]
    return found


def test_the_check_for_instructors_text_finds_it_on_a_site(tmp_path):
    private = private_segments()
    guide = private["docs/instructor_guide.md"]
    assert len(guide) >= 50, "the guide's own sentences: enough to tell it from the lessons"
    assert sum(len(runs) for origin, runs in private.items() if "source" in origin) >= 20
    sentence = sorted(guide)[len(guide) // 2]
    write_page(tmp_path / "notebooks" / "01.html", "<p>a lesson, nothing private</p>")
    assert private_text_on(tmp_path, private) == []
    marked_up = html.escape(sentence).replace(" ", "\n <em>", 1) + "</em>"
    write_page(tmp_path / "docs" / "guide.html", f"<p>{marked_up}</p>")
    assert private_text_on(tmp_path, private) == [
        f"docs/guide.html: docs/instructor_guide.md: {sentence}"
    ]


def test_nothing_for_instructors_only_is_on_the_site(site):
    for path in site.rglob("*"):
        name = path.relative_to(site).as_posix()
        assert "instructor" not in name and "exercises/source" not in name, name
    assert private_text_on(site, private_segments()) == []
