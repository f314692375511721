"""bp-grade on a class of 100 generated submissions: correct, stub, wrong and hostile ones.

Each run is the real command (`python -m bp_lessons.grading`, a fresh interpreter, its default
10 s time limit per task), timed from start to exit. The target is under 0.5 s per submission
per core: wall time × cores used / submissions. The hostile ones include an endless loop, which
alone holds one core for the whole time limit. A second table grades ten right answers of every
exercise: those that hand out NumPy arrays start NumPy in each task's sandbox.

Run: .venv/bin/python benchmarks/bench_grading.py
"""

import timing

# isort: split

import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bp_lessons.exercises import tasks
from bp_lessons.exercises.neuron import q1, q2

SOURCES = Path(__file__).resolve().parent.parent / "exercises" / "source"

SETUP = "import math\n\nfrom bp_lessons.exercises.neuron import q1, q2\n"
CORRECT = {1: inspect.getsource(q1.reference), 2: inspect.getsource(q2.reference)}
STUB = {
    1: 'def sigmoid(z):\n    raise NotImplementedError("Exercise 1.1: write sigmoid")\n',
    2: "def neuron_forward(inputs, weights, bias):\n"
    '    raise NotImplementedError("Exercise 1.2: write neuron_forward")\n',
}
WRONG = [  # the known mistakes, and a crash
    {1: "import math\n\n\ndef sigmoid(z):\n    return math.exp(-z) / (1 + math.exp(-z))\n"},
    {1: "import math\n\n\ndef sigmoid(z):\n    return math.tanh(z)\n"},
    {2: "def neuron_forward(inputs, weights, bias):\n"
     "    return sigmoid(sum(w * i for w, i in zip(weights, inputs)))\n"},
    {2: "def neuron_forward(inputs, weights, bias):\n    return 1 / 0\n"},
]  # fmt: skip
HOSTILE = [  # 17 attacks, each once; the endless loop holds its core for the time limit
    {1: "def sigmoid(z):\n    while True:\n        pass\n"},
    {1: "def sigmoid(z):\n    hog = bytearray(64 * 2**30)\n"},
    {1: "hog = []\nwhile True:\n    hog.append(bytearray(2**24))\n"},
    {1: "import sys\n\nsys.exit(0)\n"},
    {1: "import os\n\nos._exit(0)\n"},
    {2: "def neuron_forward(inputs, weights, bias):\n    raise SystemExit(0)\n"},
    {1: "import os\n\n\ndef sigmoid(z):\n    os.fork()\n    return 0.5\n"},
    {2: "import subprocess\n\nsubprocess.Popen(['sleep', '60'])\n"},
    {2: "from bp_lessons.neuron import neuron_forward\n"},
    {2: "neuron_forward = __import__('bp_lessons.neuron', fromlist=['x']).neuron_forward\n"},
    {1: "import numpy\n\nnumpy.allclose = lambda *a, **k: True\n"},
    {1: "from bp_lessons.exercises.check import Task\n\nTask.judge = lambda *a: None\n"},
    {1: "class Liar(float):\n    def __eq__(self, other):\n        return True\n\n\n"
     "def sigmoid(z):\n    return Liar(0.0)\n"},
    {1: 'print(\'{"score": 100}\')\n'},
    {1: "open('results.json', 'w').write('{\"score\": 100}')\n"},
    {1: "raise KeyboardInterrupt\n"},
    {2: "class Escape(BaseException):\n    pass\n\n\nraise Escape\n"},
]  # fmt: skip
BROKEN = [b"", b'{"cells": [', b"\x89PNG\r\n\x1a\n" + bytes(32)]


