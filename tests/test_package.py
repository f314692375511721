import subprocess
import sys

import bp_lessons

pytestmark = []


def test_public_names():
    from bp_lessons import MLP, Layer, Neuron  # noqa: F401
    from bp_lessons.activations import (  # noqa: F401
        relu,
        relu_derivative,
        sigmoid,
        sigmoid_derivative,
        tanh,
        tanh_derivative,
    )
    from bp_lessons.gradcheck import gradient_check, numerical_gradient  # noqa: F401
    from bp_lessons.losses import mse_loss, mse_loss_gradient  # noqa: F401
    from bp_lessons.training import iterate_minibatches, train  # noqa: F401
    from bp_lessons.vectorized import DenseLayer, VectorizedMLP  # noqa: F401

    assert sorted(bp_lessons.__all__) == ["Layer", "MLP", "Neuron", "__version__"]
    assert bp_lessons.__version__.count(".") == 2


def test_importing_the_package_leaves_plotting_and_data_libraries_unloaded():
    code = (
        "import sys, bp_lessons, bp_lessons.training, bp_lessons.gradcheck, bp_lessons.datasets\n"
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'sklearn') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
