"""Every exercise task: the reference passes, a stub is "not attempted", every known mistake
fails with its own message, the references agree with central differences and the package;
and the checking machinery itself."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from bp_lessons import MLP
from bp_lessons.exercises import EXERCISES, Mistake, Task, tasks
from bp_lessons.exercises.calling import to_plain
from bp_lessons.exercises.check import CheckFailed
from bp_lessons.exercises.sgd import Report
from bp_lessons.gradcheck import numerical_gradient

ROOT = Path(__file__).resolve().parent.parent


def lesson_mark(exercise):
    return getattr(pytest.mark, f"lesson{exercise[:2]}")


ALL_TASKS = [
    pytest.param(exercise, task, marks=lesson_mark(exercise), id=f"{exercise}-q{task.number}")
    for exercise in EXERCISES
    for task in tasks(exercise)
]


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: not written yet")


@pytest.mark.parametrize("exercise, task", ALL_TASKS)
def test_the_reference_passes(exercise, task):
    result = task.evaluate(task.reference, rules=False)
    assert result.status == "passed", str(result)
    assert len(result.rows) >= 3


@pytest.mark.parametrize("exercise, task", ALL_TASKS)
def test_a_stub_is_not_attempted(exercise, task):
    result = task.evaluate(stub)
    assert result.status == "not attempted" and "not attempted" in str(result)
    assert "Traceback" not in str(result)


@pytest.mark.parametrize("exercise, task", ALL_TASKS)
def test_every_known_mistake_fails_with_its_own_message(exercise, task):
    assert len(task.mistakes) >= 3, "at least three wrong implementations per task"
    for mistake in task.mistakes:
        result = task.evaluate(mistake.fn, rules=False)
        assert result.status == "failed", f"{mistake.message!r} passes the check"
        assert mistake.message in result.headline(), str(result)


@pytest.mark.parametrize("exercise, task", ALL_TASKS)
def test_hints_get_more_specific_and_the_solution_is_the_reference(exercise, task, capsys):
    task.hints_given = 0
    for i in range(len(task.hints) + 1):
        task.hint()
        shown = capsys.readouterr().out
        assert f"Hint {min(i + 1, len(task.hints))} of {len(task.hints)}" in shown
    assert "last hint" in shown
    task.solution()
    assert f"def {task.function}(" in capsys.readouterr().out


@pytest.mark.parametrize("exercise, task", ALL_TASKS)
def test_random_cases_are_seeded_and_plain_data(exercise, task):
    assert task.cases(seed=5) == task.cases(seed=5)
    if task.random:
        assert task.cases(seed=5) != task.cases(seed=6)
    for args in task.cases(seed=5):
        assert to_plain_args(args) == args


def to_plain_args(args):
    def plain(value):
        if isinstance(value, (str, int, float)):
            return value
        return [plain(item) for item in value]

    return {name: plain(value) for name, value in args.items()}


# --- the machinery, on a small task of its own ----------------------------------------------


def double(x):
    return 2.0 * x


toy = Task(
    number="0.1",
    function="double",
    reference=double,
    fixed=[{"x": 1.0}, {"x": -2.5}, {"x": 0.0}],
    random=lambda rng: {"x": float(rng.normal())},
    mistakes=[Mistake("You returned x, not 2x.", lambda x: x)],
    errors={"ZeroDivisionError": "Nothing here divides."},
)


def test_check_prints_a_verdict_outside_a_notebook(capsys):
    toy.check(lambda x: 2.0 * x)
    assert capsys.readouterr().out.startswith("✓ Exercise 0.1: `double` is correct on all 7 cases")
    with pytest.raises(CheckFailed, match=r"✗ Exercise 0.1: not right yet \(see above\)"):
        toy.check(lambda x: x)
    out = capsys.readouterr().out
    assert out.startswith("✗ Exercise 0.1: `double` is off on 6 of 7 cases. You returned x")
    assert "case 1: x=1" in out and "expected 2" in out and "got      1" in out


def test_a_failed_or_unattempted_check_raises_one_line_for_nbgrader(capsys):
    """nbgrader scores a check cell by whether it raises; IPython shows the one line."""

    def unwritten(x):  # nbgrader's bare stub
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as failed:
        toy.check(unwritten)
    assert failed.value._render_traceback_() == [
        "\x1b[0;31mExercise 0.1 not attempted yet (see above).\x1b[0m"
    ]
    assert "not attempted" in capsys.readouterr().out


def test_nbgraders_bare_stub_still_names_the_task_to_write_first():
    from bp_lessons.exercises import perceptron_xor as ex

    namespace: dict = {}
    exec("def predict(inputs, weights, bias):\n    raise NotImplementedError()\n", namespace)
    exec(
        "def accuracy(X, labels, weights, bias):\n"
        "    right = [predict(x, weights, bias) == y for x, y in zip(X, labels)]\n"
        "    return sum(right) / len(right)\n",
        namespace,
    )
    result = ex.q3.evaluate(namespace["accuracy"])
    assert result.status == "not attempted"
    assert result.note.startswith("your `accuracy` calls `predict` (Exercise 2.1), which still")


def test_an_error_is_reported_per_case_with_its_advice():
    result = toy.evaluate(lambda x: 1 / x)
    assert result.status == "failed"
    (row,) = [row for row in result.rows if row.got is None]
    assert row.message == "raised ZeroDivisionError: float division by zero. Nothing here divides."


def test_types_and_shapes_are_checked_first():
    assert "expected a number, got a list of 1 number" in str(toy.evaluate(lambda x: [2 * x]))
    assert "expected numbers, got a bool" in str(toy.evaluate(lambda x: True))
    assert "got str 'two'" in str(toy.evaluate(lambda x: "two"))
    assert "got nan" in str(toy.evaluate(lambda x: math.nan))


def test_the_html_table_has_one_row_per_case():
    page = toy.evaluate(lambda x: x)._repr_html_()
    assert page.count("<tr>") == 1 + 7 and "✗" in page and page.count("<td>wrong value</td>") == 6


def test_the_html_headline_shows_code_as_code_and_a_learner_s_text_inert():
    from bp_lessons.exercises.feedback import inline_code

    assert inline_code("use `math.exp(x)` here") == "use <code>math.exp(x)</code> here"
    assert inline_code("<b>`a<b`</b>") == "&lt;b&gt;<code>a&lt;b</code>&lt;/b&gt;"
    assert inline_code("a lone ` stays") == "a lone ` stays"
    from bp_lessons.exercises.neuron import q1

    def sigmoid(z):
        raise NotImplementedError("Exercise 1.1: write sigmoid")

    page = q1.evaluate(sigmoid)._repr_html_()
    assert "write <code>sigmoid</code>, replacing" in page and "`" not in page


def test_check_wants_a_function():
    with pytest.raises(TypeError, match="check needs your function, e.g. double, got a number"):
        toy.check(2.0)


def test_to_plain_admits_numbers_lists_and_arrays_only():
    assert to_plain(np.array([[1, 2]])) == [[1.0, 2.0]]
    assert to_plain((np.float32(0.5), 3)) == [0.5, 3.0]

    class Liar(float):
        def __eq__(self, other):
            return True

    assert type(to_plain(Liar(1.0))) is float  # a float subclass is copied into a real float
    for bad in (None, "1", {"a": 1}, object(), [1, None]):
        with pytest.raises(TypeError):
            to_plain(bad)


def test_unknown_exercise():
    with pytest.raises(ValueError, match="unknown exercise '99_nothing': expected one of"):
        tasks("99_nothing")


# --- the grader's side of the contract: plain data both ways --------------------------------


@pytest.mark.parametrize("exercise, task", ALL_TASKS)
def test_cases_and_results_cross_a_process_boundary_as_json(exercise, task):
    for args in task.cases(seed=123):
        sent = json.loads(json.dumps(args))  # what the judge sends to the untrusted process
        got = json.loads(json.dumps(task.run(task.reference, sent)))  # and what comes back
        assert task.judge(args, got).off == ""
    row = task.judge_error(args, "NotImplementedError", "Exercise: write it")
    assert row.off == "result" and row.got is None and "NotImplementedError" in row.message


# --- the references: central differences and the package agree with them --------------------


def slopes(loss, values, epsilon=1e-6):
    """Central differences of loss(values) for every number in a nested list, same shape."""

    def nudged(path, delta):
        copy = json.loads(json.dumps(values))
        target = copy
        for i in path[:-1]:
            target = target[i]
        target[path[-1]] += delta
        return loss(copy)

    def walk(value, path):
        if isinstance(value, list):
            return [walk(item, path + [i]) for i, item in enumerate(value)]
        return (nudged(path, epsilon) - nudged(path, -epsilon)) / (2 * epsilon)

    return walk(values, [])


def flat(value):
    """The numbers of a nested list in order, with the shape written in as list lengths."""
    if isinstance(value, (list, tuple)):
        return [float(len(value))] + [x for item in value for x in flat(item)]
    return [float(value)]


def assert_close(a, b, tol=1e-6):
    np.testing.assert_allclose(flat(a), flat(b), rtol=0, atol=tol)


@pytest.mark.lesson03
def test_the_loss_gradient_is_the_slope_of_the_mean_loss():
    from bp_lessons.exercises import loss

    for args in loss.q2.cases(seed=1):
        numeric = slopes(lambda a, y=args["labels"]: loss.mse_loss(a, y), args["outputs"])
        assert_close(loss.mse_loss_gradient(**args), numeric)


@pytest.mark.lesson04
def test_the_neuron_references_are_the_slopes_of_the_loss():
    from bp_lessons.exercises import chain_rule as ex

    for z in (-3.0, 0.0, 0.7, 4.0):
        assert ex.sigmoid_derivative(z) == pytest.approx(numerical_gradient(ex.sigmoid, z))
    for args in ex.q2.cases(seed=2):
        inputs, label = args["inputs"], args["label"]

        def loss(params, inputs=inputs, label=label):
            z = sum(w * i for w, i in zip(params[0], inputs)) + params[1]
            return (ex.sigmoid(z) - label) ** 2

        numeric = slopes(loss, [args["weights"], args["bias"]])
        assert_close(ex.neuron_gradients(**args), numeric)


@pytest.mark.lesson04
def test_neuron_backward_adds_what_the_package_neuron_adds():
    from bp_lessons import Neuron
    from bp_lessons.exercises import chain_rule as ex

    for args in ex.q3.cases(seed=3):
        got = ex.q3.run(ex.neuron_backward, args)
        neuron = Neuron(len(args["weights"]))
        neuron.weights, neuron.bias = list(args["weights"]), args["bias"]
        neuron.forward(args["inputs"])
        neuron.gradients, neuron.bias_gradient = list(args["gradients"]), args["bias_gradient"]
        returned = neuron.backward(args["output_gradient"])
        assert_close(got[0], returned, 1e-12)
        assert_close(got[1] + [got[2]], neuron.gradients + [neuron.bias_gradient], 1e-12)


@pytest.mark.lesson05
def test_layer_backward_is_the_slope_of_a_loss_through_the_layer():
    from bp_lessons.exercises import layer as ex

    for args in ex.q2.cases(seed=4):
        g = args["output_gradients"]  # L = Σ_j g_j a_j has dL/da_j = g_j

        def loss(params, g=g):
            inputs, weights, biases = params
            return sum(gj * a for gj, a in zip(g, ex.layer_forward(inputs, weights, biases)))

        numeric = slopes(loss, [args["inputs"], args["weights"], args["biases"]])
        weight_gradients, bias_gradients, input_gradients = ex.layer_backward(**args)
        assert_close(weight_gradients, numeric[1])
        assert_close(bias_gradients, numeric[2])
        assert_close(input_gradients, numeric[0])


def package_mlp(weights, biases):
    """The package's MLP holding these weights and biases."""
    mlp = MLP([len(weights[0][0])] + [len(b) for b in biases])
    for layer, layer_weights, layer_biases in zip(mlp.layers, weights, biases):
        for neuron, w, b in zip(layer.neurons, layer_weights, layer_biases):
            neuron.weights, neuron.bias = list(w), b
    return mlp


