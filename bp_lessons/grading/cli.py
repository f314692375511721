"""bp-grade: grade a class of exercise notebooks, or build a Gradescope autograder.

    bp-grade SUBMISSIONS... --out DIR [--exercise ID] [--jobs N] [--timeout S] [--memory-mb M]
                                      [--sandbox auto|bubblewrap|landlock|none]
    bp-grade gradescope-bundle --out autograder.zip [--exercise ID] [--timeout S] [--memory-mb M]
    bp-grade gradescope-run [ROOT] [--exercise ID] [...]   (what the bundle's run_autograder runs)

It says first which sandbox it uses and what that promises (sandbox.py). The exit status is 0
when grading ran, whatever the scores, 2 for a usage error, and 3 when no sandbox works here.
"""

import argparse
import os
import sys
from pathlib import Path

from bp_lessons.exercises import EXERCISES
from bp_lessons.grading.batch import grade_files
from bp_lessons.grading.bundle import make_bundle
from bp_lessons.grading.collect import collect, shown
from bp_lessons.grading.judge import Grade, not_graded
from bp_lessons.grading.progress import Progress
from bp_lessons.grading.report import open_folder, write_reports, write_single
from bp_lessons.grading.sandbox import Sandbox, SandboxUnavailable

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
    except SandboxUnavailable as error:
        print(f"bp-grade: {error}", file=sys.stderr)
        return 3


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
    add_sandbox(parser)
    args = parser.parse_args(argv)
    missing = [shown(path) for path in args.submissions if not os.path.lexists(path)]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    try:  # made and opened before any submission runs: nothing planted later is followed
        out = open_folder(args.out)
    except OSError as error:
        parser.error(f"--out {shown(args.out)}: {error.strerror}; it must be a folder")
    try:
        files, skipped = collect(args.submissions, os.fstat(out))
        for path, why in skipped:
            print(f"skipped {shown(path)}: {why}", file=sys.stderr)
        if not files:
            parser.error("no submissions found: a submission's file name contains .ipynb")
        grades = grade(files, Progress(len(files)), args)
        write_reports(out, grades, skipped)
    finally:
        os.close(out)
    print(summary(grades, args.out))
    return 0


def grade(files, progress, args: argparse.Namespace) -> list[Grade]:
    """Grade in a sandbox, after saying which one and what it promises."""
    sandbox = Sandbox(args.sandbox)
    try:
        print(f"bp-grade: {sandbox.walls.promise()}", file=sys.stderr)
        return grade_files(
            files, progress=progress, sandbox=sandbox, jobs=args.jobs, **limits(args)
        )
    finally:
        sandbox.close()


def gradescope_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bp-grade gradescope-run",
        description="Grade ROOT/submission into ROOT/results/results.json (Gradescope's layout).",
    )
    root = os.environ.get("BP_GRADE_ROOT", GRADESCOPE_ROOT)
    parser.add_argument("root", nargs="?", type=Path, default=Path(root))
    add_limits(parser)
    add_sandbox(parser)
    parser.set_defaults(jobs=1)
    args = parser.parse_args(argv)
    folder = args.root / "submission"
    results = open_folder(args.root / "results")
    try:
        files, skipped = collect([folder], os.fstat(results)) if folder.is_dir() else ([], [])
        if files:
            grades = grade(files, None, args)
            best = max(grades, key=lambda g: g.score)  # the first of the best
            others = [Path(g.source).name for g in grades if g is not best]
            best.note = f"Also submitted, not counted: {', '.join(others)}." if others else ""
        else:
            seen = ", ".join(shown(path.name) for path, _ in skipped) or "no files at all"
            problem = (
                f"no notebook (.ipynb) in the submission ({seen}): upload the exercise notebook"
            )
            best = not_graded("submission", str(folder), args.exercise, problem)
        write_single(results, "results.json", best)
    finally:
        os.close(results)
    print(summary([best], args.root / "results"))
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


def add_sandbox(parser: argparse.ArgumentParser) -> None:
    choices = ["auto", "bubblewrap", "landlock", "none"]
    default = os.environ.get("BP_GRADE_SANDBOX", "auto")
    if default not in choices:
        parser.error(f"BP_GRADE_SANDBOX={default!r}: expected one of {', '.join(choices)}")
    parser.add_argument(
        "--sandbox",
        choices=choices,
        default=default,
        help="the walls around submitted code (default: $BP_GRADE_SANDBOX, else auto: the "
        "first that works here; none: no sandbox, for trusted submissions only)",
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
