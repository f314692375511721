"""The notebook's check and the grader agree: what the grader flags or stops, the check says too.

Each answer here is run both ways, by `q.check` in this process (as in a learner's notebook)
and by `bp-grade` in its sandbox, and must fail both, for the same reason.
"""

import argparse
import time

import pytest
from test_grading_support import grade, notebook, solution

from bp_lessons.exercises import chain_rule, check, neuron
from bp_lessons.exercises.check import TIME_LIMIT
from bp_lessons.grading.cli import add_options

pytestmark = [pytest.mark.lesson01, pytest.mark.lesson04]

FORBIDDEN = {  # answers to exercise 01's neuron_forward that use what the task forbids
    "direct import": "from bp_lessons.neuron import neuron_forward\n",
    "wrapped": "import bp_lessons.neuron as n\n\n\ndef neuron_forward(inputs, weights, bias):\n"
    "    return n.neuron_forward(inputs, weights, bias)\n",
    "through an unforbidden function": "def neuron_forward(inputs, weights, bias):\n"
    "    from bp_lessons.activations import get_activation\n"
    "    act, _ = get_activation('sigmoid')\n"
    "    return act(sum(w * i for w, i in zip(weights, inputs)) + bias)\n",
    "through the checks": "from bp_lessons.exercises.neuron import neuron_forward\n",
    "through the task": "def neuron_forward(inputs, weights, bias):\n"
    "    return q2.reference(inputs, weights, bias)\n",
}


def in_notebook(answer: str, task, setup: str) -> str:
    """What `task.check` says of the answer, run as a notebook runs it."""
    namespace: dict = {}
    exec(setup, namespace)
    exec(answer, namespace)
    return str(task.evaluate(namespace[task.function]))


@pytest.mark.parametrize("how", list(FORBIDDEN))
def test_what_the_task_forbids_fails_in_the_notebook_and_is_flagged_by_the_grader(tmp_path, how):
    setup = "import math\n\nfrom bp_lessons.exercises.neuron import q1, q2\n"
    said = in_notebook(FORBIDDEN[how], neuron.q2, setup)
    assert said.startswith("✗ Exercise 1.2: ")
    assert "is off limits" in said or "from the package: write your own" in said
    results = grade(tmp_path, {"s.ipynb": notebook({1: solution(neuron.q1), 2: FORBIDDEN[how]})})
    output = results["s"]["tests"][1]["output"]
    assert results["s"]["tests"][1]["score"] == 0
    if how != "through the task":  # the sandbox's q2 has no reference: an AttributeError there
        assert output.startswith("**0/1** flagged: calls ") and "off limits" in output


ENDLESS = "def sigmoid_derivative(z):\n    while True:\n        pass\n"
SLOW = (
    "import time\n\nfrom bp_lessons.activations import sigmoid\n\n\n"
    "def sigmoid_derivative(z):\n    time.sleep(1.2)\n    s = sigmoid(z)\n    return s * (1 - s)\n"
)


def test_the_check_allows_half_the_graders_default_time():
    """An answer the notebook passes (its cases within TIME_LIMIT) has the other half of the
    grader's default --timeout for starting Python and running the cells."""
    parser = argparse.ArgumentParser()
    add_options(parser)
    assert parser.get_default("timeout") == 2 * TIME_LIMIT


@pytest.mark.parametrize("answer", [ENDLESS, SLOW], ids=["endless loop", "1.2 s per case"])
def test_an_answer_too_slow_for_the_grader_fails_the_check_in_bounded_time(
    tmp_path, monkeypatch, answer
):
    # the defaults are 5 s and 10 s; at 1 s and 2 s the same mechanism is tried in less time
    monkeypatch.setattr(check, "TIME_LIMIT", 1.0)
    setup = "from bp_lessons.activations import sigmoid\n"
    start = time.monotonic()
    said = in_notebook(answer, chain_rule.q1, setup)
    assert time.monotonic() - start < 1.0 + 2
    assert "was still running after 1 s" in said
    setup += "from bp_lessons.exercises.chain_rule import q1, q2, q3\n"
    nb = notebook({1: answer}, "04_chain_rule", setup)
    results = grade(tmp_path, {"s.ipynb": nb}, "--timeout", "2")
    assert results["s"]["tests"][0]["score"] == 0
    assert "stopped at the time limit" in results["s"]["tests"][0]["output"]


def test_a_correct_answer_passes_both_and_the_checks_are_whole_again(tmp_path):
    setup = "import math\n\nfrom bp_lessons.exercises.neuron import q1, q2\n"
    in_notebook(FORBIDDEN["wrapped"], neuron.q2, setup)  # the rules come and go with a check
    assert neuron.q2.evaluate(neuron.q2.reference, rules=False).passed
    answers = solution(neuron.q1) + "\n\n" + solution(neuron.q2)
    assert in_notebook(answers, neuron.q2, setup).startswith("✓ Exercise 1.2")
    results = grade(
        tmp_path, {"s.ipynb": notebook({1: solution(neuron.q1), 2: solution(neuron.q2)})}
    )
    assert results["s"]["score"] == 2
