"""Confine the worker process before any student code runs in it.

Runs inside the worker, so it uses only the standard library (and Debian's
`seccomp` module where present). Each layer is applied if the machine
offers it and reported by name; the grader's canary checks what they
achieve rather than trusting this list.

- resource limits: memory, file size, open files, processes, core dumps and
  a lifetime CPU budget;
- Landlock: the filesystem shrinks to the runtime, the submission and a
  private working folder; TCP and signals to outside processes are refused
  where the kernel's Landlock version covers them;
- seccomp: no sockets, no new processes or programs, no signals to other
  processes, no tracing, no raising of limits.
"""

import ctypes
import errno
import os
import resource

_LIMITS = {
    "memory_bytes": resource.RLIMIT_AS,
    "file_bytes": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
    "cpu_seconds": resource.RLIMIT_CPU,
    "processes": resource.RLIMIT_NPROC,
}

# Landlock filesystem rights (linux/landlock.h), by ABI version
_READ_FILE, _READ_DIR, _EXECUTE = 1 << 2, 1 << 3, 1 << 0
_FILE_RIGHTS = _EXECUTE | _READ_FILE | (1 << 1) | (1 << 14) | (1 << 15)
_ALL_FS = {
    1: (1 << 13) - 1,
    2: (1 << 14) - 1,
    3: (1 << 15) - 1,
    4: (1 << 15) - 1,
    5: (1 << 16) - 1,
}
_READ_ONLY = _EXECUTE | _READ_FILE | _READ_DIR
_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446
_PR_SET_NO_NEW_PRIVS = 38

_DENIED_CALLS = (
    "socket socketpair connect bind listen accept accept4 sendto sendmsg "
    "execve execveat fork vfork ptrace process_vm_readv process_vm_writev "
    "setrlimit mount umount2 unshare setns chroot pivot_root keyctl add_key "
    "request_key bpf perf_event_open userfaultfd io_uring_setup kexec_load "
    "init_module finit_module delete_module reboot swapon swapoff setuid setgid "
    "setreuid setregid setresuid setresgid setgroups personality tkill "
    "pidfd_open pidfd_send_signal pidfd_getfd process_madvise"
).split()
_CLONE_THREAD = 0x00010000


def confine(config: dict) -> list[str]:
    """Apply every layer the config asks for; return the ones in force."""
    layers = []
    if config.get("limits"):
        _apply_limits(config["limits"])
        layers.append("limits")
    if config.get("landlock") and _landlock(config["landlock"]):
        layers.append("landlock")
    if config.get("seccomp") and _seccomp():
        layers.append("seccomp")
    return layers


def _apply_limits(limits: dict) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, value in limits.items():
        if name == "processes" and os.getuid() == 0:
            continue  # ignored for root; seccomp stops forks instead
        soft, hard = resource.getrlimit(_LIMITS[name])
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(_LIMITS[name], (value, value))


def _landlock(rules: dict) -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(_SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return False
    handled_fs = _ALL_FS.get(abi, _ALL_FS[5])
    attr = (ctypes.c_uint64 * 3)(handled_fs, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)
    size = 8 * (1 + (abi >= 4) + (abi >= 6))
    ruleset = libc.syscall(
        _SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
    )
    if ruleset < 0:
        return False
    try:
        for path in rules.get("read", []):
            _allow(libc, ruleset, path, _READ_ONLY)
        for path in rules.get("write", []):
            _allow(libc, ruleset, path, handled_fs)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.syscall(_SYS_RESTRICT, ruleset, ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)


def _allow(libc, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= _FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        if (
            libc.syscall(
                _SYS_ADD_RULE,
                ruleset,
                ctypes.c_int(1),
                ctypes.byref(rule),
                ctypes.c_uint32(0),
            )
            != 0
        ):
            raise OSError(ctypes.get_errno(), f"landlock rule for {path}")
    finally:
        os.close(fd)


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _seccomp() -> bool:
    try:
        import seccomp
    except ImportError:
        return False
    deny = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in _DENIED_CALLS:
        _add(rules, deny, name)
    me = os.getpid()
    # threads are fine (NumPy may start them); a new process is not
    _add(rules, deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_THREAD, 0))
    _add(rules, seccomp.ERRNO(errno.ENOSYS), "clone3")
    for name in ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
        _add(rules, deny, name, seccomp.Arg(0, seccomp.NE, me))
    _add(rules, deny, "prlimit64", seccomp.Arg(2, seccomp.NE, 0))
    rules.load()
    return True


def _add(rules, action, name: str, *args) -> None:
    try:
        rules.add_rule(action, name, *args)
    except (RuntimeError, ValueError, OSError):
        pass  # a call this architecture does not have
