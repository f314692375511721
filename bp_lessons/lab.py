"""JupyterLab for the series: `bp-lessons lab FOLDER` (and `make lab`, which runs it on the clone).

Two things a plain `jupyter lab lesson.ipynb` gets wrong for a learner:

- Given a notebook's path, JupyterLab roots itself at that notebook's folder, so the lessons'
  links to `../exercises/` (and the exercises' links back) answer 404. Here it is rooted at
  FOLDER, where `notebooks/` and `exercises/` both live, and opens at the start page, in the
  browser it starts and at the address it prints.
- The notebooks are saved without the Python version (`language_info.version`), so that they
  stay the same bytes on every Python. On opening one, JupyterLab writes the running kernel's
  version into it and marks it modified: closing a lesson you only read asks to save it. Here
  the server fills in that version as it hands a notebook to JupyterLab (`ContentsManager`),
  so JupyterLab finds nothing to change, and an untouched lesson closes untouched.
"""

import importlib.util
import os
import platform
import subprocess
import sys
from pathlib import Path

START = "notebooks/00_start_here.ipynb"


class LabError(Exception):
    """JupyterLab cannot start for the series: the message says what was expected and found."""


def lab_command(folder: Path, extra: list[str]) -> list[str]:
    """The command that starts JupyterLab for the series in `folder`, with `extra` options."""
    if not (folder / START).is_file():
        raise LabError(
            f"{folder} has no {START}: give the folder `bp-lessons copy` made (or a clone of "
            f"the repository), or make one first with: bp-lessons copy {folder}"
        )
    if importlib.util.find_spec("jupyterlab") is None:
        raise LabError(
            f"JupyterLab is not installed in this Python ({sys.executable}): install it with "
            f"{Path(sys.executable).name} -m pip install jupyterlab, then run this again"
        )
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder.resolve()}"]
    command.append(f"--LabApp.default_url=/lab/tree/{START}")
    command.append(f"--ServerApp.contents_manager_class={__name__}.ContentsManager")
    if hasattr(os, "getuid") and os.getuid() == 0:  # as in many containers
        command.append("--allow-root")  # JupyterLab refuses root unless told it may
    return command + extra


def start(command: list[str]) -> int:
    """Run JupyterLab: on POSIX it takes this process over (Ctrl-C and its shutdown prompt are
    its own); elsewhere it runs as a child and its exit status is returned."""
    if os.name != "posix":
        return subprocess.call(command)
    os.execv(command[0], command)
    return 0  # not reached: execv returns only by raising


def with_kernel_version(notebook: dict) -> dict:
    """The notebook as the kernel that runs it will describe itself: a Python notebook saved
    without a version gets this Python's, the kernel JupyterLab starts (ipykernel, in the same
    environment). Nothing else is touched, and a version already there is kept."""
    info = notebook.get("metadata", {}).get("language_info")
    if isinstance(info, dict) and info.get("name") == "python" and "version" not in info:
        info["version"] = platform.python_version()
    return notebook


def _contents_manager_class():
    # imported here: jupyter_server is there only where JupyterLab is
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

    class ContentsManager(AsyncLargeFileManager):
        """JupyterLab's usual contents manager, handing notebooks over `with_kernel_version`."""

        async def get(self, path, content=True, type=None, format=None, **kwargs):
            model = await super().get(path, content=content, type=type, format=format, **kwargs)
            if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
                with_kernel_version(model["content"])
            return model

    return ContentsManager


def __getattr__(name):  # `bp_lessons.lab.ContentsManager`, built when JupyterLab asks for it
    if name == "ContentsManager":
        return _contents_manager_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
