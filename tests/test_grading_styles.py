"""Honest answers in any style the notebook check accepts get the score the notebook shows.

The check calls the function in the learner's kernel; the grader in a sandbox. Styles that
differ only in how the function is made (a decorator, a callable object) or run (a thread
pool) must not be told apart by the grader.
"""

import subprocess

import pytest
from test_grading_support import grade, notebook, solution

from bp_lessons.exercises import tasks

pytestmark = pytest.mark.lesson01
Q1, Q2 = tasks("01_neuron")
VECTORIZED = "import numpy as np\n\n\n@np.vectorize\n" + solution(Q1)
CALLABLE = (
    "class Neuron:\n    def __call__(self, inputs, weights, bias):\n"
    "        return sigmoid(sum(w * x for w, x in zip(weights, inputs)) + bias)\n\n\n"
    "neuron_forward = Neuron()\n"
)
THREADS = (
    "from concurrent.futures import ThreadPoolExecutor\n\n\n"
    "def neuron_forward(inputs, weights, bias):\n"
    "    with ThreadPoolExecutor(2) as pool:\n"
    "        products = list(pool.map(lambda p: p[0] * p[1], zip(weights, inputs)))\n"
    "    return sigmoid(sum(products) + bias)\n"
)


@pytest.mark.parametrize(
    "answers",
    [{1: VECTORIZED, 2: solution(Q2)}, {1: solution(Q1), 2: CALLABLE}],
    ids=["np.vectorize", "a callable object"],
)
def test_an_honest_style_gets_the_notebooks_score(tmp_path, answers):
    namespace: dict = {}
    exec("import math\n\n" + answers[1] + "\n" + answers[2], namespace)
    assert [t.evaluate(namespace[t.function]).status for t in (Q1, Q2)] == ["passed"] * 2
    results = grade(tmp_path, {"alice.ipynb": notebook(answers)})["alice"]
    assert results["score"] == 2, [t["output"] for t in results["tests"]]


def test_a_callable_object_of_the_package_is_still_not_the_learners(tmp_path):
    answer = "import functools\n\nfrom bp_lessons.activations import sigmoid as s\n\n"
    answer += "sigmoid = functools.partial(s)\n"
    results = grade(tmp_path, {"alice.ipynb": notebook({1: answer})})["alice"]
    assert results["tests"][0]["score"] == 0


def test_an_answer_that_uses_a_thread_pool_gets_its_points(tmp_path):
    from bp_lessons.grading import seccomp

    if not seccomp.available():
        pytest.skip("without libseccomp a task gets no thread (RLIMIT_NPROC = 0)")
    results = grade(tmp_path, {"alice.ipynb": notebook({1: solution(Q1), 2: THREADS})})["alice"]
    assert results["score"] == 2, [t["output"] for t in results["tests"]]


PROCESSES = {
    "a process pool": "from concurrent.futures import ProcessPoolExecutor\n\n\n"
    "def neuron_forward(inputs, weights, bias):\n"
    "    with ProcessPoolExecutor(1) as pool:\n"
    "        z = pool.submit(sum, [w * x for w, x in zip(weights, inputs)]).result()\n"
    "    return sigmoid(z + bias)\n",
    "subprocess": "import subprocess\n\n\n"
    "def neuron_forward(inputs, weights, bias):\n"
    "    subprocess.run(['true'])\n"
    "    return sigmoid(sum(w * x for w, x in zip(weights, inputs)) + bias)\n",
}


@pytest.mark.parametrize("style", PROCESSES)
def test_an_answer_that_starts_a_process_is_told_in_the_notebook_what_the_grader_gives(
    tmp_path, style
):
    # the grader's sandbox cannot start a process; the notebook check says so, and scores alike
    namespace: dict = {}
    exec("import math\n\n" + solution(Q1) + "\n" + PROCESSES[style], namespace)
    result = Q2.evaluate(namespace["neuron_forward"])
    assert result.status == "failed"
    assert "starts a process" in result.headline() and "thread pool is fine" in result.headline()
    assert subprocess.run(["true"]).returncode == 0  # after the check, processes start again
    results = grade(tmp_path, {"alice.ipynb": notebook({1: solution(Q1), 2: PROCESSES[style]})})
    assert results["alice"]["score"] == 1, [t["output"] for t in results["alice"]["tests"]]


