"""The start page's claims about its own run: the digits network learns to read."""

import numpy as np
import pytest

from bp_lessons import datasets
from bp_lessons.training import train
from bp_lessons.vectorized import VectorizedMLP

pytestmark = pytest.mark.lesson00


def test_the_digits_network_goes_from_guessing_to_reading_nearly_all():
    X, Y = datasets.digits()  # the start page's run, as it is written there
    test, training = np.split(np.random.default_rng(0).permutation(len(X)), [360])
    network = VectorizedMLP([64, 30, 10], seed=0)

    def share_read_right():
        return float(np.mean(network.forward(X[test]).argmax(axis=1) == Y[test].argmax(axis=1)))

    accuracy, rng = [share_read_right()], np.random.default_rng(0)
    for _ in range(10):
        train(
            network, X[training], Y[training], epochs=1, batch_size=10, learning_rate=15.0, seed=rng
        )
        accuracy.append(share_read_right())
    assert accuracy[0] < 0.15  # "no better than guessing" (1 in 10)
    assert 0.4 < accuracy[1] < 0.7  # "about half" after one pass
    assert accuracy[10] > 0.93  # "nearly all" after ten
