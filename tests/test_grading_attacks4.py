"""Round four: a function that changes an argument it must leave as it came, and code of its
own that puts the argument back after the call returned but before the harness read it (no
frame, no walk of the interpreter's objects, no ctypes, no pipe): each answer is right except
for the change, so a point scored is a rule that broke. All in one `bp-grade` run.
"""

import inspect
import os

import pytest
from test_grading_support import grade, notebook, outputs, solution

from bp_lessons.exercises import EXERCISES, tasks
from bp_lessons.exercises.provided import PROVIDED

pytestmark = pytest.mark.skipif(
    os.environ.get("BP_GRADE_SANDBOX") == "none",
    reason="attacks must never run without the sandbox",
)


def renamed(task, name: str = "_right") -> str:
    """The reference's source with its function renamed (the attack calls it for its values)."""
    source = inspect.getsource(task.reference)
    return source.replace(f"def {task.function}(", f"def {name}(", 1)


def setup(exercise: str) -> str:
    """The exercise's setup cell: NumPy, what it provides (as its notebook names it), q1, ..."""
    module = EXERCISES[exercise]
    lines = ["import math", "", "import numpy as np", ""]
    for name in PROVIDED[exercise]:
        where, _, what = name.rpartition(".")
        lines.append(f"from {where} import {what}")
    names = ", ".join(f"q{i}" for i in range(1, len(tasks(exercise)) + 1))
    return "\n".join([*lines, f"from {module} import {names}", ""])


NEURON = tasks("01_neuron")[1]
BACKWARD = tasks("04_chain_rule")[2]
BATCHES = tasks("09_mini_batch")[0]
GRADIENTS = tasks("10_vectorized_digits")[3]
NORMS = tasks("12_deep_networks")[2]
SOFTMAX = tasks("13_classification")[0]
CALLS = len(NEURON.fixed) + NEURON.n_random

