"""bp-grade: grade a class of exercise notebooks, or build a Gradescope autograder.

    bp-grade SUBMISSIONS... --out DIR [--exercise ID ...] [--roster FILE] [--points-from PATH]
             [--seed N] [--jobs N] [--timeout S] [--memory-mb M] [--visibility V]
             [--sandbox auto|bubblewrap|landlock|none]
    bp-grade gradescope-bundle --out autograder.zip [--exercise ID ...] [--points-from PATH] [...]
    bp-grade gradescope-run [ROOT] [--exercise ID ...] [...]   (the bundle's run_autograder)
    bp-grade self-test [--exercise ID ...] [--sandbox MODE]    (the bundle's setup.sh runs it)

It says first which sandbox it uses and what that promises (sandbox.py). The exit status is 0
when grading ran, whatever the scores, 2 for a usage error, and 3 when no sandbox works here.
"""

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

import bp_lessons
from bp_lessons.exercises import EXERCISES
from bp_lessons.grading.batch import grade_files
from bp_lessons.grading.bundle import make_bundle
from bp_lessons.grading.collect import NBGRADER_TIMESTAMP, cap_per_student, collect, shown
from bp_lessons.grading.gradebook import assign, owner, read_roster, write_gradebook
from bp_lessons.grading.judge import Grade, Judge
from bp_lessons.grading.points import read_points
from bp_lessons.grading.progress import Progress
from bp_lessons.grading.report import (
    VISIBILITIES,
    assignment_results,
    failed_results,
    open_folder,
    write,
    write_reports,
)
from bp_lessons.grading.sandbox import Sandbox, SandboxUnavailable

GRADESCOPE_ROOT = "/autograder"
MAX_PER_STUDENT = 20  # notebooks graded per student (each may cost its time budget)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {
        "gradescope-bundle": bundle_command,
        "gradescope-run": gradescope_command,
        "self-test": self_test_command,
    }
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
        "(Gradescope's format), DIR/grades.csv (a row per submission), DIR/gradebook.csv (a row "
        "per student) and DIR/feedback/<student>.md.",
        epilog="Also: bp-grade gradescope-bundle --help (a Gradescope autograder zip).",
    )
    parser.add_argument("submissions", nargs="+", type=Path, help="notebooks, or folders of them")
    parser.add_argument("--out", type=Path, required=True, help="folder for the results")
    parser.add_argument("--jobs", type=positive(int), default=os.cpu_count() or 1)
    parser.add_argument(
        "--roster",
        type=Path,
        help="a CSV of the class (a header, then a student id per line, first or in a column "
        "named student, id, username or email): the gradebook's rows",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="the secret seed of the random cases, to regrade a run alike (default: a fresh one "
        "each run; only run.json holds it, never a file a student reads)",
    )
    add_options(parser)
    args = parser.parse_args(argv)
    missing = [shown(path) for path in args.submissions if not os.path.lexists(path)]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    try:
        roster, fields = read_roster(args.roster) if args.roster else (None, [])
        points = read_points(args.points_from) if args.points_from else None
    except (OSError, ValueError, KeyError) as error:
        parser.error(str(error))
    try:  # made and opened before any submission runs: nothing planted later is followed
        out = open_folder(args.out)
    except OSError as error:
        parser.error(f"--out {shown(args.out)}: {error.strerror}; it must be a folder")
    try:
        files, skipped = collect(args.submissions, os.fstat(out))
        # per student as the gradebook credits them: with a roster, the one each matches
        files = cap_per_student(
            files, MAX_PER_STUDENT, lambda f: owner(shown(f.relative), roster) or f.student
        )
        for path, why in skipped:
            if why != NBGRADER_TIMESTAMP:  # nbgrader's own file: in skipped.txt, not on screen
                print(f"skipped {shown(path)}: {why}", file=sys.stderr)
        if not files:
            parser.error("no submissions found: a submission's file name contains .ipynb")
        grades, run = grade(files, Progress(len(files)), args, points)
        write_reports(out, grades, skipped, run, args.visibility)
        exercises = run["exercises"]
        students = assign(grades, roster)
        write_gradebook(out, students, exercises, points, fields)
    finally:
        os.close(out)
    print(summary(grades, args.out, [s.total(exercises) for s in students]))
    return 0


def grade(files, progress, args: argparse.Namespace, points) -> tuple[list[Grade], dict]:
    """Grade in a sandbox, after saying which one and what it promises; the grades, and the
    record of the run (run.json)."""
    sandbox = Sandbox(args.sandbox)
    try:
        print(f"bp-grade: {sandbox.walls.promise()}", file=sys.stderr)
        exercises = tuple(args.exercise) if args.exercise else None
        grades, seed = grade_files(
            files,
            exercises=exercises,
            jobs=args.jobs,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            seed=getattr(args, "seed", None),
            points=points,
            progress=progress,
            sandbox=sandbox,
        )
    finally:
        sandbox.close()
    seen = [e for e in EXERCISES if any(g.exercise == e and not g.problem for g in grades)]
    run = {
        "run": secrets.token_hex(8),  # results.json names its run by this, never by the seed
        "seed": seed,  # the instructor's alone: a student who knew it could tabulate answers
        "exercises": list(exercises or seen),
        "bp_lessons": bp_lessons.__version__,
        "sandbox": sandbox.walls.promise(),
        "timeout": args.timeout,
        "memory_mb": args.memory_mb,
        "points_from": str(args.points_from) if args.points_from else None,
    }
    return grades, run


