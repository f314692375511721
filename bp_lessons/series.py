"""The lessons travel with the package: `bp-lessons copy DEST` writes them into a folder to work in.

    bp-lessons copy DEST           # DEST/notebooks/ (the lessons), DEST/exercises/ (the exercises)
    bp-lessons copy DEST --force   # the same, overwriting the files you changed
    bp-lessons lab DEST            # JupyterLab rooted at DEST, open at the start page (lab.py)
    bp-lessons --version

The lessons link to `../exercises/` and the exercises to `../notebooks/`, so the copy keeps the
two folders side by side, as in the repository. A wheel carries them in `bp_lessons/_series/`
(setup.py puts them there); a package imported from a clone (`make lab`, `pip install -e .`)
reads the clone's own `notebooks/` and `exercises/` (never `exercises/source/`, which holds the
solutions).

Running it again never loses your work. It compares each file with what it would write: the
same cells, nothing to do (outputs you made by running it are kept); a file it wrote before
whose cells you have not changed since (their fingerprints are kept in
`DEST/.bp-lessons-copy.json`), brought up to date; a file whose cells you changed, left alone and
named. Running a notebook and saving it changes outputs and metadata, not cells: that is not a
change of yours. `--force` overwrites your changed files too.
"""

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import bp_lessons
from bp_lessons.lab import LabError, lab_command, start

FOLDERS = ("notebooks", "exercises")
PATTERN = "[0-9][0-9]_*.ipynb"  # the numbered notebooks, not exercises/source/
PACKAGED = Path(__file__).resolve().parent / "_series"  # in a wheel
CLONE = Path(__file__).resolve().parent.parent  # the repository, when imported from a clone
RECORD = ".bp-lessons-copy.json"  # what the last copy wrote, to tell your changes from ours


class CopyError(Exception):
    """Something stops the copy: the message says what was expected and what was found."""


def find_series() -> Path:
    """The folder holding notebooks/ and exercises/: the wheel's own, or the clone's."""
    for root in (PACKAGED, CLONE):
        has_lessons = all(any((root / folder).glob(PATTERN)) for folder in FOLDERS)
        if has_lessons and (root is PACKAGED or (root / "pyproject.toml").is_file()):
            return root
    raise CopyError(
        f"this bp_lessons ({Path(bp_lessons.__file__).parent}) has no lessons with it: "
        f"expected them in {PACKAGED} (a wheel) or in {CLONE}/notebooks and "
        f"{CLONE}/exercises (a clone). Reinstall it: python -m pip install bp-lessons"
    )


def series_files(root: Path) -> list[str]:
    """The files to copy, relative to `root`: 'notebooks/00_start_here.ipynb', ..."""
    return [
        f"{folder}/{path.name}"
        for folder in FOLDERS
        for path in sorted((root / folder).glob(PATTERN))
    ]


def fingerprint(data: bytes) -> str:
    """What a learner changes in a notebook: its cells' kinds and sources, not the outputs,
    execution counts or metadata that running and saving rewrite. Other files: every byte."""
    try:
        cells = json.loads(data)["cells"]
        content = [[cell["cell_type"], "".join(cell["source"])] for cell in cells]
    except (ValueError, KeyError, TypeError):
        return hashlib.sha256(data).hexdigest()
    return "cells:" + hashlib.sha256(json.dumps(content).encode()).hexdigest()


@dataclass
class Report:
    """What a copy did with each file (their paths relative to DEST)."""

    new: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)  # ours, unchanged by you, now newer
    up_to_date: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)  # yours, replaced by --force
    skipped: list[str] = field(default_factory=list)  # yours, left alone


def copy_series(dest: Path, force: bool = False, source: Path | None = None) -> Report:
    """Copy the lessons and exercises into `dest` (created if missing); never overwrite a file
    changed since the last copy wrote it, unless `force`."""
    source = find_series() if source is None else source
    dest = Path(dest)
    check_destination(dest, source)
    record_path = dest / RECORD
    written = read_record(record_path)
    report = Report()
    for name in series_files(source):
        data, target = (source / name).read_bytes(), dest / name
        if target.is_dir():
            raise CopyError(f"{target} should be the notebook {name}, but it is a folder")
        current = target.read_bytes() if target.exists() else None
        theirs = fingerprint(current) if current is not None else None
        if theirs == fingerprint(data):
            report.up_to_date.append(name)  # the same cells; outputs from running are kept
        elif current is None:
            write(target, data)
            report.new.append(name)
        elif force:
            write(target, data)
            report.overwritten.append(name)
        elif written.get(name) in (theirs, hashlib.sha256(current).hexdigest()):
            # cells as the last copy wrote them (an older copy recorded every byte)
            write(target, data)
            report.refreshed.append(name)
        else:
            report.skipped.append(name)
            continue  # keep the old fingerprint: the file stays yours
        written[name] = fingerprint(data)
    write(record_path, (json.dumps({"files": written}, indent=1, sort_keys=True) + "\n").encode())
    return report


