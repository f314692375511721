"""The judge's side of the sandbox: one fresh, walled-in Python per task, its replies read as data.

Each task runs in a new Python started with `-I -S` (child.py), so it begins with nothing of
the judge's: no seed, no expected value, no reference solution, no other submission. What it
can see is decided here, before it starts, by one of two walls (`detect` picks the first that
works on this machine, and `Walls.promise` says what each one keeps):

    bubblewrap  (https://github.com/containers/bubblewrap, Debian/Ubuntu package `bubblewrap`)
                new mount, PID, network, IPC and UTS namespaces: the child sees the Python
                installation read-only (bp_lessons itself hidden), its task's view of bp_lessons
                (view.py) and an empty /tmp of its own that vanishes with it; no network, no
                process outside its own; Landlock inside as a second wall where the kernel has it
    landlock    where bubblewrap cannot run (a container without user namespaces): the child
                raises Landlock around itself (landlock.py): it may read only the Python
                installation, without bp_lessons, and its view; write only its scratch folder,
                which is removed after the task; as root it runs as a user of its own

Either way the child has no capability, cannot fork, and has limits on memory, CPU time and file
size (isolation.py). Its replies are JSON lines on a pipe, read until a deadline and capped in
size; then its whole process group is killed, whatever happened.
"""

import contextlib
import functools
import itertools
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bp_lessons.grading import landlock, seccomp, view
from bp_lessons.grading.child import BOOT

MAX_REPLY_BYTES = 4 * 2**20
VIEW, WORK = "/view", "/tmp/work"  # where bubblewrap puts the task's view and scratch folder
TMPFS_BYTES = 64 * 2**20  # bubblewrap's /tmp for one task
OWN_UIDS = 2**21  # as root, child n runs as user OWN_UIDS + n: no account has such an id
UNSEARCHED = {"share", "include", "__pycache__", "node_modules"}  # where no package lies
SYSTEM = ["/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", "/etc/ld.so.cache"]
SCRATCH_VARIABLES = ("HOME", "TMPDIR", "MPLCONFIGDIR")  # where a library may write its caches
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # fmt: skip


class SandboxUnavailable(RuntimeError):
    """No wall works here; the message says what was tried and how to get one."""


@dataclass
class Outcome:
    """What came back from one child: its replies, and how it ended."""

    replies: list[dict] = field(default_factory=list)
    ended: str = "reading"  # then "done", "timeout", "exited", "too much output", "garbled reply"
    seconds: float = 0.0
    phases: list[int] = field(default_factory=list)  # per reply: batches of cases sent before it

    def before(self, batches: int) -> list[dict]:
        """The replies that came before the judge sent more than `batches` batches of cases:
        written by code that knew no case past those."""
        return [r for r, phase in zip(self.replies, self.phases) if phase <= batches]

    def last_cell(self) -> int | None:
        """The cell the child was running when it stopped (None once the cells are done)."""
        cells = [reply["cell"] for reply in self.replies if "cell" in reply]
        return cells[-1] if cells and isinstance(cells[-1], int) else None


@dataclass
class Walls:
    """How children are walled in on this machine."""

    mode: str  # "bubblewrap", "landlock" or "none"
    landlock: int  # the Landlock ABI used inside (0: none)
    root: bool  # the judge runs as root: each child gets a user id of its own
    seccomp: bool = False  # libseccomp's filter (seccomp.py) is loaded in each child

    def promise(self) -> str:
        """What a submission cannot do in this mode, and what is not promised, in one line."""
        if self.mode == "none":
            return (
                "NO SANDBOX (--sandbox none): submitted code runs with your rights and can "
                "read the reference solutions; only the time and memory limits hold"
            )
        kept = ["files outside its view", "writes", "other processes", "other submissions"]
        missing = []
        if self.mode == "bubblewrap" or self.seccomp:
            kept.append("the network")
        elif self.landlock >= 4:
            missing.append("network connections other than TCP (no libseccomp)")
        else:
            missing.append("the network (needs libseccomp, or Landlock ABI 4, Linux 6.7)")
        if self.mode == "landlock" and self.landlock < 6 and not self.root:
            missing.append("signals to your own processes (needs Landlock ABI 6, Linux 6.12)")
        if not self.seccomp:
            missing.append(
                "what only seccomp stops (install libseccomp2): kernel keys, memory outside "
                "the limit" + (", file modes and your processes' limits" * (not self.root))
            )
            if self.mode == "landlock":
                missing.append("System V IPC objects and POSIX message queues")
        inside = f", Landlock ABI {self.landlock}" if self.landlock else ""
        inside += ", seccomp" if self.seccomp else ""
        text = f"sandbox: {self.mode}{inside}; a submission cannot reach " + ", ".join(kept)
        return text + ("; NOT isolated here: " + "; ".join(missing) if missing else "")


