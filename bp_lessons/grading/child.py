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
"""

import builtins
import contextlib
import inspect
import json
import os
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
        from bp_lessons.exercises import calling  # the view's: no reference in it
        from bp_lessons.grading.isolation import raise_walls

        raise_walls(config, request["memory"], request["cpu"])
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
            exec(compile(cell["source"], f"<cell {cell['grade_id']}>", "exec"), namespace)
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
                after = [as_data(rule.after) for rule in kept]
            except BaseException as error:
                send(case=j, **failure(error))
                continue
            try:
                got = plain_result(calling, result)
            except BaseException as error:
                send(case=j, kept=after, **failure(error))
                continue
            send(case=j, got=got, kept=after)
        send(batch=batch["first"])
    send(done=True)


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


def as_data(value: object, depth: int = 0) -> object:
    """The arguments as they are after the call, as JSON can carry them: the judge compares
    them with what it sent (a rule judged in its process, not in this one)."""
    if depth > 50:
        return "(too deep)"
    if hasattr(value, "tolist") and not isinstance(value, (int, float)):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): as_data(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_data(item, depth + 1) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"({type(value).__name__})"


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
