"""The walls a child raises around itself before any submitted code runs (Linux).

    privileges  no_new_privs: no setuid program can give any back; as root, the child becomes a
                user id of its own with no capability (it can signal, read or write nothing of
                root's or of another child's)
    files       Landlock (landlock.py): read only the Python installation and this task's view
                of bp_lessons, write only its own scratch folder (where one is given), no TCP,
                no signals out
    calls       seccomp (seccomp.py): no chmod, no prlimit, no keys, no System V IPC, no
                memfd, no socket, no new process, ... what Landlock and namespaces do not cover
    memory      RLIMIT_AS: the address space in use plus the budget (a memory bomb gets
                MemoryError)
    time        RLIMIT_CPU: CPU seconds (the judge also kills it at a wall-clock deadline)
    processes   no fork, so nothing outlives the task: seccomp refuses a new process and lets
                threads start (a thread pool); without seccomp, RLIMIT_NPROC = 0 (no thread)
    disk        RLIMIT_FSIZE: no file in the scratch folder grows past a few megabytes
    files open  RLIMIT_NOFILE: a few dozen (each pipe holds memory the kernel does not count)

Each wall is raised for good: nothing here can be undone by the process itself.
"""

import ctypes
import os
import resource
import signal

from bp_lessons.grading import landlock, seccomp

PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
MAX_FILE_BYTES = 8 * 2**20
MAX_FILES = 64  # open at once: a pipe's buffer is memory outside RLIMIT_AS


def raise_walls(config: dict, memory_bytes: int, cpu_seconds: int) -> None:
    """Apply every limit to this process, in the order the kernel needs."""
    in_use = address_space()  # read /proc before Landlock closes it
    prctl(PR_SET_DUMPABLE, 0)  # no process of the same user may read this one's memory
    if not prctl(PR_SET_NO_NEW_PRIVS, 1):
        raise OSError("prctl(PR_SET_NO_NEW_PRIVS) failed")
    if config["landlock"] and not landlock.restrict(
        config["readable"], config["writable"], config["listable"]
    ):
        raise OSError("Landlock was expected, but the kernel refused it")
    if config["uid"] is not None:
        drop_root(config["uid"])
    limit(resource.RLIMIT_CORE, 0)
    limit(resource.RLIMIT_FSIZE, MAX_FILE_BYTES)
    if not config["seccomp"]:  # else seccomp refuses new processes and lets threads start
        limit(resource.RLIMIT_NPROC, 0)
    limit(resource.RLIMIT_NOFILE, MAX_FILES)
    limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)  # SIGXCPU, then SIGKILL
    if in_use:
        limit(resource.RLIMIT_AS, in_use + memory_bytes)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit raises OSError
    if config["seccomp"] and not seccomp.restrict():  # last: it forbids setting limits
        raise OSError("seccomp was expected, but libseccomp is gone")


def drop_root(uid: int) -> None:
    """From root to a user id of its own: every capability goes with the change."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.geteuid() == 0 or os.getegid() == 0:
        raise OSError("could not leave root")


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
