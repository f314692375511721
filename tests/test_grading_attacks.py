"""Hostile submissions, one test per attack: none raises its score above the honest 0 of a stub.

Each test builds an exercise-01 notebook (sigmoid, neuron_forward) whose answers attack the
grader, runs `bp-grade` on it, and reads the results.json it wrote. Where an attack could cost
more than its own task, the other task holds a correct answer that must keep its point.
"""

import json
import os
import time

import pytest
from test_grading_support import SETUP, grade, notebook, outputs, solution

from bp_lessons.exercises import EXERCISES, tasks
from bp_lessons.grading import judge

pytestmark = pytest.mark.lesson01
Q1, Q2 = tasks("01_neuron")
STUB = notebook()
WRONG_SIGMOID = "def sigmoid(z):\n    return 0.0\n"
WRONG_NEURON = "def neuron_forward(inputs, weights, bias):\n    return 0.0\n"
# a correct neuron_forward that does not need sigmoid from q1's cell
OWN_NEURON = """import math


def neuron_forward(inputs, weights, bias):
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
"""


def results_of(tmp_path, nb, *options) -> dict:
    return grade(tmp_path, {"s.ipynb": nb}, *options)["s"]


def scores(results: dict) -> list[float]:
    return [test["score"] for test in results["tests"]]


def test_the_honest_stub_scores_0(tmp_path):
    assert results_of(tmp_path, STUB)["score"] == 0


def test_monkeypatching_numpy_and_math_does_not_raise_the_score(tmp_path):
    patches = (
        "import math\nimport numpy\n"
        "numpy.allclose = numpy.isclose = numpy.array_equal = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "math.isclose = lambda *a, **k: True\n"
    )
    results = results_of(tmp_path, notebook({1: patches + WRONG_SIGMOID, 2: WRONG_NEURON}))
    assert results["score"] == 0
    assert outputs(results).count("is off on") == 2  # compared by the judge, not by numpy


def test_monkeypatching_the_checks_does_not_raise_the_score(tmp_path):
    setup = SETUP + (
        "from bp_lessons.exercises.check import Task\n"
        "from bp_lessons.exercises.feedback import Result, Row\n"
        "Task.judge = lambda self, args, got: Row(args, got, got)\n"
        "Task.evaluate = lambda self, fn, seed=0: Result(self, 'passed', [])\n"
        "Result.passed = property(lambda self: True)\n"
        "q1.check = q2.check = lambda fn: print('✓ correct')\n"
    )
    results = results_of(tmp_path, notebook({1: WRONG_SIGMOID, 2: WRONG_NEURON}, setup=setup))
    assert results["score"] == 0
    assert outputs(results).count("is off on") == 2  # the judge's own Task.judge was used


def test_monkeypatching_bp_lessons_does_not_raise_the_score(tmp_path):
    # the submission's process gets references that agree with its wrong answers
    setup = SETUP + (
        "import bp_lessons.activations\nimport bp_lessons.exercises.neuron as reference\n"
        "reference.sigmoid = bp_lessons.activations.sigmoid = lambda z: 0.0\n"
        "q1.reference = lambda z: 0.0\n"
        "q2.reference = reference.neuron_forward = lambda inputs, weights, bias: 0.0\n"
    )
    results = results_of(tmp_path, notebook({1: WRONG_SIGMOID, 2: WRONG_NEURON}, setup=setup))
    assert results["score"] == 0 and outputs(results).count("is off on") == 2


def test_sys_exit_does_not_raise_the_score(tmp_path):
    q1 = "import sys\n\n\ndef sigmoid(z):\n    sys.exit(0)\n\n\nsys.exit(0)\n"
    q2 = "def neuron_forward(inputs, weights, bias):\n    raise SystemExit(0)\n"
    results = results_of(tmp_path, notebook({1: q1, 2: q2}))
    assert results["score"] == 0
    assert all("raised SystemExit" in test["output"] for test in results["tests"])


