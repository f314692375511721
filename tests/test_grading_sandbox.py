"""The sandbox's walls, tried from inside, in each mode this machine offers.

Each test runs code as a submission's answer cell, straight through `Sandbox.run`, and reads
what the code found: a probe returns numbers (1.0 for "it worked") or raises with a text. The
walls must hold in both modes: bubblewrap (namespaces, with Landlock inside) and Landlock alone
(as in a container without user namespaces).
"""

import ctypes
import errno
import importlib
import inspect
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import pytest

import bp_lessons
from bp_lessons.exercises import EXERCISES, tasks
from bp_lessons.exercises.provided import off_limits_names
from bp_lessons.grading import sandbox as sandbox_module
from bp_lessons.grading import view
from bp_lessons.grading.sandbox import Sandbox, SandboxUnavailable

pytestmark = pytest.mark.lesson04
SETUP = (
    "from bp_lessons.activations import sigmoid\nfrom bp_lessons.exercises.chain_rule import q1\n"
)
PACKAGE = Path(bp_lessons.__file__).resolve().parent


def modes() -> list[str]:
    """The modes that work here (BP_GRADE_SANDBOX picks one, as .ci/sandbox-modes does)."""
    found = []
    chosen = os.environ.get("BP_GRADE_SANDBOX", "auto")
    for mode in ("bubblewrap", "landlock") if chosen == "auto" else (chosen,):
        try:
            Sandbox(mode).close()
            found.append(mode)
        except SandboxUnavailable:
            pass
    return found


MODES = modes()


@pytest.fixture(scope="module", params=MODES)
def sandbox(request):
    walls = Sandbox(request.param)
    yield walls
    walls.close()


def probe(sandbox: Sandbox, code: str, timeout: float = 20.0) -> dict:
    """Run `code` (which defines `probe()`) in a child; its one reply: got or error, and how
    the run ended."""
    request = {
        "cells": [{"grade_id": "setup", "source": SETUP}, {"grade_id": "q1", "source": code}],
        "function": "probe",
        "call": None,
        "pure": True,
        "cases": [{}],
        "memory": 2**30,
        "cpu": int(timeout),
    }
    outcome = sandbox.run(request, "04_chain_rule", 1, timeout)
    replies = [reply for reply in outcome.replies if reply.get("case") == 0]
    assert outcome.ended == "done" and replies, (outcome.ended, outcome.replies)
    return replies[0]


def test_each_mode_works_here_or_says_why():
    # CI installs bubblewrap (.ci/run). Landlock alone needs Linux 5.13 or later, and as root a
    # Python that a user of its own can read (CI runs these tests again with such a Python).
    if os.environ.get("BP_GRADE_SANDBOX", "auto") != "auto":
        assert [os.environ["BP_GRADE_SANDBOX"]] == MODES
        return
    assert "bubblewrap" in MODES
    if "landlock" not in MODES:
        with pytest.raises(SandboxUnavailable) as error:
            Sandbox("landlock")
        assert os.geteuid() == 0 and "cannot read this Python" in str(error.value)


def test_without_a_sandbox_the_grader_says_what_is_not_promised():
    walls = Sandbox("none")
    try:
        assert walls.walls.promise().startswith("NO SANDBOX (--sandbox none): submitted code")
    finally:
        walls.close()


def markers() -> list[str]:
    """Text that only the checks hold: the first two lines of every function in the exercises'
    modules (the references, the mistakes' helpers, the random cases)."""
    found = []
    for module in map(importlib.import_module, EXERCISES.values()):
        for function in vars(module).values():
            if inspect.isfunction(function) and function.__module__ == module.__name__:
                found.append("\n".join(inspect.getsource(function).split("\n")[:2]))
    return found


def test_no_reference_solution_is_anywhere_the_sandbox_can_read(sandbox):
    code = f"""import os, re, sys

MARKERS = re.compile("|".join(map(re.escape, {markers()!r})))  # one pass over each file


def probe():
    roots = [*sys.path, "/", "/tmp", "/root", "/home", "/work", os.getcwd(), {str(PACKAGE)!r}]
    seen, found, read = set(), [], 0
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
            if folder in seen:
                dirs[:] = []
                continue
            seen.add(folder)
            for name in files:
                if name.endswith((".py", ".ipynb", ".txt", ".json", ".md")):
                    try:
                        with open(os.path.join(folder, name), errors="replace") as file:
                            text = file.read()
                    except OSError:
                        continue
                    read += 1
                    found += [os.path.join(folder, name)] if MARKERS.search(text) else []
    if found:
        raise ValueError(repr(found)[:300])
    return [read]
"""
    reply = probe(sandbox, code, timeout=60.0)
    assert "got" in reply, reply["text"]
    assert reply["got"][0] > 1000  # it did read the standard library and numpy