ATTACKS = {  # name: (exercise, task index, answer cell)
    # 10.4: the harness asked each W handed out for its tolist after the call
    "10.4 a weight replaced by an object whose tolist shows the old values": (
        "10_vectorized_digits",
        3,
        renamed(GRADIENTS)
        + """

class Shows:
    def __init__(self, held):
        self.held = held

    def tolist(self):
        return self.held


def network_gradients(X, Y, weights, biases):
    result = _right(X, Y, weights, biases)
    weights[0] = Shows(weights[0].tolist())  # the caller's list of weights, changed
    return result
""",
    ),
    "10.4 X cleared, put back by a weight's tolist once the call returned": (
        "10_vectorized_digits",
        3,
        renamed(GRADIENTS)
        + """

class PutsBack(np.ndarray):
    def tolist(self):
        for array, held in self.saved:
            array[...] = held
        return np.ndarray.tolist(self)


def network_gradients(X, Y, weights, biases):
    result = _right(X, Y, weights, biases)
    saved = [(X, X.copy())]
    X[...] = 0.0  # the caller's inputs, cleared
    W = np.ndarray.view(weights[-1], PutsBack)
    W.saved = saved
    weights[-1] = W
    return result
""",
    ),
    # 9.1: the harness read the batches (iterating them runs their code) before X and y
    "9.1 a shuffle in place, undone when the harness reads the batches": (
        "09_mini_batch",
        0,
        renamed(BATCHES)
        + """

class Batch(list):
    def __iter__(self):
        for array, held in self.saved:
            array[:] = held
        return list.__iter__(self)


def iterate_minibatches(X, y, batch_size, seed):
    saved = [(X, list(X)), (y, list(y))]
    batches = list(_right(X, y, batch_size, seed))
    X.reverse()  # the caller's data set, reordered in place
    y.reverse()
    for X_batch, y_batch in batches:
        batch = Batch(X_batch)
        batch.saved = saved
        yield batch, y_batch
""",
    ),
    # 13.1: np.errstate's exit ran after the call, before the arrays were read
    "13.1 Z cleared, put back by a rebound np.errstate on exit": (
        "13_classification",
        0,
        renamed(SOFTMAX)
        + """

SAVED = []
real_errstate = np.errstate


class errstate(real_errstate):
    def __exit__(self, *exc):
        for array, held in SAVED:
            array[...] = held
        SAVED.clear()
        return super().__exit__(*exc)


np.errstate = errstate


def softmax(Z):
    result = _right(Z)
    SAVED.append((Z, Z.copy()))
    Z[...] = 0.0  # the caller's logits, cleared
    return result
""",
    ),
    # 4.3: the harness read the neuron's attributes through its class, which the call can swap
    "4.3 weights changed in place, the neuron's class swapped for one that shows the old": (
        "04_chain_rule",
        2,
        "import math\n\n\ndef sigmoid_derivative(z):\n    s = 1 / (1 + math.exp(-z))\n"
        "    return s * (1 - s)\n\n\n"
        + renamed(BACKWARD)
        + """

def neuron_backward(neuron, output_gradient):
    result = _right(neuron, output_gradient)
    shown = list(neuron.weights)
    neuron.weights[0] += 1.0  # the caller's weights, changed in place

    class Shows(type(neuron)):
        weights = property(lambda self: shown)

    neuron.__class__ = Shows
    return result
""",
    ),
    # 12.3: the harness read network.layers[...].W after the call, through their classes
    "12.3 a step taken, the layers' W shown as they were through a class property": (
        "12_deep_networks",
        2,
        "from bp_lessons.losses import mse_loss_gradient\n\n\n"
        + renamed(NORMS)
        + """

def gradient_norms(network, X, Y):
    result = _right(network, X, Y)
    layer = network.layers[0]
    shown = layer.W.copy()
    layer.W += 1.0  # the caller's weights, changed in place

    class Shows(type(layer)):
        W = property(lambda self: shown, lambda self, value: None)

    layer.__class__ = Shows
    return result
""",
    ),
    # 1.2: the previous case's answer is released after the call returned, before the read
    "1.2 inputs appended to, put back by the previous answer's __del__": (
        "01_neuron",
        1,
        f"""import math

PENDING = []
CALLS = [0]


class Restores(float):
    def __del__(self):
        for inputs, held in PENDING:
            inputs[:] = held
        PENDING.clear()


def neuron_forward(inputs, weights, bias):
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    a = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
    CALLS[0] += 1
    if 1 < CALLS[0] < {CALLS}:  # no answer before the first, none after the last
        PENDING.append((inputs, list(inputs)))
        inputs.append(99.0)  # the caller's inputs, changed
    return Restores(a)
""",
    ),
}
HOOKED = {  # 1.2, the put-back run by a hook of the interpreter's, no frame read
    "gc.callbacks": (
        """import gc

def hook(phase, info):
    put_back()


gc.callbacks.append(hook)
gc.set_threshold(1)
""",
        "gc.set_threshold(1)",
    ),
    "a cycle's __del__ at the next collection": (
        """import gc


class Cycle:
    def __del__(self):
        put_back()


def arm():
    gc.set_threshold(1)
    c = Cycle()
    c.me = c
""",
        "arm()",
    ),
    "sys.setprofile": (
        """import sys


ARMED, RETURNS = [], []


def hook(frame, event, arg):  # the frame is not read: the answer's return is known by its value
    if ARMED:
        put_back()
    elif event == "return" and RETURNS and arg is RETURNS[0]:
        ARMED.append(True)
""",
        "RETURNS[:] = [a]\n    ARMED.clear()\n    sys.setprofile(hook)",
    ),
    "sys.settrace": (
        """import sys


def hook(frame, event, arg):
    put_back()
""",
        "sys.settrace(hook)",
    ),
}
BODY = """import math

PENDING = []


def put_back():
    for inputs, held in PENDING:
        inputs[:] = held
    PENDING.clear()


{top}


def neuron_forward(inputs, weights, bias):
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    a = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
    entry = (inputs, list(inputs))
    {arm}
    inputs.append(99.0)  # the caller's inputs, changed
    PENDING.append(entry)
    return a
"""
for name, (top, arm) in HOOKED.items():
    ATTACKS[f"1.2 inputs appended to, put back by {name}"] = (
        "01_neuron",
        1,
        BODY.format(top=top, arm=arm),
    )

