"""Choose how workers are isolated, strongest tier first, and prove it.

Tiers, chosen automatically:

- `bubblewrap`: the worker runs in new namespaces (no network, no view of
  other processes) seeing only the runtime, its submission read-only and a
  private folder; as root, bubblewrap is first started as an unprivileged
  user, since a root sandbox can undo its own mounts.
- `user`: an unprivileged user with Landlock and seccomp where the kernel
  and Python have them.
- `process`: the grader's own user with Landlock and seccomp where present.

Every tier adds resource limits and a minimal environment, and the grader
makes itself non-dumpable and a child subreaper. A canary worker then tries
what an attacker would (read a file planted beside the hidden cases and
solutions, connect to a loopback port the grader listens on, signal the
grader); what it manages decides whether secrets are protected.
"""

import ctypes
import json
import logging
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

TIERS = ("bubblewrap", "user", "process")
LAYERS = ("limits", "landlock", "seccomp")
RUNTIME_FILES = ("worker.py", "wire.py", "confine.py")
# per worker: enough for NumPy on a 1024x1024 case, far from the machine's 24 GiB
LIMITS = {
    "memory_bytes": 2 << 30,
    "file_bytes": 8 << 20,
    "open_files": 256,
    "cpu_seconds": 600,
    "processes": 256,
}
WORKER_USER = "nobody"
PYTHON_CANDIDATES = ("/usr/bin/python3",)
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# read-only paths a dynamically linked Python needs besides its own prefix
SYSTEM_FILES = ("/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime")
_PR_SET_DUMPABLE, _PR_SET_CHILD_SUBREAPER = 4, 36


class IsolationError(Exception):
    """No usable tier, or a forced tier this machine cannot give."""


@dataclass(frozen=True)
class Runtime:
    """A Python that the worker user can run, with NumPy."""

    python: str
    prefixes: tuple[str, ...]


@dataclass(frozen=True)
class Isolation:
    """The tier in force, and what its canary could and could not do."""

    tier: str
    runtime: Runtime
    uid: int | None  # the worker's user, when it is not the grader's
    gid: int | None
    layers: tuple[str, ...] = ()
    canary: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def protects_secrets(self) -> bool:
        return self.canary.get("read_secret") is False

    def summary(self) -> str:
        """One line for the terminal and the report header."""
        reached = [name for name, did in self.canary.items() if did]
        held = "held" if not reached else "FAILED: " + ", ".join(reached)
        line = f"{self.tier} ({', '.join(self.layers) or 'no extra layers'}); canary {held}"
        return "; ".join([line, *self.notes])


@dataclass(frozen=True)
class Launch:
    """How to start one worker, and the private folder it owns."""

    argv: list
    env: dict
    cwd: str
    user: int | None
    group: int | None
    folder: str