@pytest.mark.parametrize("where", ["at top level", "in the function"])
def test_os_exit_does_not_raise_the_score_and_costs_only_its_task(tmp_path, where):
    exits = "import os\n\nos._exit(0)\n" if where == "at top level" else ""
    q1 = solution(Q1).replace("    if z >= 0:", "    os._exit(0)\n    if z >= 0:") + exits
    q1 = "import os\n\n\n" + q1
    results = results_of(tmp_path, notebook({1: q1, 2: OWN_NEURON}))
    assert scores(results) == [0, 1]
    assert "ended before every case ran" in results["tests"][0]["output"]


def test_printing_a_fake_results_json_does_not_raise_the_score(tmp_path, capfd):
    fake = json.dumps({"score": 100.0, "max_score": 2, "tests": []})
    q1 = f"print({fake!r})\n\n\ndef sigmoid(z):\n    print({fake!r})\n    return 0.0\n"
    results = results_of(tmp_path, notebook({1: q1, 2: WRONG_NEURON}))
    out, err = capfd.readouterr()
    assert results["score"] == 0 and '"score": 100.0' not in out + err


def test_writing_a_fake_results_json_does_not_raise_the_score(tmp_path):
    out = tmp_path / "graded"
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    fake = json.dumps({"score": 100.0, "max_score": 2, "tests": []})
    targets = [out / "s" / "results.json", out / "grades.csv", "results.json"]
    targets += ["/autograder/results/results.json"]
    q1 = f"""import os

def plant():
    for target in {[str(t) for t in targets]!r}:
        for make in (os.makedirs, lambda p: os.symlink({str(victim)!r}, p)):
            try:
                make(os.path.dirname(target) or ".")
                make(target)
            except OSError:
                pass
        try:
            with open(target, "w") as file:
                file.write({fake!r})
        except OSError:
            pass


plant()


def sigmoid(z):
    plant()
    return 0.0
"""
    results = results_of(tmp_path, notebook({1: q1, 2: WRONG_NEURON}))
    assert results["score"] == 0 and victim.read_text() == "untouched"
    assert (out / "grades.csv").read_text().startswith("submission,")
    assert not os.path.exists("results.json")  # the sandbox's working folder is not ours


@pytest.mark.parametrize("where", ["at top level", "in the function"])
def test_an_endless_loop_times_out_and_costs_only_its_task(tmp_path, where):
    loop = "while True:\n    pass\n"
    q1 = (
        f"{loop}\n\n{solution(Q1)}"
        if where == "at top level"
        else "def sigmoid(z):\n    " + (loop.replace("\n    ", "\n        "))
    )
    start = time.monotonic()
    results = results_of(tmp_path, notebook({1: q1, 2: OWN_NEURON}), "--timeout", "1")
    assert scores(results) == [0, 1] and time.monotonic() - start < 30
    assert "stopped at the time limit (1 s per task)" in results["tests"][0]["output"]


@pytest.mark.parametrize(
    "bomb",
    [
        "hog = bytearray(64 * 2**30)",  # at once
        "hog = []\nwhile True:\n    hog.append(bytearray(2**24))",  # little by little
    ],
)
def test_a_memory_bomb_is_stopped(tmp_path, bomb):
    q1 = "def sigmoid(z):\n    " + bomb.replace("\n", "\n    ") + "\n    return 0.5\n"
    results = results_of(tmp_path, notebook({1: q1, 2: OWN_NEURON}), "--memory-mb", "200")
    assert scores(results) == [0, 1] and "raised MemoryError" in results["tests"][0]["output"]


BASE_EXCEPTIONS = ["KeyboardInterrupt", "SystemExit", "GeneratorExit", "Escape"]
ESCAPE = "class Escape(BaseException):\n    pass\n\n\n"


