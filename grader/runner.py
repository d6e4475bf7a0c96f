"""Run student calls in an isolated worker process and bring back data.

The grader never imports student code. A `Worker` stages a private folder,
starts `worker.py` there under the isolation tier in force (see `sandbox`),
sends it one call at a time and reads back plain arrays. A call that hangs,
burns CPU, crashes or breaks the protocol becomes a `CallOutcome` saying so;
the next call gets a fresh worker, and nothing the old one started survives.
"""

import logging
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader import sandbox, wire

log = logging.getLogger(__name__)

# importing NumPy and a student module takes well under a second
IMPORT_TIMEOUT = 20.0
# keep this much of what a student prints per call; the rest is counted
OUTPUT_CAP = 16 * 1024
# how long to wait for output the worker wrote before its answer
OUTPUT_GRACE = 2.0
# how often a running call's CPU time and work folder are looked at
CPU_POLL_SECONDS = 0.1
# a worker's working folder holds scratch files, not a disk bomb
WORK_FOLDER_BYTES = 64 << 20
# past this many entries a work folder is over its cap whatever their sizes
WORK_FOLDER_ENTRIES = 10_000
_TICKS = os.sysconf("SC_CLK_TCK")
_live_workers: set[int] = set()
_detected: dict = {}


def current_isolation(forced: str | None = None) -> "sandbox.Isolation":
    """The isolation tier in force, detected (with a canary) once per setting."""
    forced = forced or os.environ.get("GRADER_ISOLATION") or None
    key = (forced, os.environ.get("GRADER_LAYERS"))
    if key not in _detected:
        sandbox.prepare_grader_process()
        secrets, planted = _secret_paths()
        try:
            _detected[key] = sandbox.detect(forced, secrets, run_canary)
        finally:
            for path in planted:  # needed only while the canary runs
                path.unlink(missing_ok=True)
    return _detected[key]


@dataclass(frozen=True)
class CallOutcome:
    """What came back from one call into student code."""

    status: str  # ok, error, missing, timeout, limit, crash, import_error, protocol
    result: dict | None = None
    outputs: list = field(default_factory=list)
    after: list = field(default_factory=list)
    error: dict | None = None
    output: str = ""
    detail: str = ""
    seconds: float = 0.0