SECRETS = [
    "/etc/shadow",
    "/etc/passwd",
    str(PACKAGE / "exercises" / "chain_rule.py"),
    str(PACKAGE.parent / "README.md"),
    os.path.expanduser("~"),  # a listing of the instructor's home folder
    "/proc/1/environ",
]


def test_files_outside_the_view_cannot_be_read(sandbox):
    code = f"""import os


def probe():
    found = []
    for path in {SECRETS!r}:
        try:
            found.append(1.0 if os.listdir(path) is not None else 0.0)
        except NotADirectoryError:
            try:
                open(path, "rb").read(1)
                found.append(1.0)
            except OSError:
                found.append(0.0)
        except OSError:
            found.append(0.0)
    return found
"""
    assert probe(sandbox, code)["got"] == [0.0] * len(SECRETS)


def test_the_instructors_files_cannot_be_changed(sandbox, tmp_path):
    installed = PACKAGE / "exercises" / "chain_rule.py"
    before = installed.read_bytes()
    mine = tmp_path / "grades.csv"
    mine.write_text("alice,2\n")
    planted = f"/tmp/planted-{uuid.uuid4().hex}"
    code = f"""import mmap, os


def attempt(action):
    try:
        action()
        return 1.0
    except (OSError, ValueError):
        return 0.0


def map_and_write(path):
    with open(path, "r+b") as file:
        memory = mmap.mmap(file.fileno(), 0)
        memory[:1] = b"#"
        memory.flush()


def probe():
    return [
        attempt(lambda: map_and_write({str(installed)!r})),
        attempt(lambda: open({str(installed)!r}, "a").write("x = 1")),
        attempt(lambda: os.truncate({str(mine)!r}, 0)),
        attempt(lambda: os.rename({str(mine)!r}, {str(mine)!r} + ".moved")),
        attempt(lambda: os.unlink({str(mine)!r})),
        attempt(lambda: open({planted!r}, "w").write("x")),
        attempt(lambda: open("/dev/shm/{os.path.basename(planted)}", "w").write("x")),
    ]
"""
    assert probe(sandbox, code)["got"] == [0.0] * 7
    assert installed.read_bytes() == before and mine.read_text() == "alice,2\n"
    assert not os.path.exists(planted) and not os.path.exists(f"/dev/shm/{Path(planted).name}")


def test_only_bubblewraps_size_limited_tmp_is_writable_and_it_is_gone_after_the_task(sandbox):
    code = """import os, tempfile


def probe():
    try:
        with open("notes.txt", "w") as file:
            file.write("kept?")
        with tempfile.NamedTemporaryFile(delete=False) as file:
            file.write(b"kept?")
        return [float(os.path.getsize("notes.txt")), float(os.path.getsize(file.name))]
    except OSError:
        return [0.0, 0.0]
"""
    before = set(os.listdir(sandbox.directory))
    # Landlock alone has no file system of its own to write to: the host's disk would fill
    wrote = [5.0, 5.0] if sandbox.walls.mode == "bubblewrap" else [0.0, 0.0]
    assert probe(sandbox, code)["got"] == wrote
    assert set(os.listdir(sandbox.directory)) <= before  # no scratch folder left behind


def test_a_tree_too_deep_to_remove_recursively_costs_no_one_anything(sandbox):
    code = """import os


def probe():
    made = 0
    try:
        for _ in range(5000):  # deeper than shutil.rmtree could recurse before Python 3.13
            os.mkdir("d")
            os.chdir("d")
            made += 1
    except OSError:
        pass
    return [float(made > 0)]
"""
    probe(sandbox, code)
    assert sandbox.run(CALM, "04_chain_rule", 1, 20).ended == "done"  # the next task runs


MQ_OPEN = {"x86_64": 240, "aarch64": 180}.get(platform.machine(), 240)  # mq_unlink: + 1
CALM = {"cells": [], "function": "f", "call": None, "pure": True, "cases": [], "memory": 2**30}
CALM["cpu"] = 20


