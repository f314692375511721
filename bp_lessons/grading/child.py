"""Inside the sandbox: one task of one submission, in a fresh Python of its own.

The judge starts `python -I -S -c BOOT CONFIG` (see sandbox.py): a Python that reads no
environment variable, no user site and no .pth file, and imports bp_lessons from this task's
view (view.py), never from the installed package. `main` reads its request on stdin (the cells
to run, the function's name, the cases), raises the walls (isolation.py), runs the setup and
answer cells, calls the learner's function on each case and writes back what came out on a
pipe to the judge, one JSON line per reply:

    {"cell": 0}  {"cell_error": 0, "error": "NameError", "text": "..."}
    {"function": "", "defined": true}          or where the function came from instead
    {"case": 0, "got": 0.5, "kept": [{"x": [1.0]}]}   the answer, and what the call had to
                                               leave as it came, as the call left it
    {"case": 1, "error": "ZeroDivisionError", "text": "..."}
    {"batch": 0}                               a batch of cases answered (then the next)
    {"done": true}

The cases come in batches, each on a line of its own once the judge has read what came before:
the fixed cases after the cells ran, the secret random ones after the fixed were answered
(sandbox.py). So no text the judge shows (an error in a cell, an answer to a fixed case) was
written by code that knew a random case.

Nothing written here is trusted: the submission can change anything in this process. The judge
reads the replies as data and compares them in its own process; this process never holds an
expected value, the judge's seed, a reference solution or another submission.

What the replies are made with is bound before the first cell runs (`harness`): a private copy of
calling.py, whose builtins and imports are those of that moment, so a cell that rebinds a module
attribute (`calling.call_kept`, `copy.deepcopy`, `numpy.array`, `builtins.type`, this module's
functions) or puts a module of its own in sys.modules changes what it is judged on, never how.
The arguments are read the moment the function returns (`calling.called`), before any code of
the submission's can run again (a finalizer, a gc callback, a class's property, an exit of a
context it rebound; a profile or trace function leaves them unread, as changed).
Code that walks the interpreter's frames or objects to reach that copy, or writes on the pipe
itself, can still say what it likes: it runs in this process (docs/teaching.md names this
limit, beside what a ✓ promises). The judge flags a task whose case is answered twice.
"""

import builtins
import contextlib
import importlib.util
import inspect
import json
import os
import sys
import types

MAX_TEXT = 400  # characters of an error message sent back
BOOT = (  # what `python -c` runs: the view first on the path, then the installed packages
    "import json, sys; config = json.loads(sys.argv[1]); "
    "sys.path[:0] = [config['view']]; sys.path += config['site']; "
    "from bp_lessons.grading.child import main; main(config)"
)


def main(config: dict) -> None:
    """The child's whole life; it ends in os._exit, whatever the submission does."""
    code = 0
    try:
        send = sender(config["replies"])  # the pipe the judge reads
        requests = os.dup(0)  # the judge's lines: the request, then each batch of cases
        request = json.loads(read_line(requests))
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # whatever it prints goes nowhere
            os.dup2(null, fd)
        os.chdir(config["scratch"])
        from bp_lessons.grading.isolation import raise_walls

        raise_walls(config, request["memory"], request["cpu"])
        calling = harness(request["call"])  # the view's calling.py: no reference in it
        run(calling, request, send, lambda: json.loads(read_line(requests)))
    except BaseException:
        code = 70
    os._exit(code)  # no atexit handler or finalizer of the submission runs


def sender(fd: int):
    dumps, write = json.dumps, os.write  # held before the submission can replace them

    def send(**reply: object) -> None:
        data = dumps(reply).encode() + b"\n"
        while data:
            data = data[write(fd, data) :]

    return send


def read_line(fd: int) -> bytes:
    """One line from the judge (it sends the next only after a reply to this one)."""
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        line += chunk
    return line


def run(calling: types.ModuleType, request: dict, send, cases) -> None:
    """Run the cells, then call the function on each batch of cases as the judge sends it:
    the fixed cases once the cells are done, the random ones once the fixed are answered
    (nothing that runs before knows them, so nothing it says can carry them)."""
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    # what IPython and `site` give a notebook's cells (this Python starts with -S: no `help`)
    namespace |= {"display": display, "get_ipython": get_ipython, "help": display}
    for i, cell in enumerate(request["cells"]):
        send(cell=i)
        try:
            run_cell(cell["source"], f"<cell {cell['grade_id']}>", namespace)
        except BaseException as error:  # SystemExit and KeyboardInterrupt included
            send(cell_error=i, **failure(error))
    send(cell=None)
    fn = namespace.get(request["function"])
    send(function=origin(fn), defined=fn is not None)
    if not callable(fn):
        return send(done=True)
    call = getattr(calling, request["call"]) if request["call"] else None
    for _ in range(request["batches"]):
        batch = cases()
        for j, args in enumerate(batch["cases"], batch["first"]):
            try:  # the judge sees what the call had to leave as it came, and judges it
                result, kept = calling.call_kept(fn, args, call, request["pure"])
                after = [rule.after for rule in kept]  # data already (calling.read)
                gave = [rule.given for rule in kept]  # as handed over, data too
            except BaseException as error:
                send(case=j, **failure(error))
                continue
            try:
                got = plain_result(calling, result)
            except BaseException as error:
                send(case=j, kept=after, gave=gave, **failure(error))
                continue
            send(case=j, got=got, kept=after, gave=gave)
        send(batch=batch["first"])
    send(done=True)