class Worker:
    """A lazily started, isolated worker process for one student module."""

    def __init__(self, module_path: Path, isolation: "sandbox.Isolation | None" = None):
        self.module_path = Path(module_path).resolve()
        self.isolation = isolation or current_isolation()
        self.layers: tuple[str, ...] = ()
        self._proc: subprocess.Popen | None = None
        self._import_failure: CallOutcome | None = None
        self._messages: queue.Queue = queue.Queue()
        self._output = _OutputBuffer(OUTPUT_CAP)
        self._received = 0
        self._folder: str | None = None

    def call(self, function: str, args: list, n_outputs: int, timeout: float):
        """Call `function(*args)` in the worker; arrays travel as data."""
        if self._import_failure is not None:
            return self._import_failure
        if self._proc is None:
            started = self._start()
            if started is not None:
                self._import_failure = started
                return started

        header, arrays = _request(function, args, n_outputs)
        begin = time.monotonic()
        _write_in_background(self._proc, wire.encode(header, arrays))
        reply = self._wait(timeout, cpu_limit=timeout, call=header["call"])
        seconds = time.monotonic() - begin
        return self._outcome(reply, timeout, seconds)

    def close(self) -> None:
        """Stop the worker and everything it started; delete its folder."""
        if self._proc is not None:
            _live_workers.discard(self._proc.pid)
            _kill_group(self._proc)
            _sweep_orphans()
            _close_pipes(self._proc)
            self._proc = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _start(self) -> CallOutcome | None:
        launch = sandbox.stage(self.isolation, self.module_path)
        self._folder = launch.folder
        self._messages = queue.Queue()
        self._output = _OutputBuffer(OUTPUT_CAP)
        self._received = 0
        self._proc = subprocess.Popen(
            launch.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=launch.cwd,
            env=launch.env,
            user=launch.user,
            group=launch.group,
            extra_groups=[] if launch.user is not None else None,
            start_new_session=True,
        )
        _live_workers.add(self._proc.pid)
        _read_messages_in_background(self._proc, self._messages)
        self._output.follow(self._proc.stderr)
        reply = self._wait(IMPORT_TIMEOUT)
        if reply[0] == "message" and reply[1][0].get("status") == "ready":
            self.layers = tuple(reply[1][0].get("layers", ()))
            return None
        outcome = self._outcome(reply, IMPORT_TIMEOUT, 0.0)
        if outcome.status == "ok":  # the first message must be the handshake
            outcome = CallOutcome("protocol", detail="no handshake from the worker")
        self.close()
        if outcome.status in ("error", "ok"):
            outcome = CallOutcome(
                "import_error", error=outcome.error, output=outcome.output
            )
        elif outcome.status == "timeout":
            outcome = CallOutcome(
                "import_error",
                output=outcome.output,
                error={
                    "type": "Timeout",
                    "message": f"importing the module took over {IMPORT_TIMEOUT:g} s",
                    "traceback": [],
                    "line": None,
                },
            )
        return outcome

    def _wait(self, timeout: float, cpu_limit: float | None = None, call=None):
        """The reply to `call`, or why there is none: the wall clock, CPU time,
        or a full work folder. Replies to other calls (a stale or forged one)
        are dropped, so they can never be taken for a later call's answer."""
        deadline = time.monotonic() + timeout
        cpu_start = _tree_cpu_seconds(self._proc.pid) if cpu_limit else 0.0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return ("timeout", None)
            try:
                reply = self._messages.get(timeout=min(remaining, CPU_POLL_SECONDS))
            except queue.Empty:
                reply = None
            if reply is not None and (
                reply[0] != "message" or reply[1][0].get("call") == call
            ):
                break
            if reply is not None:
                log.info(
                    "dropped a reply to another call from worker %d", self._proc.pid
                )
            if cpu_limit and _tree_cpu_seconds(self._proc.pid) - cpu_start > cpu_limit:
                return ("cpu", None)
            if _folder_bytes(Path(self._folder) / "work") > WORK_FOLDER_BYTES:
                return ("disk", None)
        self._received += reply[0] == "message"
        return reply

    def _outcome(self, reply, timeout: float, seconds: float) -> CallOutcome:
        kind, payload = reply
        if kind == "disk":
            self.close()
            return CallOutcome(
                "limit",
                output=self._output.take(),
                detail=f"it wrote over {WORK_FOLDER_BYTES >> 20} MiB into its "
                "working folder",
                seconds=seconds,
            )
        if kind in ("timeout", "cpu"):
            self.close()
            limit = "wall-clock" if kind == "timeout" else "CPU"
            return CallOutcome(
                "timeout",
                output=self._output.take(),
                detail=f"no answer within {timeout:g} s of {limit} time",
                seconds=seconds,
            )
        if kind != "message":
            detail = self._crash_detail(payload)
            self.close()
            status = "protocol" if kind == "protocol" else "crash"
            return CallOutcome(
                status, output=self._output.take(), detail=detail, seconds=seconds
            )
        header, arrays = payload
        output = self._output.take(self._received)
        status = header.get("status")
        if status == "ok":
            n_after = int(header.get("n_after", 0))
            split = len(arrays) - n_after
            return CallOutcome(
                "ok",
                result=header.get("result"),
                outputs=arrays[:split],
                after=arrays[split:],
                output=output,
                seconds=seconds,
            )
        if status == "import_error":
            return CallOutcome("error", error=header.get("error"), output=output)
        if status in ("error", "missing"):
            return CallOutcome(
                status, error=header.get("error"), output=output, seconds=seconds
            )
        self.close()
        return CallOutcome(
            "protocol", output=output, detail=f"unexpected reply status {status!r:.40}"
        )

    def _crash_detail(self, payload) -> str:
        if isinstance(payload, str):
            return payload
        try:
            code = self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "the worker closed its output but kept running"
        if code < 0 or code > 128:  # bubblewrap passes a signal on as 128 + n
            number = -code if code < 0 else code - 128
            name = (
                signal.Signals(number).name if number in signal.valid_signals() else ""
            )
            why = _SIGNAL_MEANINGS.get(name, "")
            return f"the worker was killed by signal {number} {name}{why}".rstrip()
        return f"the worker exited with status {code} in the middle of the call"


_SIGNAL_MEANINGS = {
    "SIGXCPU": ": it used up its CPU time",
    "SIGXFSZ": ": it wrote a file over the size limit",
    "SIGSEGV": ": a segmentation fault",
    "SIGKILL": ": killed from outside (memory or a limit)",
}


def _request(function: str, args: list, n_outputs: int):
    arrays, described = [], []
    for arg in args:
        if isinstance(arg, np.ndarray):
            described.append({"array": len(arrays)})
            arrays.append(arg)
        else:
            described.append({"value": list(arg) if isinstance(arg, tuple) else arg})
    header = {
        "function": function,
        "args": described,
        "n_outputs": n_outputs,
        "call": secrets.token_hex(16),
    }
    return header, arrays


def _write_in_background(proc: subprocess.Popen, data: bytes) -> None:
    """Write without ever blocking the grader on a worker that stops reading."""

    def write():
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    threading.Thread(target=write, daemon=True).start()


def _read_messages_in_background(proc: subprocess.Popen, messages: queue.Queue):
    def read():
        stream = proc.stdout
        while True:
            try:
                messages.put(("message", wire.read_message(stream.read)))
            except EOFError:
                messages.put(("eof", None))
                return
            except wire.WireError as error:
                messages.put(("protocol", f"the worker broke the protocol: {error}"))
                return
            except (OSError, ValueError):
                messages.put(("eof", None))
                return

    threading.Thread(target=read, daemon=True).start()


