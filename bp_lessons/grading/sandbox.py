"""The judge's side of the sandbox: start the zygote, run one task in a child, read its replies.

Every reply is read as data (JSON lines, size-capped, until a wall-clock deadline) and, whatever
happened, the child's whole process group is killed before `run` returns. If the zygote dies (a
submission may kill its parent) it is started again.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

MAX_REPLY_BYTES = 4 * 2**20
START_SECONDS = 60.0  # for the zygote to import numpy and the exercises on a busy machine
SPAWN_SECONDS = 10.0  # for a forked child to say its process id
KEEP_ENVIRONMENT = {"PATH", "HOME", "LANG", "TMPDIR", "VIRTUAL_ENV", "COVERAGE_PROCESS_START"}


@dataclass
class Outcome:
    """What came back from one child: its replies, and how it ended."""

    replies: list[dict] = field(default_factory=list)
    ended: str = "reading"  # then "done", "timeout", "exited", "too much output", "garbled reply"
    seconds: float = 0.0

    def last_cell(self) -> int | None:
        """The cell the child was running when it stopped (None once the cells are done)."""
        cells = [reply["cell"] for reply in self.replies if "cell" in reply]
        return cells[-1] if cells and isinstance(cells[-1], int) else None


class Sandbox:
    """A zygote process that forks a sandboxed child for each task."""

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="bp-grade-")  # the children's working folder
        self.lock = threading.Lock()
        self.zygote: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [sys.executable, "-m", "bp_lessons.grading.zygote", str(theirs.fileno())]
        self.zygote = subprocess.Popen(
            [*command, self.directory],
            pass_fds=[theirs.fileno()],
            cwd=self.directory,  # not the instructor's folder, where a student's numpy.py may lie
            env=clean_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        theirs.close()
        ours.settimeout(START_SECONDS)
        if ours.recv(16) != b"ready":
            raise RuntimeError("the grader's sandbox did not start (see the error above)")
        ours.settimeout(None)
        self.control = ours

    def close(self) -> None:
        self.control.close()  # the zygote exits when it sees the end of its socket
        if self.zygote and self.zygote.poll() is None:
            try:
                self.zygote.wait(5)
            except subprocess.TimeoutExpired:
                self.zygote.kill()
                self.zygote.wait()
        shutil.rmtree(self.directory, ignore_errors=True)

    def run(self, request: dict, timeout: float) -> Outcome:
        """Send `request` to a new child and collect its replies until done, or the deadline."""
        start = time.monotonic()
        outcome = Outcome()
        ours, pid = self.spawn()
        if ours is None:
            outcome.ended = "exited"
            return outcome
        try:
            ours.sendall(json.dumps(request).encode() + b"\n")
            read_replies(ours, start + timeout, outcome)
        except OSError:
            outcome.ended = "exited"
        finally:
            ours.close()
            kill_group(pid)
        outcome.seconds = time.monotonic() - start
        return outcome

    def spawn(self) -> tuple[socket.socket | None, int]:
        """A connected socket and the child's pid, starting the zygote again if needed once."""
        for _ in range(2):
            ours, theirs = socket.socketpair()
            with self.lock:
                zygote = self.zygote
                with contextlib.suppress(OSError):
                    socket.send_fds(self.control, [b"fork"], [theirs.fileno()])
            theirs.close()
            ours.settimeout(SPAWN_SECONDS)
            pid = first_reply_pid(ours)
            if pid is not None:
                return ours, pid
            ours.close()
            with self.lock:
                if self.zygote is zygote:  # not already restarted by another thread
                    self.restart()
        return None, 0

    def restart(self) -> None:
        self.control.close()
        if self.zygote:
            self.zygote.kill()
            self.zygote.wait()
        self.start()


def clean_environment() -> dict[str, str]:
    """The judge's environment without what a submission has no business reading (tokens...)."""
    return {
        name: value
        for name, value in os.environ.items()
        if name in KEEP_ENVIRONMENT or name.startswith(("LC_", "PYTHON"))
    }


def first_reply_pid(sock: socket.socket) -> int | None:
    """The child's first line, written before any submitted code runs: its process id."""
    line = b""
    try:
        while not line.endswith(b"\n") and len(line) < 100:
            chunk = sock.recv(1)
            if not chunk:
                return None
            line += chunk
        pid = json.loads(line)["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if isinstance(pid, int) and pid > 1 else None


def read_replies(sock: socket.socket, deadline: float, outcome: Outcome) -> None:
    """Collect JSON lines into outcome.replies until "done", the end, the cap or the deadline."""
    buffer, total = b"", 0
    while outcome.ended == "reading":
        remaining = deadline - time.monotonic()
        try:
            sock.settimeout(max(remaining, 1e-3))
            chunk = sock.recv(65536) if remaining > 0 else None
        except TimeoutError:
            chunk = None
        total += len(chunk or b"")
        if chunk is None:
            outcome.ended = "timeout"
        elif not chunk:
            outcome.ended = "exited"
        elif total > MAX_REPLY_BYTES:
            outcome.ended = "too much output"
        else:
            *lines, buffer = (buffer + chunk).split(b"\n")
            add_replies(lines, outcome)


def add_replies(lines: list[bytes], outcome: Outcome) -> None:
    for line in lines:
        try:
            reply = json.loads(line)
        except (ValueError, RecursionError):
            reply = None
        if not isinstance(reply, dict):
            outcome.ended = "garbled reply"
            return
        outcome.replies.append(reply)
        if reply.get("done") is True:
            outcome.ended = "done"
            return


def kill_group(pid: int) -> None:
    """Kill the child and anything in its process group (it called setsid: group id = pid)."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)