@pytest.mark.lesson06
def test_the_forward_references_agree_with_the_package_mlp():
    from bp_lessons.exercises import mlp_forward as ex

    for args in ex.q2.cases(seed=5):
        trace = ex.forward_trace(**args)
        assert trace[0] == args["inputs"] and len(trace) == len(args["weights"]) + 1
        assert_close(
            trace[-1], package_mlp(args["weights"], args["biases"]).forward(args["inputs"])
        )
        assert ex.mlp_forward(**args) == trace[-1]


@pytest.mark.lesson07
def test_mlp_backward_is_the_slope_of_the_mean_loss_and_the_package_backward():
    from bp_lessons.exercises import backpropagation as ex
    from bp_lessons.exercises.mlp_forward import mlp_forward
    from bp_lessons.losses import mse_loss, mse_loss_gradient

    for args in ex.q2.cases(seed=6):
        inputs, labels = args["inputs"], args["labels"]

        def loss(params, inputs=inputs, labels=labels):
            return mse_loss(mlp_forward(inputs, *params), labels)

        numeric = slopes(loss, [args["weights"], args["biases"]])
        got = ex.mlp_backward(**args)
        for layer in range(len(args["weights"])):
            assert_close(got[0][layer], numeric[0][layer])
            assert_close(got[1][layer], numeric[1][layer])
        mlp = package_mlp(args["weights"], args["biases"])
        mlp.backward(mse_loss_gradient(mlp.forward(inputs), labels))
        assert_close(got[0][0], [n.gradients for n in mlp.layers[0].neurons], 1e-12)


@pytest.mark.lesson07
def test_output_gradient_is_the_slope_through_the_next_layer():
    from bp_lessons.exercises import backpropagation as ex
    from bp_lessons.exercises.layer import layer_forward

    for args in ex.q1.cases(seed=7):
        weights, zs, g = args.values()
        # the next layer's z_j, made from activations a_k of the layer before: pick a_k, then
        # biases so that z_j comes out as given; L = Σ_j g_j σ(z_j)
        a = [0.3 * (k + 1) for k in range(len(weights[0]))]
        biases = [z - sum(w * x for w, x in zip(row, a)) for row, z in zip(weights, zs)]

        def loss(a, weights=weights, biases=biases, g=g):
            return sum(gj * out for gj, out in zip(g, layer_forward(a, weights, biases)))

        assert_close(ex.output_gradient(**args), slopes(loss, a))


@pytest.mark.lesson08
def test_train_step_is_sgd_on_the_backward_gradients():
    from bp_lessons.exercises import sgd as ex
    from bp_lessons.exercises.backpropagation import mlp_backward

    for args in ex.q2.cases(seed=8):
        gradients = mlp_backward(args["inputs"], args["weights"], args["biases"], args["labels"])
        stepped = ex.sgd_step(args["weights"], args["biases"], *gradients, args["learning_rate"])
        assert_close(ex.train_step(**args), stepped, 1e-12)


@pytest.mark.lesson09
def test_batch_step_steps_on_the_mean_gradient_of_the_batch():
    from bp_lessons.exercises import mini_batch as ex
    from bp_lessons.exercises.mlp_forward import mlp_forward
    from bp_lessons.losses import mse_loss

    for args in ex.q2.cases(seed=9):
        before = ex.q2.run(lambda *a: None, args)  # the model as built, not stepped
        X, y, rate = args["X_batch"], args["y_batch"], args["learning_rate"]

        def loss(params, X=X, y=y):
            return sum(mse_loss(mlp_forward(x, *params), t) for x, t in zip(X, y)) / len(X)

        numeric = slopes(loss, before)
        expected = [
            [
                [[w - rate * g for w, g in zip(r, gr)] for r, gr in zip(W, G)]
                for W, G in zip(before[0], numeric[0])
            ],
            [[b - rate * g for b, g in zip(B, G)] for B, G in zip(before[1], numeric[1])],
        ]
        after = ex.q2.run(ex.batch_step, args)
        for part in range(2):
            for layer in range(len(after[part])):
                assert_close(after[part][layer], expected[part][layer])


@pytest.mark.lesson09
def test_minibatches_cover_every_example_once_with_no_empty_batch():
    from bp_lessons.exercises import mini_batch as ex
    from bp_lessons.training import iterate_minibatches as package

    for args in ex.q1.cases(seed=10):
        x_batches, y_batches = ex.q1.run(ex.iterate_minibatches, args)
        n, size = args["num_examples"], args["batch_size"]
        assert x_batches == y_batches and all(x_batches)
        assert sorted(i for batch in x_batches for i in batch) == list(range(n))
        assert [len(b) for b in x_batches[:-1]] == [size] * (len(x_batches) - 1)
        X = [[float(i)] for i in range(n)]
        same = [[row[0] for row in b] for b, _ in package(X, X, size, seed=args["seed"])]
        assert same == x_batches


@pytest.mark.lesson09
@pytest.mark.parametrize("rng", ["default_rng()", "global"])
def test_a_shuffle_that_ignores_the_seed_is_named(rng):
    from bp_lessons.exercises import mini_batch as ex

    def iterate_minibatches(X, y, batch_size, seed):
        draw = np.random.default_rng() if rng == "default_rng()" else np.random
        order = draw.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            yield [X[i] for i in batch], [y[i] for i in batch]

    for seed in (0, 1):
        said = ex.q1.evaluate(iterate_minibatches, seed=seed).headline()
        assert "different answers to the same case" in said
        assert "np.random.default_rng(seed)`, the case's seed" in said


@pytest.mark.lesson10
def test_the_matrix_form_references_are_the_slopes_and_the_package_dense_layer():
    from bp_lessons.exercises import vectorized_digits as ex
    from bp_lessons.vectorized import DenseLayer

    for args in ex.q2.cases(seed=11):
        X, W, b, dA = (np.array(value) for value in args.values())

        def loss(params, dA=dA):  # L = Σ dA ⊙ A has dL/dA = dA
            return float(np.sum(dA * ex.dense_forward(*map(np.array, params))))

        numeric = slopes(loss, [args["X"], args["W"], args["b"]])
        dW, db, dX = ex.dense_backward(X, W, b, dA)
        assert_close(dW.tolist(), numeric[1])
        assert_close(db.tolist(), numeric[2])
        assert_close(dX.tolist(), numeric[0])
        layer = DenseLayer(W.shape[1], W.shape[0])
        layer.W[:], layer.b[:] = W, b
        assert_close(ex.dense_forward(X, W, b).tolist(), layer.forward(X).tolist(), 1e-12)
        assert_close(dX.tolist(), layer.backward(dA).tolist(), 1e-12)
        assert_close([dW.tolist(), db.tolist()], [layer.dW.tolist(), layer.db.tolist()], 1e-12)


@pytest.mark.lesson10
def test_train_step_is_sgd_on_the_mean_loss_and_the_package_step():
    from bp_lessons.exercises import vectorized_digits as ex
    from bp_lessons.losses import mse_loss, mse_loss_gradient
    from bp_lessons.vectorized import VectorizedMLP

    for args in ex.q3.cases(seed=12):
        X, Y, rate = np.array(args["X"]), np.array(args["Y"]), args["learning_rate"]

        def loss(params, X=X, Y=Y):  # the mean of (A − Y)² over every entry
            A = X
            for W, b in zip(*params):
                A = ex.dense_forward(A, np.array(W), np.array(b))
            return mse_loss(A, Y)

        before = [args["weights"], args["biases"]]
        numeric = slopes(loss, before)
        after = ex.q3.run(ex.train_step, args)
        for part in range(2):
            for layer, (value, slope) in enumerate(zip(before[part], numeric[part])):
                stepped = (np.array(value) - rate * np.array(slope)).tolist()
                assert_close(after[part][layer], stepped)
        sizes = [len(args["X"][0])] + [len(b) for b in args["biases"]]
        model = VectorizedMLP(sizes)
        for dense, W, b in zip(model.layers, *before):
            dense.W[:], dense.b[:] = W, b
        model.backward(mse_loss_gradient(model.forward(X), Y))
        model.step(rate)
        assert_close(
            after,
            [[d.W.tolist() for d in model.layers], [d.b.tolist() for d in model.layers]],
            1e-12,
        )


# --- what a generic test cannot reach --------------------------------------------------------


@pytest.mark.lesson03
def test_a_function_that_changes_its_arguments_is_caught_and_cannot_move_the_expected_value():
    from bp_lessons.exercises import loss

    def in_place(outputs, labels):  # right numbers, written over the outputs it was given
        n = len(outputs)
        for j, (a, y) in enumerate(zip(outputs, labels)):
            outputs[j] = 2 * (a - y) / n
        return outputs

    result = loss.q2.evaluate(in_place)
    assert result.status == "failed"
    assert "changed its argument `outputs`" in result.headline()
    for row, args in zip(result.rows, loss.q2.cases(seed=0)):
        assert row.args == args  # the cases themselves were not changed
        assert row.expected == loss.mse_loss_gradient(**args)


@pytest.mark.lesson08
def test_sgd_step_may_update_in_place_if_it_returns_the_lists():
    from bp_lessons.exercises import sgd

    def in_place(weights, biases, weight_gradients, bias_gradients, learning_rate):
        for W, G in zip(weights, weight_gradients):
            for row, gradients in zip(W, G):
                for k, g in enumerate(gradients):
                    row[k] -= learning_rate * g
        for B, G in zip(biases, bias_gradients):
            for j, g in enumerate(G):
                B[j] -= learning_rate * g
        return weights, biases

    assert sgd.q1.evaluate(in_place).passed
    forgot_to_return = sgd.q1.evaluate(lambda *args: in_place(*args) and None)
    assert "does your function `return` its result?" in forgot_to_return.headline()


@pytest.mark.lesson04
def test_which_part_is_off_names_the_part():
    from bp_lessons.exercises import chain_rule, layer, mini_batch

    def bias_gradient_with_an_input(inputs, weights, bias, label):
        gradients, bias_gradient = chain_rule.neuron_gradients(inputs, weights, bias, label)
        return gradients, bias_gradient + 0.5

    rows = chain_rule.q2.evaluate(bias_gradient_with_an_input, rules=False).rows
    assert {row.off for row in rows} == {"bias gradient"}
    assert "bias gradient: wrong value" in rows[0].message

    def last_neuron_only(*args):
        return layer._backward_with(*args, combine="last")

    assert {
        row.off for row in layer.q2.evaluate(last_neuron_only, rules=False).rows if row.off
    } == {"input gradients"}
    separately = mini_batch.q1.mistakes[2].fn
    rows = mini_batch.q1.evaluate(separately, rules=False).rows
    assert {row.off for row in rows if row.off} == {"y batches"}
    text = str(mini_batch.q1.evaluate(separately, rules=False))
    assert "expected y batches [[" in text and "got      y batches [[" in text


