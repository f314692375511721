"""bp-grade: grade a class of exercise notebooks, or build a Gradescope autograder.

    bp-grade SUBMISSIONS... --out DIR [--exercise ID] [--jobs N] [--timeout S] [--memory-mb M]
    bp-grade gradescope-bundle --out autograder.zip [--exercise ID] [--timeout S] [--memory-mb M]
    bp-grade gradescope-run [ROOT] [--exercise ID] [...]   (what the bundle's run_autograder runs)

The exit status is 0 when grading ran, whatever the scores, and 2 for a usage error.
"""

import argparse
import os
import sys
from pathlib import Path

from bp_lessons.exercises import EXERCISES
from bp_lessons.grading.batch import grade_files
from bp_lessons.grading.bundle import make_bundle
from bp_lessons.grading.collect import collect
from bp_lessons.grading.judge import Grade, not_graded
from bp_lessons.grading.progress import Progress
from bp_lessons.grading.report import write_reports, write_single

GRADESCOPE_ROOT = "/autograder"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"gradescope-bundle": bundle_command, "gradescope-run": gradescope_command}
    try:
        if argv and argv[0] in commands:
            return commands[argv[0]](argv[1:])
        return grade_command(argv)
    except KeyboardInterrupt:
        print("bp-grade: interrupted; nothing written", file=sys.stderr)
        return 130


def grade_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bp-grade",
        description="Grade exercise notebooks in a sandbox: DIR/<submission>/results.json "
        "(Gradescope's format) and DIR/grades.csv.",
        epilog="Also: bp-grade gradescope-bundle --help (a Gradescope autograder zip).",
    )
    parser.add_argument("submissions", nargs="+", type=Path, help="notebooks, or folders of them")
    parser.add_argument("--out", type=Path, required=True, help="folder for the results")
    parser.add_argument("--jobs", type=positive(int), default=os.cpu_count() or 1)
    add_limits(parser)
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.submissions if not os.path.lexists(path)]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} is a file; it must be a folder")
    files, skipped = collect(args.submissions, args.out)
    for path, why in skipped:
        print(f"skipped {path}: {why}", file=sys.stderr)
    if not files:
        parser.error("no submissions found: a submission's file name contains .ipynb")
    grades = grade_files(files, progress=Progress(len(files)), jobs=args.jobs, **limits(args))
    write_reports(args.out, grades, skipped)
    print(summary(grades, args.out))
    return 0


def gradescope_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bp-grade gradescope-run",
        description="Grade ROOT/submission into ROOT/results/results.json (Gradescope's layout).",
    )
    root = os.environ.get("BP_GRADE_ROOT", GRADESCOPE_ROOT)
    parser.add_argument("root", nargs="?", type=Path, default=Path(root))
    add_limits(parser)
    args = parser.parse_args(argv)
    folder = args.root / "submission"
    files, skipped = collect([folder], args.root / "results") if folder.is_dir() else ([], [])
    if files:
        grades = grade_files(files, jobs=1, **limits(args))
        grade = max(grades, key=lambda g: g.score)  # the first of the best
        others = [Path(g.source).name for g in grades if g is not grade]
        grade.note = f"Also submitted, not counted: {', '.join(others)}." if others else ""
    else:
        seen = ", ".join(path.name for path, _ in skipped) or "no files at all"
        problem = f"no notebook (.ipynb) in the submission ({seen}): upload the exercise notebook"
        grade = not_graded("submission", str(folder), args.exercise, problem)
    write_single(args.root / "results" / "results.json", grade)
    print(summary([grade], args.root / "results"))
    return 0


def bundle_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bp-grade gradescope-bundle",
        description="Write a Gradescope autograder zip (setup.sh, run_autograder, this package).",
    )
    parser.add_argument("--out", type=Path, required=True, help="the zip to write")
    add_limits(parser)
    args = parser.parse_args(argv)
    if not args.exercise:
        print("bp-grade: without --exercise any exercise notebook is accepted", file=sys.stderr)
    make_bundle(args.out, **limits(args))
    print(f"wrote {args.out}: upload it in Gradescope (Configure Autograder → Zip file upload)")
    return 0


def add_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--exercise", choices=list(EXERCISES), help="grade only this exercise (others score 0)"
    )
    parser.add_argument("--timeout", type=positive(float), default=10.0, help="seconds per task")
    parser.add_argument(
        "--memory-mb", type=positive(int), default=1024, help="memory per task, in MB"
    )


def limits(args: argparse.Namespace) -> dict:
    return {"exercise": args.exercise, "timeout": args.timeout, "memory_mb": args.memory_mb}


def positive(kind: type):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
        return value

    return parse


def summary(grades: list[Grade], out: Path) -> str:
    graded = [g for g in grades if not g.problem]
    full = sum(g.max_score > 0 and g.score == g.max_score for g in graded)
    mean = sum(g.score for g in graded) / len(graded) if graded else 0.0
    return (
        f"graded {len(grades)} submission{'s' * (len(grades) != 1)}: {full} with full marks, "
        f"{len(grades) - len(graded)} not gradable, mean score {mean:.2f}; results in {out}"
    )