def check_destination(dest: Path, source: Path) -> None:
    """Fail before writing anything when `dest` cannot hold the copy."""
    if dest.exists() and not dest.is_dir():
        raise CopyError(
            f"DEST must be a folder to copy the lessons into (new or existing), but {dest} is a "
            "file: give a folder's name, such as bp-lessons"
        )
    if dest.resolve() == source.resolve():
        raise CopyError(f"{dest} is where the lessons come from: give another folder")
    for folder in FOLDERS:
        if (dest / folder).exists() and not (dest / folder).is_dir():
            raise CopyError(
                f"{dest / folder} must be a folder for the {folder}, but it is a file: "
                "move it away or give another DEST"
            )


def read_record(path: Path) -> dict[str, str]:
    """The fingerprints of what the last copy wrote; none if there is no readable record."""
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {k: v for k, v in files.items() if isinstance(v, str)} if isinstance(files, dict) else {}


def write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise CopyError(
            f"cannot write {path}: {error.strerror or error}. Give a folder you may write to, "
            "such as one in your home folder"
        ) from None


def summary(report: Report, dest: Path) -> str:
    """What the learner reads after a copy."""
    counts = [
        f"{len(names)} {label}"
        for names, label in (
            (report.new, "new"),
            (report.refreshed, "updated"),
            (report.overwritten, "overwritten (--force)"),
            (report.up_to_date, "already up to date"),
        )
        if names
    ]
    lines = [f"bp-lessons {bp_lessons.__version__} in {dest}: {', '.join(counts) or 'nothing'}."]
    if report.skipped:
        n = len(report.skipped)
        lines.append(
            f"Skipped {n} file{'s' * (n > 1)} you changed (kept as they are; "
            f"`bp-lessons copy --force {dest}` overwrites {'them' if n > 1 else 'it'}):"
        )
        lines += [f"    {name}" for name in report.skipped]
    lines.append(f"Start with: bp-lessons lab {dest}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bp-lessons",
        description="Backpropagation from a single neuron to deep networks, in Jupyter "
        "notebooks. This command copies the lessons and their exercises into a folder, where "
        "you open them with Jupyter.",
        epilog="To start: bp-lessons copy bp-lessons, then bp-lessons lab bp-lessons",
    )
    parser.add_argument(
        "--version", action="version", version=f"bp-lessons {bp_lessons.__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    copy = commands.add_parser(
        "copy",
        help="copy the lessons and exercises into a folder (DEST/notebooks, DEST/exercises)",
        description="Write the lessons into DEST/notebooks/ and the exercises into "
        "DEST/exercises/, where they run as they are. DEST is created if missing. Run it again "
        "to update a copy: files you changed (edited, or run and saved) are kept and named.",
    )
    copy.add_argument("dest", metavar="DEST", type=Path, help="the folder to copy into")
    copy.add_argument("--force", action="store_true", help="overwrite the files you changed, too")
    lab = commands.add_parser(
        "lab",
        help="open the lessons in JupyterLab (the folder that copy made, or a clone)",
        description="Start JupyterLab rooted at FOLDER, where the lessons and the exercises both "
        "live, open at the start page. Options after FOLDER go to JupyterLab (--no-browser, "
        "--port 8890, ...). Stop it with Ctrl-C.",
    )
    lab.add_argument("folder", metavar="FOLDER", type=Path, nargs="?", default=Path("."))
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "lab":
            return start(lab_command(args.folder, extra))
        report = copy_series(args.dest, force=args.force)
    except (CopyError, LabError) as error:
        print(f"bp-lessons {args.command}: {error}", file=sys.stderr)
        return 1
    print(summary(report, args.dest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