@pytest.mark.lesson04
def test_overwriting_and_accumulating_are_told_apart_by_gradients_that_start_non_zero():
    from bp_lessons.exercises import chain_rule

    starts = [(args["gradients"], args["bias_gradient"]) for args in chain_rule.q3.cases()]
    assert any(any(g) or b for g, b in starts)

    def assign(neuron, output_gradient):  # the notes' backward_pass
        error = output_gradient * chain_rule.sigmoid_derivative(neuron.linear_activation)
        for k, i in enumerate(neuron.input_activation):
            neuron.gradients[k] = error * i
        neuron.bias_gradient = error
        return [error * w for w in neuron.weights]

    result = chain_rule.q3.evaluate(assign, rules=False)
    assert result.headline().endswith(chain_rule.q3.mistakes[0].message)
    assert {row.off for row in result.rows if row.off} == {"gradients, bias_gradient"}


@pytest.mark.lesson09
def test_a_batch_step_that_forgets_zero_grad_fails_on_the_stale_gradients():
    from bp_lessons.exercises import mini_batch

    def without_zero_grad(model, X_batch, y_batch, learning_rate):
        for inputs, labels in zip(X_batch, y_batch):
            outputs = model.forward(inputs)
            model.backward(
                [2 * (a - y) / len(labels) / len(X_batch) for a, y in zip(outputs, labels)]
            )
        model.step(learning_rate)

    result = mini_batch.q2.evaluate(without_zero_grad)
    assert result.status == "failed" and "model.zero_grad()" in result.headline()


@pytest.mark.lesson02
def test_the_mistake_that_fits_the_most_cases_is_the_one_named():
    from bp_lessons.exercises import perceptron_xor as ex

    result = ex.q1.evaluate(
        lambda inputs, weights, bias: 1.0 - ex.predict(inputs, weights, bias), rules=False
    )
    flipped = ex.q1.mistakes[3].message
    assert result.headline().endswith(flipped)
    assert all(row.message == flipped for row in result.rows)


@pytest.mark.lesson01
def test_a_task_names_the_unwritten_exercise_it_depends_on():
    from bp_lessons.exercises import neuron

    def sigmoid(z):
        raise NotImplementedError("Exercise 1.1: write sigmoid")

    def neuron_forward(inputs, weights, bias):
        return sigmoid(sum(w * i for w, i in zip(weights, inputs)) + bias)

    result = neuron.q2.evaluate(neuron_forward)
    assert result.status == "not attempted"
    assert "calls `sigmoid` (Exercise 1.1)" in result.headline()
    assert "write `sigmoid`" in str(neuron.q1.evaluate(sigmoid))


@pytest.mark.lesson01
def test_handing_in_the_package_function_is_named():
    from bp_lessons.activations import sigmoid
    from bp_lessons.exercises import neuron

    result = neuron.q1.evaluate(sigmoid)
    assert result.status == "failed"
    assert "`bp_lessons.activations.sigmoid` from the package" in result.headline()


@pytest.mark.parametrize("exercise, task", ALL_TASKS)
def test_forbidden_names_exist_in_the_package(exercise, task):
    import importlib

    for name in task.forbidden:
        module, _, attribute = name.rpartition(".")
        assert hasattr(importlib.import_module(module), attribute), name


@pytest.mark.lesson09
def test_a_generator_that_never_stops_fails_instead_of_hanging():
    from bp_lessons.exercises import mini_batch

    def forever(X, y, batch_size, seed):
        while True:
            yield X[:batch_size], y[:batch_size]

    result = mini_batch.q1.evaluate(forever)
    assert result.status == "failed" and "X batches: expected a list of" in result.headline()


@pytest.mark.lesson10
def test_the_matrix_cases_hold_a_batch_of_one_and_square_and_non_square_weights():
    from bp_lessons.exercises import vectorized_digits as ex

    for task in (ex.q1, ex.q2):
        shapes = [(len(case["X"]), np.shape(case["W"])) for case in task.fixed]
        assert any(batch == 1 for batch, _ in shapes)
        assert any(out != n_in for _, (out, n_in) in shapes), "a transposed W fails on shape"
        assert any(out == n_in > 1 for _, (out, n_in) in shapes), "and on value"
    batches = [(np.shape(case["Y"]), len(case["weights"])) for case in ex.q3.fixed]
    assert any(batch == 1 for (batch, _), _ in batches)
    assert any(batch > 1 and outputs > 1 and layers > 1 for (batch, outputs), layers in batches)


@pytest.mark.lesson10
def test_a_transposed_weight_matrix_fails_on_shape_and_on_value():
    from bp_lessons.exercises import vectorized_digits as ex

    rows = ex.q1.evaluate(lambda X, W, b: 1 / (1 + np.exp(-(X @ W + b)))).rows
    for row in rows:
        out, n_in = np.shape(row.args["W"])
        if out != n_in:
            assert row.got is None and "raised ValueError" in row.message
            assert ex.SHAPES in row.message
        elif out > 1:
            assert row.off and row.message == ex.TRANSPOSED

    def dW_transposed(X, W, b, dA):
        dW, db, dX = ex.dense_backward(X, W, b, dA)
        return dW.T, db, dX

    rows = ex.q2.evaluate(dW_transposed, rules=False).rows
    assert {row.off for row in rows if np.shape(row.args["W"])[0] != len(row.args["X"][0])} == {
        "dW"
    }
    assert "dW is transposed" in ex.q2.evaluate(dW_transposed, rules=False).headline()


@pytest.mark.lesson10
def test_the_learner_gets_float_arrays_and_may_return_arrays_or_lists():
    from bp_lessons.exercises import vectorized_digits as ex

    def arrays(*values):
        return all(type(v) is np.ndarray and v.dtype == np.float64 for v in values)

    def forward(X, W, b):
        assert arrays(X, W, b) and X.ndim == W.ndim == 2 and b.ndim == 1
        return ex.dense_forward(X, W, b).tolist()

    def step(X, Y, weights, biases, learning_rate):
        assert arrays(X, Y, *weights, *biases) and isinstance(learning_rate, float)
        return ex.train_step(X, Y, weights, biases, learning_rate)

    assert ex.q1.evaluate(forward, rules=False).passed
    assert ex.q3.evaluate(step, rules=False).passed


@pytest.mark.lesson10
def test_averaging_db_passes_a_batch_of_one_only():
    from bp_lessons.exercises import vectorized_digits as ex

    averaged = ex.q2.mistakes[2]
    rows = ex.q2.evaluate(averaged.fn, rules=False).rows
    assert {len(row.args["X"]) == 1 for row in rows if not row.off} == {True}
    assert {row.off for row in rows if row.off} == {"db"}
    assert all(row.message == averaged.message for row in rows if row.off)


# --- issue 10: no false positive, no misleading diagnosis --------------------------------------


@pytest.mark.parametrize("exercise, task", ALL_TASKS)
def test_each_known_mistake_is_named_alone_on_several_seeds(exercise, task):
    """A mistake is named when it gives the answer on every case; no two mistakes of a task give
    the same answers on these cases, so each is named alone (the grader draws its own seed)."""
    for seed in (0, 1, 2):
        for mistake in task.mistakes:
            result = task.evaluate(mistake.fn, seed=seed, rules=False)
            assert result.diagnosis == mistake.message, (seed, mistake.message, str(result))


@pytest.mark.parametrize("exercise, task", ALL_TASKS)
def test_every_level_of_a_result_is_named_in_words(exercise, task):
    """Positions read "layer 1 (index 0), neuron 1, weight 0", never as bare indices."""

    def depth(value):
        return 1 + max(map(depth, value), default=0) if isinstance(value, list) else 0

    for args in task.cases(seed=0):
        expected = task.run(task.reference, args)
        parts = dict(zip(task.parts, expected)) if task.parts else {"result": expected}
        for part, value in parts.items():
            assert len(task.axes.get(part, ())) >= depth(value), (part, task.axes)


def test_a_mistake_is_named_only_when_it_fits_every_case():
    from bp_lessons.exercises import backpropagation as ex

    factor_2_missing = ex.q2.mistakes[1]

    def half_right(inputs, weights, biases, labels):  # the mistake on one-output networks only
        if len(labels) == 1:
            return factor_2_missing.fn(inputs, weights, biases, labels)
        gradients = ex.mlp_backward(inputs, weights, biases, labels)
        return gradients[0], [[3 * b for b in layer] for layer in gradients[1]]

    result = ex.q2.evaluate(half_right, rules=False)
    assert result.status == "failed" and result.diagnosis == ""
    assert all(m.message not in str(result) for m in ex.q2.mistakes)


def test_two_mistakes_that_give_the_same_answers_are_both_named():
    twin = Task(
        number="0.2",
        function="double",
        reference=double,
        fixed=[{"x": 1.0}, {"x": 3.0}],
        mistakes=[
            Mistake("You returned x.", lambda x: x),
            Mistake("You returned x·x/x.", lambda x: x * x / x),
            Mistake("You returned 3x.", lambda x: 3 * x),
        ],
    )
    headline = twin.evaluate(lambda x: x).headline()
    assert "2 known mistakes give exactly these results: (1) You returned x." in headline
    assert "(2) You returned x·x/x." in headline and "3x" not in headline


def test_the_cases_the_issue_names_are_told_apart():
    from bp_lessons.exercises import backpropagation, perceptron_xor, vectorized_digits

    always_one = perceptron_xor.q1.evaluate(lambda inputs, weights, bias: 1.0)
    assert "flipped" not in str(always_one)
    assert "It gave 1 on every case, whatever the arguments" in always_one.headline()

    by_inputs = backpropagation._backward_with
    result = backpropagation.q2.evaluate(
        lambda i, w, b, y: by_inputs(i, w, b, y, scale=lambda i, y: 2 / len(i)), rules=False
    )
    assert "divided by the number of inputs" in result.headline()
    assert "factor 2 is missing" not in result.headline()

    def twice(X, Y, weights, biases, learning_rate):  # dA carries 1/batch, the sums divide again
        inputs = [X]
        for W, b in zip(weights, biases):
            inputs.append(vectorized_digits.dense_forward(inputs[-1], W, b))
        dA = 2 * (inputs[-1] - Y) / inputs[-1].size
        new_weights, new_biases = list(weights), list(biases)
        for layer in reversed(range(len(weights))):
            X_l, W, b = inputs[layer], weights[layer], biases[layer]
            dW, db, dA = vectorized_digits.dense_backward(X_l, W, b, dA)
            new_weights[layer] = W - learning_rate * dW / len(X)
            new_biases[layer] = b - learning_rate * db / len(X)
        return new_weights, new_biases

    headline = vectorized_digits.q3.evaluate(twice, rules=False).headline()
    assert "The batch is divided out twice" in headline and "factor 2" not in headline


# --- arguments left as they came ----------------------------------------------------------------


def test_a_sigmoid_that_overflows_for_large_z_fails():
    from bp_lessons.exercises import neuron

    result = neuron.q1.evaluate(lambda z: math.exp(z) / (1 + math.exp(z)))
    assert result.status == "failed" and "overflows at z = 1000" in result.headline()
    (row,) = [row for row in result.rows if row.off]
    assert row.args == {"z": 1000.0} and "raised OverflowError" in row.message


