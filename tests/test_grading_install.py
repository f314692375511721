"""The walls on a regular install: the package copied into a venv's site-packages, as pip puts it.

An editable install leaves the package in the project folder, outside anything the sandbox shows,
so the tests beside this one cannot see a wall that lets the installed package through. Here
the package is built into a wheel and installed into a fresh venv, which on 64-bit Linux holds
the link `lib64 -> lib`; the grader runs with that venv's Python, and a submission tries to
read the references through the link and directly. The venv is made once per session.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest
from test_grading_support import correct, save

from bp_lessons.exercises import tasks
from bp_lessons.grading import landlock, sandbox
from bp_lessons.grading.bundle import build_wheel

pytestmark = pytest.mark.lesson04
VERSION = f"python{sys.version_info.major}.{sys.version_info.minor}"


def base_python() -> str | None:
    """A Python of this version that a task's own user can read (as root, Landlock alone
    runs each task as a user of its own): this one's base, else the system's."""
    if os.geteuid() != 0 or sandbox.readable_by_others():
        return sys.executable
    system = shutil.which("python3", path="/usr/bin")
    if system:
        found = subprocess.run(
            [system, "-c", "import sys, venv; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if found == str(tuple(sys.version_info[:2])):
            return system
    return None


@pytest.fixture(scope="session")
def venv():
    """A fresh venv with lib64 -> lib and this package installed from a wheel (not editable);
    its other packages (NumPy) come from this Python's site-packages through a .pth file."""
    python = base_python()
    if python is None:
        pytest.skip("as root, no Python of this version that every user can read")
    folder = Path(tempfile.mkdtemp(prefix="bp-regular-install-"))
    folder.chmod(0o755)  # a task's own user reads it
    try:
        root = folder / "venv"
        subprocess.run([python, "-m", "venv", "--without-pip", str(root)], check=True)
        assert (root / "lib64").is_symlink(), "a venv on 64-bit Linux has lib64 -> lib"
        name, data = build_wheel()
        wheel = folder / name
        wheel.write_bytes(data)
        pip = [sys.executable, "-m", "pip", "--python", str(root / "bin" / "python")]
        pip += ["install", "--quiet", "--no-deps", "--no-index", "--no-cache-dir", str(wheel)]
        subprocess.run(pip, check=True)
        site = root / "lib" / VERSION / "site-packages"
        assert (site / "bp_lessons" / "neuron.py").is_file()
        (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        yield root
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def modes() -> list[str]:
    chosen = os.environ.get("BP_GRADE_SANDBOX", "auto")
    return ["bubblewrap", "landlock"] if chosen == "auto" else [chosen]


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def grade(venv: Path, submission: Path, out: Path, mode: str, **environment: str):
    """bp-grade run by the regular install in `venv`, as a course would run it."""
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "bp_lessons.grading", str(submission)]
        + ["--out", str(out), "--sandbox", mode, "--timeout", "20"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=venv.parent,
        env={**clean_environment(), **environment},
    )


PROBE = """import json, sys
from bp_lessons.grading.sandbox import Sandbox, SandboxUnavailable

import bp_lessons
assert bp_lessons.__file__.startswith(sys.prefix), bp_lessons.__file__  # the regular install
code, mode = sys.argv[1], sys.argv[2]
try:
    walls = Sandbox(mode)
except SandboxUnavailable as error:
    print(json.dumps({"unavailable": str(error)}))
    raise SystemExit(0)
request = {"cells": [{"grade_id": "q1", "source": code}], "function": "probe", "call": None,
           "pure": True, "cases": [{}], "memory": 2**30, "cpu": 30}
try:
    outcome = walls.run(request, "01_neuron", 1, 30.0)
finally:
    walls.close()
print(json.dumps([r for r in outcome.replies if r.get("case") == 0]))
"""


def read_attempts(root: Path) -> list[str]:
    """The references, by every route a path can take to the installed package."""
    site = f"{VERSION}/site-packages/bp_lessons"
    return [
        f"{root}/lib64/{site}/neuron.py",
        f"{root}/lib64/{site}/exercises/neuron.py",
        f"{root}/lib/{site}/neuron.py",
        f"{root}/lib64/{VERSION}/site-packages/bp_lessons-0.1.0.dist-info/RECORD",
    ]


