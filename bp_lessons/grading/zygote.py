"""The zygote: a clean Python that has imported numpy and the exercises, and forks a child per task.

The judge starts it as a fresh interpreter, so it never holds the judge's seed, an expected value
or another submission: all it ever receives are sockets (one per task, passed over a Unix socket
with SCM_RIGHTS), and for each it forks a child that talks to the judge over that socket. Forking
a warm interpreter costs milliseconds, where a new Python importing numpy costs a third of a second.

    python -m bp_lessons.grading.zygote CONTROL_FD SANDBOX_DIR
"""

import os

# before numpy loads: one BLAS thread, so the child's address-space limit does not break numpy
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

# isort: split

import contextlib
import importlib
import signal
import socket
import sys

import numpy  # noqa: F401  (every child inherits it imported)

from bp_lessons.exercises import EXERCISES
from bp_lessons.grading import child
from bp_lessons.grading.isolation import PR_SET_DUMPABLE, prctl, readable_by_nobody

# modules a learner's cells often import, loaded once here rather than in every child
PRELOAD = ("math", "cmath", "random", "itertools", "functools", "collections", "statistics",
           "copy", "fractions", "decimal", "re", "typing", "dataclasses", "operator", "bp_lessons",
           "bp_lessons.activations", "bp_lessons.losses", "bp_lessons.training",
           "bp_lessons.gradcheck", "bp_lessons.datasets")  # fmt: skip


def main(argv: list[str]) -> None:
    control = socket.socket(fileno=int(argv[0]))
    sandbox_dir = argv[1]
    # `-m` put the working folder first on sys.path: a child could plant modules there
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != os.path.abspath(sandbox_dir)]
    for name in [*PRELOAD, *EXERCISES.values()]:
        with contextlib.suppress(Exception):  # a broken module fails its own tasks, later
            importlib.import_module(name)
    keep_reading = os.geteuid() == 0 and not readable_by_nobody()
    prctl(PR_SET_DUMPABLE, 0)  # no one may read this process's memory or attach to it
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
    control.send(b"ready")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 8)
        except (OSError, ValueError):
            break
        if not message:
            break  # the judge is gone
        for fd in fds:
            if os.fork() == 0:
                control.close()
                child.serve(socket.socket(fileno=fd), sandbox_dir, keep_reading)
            os.close(fd)


if __name__ == "__main__":
    main(sys.argv[1:])