@pytest.mark.parametrize("exception", BASE_EXCEPTIONS)
def test_raising_a_base_exception_at_top_level_does_not_raise_the_score(tmp_path, exception):
    q1 = ESCAPE + notebook().cells[3].source + f"\n\nraise {exception}()\n"
    results = results_of(tmp_path, notebook({1: q1, 2: OWN_NEURON}))
    assert scores(results) == [0, 1] and "not attempted" in results["tests"][0]["output"]


@pytest.mark.parametrize("exception", BASE_EXCEPTIONS)
def test_raising_a_base_exception_in_the_function_does_not_raise_the_score(tmp_path, exception):
    q1 = ESCAPE + f"def sigmoid(z):\n    raise {exception}()\n"
    results = results_of(tmp_path, notebook({1: q1, 2: OWN_NEURON}))
    assert scores(results) == [0, 1] and f"raised {exception}" in results["tests"][0]["output"]


def test_objects_that_lie_in_eq_array_and_float_do_not_raise_the_score(tmp_path):
    liars = """import numpy as np


class Liar(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return 0.5


class ArrayLiar:
    def __array__(self, dtype=None, copy=None):
        return np.array(0.5)

    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.5


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


def sigmoid(z):
    return Liar(0.0)


def neuron_forward(inputs, weights, bias):
    return [ArrayLiar(), np.zeros(1).view(LyingArray)][len(inputs) % 2]
"""
    results = results_of(tmp_path, notebook({1: liars, 2: "pass\n"}))
    assert results["score"] == 0


@pytest.mark.parametrize(
    "answer, flag",
    [
        ("from bp_lessons.neuron import neuron_forward\n", "bp_lessons.neuron.neuron_forward"),
        (
            "import bp_lessons.neuron as n\n\n\ndef neuron_forward(inputs, weights, bias):\n"
            "    return n.neuron_forward(inputs, weights, bias)\n",
            "bp_lessons.neuron.neuron_forward",
        ),
        (
            "from bp_lessons import Neuron\n\n\ndef neuron_forward(inputs, weights, bias):\n"
            "    neuron = Neuron(len(inputs))\n    neuron.weights, neuron.bias = weights, bias\n"
            "    return neuron.forward(inputs)\n",
            "bp_lessons.neuron.Neuron",
        ),
        ("from bp_lessons.neuron import *\n", "bp_lessons.neuron.neuron_forward"),
        (
            "from bp_lessons.exercises.neuron import neuron_forward\n",
            "bp_lessons.exercises.neuron.neuron_forward",
        ),
        (
            "neuron_forward = __import__('bp_lessons.neuron', fromlist=['x']).neuron_forward\n",
            "bp_lessons.neuron.neuron_forward",
        ),
        (
            "import importlib\n\nmodule = importlib.import_module('bp_lessons.' + 'neuron')\n"
            "neuron_forward = getattr(module, 'neuron_' + 'forward')\n",
            "bp_lessons.neuron.neuron_forward",
        ),
        (  # the package's sigmoid, through a function the task does not forbid
            "def neuron_forward(inputs, weights, bias):\n"
            "    from bp_lessons.activations import get_activation\n"
            "    act, _ = get_activation('sigmoid')\n"
            "    return act(sum(w * i for w, i in zip(weights, inputs)) + bias)\n",
            "bp_lessons.activations.get_activation",  # not provided by exercise 01 either
        ),
    ],
)
def test_what_the_task_forbids_is_flagged_however_it_is_reached(tmp_path, answer, flag):
    results = results_of(tmp_path, notebook({1: solution(Q1), 2: answer}))
    assert scores(results) == [1, 0]
    assert results["tests"][1]["output"].startswith(f"**0/1** flagged: calls {flag} is off limits")


