"""A Gradescope dry run on this machine: `make gradescope-dry-run` (ARGS="..." for the options).

    python tools/gradescope_dry_run.py                          # exercise 01_neuron
    python tools/gradescope_dry_run.py --exercise 04_chain_rule --submission my.ipynb
    python tools/gradescope_dry_run.py --exercise 01_neuron --exercise 03_loss   # a week's zip

What Gradescope would do with the autograder zip, in a scratch folder laid out as its
/autograder (default `_build/gradescope-dry-run/`, emptied first):

1. `bp-grade gradescope-bundle` writes `autograder.zip` for the exercises named (`--exercise`,
   repeated as for the bundle itself), unpacked into `autograder/source/`;
2. the bundled wheel is unpacked where the bundle's Python finds it first (as `setup.sh`'s pip
   install would make it importable), and `setup.sh`'s self-test runs: it is what fails the
   image build on Gradescope when the sandbox cannot work;
3. for each sample submission, `submission/` holds its notebooks alone (what a student uploads
   at once) and `run_autograder` runs, with BP_GRADE_ROOT set to the scratch folder; its
   `results/results.json` (what the student sees on Gradescope) is shown, and kept as
   `results-<k>-<folder>-<names>.json`.

The sample submissions, unless `--submission` names your own (each a submission of its own):
the exercises' source notebooks together (the reference solutions: every task should earn its
points) and their student copies together (nothing attempted: 0). The exit status is 1 when a
run writes no results.json, or when the reference solutions do not earn full marks, which is
what would go wrong on Gradescope.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from bp_lessons.grading.cli import main as bp_grade

ROOT = Path(__file__).resolve().parent.parent


def dry_run(exercises: list[str], submissions: list[list[Path]], out: Path) -> list[dict]:
    """Build the bundle, run its self-test and grade each submission (the notebooks a student
    uploads at once); their results.json."""
    if out.exists():
        shutil.rmtree(out)
    bundle, autograder, site = out / "autograder.zip", out / "autograder", out / "site-packages"
    named = [arg for exercise in exercises for arg in ("--exercise", exercise)]
    print(f"1. bp-grade gradescope-bundle {' '.join(named)} --out {bundle}", flush=True)
    if bp_grade(["gradescope-bundle", "--out", str(bundle), *named]) != 0:
        raise SystemExit("the bundle could not be built")
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(autograder / "source")
        names = archive.namelist()
    print(f"   the zip holds {', '.join(sorted(names))}")
    wheel = next(name for name in names if name.endswith(".whl"))
    with zipfile.ZipFile(autograder / "source" / wheel) as archive:
        archive.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "BP_GRADE_ROOT": str(autograder)}
    env["BP_GRADE_PYTHON"] = sys.executable
    print("2. setup.sh's self-test (on Gradescope, a failure here fails the image build)")
    test = [sys.executable, "-m", "bp_lessons.grading", "self-test", *named]
    done = subprocess.run(test, env=env, capture_output=True, text=True, timeout=600)
    print(indent(done.stdout + done.stderr))
    results = []
    for k, submission in enumerate(submissions, 3):
        files = ", ".join(path.name for path in submission)
        print(f"{k}. run_autograder on {files} ({describe(submission, exercises)})")
        for folder in ("submission", "results"):
            shutil.rmtree(autograder / folder, ignore_errors=True)
            (autograder / folder).mkdir(parents=True)
        for path in submission:
            shutil.copy(path, autograder / "submission" / path.name)
        script = autograder / "source" / "run_autograder"
        done = subprocess.run(
            ["bash", str(script)], env=env, capture_output=True, text=True, timeout=600
        )
        written = autograder / "results" / "results.json"
        if not written.is_file():
            print(indent(done.stderr[-2000:]))
            raise SystemExit(
                f"run_autograder wrote no results.json (exit status {done.returncode})"
            )
        result = json.loads(written.read_text(encoding="utf-8"))
        stems = "+".join(path.stem for path in submission)
        kept = out / f"results-{k - 2}-{submission[0].parent.name}-{stems}.json"
        shutil.copy(written, kept)
        print(indent(summary(result)))
        print(f"   results.json, kept as {kept}:")
        print(indent(written.read_text(encoding="utf-8")))
        results.append(result)
    return results


def describe(submission: list[Path], exercises: list[str]) -> str:
    if submission == [ROOT / "exercises" / "source" / f"{name}.ipynb" for name in exercises]:
        return "the reference solutions: full marks expected"
    if submission == [ROOT / "exercises" / f"{name}.ipynb" for name in exercises]:
        return "the student copies, nothing attempted: 0 expected"
    return "your submission"


def summary(result: dict) -> str:
    """results.json in a few lines: the score, each test's line, the output's start."""
    tests = result.get("tests", [])
    lines = [f"score {result.get('score')} of {result.get('max_score', '?')}"]
    for test in tests:
        lines.append(f"  {test.get('score'):g}/{test.get('max_score'):g}  {test.get('name')}")
    if result.get("output"):
        lines.append("  output: " + result["output"].strip().split("\n")[0][:160])
    return "\n".join(lines)


def indent(text: str) -> str:
    return "\n".join("   " + line for line in text.strip().splitlines())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--exercise",
        action="append",
        help="an exercise of the bundle; repeat it as for gradescope-bundle (default: 01_neuron)",
    )
    parser.add_argument("--submission", type=Path, action="append", help="a notebook to grade")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "gradescope-dry-run")
    args = parser.parse_args(argv)
    exercises = list(dict.fromkeys(args.exercise or ["01_neuron"]))
    references = [ROOT / "exercises" / "source" / f"{name}.ipynb" for name in exercises]
    for name, reference in zip(exercises, references):
        if not reference.is_file():
            parser.error(f"no exercise {name!r}: expected {reference}")
    copies = [ROOT / "exercises" / f"{name}.ipynb" for name in exercises]
    submissions = [[path] for path in args.submission or []] or [references, copies]
    for path in (path for submission in submissions for path in submission):
        if not path.is_file():
            parser.error(f"{path}: no such notebook")
    resolved = [[path.resolve() for path in submission] for submission in submissions]
    results = dry_run(exercises, resolved, args.out.resolve())
    if args.submission is None:
        full = results[0].get("max_score")
        if not full or results[0]["score"] != full:
            print("the reference solutions did not earn full marks: Gradescope would not either")
            return 1
    print(f"dry run done: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
