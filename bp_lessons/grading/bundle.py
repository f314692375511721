"""The Gradescope autograder zip, written by `bp-grade gradescope-bundle --out autograder.zip`.

setup.sh          run once, as root, when Gradescope builds the image: installs Python and
                  bubblewrap (the sandbox) if needed, then this package from the wheel in the
                  zip (not from PyPI or git)
run_autograder    run for each submission: grades /autograder/submission into
                  /autograder/results/results.json; BP_GRADE_ROOT replaces /autograder and
                  BP_GRADE_PYTHON the Python (the tests run it in a temporary folder)
bp_lessons-<version>-py3-none-any.whl    this package, built here from its installed files
"""

import base64
import hashlib
import io
import shlex
import zipfile
from importlib import metadata
from pathlib import Path

import bp_lessons
from bp_lessons.grading.points import Table, save_points

DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same package gives the same zip

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image. Supported base images:
# Ubuntu 22.04 and 24.04 (Python 3.10 or later; 20.04's Python 3.8 is too old).
set -euo pipefail
cd "$(dirname "$0")"
if ! python3 -m pip --version > /dev/null 2>&1 || ! command -v bwrap > /dev/null; then
    apt-get update
    apt-get install -y python3 python3-pip
    # the sandbox's first wall; where the container forbids it, bp-grade uses Landlock alone
    # and says so when it starts
    apt-get install -y bubblewrap || echo "bubblewrap could not be installed: Landlock alone"
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "bp-grade needs Python 3.10 or later; this image has $(python3 --version 2>&1):" \\
        "choose Ubuntu 22.04 or 24.04 as the base image" >&2
    exit 1
fi
# Ubuntu 24.04 marks its Python as externally managed; this image is the grader's alone.
python3 -m pip install --no-cache-dir {wheel} \\
    || python3 -m pip install --no-cache-dir --break-system-packages {wheel}
# the image fails to build, saying why, where the sandbox cannot grade honest work here
python3 -m bp_lessons.grading self-test {exercises}
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission, as root, in /autograder: it grades the notebook in
# submission/ into results/results.json. BP_GRADE_ROOT replaces /autograder (the tests use it),
# BP_GRADE_PYTHON the Python that has bp_lessons installed. Whatever fails (a module missing,
# a sandbox that cannot start, a crash), results.json is written: 0 points and the reason.
set -u
root="${{BP_GRADE_ROOT:-/autograder}}"
points=()
[ -f "$root/source/points.json" ] && points=(--points-from "$root/source/points.json")
mkdir -p "$root/results"
log="$(mktemp)"
status=0
# the whole upload's budget: stopped by Gradescope's own limit (10 min unless raised), the
# autograder would leave no results.json; stopped here, it says why
budget="${{BP_GRADE_BUDGET:-{budget:g}}}"
timeout -k 5 "$budget" "${{BP_GRADE_PYTHON:-python3}}" -m bp_lessons.grading gradescope-run \\
    "$root" {options} "${{points[@]}}" 2> "$log" || status=$?
cat "$log" >&2  # what it said, for Gradescope's log
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    echo "grading took longer than the budget of one upload, $budget s" > "$log"
fi
if [ "$status" != 0 ]; then
    # its last words, as plain text that cannot break the JSON
    why="$(tail -c 600 "$log" | tr '\\n' ' ' | tr -cd '[:alnum:] .,:;()/_=+-' | tail -c 400)"
    why="This submission could not be graded: the grader stopped (exit status $status): \\
${{why:-no message}}. Nothing was scored; ask your instructor to regrade it."
    rm -f "$root/results/results.json"
    printf '{{"score": 0, "output": "%s", "visibility": "visible", %s}}\\n' "$why" \\
        '"stdout_visibility": "hidden"' > "$root/results/results.json"
fi
rm -f "$log"
exit 0
"""


def make_bundle(
    out: Path,
    exercises: list[str],
    timeout: float,
    memory_mb: int,
    visibility: str = "visible",
    points: Table | None = None,
    budget: float = 540,
) -> None:
    """The zip for an assignment of these exercises (none: any one notebook). `budget`: the
    seconds one upload may take in all, under Gradescope's own limit (10 min unless the course
    raised it), so that an upload too slow to grade still gets a results.json that says why."""
    wheel_name, wheel = build_wheel()
    options = ["--timeout", f"{timeout:g}", "--memory-mb", str(memory_mb)]
    options += ["--visibility", visibility]
    chosen = [word for exercise in exercises for word in ("--exercise", exercise)]
    options += chosen
    files = {
        "setup.sh": (SETUP.format(wheel=wheel_name, exercises=shlex.join(chosen)).encode(), 0o755),
        "run_autograder": (
            RUN.format(options=shlex.join(options), budget=budget).encode(),
            0o755,
        ),
        wheel_name: (wheel, 0o644),
    }
    if points:  # the instructor's points, read where run_autograder finds them
        files["points.json"] = (save_points(points).encode(), 0o644)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(zip_bytes(files))


def build_wheel() -> tuple[str, bytes]:
    """A pure-Python wheel of the installed bp_lessons: (its file name, its bytes)."""
    version = bp_lessons.__version__
    package = Path(bp_lessons.__file__).parent
    info = f"bp_lessons-{version}.dist-info"
    files = {
        f"bp_lessons/{path.relative_to(package).as_posix()}": (path.read_bytes(), 0o644)
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    requires = "".join(f"Requires-Dist: {r}\n" for r in requirements())
    files[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: bp-lessons\nVersion: {version}\n"
        f"Summary: Backpropagation lessons, exercises and their grader\n"
        f"Requires-Python: >=3.10\n{requires}".encode(),
        0o644,
    )
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: bp-grade\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        0o644,
    )
    files[f"{info}/entry_points.txt"] = (
        b"[console_scripts]\nbp-grade = bp_lessons.grading.cli:main\n",
        0o644,
    )
    record = "".join(f"{name},{digest(data)},{len(data)}\n" for name, (data, _) in files.items())
    files[f"{info}/RECORD"] = ((record + f"{info}/RECORD,,\n").encode(), 0o644)
    return f"bp_lessons-{version}-py3-none-any.whl", zip_bytes(files)


def requirements() -> list[str]:
    """The package's own dependencies (not its extras), as installed; numpy if unknown."""
    try:
        found = metadata.requires("bp-lessons") or []
    except metadata.PackageNotFoundError:
        found = []
    return [r for r in found if "extra ==" not in r] or ["numpy>=1.24"]


def digest(data: bytes) -> str:
    encoded = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + encoded.decode()


def zip_bytes(files: dict[str, tuple[bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (data, mode) in files.items():
            entry = zipfile.ZipInfo(name, DATE)
            entry.external_attr = (0o100000 | mode) << 16  # a regular file, with its mode
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return buffer.getvalue()