def gradescope_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bp-grade gradescope-run",
        description="Grade ROOT/submission into ROOT/results/results.json (Gradescope's layout): "
        "one result for the assignment, each --exercise's best notebook.",
    )
    root = os.environ.get("BP_GRADE_ROOT", GRADESCOPE_ROOT)
    parser.add_argument("root", nargs="?", type=Path, default=Path(root))
    add_options(parser)
    parser.set_defaults(jobs=1)
    args = parser.parse_args(argv)
    results = open_folder(args.root / "results")
    try:
        points = None
        try:
            points = read_points(args.points_from) if args.points_from else None
            result = gradescope_results(args, points, os.fstat(results))
        except (Exception, SystemExit) as error:  # whatever fails, the student reads why
            print(f"bp-grade: {type(error).__name__}: {error}", file=sys.stderr)
            result = failed_results(list(args.exercise or []), points, failure(error))
        write(results, "results.json", json.dumps(result, indent=2))
    finally:
        os.close(results)
    print(f"graded: {result['score']:g}/{result['max_score']:g}")
    return 0


def gradescope_results(args: argparse.Namespace, points, out: os.stat_result) -> dict:
    """The assignment's one results.json: every notebook handed in, graded."""
    folder = args.root / "submission"
    files, skipped = collect([folder], out) if folder.is_dir() else ([], [])
    for found in files[MAX_PER_STUDENT:]:  # one student's upload
        found.problem = f"more than {MAX_PER_STUDENT} notebooks handed in: not graded"
    grades, run = grade(files, None, args, points) if files else ([], {"run": None})
    exercises = list(args.exercise or run.get("exercises") or [])
    seen = ", ".join(shown(path.name) for path, _ in skipped)
    return assignment_results(grades, exercises, points, args.visibility, run["run"], seen)


def failure(error: BaseException) -> str:
    if isinstance(error, SandboxUnavailable):
        return f"the grader's sandbox cannot start on this machine ({error})"
    return f"the grader failed ({type(error).__name__}: {error})"


def self_test_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bp-grade self-test",
        description="Check that the sandbox works here and lets honest work pass: each "
        "--exercise's (default: every exercise's) setup and first task's reference solution run "
        "behind the walls. Exit status 0 when they pass, 3 (and why) when they do not.",
    )
    add_options(parser)
    args = parser.parse_args(argv)
    sandbox = Sandbox(args.sandbox)
    try:
        print(f"bp-grade: {sandbox.walls.promise()}", file=sys.stderr)
        judge = Judge(sandbox, None, args.timeout, args.memory_mb)
        exercises = args.exercise or list(EXERCISES)
        for exercise in exercises:
            sandbox.view(exercise, 1)
            why = judge.self_test(exercise)
            if why:
                print(f"bp-grade: exercise {exercise}: {why}", file=sys.stderr)
                return 3
    finally:
        sandbox.close()
    print(f"self-test passed: {len(exercises)} exercise(s) graded as they should be here")
    return 0


def bundle_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bp-grade gradescope-bundle",
        description="Write a Gradescope autograder zip (setup.sh, run_autograder, this package) "
        "for an assignment of one or more exercise notebooks.",
    )
    parser.add_argument("--out", type=Path, required=True, help="the zip to write")
    parser.add_argument(
        "--budget",
        type=float,
        default=540,
        help="seconds one upload may take in all (default 540): keep it under the autograder "
        "timeout set in Gradescope (10 min by default), so that an upload too slow to grade "
        "still gets a results.json that says why",
    )
    add_options(parser)
    args = parser.parse_args(argv)
    if not args.exercise:
        print("bp-grade: without --exercise any exercise notebook is accepted", file=sys.stderr)
    points = read_points(args.points_from) if args.points_from else None
    make_bundle(
        args.out,
        args.exercise or [],
        args.timeout,
        args.memory_mb,
        args.visibility,
        points,
        args.budget,
    )
    print(f"wrote {args.out}: upload it in Gradescope (Configure Autograder → Zip file upload)")
    return 0


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--exercise",
        action="append",
        choices=list(EXERCISES),
        help="an exercise of the assignment (repeat for several); notebooks of others score 0",
    )
    parser.add_argument("--timeout", type=positive(float), default=10.0, help="seconds per task")
    parser.add_argument(
        "--memory-mb", type=positive(int), default=1024, help="memory per task, in MB"
    )
    parser.add_argument(
        "--points-from",
        type=Path,
        help="the instructor's source notebooks (a file or folder) or points.json: each task's "
        "points, from its check cell's nbgrader metadata (default: the checks' own)",
    )
    parser.add_argument(
        "--visibility",
        choices=VISIBILITIES,
        default="visible",
        help="when students see each task's result on Gradescope (default: visible)",
    )
    add_sandbox(parser)


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


def summary(grades: list[Grade], out: Path, totals: list[float] | None = None) -> str:
    """One line: how many notebooks, how many with full marks or not gradable, and the mean
    of the students' totals (the gradebook's: each exercise's best notebook), not of the
    notebooks' scores (a student who handed in three drafts is one student)."""
    graded = [g for g in grades if not g.problem]
    full = sum(g.max_score > 0 and g.score == g.max_score for g in graded)
    totals = totals if totals is not None else [g.score for g in graded]
    mean = sum(totals) / len(totals) if totals else 0.0
    return (
        f"graded {len(grades)} submission{'s' * (len(grades) != 1)}: {full} with full marks, "
        f"{len(grades) - len(graded)} not gradable; {len(totals)} student"
        f"{'s' * (len(totals) != 1)}, mean total {mean:.2f}; results in {out}"
    )