def test_shuffling_the_callers_data_in_place_fails():
    from bp_lessons.exercises import mini_batch

    def in_place(X, y, batch_size, seed):
        order = np.random.default_rng(seed).permutation(len(X))
        X[:], y[:] = [X[i] for i in order], [y[i] for i in order]
        for start in range(0, len(X), batch_size):
            yield X[start : start + batch_size], y[start : start + batch_size]

    result = mini_batch.q1.evaluate(in_place)
    assert result.status == "failed"
    assert "changed its argument `X` in place" in result.headline()


def test_arrays_changed_in_place_fail_and_weights_may_be_stepped_in_place():
    from bp_lessons.exercises import vectorized_digits as ex

    def forward(X, W, b):
        X *= 1.0  # harmless
        X[0] = X[0] + 1.0  # the caller's data changed
        return ex.dense_forward(X - (np.arange(len(X)) == 0)[:, None], W, b)

    result = ex.q1.evaluate(forward, rules=False)
    assert result.status == "failed" and "changed its argument `X` in place" in result.headline()

    def backward(X, W, b, dA):
        dW, db, dX = ex.dense_backward(X, W, b, dA)
        dA *= 2.0  # scribbles over the caller's gradient
        return dW, db, dX

    result = ex.q2.evaluate(backward, rules=False)
    assert "changed its argument `dA` in place" in result.headline()

    def step_in_place(X, Y, weights, biases, learning_rate):
        new_weights, new_biases = ex.train_step(X, Y, weights, biases, learning_rate)
        for W, new in zip(weights, new_weights):
            W[...] = new
        for b, new in zip(biases, new_biases):
            b[...] = new
        return weights, biases

    assert ex.q3.evaluate(step_in_place, rules=False).passed

    def labels_in_place(X, Y, weights, biases, learning_rate):
        stepped = ex.train_step(X, Y, weights, biases, learning_rate)
        Y -= 0.5
        return stepped

    result = ex.q3.evaluate(labels_in_place, rules=False)
    assert "changed its argument `Y` in place" in result.headline()


def test_an_sgd_step_may_update_its_weights_in_place_but_not_its_gradients_or_data():
    from bp_lessons.exercises import sgd

    def scaled_gradients(weights, biases, weight_gradients, bias_gradients, learning_rate):
        for G in weight_gradients:
            for row in G:
                row[:] = [learning_rate * g for g in row]
        return sgd.sgd_step(weights, biases, weight_gradients, bias_gradients, 1.0)

    result = sgd.q1.evaluate(scaled_gradients, rules=False)
    assert "changed its argument `weight_gradients` in place" in result.headline()

    def with_a_bias_input(inputs, labels, weights, biases, learning_rate):
        stepped = sgd.train_step(inputs, labels, weights, biases, learning_rate)
        inputs.append(1.0)
        return stepped

    result = sgd.q2.evaluate(with_a_bias_input, rules=False)
    assert "changed its argument `inputs` in place" in result.headline()


def test_a_backward_pass_that_steps_the_weights_fails():
    from bp_lessons.exercises import chain_rule

    def stepping(neuron, output_gradient):
        returned = chain_rule.neuron_backward(neuron, output_gradient)
        neuron.weights = [w - 0.1 * g for w, g in zip(neuron.weights, neuron.gradients)]
        return returned

    result = chain_rule.q3.evaluate(stepping, rules=False)
    assert "changed the neuron's `weights` in place" in result.headline()
    assert "a backward pass only computes gradients" in result.headline()


# --- what the learner reads ---------------------------------------------------------------------


def test_a_wrong_signature_is_said_plainly_in_the_notebook_and_by_the_grader():
    from bp_lessons.exercises import neuron

    said = neuron.q2.evaluate(lambda inputs, weights: 0.5).headline()
    assert said == (
        "✗ Exercise 1.2: your `neuron_forward` takes 2 arguments (inputs, weights); the check "
        "calls it with 3: inputs, weights, bias. Start it with "
        "`def neuron_forward(inputs, weights, bias):`"
    )
    text = "neuron_forward() takes 2 positional arguments but 3 were given"
    row = neuron.q2.judge_error({"inputs": [1.0], "weights": [1.0], "bias": 0.0}, "TypeError", text)
    assert row.message.startswith("your `neuron_forward` takes 2 arguments; the check calls it")
    from bp_lessons.grading.verdict import inert  # the grader's escaping, undone exactly

    for name in ("neuron_forward", "<lambda>"):
        escaped = inert(f"{name}() missing 1 required positional argument: 'label'", 400)
        row = neuron.q2.judge_error(
            {"inputs": [1.0], "weights": [1.0], "bias": 0.0}, "TypeError", escaped, escaped=True
        )
        assert row.message.startswith("your `neuron_forward` takes 4 arguments;"), escaped
    inside = "sigmoid() takes 1 positional argument but 2 were given"
    row = neuron.q2.judge_error(
        {"inputs": [1.0], "weights": [1.0], "bias": 0.0}, "TypeError", inside
    )
    assert row.message.startswith("raised TypeError: sigmoid() takes 1")


def test_positions_are_named_in_words_and_the_parts_that_are_right_are_said():
    from bp_lessons.exercises import backpropagation as ex

    def one_weight_off(inputs, weights, biases, labels):
        weight_gradients, bias_gradients = ex.mlp_backward(inputs, weights, biases, labels)
        weight_gradients[-1][0][0] += 1.0
        return weight_gradients, bias_gradients

    result = ex.q2.evaluate(one_weight_off, rules=False)
    row = result.rows[0]  # sizes [2, 2, 1]: the output layer is layer 2
    assert row.detail == "weight gradients: wrong value at layer 2 (index 1), neuron 0, weight 0"
    assert row.right == "bias gradients" and "; right: bias gradients" in row.where()
    assert "Off: weight gradients; right on every case: bias gradients." in result.headline()
    assert "right: bias gradients" in result._repr_html_()


def test_a_flood_of_printing_is_cut_and_shown_above_the_verdict(capsys):
    def chatty(x):
        for i in range(10_000):
            print("still computing", i)
        return 2.0 * x

    toy.check(chatty)
    out = capsys.readouterr().out
    assert out.startswith("What your `double` printed while the check ran:\nstill computing 0\n")
    assert "more characters of printing cut." in out and len(out) < 3000
    assert "✓ Exercise 0.1: `double` is correct on all 7 cases." in out


def test_a_function_unwritten_for_some_cases_only_is_not_not_attempted():
    def half_written(x):
        if x < 0:
            raise NotImplementedError
        return 2.0 * x

    result = toy.evaluate(half_written)
    assert result.status == "failed" and "not attempted" not in str(result)
    assert "raised NotImplementedError on this case, though not on every case" in str(result)


# --- the derivation tasks: their references against central differences -------------------------


@pytest.mark.lesson05
def test_tanh_derivative_is_the_slope_of_tanh():
    from bp_lessons.activations import tanh_derivative
    from bp_lessons.exercises import layer as ex

    for args in ex.q3.cases(seed=13):
        z = args["z"]
        if abs(z) < 100:
            assert ex.tanh_derivative(z) == pytest.approx(
                numerical_gradient(math.tanh, z), abs=1e-9
            )
        assert ex.tanh_derivative(z) == pytest.approx(tanh_derivative(z), abs=1e-15)


@pytest.mark.lesson07
def test_chain_backward_is_the_slope_of_the_chains_loss_and_the_package_backward():
    from bp_lessons.exercises import backpropagation as ex
    from bp_lessons.losses import mse_loss_gradient

    names = ["w1", "b1", "w2", "b2", "w3", "b3"]
    for args in ex.q3.cases(seed=14):

        def loss(values, args=args):
            p = {**args, **dict(zip(names, values))}
            a = p["x"]
            for layer in (1, 2, 3):
                a = ex.sigmoid(p[f"w{layer}"] * a + p[f"b{layer}"])
            return (a - p["label"]) ** 2

        got = ex.chain_backward(**args)
        assert_close(got, slopes(loss, [args[name] for name in names]))
        weights = [[[args["w1"]]], [[args["w2"]]], [[args["w3"]]]]
        biases = [[args["b1"]], [args["b2"]], [args["b3"]]]
        mlp = package_mlp(weights, biases)
        mlp.backward(mse_loss_gradient(mlp.forward([args["x"]]), [args["label"]]))
        package = [
            v
            for layer in mlp.layers
            for v in (*layer.neurons[0].gradients, layer.neurons[0].bias_gradient)
        ]
        assert_close(got, package, 1e-12)


@pytest.mark.lesson07
def test_mae_gradient_is_the_slope_of_the_mean_absolute_error_away_from_its_kinks():
    from bp_lessons.exercises import backpropagation as ex

    ties = 0
    for args in ex.q4.cases(seed=15):
        outputs, labels = args["outputs"], args["labels"]

        def loss(a, labels=labels):
            return sum(abs(x - y) for x, y in zip(a, labels)) / len(labels)

        # a central difference across the kink |u| at u = 0 measures the mean of its two sides, 0
        assert_close(ex.mae_gradient(**args), slopes(loss, outputs, epsilon=1e-7))
        ties += sum(a == y for a, y in zip(outputs, labels))
        assert (
            ex.mae_gradient(**args)
            == (np.sign(np.subtract(outputs, labels)) / len(labels)).tolist()
        )
    assert ties, "the cases hold outputs equal to their labels"


def _sigmoid(z):
    return 0.5 * (1 + math.tanh(z / 2))  # safe at ±1000


def _central(f, point, h=1e-5):
    """Central differences of f at a list of numbers, one per number."""
    slopes = []
    for k in range(len(point)):
        up, down = list(point), list(point)
        up[k] += h
        down[k] -= h
        slopes.append((f(up) - f(down)) / (2 * h))
    return slopes


def _chain_loss(p):
    x, w1, b1, w2, b2, w3, b3, y = p
    a = _sigmoid(w3 * _sigmoid(w2 * _sigmoid(w1 * x + b1) + b2) + b3)
    return (a - y) ** 2


def _softplus_measured(x):
    from bp_lessons.autograd import Value

    def softplus(u):
        return math.log(1 + math.exp(u))

    out = Value(softplus(x.data), (x,), "softplus")
    out._local_grads = ((softplus(x.data + 1e-5) - softplus(x.data - 1e-5)) / 2e-5,)
    return out


def _power_measured(a, b):
    """A power node whose local derivatives are central differences of a^b."""
    from bp_lessons.autograd import Value

    out = Value(a.data**b.data, (a, b), "**")
    out._local_grads = tuple(
        _central(lambda p: p[0] ** p[1], [a.data, b.data])
    )  # measured, not derived
    return out


def _shared_loss(p):
    x, w, y = p
    return (math.tanh(w * math.tanh(w * x)) - y) ** 2


def _binary_measured(Z, Y, w):
    def loss(z, y):
        a = _sigmoid(z)
        return -(w * y * math.log(a) + (1 - y) * math.log(1 - a)) / len(Z)

    return [
        [_central(lambda p, y=y: loss(p[0], y), [z])[0] for z, y in zip(row, labels)]
        for row, labels in zip(Z.tolist(), Y.tolist())
    ]


