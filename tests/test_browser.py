"""A learner's first hour, walked in a real browser (make test-browser; CI runs it).

The server is started by the learner's own commands: `make lab` in the clone, and in a folder made
by `bp-lessons copy` the command that copy prints. Chromium (Debian's, driven by Playwright)
opens the address the server prints, follows the start page to lesson 01 and lesson 01's link to
its exercise, types a correct answer to the first task, runs it and its check, and must see ✓.
Every lesson and exercise must be served, and none may be marked modified by being opened.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in view
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ANSWER = """def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    return math.exp(z) / (1.0 + math.exp(z))"""
FIRST_CHECK = next(  # the cell of exercise 01 that checks the first task
    i
    for i, cell in enumerate(json.loads((ROOT / "exercises/01_neuron.ipynb").read_text())["cells"])
    if "".join(cell["source"]).startswith("q1.check(")
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server started by `command` in `cwd`; `url` is the address it printed."""

    def __init__(self, command: list[str], cwd: Path, home: Path):
        # a settings folder of its own: no workspace of an earlier run is restored, and no
        # autosave writes the answer typed below into the clone's exercise
        config = home / "jupyter-config"
        settings = config / "lab" / "user-settings" / "@jupyterlab" / "docmanager-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config))
        self.log: list[str] = []
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # make, bp-lessons and JupyterLab stop together
        )
        deadline = time.monotonic() + 300  # `make lab` may first install JupyterLab
        self.url = None
        for line in self.process.stderr:
            self.log.append(line)
            found = re.search(r"http://127\.0\.0\.1:\d+/\S+", line)
            if found:
                self.url = found.group(0)
                break
            if time.monotonic() > deadline:
                break
        if self.url is None:
            self.stop()
            raise AssertionError("JupyterLab printed no address:\n" + "".join(self.log[-30:]))
        self.base, self.token = re.match(r"(http://[^/]+/)\S*\?token=(\w+)", self.url).groups()

    def status(self, path: str) -> int:
        url = f"{self.base}api/contents/{path}?content=0&token={self.token}"
        for _ in range(60):  # the address is printed a moment before the server answers
            try:
                with urllib.request.urlopen(url, timeout=30) as reply:
                    return reply.status
            except urllib.error.HTTPError as error:
                return error.code
            except urllib.error.URLError:
                time.sleep(0.5)
        raise AssertionError(f"JupyterLab does not answer at {self.base}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: apt install chromium (.ci/run installs it)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[  # no network beyond this machine: keep Chromium from looking for one
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


def wait_for_idle_kernel(page, timeout=90):
    page.wait_for_selector(
        f"{CURRENT} .jp-Notebook-ExecutionIndicator[data-status='idle']",
        timeout=timeout * 1000,
    )


def walk_the_first_hour(browser, lab: Lab, tmp_path: Path, folder: Path) -> None:
    before = {p: p.read_bytes() for p in folder.glob("*/[0-9][0-9]_*.ipynb")}
    try:
        walk(browser, lab, tmp_path)
    finally:
        after = {p: p.read_bytes() for p in folder.glob("*/[0-9][0-9]_*.ipynb")}
        assert after == before, "the walk changed a notebook on disk"


def walk(browser, lab: Lab, tmp_path: Path) -> None:
    # the address it prints opens the start page
    assert re.search(r"/lab/tree/notebooks/00_start_here\.ipynb\?token=", lab.url), lab.url
    for folder in ("notebooks", "exercises"):  # every lesson and exercise is served
        names = sorted(p.name for p in (ROOT / folder).glob("[0-9][0-9]_*.ipynb"))
        assert names and {name: lab.status(f"{folder}/{name}") for name in names} == {
            name: 200 for name in names
        }
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.set_default_timeout(90_000)
        page.goto(lab.url)
        page.wait_for_selector(f"{CURRENT} .jp-MarkdownOutput h1:has-text('Start here')")
        # the start page's link to lesson 01
        page.locator(f"{CURRENT} a[href*='/files/notebooks/01_neuron.ipynb']").last.click()
        page.wait_for_selector(f"{CURRENT} .jp-MarkdownOutput h1:has-text('The neuron')")
        wait_for_idle_kernel(page)
        # lesson 01's link to its exercise, at the end of the lesson
        link = page.locator(f"{CURRENT} a[href*='/files/exercises/01_neuron.ipynb']").first
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_selector(f"{CURRENT} .jp-MarkdownOutput h1:has-text('Exercise 01')")
        wait_for_idle_kernel(page)
        # opened, read, not touched: none is marked modified
        dirty = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty")
        assert dirty.all_inner_texts() == []
        # the first task: replace the stub with a correct answer
        cells = page.locator(f"{CURRENT} .jp-Notebook .jp-Cell")
        answer = cells.filter(has_text="Exercise 1.1: write sigmoid").first
        answer.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(ANSWER)  # typed as text: no auto-closed brackets
        page.keyboard.press("Escape")
        # run from the top down to the first check, as a learner does with Shift+Enter
        cells.first.locator(".jp-InputPrompt").first.click()
        for _ in range(FIRST_CHECK + 1):
            page.keyboard.press("Shift+Enter")
            wait_for_idle_kernel(page)
        verdict = cells.nth(FIRST_CHECK).locator(".jp-OutputArea-output").first
        verdict.wait_for()
        assert "q1.check(sigmoid)" in cells.nth(FIRST_CHECK).inner_text()
        assert "✓" in verdict.inner_text() and "✗" not in verdict.inner_text()
        page.screenshot(path=str(tmp_path.parent / f"{tmp_path.name}-first-check.png"))
    finally:
        page.close()


def test_from_a_clone_make_lab_to_a_first_tick(browser, tmp_path):
    command = ["make", "lab", f"ARGS=--no-browser --port={free_port()}"]
    lab = Lab(command, ROOT, tmp_path)
    try:
        walk_the_first_hour(browser, lab, tmp_path, ROOT)
    finally:
        lab.stop()


def test_from_a_copy_the_printed_command_to_a_first_tick(browser, tmp_path):
    dest = tmp_path / "my-lessons"
    copied = subprocess.run(
        [BIN / "bp-lessons", "copy", str(dest)], capture_output=True, text=True, check=True
    )
    printed = copied.stdout.strip().splitlines()[-1]
    assert printed == f"Start with: bp-lessons lab {dest}"
    command = printed.removeprefix("Start with: ").split()
    command[0] = str(BIN / command[0])  # the venv's, as on the learner's PATH
    lab = Lab([*command, "--no-browser", f"--port={free_port()}"], tmp_path, tmp_path)
    try:
        walk_the_first_hour(browser, lab, tmp_path, dest)
    finally:
        lab.stop()


OPEN_AND_CLOSE = """async (path) => {
  const app = window.jupyterapp;
  const widget = await app.commands.execute('docmanager:open', {path});
  await widget.context.ready;
  await widget.sessionContext.ready;
  const kernel = widget.sessionContext.session.kernel;
  for (let i = 0; i < 600 && kernel.status !== 'idle'; i++) {
    await new Promise(r => setTimeout(r, 100));
  }
  await kernel.requestKernelInfo();  // what JupyterLab writes into the notebook has arrived
  await new Promise(r => setTimeout(r, 500));
  const dirty = widget.context.model.dirty;
  await widget.sessionContext.shutdown();
  widget.dispose();
  return dirty;
}"""


def test_no_lesson_or_exercise_is_marked_modified_by_opening_it(browser, tmp_path):
    """Every lesson and exercise, opened with its kernel started and closed: none asks to be
    saved (JupyterLab marks a notebook modified when the kernel describes itself otherwise)."""
    lab = Lab(
        [BIN / "bp-lessons", "lab", str(ROOT), "--no-browser", f"--port={free_port()}"]
        + ["--LabApp.expose_app_in_browser=True"],  # to open each notebook by its path
        ROOT,
        tmp_path,
    )
    page = browser.new_page()
    try:
        lab.status("notebooks")
        page.set_default_timeout(90_000)
        page.goto(lab.url)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
        page.wait_for_selector(f"{CURRENT} .jp-MarkdownOutput h1")
        paths = [
            f"{folder}/{p.name}"
            for folder in ("notebooks", "exercises")
            for p in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))
        ]
        modified = {path: page.evaluate(OPEN_AND_CLOSE, path) for path in paths}
        assert len(modified) > 20 and not any(modified.values()), modified
    finally:
        page.close()
        lab.stop()
