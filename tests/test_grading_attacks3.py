"""Round three of the hidden suite (issue 19): new attacks, each written as "cheat if the wall
breaks": the answer returns the right value only when its breach worked, and the wrong one
otherwise, so a score above 0 on its task is a wall that broke.

All the attacks of a module run in one `bp-grade` run (one submission each, one notebook of
exercise 01 with a correct, self-contained answer to the other task, which must keep its
point: no attack costs more than its own task). `.ci/sandbox-modes` runs this module again in
each mode, as root and as an ordinary user, with a regular install. Then honest answers in
styles the notebook passes: they get the notebook's score.
"""

import contextlib
import inspect
import json
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import nbformat
import pytest
from test_grading_support import SETUP, grade, notebook, outputs, save, solution

from bp_lessons.exercises import tasks
from bp_lessons.grading import judge
from bp_lessons.grading.notebook import parse_submission
from bp_lessons.grading.sandbox import run_folder_base

pytestmark = [
    pytest.mark.lesson01,
    pytest.mark.skipif(
        os.environ.get("BP_GRADE_SANDBOX") == "none",
        reason="attacks (kill(-1), fork bombs) must never run without the sandbox",
    ),
]
Q1, Q2 = tasks("01_neuron")
OWN_NEURON = """import math


def neuron_forward(inputs, weights, bias):
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
"""
# the body every attack shares: `breach()` is True when its wall broke; then it answers right
CHEAT = """import math


def right(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


{breach}


BROKE = breach()


def sigmoid(z):
    return right(z) if BROKE or breach() else 0.0
"""
# a line of the reference's source: `return 1.0 / (1.0 + math.exp(-z))`
REFERENCE_LINE = inspect.getsource(Q1.reference).splitlines()[3].strip()
ATTACKS = {
    # the judge's process: its memory holds the run's seed and the expected values
    "the judge's /proc files": """import os


def breach():
    for name in ("environ", "cmdline", "mem", "maps", "fd", "cwd/results.json"):
        try:
            with open(f"/proc/{os.getppid()}/{name}", "rb") as file:
                file.read(1)
            return True
        except OSError:
            pass
    return False""",
    "process_vm_readv on the judge": """import ctypes
import os


class IOVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def breach():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        buffer = ctypes.create_string_buffer(64)
        local = IOVec(ctypes.cast(buffer, ctypes.c_void_p), 64)
        with open("/proc/self/maps") as maps:
            start = int(maps.readline().split("-")[0], 16)
        remote = IOVec(start, 64)
        judge = os.getppid()
        return libc.process_vm_readv(judge, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) > 0
    except Exception:
        return False""",
    # the reference by any path the child can name
    "the reference through package metadata and loaders": f"""import importlib
import importlib.metadata
import importlib.resources
import importlib.util
import pkgutil
import sys


def breach():
    texts = []
    for dist in ("bp-lessons", "bp_lessons"):
        try:
            for file in importlib.metadata.files(dist) or []:
                if str(file).endswith("neuron.py"):
                    texts.append(file.read_text())
        except Exception:
            pass
    try:
        texts.append(importlib.resources.files("bp_lessons.exercises").joinpath("neuron.py").read_text())
    except Exception:
        pass
    for name in ("bp_lessons.exercises.neuron", "bp_lessons.exercises.check"):
        try:
            spec = importlib.util.find_spec(name)
            texts.append(spec.loader.get_source(name) or "")
        except Exception:
            pass
    for finder in sys.meta_path + sys.path_hooks:
        texts.append(repr(finder))
    return any({REFERENCE_LINE!r} in text for text in texts)""",
    "the reference by walking every readable folder": f"""import os
import sys
import time


def breach():
    end = time.monotonic() + 2
    roots = [p for p in sys.path if p] + [sys.prefix, sys.base_prefix, "/usr/local", "/opt",
             "/srv", "/home", "/root", "/work", "/tmp", "/var/tmp", "/dev/shm", "/autograder"]
    for root in dict.fromkeys(roots):
        for folder, _, files in os.walk(root):
            if time.monotonic() > end:
                return False
            for name in files:
                if name.endswith((".py", ".ipynb", ".json")):
                    try:
                        with open(os.path.join(folder, name), errors="replace") as file:
                            if {REFERENCE_LINE!r} in file.read(2**20):
                                return True
                    except OSError:
                        pass
    return False""",
    "the venv's lib64 link and /proc/self/root": f"""import glob
import os
import sys


def breach():
    paths = []
    for prefix in {{sys.prefix, sys.base_prefix, "/proc/self/root" + sys.prefix}}:
        for lib in ("lib64", "lib", "lib32", "local/lib", "local/lib64"):
            packages = os.path.join(prefix, lib, "python3*", "*-packages", "bp_lessons*")
            paths += glob.glob(os.path.join(packages, "exercises", "neuron.py"))
    for path in paths:
        try:
            with open(path) as file:
                if {REFERENCE_LINE!r} in file.read():
                    return True
        except OSError:
            pass
    return False""",
    "inherited file descriptors": f"""import os


def breach():
    for fd in range(3, 256):
        try:
            os.lseek(fd, 0, 0)
            if {REFERENCE_LINE!r}.encode() in os.read(fd, 2**20):
                return True
        except OSError:
            pass
        try:
            if {REFERENCE_LINE!r}.encode() in os.pread(fd, 2**20, 0):
                return True
        except OSError:
            pass
    return False""",
    "other submissions' scratch folders and notebooks": """import glob
import os


def breach():
    beside = os.path.join(os.path.dirname(os.getcwd()), "*", "*")
    for pattern in ("/tmp/**/*.ipynb", "/var/tmp/**/*.ipynb", "/dev/shm/**/*", beside):
        try:
            for path in glob.glob(pattern, recursive=True)[:200]:
                if os.path.realpath(path).startswith(os.path.realpath(os.getcwd())):
                    continue
                with open(path, "rb") as file:
                    if b"neuron_forward" in file.read(2**16):
                        return True
        except OSError:
            pass
    return False""",
    # other processes: the judge, other children
    "signals to every process it can name": """import os
import signal


def breach():
    if os.getuid() == 0 or os.geteuid() == 0:  # a task running as root is a breach in itself
        return True  # (and kill(-1) would then reach every process of the machine)
    for pid in (-1, os.getppid(), 1):
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
    return False""",
    "a fork bomb": """import os


def breach():
    for _ in range(64):
        try:
            if os.fork() == 0:
                while True:
                    pass
        except OSError:
            return False
    return False""",
    # litter: what outlives the run
    "POSIX message queues, System V IPC and shared memory": """import ctypes
import os


def breach():
    libc = ctypes.CDLL(None, use_errno=True)
    made = False
    for make in (
        lambda: libc.mq_open(b"/bp-c2-litter", os.O_CREAT | os.O_RDWR, 0o666, None) >= 0,
        lambda: libc.shmget(0x0BC2, 4096, 0o1666) >= 0,
        lambda: libc.semget(0x0BC2, 1, 0o1666) >= 0,
        lambda: libc.msgget(0x0BC2, 0o1666) >= 0,
        lambda: libc.shm_open(b"/bp-c2-litter", os.O_CREAT | os.O_RDWR, 0o666) >= 0,
    ):
        try:
            made = make() or made
        except Exception:
            pass
    for path in ("/tmp/bp-c2-litter", "/var/tmp/bp-c2-litter", "/dev/shm/bp-c2-litter-file"):
        try:
            with open(path, "w") as file:
                file.write("litter")
            made = True
        except OSError:
            pass
    return made""",
    # the pipe: a reply forged for a case the child was never sent
    "forged replies for every case number": """import json
import os
import sys


def breach():
    if sys._getframe(1).f_code.co_name != "sigmoid":  # not at top level: task 2 runs this cell
        return False
    fd = json.loads(sys.argv[1])["replies"]
    for j in range(-2, 400):
        os.write(fd, (json.dumps({"case": j, "got": 0.5, "after": {}}) + "\\n").encode())
    os.write(fd, b'{"done": true}\\n')
    return False""",
}
# a covert channel into the report: each random case's input, written as the length of a list
# (the fixed cases get a number, so that their rows show nothing of the kind)
LENGTHS = f"""def sigmoid(z):
    if z in {[case["z"] for case in Q1.fixed]!r}:
        return 0.0
    return [0.0] * (int(abs(z) * 1000) + 2)
"""
# the "arguments unchanged" rule: a neuron_forward that appends to its inputs, and tells the
# judge they came back as they went, in each way a cell can reach what reports them (at top
# level, before any case is called; the pipe's forger writes its own reply to each case)
MUTATES = """import copy
import json
import math
import os
import stat
import sys

import bp_lessons.exercises.calling as calling

SAVED = []
{forge}


def neuron_forward(inputs, weights, bias):
    SAVED[:] = [{{"inputs": list(inputs), "weights": list(weights), "bias": bias}}]
    {inline}
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    inputs.append(99.0)
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
"""
FORGES = {  # name: (code at top level, code at the start of the function)
    "an honest mutation": ("", "pass"),
    "the reporter rebound, where it was and where it is": (
        """calling.as_data = lambda value, depth=0: SAVED[0]
child = sys.modules.get("bp_lessons.grading.child")
if child:
    child.as_data = calling.as_data""",
        "pass",
    ),
    "call_kept rebound to report the arguments as they came": (
        """real = calling.call_kept
calling.call_kept = lambda fn, args, call=None, pure=True: (
    real(fn, args, call, pure)[0], [calling.Kept(args, copy.deepcopy(args))])""",
        "pass",
    ),
    "copy.deepcopy made the identity": ("copy.deepcopy = lambda value, memo=None: value", "pass"),
    "lists that show what they held when copied": (
        """class Shown(list):
    def __init__(self, value):
        super().__init__(value)
        self.held = list(value)

    def __iter__(self):
        return iter(self.held)


copy.deepcopy = lambda value, memo=None: {
    k: Shown(v) if isinstance(v, list) else v for k, v in value.items()}""",
        "pass",
    ),
    "Kept replaced by one that reports what came": (
        """class Kept(calling.Kept):
    def __init__(self, before, after, *rest):
        super().__init__(before, copy.deepcopy(before), *rest)


calling.Kept = Kept""",
        "pass",
    ),
    "a reply of its own written on the pipe first": (
        "",
        """n = neuron_forward.__dict__.get("n", 0)
    neuron_forward.n = n + 1
    z0 = sum(w * i for w, i in zip(weights, inputs)) + bias
    got = 1 / (1 + math.exp(-z0)) if z0 >= 0 else math.exp(z0) / (1 + math.exp(z0))
    line = (json.dumps({"case": n, "got": got, "kept": SAVED}) + "\\n").encode()
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, line)
        except OSError:
            pass""",
    ),
}
# beyond reach: code that walks the interpreter's objects finds the harness's own copy
DEEP_FORGE = """import gc

for found in gc.get_objects():
    if isinstance(found, dict) and "IMPORTS" in found and "as_data" in found:
        found["read"] = lambda values, state: SAVED[0]  # what reads them after the call"""