def harness(call: str | None) -> types.ModuleType:
    """calling.py as it is before any cell runs: a copy of its own, outside sys.modules, with
    a copy of the builtins and the modules its way of calling (`call`) imports, imported now
    and served to it from that moment on (a module a cell puts in sys.modules is not)."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "exercises", "calling.py")
    spec = importlib.util.spec_from_file_location("bp_lessons.exercises.calling", path)
    calling = importlib.util.module_from_spec(spec)
    modules = dict(sys.modules)
    real_import = builtins.__import__

    def frozen_import(name, globals=None, locals=None, fromlist=(), level=0):
        module = modules.get(name) if level == 0 else None
        if module is None:
            return real_import(name, globals, locals, fromlist, level)
        return module if fromlist else modules.get(name.partition(".")[0], module)

    calling.__dict__["__builtins__"] = dict(builtins.__dict__, __import__=frozen_import)
    spec.loader.exec_module(calling)
    for name in calling.IMPORTS.get(call, ()) if call else ():
        __import__(name)  # its modules, before the cells could replace them
    modules |= sys.modules
    calling.prepare_for_sandbox(call)  # before a cell patches a class or sets a hook
    return calling


TOP_LEVEL_AWAIT = 0x2000  # ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, as IPython compiles a cell
COROUTINE = 0x80  # inspect.CO_COROUTINE: the cell awaits at top level


def run_cell(source: str, name: str, namespace: dict) -> None:
    """Run one cell as IPython would: a top-level `await` included, driven here without an
    event loop (the walls allow none): an await of anything that needs one raises."""
    code = compile(source, name, "exec", flags=TOP_LEVEL_AWAIT)
    if not code.co_flags & COROUTINE:
        exec(code, namespace)
        return
    coroutine = eval(code, namespace)
    try:
        while True:
            if coroutine.send(None) is not None:
                raise RuntimeError(
                    "a top-level await that needs an event loop: the grader runs a cell "
                    "without one (what the cell defined before it still counts)"
                )
    except StopIteration:
        return
    finally:
        coroutine.close()


def display(*objects: object, **options: object) -> None:
    """IPython's `display` and `site`'s `help`, which a notebook's cells have without an
    import: here what they would show goes nowhere, as a print does."""


class Shell:
    """What `get_ipython()` returns here: every method (`run_line_magic`, ...) does nothing,
    as the magic lines themselves do (notebook.without_magics)."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


def get_ipython() -> Shell:
    return Shell()


def plain_result(calling: types.ModuleType, result: object) -> object:
    try:
        return calling.to_plain(result)
    except TypeError as error:
        raise calling.NotPlainData(str(error)) from None


def failure(error: BaseException) -> dict:
    try:
        text = str(error)[:MAX_TEXT]
    except BaseException:
        text = "(its message could not be shown)"
    return {"error": type(error).__name__, "text": text}


def origin(fn: object, depth: int = 0) -> str:
    """Where fn comes from: "" for code written in the graded cells, else e.g. "math.tanh".

    What the notebook check accepts counts as written in a cell: a function, also behind a
    decorator (`functools.wraps`, `np.vectorize`, `functools.partial`), and an object whose
    class, written in a cell, defines `__call__`."""
    with contextlib.suppress(Exception):
        fn = inspect.unwrap(fn)
    if isinstance(fn, types.FunctionType) and fn.__code__.co_filename.startswith("<cell "):
        return ""
    inner = None
    with contextlib.suppress(Exception):
        inner = getattr(fn, "pyfunc", None) or getattr(fn, "func", None)  # vectorize, partial
        if inner is None and not isinstance(fn, (type, types.BuiltinFunctionType)):
            inner = inspect.getattr_static(type(fn), "__call__", None)  # a callable object
    if inner is not None and inner is not fn and depth < 5:
        found = origin(inner, depth + 1)
        if not found:
            return ""
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    return f"{module}.{name}" if isinstance(module, str) and module else str(name)
