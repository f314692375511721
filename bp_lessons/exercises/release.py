"""Student copies of the exercise notebooks, written from the sources with solutions.

    python -m bp_lessons.exercises release                 # every exercises/source/*.ipynb
    python -m bp_lessons.exercises release exercises/source/04_chain_rule.ipynb
    python -m bp_lessons.exercises release --out handout/ --no-execute
    python -m bp_lessons.exercises release --graded [--no-hints] --out graded/
    python -m bp_lessons.exercises release --graded --keep-solutions --out course/source/ps1/

A source notebook `exercises/source/NN_slug.ipynb` holds each solution between a
`### BEGIN SOLUTION` and an `### END SOLUTION` line, in the answer cells (nbgrader metadata
`"solution": true`). Its student copy, `exercises/NN_slug.ipynb` unless `--out` says otherwise,

- replaces each such block, markers included, by
  `raise NotImplementedError("Exercise N.k: write <function>")` at the block's indentation;
- clears every output and execution count (a source's outputs show the solutions at work);
- points relative links one folder up less: `../../notebooks/` becomes `../notebooks/`.

A copy that leaves the repository's layout (`--graded` copies handed out, and with
`--keep-solutions` the nbgrader sources, whose student copies a learner fetches into
`~/<course>/<assignment>/`, where no `notebooks/` folder is beside them) links to its lesson on
the web instead: `--lessons-url` (default: the lesson on GitHub, which shows a notebook with its
outputs), a URL with `{name}` (`04_chain_rule.ipynb`) or `{stem}` (`04_chain_rule`) in it, e.g.
`https://course.example/notebooks/{stem}.html` for a course's copy of the website.

Then it executes the copy top to bottom in a fresh kernel, as `tools/execute.py` does (no timing
metadata), so that every check shows "not attempted". That executed file is what the repository
commits: **committed student copy = release output, executed**. `tests/test_release.py` holds the
two halves to it: the committed copy with outputs and execution counts removed must equal
`student_copy(source)` exactly, and nbval (strict, in `make test`) re-executes the committed copy
and compares every output. `--no-execute` writes the copy without outputs, for a course that
executes or converts it itself (executing needs `nbclient` and `ipykernel`, in the `test` extra).

`--graded` writes copies for graded work: their setup cell calls `graded_course()`, after which
`q.solution()` says politely that solutions are off (and `q.hint()` too, with `--no-hints`).
`--keep-solutions` writes the graded sources themselves instead, for an nbgrader course's source
folder: nbgrader then writes the student copies.
"""

import argparse
import copy
import re
import sys
import time
from pathlib import Path

try:
    import nbformat
except ImportError:  # not a dependency of the package itself; the lab and test extras bring it
    raise ImportError(
        "the release command reads and writes notebooks with nbformat: pip install -e '.[test]'"
    ) from None

from bp_lessons.exercises import tasks

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
DEFAULT_SOURCES = Path("exercises") / "source"
# The lessons on the web, for copies that travel without them: the repository is the one
# tools/install_cell.py names (tests/test_release_links.py holds the two together)
LESSONS_URL = "https://github.com/bp-lessons/bp-lessons/blob/main/notebooks/{name}"
# a markdown link to a lesson, as a source (../../notebooks/) or a student copy (../notebooks/)
LESSON_LINK = re.compile(r"\]\((?:\.\./)+notebooks/(([0-9][0-9]_\w+)\.ipynb)(#[^)\s]*)?\)")


GRADED = (
    "\n\nfrom bp_lessons.exercises import graded_course\n\n"
    "graded_course(hints={hints})  # set by your instructor: graded work, no solutions shown"
)


def student_copy(
    source: nbformat.NotebookNode, graded: bool = False, hints: bool = True
) -> nbformat.NotebookNode:
    """The student copy of a source notebook: solutions become stubs, outputs go; for a graded
    course, the setup cell turns `solution()` (and, without hints, `hint()`) off."""
    notebook = copy.deepcopy(source)
    if graded:
        make_graded(notebook, hints)
    exercise = notebook.metadata.get("bp_lessons", {}).get("exercise")
    its_tasks = {f"q{k}": task for k, task in enumerate(tasks(exercise), 1)}
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        has_solution = BEGIN in cell.source or END in cell.source
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if has_solution and not (cell.cell_type == "code" and grading.get("solution")):
            raise ValueError(
                f"cell {grading.get('grade_id', cell.get('id'))!r} of exercise {exercise} holds "
                f"a solution block but is not an answer cell (nbgrader solution: true)"
            )
        if has_solution:
            task = its_tasks.get(grading.get("grade_id"))
            if task is None:
                raise ValueError(f"answer cell {grading.get('grade_id')!r} names no task")
            cell.source = stub_out(cell.source, task.number, task.function)
        elif cell.cell_type == "markdown":
            cell.source = cell.source.replace("](../../", "](../")
    return notebook


def link_lessons_to(notebook: nbformat.NotebookNode, url: str) -> int:
    """Point every markdown link to a lesson at `url`, its `{name}` or `{stem}` filled in (an
    `#anchor` kept); returns how many links it changed."""
    if not re.match(r"https?://", url) or not ("{name}" in url or "{stem}" in url):
        raise ValueError(
            f"--lessons-url must be an http(s) address with {{name}} or {{stem}} in it, "
            f"e.g. {LESSONS_URL}; got {url!r}"
        )
    changed = 0
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue

        def absolute(match: re.Match) -> str:
            name, stem, anchor = match[1], match[2], match[3] or ""
            return "](" + url.replace("{name}", name).replace("{stem}", stem) + anchor + ")"

        cell.source, count = LESSON_LINK.subn(absolute, cell.source)
        changed += count
    return changed