@pytest.mark.parametrize("mode", modes())
def test_the_installed_references_cannot_be_read_through_lib64(venv, mode):
    code = f"""
def probe():
    opened = []
    for path in {read_attempts(venv)!r}:
        try:
            with open(path) as file:
                opened.append(path + ": " + str(len(file.read())))
        except OSError:
            pass
    if opened:
        raise ValueError("read " + "; ".join(opened))
    return 1.0
"""
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", PROBE, code, mode],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=venv.parent,  # not the project folder, whose bp_lessons `python -c` would import
        env=clean_environment(),
    )
    assert done.returncode == 0, done.stderr
    replies = json.loads(done.stdout)
    if isinstance(replies, dict):
        pytest.skip(f"{mode} does not work here: {replies['unavailable'][:200]}")
    assert [{k: r[k] for k in ("case", "got") if k in r} for r in replies] == [
        {"case": 0, "got": 1.0}
    ]


@pytest.mark.parametrize("mode", modes())
def test_a_task_that_reads_the_installed_reference_scores_nothing(venv, mode, tmp_path):
    # the answer passes only if it can read the reference through lib64: it must score 0
    path = read_attempts(venv)[0]
    nb = correct()
    head, body = nb.cells[3].source.split("\n", 1)  # the reference sigmoid, which reads first
    read = f"    with open({path!r}) as file:\n        file.read()\n"
    nb.cells[3].source = f"{head}\n{read}{body}"
    submission = save(tmp_path, "mallory.ipynb", nb)
    out = tmp_path / "out"
    done = grade(venv, submission, out, mode)
    if done.returncode == 3:
        pytest.skip(f"{mode} does not work here: {done.stderr[:200]}")
    assert done.returncode == 0, done.stderr
    results = json.loads((out / "mallory" / "results.json").read_text())
    first = results["tests"][0]
    assert first["score"] == 0.0
    assert "PermissionError" in first["output"] or "FileNotFoundError" in first["output"]


def test_a_landlock_rule_on_a_link_gives_nothing_where_it_points(tmp_path):
    if not landlock.abi():
        pytest.skip("this kernel has no Landlock")
    secret = tmp_path / "real" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("the reference")
    (tmp_path / "link").symlink_to(secret.parent)
    code = f"""
import ctypes, sys
from bp_lessons.grading import landlock
ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # no_new_privs
try:
    landlock.restrict([{str(tmp_path / "link")!r}], [])
except (OSError, ValueError) as error:
    print("refused:", error)
    raise SystemExit(0)
try:
    print(open({str(secret)!r}).read())
except OSError as error:
    print(type(error).__name__)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # the rule is refused (no walls, nothing graded), or it allows nothing where the link points
    assert done.stdout.startswith("refused:") or done.stdout.strip() == "PermissionError"


@pytest.mark.parametrize("mode", modes())
def test_a_private_temporary_folder_does_not_cost_honest_work(venv, mode, tmp_path):
    # as root each task (Landlock alone) is a user of its own: a TMPDIR inside a folder of mode
    # 0700 is out of its reach, which once gave honest notebooks 0 in silence
    private = Path(tempfile.mkdtemp(prefix="bp-private-"))
    private.chmod(0o700)
    source = Path(__file__).resolve().parent.parent / "exercises" / "source"
    folder = tmp_path / "submitted"
    folder.mkdir()
    for name in ("04_chain_rule.ipynb", "11_computational_graph.ipynb"):
        shutil.copy(source / name, folder / name)
    out = tmp_path / "out"
    try:
        done = grade(venv, folder, out, mode, TMPDIR=str(private))
    finally:
        shutil.rmtree(private, ignore_errors=True)
    if done.returncode == 3 and "no sandbox works" in done.stderr:
        pytest.skip(f"{mode} does not work here")
    assert done.returncode == 0, done.stderr
    for name in ("04_chain_rule", "11_computational_graph"):
        results = json.loads((out / name / "results.json").read_text())
        points = sum(task.points for task in tasks(name))  # 11 has four tasks, 04 three
        assert results["score"] == results["max_score"] == points, results["output"]
