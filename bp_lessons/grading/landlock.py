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
import errno
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
OPENAT2, AT_FDCWD, RESOLVE_NO_SYMLINKS = 437, -100, 0x04  # openat2: one number everywhere


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
    """Allow `allowed` below path (a file gets only the rights that apply to files).

    The rule lands on what the kernel finds at path with no symbolic link followed, anywhere on
    the way: a rule for a venv's `lib64 -> lib` would otherwise cover all of `lib`, whatever
    was kept out of it. The caller gives resolved paths (os.path.realpath); a path that holds a
    link is refused (ValueError), never followed.
    """
    try:
        fd = open_no_links(path)
    except FileNotFoundError:
        return  # a path that does not exist needs no rule
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EXDEV):
            raise ValueError(f"a Landlock rule on {path}, which holds a symbolic link") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISLNK(mode):  # O_PATH | O_NOFOLLOW opens the link itself
            raise ValueError(f"a Landlock rule on {path}, a symbolic link")
        if not stat.S_ISDIR(mode):
            allowed &= rights(FILE_RIGHTS, version)
        attr = PathBeneathAttr(allowed, fd)
        syscall(ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(attr), 0)
    finally:
        os.close(fd)


class OpenHow(ctypes.Structure):  # struct open_how, for openat2
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


def open_no_links(path: str) -> int:
    """An O_PATH handle on path, following no symbolic link: openat2 with RESOLVE_NO_SYMLINKS
    (Linux 5.6, older than any Landlock) refuses a link anywhere on the way (ELOOP); without
    it, O_NOFOLLOW at least opens a last link as itself (which `allow` refuses)."""
    flags = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC
    how = OpenHow(flags, 0, RESOLVE_NO_SYMLINKS)
    try:
        return syscall(OPENAT2, AT_FDCWD, os.fsencode(path), ctypes.byref(how),
                       ctypes.c_size_t(ctypes.sizeof(how)))  # fmt: skip
    except OSError as error:
        if error.errno not in (errno.ENOSYS, errno.EPERM):  # EPERM: a seccomp filter's answer
            raise
    return os.open(path, flags)
