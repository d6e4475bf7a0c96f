"""Run student calls in a worker process, with deadlines, and bring back data.

The grader never imports student code. A `Worker` starts `worker.py` in a
fresh interpreter, sends it one call at a time and reads back plain arrays.
A call that hangs, crashes or breaks the protocol becomes a `CallOutcome`
saying so; the next call gets a fresh worker.
"""

import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader import wire

log = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
# importing NumPy and a student module takes well under a second
IMPORT_TIMEOUT = 20.0
# keep this much of what a student prints per call; the rest is counted
OUTPUT_CAP = 16 * 1024
# how long to wait for output the worker wrote before its answer
OUTPUT_GRACE = 2.0
# one BLAS thread per worker: two cores, and results that do not depend on load
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class CallOutcome:
    """What came back from one call into student code."""

    status: str  # ok, error, missing, timeout, crash, import_error, protocol
    result: dict | None = None
    outputs: list = field(default_factory=list)
    after: list = field(default_factory=list)
    error: dict | None = None
    output: str = ""
    detail: str = ""
    seconds: float = 0.0


class Worker:
    """A lazily started worker process for one student module."""

    def __init__(self, module_path: Path):
        self.module_path = Path(module_path).resolve()
        self._proc: subprocess.Popen | None = None
        self._import_failure: CallOutcome | None = None
        self._messages: queue.Queue = queue.Queue()
        self._output = _OutputBuffer(OUTPUT_CAP)
        self._received = 0
        self._workdir: str | None = None

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
        reply = self._wait(timeout)
        seconds = time.monotonic() - begin
        return self._outcome(reply, timeout, seconds)

    def close(self) -> None:
        """Stop the worker and everything it started."""
        if self._proc is not None:
            _kill_group(self._proc)
            self._proc = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _start(self) -> CallOutcome | None:
        self._workdir = self._workdir or tempfile.mkdtemp(prefix="grader-work-")
        self._messages = queue.Queue()
        self._output = _OutputBuffer(OUTPUT_CAP)
        self._received = 0
        self._proc = subprocess.Popen(
            [sys.executable, "-I", str(WORKER_SCRIPT), str(self.module_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self._workdir,
            env=_worker_environment(self._workdir),
            start_new_session=True,
        )
        _read_messages_in_background(self._proc, self._messages)
        self._output.follow(self._proc.stderr)
        reply = self._wait(IMPORT_TIMEOUT)
        if reply[0] == "message" and reply[1][0].get("status") == "ready":
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

    def _wait(self, timeout: float):
        try:
            reply = self._messages.get(timeout=timeout)
        except queue.Empty:
            return ("timeout", None)
        self._received += reply[0] == "message"
        return reply

    def _outcome(self, reply, timeout: float, seconds: float) -> CallOutcome:
        kind, payload = reply
        if kind == "timeout":
            self.close()
            return CallOutcome(
                "timeout",
                output=self._output.take(),
                detail=f"no answer within {timeout:g} s",
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
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else ""
            return f"the worker was killed by signal {-code} {name}".rstrip()
        return f"the worker exited with status {code} in the middle of the call"


def _request(function: str, args: list, n_outputs: int):
    arrays, described = [], []
    for arg in args:
        if isinstance(arg, np.ndarray):
            described.append({"array": len(arrays)})
            arrays.append(arg)
        else:
            described.append({"value": list(arg) if isinstance(arg, tuple) else arg})
    return {"function": function, "args": described, "n_outputs": n_outputs}, arrays


def _worker_environment(workdir: str) -> dict:
    env = {"PATH": os.defpath, "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8"}
    env.update({name: "1" for name in THREAD_VARIABLES})
    return env


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


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        log.warning("worker %d did not exit after SIGKILL", proc.pid)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        try:
            stream.close()
        except OSError:
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
