"""Inside the sandbox: one task of one submission, in a process of its own.

Forked by the zygote, the child says its process id, reads its request (the cells to run, the
task, the cases), raises the walls (isolation.py), runs the setup and answer cells, calls the
learner's function on each case and writes back what came out, one JSON line per reply:

    {"pid": 1234}                              before any submitted code runs
    {"cell": 0}  {"cell_error": 0, "error": "NameError", "text": "..."}
    {"function": "", "defined": true}          or where the function came from instead
    {"case": 0, "got": 0.5}  {"case": 1, "error": "ZeroDivisionError", "text": "..."}
    {"done": true}

Nothing written here is trusted: the submission can change anything in this process. The judge
reads the replies as data and compares them in its own process; this process never holds an
expected value, the judge's seed or another submission.
"""

import builtins
import contextlib
import importlib
import inspect
import json
import os
import signal
import socket
import types

from bp_lessons.grading.isolation import raise_walls

REFERENCE_CALLED = "bp-grade: the reference solution, or a package function it forbids, was called"
MAX_TEXT = 400  # characters of an error message sent back


def serve(sock: socket.socket, sandbox_dir: str, keep_reading: bool) -> None:
    """The child's whole life; it ends in os._exit, whatever the submission does."""
    code = 0
    try:
        os.setsid()  # its own process group: the judge kills the group
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # whatever it prints goes nowhere
            os.dup2(null, fd)
        os.chdir(sandbox_dir)
        send = sender(sock)
        send(pid=os.getpid())
        request = json.loads(sock.makefile("rb").readline())
        task = getattr(importlib.import_module(request["module"]), request["task"])
        raise_walls(request["memory"], request["cpu"], keep_reading)
        run(task, request, send)
    except BaseException:
        code = 70
    os._exit(code)  # no atexit handler or finalizer of the submission runs


def sender(sock: socket.socket):
    dumps, sendall = json.dumps, sock.sendall  # held before the submission can replace them

    def send(**reply: object) -> None:
        sendall(dumps(reply).encode() + b"\n")

    return send


def run(task: object, request: dict, send) -> None:
    trap(task.reference, *map(load, task.forbidden))
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    for i, cell in enumerate(request["cells"]):
        send(cell=i)
        try:
            exec(compile(cell["source"], f"<cell {cell['grade_id']}>", "exec"), namespace)
        except BaseException as error:  # SystemExit and KeyboardInterrupt included
            send(cell_error=i, **failure(error))
    send(cell=None)
    fn = namespace.get(task.function)
    send(function=origin(fn), defined=fn is not None)
    if not callable(fn):
        return send(done=True)
    for j, args in enumerate(request["cases"]):
        try:
            got = task.run(fn, args)
        except BaseException as error:
            send(case=j, **failure(error))
            continue
        send(case=j, got=got)
    send(done=True)


def failure(error: BaseException) -> dict:
    try:
        text = str(error)[:MAX_TEXT]
    except BaseException:
        text = "(its message could not be shown)"
    return {"error": type(error).__name__, "text": text}


def origin(fn: object) -> str:
    """Where fn comes from: "" for a function written in the graded cells, else e.g. "math.tanh"."""
    with contextlib.suppress(ValueError):
        fn = inspect.unwrap(fn)
    if isinstance(fn, types.FunctionType) and fn.__code__.co_filename.startswith("<cell "):
        return ""
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    return f"{module}.{name}" if isinstance(module, str) and module else str(name)


def reference_called(*args, **kwargs):
    # a literal, not REFERENCE_CALLED: this code runs with the trapped function's globals
    raise RuntimeError(
        "bp-grade: the reference solution, or a package function it forbids, was called"
    )


def load(name: str) -> object:
    """The bp_lessons object a qualified name refers to, importing its module (trusted code)."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute, None)
        return obj
    return None


def trap(*targets: object) -> None:
    """Make the task's reference, and the package functions and classes it forbids, raise when
    called, wherever the submission finds them (an alias, `get_activation`, a dict of them).

    Swapping a function's code changes the one function object that every alias shares; a class
    is trapped through its __init__. Only bp_lessons objects are touched, only in this child.
    """
    for target in targets:
        if isinstance(target, type):
            target = target.__dict__.get("__init__")
        module = getattr(target, "__module__", "") or ""
        if isinstance(target, types.FunctionType) and module.startswith("bp_lessons."):
            with contextlib.suppress(ValueError):  # a closure: its free variables do not fit
                target.__code__ = reference_called.__code__
