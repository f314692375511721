"""Check every internal link of the built website: each must reach a file, and its #anchor an id.

    .venv/bin/python tools/check_links.py [_build/site]

Reads every .html page under the folder (not the theme's files in _static/) and follows each
href and src of a, link, img, script, source and iframe, and the URL of a <meta
http-equiv="refresh">. A link with a scheme (https:, mailto:, data:, ...) or starting with // is
external and not checked: there is no internet. A relative or root-relative link must name a
file inside the folder (a folder: its index.html); its fragment, if any, must be an id (or an
<a name>) in that page. Exit 1 and name every page and link that breaks; exit 0 and say how many
were checked otherwise.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src"}
LINKING |= {"iframe": "src", "area": "href"}
REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)


class Page(HTMLParser):
    """The links and the anchors (ids and <a name>) of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.anchors.add(values["id"])
        if tag == "a" and "name" in values:
            self.anchors.add(values["name"])
        if tag in LINKING and LINKING[tag] in values:
            self.links.append(values[LINKING[tag]])
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            found = REFRESH_URL.search(values.get("content", ""))
            if found:
                self.links.append(found.group(1).strip())


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def broken_links(site: Path) -> tuple[list[str], int]:
    """Every broken internal link as 'page: link (why)', and how many links were checked."""
    site = site.resolve()
    paths = [path for path in sorted(site.rglob("*.html")) if "_static" not in path.parts]
    pages = {path: parse(path) for path in paths}
    problems, checked = [], 0
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # external: not checked
            checked += 1
            name = path.relative_to(site)
            if parts.path.startswith("/"):
                target = site / unquote(parts.path).lstrip("/")
            elif parts.path:
                target = path.parent / unquote(parts.path)
            else:
                target = path  # "#anchor": this page
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            if target != site and site not in target.parents:
                problems.append(f"{name}: {link} (leaves the site)")
            elif not target.is_file():
                problems.append(f"{name}: {link} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                anchors = pages[target].anchors if target in pages else parse(target).anchors
                if unquote(parts.fragment) not in anchors:
                    problems.append(f"{name}: {link} (no anchor #{parts.fragment})")
    return list(dict.fromkeys(problems)), checked  # a link repeated on a page, named once


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "_build/site")
    if not (site / "index.html").is_file():
        print(f"{site}: no index.html; build the site first (make site)", file=sys.stderr)
        return 1
    problems, checked = broken_links(site)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} broken internal links of {checked} in {site}", file=sys.stderr)
        return 1
    print(f"{checked} internal links in {site}: all reach their page and anchor")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
