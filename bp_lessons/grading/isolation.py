"""The walls of the sandbox, raised in the child process before any submitted code runs (Linux).

    memory     RLIMIT_AS: the address space in use plus the budget (a memory bomb gets MemoryError)
    time       RLIMIT_CPU: CPU seconds (the judge also kills the process at a wall-clock deadline)
    files      RLIMIT_FSIZE = 0: no file gets a single byte (a write fails with "File too large")
    processes  RLIMIT_NPROC = 0: no fork, so no daemon outlives the task
    root       when the judge runs as root (as on Gradescope) the child becomes `nobody`, so it can
               neither signal the judge nor touch root's files; NPROC does not bind root anyway.

When the Python installation is not readable by `nobody` (a Python under /root), the child keeps
one capability, CAP_DAC_READ_SEARCH (read any file), so that imports still work.
"""

import ctypes
import os
import resource
import signal
import stat
import sys

NOBODY = 65534
OWN_UIDS = 2**21  # + the child's pid: a uid no account and no other child has
PR_SET_DUMPABLE, PR_SET_KEEPCAPS, PR_SET_NO_NEW_PRIVS = 4, 8, 38
CAP_DAC_READ_SEARCH = 2
CAPABILITY_VERSION_3 = 0x20080522


class CapabilityHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapabilityData(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def raise_walls(memory_bytes: int, cpu_seconds: int, keep_reading: bool) -> None:
    """Apply every limit to this process, for good: nothing here can be undone by it."""
    if os.geteuid() == 0:
        drop_root(keep_reading)
    prctl(PR_SET_NO_NEW_PRIVS, 1)  # no setuid program can give root back
    limit(resource.RLIMIT_CORE, 0)
    limit(resource.RLIMIT_FSIZE, 0)
    limit(resource.RLIMIT_NPROC, 0)
    limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)  # SIGXCPU, then SIGKILL
    if address_space():
        limit(resource.RLIMIT_AS, address_space() + memory_bytes)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write raises OSError instead of killing


def drop_root(keep_reading: bool) -> None:
    prctl(PR_SET_KEEPCAPS, int(keep_reading))
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    try:
        uid = OWN_UIDS + os.getpid()
        os.setresuid(uid, uid, uid)
    except OSError:  # a user namespace that maps few uids
        os.setresuid(NOBODY, NOBODY, NOBODY)
    if keep_reading:  # every capability dropped but reading files
        libc = ctypes.CDLL(None, use_errno=True)
        header = CapabilityHeader(CAPABILITY_VERSION_3, 0)
        data = (CapabilityData * 2)()
        data[0].effective = data[0].permitted = 1 << CAP_DAC_READ_SEARCH
        if libc.capset(ctypes.byref(header), data) != 0:
            raise OSError(ctypes.get_errno(), "capset failed")


def limit(kind: int, soft: int, hard: int | None = None) -> None:
    resource.setrlimit(kind, (soft, soft if hard is None else hard))


def address_space() -> int:
    """Bytes of virtual memory this process uses now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def prctl(option: int, value: int) -> bool:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (AttributeError, OSError):  # not Linux
        return False


def readable_by_nobody() -> bool:
    """Can `nobody` read this Python and the packages the judge imported?"""
    paths = {os.path.dirname(os.__file__)}
    paths |= {os.path.dirname(m.__file__) for m in list(sys.modules.values()) if has_file(m)}
    return all(world_readable(path) for path in paths)


def has_file(module: object) -> bool:
    return isinstance(getattr(module, "__file__", None), str)


def world_readable(path: str) -> bool:
    """Readable by anyone: the folder readable and every folder above it searchable by others."""
    path = os.path.abspath(path)
    try:
        if not os.stat(path).st_mode & stat.S_IROTH:
            return False
        while path != os.path.dirname(path):
            path = os.path.dirname(path)
            if not os.stat(path).st_mode & stat.S_IXOTH:
                return False
    except OSError:
        return False
    return True
