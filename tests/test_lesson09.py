"""Lesson 09's claims about its own numbers: the mean gradient of a batch, how its noise shrinks
with the batch size, and what the search over batch sizes and learning rates finds."""

import math

import numpy as np
import pytest

from bp_lessons import MLP, datasets, plotting
from bp_lessons.gradcheck import relative_error
from bp_lessons.losses import mse_loss_gradient
from bp_lessons.training import (
    gradient_vector,
    iterate_minibatches,
    numerical_gradient_vector,
    per_example_gradients,
    record_training,
    train,
)

pytestmark = pytest.mark.lesson09

X, Y = datasets.circles(n=150, noise=0.08, seed=0)  # the lesson's data and network
N = len(X)
EPOCHS, RATES, SIZES = 40, [0.0125, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8], [1, 10, N]


def make_model():
    return MLP([2, 8, 1], activation="tanh", output_activation="identity", seed=0)


def accuracy(model):
    return np.mean((plotting.model_outputs(model, X)[:, 0] > 0.5) == (Y[:, 0] > 0.5))


def test_the_mean_of_the_batch_passes_the_check_and_the_two_mistakes_fail_it():
    model = make_model()
    X_batch, y_batch = next(iterate_minibatches(X, Y, batch_size=10, seed=1))
    X_other, y_other = next(iterate_minibatches(X, Y, batch_size=10, seed=2))
    numerical = numerical_gradient_vector(model, X_batch, y_batch)

    def worst_error(*batches):
        model.zero_grad()
        for X_part, y_part, scale in batches:
            for inputs, labels in zip(X_part.tolist(), y_part.tolist()):
                outputs = model.forward(inputs)
                model.backward([g * scale for g in mse_loss_gradient(outputs, labels)])
        return max(relative_error(g, n) for g, n in zip(gradient_vector(model), numerical))

    assert worst_error((X_batch, y_batch, 1 / 10)) < 1e-6
    assert worst_error((X_batch, y_batch, 1.0)) > 0.5  # the 1/B forgotten
    assert worst_error((X_other, y_other, 1 / 10), (X_batch, y_batch, 1 / 10)) > 0.5


def test_the_noise_of_a_batch_follows_the_variance_of_a_sample_mean():
    per_example = per_example_gradients(make_model(), X, Y)
    full = per_example.mean(axis=0)
    sigma2 = np.mean(np.sum((per_example - full) ** 2, axis=1))
    rng, noisy = np.random.default_rng(0), []
    for size in [1, 2, 5, 10, 25, 50, 75]:
        distances = [
            np.sum((per_example[rows[:, 0]].mean(axis=0) - full) ** 2)
            for _ in range(40)
            for rows, _ in iterate_minibatches(np.arange(N).reshape(-1, 1), Y, size, seed=rng)
        ]
        predicted = math.sqrt(sigma2 / size * (N - size) / (N - 1))
        assert math.sqrt(np.mean(distances)) == pytest.approx(predicted, rel=0.15)
        if predicted / np.linalg.norm(full) > 1:  # more noise than signal
            noisy.append(size)
    assert noisy == [1, 2]


@pytest.fixture(scope="module")
def search():
    return {
        (size, lr): record_training(
            make_model(),
            X,
            Y,
            epochs=EPOCHS,
            batch_size=size,
            learning_rate=lr,
            snapshot_epochs=[10, 20, 40],
        )
        for size in SIZES
        for lr in RATES
    }


def final_loss(run):
    return math.inf if run.diverged_in else run.losses[-1]


def test_each_batch_size_has_its_own_best_rate_larger_for_larger_batches(search):
    best = {size: min(RATES, key=lambda lr: final_loss(search[size, lr])) for size in SIZES}
    assert best == {1: 0.05, 10: 0.2, N: 0.4}
    assert search[1, 0.4].diverged_in and search[1, 0.8].diverged_in
    assert search[10, 0.8].diverged_in and not search[N, 0.8].diverged_in
    # any one rate favours the batch size it suits
    assert final_loss(search[10, 0.05]) > 3 * final_loss(search[1, 0.05])
    assert final_loss(search[1, 0.2]) > 3 * final_loss(search[10, 0.2])


