"""Which files are submissions, and a safe, unique name for each one's folder of results.

A file named on the command line is always graded, whatever it is. Inside a folder (searched
recursively, symbolic links to folders not followed) a file is a submission when its name
contains ".ipynb", in any case: "ex.ipynb", "ex.IPYNB", and the names browsers and LMSs give
renamed notebooks, "ex.ipynb.json", "ex.ipynb.txt", "ex.ipynb (1)". Everything else is listed as
skipped, with the reason, and never graded: hidden files and folders (".ipynb_checkpoints"
holds Jupyter's autosaves), "__MACOSX", and files that are not notebooks by name (a README,
a ZIP to unpack first). The output folder is skipped when it lies inside a submitted folder.
"""

import os
import re
import unicodedata
from pathlib import Path

MAX_NAME = 80
RESERVED = {"grades.csv", "skipped.txt"}  # files the grader writes beside the folders


def collect(
    paths: list[Path], out_dir: Path
) -> tuple[list[tuple[Path, str]], list[tuple[Path, str]]]:
    """(file, its unique results-folder name) for every submission; (path, why) for the rest."""
    found: list[tuple[Path, str]] = []
    skipped: list[tuple[Path, str]] = []
    out = out_dir.resolve()
    for path in paths:
        if path.is_dir():
            for file, why in walk(path, out):
                if why:
                    skipped.append((file, why))
                else:
                    found.append((file, name_for(file.relative_to(path))))
        else:
            found.append((path, name_for(Path(path.name))))
    unique: dict[Path, tuple[Path, str]] = {}
    for file, name in found:
        unique.setdefault(file.resolve(), (file, name))
    return deduplicated(list(unique.values())), skipped


def walk(folder: Path, out: Path) -> list[tuple[Path, str]]:
    """Every file under folder, with "" when it is a submission, else why it is skipped."""
    files = []
    for root, dirs, names in os.walk(folder):
        for d in sorted(dirs):
            why = skipped_folder(Path(root) / d, out)
            if why:
                files.append((Path(root) / d, why))
        dirs[:] = sorted(d for d in dirs if not skipped_folder(Path(root) / d, out))
        for name in sorted(names):
            files.append((Path(root) / name, skipped_file(Path(root) / name)))
    return files


def skipped_folder(folder: Path, out: Path) -> str:
    if folder.resolve() == out:
        return "the output folder"
    if folder.name.startswith("."):
        return "a hidden folder (.ipynb_checkpoints holds Jupyter's autosaves, not submissions)"
    if folder.name == "__MACOSX":
        return "macOS zip metadata"
    return ""


def skipped_file(file: Path) -> str:
    if file.name.startswith("."):
        return "a hidden file"
    if ".ipynb" not in file.name.lower():
        return "not a notebook by its name (name it on the command line to grade it anyway)"
    if not file.is_file():
        return "not a regular file (a broken link, a pipe or a device)"
    return ""


def name_for(relative: Path) -> str:
    """A folder name from a submission's path: ASCII letters, digits, '.', '_', '-' only."""
    parts = list(relative.parts)
    parts[-1] = re.sub(r"\.ipynb.*$", "", parts[-1], flags=re.IGNORECASE) or parts[-1]
    text = unicodedata.normalize("NFKD", "__".join(parts)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text)
    text = re.sub(r"^[^A-Za-z0-9]+", "", text)[:MAX_NAME].rstrip("._-")
    return text or "submission"


def deduplicated(found: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """Names made unique (case-insensitively, as on macOS) with -2, -3, ... in path order."""
    taken = set(RESERVED)
    result = []
    for file, name in sorted(found, key=lambda pair: str(pair[0])):
        unique, n = name, 1
        while unique.lower() in taken:
            n += 1
            unique = f"{name}-{n}"
        taken.add(unique.lower())
        result.append((file, unique))
    return result