class Sandbox:
    """Runs task requests in walled-in children; owns the views and scratch folders of a run."""

    def __init__(self, mode: str = "auto") -> None:
        # resolved: Landlock's rules are set on paths that hold no link (landlock.allow)
        base = run_folder_base()
        self.directory = Path(os.path.realpath(tempfile.mkdtemp(prefix="bp-grade-", dir=base)))
        self.directory.chmod(0o755)  # a child running as a user of its own reads its view here
        self.lock = threading.Lock()
        self.views: dict[tuple[str, int], Path] = {}
        self.uids = itertools.count(secrets.randbelow(2**20))  # not the same ids run after run
        try:
            self.walls = detect(self, mode)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        remove(str(self.directory))

    def view(self, exercise: str, k: int) -> Path:
        with self.lock:
            if (exercise, k) not in self.views:
                folder = self.directory / f"view-{exercise}-{k}"
                self.views[exercise, k] = view.build(folder, exercise, k)
            return self.views[exercise, k]

    def run(self, request: dict, exercise: str, k: int, timeout: float) -> Outcome:
        """Run one task's request in a new child; collect its replies until done or timeout."""
        start = time.monotonic()
        outcome = Outcome()
        uid = OWN_UIDS + next(self.uids) % 2**20 if self.walls.root else None
        scratch = self.scratch(uid)
        ours, theirs = os.pipe()
        config = self.config(self.view(exercise, k), scratch, uid, theirs)
        try:
            process = subprocess.Popen(
                self.command(config),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=[theirs],
                start_new_session=True,  # its own process group: killed as one
                env={**ENVIRONMENT, **dict.fromkeys(SCRATCH_VARIABLES, config["scratch"])},
                cwd=config["scratch"] if self.walls.mode != "bubblewrap" else "/",
            )
        except OSError:
            os.close(ours)
            os.close(theirs)
            remove(scratch)
            outcome.ended = "exited"
            return outcome
        os.close(theirs)
        feeder = Feeder(process.stdin, request)
        try:
            read_replies(ours, start + timeout, outcome, feeder)
        finally:
            os.close(ours)
            kill_group(process.pid)
            process.wait()
            feeder.close()  # once the child is gone, a write in progress fails at once
            remove(scratch)
        outcome.seconds = time.monotonic() - start
        return outcome

    def scratch(self, uid: int | None) -> str | None:
        """A folder of its own for a child walled in by Landlock alone (bubblewrap makes /tmp)."""
        if self.walls.mode == "bubblewrap":
            return None
        folder = tempfile.mkdtemp(prefix="scratch-", dir=self.directory)
        if uid is not None:
            os.chown(folder, uid, uid)
        return folder

    def config(self, view_folder: Path, scratch: str | None, uid, replies: int) -> dict:
        """What the child needs to know before it reads its request (see child.BOOT), in the
        paths it sees (bubblewrap puts the view at VIEW and the scratch folder at WORK)."""
        inside = VIEW if self.walls.mode == "bubblewrap" else str(view_folder)
        work = scratch or WORK
        # a file system it may fill: bubblewrap's size-limited /tmp, nothing on the host's disk
        writable = [WORK] if self.walls.mode == "bubblewrap" and tmpfs_size_limit() else []
        return {
            "view": inside,
            "host_view": str(view_folder),
            "site": site_dirs(),
            "scratch": work,
            "readable": [*readable(), inside, work] if self.walls.landlock else [],
            "listable": list(listable()) if self.walls.landlock else [],
            "writable": writable,
            "landlock": bool(self.walls.landlock),
            "seccomp": self.walls.seccomp,
            "uid": uid,
            "replies": replies,
        }

    def command(self, config: dict) -> list[str]:
        python = [sys.executable, "-I", "-S", "-B", "-c", BOOT, json.dumps(config)]
        if self.walls.mode != "bubblewrap":
            return python
        return [*bubblewrap(Path(config["host_view"]), self.walls.root), "--", *python]