@pytest.mark.parametrize(
    "answer",
    [
        "def neuron_forward(inputs, weights, bias):\n"
        "    args = {'inputs': inputs, 'weights': weights, 'bias': bias}\n"
        "    return q2.judge(args, 0.0).expected\n",
        "def neuron_forward(inputs, weights, bias):\n"
        "    return q2.reference(inputs, weights, bias)\n",
        "import importlib\nimport bp_lessons.exercises.neuron as checks\n"
        "checks = importlib.reload(checks)\nneuron_forward = checks.q2.reference\n",
    ],
)
def test_the_checks_hold_no_reference_in_the_sandbox(tmp_path, answer):
    results = results_of(tmp_path, notebook({1: solution(Q1), 2: answer}))
    assert scores(results) == [1, 0]


def test_a_background_process_cannot_rewrite_the_results_later(tmp_path):
    target = tmp_path / "graded" / "s" / "results.json"
    fake = json.dumps({"score": 100.0, "max_score": 2, "tests": []})
    q1 = f"""import os
import subprocess
import time


def sigmoid(z):
    forked = 0.0
    for spawn in (os.fork, lambda: subprocess.Popen(["sleep", "0"]).pid):
        try:
            pid = spawn()
        except OSError:
            continue
        forked = 7.0
        if pid == 0:  # the daemon: wait for the judge to finish, then rewrite its results
            os.setsid()
            time.sleep(1.5)
            with open({str(target)!r}, "w") as file:
                file.write({fake!r})
            os._exit(0)
    return forked
"""
    results = results_of(tmp_path, notebook({1: q1, 2: WRONG_NEURON}))
    time.sleep(2.5)
    assert json.loads(target.read_text()) == results and results["score"] == 0
    assert "| 0.5 | 0 |" in results["tests"][0]["output"]  # no process could be started


SEED = 8_675_309_112_358
# Looks for the seed and the expected values in every container of its process. Both are
# given shifted by 1, so that its own constants do not hold them.
FINDER = f"""import gc
import os


def leaks(shifted):
    seed, expected = int("{SEED + 1}") - 1, [value - 1.0 for value in shifted]
    found = 0.0
    seen_seed = seen_expected = False
    for obj in gc.get_objects():
        if obj is expected or not isinstance(obj, (dict, list, tuple)):
            continue
        values = obj.values() if isinstance(obj, dict) else obj
        try:
            seen_seed = seen_seed or any(type(v) is int and v == seed for v in values)
            seen_expected = seen_expected or any(type(v) is float and v in expected for v in values)
        except Exception:
            pass
    found += 1.0 * seen_seed + 10.0 * seen_expected
    for pid in {{os.getppid(), 1}}:  # the judge, or the sandbox's first process
        try:
            open(f"/proc/{{pid}}/mem", "rb").close()
            found += 100.0
        except OSError:
            pass
    return min(found, 111.0)
"""


def test_the_sandbox_holds_none_of_the_judges_secrets(tmp_path, monkeypatch):
    monkeypatch.setattr(judge, "draw_seed", lambda: SEED)
    secret = [Q1.reference(**args) for args in Q1.cases(SEED)[len(Q1.fixed) :]]
    shifted = [value + 1.0 for value in secret]
    # a right answer plus what it found: right on every case (the random ones are not shown)
    # only if it found nothing
    honest = solution(Q1).replace("def sigmoid(", "def honest(")
    q1 = FINDER + f"\n\n{honest}\n\ndef sigmoid(z):\n    return honest(z) + leaks({shifted!r})\n"
    results = results_of(tmp_path, notebook({1: q1, 2: WRONG_NEURON}))
    output = results["tests"][0]["output"]
    assert results["tests"][0]["score"] == 1, output
    # the finder does find the secrets where they are: in the judge's own process
    namespace: dict = {}
    exec(FINDER, namespace)
    holder = judge.Judge(sandbox=None)
    assert holder.seed == SEED and namespace["leaks"](shifted) % 100 == 11  # seed, expected


def test_an_empty_file_scores_0_with_a_message(tmp_path):
    results = results_of(tmp_path, b"")
    assert results["score"] == 0 and "the file is empty" in results["output"]