def test_the_grader_refuses_to_grade_where_the_walls_stop_honest_work(
    tmp_path, monkeypatch, capsys
):
    from bp_lessons.grading import judge
    from bp_lessons.grading.cli import main

    # a wall that breaks every setup cell: the self-test's reference run fails, so no grading
    monkeypatch.setattr(judge, "SELF_TEST_SETUP", "raise ImportError('a wall')\n")
    folder = tmp_path / "submitted"
    from test_grading_support import correct, save

    save(folder, "alice.ipynb", correct())
    assert main([str(folder), "--out", str(tmp_path / "out"), "--timeout", "5"]) == 3
    error = capsys.readouterr().err
    assert "exercise 01_neuron: the walls stop honest work" in error
    assert not (tmp_path / "out" / "alice").exists()


# --- feedback a student can act on -------------------------------------------------------


def test_a_syntax_error_is_named_before_what_it_caused(tmp_path):
    broken = "def neuron_forward(inputs, weights, bias)\n    return 0.5\n"
    results = grade(tmp_path, {"alice.ipynb": notebook({1: solution(Q1), 2: broken})})["alice"]
    output = results["tests"][1]["output"]
    cause, effect = output.find("SyntaxError"), output.find("is not defined by the graded cells")
    assert 0 <= cause < effect, output


def test_a_long_message_is_shown_once_not_on_every_row(tmp_path):
    message = "the same long complaint, " * 5
    raising = f"def neuron_forward(inputs, weights, bias):\n    raise ValueError({message!r})\n"
    results = grade(tmp_path, {"alice.ipynb": notebook({1: solution(Q1), 2: raising})})["alice"]
    output = results["tests"][1]["output"]
    assert output.count(message.strip()) == 2, output  # the headline, then the first case
    assert "as in case 1" in output


SLOW_DEMO = "import time\n\n\n" + solution(Q1) + "\n\ntime.sleep(60)  # a demo at top level\n"


def test_a_slow_demo_in_the_answer_cell_is_named_as_the_cause(tmp_path):
    # the grader runs a graded cell whole: its feedback says that the cell's top level, not
    # the function, ran out the time, and what to do
    results = grade(tmp_path, {"alice.ipynb": notebook({1: SLOW_DEMO})}, "--timeout", "2")
    output = results["alice"]["tests"][0]["output"]
    assert "while running the top level of your answer cell" in output, output
    assert "move the demo to a cell of your own" in output


def test_the_notebook_check_says_what_the_grader_will_do_with_a_slow_answer_cell(monkeypatch):
    # the check times the cells IPython runs: the one that defines the function, when slow,
    # gets a note that the grader runs it whole within its time limit
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from bp_lessons.exercises import check

    monkeypatch.setattr(check, "SLOW_CELL", 0.2)
    shown: list = []
    monkeypatch.setattr(check, "show", shown.append)
    config = Config()
    config.HistoryManager.enabled = False  # no history file in the home folder
    shell = InteractiveShell(config=config)
    check.time_cells(shell)
    shell.run_cell("import math\n\n" + solution(Q1) + "\nimport time\ntime.sleep(0.4)\n")
    Q1.check(shell.user_ns["sigmoid"])
    assert any("took 0." in str(s) and "runs each graded cell whole" in str(s) for s in shown)
    shown.clear()
    shell.run_cell("import math\n\n" + solution(Q1))  # the same function, without the demo
    Q1.check(shell.user_ns["sigmoid"])
    assert not any("runs each graded cell whole" in str(s) for s in shown), shown
