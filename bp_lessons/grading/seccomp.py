"""A seccomp filter, built by libseccomp (the library container runtimes use), called with ctypes.

Landlock walls off paths and bubblewrap namespaces, but some system calls reach past both: a
task running as its grader's user could change the mode of the grader's files (chmod and its
kin are no Landlock right), lower the grader's own limits (prlimit on its pid), read or plant
keys in the kernel's keyrings (not namespaced), leave a POSIX message queue behind (no IPC
namespace under Landlock alone), hold memory outside its limit (memfd, System V shared memory,
socket buffers), open a socket of a kind Landlock does not know (MPTCP, UDP,
netlink, a Unix socket by path), or take a lease on a file, which makes every other task that
opens it wait. `restrict()` makes each call in DENIED fail with EPERM for this process and
all it could start; nothing a task's answer needs is among them. It also refuses to start a
process (fork, vfork, clone without CLONE_THREAD), while threads may start: an answer may use
a thread pool, and a thread ends with its process. libseccomp knows each call's
number on each architecture; where it is missing (`available()`), the grader says so.
"""

import ctypes
import errno

ACT_ALLOW = 0x7FFF0000
ACT_ERRNO = 0x00050000  # | the errno to return
LIBRARY = "libseccomp.so.2"
CMP_EQ, CMP_MASKED_EQ = 4, 7  # enum scmp_compare
CLONE_THREAD = 0x10000
F_SETLEASE = 1024  # fcntl: a lease makes everyone else's open() of the file wait for it

DENIED = (
    # the mode, owner, times and extended attributes of files (Landlock does not cover them)
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "utime", "utimes", "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr",
    "setxattrat", "removexattr", "lremovexattr", "fremovexattr", "removexattrat",
    # other processes: their limits, priorities, memory, file descriptors
    "prlimit64", "setrlimit", "setpriority", "sched_setaffinity", "sched_setscheduler",
    "sched_setparam", "sched_setattr", "ioprio_set", "ptrace", "process_vm_readv",
    "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    # what outlives the process or escapes its limits: keys, System V IPC, anonymous files
    "add_key", "request_key", "keyctl", "shmget", "shmat", "shmctl", "msgget", "msgsnd",
    "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl", "memfd_create",
    "memfd_secret",
    # POSIX message queues: with Landlock alone (no IPC namespace) a queue outlives the task
    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
    # every socket and socket pair (the judge's pipe is neither: a pair's buffers are memory
    # outside the limit), and the kernel's side doors
    "socket", "socketpair", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "io_setup", "io_submit", "inotify_init", "inotify_init1", "fanotify_init", "userfaultfd", "bpf",
    "perf_event_open", "unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
    "open_tree", "move_mount", "fsopen", "fsmount", "fspick", "mknod", "mknodat",
)  # fmt: skip


class ArgumentComparison(ctypes.Structure):  # struct scmp_arg_cmp
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def library() -> ctypes.CDLL | None:
    try:
        lib = ctypes.CDLL(LIBRARY, use_errno=True)
    except OSError:
        return None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
        ctypes.POINTER(ArgumentComparison),
    ]  # fmt: skip
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


def deny(lib: ctypes.CDLL, context: int, name: str, error: int) -> None:
    number = lib.seccomp_syscall_resolve_name(name.encode())
    if number == -1:  # __NR_SCMP_ERROR: not a call on this architecture, or too new
        return
    if lib.seccomp_rule_add(context, ACT_ERRNO | error, number, 0) != 0:
        raise OSError(f"seccomp_rule_add failed for {name}")


def available() -> bool:
    return library() is not None


def restrict() -> bool:
    """Load the filter into this process (which must have no_new_privs); False without
    libseccomp, OSError if the kernel refuses it."""
    lib = library()
    if lib is None:
        return False
    context = lib.seccomp_init(ACT_ALLOW)
    if not context:
        raise OSError("seccomp_init failed")
    try:
        for name in DENIED:
            deny(lib, context, name, errno.EPERM)
        # threads, but no process: clone without CLONE_THREAD (fork, posix_spawn) is refused,
        # and clone3, whose flags a filter cannot read, says it does not exist (glibc then
        # starts its threads with clone)
        for name in ("fork", "vfork"):
            deny(lib, context, name, errno.EPERM)
        deny(lib, context, "clone3", errno.ENOSYS)
        process = ArgumentComparison(0, CMP_MASKED_EQ, CLONE_THREAD, 0)  # flags & THREAD == 0
        clone = lib.seccomp_syscall_resolve_name(b"clone")
        if lib.seccomp_rule_add_array(context, ACT_ERRNO | errno.EPERM, clone, 1, process) != 0:
            raise OSError("seccomp_rule_add failed for clone without CLONE_THREAD")
        lease = ArgumentComparison(1, CMP_EQ, F_SETLEASE, 0)  # fcntl(fd, F_SETLEASE, ...)
        fcntl = lib.seccomp_syscall_resolve_name(b"fcntl")
        if lib.seccomp_rule_add_array(context, ACT_ERRNO | errno.EPERM, fcntl, 1, lease) != 0:
            raise OSError("seccomp_rule_add failed for fcntl(F_SETLEASE)")
        result = lib.seccomp_load(context)
        if result != 0:
            raise OSError(-result, "seccomp_load failed")
    finally:
        lib.seccomp_release(context)
    return True
