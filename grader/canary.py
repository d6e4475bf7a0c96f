"""The canary: a submission that tries what an attacker would, and says how far
it got. The grader runs it through the same worker path as student code to
learn what the isolation tier really prevents.
"""

import os
import socket

import numpy as np

ATTEMPTS = ("read_secret", "connect_loopback", "signal_grader", "start_process")


def probe(secret_paths, port, grader_pid):
    """1 for each attempt in ATTEMPTS that succeeded, 0 for each refused."""
    return np.array(
        [
            _read_any(secret_paths),
            _connect(port),
            _signal(grader_pid),
            _start_process(),
        ]
    )


def _read_any(paths) -> int:
    for path in paths:
        try:
            with open(path, "rb") as handle:
                if handle.read():
                    return 1
        except OSError:
            pass
    return 0


def _connect(port: int) -> int:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return 1
    except OSError:
        return 0


def _signal(pid: int) -> int:
    try:
        os.kill(pid, 0)
        return 1
    except OSError:
        return 0


def _start_process() -> int:
    try:
        child = os.fork()
    except OSError:
        return 0
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)
    return 1
