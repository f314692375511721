"""The start page's claims about its own run: the digits network learns to read."""

import json
from pathlib import Path

import numpy as np
import pytest

from bp_lessons import datasets
from bp_lessons.training import train
from bp_lessons.vectorized import VectorizedMLP

pytestmark = pytest.mark.lesson00


def test_the_digits_network_goes_from_guessing_to_reading_more_than_nine_in_ten():
    X, Y = datasets.digits()  # the start page's run, as it is written there
    training, validation, _ = datasets.split(X, Y, validation=360, test=360, seed=0)
    (X_train, Y_train), (X_val, Y_val) = training, validation
    network = VectorizedMLP([64, 30, 10], seed=0)

    def share_read_right():
        return float(np.mean(network.forward(X_val).argmax(axis=1) == Y_val.argmax(axis=1)))

    accuracy, rng = [share_read_right()], np.random.default_rng(0)
    for _ in range(10):
        train(network, X_train, Y_train, epochs=1, batch_size=10, learning_rate=15.0, seed=rng)
        accuracy.append(share_read_right())
    assert accuracy[0] < 0.15  # "no better than guessing" (1 in 10)
    assert 0.4 < accuracy[1] < 0.7  # "about half" after one pass
    assert accuracy[10] > 0.9  # "more than nine in ten" after ten


def test_the_start_page_reads_the_validation_digits_and_leaves_the_test_digits_unread():
    # lessons 10 to 13 read the test digits once, at the end: the preview must not read them
    notebook = Path(__file__).parent.parent / "notebooks" / "00_start_here.ipynb"
    code = "\n".join(
        "".join(cell["source"])
        for cell in json.loads(notebook.read_text())["cells"]
        if cell["cell_type"] == "code"
    )
    assert "datasets.split(X, Y, validation=360, test=360, seed=0)" in code
    assert "X_val" in code and "test]" not in code and "X_test" not in code