def detect(sandbox: Sandbox, mode: str) -> Walls:
    """The walls to use: `mode` if it works here, or ("auto") the first that does."""
    root = os.geteuid() == 0
    abi = landlock.abi()
    if mode == "none":
        return Walls("none", 0, False)
    filter_calls = seccomp.available()
    tried = []
    for candidate in ["bubblewrap", "landlock"] if mode == "auto" else [mode]:
        sandbox.walls = Walls(candidate, abi, root, filter_calls)
        why = self_test(sandbox)
        if not why:
            return sandbox.walls
        tried.append(f"{candidate}: {why}")
    raise SandboxUnavailable(
        "no sandbox works on this machine, so a submission could read the reference solutions.\n"
        + "\n".join(f"  {line}" for line in tried)
        + "\nInstall bubblewrap (Debian/Ubuntu: apt install bubblewrap) where user namespaces "
        "are allowed, or use Linux 5.13 or later with Landlock enabled. --sandbox none grades "
        "without any sandbox (trusted submissions only)."
    )


def self_test(sandbox: Sandbox) -> str:
    """Why these walls do not work here ("" when a child starts, walls up, and replies)."""
    walls = sandbox.walls
    if walls.mode == "bubblewrap" and not shutil.which("bwrap"):
        return "the bwrap command is not installed"
    if walls.mode == "landlock":
        if not walls.landlock:
            return "this kernel has no Landlock (Linux 5.13 or later, with Landlock enabled)"
        if walls.root and not readable_by_others():
            return (
                f"as root each task runs as a user of its own, who cannot read this Python "
                f"({sys.prefix}): use a Python every user can read, or bubblewrap"
            )
    request = {"cells": [], "function": "f", "call": None, "pure": True, "cases": []}
    request |= {"memory": 2**30, "cpu": 30}
    outcome = sandbox.run(request, "01_neuron", 1, timeout=60.0)
    if outcome.ended != "done":
        return f"a test child did not start ({outcome.ended}, {len(outcome.replies)} replies)"
    return ""


def bubblewrap(view_folder: Path, root: bool) -> list[str]:
    """bwrap's arguments: namespaces, and a file system of system libraries, Python and the view
    (at VIEW inside)."""
    return [*bubblewrap_base(root), "--ro-bind", str(view_folder), VIEW]


@functools.cache
def bubblewrap_base(root: bool) -> tuple[str, ...]:
    """Everything but the view, the same for every task of a run."""
    args = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
    args += ["--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if root:  # a user id of its own, taken by the child itself (isolation.drop_root)
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(TMPFS_BYTES)] if tmpfs_size_limit() else []
    # a /tmp of its own, where the child (a user of its own, as root) can write, if its size
    # can be limited (bubblewrap 0.7); else it stays empty and read-only
    args += ["--perms", "1777", "--tmpfs", "/tmp"]
    args += ["--perms", "0777", "--dir", WORK, "--chdir", WORK]
    args += [] if tmpfs_size_limit() else ["--remount-ro", "/tmp"]
    made = {"/", "/tmp", "/proc", "/dev"}
    for path in [p for p in SYSTEM if os.path.lexists(p)] + python_roots():
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
            continue
        for parent in reversed(Path(path).parents):
            if str(parent) not in made:
                made.add(str(parent))
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", path, path]
    for path in hidden():
        args += ["--tmpfs", path] if os.path.isdir(path) else ["--ro-bind", "/dev/null", path]
    return tuple(args)


def tmpfs_size_limit() -> bool:
    return bubblewrap_version() >= (0, 7)


@functools.cache
def bubblewrap_version() -> tuple[int, ...]:
    try:
        text = subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout
        return tuple(int(part) for part in text.split()[-1].split("."))
    except (OSError, ValueError, IndexError):
        return (0,)


@functools.cache
def python_roots() -> list[str]:
    """The folders this Python needs: its installation, its venv and its site-packages."""
    roots = sorted({os.path.realpath(p) for p in [sys.base_prefix, sys.prefix, *site_dirs()]})
    return [r for r in roots if not any(r != o and r.startswith(o + os.sep) for o in roots)]