def run_canary(isolation: "sandbox.Isolation", secrets: list[Path]):
    """Run the canary under `isolation`; return what it achieved, and layers."""
    from grader import canary

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    worker = Worker(Path(canary.__file__), isolation)
    try:
        outcome = worker.call(
            "probe",
            [[str(p) for p in secrets], listener.getsockname()[1], os.getpid()],
            1,
            30,
        )
        accepted = _accepted(listener)
    finally:
        worker.close()
        listener.close()
    if outcome.status != "ok" or not outcome.outputs:
        return None, outcome.detail or str(outcome.error)
    flags = dict(zip(canary.ATTEMPTS, (bool(v) for v in outcome.outputs[0])))
    flags["connect_loopback"] = flags["connect_loopback"] or accepted
    return flags, worker.layers


def _accepted(listener: socket.socket) -> bool:
    try:
        connection, _ = listener.accept()
    except OSError:
        return False
    connection.close()
    return True


def _secret_paths() -> tuple[list[Path], list[Path]]:
    """What a worker must never read (the hidden cases and solutions the grader
    can find, and a canary file planted beside them), and the planted files."""
    from grader.assignment import list_assignments

    folders = [f / "cases" for f in list_assignments()]
    solutions = Path(__file__).resolve().parents[1] / "solutions"
    if solutions.is_dir():
        folders.append(solutions)
    secrets = [f / "hidden.yaml" for f in folders if (f / "hidden.yaml").is_file()]
    secrets += sorted(solutions.glob("*/*.py")) if solutions.is_dir() else []
    planted = []
    for folder in folders:
        path = folder / f".grader-canary-{os.getpid()}"
        try:
            path.write_text("canary: a worker must never read this\n")
            os.chmod(path, 0o644)
        except OSError:
            continue
        planted.append(path)
    return (secrets + planted) or [Path(__file__)], planted


def _tree_cpu_seconds(pid: int) -> float:
    """CPU time used by a process and all its descendants, from /proc."""
    total, stack, seen = 0.0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / _TICKS
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += map(int, (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def _folder_bytes(folder: Path) -> int:
    """Bytes stored under a folder; "infinitely many" past the entry cap."""
    total, entries, stack = 0, 0, [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    entries += 1
                    if entries > WORK_FOLDER_ENTRIES:
                        return 1 << 62
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
        except OSError:
            continue
    return total


def _sweep_orphans() -> None:
    """Kill descendants that escaped a worker's process group (we reap them)."""
    me = os.getpid()
    for _ in range(5):
        strays = [pid for pid in _children(me) if pid not in _live_workers]
        if not strays:
            return
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                pass


def _children(pid: int) -> list[int]:
    children = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children += map(int, (task / "children").read_text().split())
    except OSError:
        pass
    return children


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        log.warning("worker %d did not exit after SIGKILL", proc.pid)


def _close_pipes(proc: subprocess.Popen) -> None:
    """Close the worker's pipes without ever waiting on them.

    A reader thread may still be blocked on a pipe that an escaped process
    kept open; closing a stream blocks on that thread's lock, so each close
    happens in a thread of its own and the grader moves on.
    """
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        threading.Thread(target=_close_quietly, args=(stream,), daemon=True).start()


def _close_quietly(stream) -> None:
    try:
        stream.close()
    except (OSError, ValueError):
        pass


class _OutputBuffer:
    """Keep the first bytes a worker prints per call; count and drop the rest.

    The worker ends each call's output with `wire.OUTPUT_MARK`; `take` waits
    for the marks it expects, so output is never attributed to the wrong call.
    """

    def __init__(self, cap: int):
        self._cap = cap
        self._ready = threading.Condition()
        self._kept = bytearray()
        self._dropped = 0
        self._marks = 0
        self._pending = b""  # bytes that may be the start of a mark

    def follow(self, stream) -> None:
        def drain():
            while True:
                try:
                    chunk = stream.read1(65536)
                except (OSError, ValueError):
                    chunk = b""
                if not chunk:
                    with self._ready:
                        self._marks = float("inf")
                        self._ready.notify_all()
                    return
                self._add(chunk)

        threading.Thread(target=drain, daemon=True).start()

    def take(self, marks: int = 0) -> str:
        """The output so far, once `marks` call ends have been read."""
        with self._ready:
            self._ready.wait_for(lambda: self._marks >= marks, timeout=OUTPUT_GRACE)
            text = self._kept.decode("utf-8", errors="replace")
            if self._dropped:
                text += f"\n[... {self._dropped} more bytes of output not kept]"
            self._kept, self._dropped = bytearray(), 0
        return text

    def _add(self, chunk: bytes) -> None:
        mark = wire.OUTPUT_MARK
        data = self._pending + chunk
        parts = data.split(mark)
        last = parts[-1]
        keep = next(
            (n for n in range(len(mark) - 1, 0, -1) if last.endswith(mark[:n])), 0
        )
        self._pending = last[len(last) - keep :] if keep else b""
        parts[-1] = last[: len(last) - keep]
        with self._ready:
            for part in parts:
                room = self._cap - len(self._kept)
                self._kept += part[: max(room, 0)]
                self._dropped += max(len(part) - room, 0)
            self._marks += len(parts) - 1
            self._ready.notify_all()