def prepare_grader_process() -> None:
    """Make the grader non-dumpable and the reaper of orphaned descendants."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def stage(isolation: Isolation, module: Path) -> Launch:
    """Lay out a private folder for one worker and the command that starts it."""
    folder = Path(tempfile.mkdtemp(prefix="grader-worker-"))
    os.chmod(folder, 0o711)
    runtime, submission, work = (
        folder / "runtime",
        folder / "submission",
        folder / "work",
    )
    for sub in (runtime, submission, work):
        sub.mkdir(mode=0o755)
    for name in RUNTIME_FILES:
        shutil.copy(Path(__file__).with_name(name), runtime / name)
    shutil.copyfile(module, submission / module.name, follow_symlinks=False)
    if isolation.uid is not None:
        os.chown(work, isolation.uid, isolation.gid)
        os.chown(submission, -1, isolation.gid)
        os.chown(submission / module.name, -1, isolation.gid)
    os.chmod(work, 0o700)
    for path in [runtime, *runtime.iterdir()]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    # the student's code: for the grader and the worker's group only
    os.chmod(submission, 0o750 if isolation.uid is not None else 0o700)
    os.chmod(submission / module.name, 0o640 if isolation.uid is not None else 0o600)
    if isolation.tier == "bubblewrap":
        return _bubblewrap_launch(isolation, folder, module.name)
    return _direct_launch(isolation, folder, module.name)


def detect(forced: str | None = None, secrets: list[Path] = (), run_canary=None):
    """The strongest tier this machine offers (or the forced one), proven."""
    tiers = [forced] if forced else list(TIERS)
    if forced and forced not in TIERS:
        raise IsolationError(f"unknown isolation tier {forced!r}; use one of {TIERS}")
    notes = []
    for tier in tiers:
        candidate, why_not = _candidate(tier)
        if candidate is None:
            notes.append(f"no {tier} tier: {why_not}")
            continue
        if run_canary is None:
            return candidate
        canary, layers = run_canary(candidate, secrets)
        if canary is None:
            notes.append(
                f"no {tier} tier: the canary worker could not start ({layers})"
            )
            continue
        return Isolation(
            candidate.tier,
            candidate.runtime,
            candidate.uid,
            candidate.gid,
            tuple(layers),
            canary,
            tuple(notes),
        )
    raise IsolationError("no isolation tier works here: " + "; ".join(notes))


def worker_config(isolation: Isolation, folder: str, module_name: str) -> dict:
    """What the worker applies to itself before importing student code."""
    inside = isolation.tier == "bubblewrap"
    base = Path("/") if inside else Path(folder)
    read = [
        str(base / "runtime"),
        str(base / "submission" / module_name),
        "/usr",
        *isolation.runtime.prefixes,
        *SYSTEM_FILES,
        "/dev/null",
        "/dev/urandom",
    ]
    layers = _layers_wanted()
    return {
        "limits": LIMITS if "limits" in layers else None,
        "landlock": {"read": read, "write": [str(base / "work")]}
        if "landlock" in layers
        else None,
        "seccomp": "seccomp" in layers,
    }


def _layers_wanted() -> set[str]:
    """All layers, unless GRADER_LAYERS names fewer (to test the weak tiers)."""
    named = os.environ.get("GRADER_LAYERS")
    return set(LAYERS) if named is None else set(filter(None, named.split(",")))


def _candidate(tier: str):
    if tier == "bubblewrap" and not shutil.which("bwrap"):
        return None, "bubblewrap is not installed (apt-get install bubblewrap)"
    uid = gid = None
    if tier in ("bubblewrap", "user") and os.geteuid() == 0:
        try:
            entry = pwd.getpwnam(WORKER_USER)
        except KeyError:
            return None, f"there is no {WORKER_USER!r} user to run workers as"
        uid, gid = entry.pw_uid, entry.pw_gid
    elif tier == "user":
        return None, "switching users needs root"
    runtime, why_not = find_runtime(uid, gid)
    if runtime is None:
        return None, why_not
    return Isolation(tier, runtime, uid, gid), ""


def find_runtime(uid: int | None, gid: int | None):
    """The first Python the worker user can run that imports NumPy."""
    candidates = [
        os.environ.get("GRADER_WORKER_PYTHON"),
        *PYTHON_CANDIDATES,
        sys.executable,
    ]
    tried = []
    for python in filter(None, dict.fromkeys(candidates)):
        runtime = _probe_runtime(python, uid, gid)
        if runtime is not None:
            return runtime, ""
        tried.append(python)
    who = "the grader's user" if uid is None else f"user {WORKER_USER}"
    return None, (
        f"no Python that {who} can run imports NumPy (tried "
        f"{', '.join(tried)}); install python3-numpy, or set "
        "GRADER_WORKER_PYTHON"
    )


_PROBE = (
    "import json, os, sys, numpy\n"
    "paths = {sys.base_prefix, sys.prefix, os.path.dirname(os.path.dirname("
    "numpy.__file__))}\n"
    "print(json.dumps({'python': os.path.realpath(sys.executable), "
    "'prefixes': sorted(paths)}))\n"
)


def _probe_runtime(python: str, uid, gid) -> Runtime | None:
    try:
        run = subprocess.run(
            [python, "-I", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            env=_minimal_env("/"),
            cwd="/",
            user=uid,
            group=gid,
            extra_groups=[] if uid else None,
        )
        info = json.loads(run.stdout) if run.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError):
        info = None
    if info is None:
        log.info("worker Python %s is not usable as uid %s", python, uid)
        return None
    prefixes = tuple(p for p in info["prefixes"] if not p.startswith("/usr"))
    return Runtime(info["python"], prefixes)


def _bubblewrap_launch(isolation: Isolation, folder: Path, module_name: str) -> Launch:
    argv = [
        "bwrap",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    for path in (*SYSTEM_FILES, *isolation.runtime.prefixes):
        argv += ["--ro-bind-try", path, path]
    argv += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--ro-bind",
        str(folder / "runtime"),
        "/runtime",
        "--ro-bind",
        str(folder / "submission"),
        "/submission",
        "--bind",
        str(folder / "work"),
        "/work",
        "--chdir",
        "/work",
        "--clearenv",
    ]
    for name, value in _minimal_env("/work").items():
        argv += ["--setenv", name, value]
    config = worker_config(isolation, str(folder), module_name)
    argv += [
        isolation.runtime.python,
        "-I",
        "/runtime/worker.py",
        f"/submission/{module_name}",
        json.dumps(config),
    ]
    return Launch(
        argv, _minimal_env("/"), "/", isolation.uid, isolation.gid, str(folder)
    )


def _direct_launch(isolation: Isolation, folder: Path, module_name: str) -> Launch:
    config = worker_config(isolation, str(folder), module_name)
    argv = [
        isolation.runtime.python,
        "-I",
        str(folder / "runtime" / "worker.py"),
        str(folder / "submission" / module_name),
        json.dumps(config),
    ]
    return Launch(
        argv,
        _minimal_env(str(folder / "work")),
        str(folder / "work"),
        isolation.uid,
        isolation.gid,
        str(folder),
    )


def _minimal_env(home: str) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8"}
    env.update({name: "1" for name in THREAD_VARIABLES})
    return env