def test_at_their_own_rates_small_batches_win_per_epoch_and_large_ones_per_step(search):
    one, ten, full = search[1, 0.05], search[10, 0.2], search[N, 0.4]
    assert ten.losses[40] < 1.5 * one.losses[40]  # batch 10 ends close to batch 1 ...
    assert final_loss(search[10, 0.05]) > 3 * ten.losses[40]  # ... at its own rate only
    assert full.losses[40] > 5 * ten.losses[40]  # the full batch is far behind
    assert final_loss(search[N, 0.8]) > full.losses[40]  # and the next rate up does worse
    assert ten.losses[10] < one.losses[1]  # 150 steps each: batch 10 lower
    assert full.losses[40] < ten.losses[3]  # 40 steps against 45: the full batch lower
    assert accuracy(one.snapshots[10]) > 0.97  # the circle is there by epoch 10
    # batch size 10: 'between epochs 10 and 20 (0.77, then 0.99)'
    assert accuracy(ten.snapshots[10]) < 0.85 and accuracy(ten.snapshots[20]) > 0.95
    assert accuracy(full.snapshots[40]) < 0.9  # still far from it (0.80)


def test_diverged_k_is_the_epoch_in_which_train_stops(search):
    """'"diverged (k)" means that `train` stopped in epoch k: the loss, or a neuron's z, was no
    longer a finite number'"""
    for size, lr in [(1, 0.4), (1, 0.8), (10, 0.8)]:
        k = search[size, lr].diverged_in
        assert k == {(1, 0.4): 2, (1, 0.8): 1, (10, 0.8): 12}[size, lr]  # as the table prints
        with pytest.raises(FloatingPointError, match=f"in epoch {k}: training diverged"):
            train(make_model(), X, Y, epochs=EPOCHS, batch_size=size, learning_rate=lr)


def test_with_a_sigmoid_output_a_rate_too_large_shows_only_as_a_high_loss():
    """'a rate that is too large would not show as "diverged", only as a high loss, like a rate
    that is too small'"""

    def final(lr):
        model = MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", seed=0)
        return record_training(model, X, Y, epochs=EPOCHS, batch_size=10, learning_rate=lr)

    too_large, right, too_small = final(25.6), final(1.6), final(0.025)
    assert too_large.diverged_in is None and too_large.losses[-1] > 0.2
    assert too_small.losses[-1] > 0.2
    assert right.losses[-1] < 0.05  # what a rate that suits reaches


def test_another_shuffle_moves_the_best_rates_but_never_down_as_the_batch_grows(search):
    """'batch size 10's from 0.1 to 0.4, but never down as the batch grows: 0.025 to 0.05 for
    batch size 1, 0.1 to 0.4 for 10, and 0.4 for the whole set' (whose steps see every example,
    whatever the shuffle)"""
    found = {0: {size: min(RATES, key=lambda lr: final_loss(search[size, lr])) for size in SIZES}}
    for seed in (1, 2):
        runs = {
            (size, lr): record_training(
                make_model(), X, Y, epochs=EPOCHS, batch_size=size, learning_rate=lr, seed=seed
            )
            for size in SIZES[:2]
            for lr in RATES
        }
        found[seed] = {
            size: min(RATES, key=lambda lr: final_loss(runs[size, lr])) for size in SIZES[:2]
        }
        found[seed][N] = found[0][N]
    assert found[1] == {1: 0.05, 10: 0.4, N: 0.4} and found[2] == {1: 0.025, 10: 0.1, N: 0.4}
    for best in found.values():
        assert best[1] <= best[10] <= best[N]
        # 'every best lies inside the grid, with a worse rate on either side of it'
        assert all(RATES[0] < rate < RATES[-1] for rate in best.values())
