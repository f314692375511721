"""Write the links between the lessons, or check that they are current.

    .venv/bin/python tools/navigation.py           # rewrite what is stale
    .venv/bin/python tools/navigation.py --check   # exit 1 and name what is stale

It writes the last cell of every lesson (tagged "navigation": previous · contents · next), the
contents table of 00_start_here.ipynb (the cell tagged "contents") and the lesson table of
README.md (between <!-- lessons --> and <!-- /lessons -->). Each lesson's title is the "# " line
of its first cell, its one-line description the first "> " line there; each exercise's title
the "# " line of its student copy. A link to a lesson's exercise that reads as a file name
(the pointer at the end of the lesson, [`../exercises/07_backpropagation.ipynb`](...)) is given
the exercise's title as its text; any other text a link to it has is left as written.
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
START = "00_start_here.ipynb"


def lessons(root: Path) -> list[Path]:
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def title_and_description(notebook: nbformat.NotebookNode) -> tuple[str, str]:
    first = notebook.cells[0].source if notebook.cells else ""
    title = re.search(r"^# (.+)$", first, re.MULTILINE)
    description = re.search(r"^> (.+)$", first, re.MULTILINE)
    return (title.group(1).strip() if title else "?", description.group(1) if description else "")


def navigation(names: list[str], titles: list[str], i: int) -> str:
    links = []
    if i > 0:
        links.append(f"[← {titles[i - 1]}]({names[i - 1]})")
    if names[i] != START:
        links.append(f"[Contents]({START})")
    if i + 1 < len(names):
        links.append(f"[{titles[i + 1]} →]({names[i + 1]})")
    return "---\n" + " · ".join(links)


def table(root: Path, paths: list[Path], infos: list[tuple[str, str]], prefix: str) -> str:
    rows = ["| lesson | what it does | exercise |", "|---|---|---|"]
    for path, (title, description) in zip(paths, infos):
        exercise = root / "exercises" / path.name
        number = path.name[:2]
        link = f"[Exercise {number}]({prefix}exercises/{path.name})" if exercise.exists() else "—"
        rows.append(f"| [{title}]({prefix}notebooks/{path.name}) | {description} | {link} |")
    return "\n".join(rows)


def name_exercise_links(notebook: nbformat.NotebookNode, name: str, title: str) -> bool:
    """Give every link to ../exercises/`name` whose text is its file name (in backticks or not,
    with or without the folder) the exercise's title instead; True if that changed anything."""
    target = re.escape(f"../exercises/{name}")
    file_name = rf"`?(?:\.\./exercises/)?{re.escape(name)}`?"
    link = re.compile(rf"\[{file_name}\]\({target}(#[^)\s]*)?\)")
    named = f"[{title}](../exercises/{name}"
    changed = False
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        source = link.sub(lambda found: f"{named}{found.group(1) or ''})", cell.source)
        changed, cell.source = changed or source != cell.source, source
    return changed


def set_tagged_cell(notebook: nbformat.NotebookNode, tag: str, source: str, append: bool) -> bool:
    """Give the markdown cell tagged `tag` this source; True if that changed anything."""
    for cell in notebook.cells:
        if tag in cell.metadata.get("tags", []):
            changed, cell.source = cell.source != source, source
            return changed
    if append:
        notebook.cells.append(nbformat.v4.new_markdown_cell(source, metadata={"tags": [tag]}))
    return append


def update(root: Path = ROOT, check: bool = False) -> list[str]:
    """Bring every link up to date (or only look, with check=True); return what was stale."""
    paths = lessons(root)
    notebooks = [nbformat.read(path, as_version=4) for path in paths]
    infos = [title_and_description(notebook) for notebook in notebooks]
    names, titles = [path.name for path in paths], [title for title, _ in infos]
    stale = []
    for i, (path, notebook) in enumerate(zip(paths, notebooks)):
        changed = set_tagged_cell(notebook, "navigation", navigation(names, titles, i), True)
        exercise = root / "exercises" / path.name
        if exercise.exists():
            exercise_title, _ = title_and_description(nbformat.read(exercise, as_version=4))
            changed |= name_exercise_links(notebook, path.name, exercise_title)
        if path.name == START:
            contents = table(root, paths, infos, prefix="../")
            changed |= set_tagged_cell(notebook, "contents", contents, False)
        if changed:
            stale.append(str(path.relative_to(root)))
            if not check:
                nbformat.write(notebook, path)
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    lesson_table = "<!-- lessons -->\n" + table(root, paths, infos, "") + "\n<!-- /lessons -->"
    new_text = re.sub(r"<!-- lessons -->.*?<!-- /lessons -->", lesson_table, text, flags=re.S)
    if new_text != text:
        stale.append("README.md")
        if not check:
            readme.write_text(new_text, encoding="utf-8")
    return stale


if __name__ == "__main__":
    check = "--check" in sys.argv[1:]
    stale = update(check=check)
    for name in stale:
        print(f"{'stale' if check else 'updated'}: {name}")
    sys.exit(1 if check and stale else 0)