@functools.cache
def site_dirs() -> list[str]:
    """Where installed packages live: the judge's site-packages (never a project folder)."""
    found = [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
    found += [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    return list(dict.fromkeys(p for p in found if os.path.isdir(p)))


@functools.cache
def hidden() -> list[str]:
    """Every installed copy of bp_lessons the child could otherwise see (the package, its
    metadata, an editable install's finder), in every site-packages or dist-packages folder
    under what it is shown: this Python's, its base's, the system's, another Python's under
    /usr (a `sudo pip install` lands in /usr/local/lib/python3.X/dist-packages)."""
    roots = [p for p in SYSTEM if os.path.isdir(p) and not os.path.islink(p)] + python_roots()
    folders = [*site_dirs(), *(f for root in roots for f in package_folders(root))]
    found = []
    for folder in dict.fromkeys(os.path.realpath(f) for f in folders):
        for name in sorted(os.listdir(folder)):
            low = name.lower().replace("-", "_")
            if low.startswith("bp_lessons") or ("__editable__" in low and "bp_lessons" in low):
                found.append(os.path.join(folder, name))
    return found


def package_folders(root: str, depth: int = 8) -> list[str]:
    """The site-packages and dist-packages folders under root (links not followed)."""
    found, stack = [], [(root, 0)]
    while stack:
        folder, level = stack.pop()
        try:
            with os.scandir(folder) as entries:
                folders = [e for e in entries if e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        for entry in folders:
            if entry.name in ("site-packages", "dist-packages"):
                found.append(entry.path)
            elif level < depth and entry.name not in UNSEARCHED:
                stack.append((entry.path, level + 1))
    return found


def readable() -> tuple[str, ...]:
    """What Landlock lets a child read besides its view: the system's libraries and Python,
    without what `hidden` lists (Landlock allows whole folders, so a folder holding a hidden
    entry is allowed entry by entry)."""
    return landlock_paths()[0]


def listable() -> tuple[str, ...]:
    """The folders `readable` had to allow entry by entry: their listing stays allowed (names
    only, not the hidden files' contents), so a module beside a hidden entry still imports
    whether or not Python listed its folder before the walls went up."""
    return landlock_paths()[1]


@functools.cache
def landlock_paths() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`readable` and `listable`, from one walk of the system's and Python's folders."""
    masked = [os.path.realpath(p) for p in hidden()]
    roots = [os.path.realpath(p) for p in SYSTEM + python_roots() if os.path.exists(p)]
    readable, listable = [], []
    for root in dict.fromkeys(roots):
        without(root, masked, readable, listable)
    return tuple(readable), tuple(dict.fromkeys(listable))


def without(path: str, masked: list[str], readable: list[str], listable: list[str]) -> None:
    """Add path to `readable` if nothing masked lies below it; else add it to `listable` and
    go on with its entries (a masked path itself is neither). Paths are resolved, and a link
    among the entries gets no rule of its own: Landlock judges what a path opens, so a rule
    on a link would allow where it points, masked entries and all. Where it points is allowed
    or not on its own (a link inside an allowed folder reaches nothing outside the walls)."""
    inside = [m for m in masked if m == path or m.startswith(path + os.sep)]
    if not inside:
        readable.append(path)
    elif path not in inside:
        listable.append(path)
        with os.scandir(path) as entries:
            for entry in entries:
                if not entry.is_symlink():  # a venv's lib64 -> lib: the rule would land on lib
                    without(entry.path, inside, readable, listable)


def run_folder_base() -> str:
    """Where a run's views and scratch folders go: the temporary folder, unless the judge runs
    as root and a user of its own (each task, with Landlock alone) could not reach it (a
    TMPDIR in a folder of mode 0700): then the first of /tmp, /var/tmp, /dev/shm it can."""
    base = tempfile.gettempdir()
    if os.geteuid() != 0 or searchable_by_others(base):
        return base
    return next((f for f in ("/tmp", "/var/tmp", "/dev/shm") if searchable_by_others(f)), base)


def searchable_by_others(folder: str) -> bool:
    path = os.path.realpath(folder)
    while True:
        try:
            if not os.stat(path).st_mode & 0o001:
                return False
        except OSError:
            return False
        if path == os.path.dirname(path):
            return True
        path = os.path.dirname(path)


def readable_by_others() -> bool:
    """Can a user without any privilege read this Python (every folder on the way searchable)?"""
    for root in python_roots():
        path = root
        while True:
            try:
                if not os.stat(path).st_mode & 0o005:
                    return False
            except OSError:
                return False
            if path == os.path.dirname(path):
                break
            path = os.path.dirname(path)
    return True


class Feeder:
    """What the judge writes to a child: the request (without its cases) at once, then each
    batch of cases when the child has answered what came before: the fixed cases once it says
    where its function came from (the cells have run), the random cases (from
    request["secret_from"] on) once it has answered the fixed ones. So no reply that comes
    before a batch was written by code that knew it (`Outcome.before`)."""

    def __init__(self, stdin, request: dict) -> None:
        cases = request.get("cases", [])
        cut = request.get("secret_from", len(cases))
        self.batches = [{"first": 0, "cases": cases[:cut]}]
        self.batches += [{"first": cut, "cases": cases[cut:]}] if "secret_from" in request else []
        self.stdin, self.sent, self.lock = stdin, 0, threading.Lock()
        first = {k: v for k, v in request.items() if k not in ("cases", "secret_from")}
        self.write(first | {"batches": len(self.batches)}, last=False)

    def heard(self, reply: dict) -> int:
        """Take note of a reply; the number of batches sent before it."""
        sent = self.sent
        cells_run = sent == 0 and "function" in reply
        answered = (
            0 < sent < len(self.batches) and reply.get("batch") == self.batches[sent - 1]["first"]
        )
        if cells_run or answered:
            self.next()
        return sent

    def next(self) -> None:
        self.sent += 1
        batch, last = self.batches[self.sent - 1], self.sent == len(self.batches)
        # in a thread: a child that does not read must not hold the judge (its deadline does)
        threading.Thread(target=self.write, args=(batch, last), daemon=True).start()

    def close(self) -> None:
        with self.lock, contextlib.suppress(OSError, ValueError):
            self.stdin.close()

    def write(self, line: dict, last: bool) -> None:
        with self.lock, contextlib.suppress(OSError, ValueError):
            self.stdin.write(json.dumps(line).encode() + b"\n")
            self.stdin.flush()
            if last:
                self.stdin.close()


def read_replies(fd: int, deadline: float, outcome: Outcome, feeder: Feeder | None = None) -> None:
    """Collect JSON lines into outcome.replies until "done", the end, the cap or the deadline."""
    buffer, total = b"", 0
    while outcome.ended == "reading":
        remaining = deadline - time.monotonic()
        ready = select.select([fd], [], [], max(remaining, 0))[0] if remaining > 0 else []
        if not ready:
            outcome.ended = "timeout"
            break
        chunk = os.read(fd, 65536)
        total += len(chunk)
        if not chunk:
            outcome.ended = "exited"
        elif total > MAX_REPLY_BYTES:
            outcome.ended = "too much output"
        else:
            *lines, buffer = (buffer + chunk).split(b"\n")
            add_replies(lines, outcome, feeder)


def add_replies(lines: list[bytes], outcome: Outcome, feeder: Feeder | None = None) -> None:
    for line in lines:
        try:
            reply = json.loads(line)
        except (ValueError, RecursionError):
            reply = None
        if not isinstance(reply, dict):
            outcome.ended = "garbled reply"
            return
        outcome.replies.append(reply)
        outcome.phases.append(feeder.heard(reply) if feeder else 0)
        if reply.get("done") is True:
            outcome.ended = "done"
            return


def remove(folder: str | None) -> None:
    """Remove a folder of the run, whatever a child made of it: never raise (a failure here
    must not cost the class its grades)."""
    if not folder:
        return
    try:
        shutil.rmtree(folder)
    except BaseException:  # RecursionError on a very deep tree (Python < 3.13), a mode changed
        with contextlib.suppress(OSError):
            subprocess.run(["rm", "-rf", "--", folder], capture_output=True, timeout=60)


def kill_group(pid: int) -> None:
    """Kill the child and anything in its process group (it started a session: group id = pid)."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)
