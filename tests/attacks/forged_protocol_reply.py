"""Write one well-formed reply (an answer of None) straight to the protocol
stream, then return the real, correct answer: two replies for one call."""

import fcntl
import json
import os
import stat
import struct

import numpy as np


def _protocol_out():
    """The worker's protocol output: its one write-only pipe above fd 2."""
    for fd in range(3, 64):
        try:
            is_pipe = stat.S_ISFIFO(os.fstat(fd).st_mode)
            mode = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE
        except OSError:
            continue
        if is_pipe and mode == os.O_WRONLY:
            return fd
    raise RuntimeError("no protocol stream found")


def exp_backward(out_grad, a):
    header = {
        "status": "ok",
        "result": {"kind": "single", "item": {"kind": "none"}},
        "n_after": 0,
        "arrays": [],
    }
    text = json.dumps(header).encode()
    os.write(_protocol_out(), b"BPG1" + struct.pack("<I", len(text)) + text)
    return out_grad * np.exp(a)
