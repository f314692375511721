"""Which files are submissions, and a safe, unique name for each one's folder of results.

A file named on the command line is always graded, whatever it is (the instructor chose it).
Inside a folder (searched recursively) a file is a submission when its name contains ".ipynb",
in any case: "ex.ipynb", "ex.IPYNB", and the names browsers and LMSs give renamed notebooks,
"ex.ipynb.json", "ex.ipynb.txt", "ex.ipynb (1)". Nothing inside a folder is followed: a
symbolic link or a special file (a pipe, a device) named like a notebook gets its own row with
0 and the reason, and is never opened, so a link to another student's file or to the solutions
scores nothing and takes nobody's row. Everything else is listed as skipped, with the reason:
hidden files and folders (".ipynb_checkpoints" holds Jupyter's autosaves), "__MACOSX", files
that are not notebooks by name (a README, a ZIP to unpack first). The output folder is skipped
when it lies inside a submitted folder. Every path keeps its row, whatever bytes its name holds.
"""

import os
import re
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MAX_NAME = 80
MAX_DEPTH = 20  # folders below a submitted folder
# control characters (a terminal's escapes, a bare carriage return in a CSV) and the characters
# that reorder text (a right-to-left override makes a name read as another)
UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NBGRADER_TIMESTAMP = "nbgrader's record of the submission time"  # submitted/<student>/<ps>/
RESERVED = {"grades.csv", "skipped.txt", "gradebook.csv", "run.json", "feedback"}  # its own files


@dataclass
class Found:
    """A submission: its file, its results folder's name, and why it is not opened, if so."""

    path: Path
    name: str
    problem: str = ""  # "" when it is to be read
    follow: bool = False  # named on the command line: a link there is the instructor's own
    relative: Path = Path()  # its path under the folder it was found in (or its own name)

    @property
    def student(self) -> str:
        """Whose it is, by its path: the first folder under the submitted folder, else the
        file's name without .ipynb (gradebook.py matches it against a roster)."""
        parts = [shown(part) for part in self.relative.parts]
        if len(parts) > 1:
            return parts[0]
        return re.sub(r"\.ipynb.*$", "", parts[-1], flags=re.IGNORECASE) or parts[-1]


def collect(
    paths: list[Path], out: os.stat_result | None = None
) -> tuple[list[Found], list[tuple[Path, str]]]:
    """Every submission, each with a unique name; (path, why) for what was skipped.

    `out` is the output folder's stat, to skip it where it lies inside a submitted folder.
    """
    found: list[Found] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():  # a folder named on the command line is followed: the instructor's
            for file, why, kind in walk(path, out):
                if kind == "skip":
                    skipped.append((file, why))
                else:
                    relative = nbgrader_relative(path, file.relative_to(path))
                    found.append(Found(file, name_for(relative), why, relative=relative))
        else:
            found.append(
                Found(path, name_for(Path(path.name)), follow=True, relative=Path(path.name))
            )
    seen, unique = set(), []
    for entry in found:  # the same path named twice is graded once
        if os.path.abspath(entry.path) not in seen:
            seen.add(os.path.abspath(entry.path))
            unique.append(entry)
    return deduplicated(unique), skipped


def nbgrader_relative(folder: Path, relative: Path) -> Path:
    """A path under nbgrader's submitted/<student>/<assignment>/ (an assignment folder holds
    nbgrader's timestamp.txt) made to start with the student's folder, whichever of these
    folders was named: submitted/alice/ps1/01.ipynb is alice's, from submitted/alice too."""
    parts = relative.parts
    if len(parts) == 2 and os.path.isfile(folder / parts[0] / "timestamp.txt"):
        return Path(folder.name) / relative  # the folder named is the student's
    if len(parts) == 1 and os.path.isfile(folder / "timestamp.txt"):
        return Path(folder.parent.name) / folder.name / relative  # the assignment's
    return relative


