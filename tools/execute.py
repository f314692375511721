"""Run notebooks top to bottom in a fresh kernel and save them with their outputs.

    .venv/bin/python tools/execute.py notebooks/04_chain_rule.ipynb [more.ipynb ...]

Each notebook runs in its own folder with this environment's Python, as nbval will run it, and
is saved byte-stable across runs (see `bp_lessons.exercises.release.execute`, which the release
of the student copies uses too).
"""

import sys
from pathlib import Path

from bp_lessons.exercises.release import execute

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        print(f"{name}: {execute(Path(name)):.1f} s")
