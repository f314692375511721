"""Every exercise task: the reference passes, a stub is "not attempted", every known mistake
fails with its own message, the references agree with central differences and the package;
and the checking machinery itself."""

import json
import math

import numpy as np
import pytest

from bp_lessons import MLP
from bp_lessons.exercises import EXERCISES, Mistake, Task, tasks
from bp_lessons.exercises.calling import to_plain
from bp_lessons.exercises.check import CheckFailed
from bp_lessons.gradcheck import numerical_gradient


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
    assert page.count("<tr>") == 1 + 7 and "✗" in page and "wrong value" not in page


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