def _gradients_measured(X, Y, weights, biases):
    """Central differences of the mean squared error in every weight and bias."""

    def loss(weights, biases):
        A = X
        for W, b in zip(weights, biases):
            A = 1 / (1 + np.exp(-(A @ W.T + b)))
        return float(np.mean((A - Y) ** 2))

    def slope(arrays, index, position):
        up = [a.copy() for a in arrays]
        down = [a.copy() for a in arrays]
        up[index][position] += 1e-5
        down[index][position] -= 1e-5
        if arrays is weights:
            return (loss(up, biases) - loss(down, biases)) / 2e-5
        return (loss(weights, up) - loss(weights, down)) / 2e-5

    return (
        [
            np.array([slope(weights, i, p) for p in np.ndindex(W.shape)]).reshape(W.shape)
            for i, W in enumerate(weights)
        ],
        [
            np.array([slope(biases, i, p) for p in np.ndindex(b.shape)])
            for i, b in enumerate(biases)
        ],
    )


# every derivation task, with an answer that measures instead of deriving
MEASURED = {
    ("04_chain_rule", "4.1"): lambda z: (_sigmoid(z + 1e-5) - _sigmoid(z - 1e-5)) / 2e-5,
    ("05_layer", "5.3"): lambda z: (math.tanh(z + 1e-4) - math.tanh(z - 1e-4)) / 2e-4,
    ("07_backpropagation", "7.3"): lambda x, w1, b1, w2, b2, w3, b3, label: _central(
        lambda p: _chain_loss([x, *p, label]), [w1, b1, w2, b2, w3, b3]
    ),
    ("10_vectorized_digits", "10.4"): _gradients_measured,
    ("07_backpropagation", "7.4"): lambda outputs, labels: _central(
        lambda a: sum(abs(u - y) for u, y in zip(a, labels)) / len(labels), outputs, h=1e-7
    ),
    ("11_computational_graph", "11.1"): _softplus_measured,
    ("11_computational_graph", "11.3"): lambda x, w, y: _central(
        lambda p: _shared_loss([p[1], p[0], y]), [w, x]
    ),
    ("11_computational_graph", "11.4"): lambda a, b: _power_measured(a, b),
    ("12_deep_networks", "12.1"): None,  # not a slope: no central difference to try
    ("13_classification", "13.3"): _binary_measured,
}
DERIVATIONS = [
    pytest.param(exercise, number, id=number, marks=lesson_mark(exercise))
    for exercise, number in MEASURED
]


def task_of(exercise, number):
    return next(task for task in tasks(exercise) if task.number == number)


@pytest.mark.parametrize("exercise, number", DERIVATIONS)
def test_every_derivation_task_asks_for_the_formula_and_says_so(exercise, number):
    """One policy: a derivation is checked to rounding, so a central difference fails with a
    message that says so, and the task's text states it."""
    task = task_of(exercise, number)
    assert task.rtol <= 1e-12 and task.atol <= 1e-12
    if MEASURED[exercise, number]:
        result = task.evaluate(MEASURED[exercise, number], rules=False)
        assert result.status == "failed", number
        assert "an approximation, such as a central difference" in result.headline(), str(result)
    source = json.loads((ROOT / "exercises" / "source" / f"{exercise}.ipynb").read_text())
    (text,) = [
        "".join(cell["source"])
        for cell in source["cells"]
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == f"q{number.split('.')[1]}_text"
    ]
    text = " ".join(text.split())
    assert "to rounding" in text and "central difference" in text, number


def _in_float32(value):
    if isinstance(value, (list, tuple)):
        return [_in_float32(v) for v in value]
    return np.asarray(value, dtype=np.float32)


# 11.1's and 11.4's answers are Values, whose numbers are Python floats
@pytest.mark.parametrize(
    "exercise, number", [p for p in DERIVATIONS if p.id not in ("11.1", "11.4")]
)
def test_a_float32_answer_is_told_float32_not_central_differences(exercise, number):
    task = task_of(exercise, number)
    result = task.evaluate(lambda *args: _in_float32(task.reference(*args)), rules=False)
    assert result.status == "failed" and "float32" in result.headline(), str(result)
    assert "central difference" not in result.headline()


def test_a_central_difference_is_not_the_formula_of_a_derivation_task():
    from bp_lessons.activations import sigmoid
    from bp_lessons.exercises import chain_rule, layer

    def measured(z):
        return (sigmoid(z + 1e-5) - sigmoid(z - 1e-5)) / 2e-5

    assert layer.q3.evaluate(lambda z: 4 * measured(2 * z) + 1 / math.cosh(0) - 1).status == (
        "failed"
    )
    # the formula in other forms agrees to rounding
    assert chain_rule.q1.evaluate(lambda z: sigmoid(z) - sigmoid(z) ** 2).passed
    assert layer.q3.evaluate(lambda z: (1 - math.tanh(z)) * (1 + math.tanh(z))).passed


@pytest.mark.lesson13
def test_the_classification_references_are_the_package_and_the_slopes_of_their_losses():
    from bp_lessons.activations import softmax
    from bp_lessons.exercises import classification as ex
    from bp_lessons.losses import cross_entropy_gradient, cross_entropy_loss

    for args in ex.q1.cases(seed=13):
        Z = np.array(args["Z"])
        np.testing.assert_allclose(ex.softmax(Z), softmax(Z), rtol=1e-12, atol=1e-300)
    for args in ex.q2.cases(seed=14):
        Z, Y = np.array(args["Z"]), np.array(args["Y"])
        assert ex.cross_entropy_loss(Z, Y) == pytest.approx(cross_entropy_loss(Z, Y), rel=1e-12)
        numeric = slopes(lambda Z, Y=Y: ex.cross_entropy_loss(np.array(Z), Y), args["Z"])
        assert_close(cross_entropy_gradient(Z, Y).tolist(), numeric)
    for args in ex.q3.cases(seed=15):
        Z, Y, w = np.array(args["Z"]), np.array(args["Y"]), args["w"]

        def binary(Z, Y=Y, w=w):  # weighted binary cross-entropy: sum over outputs, batch mean
            A = 1 / (1 + np.exp(-np.array(Z)))
            return float(-np.sum(w * Y * np.log(A) + (1 - Y) * np.log(1 - A)) / len(A))

        gradient = ex.binary_cross_entropy_gradient(Z, Y, w)
        assert_close(gradient.tolist(), slopes(binary, args["Z"]))
        unweighted = ex.binary_cross_entropy_gradient(Z, Y, 1.0)
        for e, j in np.ndindex(Z.shape):  # w = 1: the two-class softmax of [z, 0], p − y
            two_classes = cross_entropy_gradient([Z[e, j], 0.0], [Y[e, j], 1 - Y[e, j]])[0]
            assert unweighted[e, j] == pytest.approx(two_classes / len(Z), abs=1e-15)


def test_an_off_limits_generator_stays_a_generator_that_raises_on_its_first_step():
    """Python 3.13 deprecates giving a generator function a plain function's code."""
    import warnings

    from bp_lessons.exercises.check import raising

    def batches():
        yield 1

    def plain():
        return 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batches.__code__ = raising("off limits", batches.__code__)
        plain.__code__ = raising("off limits", plain.__code__)
    with pytest.raises(RuntimeError, match="off limits"):
        list(batches())
    with pytest.raises(RuntimeError, match="off limits"):
        plain()


# --- issue 18: wrong answers that passed, and messages that named the wrong mistake -------------

SEEDS = range(40)  # the grader draws a secret seed: a wrong answer must fail on every one


def _shifted_softmax(shift):
    def softmax(Z):
        E = np.exp(Z - shift(Z))
        return E / E.sum(axis=1, keepdims=True)

    return softmax


@pytest.mark.lesson13
@pytest.mark.parametrize(
    "shift",
    [
        lambda Z: Z.min(axis=1, keepdims=True),
        lambda Z: Z.mean(axis=1, keepdims=True),
        lambda Z: np.median(Z, axis=1, keepdims=True),
        lambda Z: Z[:, :1],
        lambda Z: Z[:, -1:],
    ],
    ids=["row min", "row mean", "row median", "first entry", "last entry"],
)
def test_a_softmax_shifted_by_anything_but_the_row_max_fails_on_every_seed(shift):
    from bp_lessons.exercises import classification as ex

    for seed in SEEDS:
        result = ex.q1.evaluate(_shifted_softmax(shift), seed=seed)
        assert result.status == "failed", seed
        assert "overflow" in result.headline() or "below its max" in result.headline()


@pytest.mark.lesson13
def test_the_min_and_the_mean_shift_are_named_together():
    from bp_lessons.exercises import classification as ex

    for shift in (lambda Z: Z.min(axis=1, keepdims=True), lambda Z: Z.mean(axis=1)[:, None]):
        said = ex.q1.evaluate(_shifted_softmax(shift)).headline()
        assert "its min, or its mean: both give these results" in said


@pytest.mark.lesson13
def test_a_log_sum_exp_with_one_max_for_the_batch_fails_on_every_seed():
    from bp_lessons.exercises import classification as ex

    def cross_entropy_loss(Z, Y):
        m = Z.max()  # one max for the whole batch
        log_p = Z - m - np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True))
        return -np.sum(Y * log_p) / Z.shape[0]

    for seed in SEEDS:
        result = ex.q2.evaluate(cross_entropy_loss, seed=seed)
        assert result.status == "failed", seed
        assert "One max for the whole batch" in result.headline(), str(result)


@pytest.mark.lesson13
def test_a_max_without_keepdims_is_told_so_not_to_subtract_the_max():
    from bp_lessons.exercises import classification as ex

    def softmax(Z):
        E = np.exp(Z - Z.max(axis=1))
        return E / np.sum(E, axis=1, keepdims=True)

    said = ex.q1.evaluate(softmax).headline()
    assert "The max has no keepdims" in said and "min" not in said


@pytest.mark.lesson13
def test_the_binary_cross_entropy_on_softmax_is_named():
    from bp_lessons.exercises import classification as ex

    def cross_entropy_loss(Z, Y):
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        P = E / E.sum(axis=1, keepdims=True)
        return -np.mean(np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=1))

    said = ex.q2.evaluate(cross_entropy_loss).headline()
    assert "That is the binary cross-entropy" in said and "Subtract" not in said

    # the same with the mean over every entry: no known mistake fits, and the advice on its
    # log 0 names every cause of one, the 1 − p included
    def every_entry(Z, Y):
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        P = E / E.sum(axis=1, keepdims=True)
        return -np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P))

    result = ex.q2.evaluate(every_entry)
    assert result.status == "failed" and not result.diagnosis
    row = next(row for row in result.rows if "divide by zero" in row.message)
    assert "log(1 − p)" in row.message and "log p" in row.message
    assert "log(1 − p)" in result.headline()


@pytest.mark.lesson13
def test_a_log_sum_exp_that_forgets_to_add_the_max_back_is_named():
    from bp_lessons.exercises import classification as ex

    def cross_entropy_loss(Z, Y):
        m = Z.max(axis=1, keepdims=True)
        log_sum = np.log(np.exp(Z - m).sum(axis=1, keepdims=True))  # m not added back
        return -(Y * (Z - log_sum)).sum() / len(Z)

    assert "The max is not added back" in ex.q2.evaluate(cross_entropy_loss).headline()