def make_graded(notebook: nbformat.NotebookNode, hints: bool) -> None:
    """Add the call to `graded_course` at the end of the setup cell."""
    setup = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
    if len(setup) != 1:
        raise ValueError("a graded copy needs the notebook's one setup cell (grade_id setup)")
    setup[0].source = setup[0].source.rstrip("\n") + GRADED.format(hints=hints)


def stub_out(source: str, number: str, function: str) -> str:
    """Replace every BEGIN/END SOLUTION block, markers included, by a stub at its indentation."""
    lines, out, inside = source.split("\n"), [], False
    for i, line in enumerate(lines, 1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"line {i}: {BEGIN} inside another solution block")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("Exercise {number}: write {function}")')
        elif marker == END:
            if not inside:
                raise ValueError(f"line {i}: {END} without a {BEGIN} before it")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"a {BEGIN} has no {END}")
    return "\n".join(out)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_PLACEHOLDER = "Interactive widget: run this cell in JupyterLab to use it."


def execute(path: Path) -> float:
    """Run a notebook top to bottom in a fresh kernel (this environment's Python, in the
    notebook's folder, as nbval runs it) and save it with its outputs, byte-stable; seconds.

    The lessons use it too, through tools/execute.py.
    """
    try:
        from nbclient import NotebookClient
    except ImportError:
        raise SystemExit(
            "executing notebooks needs nbclient and ipykernel: pip install -e '.[test]', "
            "or write student copies without outputs with --no-execute"
        ) from None
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    make_stable(notebook)
    nbformat.write(notebook, path)
    return seconds


def make_stable(notebook: nbformat.NotebookNode) -> None:
    """Drop what differs between two runs of the same code: widget ids and state (a widget's
    output becomes a short text saying to run the cell; such cells carry the tag
    `nbval-ignore-output`), the chunking of printed text (the kernel splits one cell's
    stream at random places), and the Python version that ran it (every supported Python
    writes the same bytes)."""
    notebook.metadata.pop("widgets", None)
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        outputs = []
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"] = {"text/plain": WIDGET_PLACEHOLDER}
            previous = outputs[-1] if outputs else None
            same_stream = previous is not None and previous.output_type == "stream"
            if output.output_type == "stream" and same_stream and previous.name == output.name:
                previous.text += output.text
            else:
                outputs.append(output)
        if "outputs" in cell:
            cell.outputs = outputs


def release(
    source: Path,
    out: Path | None = None,
    run: bool = True,
    graded: bool = False,
    hints: bool = True,
    keep_solutions: bool = False,
    lessons_url: str | None = None,
) -> Path:
    """Write the student copy of one source notebook (into out, or the folder above its own).

    `keep_solutions` writes the source itself, graded (for an nbgrader course's source folder,
    from which nbgrader makes its own student copies). A graded copy, or any copy given a
    `lessons_url`, links to its lessons at that URL (default `LESSONS_URL`), not beside it.
    """
    if lessons_url is None and (graded or keep_solutions):
        lessons_url = LESSONS_URL
    target = (out or source.resolve().parent.parent) / source.name
    if target.resolve() == source.resolve():
        raise ValueError(f"the student copy of {source} would overwrite it: give --out")
    notebook = nbformat.read(source, as_version=4)
    if keep_solutions:
        make_graded(notebook, hints)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        run = False
    else:
        notebook = student_copy(notebook, graded, hints)
    if lessons_url is not None:
        link_lessons_to(notebook, lessons_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    if run:
        execute(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bp_lessons.exercises",
        description="Write the student copies of exercise notebooks (solutions become stubs).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("release", help="write student copies of source notebooks")
    command.add_argument(
        "sources", nargs="*", type=Path, help=f"source notebooks (default: {DEFAULT_SOURCES}/*)"
    )
    command.add_argument("--out", type=Path, help="folder for the copies (default: the one above)")
    command.add_argument("--no-execute", action="store_true", help="write them without outputs")
    command.add_argument(
        "--graded", action="store_true", help="for graded work: solution() says it is off"
    )
    command.add_argument("--no-hints", action="store_true", help="with --graded: hint() too")
    command.add_argument(
        "--keep-solutions",
        action="store_true",
        help="with --graded: write the sources themselves, graded, for an nbgrader course's "
        "source folder (nbgrader writes the student copies)",
    )
    command.add_argument(
        "--lessons-url",
        help="link the lessons at this URL, with {name} or {stem} (default for --graded: "
        "the lesson on GitHub); for copies that travel without the notebooks/ folder",
    )
    args = parser.parse_args(argv)
    if (args.no_hints or args.keep_solutions) and not args.graded:
        parser.error("--no-hints and --keep-solutions go with --graded")
    if args.keep_solutions and not args.out:
        parser.error("--keep-solutions needs --out (it would overwrite the sources)")
    sources = args.sources or sorted(DEFAULT_SOURCES.glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        parser.error(
            f"no notebooks in {DEFAULT_SOURCES}/: run this in the repository, or name them"
        )
    for source in sources:
        if not source.is_file():
            parser.error(f"{source}: no such notebook")
        start = time.perf_counter()
        try:
            target = release(
                source,
                args.out,
                run=not args.no_execute,
                graded=args.graded,
                hints=not args.no_hints,
                keep_solutions=args.keep_solutions,
                lessons_url=args.lessons_url,
            )
        except (ValueError, nbformat.ValidationError) as error:
            print(f"{source}: {error}", file=sys.stderr)
            return 1
        print(f"{source} -> {target} ({time.perf_counter() - start:.1f} s)")
    return 0
