"""Reading a submitted exercise notebook: which exercise it is, and its graded cells.

The file is only parsed as JSON here, never run. The exercise comes from the notebook's metadata
(`metadata["bp_lessons"]["exercise"]`), never from the file name. The graded cells are the setup
cell and the answer cells, found by their nbgrader `grade_id` ("setup", "q1", "q2", ...); check
cells and the learner's scratch cells are never run.
"""

import ast
import errno
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20 * 2**20  # a larger file is not an exercise notebook (outputs included)
MAX_SOURCE_CHARS = 2**20  # all graded cells together
MAX_GRADED_CELLS = 100  # an exercise has a setup cell and one answer cell per task
ANSWER = re.compile(r"q([1-9][0-9]?)")
CHECK = re.compile(r"q([1-9][0-9]?)_check")
# an assignment to q<k>.check or to q<k> itself, setattr on it, or a `del` of either
REBINDING = re.compile(
    r"(?:^|[^\w.])q([1-9][0-9]?)\s*(?:\.\s*check\s*)?(?:=(?!=)|:=)"
    r"|setattr\s*\(\s*q([1-9][0-9]?)\b|\bdel\s+q([1-9][0-9]?)\b",
    re.MULTILINE,
)

# the first bytes of files that get renamed .ipynb by mistake
SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or a Word/Excel file)",
    b"\x1f\x8b": "a gzip archive",
}


class NotGradable(ValueError):
    """The file cannot be graded; the message says why, to the learner and the instructor."""


@dataclass
class Cell:
    grade_id: str  # "setup", "q1", "q2", ...
    source: str  # Python source, IPython magics already turned into `pass`


@dataclass
class Submission:
    exercise: str
    cells: list[Cell]  # the graded cells, in notebook order
    checks: dict[int, str] | None = None  # task k -> its check cell's source (None: not read)
    rebound: set[int] = field(default_factory=set)  # tasks whose check some cell rebinds

    def answer(self, k: int) -> bool:
        return any(cell.grade_id == f"q{k}" for cell in self.cells)

    def cells_for(self, k: int) -> list[Cell]:
        """What runs for task k: the setup cell and the answer cells q1..qk, in notebook order."""
        wanted = {"setup", *(f"q{i}" for i in range(1, k + 1))}
        return [cell for cell in self.cells if cell.grade_id in wanted]