@pytest.mark.lesson03
@pytest.mark.parametrize("epsilon", [1e-4, 1e-5, 1e-6])
def test_a_hard_coded_epsilon_is_told_it_ignores_epsilon_whatever_its_value(epsilon):
    from bp_lessons.exercises import loss

    def numerical_derivative(f, x, eps):
        return (f(x + epsilon) - f(x - epsilon)) / (2 * epsilon)

    said = loss.q3.evaluate(numerical_derivative).headline()
    assert "ignores the `epsilon` your function is given" in said and "= 1e-5" not in said


@pytest.mark.lesson08
def test_a_flipped_loss_gradient_in_a_training_step_is_named_with_the_flipped_step():
    from bp_lessons.exercises import sgd

    def train_step(inputs, labels, weights, biases, learning_rate):
        # the learner's forward, backward with 2(y − a)/n, and a correct step
        trace, zs = [inputs], []
        for W, b in zip(weights, biases):
            zs.append([sum(w * a for w, a in zip(row, trace[-1])) + c for row, c in zip(W, b)])
            trace.append([sgd.sigmoid(z) for z in zs[-1]])
        grads = [2 * (y - a) / len(labels) for a, y in zip(trace[-1], labels)]
        new_w, new_b = list(weights), list(biases)
        for layer in reversed(range(len(weights))):
            d = [g * sgd.sigmoid_derivative(z) for g, z in zip(grads, zs[layer])]
            grads = [
                sum(e * row[k] for e, row in zip(d, weights[layer]))
                for k in range(len(trace[layer]))
            ]
            new_w[layer] = [
                [w - learning_rate * e * a for w, a in zip(row, trace[layer])]
                for row, e in zip(weights[layer], d)
            ]
            new_b[layer] = [c - learning_rate * e for c, e in zip(biases[layer], d)]
        return new_w, new_b

    said = sgd.q2.evaluate(train_step, rules=False).headline()
    assert "the loss gradient's sign is flipped" in said and "the step adds" in said


@pytest.mark.lesson10
def test_a_flipped_loss_gradient_in_a_batch_step_is_named_with_the_flipped_step():
    from bp_lessons.exercises import vectorized_digits as ex

    def train_step(X, Y, weights, biases, learning_rate):
        inputs = [X]
        for W, b in zip(weights, biases):
            inputs.append(ex.dense_forward(inputs[-1], W, b))
        dA = 2 * (Y - inputs[-1]) / inputs[-1].size  # label minus output
        new_weights, new_biases = list(weights), list(biases)
        for layer in reversed(range(len(weights))):
            dW, db, dA = ex.dense_backward(inputs[layer], weights[layer], biases[layer], dA)
            new_weights[layer] = weights[layer] - learning_rate * dW
            new_biases[layer] = biases[layer] - learning_rate * db
        return new_weights, new_biases

    said = ex.q3.evaluate(train_step, rules=False).headline()
    assert "the loss gradient's sign is flipped" in said and "the step adds" in said


# --- the clock times the learner's function alone ----------------------------------------------


def test_the_clock_starts_after_the_rules_are_prepared_and_stops_while_a_case_is_judged(
    monkeypatch,
):
    """Preparing the rules (the off-limits list, the imports it needs) and judging each case
    against the reference cost the learner nothing; the learner's own time adds up over the
    cases."""
    import time

    from bp_lessons.exercises import check

    monkeypatch.setattr(check, "TIME_LIMIT", 0.4)
    prepare = Task.prepare

    def slow_prepare(self):
        time.sleep(0.6)  # as a first check once spent importing matplotlib
        return prepare(self)

    def slow_reference(x):
        time.sleep(0.1)
        return 2.0 * x

    slow = Task(
        number="0.3", function="double", reference=slow_reference, fixed=toy.fixed, n_random=0
    )
    monkeypatch.setattr(Task, "prepare", slow_prepare)
    assert slow.evaluate(lambda x: 2.0 * x).passed  # 0.6 s preparing and 0.3 s judging

    def steady(x):  # 0.15 s per case: 0.45 s for the three, past the 0.4 s
        time.sleep(0.15)
        return 2.0 * x

    result = slow.evaluate(steady)  # the learner's own time adds up over the cases
    assert result.status == "failed" and "still running after 0.4 s" in result.note
    assert len(result.rows) < 3


SETUP_ONLY = """
import sys, time
from bp_lessons.exercises.{module} import q1
from bp_lessons.exercises.provided import LESSON_MODULES, PROVIDED, resolve
for name in PROVIDED["{exercise}"]:
    resolve(name)
print(sorted(m for m in LESSON_MODULES if "bp_lessons." + m in sys.modules))
"""


def test_nothing_a_task_provides_lives_in_a_module_its_checks_and_setup_do_not_load():
    """So the notebook's check, which leaves such modules unloaded and makes all of them off
    limits if the learner imports one, forbids exactly what the grader's list does."""
    import subprocess
    import sys

    from bp_lessons.exercises.provided import LESSON_MODULES, off_limits_names

    for exercise, module in EXERCISES.items():
        code = SETUP_ONLY.format(module=module.rpartition(".")[2], exercise=exercise)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        loaded = set(eval(out.stdout))  # noqa: S307 - a list of names we printed
        for task in tasks(exercise):
            off = set(off_limits_names(exercise, task.number))
            for name in set(LESSON_MODULES) - loaded:
                lesson = __import__(f"bp_lessons.{name}", fromlist=["_"])
                own = {
                    f"bp_lessons.{name}.{attr}"
                    for attr, obj in vars(lesson).items()
                    if isinstance(obj, (type, type(lambda: 0)))
                    and obj.__module__ == lesson.__name__
                    and obj.__name__ == attr
                }
                assert own <= off, (exercise, task.number, sorted(own - off))


FIRST_CHECK = """
import sys, time
import numpy as np
from bp_lessons.exercises.classification import q1

def softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)

def drawing(Z):
    from bp_lessons import plotting
    plotting.output_colour_range("sigmoid", Z)
    return softmax(Z)

assert q1.evaluate(softmax).passed
print("matplotlib" in sys.modules, "bp_lessons.plotting" in sys.modules)
said = q1.evaluate(drawing).headline()
print("bp_lessons.plotting.output_colour_range is off limits" in said)
print(q1.evaluate(softmax).passed, "off limits" in q1.evaluate(drawing).headline())
import inspect
from bp_lessons import plotting
functions = [f for _, f in inspect.getmembers(plotting, inspect.isfunction)]
print(all("off limits" not in str(f.__code__.co_consts) for f in functions))
"""


