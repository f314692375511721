"""Shared test settings: Hypothesis repeats its examples, notebooks carry their lesson marker."""

import re

import pytest
from hypothesis import settings

settings.register_profile("bp_lessons", derandomize=True, deadline=None, max_examples=100)
settings.load_profile("bp_lessons")


SLOW = {  # the tests `make test` leaves to targets of their own, which CI runs after it
    "nbgrader": "the nbgrader round trip: make test-nbgrader",
    "wheel": "the lessons from a built wheel in a fresh venv: make test-wheel",
    "browser": "a learner's first hour in a real browser: make test-browser",
}


def pytest_addoption(parser):
    for name, reason in SLOW.items():
        parser.addoption(f"--{name}", action="store_true", help=f"run {reason}")


def pytest_collection_modifyitems(config, items):
    """Tag each notebook's cells with its lesson marker: `pytest -m lesson04` runs them too.
    The nbgrader round trip, the wheel and the browser run only when asked (--nbgrader, ...)."""
    for item in items:
        for name, reason in SLOW.items():
            if name in item.keywords and not config.getoption(f"--{name}"):
                item.add_marker(pytest.mark.skip(reason=reason))
        match = re.match(r"(\d\d)_", item.path.name)
        if item.path.suffix == ".ipynb" and match:
            item.add_marker(f"lesson{match.group(1)}")


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
