"""The wheel carries the lessons: everything else about the build is in pyproject.toml.

The lessons (notebooks/*.ipynb) and the student copies of the exercises (exercises/*.ipynb, not
exercises/source/, which holds the solutions) live at the top of the repository, beside the
package. Building a wheel copies them into the build's bp_lessons/_series/ (never into the source
tree), where `bp-lessons copy` finds them. An editable install copies nothing: there
`bp-lessons copy` reads the repository's own folders.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SERIES = {"notebooks": "[0-9][0-9]_*.ipynb", "exercises": "[0-9][0-9]_*.ipynb"}


class BuildWithLessons(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        for folder, pattern in SERIES.items():
            notebooks = sorted((ROOT / folder).glob(pattern))
            if not notebooks:  # a wheel without its lessons would install without a word
                raise SystemExit(f"no {pattern} in {ROOT / folder}: the wheel needs the lessons")
            target = Path(self.build_lib) / "bp_lessons" / "_series" / folder
            target.mkdir(parents=True, exist_ok=True)
            for notebook in notebooks:
                shutil.copyfile(notebook, target / notebook.name)


setup(cmdclass={"build_py": BuildWithLessons})
