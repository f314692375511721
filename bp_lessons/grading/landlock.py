"""Landlock: the Linux kernel's walls that a process raises around itself (Linux 5.13 and later).

After `restrict(readable, writable)` this process, and anything it could start, may read only
files below `readable`, write only below `writable`, and execute nothing; where the kernel's
Landlock ABI allows it, it also cannot open or accept a TCP connection (ABI 4) nor signal a
process or reach an abstract Unix socket outside its walls (ABI 6). The walls cannot be
lowered again. No privilege is needed, so this works as root in a container and as any user.

The kernel interface (https://docs.kernel.org/userspace-api/landlock.html) is three system
calls; this module calls them through ctypes. `abi()` says what the kernel offers (0: nothing).
"""

import ctypes
import os
import stat

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446  # the same number on every architecture
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

# file system rights, by the ABI version that brought them
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
MAKE_AND_REMOVE = sum(1 << bit for bit in range(4, 13))  # remove, make dir/file/link/sock/fifo/...
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FILE_RIGHTS = {1: EXECUTE | WRITE_FILE | READ_FILE, 3: TRUNCATE, 5: IOCTL_DEV}  # on a file
ALL_RIGHTS = {1: EXECUTE | WRITE_FILE | READ_FILE | READ_DIR | MAKE_AND_REMOVE, 2: REFER}
NET_TCP = 0b11  # bind and connect (ABI 4)
SCOPE_ALL = 0b11  # abstract Unix sockets and signals (ABI 6)


class RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def syscall(*args: object) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    result = libc.syscall(*args)
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    return result


def abi() -> int:
    """The Landlock ABI version this kernel offers: 0 when it has none (or it is disabled)."""
    try:
        return syscall(CREATE_RULESET, None, ctypes.c_size_t(0), CREATE_RULESET_VERSION)
    except (OSError, AttributeError):
        return 0


def rights(table: dict[int, int], version: int) -> int:
    return sum(value for since, value in table.items() if since <= version)


def restrict(readable: list[str], writable: list[str], listable: list[str] = ()) -> int:
    """Raise the walls on this process; returns the ABI version used (0: none, nothing done).
    A folder in `listable` may be listed (not its files read, unless `readable` allows them).

    The process must already have no_new_privs (prctl), as the kernel requires.
    """
    version = abi()
    if not version:
        return 0
    every = rights(ALL_RIGHTS, version) | rights(FILE_RIGHTS, version)
    attr = RulesetAttr(every, NET_TCP if version >= 4 else 0, SCOPE_ALL if version >= 6 else 0)
    size = ctypes.sizeof(ctypes.c_uint64) * (3 if version >= 6 else 2 if version >= 4 else 1)
    ruleset = syscall(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    try:
        read = READ_FILE | READ_DIR
        rules = ((readable, read), (listable, READ_DIR), (writable, every & ~EXECUTE))
        for paths, allowed in rules:
            for path in paths:
                allow(ruleset, path, allowed, version)
        syscall(RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)
    return version


def allow(ruleset: int, path: str, allowed: int, version: int) -> None:
    """Allow `allowed` below path (a file gets only the rights that apply to files)."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path that does not exist needs no rule
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            allowed &= rights(FILE_RIGHTS, version)
        attr = PathBeneathAttr(allowed, fd)
        syscall(ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(attr), 0)
    finally:
        os.close(fd)