READERS = [  # the attacks that read: run again where Gradescope's /autograder lies beside
    "the reference through package metadata and loaders",
    "the venv's lib64 link and /proc/self/root",
    "other submissions' scratch folders and notebooks",
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """Every attack and every honest style graded in one run: results.json by name."""
    before = litter()
    submissions = {
        f"attack{k}.ipynb": notebook({1: CHEAT.format(breach=breach), 2: OWN_NEURON})
        for k, breach in enumerate(ATTACKS.values())
    }
    submissions |= {
        f"honest{k}.ipynb": notebook({1: answer, 2: OWN_NEURON})
        for k, answer in enumerate(HONEST.values())
    }
    submissions["lengths.ipynb"] = notebook({1: LENGTHS, 2: OWN_NEURON})
    forges = {f"forge{k}": forge for k, forge in enumerate(FORGES.values())}
    for name, (forge, inline) in forges.items() | {("deep", (DEEP_FORGE, "pass"))}:
        submissions[f"{name}.ipynb"] = notebook({2: MUTATES.format(forge=forge, inline=inline)})
    results = grade(tmp_path_factory.mktemp("graded"), submissions, "--timeout", "5")
    return (
        {name: results[f"attack{k}"] for k, name in enumerate(ATTACKS)}
        | {name: results[f"honest{k}"] for k, name in enumerate(HONEST)}
        | {"litter": litter() - before}
        | {name: results[name] for name in ("lengths", "deep", *forges)}
    )


def litter() -> set[str]:
    found = set()
    for folder in ("/dev/mqueue", "/dev/shm", "/tmp", "/var/tmp"):
        with contextlib.suppress(OSError):
            found |= {os.path.join(folder, n) for n in os.listdir(folder) if "bp-c2-litter" in n}
    for table in ("shm", "sem", "msg"):
        try:
            with open(f"/proc/sysvipc/{table}") as file:
                found |= {f"{table}:{line.split()[0]}" for line in file.readlines()[1:]
                          if line.split()[0] == str(0x0BC2)}  # fmt: skip
        except OSError:
            pass
    return found


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_no_breach_raises_the_score_or_costs_the_other_task(graded, attack):
    results = graded[attack]
    assert [test["score"] for test in results["tests"]] == [0, 1], outputs(results)[:600]


def test_no_text_made_from_a_random_cases_answer_reaches_the_report(graded):
    report = outputs(graded["lengths"])
    rows = [line for line in report.splitlines() if "kept secret" in line]
    assert len(rows) == Q1.n_random and all(row.endswith("| a wrong value |") for row in rows)
    assert "list of" not in "\n".join(rows), report


@pytest.mark.parametrize("forge", list(FORGES))
def test_a_function_that_changes_its_arguments_scores_0_however_a_cell_forges_the_report(
    graded, forge
):
    results = graded[f"forge{list(FORGES).index(forge)}"]
    assert [test["score"] for test in results["tests"]] == [0, 0], outputs(results)[:600]
    wrote = "writes on the grader's pipe" in outputs(results)
    assert wrote == forge.startswith("a reply of its own"), outputs(results)[:600]


@pytest.mark.xfail(
    strict=True,
    reason="a known limit (docs/teaching.md): the arguments as the call left them live in the "
    "submission's process, which reports them. What reports them is bound before any cell runs, "
    "out of reach of a rebinding, but code that walks the interpreter's objects still finds it. "
    "Forging earns what an answer that copies its arguments earns, with values that must be right",
)
def test_code_that_walks_the_interpreters_objects_can_still_forge_the_report(graded):
    assert graded["deep"]["tests"][1]["score"] == 0  # breaks: 1, the harness found and rebound


def test_the_time_a_student_reads_is_in_whole_seconds(graded):
    # a submission sets how long it runs once it knows the random cases: in milliseconds,
    # `time.sleep(z / 10)` would write a random case's z into results.json
    results = [r for r in graded.values() if isinstance(r, dict) and "execution_time" in r]
    assert len(results) > 20
    assert all(float(r["execution_time"]).is_integer() for r in results)


def test_no_attack_leaves_litter(graded):
    assert graded["litter"] == set()


# --- honest answers in styles the notebook passes -----------------------------------------
SIGMOID = solution(Q1)
HONEST = {  # each passes q1.check in the notebook (IPython runs the cell as it is)
    "display() before the def, as IPython gives it": "display('a demo')\n\n\n" + SIGMOID,
    "get_ipython() in the answer cell": "get_ipython().run_line_magic('precision', '3')\n\n\n"
    + SIGMOID,
    "help() before the def": "help(math.exp)\n\n\n" + SIGMOID,
    "IPython's help syntax": "math.exp?\n??math.exp\n\n\n" + SIGMOID,
    "a %timeit line after the def": SIGMOID + "\n\n%timeit -n 1 -r 1 sigmoid(0.5)\n",
    "a lambda": "sigmoid = lambda z: 1 / (1 + math.exp(-z)) if z >= 0 else "
    "math.exp(z) / (1 + math.exp(z))\n",
    "functools.lru_cache": "import functools\n\n\n@functools.lru_cache(maxsize=None)\n" + SIGMOID,
    "a staticmethod bound to the name": "class Activations:\n"
    + textwrap.indent("@staticmethod\n" + SIGMOID, "    ")
    + "\n\nsigmoid = Activations.sigmoid\n",
    "a thread inside the function": "import threading\n\n\n"
    + SIGMOID.replace("def sigmoid", "def _sigmoid")
    + "\n\ndef sigmoid(z):\n    out = []\n    worker = threading.Thread(target=lambda: "
    "out.append(_sigmoid(z)))\n    worker.start()\n    worker.join()\n    return out[0]\n",
    "a top-level await after the def, as IPython runs it": SIGMOID
    + "\n\nimport asyncio\n\nawait asyncio.sleep(0)\n",
    "a 0-d NumPy array": "import numpy as np\n\n\n"
    + SIGMOID.replace("def sigmoid", "def _sigmoid")
    + "\n\ndef sigmoid(z):\n    return np.array(_sigmoid(z))\n",
}


@pytest.mark.parametrize("style", list(HONEST))
def test_an_honest_answer_in_any_style_the_notebook_passes_gets_its_points(graded, style):
    assert in_ipython(HONEST[style]) == "passed"  # what q1.check says in the notebook
    assert graded[style]["score"] == 2, outputs(graded[style])[:600]


def in_ipython(answer: str) -> str:
    """The notebook's verdict: the setup and answer cells run by IPython, then q1's check."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.user_ns.clear()
    for cell in (SETUP, answer):
        assert shell.run_cell(cell, silent=True).success, cell
    return Q1.evaluate(shell.user_ns["sigmoid"]).status


# --- through Gradescope's run_autograder ----------------------------------------------------
def test_through_run_autograder_the_walls_hold_and_honest_styles_pass():
    from test_grading_bundle import make_autograder, run_autograder

    # as on Gradescope, every user can read the installed package (pytest's tmp_path is 0700,
    # and with Landlock alone as root each task runs as a user of its own)
    folder = Path(tempfile.mkdtemp(dir=run_folder_base()))
    folder.chmod(0o755)
    try:
        results = autograded(folder, make_autograder, run_autograder)
    finally:
        shutil.rmtree(folder)
    assert [test["score"] for test in results["tests"]] == [0, 1], json.dumps(results)[:800]


def autograded(folder: Path, make_autograder, run_autograder) -> dict:
    root, site = make_autograder(folder, "--exercise", "01_neuron")
    breaches = [ATTACKS[name] for name in READERS]
    breach = "\n\n\n".join(b.replace("def breach():", f"def breach{i}():") for i, b in
                           enumerate(breaches))  # fmt: skip
    breach += "\n\n\ndef breach():\n    return " + " or ".join(
        f"breach{i}()" for i in range(len(breaches))
    )
    neuron = "display('a demo')\nget_ipython()\nmath.exp?\n\n\n" + OWN_NEURON
    save(
        root / "submission",
        "01_neuron.ipynb",
        notebook({1: CHEAT.format(breach=breach), 2: neuron}),
    )
    return run_autograder(root, site)


# --- nbgrader: what makes a check cell pass without the answer, flagged to the instructor ----
REBINDINGS = [  # each, in any cell, lets q1_check pass under nbgrader whatever the answer
    "setattr(q1, 'check', print)",
    "vars(q1)['check'] = print",
    "q1.__dict__.update(check=print)",
    "from bp_lessons.exercises.check import Task\nTask.check = lambda self, fn: None",
    "q1, q2 = q2, q1",
    "for q in (q1, q2):\n    q.check = print",
    "for q in (q1,):\n    q.evaluate = q.judge = lambda *a, **k: None",
    "from bp_lessons.exercises.neuron import q2 as q1",
    "exec('q' + '1.check = print')",
    "globals()['q1'] = None",
    "type(q1).check = lambda self, fn: None",
    "q1.check.__func__.__code__ = (lambda self, fn: None).__code__",
    "import builtins\nbuiltins.q1 = None\ndel q1",
]


@pytest.mark.parametrize("line", REBINDINGS)
def test_a_check_rebound_by_any_path_is_flagged_to_the_instructor(line):
    nb = notebook({1: solution(Q1) + "\n\n" + line + "\n"})
    review = judge.check_review(parse_submission(nbformat.writes(nb).encode()), 1, Q1)
    assert "rebinds" in review


@pytest.mark.parametrize(
    "line",
    [
        "import re\n\nPATTERN = re.compile('x')",  # not the builtin compile
        "import sys\n\nsys.setrecursionlimit(5000)",
        "class Value:\n    def __repr__(self):\n        return self.__class__.__name__",
        "q1.hint()\nq1.check(sigmoid)",
    ],
)
def test_honest_cells_are_not_flagged(line):
    nb = notebook({1: solution(Q1) + "\n\n" + line + "\n"})
    assert judge.check_review(parse_submission(nbformat.writes(nb).encode()), 1, Q1) == ""


def test_the_exercises_own_cells_are_not_flagged():
    # their ungraded cells read the checks: `for q, f in [(q1, mse_loss), ...]: q.evaluate(f)`
    root = Path(__file__).parents[1] / "exercises"
    for path in sorted([*root.glob("*.ipynb"), *root.glob("source/*.ipynb")]):
        submission = parse_submission(path.read_bytes())
        for k, task in enumerate(tasks(submission.exercise), 1):
            assert judge.check_review(submission, k, task) == "", path.name