def cap_per_student(
    found: list[Found], most: int, owner: Callable[[Found], str] | None = None
) -> list[Found]:
    """Past `most` notebooks of one student, the rest are not read: a row of 0 each that says
    so (hundreds of looping notebooks would hold a class run for hours). Whose a notebook is:
    `owner(found)`, the student the gradebook credits it to (with a roster, the one it
    matches: mallory-1 ... mallory-25.ipynb are all mallory's), else `Found.student`."""
    counts: dict[str, int] = {}
    for entry in found:
        who = (owner(entry) if owner else entry.student).lower()
        counts[who] = counts.get(who, 0) + 1
        if counts[who] > most and not entry.problem:
            entry.problem = (
                f"more than {most} notebooks from {entry.student}: not graded (hand in the "
                "ones that count)"
            )
    return found


def walk(folder: Path, out: os.stat_result | None) -> list[tuple[Path, str, str]]:
    """Every entry under folder: (path, why, "graded" or "skip"), in path order; links are
    never followed, and a folder deeper than MAX_DEPTH is skipped, not searched (a loop over a
    stack, not recursion: no tree is too deep for it)."""
    entries, stack = [], [(folder, 0)]
    while stack:
        root, depth = stack.pop()
        try:
            with os.scandir(root) as found:
                children = sorted(found, key=lambda entry: os.fsencode(entry.name))
        except OSError as error:
            entries.append((root, f"cannot be read: {error.strerror}", "skip"))
            continue
        folders = []
        for entry in children:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if why := skipped_folder(path, out):
                    entries.append((path, why, "skip"))
                elif depth >= MAX_DEPTH:
                    entries.append((path, f"deeper than {MAX_DEPTH} folders: not searched", "skip"))
                else:
                    folders.append((path, depth + 1))
            else:
                entries.append(judged_file(path))  # a link to a folder included, as a link
        stack += reversed(folders)
    return sorted(entries, key=lambda entry: os.fsencode(entry[0]))


def skipped_folder(folder: Path, out: os.stat_result | None) -> str:
    if out is not None and same_file(folder, out):
        return "the output folder"
    if folder.name.startswith("."):
        return "a hidden folder (.ipynb_checkpoints holds Jupyter's autosaves, not submissions)"
    if folder.name == "__MACOSX":
        return "macOS zip metadata"
    return ""


def judged_file(path: Path) -> tuple[Path, str, str]:
    """(path, why, kind): a notebook by name is graded (why = "" when it is a regular file)."""
    if path.name.startswith("."):
        return path, "a hidden file", "skip"
    if path.name == "timestamp.txt":
        return path, NBGRADER_TIMESTAMP, "skip"
    if ".ipynb" not in path.name.lower():
        return path, "not a notebook by its name (name it on the command line to grade it)", "skip"
    try:
        mode = os.lstat(path).st_mode
    except OSError as error:
        return path, f"cannot be read: {error.strerror}", "graded"
    if stat.S_ISLNK(mode):
        return path, "a symbolic link, not a notebook: links are not followed", "graded"
    if not stat.S_ISREG(mode):
        return path, "not a regular file (a folder, a pipe or a device)", "graded"
    return path, "", "graded"


def same_file(path: Path, other: os.stat_result) -> bool:
    try:
        mine = os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (other.st_dev, other.st_ino)


def shown(path: Path | str) -> str:
    """A path as text that can always be printed and written, and shows what it is: bytes that
    are not UTF-8 appear as \\xNN, control and reordering characters as \\uNNNN."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return UNSHOWN.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def name_for(relative: Path) -> str:
    """A folder name from a submission's path: ASCII letters, digits, '.', '_', '-' only."""
    parts = [shown(part) for part in relative.parts]
    parts[-1] = re.sub(r"\.ipynb.*$", "", parts[-1], flags=re.IGNORECASE) or parts[-1]
    text = unicodedata.normalize("NFKD", "__".join(parts)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text)
    text = re.sub(r"^[^A-Za-z0-9]+", "", text)[:MAX_NAME].rstrip("._-")
    return text or "submission"


def deduplicated(found: list[Found]) -> list[Found]:
    """Names made unique (case-insensitively, as on macOS) with -2, -3, ... in path order."""
    taken = set(RESERVED)
    result = []
    for entry in sorted(found, key=lambda entry: os.fsencode(entry.path)):
        unique, n = entry.name, 1
        while unique.lower() in taken:
            n += 1
            unique = f"{entry.name}-{n}"
        taken.add(unique.lower())
        entry.name = unique
        result.append(entry)
    return result