# what is handed over made other than the case says (a module attribute a cell rebinds, a class it
# patches), and the call changing it in place into what the case says: as it came, it differs
DENSE = tasks("10_vectorized_digits")[0]
HANDED = {
    "1.2 copy.deepcopy rebound to hand over -inputs, the call negates them in place": (
        "01_neuron",
        1,
        """import copy
import math

real_deepcopy = copy.deepcopy


def deepcopy(value, memo=None):
    made = real_deepcopy(value, memo)
    if isinstance(made, dict) and "inputs" in made:
        made["inputs"] = [-x for x in made["inputs"]]
    return made


copy.deepcopy = deepcopy


def neuron_forward(inputs, weights, bias):
    inputs[:] = [-x for x in inputs]  # the caller's inputs, changed
    z = sum(w * i for w, i in zip(weights, inputs)) + bias
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
""",
    ),
    "10.1 numpy.array rebound to hand out -X, the call negates it in place": (
        "10_vectorized_digits",
        0,
        renamed(DENSE)
        + """

real_array = np.array
SHAPES = []


def array(value, *args, **kwargs):
    made = real_array(value, *args, **kwargs)
    if kwargs.get("dtype") is float and isinstance(value, list):
        SHAPES.append(made.ndim)
        if len(SHAPES) % 3 == 1:  # X, the first of X, W, b
            made *= -1.0
    return made


np.array = array


def dense_forward(X, W, b):
    X *= -1.0  # the caller's inputs, changed
    return _right(X, W, b)
""",
    ),
    "12.3 DenseLayer.__init__ patched to make -W, the call negates each W in place": (
        "12_deep_networks",
        2,
        "from bp_lessons.losses import mse_loss_gradient\n"
        "from bp_lessons.vectorized import DenseLayer\n\n\n"
        + renamed(NORMS)
        + """

real_init = DenseLayer.__init__


def init(self, *args, **kwargs):
    real_init(self, *args, **kwargs)
    self.W *= -1.0


DenseLayer.__init__ = init


def gradient_norms(network, X, Y):
    for layer in network.layers:
        layer.W *= -1.0  # the caller's weights, changed in place
    return _right(network, X, Y)
""",
    ),
}
ATTACKS |= HANDED
SETUPS = {
    exercise: setup(exercise)
    for exercise in (
        "01_neuron",
        "04_chain_rule",
        "09_mini_batch",
        "10_vectorized_digits",
        "12_deep_networks",
        "13_classification",
    )
}


# honest answers: every reference of the exercises above, and answers of 1.2 that leave the
# interpreter as the grader does not expect (each passes the notebook's check)
HONEST_NEURON = {
    "garbage collection switched off and left off": "import gc\n\ngc.disable()\n\n\n",
    "a profile run at top level (the profiler is off again)": "import cProfile\n\n"
    "cProfile.run('sum(range(10))')\n\n\n",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    submissions = {
        f"attack{k}.ipynb": notebook({index + 1: answer}, exercise, SETUPS[exercise])
        for k, (exercise, index, answer) in enumerate(ATTACKS.values())
    }
    for exercise, text in SETUPS.items():
        answers = {k: solution(task) for k, task in enumerate(tasks(exercise), 1)}
        submissions[f"reference{exercise}.ipynb"] = notebook(answers, exercise, text)
    stops = "def neuron_forward(inputs, weights, bias):\n    return next(iter([]))\n"
    submissions["stops.ipynb"] = notebook({2: stops}, "01_neuron", SETUPS["01_neuron"])
    for k, top in enumerate(HONEST_NEURON.values()):
        answers = {1: solution(tasks("01_neuron")[0]), 2: top + solution(NEURON)}
        submissions[f"honest{k}.ipynb"] = notebook(answers, "01_neuron", SETUPS["01_neuron"])
    results = grade(tmp_path_factory.mktemp("graded"), submissions, "--timeout", "10")
    return (
        {name: results[f"attack{k}"] for k, name in enumerate(ATTACKS)}
        | {exercise: results[f"reference{exercise}"] for exercise in SETUPS}
        | {name: results[f"honest{k}"] for k, name in enumerate(HONEST_NEURON)}
        | {"stops": results["stops"]}
    )


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_change_put_back_after_the_call_returned_still_scores_0(graded, attack):
    exercise, index, _ = ATTACKS[attack]
    test = graded[attack]["tests"][index]
    assert test["score"] == 0, outputs(graded[attack])[:1500]
    assert "in place" in test["output"] or "flagged" in test["output"], test["output"][:1500]


@pytest.mark.parametrize("exercise", list(SETUPS))
def test_the_references_score_full_marks(graded, exercise):
    results = graded[exercise]
    assert results["score"] == results["max_score"], outputs(results)[:1500]


@pytest.mark.parametrize("style", list(HONEST_NEURON))
def test_honest_answers_that_leave_the_interpreter_changed_score_full_marks(graded, style):
    results = graded[style]
    assert results["score"] == results["max_score"], outputs(results)[:1500]


def test_a_function_that_raises_stop_iteration_is_said_to_raise_it(graded):
    # the harness calls it inside a loop of C's, which took StopIteration for the loop's end
    test = graded["stops"]["tests"][1]
    assert test["score"] == 0 and "raised StopIteration" in test["output"], test["output"][:800]