def test_a_check_loads_no_module_it_does_not_need_and_forbids_one_the_answer_loads():
    import subprocess
    import sys

    from bp_lessons import plotting

    assert callable(plotting.output_colour_range)
    out = subprocess.run([sys.executable, "-c", FIRST_CHECK], capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False", "True", "True", "True", "True"], out.stderr


# --- issue 18, item 5: the common slips of exercises 11-13 and 5.3, each named -----------------


@pytest.mark.lesson11
def test_a_flipped_sign_in_the_shared_weight_gradient_is_named():
    from bp_lessons.exercises import computational_graph as ex

    def shared_weight_gradient(x, w, y):
        h1 = math.tanh(w * x)
        h2 = math.tanh(w * h1)
        d2 = 2 * (y - h2) * (1 - h2**2)  # target minus output
        d1 = d2 * w * (1 - h1**2)
        return d2 * h1 + d1 * x, d1 * w

    assert "The sign is flipped in both" in ex.q3.evaluate(shared_weight_gradient).headline()


@pytest.mark.lesson11
def test_a_topological_sort_without_a_visited_set_is_named():
    from bp_lessons.exercises import computational_graph as ex

    def backward(root):
        order = []

        def build(v):
            for child in v._prev:
                build(child)
            order.append(v)

        build(root)
        root.grad = 1
        for v in order[::-1]:
            for child, g in zip(v._prev, v._local_grads):
                child.grad += g * v.grad

    said = ex.q2.evaluate(backward, rules=False).headline()
    assert "The topological sort has no visited set" in said


def _he_weights(fan_in, fan_out, scheme, seed, *, rng=None, shape=None, fan=None):
    v = {"1/n": 1 / fan_in, "glorot": 2 / (fan_in + fan_out), "he": 2 / (fan or fan_in)}[scheme]
    rng = rng or np.random.default_rng(seed)
    if shape:  # drawn the other way round, then transposed
        return rng.standard_normal(shape).T * np.sqrt(v)
    return rng.standard_normal((fan_out, fan_in)) * np.sqrt(v)


@pytest.mark.lesson12
@pytest.mark.parametrize(
    "answer, said",
    [
        (
            lambda i, o, s, seed: _he_weights(i, o, s, seed, fan=o if s == "he" else None),
            "He's variance takes fan_out",
        ),
        (
            lambda i, o, s, seed: _he_weights(i, o, s, seed, shape=(i, o)),
            "drawn as (fan_in, fan_out) and then transposed",
        ),
        (
            lambda i, o, s, seed: _he_weights(i, o, s, seed, rng=np.random.RandomState(seed)),
            "NumPy's legacy generator",
        ),
        (
            lambda i, o, s, seed: _he_weights(i, o, s, seed, rng=np.random.default_rng()),
            "It gave different answers to the same case",
        ),
        (
            lambda i, o, s, seed: np.random.randn(o, i) * np.sqrt(2 / i),
            "It gave different answers to the same case",
        ),
        (
            lambda i, o, s, seed: _he_weights(i, o, s, seed, rng=np.random.default_rng(0)),
            "Every case drew with the same seed, 0",
        ),
    ],
    ids=[
        "He with fan-out",
        "drawn then .T",
        "legacy generator",
        "no seed",
        "global generator",
        "seed 0",
    ],
)
def test_the_slips_of_drawing_starting_weights_are_named(answer, said):
    from bp_lessons.exercises import deep_networks as ex

    for seed in (0, 1, 2):
        assert said in ex.q2.evaluate(answer, seed=seed).headline()


@pytest.mark.lesson05
def test_the_1_over_cosh_slip_is_named_when_its_overflow_is_guarded():
    from bp_lessons.exercises import layer

    def tanh_derivative(z):
        try:
            return 1 / math.cosh(z)
        except OverflowError:
            return 0.0

    assert "That is 1/cosh(z) (with its overflow" in layer.q3.evaluate(tanh_derivative).headline()


SCALAR_TASKS = [
    pytest.param(exercise, task, marks=lesson_mark(exercise), id=f"{exercise}-q{task.number}")
    for exercise in EXERCISES
    for task in tasks(exercise)
    if isinstance(task.run(task.reference, task.cases()[0]), float)
    and not isinstance(task, Report)  # a report's entries are not a function of its cases
]


@pytest.mark.parametrize("exercise, task", SCALAR_TASKS)
def test_every_scalar_cross_says_something_after_off_on_k_of_n(exercise, task):
    assert len(SCALAR_TASKS) >= 8
    for wrong, words in [
        (lambda *a: 3 * task.reference(*a), "3 times the expected value"),
        (lambda *a: task.reference(*a) + 0.25, "off by the same 0.25"),
        (lambda *a: 1.5 * task.reference(*a) + 0.1, ""),
    ]:
        result = task.evaluate(wrong, rules=False)
        assert result.status == "failed"
        if result.diagnosis:  # a known mistake fits: it is named instead
            continue
        headline = result.headline()
        assert not headline.endswith("cases."), headline
        assert words in headline, headline


# --- issue 18, item 6: new kinds of task ---------------------------------------------------------


def code_cell(exercise, grade_id):
    """The source of a code cell of a source notebook: by its grade_id, else by its cell id."""
    source = json.loads((ROOT / "exercises" / "source" / f"{exercise}.ipynb").read_text())
    (cell,) = [
        c
        for c in source["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
        or c.get("id") == grade_id.replace("_", "-")
    ]
    return "".join(cell["source"])


@pytest.mark.lesson10
def test_the_given_code_of_the_find_the_bug_task_is_named_as_the_code_given():
    from bp_lessons.exercises import vectorized_digits as ex

    namespace = {"np": np}
    exec(code_cell("10_vectorized_digits", "q4_given"), namespace)
    given = namespace["given_network_gradients"]
    for seed in SEEDS:
        result = ex.q4.evaluate(given, seed=seed)
        assert result.status == "failed" and result.diagnosis == ex.GIVEN_BUG, seed
    # one line apart from the solution: the bug is planted, not a rewrite
    body = code_cell("10_vectorized_digits", "q4_given").split('"""')[-1].splitlines()
    solution = code_cell("10_vectorized_digits", "q4").split('"""')[-1].splitlines()
    code = [line.split("#")[0].rstrip() for line in body if line.split("#")[0].strip()]
    fixed = {line.split("#")[0].rstrip() for line in solution}
    planted = [line for line in code if line not in fixed]
    assert planted == ["        dA = dA @ weights[layer]"]


@pytest.mark.lesson10
def test_the_find_the_bug_task_names_each_wrong_fix():
    from bp_lessons.exercises import vectorized_digits as ex

    def sigma_twice(X, Y, weights, biases):
        activations = [X]
        for W, b in zip(weights, biases):
            activations.append(1 / (1 + np.exp(-(activations[-1] @ W.T + b))))
        dA = 2 * (activations[-1] - Y) / Y.size
        dWs, dbs = [], []
        for layer in reversed(range(len(weights))):
            A, A_before = activations[layer + 1], activations[layer]
            delta = dA * A * (1 - A)
            dWs.insert(0, delta.T @ A_before)
            dbs.insert(0, delta.sum(axis=0))
            dA = delta @ weights[layer] * A_before * (1 - A_before)
        return dWs, dbs

    assert "applied twice" in ex.q4.evaluate(sigma_twice).headline()


@pytest.mark.lesson09
def test_the_predicted_steps_are_what_a_run_of_the_batches_counts():
    """Exercise 9.3's rule against the experiment it predicts: the batches 9.1 yields."""
    from bp_lessons.exercises import mini_batch as ex

    for args in ex.q3.cases(seed=9):
        data = list(range(args["num_examples"]))
        counted = sum(
            1
            for epoch in range(args["epochs"])
            for _ in ex.iterate_minibatches(data, data, args["batch_size"], seed=epoch)
        )
        assert ex.steps(**args) == counted, args


@pytest.mark.lesson09
def test_a_prediction_of_one_step_per_example_is_named():
    from bp_lessons.exercises import mini_batch as ex

    said = ex.q3.evaluate(lambda num_examples, batch_size, epochs: num_examples * epochs)
    assert "One step per example is lesson 08's SGD" in said.headline()
    rounded = ex.q3.evaluate(lambda n, b, e: e * round(n / b))  # round, not ⌈⌉: no known mistake
    assert rounded.status == "failed" and not rounded.headline().endswith("cases.")


@pytest.mark.lesson13
def test_a_softmax_shifted_by_each_columns_max_is_named():
    from bp_lessons.exercises import classification as ex

    for seed in SEEDS:
        said = ex.q1.evaluate(_shifted_softmax(lambda Z: Z.max(axis=0)), seed=seed).headline()
        assert "The max is taken down each column" in said, seed


# --- issue 18, item 6: a new node for Value, the power with a Value exponent (11.4) ---------


def _power_node(a, b):  # a correct node in another style: the slope in a from the output
    from bp_lessons.autograd import Value

    out = Value(math.pow(a.data, b.data), [a, b], "pow")
    out._local_grads = [b.data * out.data / a.data, math.log(a.data) * out.data]
    return out


@pytest.mark.lesson11
def test_the_power_node_is_the_slope_of_its_graphs_by_central_differences():
    """The reference against central differences of the check's two graphs:
    L = p·p + p·b with p = a^b, and x^x · x."""
    from bp_lessons.exercises import computational_graph as ex
    from bp_lessons.exercises.calling import a_power_node

    def graph(a, b):
        p = a**b
        return p * p + p * b

    for args in ex.q4.cases(seed=11):
        a, b = args["a"], args["b"]
        (data, local, a_grad, b_grad, x_grad), kept = a_power_node(ex.power, args)
        assert kept == []  # nothing handed over by the learner: the Values are built here
        assert data == pytest.approx(a**b, rel=1e-14)
        assert local == pytest.approx(_central(lambda p: p[0] ** p[1], [a, b]), rel=1e-7, abs=1e-8)
        assert [a_grad, b_grad] == pytest.approx(
            _central(lambda p: graph(*p), [a, b]), rel=1e-6, abs=1e-8
        )
        (slope,) = _central(lambda p: p[0] ** p[0] * p[0], [a])
        assert x_grad == pytest.approx(slope, rel=1e-6, abs=1e-8)


@pytest.mark.lesson11
def test_the_power_node_in_other_styles_passes_and_a_central_difference_does_not():
    from bp_lessons.autograd import Value
    from bp_lessons.exercises import computational_graph as ex

    def through_exp(a, b):  # a^b = e^(b ln a), the derivation's own form
        value = math.exp(b.data * math.log(a.data))
        out = Value(value, (a, b))
        out._local_grads = (b.data * a.data ** (b.data - 1), value * math.log(a.data))
        return out

    for answer in (_power_node, through_exp):
        assert ex.q4.evaluate(answer).passed, str(ex.q4.evaluate(answer))
    measured = ex.q4.evaluate(_power_measured).headline()
    assert "an approximation, such as a central difference" in measured


@pytest.mark.lesson11
def test_the_power_nodes_slips_of_python_and_of_the_engine_get_their_advice():
    from bp_lessons.autograd import Value
    from bp_lessons.exercises import computational_graph as ex

    def with_values(a, b):  # local derivatives built from Values, not numbers
        out = Value(a.data**b.data, (a, b), "**")
        out._local_grads = (b * a.data ** (b.data - 1), out.data * math.log(a.data))
        return out

    def exclusive_or(a, b):
        return Value(a.data ^ b.data, (a, b), "**")

    said = {
        "with the engine's **": ex.q4.evaluate(lambda a, b: a**b).headline(),
        "with ^": ex.q4.evaluate(exclusive_or).headline(),
        "with Values": ex.q4.evaluate(with_values).headline(),
    }
    assert "The engine's ** takes a number exponent" in said["with the engine's **"]
    assert "^ is Python's exclusive or" in said["with ^"]
    assert "keep its local derivatives plain numbers" in said["with Values"]


@pytest.mark.lesson11
def test_each_slip_of_the_power_node_is_named_by_what_it_got_wrong():
    """The named misconceptions of 11.4, written as a learner would (not the check's own
    helpers): each is named, alone."""
    from bp_lessons.autograd import Value
    from bp_lessons.exercises import computational_graph as ex

    def node(forward, slopes, children=None):
        def power(a, b):
            x, y = a.data, b.data
            out = Value(forward(x, y), (a, b) if children is None else children(a, b))
            out._local_grads = slopes(x, y, out.data)
            return out

        return power

    def right(x, y):
        return x**y

    slips = {
        "power rule is off by one": node(right, lambda x, y, o: (y * x**y, o * math.log(x))),
        "must also come down": node(right, lambda x, y, o: (x ** (y - 1), o * math.log(x))),
        "exponential, not a power": node(right, lambda x, y, o: (y * o / x, y * x ** (y - 1))),
        "as if a^b were e^b": node(right, lambda x, y, o: (y * o / x, o)),
        "the factor a^b is missing": node(right, lambda x, y, o: (y * o / x, math.log(x))),
        "the input a stands where": node(right, lambda x, y, o: (y * o / x, x * math.log(x))),
        "the node's value out = a^b stands where": node(
            right, lambda x, y, o: (y * o ** (y - 1), o * math.log(x))
        ),
        "names no children": node(
            right, lambda x, y, o: (y * o / x, o * math.log(x)), lambda a, b: ()
        ),
        "names a as its only child": node(
            right, lambda x, y, o: (y * o / x, o * math.log(x)), lambda a, b: (a,)
        ),
        "The children are (b, a)": node(
            right, lambda x, y, o: (y * o / x, o * math.log(x)), lambda a, b: (b, a)
        ),
        "The local derivatives are 0": node(right, lambda x, y, o: (0.0, 0.0)),
        "The forward value is b^a": node(
            lambda x, y: y**x, lambda x, y, o: (y * x ** (y - 1), o * math.log(x))
        ),
        "three nodes": lambda a, b: (a.log() * b).exp(),
        "the engine's power with a NUMBER exponent": lambda a, b: a ** float(b.data),
    }
    for words, answer in slips.items():
        result = ex.q4.evaluate(answer)
        assert result.status == "failed" and words in result.diagnosis, (words, str(result))
        assert " known mistakes give exactly" not in result.diagnosis, words


@pytest.mark.lesson11
def test_the_grader_gives_the_power_node_its_point_and_hides_the_reference(tmp_path):
    """bp-grade scores 11.4 as the notebook does, and the sandbox holds no reference power:
    an answer that imports it scores 0."""
    import inspect

    from test_grading_support import grade, notebook

    from bp_lessons.exercises import computational_graph as ex

    setup = (
        "import math\n\nfrom bp_lessons.autograd import Value\n"
        "from bp_lessons.exercises.computational_graph import q1, q2, q3, q4\n"
    )
    own = "import math\n\nfrom bp_lessons.autograd import Value\n\n\n" + inspect.getsource(
        _power_node
    ).replace("_power_node", "power").replace("    from bp_lessons.autograd import Value\n\n", "")
    borrowed = "from bp_lessons.exercises.computational_graph import power\n"
    submissions = {
        "own.ipynb": notebook({4: own}, "11_computational_graph", setup),
        "borrowed.ipynb": notebook({4: borrowed}, "11_computational_graph", setup),
    }
    results = grade(tmp_path, submissions)
    assert ex.q4.evaluate(_power_node).passed
    assert results["own"]["tests"][3]["score"] == 1, results["own"]["tests"][3]["output"]
    test = results["borrowed"]["tests"][3]
    assert test["score"] == 0 and "off limits" in test["output"], test["output"]


# --- issue 18, item 6: an experiment whose result the learner reports (8.3) ------------------


@pytest.mark.lesson08
def test_the_sweep_report_is_what_the_curves_say_and_what_the_notebook_says():
    """The reference reads the sweep's curves as the task's table defines each entry, and the
    report's sentence in the source notebook states those findings."""
    from bp_lessons.exercises import sgd as ex

    curves = ex.learning_rate_sweep()
    assert list(curves) == list(ex.RATES)
    assert all(len(losses) == len(right) == ex.EPOCHS for losses, right in curves.values())
    report = ex.sweep_report()
    final = {rate: losses[-1] for rate, (losses, _) in curves.items()}
    assert report["best_rate"] == 10.0 and final[10.0] == min(final.values())
    assert report["final_loss"] == pytest.approx(0.000325, rel=0.02)
    assert report["epochs_to_solve"] == 116 and max(curves[10.0][1][:115]) < 4
    assert ex._settled(curves[10.0][1]) == 125 and curves[3.0][1].index(4) + 1 == 154
    assert report["unsolved_rates"] == [0.1, 0.3, 1.0, 30.0]
    assert all(abs(final[rate] - 0.25) < 0.005 for rate in (0.1, 0.3))
    assert curves[1.0][1][-1] == 3 and final[1.0] == pytest.approx(0.148, abs=0.0005)
    assert all(abs(loss - 0.5) < 1e-3 for loss in curves[30.0][0])  # from the first epoch on
    assert max(ex._sweep()[1][30.0]) < 1e-3  # saturated: an output near 0 for every example

    source = json.loads((ROOT / "exercises" / "source" / "08_sgd.ipynb").read_text())
    text = " ".join("".join(cell["source"]) for cell in source["cells"])
    text = " ".join(text.split())
    for claim in (
        "the best rate of the grid is **10**: its loss ends at 0.000325",
        "all four examples right after epoch 116",
        "from epoch 125 on keeps all four",
        "it solves XOR after epoch 154",
        "At 0.1 and 0.3 the loss is still 0.25",
        "3 of 4 right and a loss of 0.148",
        "At 30 the loss stays at 0.5 from the first epoch on",
        "with an output near 0 for every example",
    ):
        assert claim in text, claim


@pytest.mark.lesson08
def test_any_honest_report_passes_and_a_guess_does_not():
    from bp_lessons.exercises import sgd as ex

    curves = ex.learning_rate_sweep()

    def read_off():  # computed from the curves, as a learner's reading cell does
        final = {rate: losses[-1] for rate, (losses, _) in curves.items()}
        best = min(final, key=final.get)
        return {
            "best_rate": best,
            "final_loss": round(final[best], 6),
            "epochs_to_solve": 1 + curves[best][1].index(4),
            "unsolved_rates": {rate for rate, (_, right) in curves.items() if 4 not in right[-1:]},
        }

    honest = [
        read_off,
        lambda: {
            "unsolved_rates": (30, 1, 0.3, 0.1),
            "epochs_to_solve": 116.0,
            "final_loss": 3.25e-4,
            "best_rate": 10,
        },
        lambda: {
            "best_rate": 10.0,
            "final_loss": 0.00033,  # two significant digits, within 2%
            "epochs_to_solve": 116,
            "unsolved_rates": [0.1, 0.3, 1.0, 30.0],
        },
    ]
    for report in honest:
        result = ex.q3.evaluate(report)
        assert result.passed, str(result)
    guess = ex.q3.evaluate(
        lambda: {
            "best_rate": 1.0,
            "final_loss": 0.01,
            "epochs_to_solve": 100,
            "unsolved_rates": [0.1],
        }
    )
    assert guess.status == "failed" and len([row for row in guess.rows if row.off]) == 4


@pytest.mark.lesson08
def test_each_entry_of_the_report_gets_its_own_diagnosis():
    from bp_lessons.exercises import sgd as ex

    right = ex.sweep_report()
    said = ex.q3.evaluate(
        lambda: {**right, "best_rate": 5.0, "final_loss": 4 * right["final_loss"]}
    ).headline()
    assert "best_rate: 5 is not a rate of the sweep" in said
    assert "final_loss: That is the loss of the four examples added up" in said
    rounded = ex.q3.evaluate(lambda: {**right, "final_loss": 0.0003}).headline()
    assert "give the loss to three significant digits" in rounded
    assert (
        "report has no entry 'unsolved_rates'"
        in ex.q3.evaluate(
            lambda: {k: v for k, v in right.items() if k != "unsolved_rates"}
        ).headline()
    )
    assert "Return the report as a dict" in ex.q3.evaluate(lambda: [10.0, 0.000325]).headline()
    wrong_signature = ex.q3.evaluate(lambda curves: right).headline()
    assert "the check calls it with 0" in wrong_signature


@pytest.mark.lesson08
def test_the_grader_gives_the_sweep_report_its_point(tmp_path):
    """bp-grade scores 8.3 as the notebook does, from the answer cells alone; a report that
    leans on the sweep's cell (not an answer cell) finds no curves there, and says so."""
    from test_grading_support import grade, notebook

    from bp_lessons.exercises import sgd as ex

    setup = (
        "from bp_lessons import datasets\n"
        "from bp_lessons.activations import sigmoid, sigmoid_derivative\n"
        "from bp_lessons.exercises.sgd import q1, q2, q3\n"
    )
    honest = f"def sweep_report():\n    return {ex.sweep_report()!r}\n"
    leaning = "def sweep_report():\n    return {'best_rate': min(curves)}\n"
    results = grade(
        tmp_path,
        {
            "honest.ipynb": notebook({3: honest}, "08_sgd", setup),
            "leaning.ipynb": notebook({3: leaning}, "08_sgd", setup),
        },
    )
    assert results["honest"]["tests"][2]["score"] == 1, results["honest"]["tests"][2]["output"]
    test = results["leaning"]["tests"][2]
    assert test["score"] == 0 and "answer cells only" in test["output"], test["output"]


@pytest.mark.lesson08
def test_the_checks_sweep_is_the_loop_over_train_step_the_learner_runs():
    """The check runs every rate at once in NumPy; the learner's cell loops over train_step.
    Same curves, to rounding, so the same findings."""
    from bp_lessons import MLP, datasets
    from bp_lessons.exercises import sgd as ex

    X, y = (data.tolist() for data in datasets.xor())
    start = MLP([2, 3, 1], seed=0)
    for rate in ex.RATES:
        weights = [[n.weights for n in layer.neurons] for layer in start.layers]
        biases = [[n.bias for n in layer.neurons] for layer in start.layers]
        losses, right = [], []
        for _ in range(ex.EPOCHS):
            for inputs, labels in zip(X, y):
                weights, biases = ex.train_step(inputs, labels, weights, biases, rate)
            outputs = [_network_output(weights, biases, inputs) for inputs in X]
            losses.append(sum((a - t[0]) ** 2 for a, t in zip(outputs, y)) / len(X))
            right.append(sum((a > 0.5) == (t[0] > 0.5) for a, t in zip(outputs, y)))
        checked_losses, checked_right = ex.learning_rate_sweep()[rate]
        # rounding grows where rate 10 loses an example again (epoch 122): 5e-9 there
        assert checked_losses == pytest.approx(losses, rel=1e-6, abs=1e-12), rate
        assert checked_right == right, rate


def _network_output(weights, biases, inputs):
    for layer_weights, layer_biases in zip(weights, biases):
        inputs = [
            _sigmoid(sum(w * a for w, a in zip(row, inputs)) + b)
            for row, b in zip(layer_weights, layer_biases)
        ]
    return inputs[0]


@pytest.mark.lesson08
def test_each_slip_of_the_sweep_report_is_named_by_what_it_got_wrong():
    """The named misreadings of 8.3, as a learner would write them into the report: each is
    named, alone."""
    from bp_lessons.exercises import sgd as ex

    right = {
        "best_rate": 10.0,
        "final_loss": 0.000325,
        "epochs_to_solve": 116,
        "unsolved_rates": [0.1, 0.3, 1.0, 30.0],
    }
    slips = {
        ("best_rate", 2.0): "2 is the rate of the XOR run after 8.2",
        ("best_rate", 30.0): "The largest rate is not the best",
        ("best_rate", 3.0): "3 is not the rate with the lowest loss after the last epoch",
        ("best_rate", 0.5): "0.5 is not a rate of the sweep",
        ("final_loss", 1.0): "That is an accuracy",
        ("final_loss", 0.0013): "the four examples added up",
        ("final_loss", 0.000675): "the loss of the last example alone",
        ("final_loss", 0.4766): "the loss after the FIRST epoch",
        ("final_loss", 0.0018): "the final loss of another rate, 3",
        ("final_loss", 0.1484): "the final loss of another rate, 1",
        ("final_loss", 0.0003): "three significant digits",
        ("epochs_to_solve", 115): "One epoch too few",
        ("epochs_to_solve", 464): "That counts steps",
        ("epochs_to_solve", 300): "That is the run's last epoch",
        ("epochs_to_solve", 125): "from which on all four stay right",
        ("epochs_to_solve", 154): "That is when rate 3 solves it",
        ("unsolved_rates", (0.1, 0.3, 1.0)): "30 is missing",
        ("unsolved_rates", (30.0, 0.3, 0.1)): "1 is missing",
        ("unsolved_rates", (10.0, 3.0)): "Those are the rates that DO solve it",
    }
    for (entry, value), words in slips.items():
        result = ex.q3.evaluate(lambda entry=entry, value=value: {**right, entry: value})
        assert result.status == "failed", (entry, value)
        assert words in result.diagnosis and " known mistakes give" not in result.diagnosis, (
            entry,
            value,
            str(result),
        )


def test_what_a_call_left_is_read_only_from_plain_types_and_types_written_in_c():
    from bp_lessons.exercises.calling import as_data

    class Shown(list):
        def __iter__(self):
            return iter([1.0])

    class Held(np.ndarray):
        def tolist(self):
            return [1.0]

    class Flags(type):
        __flags__ = property(lambda cls: 0)  # a metaclass that says "written in C"

    class Liar(metaclass=Flags):
        def tolist(self):
            return [1.0]

    honest = {"x": [1.0, (2, 3)], "A": np.array([[1.5, 2.0]]), "s": np.float64(0.5), "n": None}
    assert as_data(honest) == {"x": [1.0, [2, 3]], "A": [[1.5, 2.0]], "s": 0.5, "n": None}
    forged = [Shown([9.0]), np.zeros(1).view(Held), Liar()]
    assert as_data(forged) == ["(Shown)", "(Held)", "(Liar)"]


def test_the_grader_imports_every_module_a_way_of_calling_imports_before_any_cell_runs():
    import dis

    from bp_lessons.exercises import calling

    for name, function in vars(calling).items():
        if not (callable(function) and getattr(function, "__module__", "") == calling.__name__):
            continue
        found, seen = set(), set()
        codes = [function.__code__] if hasattr(function, "__code__") else []
        while codes:  # its own imports, and those of the functions of calling.py it calls
            code = codes.pop()
            seen.add(code)
            found |= {i.argval for i in dis.get_instructions(code) if i.opname == "IMPORT_NAME"}
            for called in code.co_names:
                inner = getattr(getattr(calling, called, None), "__code__", None)
                codes += [inner] if inner is not None and inner not in seen else []
        assert found <= set(calling.IMPORTS.get(name, ())), name


def test_a_check_leaves_garbage_collection_on_whatever_the_call_did():
    import gc

    from bp_lessons.exercises.calling import backward_on_a_neuron, call_kept

    def deletes_the_weights(neuron, output_gradient):
        del neuron.weights  # what the check reads after the call is gone
        return [0.0]

    args = {"weights": [0.5], "bias": 0.1, "inputs": [1.0], "gradients": [0.0]}
    args |= {"bias_gradient": 0.0, "output_gradient": 1.0}
    assert gc.isenabled()
    with pytest.raises(AttributeError):
        call_kept(deletes_the_weights, args, backward_on_a_neuron)
    assert gc.isenabled()  # switched off the moment the call returned, back on now