def test_what_only_seccomp_stops_fails_from_inside(sandbox):
    if not sandbox.walls.seccomp:
        pytest.skip("libseccomp is not installed: the grader says so when it starts")
    mine = Path(tempfile.mkdtemp())
    mine.chmod(0o755)
    (mine / "secret.txt").write_text("the instructor's")
    (mine / "secret.txt").chmod(0o600)
    add_key = {"x86_64": 248, "aarch64": 217}.get(platform.machine(), 248)
    queue = f"bp-grade-left-behind-{uuid.uuid4().hex[:8]}".encode()
    code = f"""import ctypes, os, resource, socket

from bp_lessons.exercises import calling

libc = ctypes.CDLL(None, use_errno=True)
ADD_KEY = {add_key}
MQ_OPEN = {MQ_OPEN}


def attempt(action):
    try:
        return 0.0 if action() in (-1, None) and ctypes.get_errno() else 1.0
    except (OSError, ValueError):
        return 0.0


def probe():
    return [
        attempt(lambda: os.chmod({str(mine / "secret.txt")!r}, 0o644)),
        attempt(lambda: os.utime({str(mine)!r}, (0, 0))),
        attempt(lambda: resource.prlimit({os.getpid()}, resource.RLIMIT_CPU, (0, 0))),
        attempt(lambda: libc.syscall(ADD_KEY, b"user", b"bp", b"x", 1, -4)),  # session keyring
        attempt(lambda: libc.shmget(0, 2**20, 0o1600)),  # IPC_PRIVATE | IPC_CREAT
        attempt(lambda: os.memfd_create("hidden")),
        attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)),  # MPTCP
        attempt(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)),
        attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)),
        attempt(lambda: socket.socketpair()),  # its buffers: memory outside the limit
        attempt(lambda: lease(os.open(calling.__file__, os.O_RDONLY))),
        attempt(lambda: libc.syscall(MQ_OPEN, {queue!r}, 0o102, 0o600, None)),  # outlives it
    ]


def lease(fd):  # a lease would make every other task that opens the file wait
    import fcntl, signal

    signal.signal(signal.SIGIO, signal.SIG_IGN)
    return fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
"""
    try:
        got = probe(sandbox, code)["got"]
        assert got == [0.0] * 12, got
        assert oct((mine / "secret.txt").stat().st_mode)[-3:] == "600"
    finally:
        shutil.rmtree(mine)
        ctypes.CDLL(None).syscall(MQ_OPEN + 1, queue)  # mq_unlink, should it be there


def test_the_network_is_out_of_reach(sandbox):
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(3)
    port = server.getsockname()[1]
    accepted = []
    waiter = threading.Thread(target=lambda: accepted.append(accept(server)))
    waiter.start()
    code = f"""import socket


def probe():
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
        return [1.0]
    except OSError:
        return [0.0]
"""
    try:
        assert probe(sandbox, code)["got"] == [0.0]
    finally:
        waiter.join()
        server.close()
    assert accepted == [False]


