"""Shared timing for the benchmarks: one thread, warm-up, median of repeats, side by side.

Import this module before numpy or torch (`import timing` then `# isort: split`): BLAS and
OpenMP read their thread counts when they load, and every benchmark here runs on one thread.
"""

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

# isort: split

import datetime
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np


def side_by_side(
    candidates: dict[str, Callable[[], object]], repeats: int = 7, warmup: int = 1
) -> dict[str, float]:
    """The median seconds of one call of each candidate.

    Every candidate is warmed up, then the candidates take turns, one call each per round, so
    a noisy neighbour on the machine slows them all alike rather than one of them.
    """
    for run in candidates.values():
        for _ in range(warmup):
            run()
    seconds: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in seconds.items()}


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    """A GitHub markdown table, ready to paste into benchmarks/README.md."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine(torch_version: str | None = None) -> str:
    """One line naming the CPU, the cores, the versions and the date of the run."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1] for line in cpuinfo if line.startswith("model name")]
        model = names[0].strip() if names else model
    except OSError:
        pass
    versions = f"Python {platform.python_version()}, numpy {np.__version__}"
    if torch_version:
        versions += f", torch {torch_version}"
    return (
        f"{model}, {os.cpu_count()} cores (1 thread used); {versions}; "
        f"{datetime.date.today().isoformat()}"
    )