def test_corrupt_json_scores_0_with_a_message(tmp_path):
    text = json.dumps(notebook())[:-40]
    results = results_of(tmp_path, text.encode())
    assert results["score"] == 0
    assert "not a Jupyter notebook: it is not valid JSON" in results["output"]


def test_a_notebook_of_another_exercise_scores_0(tmp_path):
    other = notebook({k: solution(t) for k, t in enumerate(tasks("01_neuron"), 1)})
    other.metadata["bp_lessons"]["exercise"] = "03_loss"
    results = results_of(tmp_path, other, "--exercise", "01_neuron")
    assert results["score"] == 0 and results["max_score"] == 2
    assert (
        "this notebook is exercise '03_loss', but this grading is for 01_neuron"
        in (results["output"])
    )
    assert results_of(tmp_path / "any", other)["extra_data"]["exercise"] == "03_loss"


def test_an_unknown_exercise_id_scores_0(tmp_path):
    results = results_of(tmp_path, notebook(exercise="99_nothing"))
    assert results["score"] == 0 and "unknown exercise '99_nothing'" in results["output"]


def test_a_png_renamed_ipynb_scores_0(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    results = results_of(tmp_path, png)
    assert results["score"] == 0 and "the file is a PNG image" in results["output"]


def test_killing_the_sandboxs_parent_costs_only_that_task(tmp_path):
    q1 = (
        "import os\nimport signal\n\n\ndef sigmoid(z):\n    os.kill(os.getppid(), signal.SIGKILL)\n"
    )
    results = results_of(tmp_path, notebook({1: q1, 2: OWN_NEURON}))
    assert scores(results) == [0, 1]


def test_a_submission_cannot_kill_another_ones_running_task(tmp_path):
    slow = solution(Q1).replace("    if z >= 0:", "    time.sleep(0.2)\n    if z >= 0:")
    killer = """import os
import signal
import time


def sigmoid(z):
    for _ in range(40 * (z == 0)):  # for 2 s, on the first case
        time.sleep(0.05)
        try:
            os.kill(-1, signal.SIGKILL)  # every process this user may signal
        except OSError:
            pass
    return 0.0
"""
    submissions = {
        "a.ipynb": notebook({1: "import time\n\n\n" + slow, 2: OWN_NEURON}),
        "b.ipynb": notebook({1: killer, 2: WRONG_NEURON}),
    }
    results = grade(tmp_path, submissions, "--jobs", "2", "--timeout", "20")
    assert scores(results["a"]) == [1, 1] and results["b"]["score"] == 0


def test_forged_replies_on_the_judges_socket_do_not_raise_the_score(tmp_path):
    # it answers every case itself, straight on the socket, and says it is done
    forged = "".join(json.dumps({"case": j, "got": 0.5}) + "\n" for j in range(20))
    q1 = f"""import os


def sigmoid(z):
    for fd in range(3, 64):
        try:
            os.write(fd, {(forged + json.dumps({"done": True}) + chr(10))!r}.encode())
        except OSError:
            pass
    return 0.25
"""
    results = results_of(tmp_path, notebook({1: q1, 2: "garbage = 1\n"}))
    output = results["tests"][0]["output"]
    assert results["score"] == 0 and "is off on" in output
    assert " | 0.5 | " in output and " | 0.25 | " not in output  # the forged ones arrived


def test_a_flood_of_output_is_cut(tmp_path):
    q1 = "def sigmoid(z):\n    return [0.5] * 2_000_000\n"
    results = results_of(tmp_path, notebook({1: q1, 2: OWN_NEURON}))
    assert scores(results) == [0, 1]
    assert "sent back more data than any answer needs" in results["tests"][0]["output"]


CHAIN_RULE_SETUP = (
    "from bp_lessons.activations import sigmoid\n"
    "from bp_lessons.exercises.chain_rule import q1, q2, q3\n"
)
READ_SOURCE = (
    "import bp_lessons, os\n"
    "folder = os.path.join(os.path.dirname(bp_lessons.__file__), 'exercises')\n"
    "namespace = {{}}\n"
    "exec(open(os.path.join(folder, 'chain_rule.py')).read(), namespace)\n"
)
REACH_THE_CHECKS = {  # each defines sigmoid_derivative from what the checks hold, if it can
    "reload through os.sys.modules": "import os\n"
    "_r = os.sys.modules['importlib'].reload(os.sys.modules['bp_lessons.exercises.chain_rule'])\n"
    "def sigmoid_derivative(z): return _r.sigmoid_derivative(z)\n",
    "operator.attrgetter": "import operator, sys\n"
    "get = operator.attrgetter('modules')(sys)['bp_lessons.exercises.chain_rule']\n"
    "def sigmoid_derivative(z): return get.sigmoid_derivative(z)\n",
    "getattr as a value": "import sys\nfetch = getattr\n"
    "checks = fetch(sys, 'modules')['bp_lessons.exercises.chain_rule']\n"
    "sigmoid_derivative = fetch(checks, 'sigmoid_' + 'derivative')\n",
    "exec of the package's source": READ_SOURCE.format()
    + "sigmoid_derivative = namespace['sigmoid_derivative']\n",
    "base64 and exec": "import base64\n"
    f"exec(base64.b64decode({__import__('base64').b64encode(READ_SOURCE.format().encode())!r}))\n"
    "sigmoid_derivative = namespace['sigmoid_derivative']\n",
    "another task's helper": "import bp_lessons.exercises.chain_rule as c\n"
    "def sigmoid_derivative(z): return c._gradients_with([1.0], [0.0], z, 0.0)[1]\n",
}


@pytest.mark.lesson04
@pytest.mark.parametrize("how", list(REACH_THE_CHECKS))
def test_the_reference_cannot_be_reached_from_the_sandbox(tmp_path, how):
    nb = notebook({1: REACH_THE_CHECKS[how]}, "04_chain_rule", CHAIN_RULE_SETUP)
    results = results_of(tmp_path, nb)
    assert results["score"] == 0 and results["tests"][0]["status"] in ("failed", "flagged")


@pytest.mark.lesson04
def test_a_submission_whose_every_cell_hangs_costs_its_budget_and_no_more(tmp_path):
    hang = "while True:\n    pass\n"
    nb = notebook({1: hang, 2: hang, 3: hang}, "04_chain_rule", hang)
    start = time.monotonic()
    results = results_of(tmp_path, nb, "--timeout", "1", "--jobs", "1")
    elapsed = time.monotonic() - start
    assert results["score"] == 0
    # three tasks and one more time limit: 4 s of runs, plus starting and reporting. The bound
    # is loose (a loaded machine took 7.8 s) but far below what a limit not kept would cost: the
    # default 10 s per task, or a hang without end
    assert elapsed < 4 * 10, elapsed
    assert "used up its time" in outputs(results)


# package code that answers a task the exercise does not hand out: off limits (provided.py)
GAPS = {
    "1.2 through the matrix form": (
        "01_neuron",
        2,
        "import numpy as np\nfrom bp_lessons.vectorized import DenseLayer\n\n\n"
        "def neuron_forward(inputs, weights, bias):\n"
        "    layer = DenseLayer(len(weights), 1)\n"
        "    layer.W[:], layer.b[:] = [weights], [bias]\n"
        "    return float(layer.forward(np.array([inputs]))[0, 0])\n",
    ),
    "1.1 through the check's own way of calling 3.3": (
        "01_neuron",
        1,
        "import math\nfrom bp_lessons.exercises.calling import one_weight_loss\n\n\n"
        "def sigmoid(z):\n    return 1 - math.sqrt(one_weight_loss((z + 0.5) / 1.5))\n",
    ),
    "2.1 through an activation's derivative": (
        "02_perceptron_xor",
        1,
        "from bp_lessons.activations import relu_derivative\n"
        "from bp_lessons.neuron import neuron_forward\n\n\n"
        "def predict(inputs, weights, bias):\n"
        "    return relu_derivative(neuron_forward(inputs, weights, bias, 'identity'))\n",
    ),
    "2.2 through a plotting helper": (
        "02_perceptron_xor",
        2,
        "from bp_lessons.plotting import zero_line\n\n\n"
        "def decision_line(weights, bias):\n    return zero_line(weights, bias, (0.0, 1.0))\n",
    ),
}


@pytest.mark.parametrize("how", list(GAPS))
def test_package_code_the_exercise_does_not_provide_is_off_limits(tmp_path, how):
    exercise, k, answer = GAPS[how]
    module = EXERCISES[exercise]
    count = len(tasks(exercise))
    setup = {
        "01_neuron": SETUP,
        "02_perceptron_xor": "from bp_lessons import datasets\n"
        f"from {module} import {', '.join(f'q{i}' for i in range(1, count + 1))}\n",
    }[exercise]
    results = results_of(tmp_path, notebook({k: answer}, exercise, setup))
    test = results["tests"][k - 1]
    assert test["score"] == 0, test
    if "plotting" in answer and "is not defined by the graded cells" in test["output"]:
        # matplotlib cannot even be imported in a task: it wants to write a cache (nothing is
        # writable with Landlock alone) or, in some versions, to start a thread (no thread)
        return
    assert test["output"].startswith("**0/1** flagged: calls "), test


RESURRECT = """import bp_lessons.autograd as autograd


def my_order(root):
    order, seen = [], set()

    def place(node):
        if id(node) not in seen:
            seen.add(id(node))
            for child in node._prev:
                place(child)
            order.append(node)

    place(root)
    return order


autograd.topological_order = my_order  # the forbidden helper, put back: backward lives again


def shared_weight_gradient(x, w, y):
    xv, wv = Value(x), Value(w)
    loss = ((wv * (wv * xv).tanh()).tanh() - y) ** 2
    loss.backward()
    return wv.grad, xv.grad
"""


def test_what_calls_a_forbidden_helper_stays_out_of_reach_when_the_helper_is_put_back(tmp_path):
    setup = (
        "import math\n\nfrom bp_lessons.autograd import Value\n"
        "from bp_lessons.exercises.computational_graph import q1, q2, q3\n"
    )
    nb = notebook({3: RESURRECT}, "11_computational_graph", setup)
    results = results_of(tmp_path, nb)
    test = results["tests"][2]
    assert test["score"] == 0 and "off limits" in test["output"], test["output"]


ARGUMENTS_CHANGED = """import copy

copy.deepcopy = lambda value, memo=None: value  # the in-process rule's copy: a no-op


def neuron_forward(inputs, weights, bias):
    result = sigmoid(sum(w * i for w, i in zip(weights, inputs)) + bias)
    inputs.append(0.0)  # the caller's list, changed
    return result
"""


def test_the_arguments_unchanged_rule_is_judged_in_the_judges_process(tmp_path):
    results = results_of(tmp_path, notebook({1: solution(Q1), 2: ARGUMENTS_CHANGED}))
    test = results["tests"][1]
    assert test["score"] == 0 and "changed its argument" in test["output"], test["output"]


def test_two_tasks_that_must_leave_out_the_same_cell_both_get_their_rerun(tmp_path):
    # tasks 2 and 3 both run cell q1, which never ends: each must be run again without it,
    # in parallel, from the one spare time limit (the first rerun gives back what it did not use)
    loss = tasks("03_loss")
    answers = {k: solution(t) for k, t in enumerate(loss, 1)}
    answers[1] = "while True:\n    pass\n"
    setup = "from bp_lessons.exercises.loss import q1, q2, q3\n"
    nb = notebook(answers, "03_loss", setup)
    results = results_of(tmp_path, nb, "--timeout", "4", "--jobs", "3")
    assert scores(results) == [0, 1, 1], [t["output"] for t in results["tests"]]


SHUFFLED_IN_PLACE = """import numpy as np


def iterate_minibatches(X, y, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(X))
    X[:] = [X[i] for i in order]  # the caller's data, shuffled in place
    y[:] = [y[i] for i in order]
    for start in range(0, len(X), batch_size):
        yield X[start : start + batch_size], y[start : start + batch_size]
"""
# ways to switch off, in the submission's process, the rule that 9.1 leaves X and y as they came
RULE_OFF = {
    "the comparison rebound": "import bp_lessons.exercises.calling as calling\n\n"
    "calling.unchanged = lambda *args, **kwargs: None\n",
    "copying made a no-op": "import copy\n\ncopy.deepcopy = lambda value, memo=None: value\n",
    "the values sent back dropped": "import bp_lessons.exercises.calling as calling\n\n"
    "real = calling.call_kept\n"
    "calling.call_kept = lambda fn, args, call=None, pure=True: "
    "(real(fn, args, call, pure)[0], [])\n",
}


CLEARS_X = """

def dense_forward(X, W, b):
    A = 1 / (1 + np.exp(-(X @ W.T + b)))
    X[:] = 0.0  # the caller's inputs, cleared
    return A
"""
# ways to make the arrays that 10.1 hands out show, once changed, what they held (a NumPy
# array's tolist is what reports them)
HELD = """import numpy as np


class Held(np.ndarray):
    held = None  # what an array handed out held (the arrays made from it hold nothing)

    def tolist(self):
        return np.ndarray.tolist(self) if self.held is None else self.held


real_array = np.array


def array(value, *args, **kwargs):
    made = real_array(value, *args, **kwargs)
    if isinstance(value, list):
        made = made.view(Held)
        made.held = real_array(value, *args, **kwargs).tolist()
    return made
"""
ARRAYS_FORGED = {
    "numpy.array rebound": HELD + "\n\nnp.array = array\n",
    "a numpy of its own in sys.modules": HELD
    + """

import sys
import types

fake = types.ModuleType("numpy")
fake.__dict__.update(vars(np))
fake.array, fake.ndarray = array, Held
sys.modules["numpy"] = fake
""",
}


@pytest.mark.lesson10
def test_arrays_handed_out_report_their_change_however_numpy_was_rebound(tmp_path):
    setup = "import numpy as np\n\nfrom bp_lessons.exercises.vectorized_digits import q1\n"
    submissions = {
        f"s{k}.ipynb": notebook({1: forge + CLEARS_X}, "10_vectorized_digits", setup)
        for k, forge in enumerate(ARRAYS_FORGED.values())
    }
    results = grade(tmp_path, submissions)
    for k, how in enumerate(ARRAYS_FORGED):
        test = results[f"s{k}"]["tests"][0]
        assert test["score"] == 0 and "changed its argument `X` in place" in test["output"], how


@pytest.mark.lesson09
@pytest.mark.parametrize("how", list(RULE_OFF))
def test_a_call_task_rule_is_judged_in_the_judges_process_with_the_notebooks_words(tmp_path, how):
    # 9.1 is called through calling.numbered_batches, not fn(*args): the child sends X and y as
    # the call left them, with its own copy of calling.py that no cell rebinds, and the judge
    # compares them with what it computes itself
    task = tasks("09_mini_batch")[0]
    setup = "import numpy as np\n\nfrom bp_lessons.exercises.mini_batch import q1, q2, q3\n"
    nb = notebook({1: RULE_OFF[how] + "\n\n" + SHUFFLED_IN_PLACE}, "09_mini_batch", setup)
    test = results_of(tmp_path, nb)["tests"][0]
    assert test["score"] == 0, test["output"]
    namespace: dict = {}
    exec(SHUFFLED_IN_PLACE, namespace)  # the same answer, checked as the notebook checks it
    said = task.evaluate(namespace["iterate_minibatches"], rules=False).rows[0].detail
    assert "changed its argument `X` in place" in said
    assert said in test["output"], (said, test["output"])