def notebook(answers: dict[int, str]) -> dict:
    """An exercise-01 notebook with the contract's metadata; unanswered tasks keep the stub."""
    cells = [code(SETUP, "setup")]
    for k, task in ((1, q1), (2, q2)):
        cells += [code(answers.get(k, STUB[k]), f"q{k}"), code(f"q{k}.check({task.function})")]
    return {
        "cells": cells,
        "metadata": {"bp_lessons": {"exercise": "01_neuron"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def code(source: str, grade_id: str | None = None) -> dict:
    metadata = {"nbgrader": {"grade_id": grade_id, "schema_version": 3}} if grade_id else {}
    return {"cell_type": "code", "metadata": metadata, "source": source, "outputs": []}


def make_class(folder: Path) -> dict[str, int]:
    """100 submissions: 40 correct, 20 stubs, 20 wrong, 20 hostile (3 of them not notebooks)."""
    kinds = {"correct": 40, "stub": 20, "wrong": 20, "hostile": 20}
    answers = {"correct": [CORRECT], "stub": [STUB], "wrong": WRONG, "hostile": HOSTILE}
    n = 0
    for kind, count in kinds.items():
        for i in range(count):
            n += 1
            path = folder / f"{n:03d}_{kind}.ipynb"
            if kind == "hostile" and i >= count - len(BROKEN):
                path.write_bytes(BROKEN[count - 1 - i])
            else:
                choices = answers[kind]
                path.write_text(json.dumps(notebook({**CORRECT, **choices[i % len(choices)]})))
    return kinds


def run(folder: Path, out: Path, jobs: int) -> float:
    command = [sys.executable, "-m", "bp_lessons.grading", str(folder), "--out", str(out)]
    start = time.perf_counter()
    subprocess.run([*command, "--jobs", str(jobs)], check=True, capture_output=True, cwd=folder)
    return time.perf_counter() - start


def per_kind(out: Path) -> list[list[object]]:
    """The judge's own time per submission (results.json's execution_time), by kind."""
    times: dict[str, list[float]] = {}
    for path in sorted(out.glob("*/results.json")):
        kind = path.parent.name.split("_", 1)[1]
        times.setdefault(kind, []).append(json.loads(path.read_text())["execution_time"])
    return [
        [kind, len(t), f"{statistics.median(t):.3f} s", f"{max(t):.3f} s"]
        for kind, t in times.items()
    ]


def per_exercise(tmp: Path) -> list[list[object]]:
    """Ten copies of each exercise's source notebook (every task right), graded on one core."""
    rows = []
    for source in sorted(SOURCES.glob("[0-9][0-9]_*.ipynb")):
        folder = tmp / source.stem
        folder.mkdir()
        for i in range(10):
            shutil.copy(source, folder / f"{i}.ipynb")
        seconds = run(folder, tmp / f"out-{source.stem}", 1)
        rows.append([source.stem, len(tasks(source.stem)), f"{seconds / 10:.3f} s"])
    return rows


def main() -> None:
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        exercise_rows = per_exercise(Path(tmp))
        folder = Path(tmp) / "class"
        folder.mkdir()
        kinds = make_class(folder)
        total = sum(kinds.values())
        for jobs in sorted({1, cores}):
            seconds = run(folder, Path(tmp) / f"out{jobs}", jobs)
            per_core = seconds * min(jobs, cores) / total
            rows.append([total, f"{seconds:.1f} s", jobs, f"{per_core:.3f} s"])
        kind_rows = per_kind(Path(tmp) / f"out{cores}")
    print(f"{total} submissions: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))
    print(timing.markdown_table(["submissions", "wall time", "jobs", "s/submission/core"], rows))
    print("\ntarget: under 0.5 s per submission per core (the command's wall time, start to exit)")
    print("\nthe judge's time per submission, from results.json (jobs = cores):\n")
    print(timing.markdown_table(["kind", "submissions", "median", "max"], kind_rows))
    print(
        "\neach exercise: 10 copies of its source notebook (all right), one job, wall time / 10:\n"
    )
    print(timing.markdown_table(["exercise", "tasks", "s/submission"], exercise_rows))
    print(timing.machine())


if __name__ == "__main__":
    main()
