"""What a student can read of a run: never the seed of the random cases, nor their inputs.

The random cases are what a graded course relies on (the references ship in the package): a
learner who knew them could hand in a table of answers computed offline with the reference.
So each run draws a fresh seed that only run.json (the instructor's) records, an instructor's
--seed included; results.json carries a run id that says nothing of it; and the feedback
shows the inputs of the fixed cases, never those of the random ones.
"""

import json

import pytest
from test_grading_support import notebook, save

from bp_lessons.exercises import tasks
from bp_lessons.exercises.feedback import arguments
from bp_lessons.grading.cli import main

pytestmark = pytest.mark.lesson01
Q1, Q2 = tasks("01_neuron")
HALF = "def neuron_forward(inputs, weights, bias):\n    return 0.5\n"


def run(tmp_path, *options: str):
    save(tmp_path / "submitted", "alice.ipynb", notebook({2: HALF}))
    out = tmp_path / "out"
    assert main([str(tmp_path / "submitted"), "--out", str(out), "--timeout", "5", *options]) == 0
    record = json.loads((out / "run.json").read_text())
    readable = (out / "alice" / "results.json").read_text()
    readable += (out / "feedback" / "alice.md").read_text()
    return record, readable, json.loads((out / "alice" / "results.json").read_text())


@pytest.mark.parametrize("options", [(), ("--seed", "918273645")])
def test_no_report_a_student_reads_holds_the_seed(tmp_path, options):
    record, readable, results = run(tmp_path, *options)
    seed = record["seed"]
    assert isinstance(seed, int) and (not options or seed == 918273645)
    assert str(seed) not in readable and "seed" not in results["extra_data"]
    assert results["extra_data"]["run"] == record["run"]  # which run, and nothing more


def test_feedback_shows_the_fixed_cases_inputs_and_never_the_random_ones(tmp_path):
    record, readable, results = run(tmp_path)
    cases = Q2.cases(record["seed"])
    fixed, drawn = cases[: len(Q2.fixed)], cases[len(Q2.fixed) :]
    assert drawn, "01_neuron's second task has random cases"
    output = results["tests"][1]["output"]
    assert results["tests"][1]["score"] == 0 and "| case | input |" in output
    for args in fixed:
        assert arguments(args) in output
    for args in drawn:
        assert arguments(args) not in readable
        for value in args.values():  # not even one of its lists of numbers
            shown = arguments({"x": value})[2:]
            assert not isinstance(value, list) or shown not in readable, shown
    assert output.count("a random case") == len(drawn)


SNOOP = """import gc, json, os, stat, sys, time

replies = json.loads(sys.argv[1])["replies"]
# say the cells are done and the fixed cases answered, so that the judge sends every case now
os.write(replies, b'{"function": "", "defined": true}\\n{"batch": 0}\\n')
time.sleep(1.0)
found = []
for fd in range(3, 30):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode) and fd != replies:
            os.set_blocking(fd, False)
            found.append(os.read(fd, 4096).decode(errors="replace"))
    except OSError:
        pass
found += [repr(o) for o in gc.get_objects() if isinstance(o, dict) and "inputs" in o]
raise ValueError(" ".join(found)[:390])
"""


def test_code_that_reads_the_cases_early_cannot_show_them(tmp_path):
    nb = notebook({2: SNOOP + "\n\n" + HALF})
    save(tmp_path / "submitted", "alice.ipynb", nb)
    out = tmp_path / "out"
    assert main([str(tmp_path / "submitted"), "--out", str(out), "--timeout", "5"]) == 0
    seed = json.loads((out / "run.json").read_text())["seed"]
    results = json.loads((out / "alice" / "results.json").read_text())
    readable = results["output"] + "".join(test["output"] for test in results["tests"])
    assert "ValueError" not in readable  # its error came after the cases: not shown
    for args in Q2.cases(seed)[len(Q2.fixed) :]:
        for value in args.values():  # the numbers of its lists, however they are bracketed
            shown = arguments({"x": value})[3:-1]
            assert not isinstance(value, list) or shown not in readable, shown