def accept(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
        return True
    except OSError:
        return False


def test_udp_is_out_of_reach_with_bubblewrap(sandbox):
    if sandbox.walls.mode != "bubblewrap":
        pytest.skip("Landlock alone does not stop UDP: the grader says so when it starts")
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(1)
    code = f"""import socket


def probe():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", {
        receiver.getsockname()[1]
    }))
    except OSError:
        pass
    return [0.0]
"""
    probe(sandbox, code)
    with pytest.raises(TimeoutError):
        receiver.recv(1)
    receiver.close()


def test_no_privilege_no_process_no_signal(sandbox):
    code = f"""import os, signal, subprocess


def attempt(action):
    try:
        action()
        return 1.0
    except (OSError, subprocess.SubprocessError):
        return 0.0


def probe():
    return [
        float(os.getuid() == 0 or os.geteuid() == 0),
        attempt(lambda: os.setuid(0)),
        attempt(lambda: os.kill({os.getpid()}, signal.SIGTERM)),
        attempt(lambda: os.kill({os.getppid()}, signal.SIGTERM)),
        attempt(lambda: subprocess.run(["true"])),
    ]
"""
    assert probe(sandbox, code)["got"] == [0.0] * 5


def test_the_view_holds_no_reference_and_stubs_what_the_task_forbids(tmp_path):
    view.build(tmp_path, "04_chain_rule", 2)
    text = "\n".join(p.read_text() for p in tmp_path.rglob("*.py"))
    assert not [m for m in markers() if m in text]
    assert {p.name for p in (tmp_path / "bp_lessons" / "exercises").iterdir()} == {
        "__init__.py",
        "calling.py",
        "feedback.py",
        "chain_rule.py",
    }
    neuron = (tmp_path / "bp_lessons" / "neuron.py").read_text()
    assert "bp_lessons.neuron.Neuron is off limits while Exercise 4.2 is checked" in neuron


def test_a_forbidden_name_that_does_not_exist_is_a_bug_the_view_reports(tmp_path, monkeypatch):
    task = tasks("01_neuron")[0]
    monkeypatch.setattr(task, "forbidden", ("bp_lessons.activations.no_such_function",))
    off_limits_names.cache_clear()
    view.files.cache_clear()  # the views this process built before knew the task as it was
    try:
        with pytest.raises(ValueError, match="forbids bp_lessons.activations.no_such_function"):
            view.build(tmp_path, "01_neuron", 1)
    finally:
        monkeypatch.undo()
        off_limits_names.cache_clear()
        view.files.cache_clear()


def clear_caches() -> None:
    """Forget what the sandbox found of this Python, so that a patched one is looked at."""
    for cached in (
        "site_dirs",
        "python_roots",
        "hidden",
        "landlock_paths",
        "bubblewrap_base",
    ):
        getattr(sandbox_module, cached).cache_clear()


def test_an_installed_copy_of_the_package_is_hidden(monkeypatch):
    """A non-editable install puts the checks in site-packages, beside numpy: hidden there."""
    folder = Path(tempfile.mkdtemp())  # not pytest's tmp_path: a user of its own must read it
    folder.chmod(0o755)
    site = folder / "site-packages"
    (site / "bp_lessons" / "exercises").mkdir(parents=True)
    secret = site / "bp_lessons" / "exercises" / "chain_rule.py"
    secret.write_text("def neuron_gradients(inputs, weights, bias, label):  # the reference\n")
    (site / "bp_lessons-9.9.dist-info").mkdir()
    (site / "numpy_like.py").write_text("VALUE = 2.0\n")
    clear_caches()
    real = sandbox_module.site_dirs.__wrapped__
    monkeypatch.setattr(sandbox_module, "site_dirs", lambda: [*real(), str(site)])
    try:
        for mode in MODES:
            walls = Sandbox(mode)
            try:
                # the folder is listed again behind the walls (Python may or may not have
                # listed it before: that differed between 3.11 and 3.13)
                code = f"""def probe():
    import importlib
    importlib.invalidate_caches()
    import numpy_like  # the rest of site-packages stays readable, its folder listable
    try:
        open({str(secret)!r}).read()
        return [numpy_like.VALUE, 1.0]
    except OSError:
        return [numpy_like.VALUE, 0.0]
"""
                assert probe(walls, code)["got"] == [2.0, 0.0], mode
            finally:
                walls.close()
    finally:
        shutil.rmtree(folder)
        monkeypatch.undo()
        clear_caches()


def test_a_copy_installed_for_the_whole_system_is_hidden_too(monkeypatch):
    """`sudo pip install` on Debian puts the package in /usr/local/lib/python3.X/dist-packages,
    under /usr, which every sandbox sees: found there and hidden, whatever Python grades."""
    root = Path(tempfile.mkdtemp())
    installed = root / "local" / "lib" / "python3.99" / "dist-packages"
    (installed / "bp_lessons" / "exercises").mkdir(parents=True)
    (installed / "numpy").mkdir()
    clear_caches()
    monkeypatch.setattr(sandbox_module, "SYSTEM", [str(root), *sandbox_module.SYSTEM])
    try:
        assert str(installed / "bp_lessons") in sandbox_module.hidden()
        assert str(installed / "numpy") in sandbox_module.readable()
        assert not any(
            p.startswith(str(installed / "bp_lessons")) for p in sandbox_module.readable()
        )
    finally:
        monkeypatch.undo()
        shutil.rmtree(root)
        clear_caches()


def test_the_seccomp_filter_denies_posix_message_queues():
    # a queue outlives its task where there is no IPC namespace (Landlock alone); this checks
    # the filter itself, since the walls around a task may stop mq_open for another reason
    if not sandbox_module.seccomp.available():
        pytest.skip("libseccomp is not installed")
    queue = f"bp-grade-filter-{uuid.uuid4().hex[:8]}".encode()
    code = f"""import ctypes
from bp_lessons.grading import seccomp
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(38, 1, 0, 0, 0)  # no_new_privs
seccomp.restrict()
print(libc.syscall({MQ_OPEN}, {queue!r}, 0o102, 0o600, None), ctypes.get_errno())
"""
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.stdout.split() == ["-1", str(errno.EPERM)], done.stdout + done.stderr
    finally:
        ctypes.CDLL(None).syscall(MQ_OPEN + 1, queue)  # mq_unlink