def read_submission(path: Path, follow: bool = False) -> Submission:
    """Parse a submitted file; NotGradable says what is wrong with it.

    A symbolic link is not followed unless `follow`; a pipe or a device is never read from
    (it is opened without blocking, and only a regular file is read).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotGradable("a symbolic link, not a notebook: links are not followed") from None
        raise NotGradable(f"cannot read the file: {error.strerror or error}") from None
    with open(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotGradable("not a regular file: a folder, a pipe or a device")
        try:
            data = file.read(MAX_BYTES + 1)
        except OSError as error:
            raise NotGradable(f"cannot read the file: {error.strerror or error}") from None
    return parse_submission(data)


def parse_submission(data: bytes) -> Submission:
    notebook = parse_notebook(data)
    metadata = notebook.get("metadata")
    about = metadata.get("bp_lessons") if isinstance(metadata, dict) else None
    exercise = about.get("exercise") if isinstance(about, dict) else None
    if not isinstance(exercise, str) or not exercise:
        raise NotGradable(
            'the notebook does not say which exercise it is (metadata "bp_lessons" → "exercise" '
            "is missing): submit the exercise notebook you were given, not a new one"
        )
    graded = [(grade_id, raw) for raw in notebook["cells"] if (grade_id := graded_id(raw))]
    if len(graded) > MAX_GRADED_CELLS:
        raise NotGradable(
            f"{len(graded):,} cells are marked as setup or answer cells (nbgrader grade_id), "
            f"more than {MAX_GRADED_CELLS}: an exercise has one setup cell and one answer "
            "cell per task (a copied cell keeps its grade_id: delete the copies)"
        )
    sources = [(grade_id, cell_source(grade_id, raw)) for grade_id, raw in graded]
    if sum(len(source) for _, source in sources) > MAX_SOURCE_CHARS:
        raise NotGradable(f"the graded cells hold more than {MAX_SOURCE_CHARS:,} characters")
    cells = [Cell(i, without_magics(s)) for i, s in sources]
    checks, rebound = check_cells(notebook["cells"])
    return Submission(exercise[:100], cells, checks, rebound)


def check_cells(raw_cells: list) -> tuple[dict[int, str], set[int]]:
    """The check cells (grade_id q<k>_check) by task, and the tasks whose check object some
    code cell rebinds (`q3.check = lambda fn: None`, `q3 = ...`): for the instructor, since
    nbgrader gives a task its points when its check cell runs without an error."""
    checks: dict[int, str] = {}
    rebound: set[int] = set()
    for raw in raw_cells:
        if not isinstance(raw, dict) or raw.get("cell_type") != "code":
            continue
        metadata = raw.get("metadata")
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        try:
            source = cell_source("check", raw)
        except NotGradable:
            continue
        match = CHECK.fullmatch(grade_id) if isinstance(grade_id, str) else None
        if match:
            checks[int(match.group(1))] = source
        rebound |= {int(k) for found in REBINDING.findall(source) for k in found if k}
        rebound |= rebinding(source)
    return checks, rebound


# what lets a cell change a check without naming q<k> (or every check at once)
INDIRECT = {"setattr", "delattr", "exec", "eval", "compile", "globals", "locals", "vars",
            "__import__", "builtins", "__builtins__"}  # fmt: skip
CHECKS_CODE = {"Task", "CheckFailed", "GradedTask", "evaluate", "judge"}
# what a check calls on itself: assigned on any object, it may be a check's (q = q1; q.run = f)
TASK_METHODS = {"check", "evaluate", "judge", "judge_error", "run", "explain", "cases",
                "parts_off", "rules", "prepare", "reproduces", "advice"}  # fmt: skip
UNSEEN = {"__dict__", "__setattr__", "__delattr__", "__globals__", "Task"}
UNSEEN |= {"__code__", "__func__", "__builtins__", "GradedTask"}
UNSEEN |= {"setattr", "delattr", "exec", "globals", "__import__"}  # builtins.setattr(...)


def rebinding(source: str) -> set[int]:
    """The tasks k whose check object this cell may rebind, read from its syntax tree (0: every
    task's): an assignment, `del`, loop or `with` target, walrus or import that binds q<k> (the
    setup cell's own import of the exercise's tasks excepted), a store to any `.check`
    (`m.q1.check = ...` too), anything that reaches the checks' code (`Task`, `CheckFailed`)
    or that can bind names unseen (`setattr`, `exec`, `globals()`, `vars()`, `__dict__`,
    `__class__`). A regular expression sees only the plainest of these."""
    try:
        tree = ast.parse(without_magics(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            match = ANSWER.fullmatch(node.id)
            found |= {int(match.group(1))} if match else set()
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            tasks = {int(m.group(1)) for n in ast.walk(node) if isinstance(n, ast.Name)
                     for m in [ANSWER.fullmatch(n.id)] if m}  # fmt: skip
            if node.attr in TASK_METHODS or tasks:
                found |= tasks or {0}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            module = getattr(node, "module", None) or ""
            for alias in node.names:
                bound = alias.asname or alias.name
                match = ANSWER.fullmatch(bound)
                if match and (alias.asname or not module.startswith("bp_lessons.exercises.")):
                    found.add(int(match.group(1)))
                if alias.name in CHECKS_CODE or "check" in (module + "." + alias.name).split("."):
                    found.add(0)
        elif unseen(node):
            found.add(0)
    return found


def unseen(node: ast.AST) -> bool:
    """A name or attribute that reaches the checks' code or binds names unseen."""
    if isinstance(node, ast.Name):
        return node.id in INDIRECT or node.id in CHECKS_CODE
    return isinstance(node, ast.Attribute) and node.attr in UNSEEN  # re.compile is fine


def parse_notebook(data: bytes) -> dict:
    """The notebook's JSON as a dict, or NotGradable naming what the file is instead."""
    if len(data) > MAX_BYTES:
        raise NotGradable(f"the file is larger than {MAX_BYTES // 2**20} MB: not an exercise")
    if not data.strip():
        raise NotGradable("the file is empty: save the notebook in Jupyter, then submit it again")
    kind = next((kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), None)
    if kind:
        raise NotGradable(f"the file is {kind}, not a Jupyter notebook (.ipynb)")
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError) as error:
        detail = f" ({error.msg}, line {error.lineno})" if hasattr(error, "lineno") else ""
        raise NotGradable(
            f"the file is not a Jupyter notebook: it is not valid JSON{detail}"
        ) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        if isinstance(notebook, dict) and "worksheets" in notebook:
            raise NotGradable("the notebook is in the old format 3: open it in Jupyter, save it")
        raise NotGradable('the file is JSON but not a Jupyter notebook (no "cells" list)')
    return notebook


def graded_id(raw: object) -> str:
    """The grade_id of a setup or answer cell; "" for every other cell (check, markdown,
    scratch)."""
    if not isinstance(raw, dict) or raw.get("cell_type") != "code":
        return ""
    metadata = raw.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    if not isinstance(grade_id, str) or not (grade_id == "setup" or ANSWER.fullmatch(grade_id)):
        return ""
    return grade_id


def cell_source(grade_id: str, raw: dict) -> str:
    source = raw.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise NotGradable(f"cell {grade_id} is damaged: its source is not text")
    return source


HELP = re.compile(r"\?{1,2}[\w.]+|[\w.]+\?{1,2}")  # IPython's help: `np.exp?`, `??sigmoid`


def without_magics(source: str) -> str:
    """IPython's `%magic`, `!shell` and `name?` help lines become `pass`, when the cell is not
    Python as it is (the notebook runs them; what they show is not graded)."""
    try:
        ast.parse(source)
        return source
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = source.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or HELP.fullmatch(stripped.rstrip()):
            lines[i] = line[: len(line) - len(stripped)] + "pass  # " + stripped
    return "\n".join(lines)
