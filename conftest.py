"""Shared test settings: Hypothesis repeats its examples, notebooks carry their lesson marker."""

import importlib.util
import os
import re

import pytest
from hypothesis import settings

settings.register_profile("bp_lessons", derandomize=True, deadline=None, max_examples=100)
settings.load_profile("bp_lessons")


SLOW = {  # the tests `make test` leaves to targets of their own, which CI runs after it
    "nbgrader": "the nbgrader round trip: make test-nbgrader",
    "wheel": "the lessons from a built wheel in a fresh venv: make test-wheel",
    "browser": "a learner's first hour in a real browser: make test-browser",
    "gradescope": "the Gradescope bundle built and run as Gradescope runs it: .ci/run",
}
NEEDS = {  # a lesson that runs only where an optional extra is installed: its module, its extra
    "14_pytorch.ipynb": ("torch", "pip install -e '.[torch]' (torch==2.13.0, the CPU build)"),
}

# the files that take longest, run first: `make test` gives each file to one of its workers
# (--dist loadfile), and a long file started last would leave the others idle
FIRST = (
    "tests/test_grading_attacks.py",
    "tests/test_grading.py",
    "notebooks/12_",
    "tests/test_grading_sandbox.py",
    "tests/test_grading_attacks3.py",
    "tests/test_exercises.py",
    "notebooks/09_",
    "tests/test_release.py",
    "tests/test_grading_agreement.py",
)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's: what `-n auto` (make test) means
def pytest_xdist_auto_num_workers(config) -> int:
    """A worker per core, and one more: the tests spend much of their time waiting on a
    sandboxed child or a kernel (on 2 cores, 3 workers took 2:49 and 2:52 against 2 workers'
    2:59 and 3:01). PYTEST_XDIST_AUTO_NUM_WORKERS still decides where it is set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1


def pytest_addoption(parser):
    for name, reason in SLOW.items():
        parser.addoption(f"--{name}", action="store_true", help=f"run {reason}")


def pytest_collection_modifyitems(config, items):
    """Tag each notebook's cells with its lesson marker: `pytest -m lesson04` runs them too.
    The nbgrader round trip, the wheel and the browser run only when asked (--nbgrader, ...);
    a lesson that needs an optional extra is skipped where that extra is missing. The longest
    files go first (FIRST); within a file, the order stays."""
    first = [next((i for i, p in enumerate(FIRST) if item.nodeid.startswith(p)), len(FIRST))
             for item in items]  # fmt: skip
    items[:] = [item for _, item in sorted(zip(first, items), key=lambda pair: pair[0])]
    for item in items:
        for name, reason in SLOW.items():
            if name in item.keywords and not config.getoption(f"--{name}"):
                item.add_marker(pytest.mark.skip(reason=reason))
        match = re.match(r"(\d\d)_", item.path.name)
        if item.path.suffix == ".ipynb" and match:
            item.add_marker(f"lesson{match.group(1)}")
        if item.path.suffix == ".ipynb" and item.path.name in NEEDS:
            module, install = NEEDS[item.path.name]
            if importlib.util.find_spec(module) is None:
                reason = f"{item.path.name} needs {module}, not installed here: {install}"
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def torch_activations() -> dict:
    """PyTorch's version of each activation name: the independent oracle's half of the gradient
    tests of both engines (skipped where PyTorch is not installed)."""
    torch = pytest.importorskip("torch")
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": torch.nn.functional.leaky_relu,
        "identity": lambda z: z,
    }
