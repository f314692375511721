"""Shared test settings: Hypothesis repeats its examples, notebooks carry their lesson marker."""

import re

import pytest
from hypothesis import settings

settings.register_profile("bp_lessons", derandomize=True, deadline=None, max_examples=100)
settings.load_profile("bp_lessons")


def pytest_addoption(parser):
    parser.addoption(
        "--nbgrader",
        action="store_true",
        help="run the nbgrader course round trip (make test-nbgrader; needs the nbgrader extra)",
    )


def pytest_collection_modifyitems(config, items):
    """Tag each notebook's cells with its lesson marker: `pytest -m lesson04` runs them too.
    The nbgrader round trip runs only with --nbgrader (`make test-nbgrader`)."""
    skip = pytest.mark.skip(reason="the nbgrader round trip: make test-nbgrader")
    for item in items:
        if "nbgrader" in item.keywords and not config.getoption("--nbgrader"):
            item.add_marker(skip)
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
